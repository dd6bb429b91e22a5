"""Reading a registry workbook: every sheet of registry.spec parsed cell by cell, every problem
collected with its sheet, row and column rather than raised (an import is all or nothing)."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.core.errors import RowProblem
from gongzhi.core.workbooks import GiB, WorkbookLimits, WorkbookReadFailedError, WorkbookRefusedError, open_workbook
from gongzhi.elevators.registry.cells import BadValueError, header_key, is_blank
from gongzhi.elevators.registry.spec import SHEETS, SPEC, Column, Progress, Row, SheetSpec

MAX_PROBLEMS = 1000  # beyond this, one summary line: a file with a systematic error is not listed row by row
# What an uploaded registry workbook may be (issue 13): the template's widest sheet has 12
# columns and the benchmark 1,000,000 apartments; the reading child (gongzhi.core.workbooks)
# gets this much memory and time. A sheet's grid is bounded by rows × columns too (the reader
# allocates the whole grid: 1,100,000 rows × 24 columns is about 0.9 GB).
READ_LIMITS = WorkbookLimits(
    max_rows=1_100_000,
    max_columns=200,
    max_cells=1_100_000 * 24,
    max_total_bytes=2 * GiB,
    max_member_bytes=1 * GiB,
    memory_bytes=6 * GiB,
    seconds=900,
)


class Problems:
    """The problems found in a file, each with its sheet, row and column; beyond `limit` (MAX_PROBLEMS
    when it was made), only counted."""

    def __init__(self) -> None:
        self.limit = MAX_PROBLEMS
        self.items: list[RowProblem] = []
        self.dropped = 0
        self.structural = False  # a sheet or column is missing: rows cannot be checked against each other

    def add(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        if len(self.items) < self.limit:
            self.items.append(RowProblem(sheet=sheet, row=row, column=column, message=message))
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def final(self) -> list[RowProblem]:
        if self.dropped:
            return [
                *self.items,
                RowProblem(
                    sheet="", row=None, column=None, message=_("另有 %(n)d 个问题未列出。") % {"n": self.dropped}
                ),
            ]
        return list(self.items)


def _parse_sheet(spec: SheetSpec, raw: list[list[Any]], problems: Problems) -> list[Row] | None:
    """The sheet's data rows, parsed. None when the sheet's header lacks a required column."""
    header_at = next((i for i, r in enumerate(raw) if any(not is_blank(v) for v in r)), None)
    if header_at is None:
        problems.structural = True
        for c in spec.columns:
            if c.required:
                problems.add(spec.name, 1, c.header, _("缺少列“%(column)s”。") % {"column": c.header})
        return None
    positions: dict[str, int] = {}
    for j, head in enumerate(raw[header_at]):
        positions.setdefault(header_key(head), j)
    cols: list[tuple[Column, int | None]] = []
    complete = True
    for c in spec.columns:
        at = positions.get(header_key(c.header))
        if at is None and c.required:
            problems.add(spec.name, header_at + 1, c.header, _("缺少列“%(column)s”。") % {"column": c.header})
            complete = False
        cols.append((c, at))
    if not complete:
        problems.structural = True
        return None
    rows: list[Row] = []
    empty_message = _("必填项为空。")
    parsers = [(c.parse, c.required, c.header) for c, _j in cols]
    where = [j for _c, j in cols]
    fast = all(j is not None for j in where) and len(where) > 1
    pick = operator.itemgetter(*[j or 0 for j in where])
    reach = max((j for j in where if j is not None), default=0)
    for i in range(header_at + 1, len(raw)):
        cells = raw[i]
        if fast and len(cells) > reach:
            picked: Sequence[Any] = pick(cells)
        else:
            picked = [cells[j] if j is not None and j < len(cells) else None for j in where]
        if not any(picked) and all(is_blank(v) for v in picked):
            continue
        values: list[Any] = []
        for (parse, required, header), value in zip(parsers, picked, strict=True):
            if value is None or value == "" or (value.__class__ is str and value.isspace()):
                if required:
                    problems.add(spec.name, i + 1, header, empty_message)
                values.append(None)
                continue
            try:
                values.append(parse(value))
            except BadValueError as exc:
                problems.add(spec.name, i + 1, header, exc.text(_))
                values.append(None)
        rows.append((i + 1, values))
    return rows


def read_workbook(
    path: Path, progress: Progress | None = None, limits: WorkbookLimits | None = None
) -> tuple[dict[str, list[Row]], Problems]:
    """Read and parse every sheet; structural and cell problems are collected, not raised.

    The workbook is inspected and read in a child process within `limits` (READ_LIMITS by
    default; gongzhi.core.workbooks): a file beyond them is refused with the reason as a
    problem. Raises WorkbookReadFailedError when the child is killed or runs out of time."""
    problems = Problems()
    sheets: dict[str, list[Row]] = {}
    try:
        wb = open_workbook(path, limits or READ_LIMITS, [spec.name for spec in SHEETS])
    except WorkbookReadFailedError:
        raise
    except WorkbookRefusedError as exc:
        problems.add(exc.sheet, None, None, exc.message)
        problems.structural = True
        return sheets, problems
    with wb:
        names = set(wb.sheet_names)
        for spec in SHEETS:
            if spec.name not in names and not spec.optional:
                problems.add(spec.name, None, None, _("缺少工作表“%(sheet)s”。") % {"sheet": spec.name})
                problems.structural = True
        order = {spec.name: n for n, spec in enumerate(SHEETS, start=1)}
        try:
            for name, raw in wb.sheets():
                parsed = _parse_sheet(SPEC[name], raw, problems)
                del raw
                if parsed is not None:
                    sheets[name] = parsed
                if progress:
                    progress("read", order[name], len(SHEETS))
        except WorkbookReadFailedError:
            raise
        except WorkbookRefusedError as exc:
            problems.add(exc.sheet, None, None, exc.message)
            problems.structural = True
    return sheets, problems
