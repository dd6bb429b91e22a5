"""Workbooks we write never carry a formula that came from user text (issue 13, item 2).

A spreadsheet program evaluates a cell whose text starts with "=" (and, when the cell is typed or
edited, "+", "-" and "@"; a leading tab, CR or LF, leading spaces and the full-width ＝ ＋ － ＠
are taken the same way by some programs and import paths). An owner named `=HYPERLINK(...)` or a
ledger entry described as `=cmd|' /C calc'!A0` would otherwise reach the district office as a live
formula ("formula injection", OWASP "CSV Injection").

The rule, in one place: every writer builds its workbook with `SafeWorkbook` and saves it with
`workbook_bytes`. A string that looks like a formula is kept verbatim but stored as a *string* cell
(openpyxl would otherwise store any str starting with "=" as a formula) with the cell style's
`quotePrefix` set, so Excel and LibreOffice keep it text even when someone edits the cell.

- Ordinary worksheets are walked once on save: every str cell is checked (a few hundred
  nanoseconds per cell).
- Write-only worksheets stream their rows to disk as they are appended, so they are checked on
  `append` instead.
- Numbers, dates and booleans are never touched (a negative Decimal stays a number).
- Our own code may still write a genuine formula (a total, say) with `trusted_formula`; nothing
  else can produce one. No writer needs one today.

CSV writers (none today) use `csv_text`, which prefixes such text with a single quote.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# First characters a spreadsheet program may read as the start of a formula.
FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")
# Leading blanks some programs skip before looking at the first character.
_BLANKS = " \u3000\u00a0"
_SUSPECT = FORMULA_STARTS | frozenset(_BLANKS)


def looks_like_formula(value: object) -> bool:
    """True for a str that a spreadsheet program could evaluate (see the module docstring)."""
    if not isinstance(value, str) or not value:
        return False
    first = value[0]
    if first in FORMULA_STARTS:
        return True
    if first in _BLANKS:
        rest = value.lstrip(_BLANKS)
        return bool(rest) and rest[0] in FORMULA_STARTS
    return False


def csv_text(value: object) -> object:
    """A CSV field: text that looks like a formula gets a leading single quote; anything else as is."""
    return "'" + value if isinstance(value, str) and looks_like_formula(value) else value


def _as_text(cell: Cell) -> None:
    """Store the cell's str value as a string cell that stays text when edited."""
    cell.data_type = "s"
    cell.quotePrefix = True


def _neutralise(cell: Cell, trusted: set[int]) -> None:
    if id(cell) in trusted:
        return
    if cell.data_type == "f" or looks_like_formula(cell.value):
        if isinstance(cell.value, str):
            _as_text(cell)
        else:  # openpyxl's ArrayFormula / DataTableFormula: only our own code could build one
            raise ValueError("a formula object must be written with trusted_formula")


class _SafeWriteOnlyWorksheet(WriteOnlyWorksheet):
    """A write-only worksheet that neutralises every row as it is appended (rows go to disk at once)."""

    def append(self, row: Iterable[Any]) -> None:
        trusted = _safe_workbook(self.parent)._trusted_formulas
        safe: list[Any] = []
        for value in row:
            if isinstance(value, str):
                if value and value[0] in _SUSPECT and looks_like_formula(value):  # the cheap test first
                    text = WriteOnlyCell(self, value=value)
                    _as_text(text)
                    safe.append(text)
                    continue
            elif isinstance(value, Cell):
                _neutralise(value, trusted)
            safe.append(value)
        super().append(safe)


class SafeWorkbook(Workbook):
    """openpyxl's Workbook with the safe-cell rule; the only Workbook our writers may create
    (tests/test_export_formulas.py checks that no module under src/ builds a plain one)."""

    def __init__(self, write_only: bool = False, iso_dates: bool = False) -> None:
        super().__init__(write_only=write_only, iso_dates=iso_dates)
        self._trusted_formulas: set[int] = set()
        self._trusted_cells: list[Cell] = []  # keeps the cells alive, so their ids stay theirs

    def create_sheet(self, title: Any = None, index: int | None = None) -> Any:
        if not self.write_only:
            return super().create_sheet(title, index)
        sheet = _SafeWriteOnlyWorksheet(parent=self, title=title)
        base: Any = self  # openpyxl's stubs omit the private _add_sheet that create_sheet itself uses
        base._add_sheet(sheet=sheet, index=index)
        return sheet

    def save(self, filename: Any) -> None:
        if not self.write_only:
            trusted = self._trusted_formulas
            for ws in self.worksheets:
                for cell in ws._cells.values():  # only the cells that exist: iter_rows would create more
                    kind = cell.data_type
                    if kind == "s":
                        value = cell.value
                        if isinstance(value, str) and value and value[0] in _SUSPECT and looks_like_formula(value):
                            _as_text(cell)  # type: ignore[arg-type]  # a str value: a Cell, not a MergedCell
                    elif kind == "f" and isinstance(cell, Cell):
                        _neutralise(cell, trusted)
        super().save(filename)


def _safe_workbook(workbook: object) -> SafeWorkbook:
    if not isinstance(workbook, SafeWorkbook):
        raise TypeError("build workbooks with gongzhi.core.spreadsheets.SafeWorkbook")
    return workbook


def trusted_formula(cell: Cell, formula: str) -> Cell:
    """Write a formula of our own making (never user text) into `cell` — a worksheet's cell or a
    WriteOnlyCell about to be appended — and exempt that one cell from the rule."""
    workbook = _safe_workbook(cell.parent.parent)
    cell.value = formula
    if cell.data_type != "f":
        raise ValueError("a formula starts with '='")
    workbook._trusted_formulas.add(id(cell))
    workbook._trusted_cells.append(cell)
    return cell


def workbook_bytes(workbook: Workbook) -> bytes:
    """Save a SafeWorkbook as .xlsx bytes (every writer's last step)."""
    out = io.BytesIO()
    _safe_workbook(workbook).save(out)
    return out.getvalue()
