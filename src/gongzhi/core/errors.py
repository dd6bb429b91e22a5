"""One family of domain errors, mapped to HTTP once (core.api / core.views)."""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """A rule of the domain refused the operation. Shown to the user as is (translated)."""

    status = 400

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotFoundError(DomainError):
    status = 404

    def __init__(self, message: str, *, code: str = "not_found") -> None:
        super().__init__(message, code=code)


class AccessDeniedError(DomainError):
    status = 403

    def __init__(self, message: str, *, code: str = "forbidden") -> None:
        super().__init__(message, code=code)


@dataclass(frozen=True)
class RowProblem:
    """One problem of an imported file, located by sheet, row and column."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" 第{self.row}行" if _zh() else f" row {self.row}"
        if self.column:
            where += f" [{self.column}]"
        return f"{where}: {self.message}"


def _zh() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "zh-hans").startswith("zh")


@dataclass
class ImportRefusedError(DomainError):
    """An import was refused as a whole; nothing was written."""

    problems: list[RowProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        from django.utils.translation import gettext

        DomainError.__init__(
            self,
            gettext("导入被拒绝：发现 %(n)d 个问题，未写入任何数据。") % {"n": len(self.problems)},
            code="import_refused",
        )
