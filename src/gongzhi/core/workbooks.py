"""Reading uploaded Excel workbooks safely (issue 13, item 1).

A few kilobytes of .xlsx can make a reader allocate hundreds of gigabytes: python-calamine
builds a dense grid from the first to the last cell of a sheet, so a sheet with cells at A1
and XFD1048576 asks for 17 billion cells and the process aborts (not an exception: the whole
process dies). So an uploaded workbook is never opened by the reader in the process that
serves the site or runs the task queue:

1. open_workbook() starts a child process (`python -m gongzhi.core.workbooks`, a fresh
   interpreter without Django, settings or a database connection) with a memory limit
   (RLIMIT_AS) and a time limit, and waits for it.
2. The child first inspects the file without reading it (inspect_workbook): it must be a
   valid .xlsx zip; the archive's and every member's uncompressed size and compression ratio
   are bounded (zip bombs); then each sheet's XML is streamed, bounded by those sizes, to find
   the real last row and column from the cells themselves — the `<dimension ref>` is checked
   too but not trusted, it can be absent or lie. A sheet beyond the caller's limits is refused.
3. Only then does the child read the sheets with python-calamine, row by row, and write the
   rows to its standard output as a stream of pickles (one chunk of rows at a time).
4. The parent takes the sheets one by one as they arrive (only plain cell values are
   unpickled), so it parses a sheet while the child reads the next.

Everything that can go wrong arrives as WorkbookRefusedError (the file is refused, with a
clear message naming the reason) or WorkbookReadFailedError (the child was killed by its
memory limit, crashed or ran out of time); the calling process survives either way.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import json
import logging
import os
import pickle
import posixpath
import re
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

logger = logging.getLogger(__name__)

MiB = 1024 * 1024
GiB = 1024 * MiB
CHUNK_ROWS = 20_000  # rows per pickle record (bounds the memory of both processes)
_READ_BLOCK = 4 * MiB  # bytes of sheet XML scanned at a time
_SMALL_XML = 16 * MiB  # workbook.xml and its relationships are read whole, up to this
_EXIT_REFUSED = 3
_EXIT_NO_MEMORY = 4


@dataclass(frozen=True)
class WorkbookLimits:
    """What a caller accepts. Extents count from A1 (the reader's grid does too)."""

    max_rows: int
    max_columns: int
    max_cells: int  # rows × columns of a sheet's grid
    max_total_bytes: int  # uncompressed size of the whole archive
    max_member_bytes: int  # uncompressed size of any one member
    max_ratio: int = 200  # uncompressed / compressed, for members above 1 MiB
    memory_bytes: int = 2 * GiB  # address space of the reading child
    seconds: float = 120.0  # wall time of the reading child


@dataclass(frozen=True)
class SheetExtent:
    rows: int  # last row with a cell, 1-based (0: no cell)
    columns: int  # last column with a cell, 1-based


class _Refusal(Exception):  # noqa: N818 - internal; becomes WorkbookRefusedError in the parent
    """Raised where no translation is available (the child); carries a code and its figures."""

    def __init__(self, code: str, sheet: str = "", **params: Any) -> None:
        super().__init__(code, sheet, params)
        self.code = code
        self.sheet = sheet
        self.params = params


def _size(n: int) -> str:
    if n >= GiB:
        return f"{n / GiB:.1f} GB"
    if n >= MiB:
        return f"{n / MiB:.0f} MB"
    return f"{n / 1024:.0f} KB"


def _column_letters(n: int) -> str:
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str | bytes) -> int:
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _message(code: str, params: dict[str, Any], sheet: str) -> str:
    from django.utils.translation import gettext as _

    p = dict(params)
    for key in ("size", "limit_bytes"):
        if key in p:
            p[key] = _size(int(p[key]))
    if code == "columns":
        p["letter"] = _column_letters(int(p["columns"]))
    p["sheet"] = sheet
    messages = {
        "not_xlsx": _("文件不是有效的 Excel 工作簿（.xlsx），无法读取。"),
        "archive_size": _("文件解压后过大（%(size)s，上限 %(limit_bytes)s），可能是压缩炸弹，已拒绝读取。"),
        "member_size": _("文件中的“%(member)s”解压后过大（%(size)s，上限 %(limit_bytes)s），已拒绝读取。"),
        "ratio": _("文件中的“%(member)s”压缩比异常（%(ratio)d 倍），可能是压缩炸弹，已拒绝读取。"),
        "rows": _(
            "工作表“%(sheet)s”的范围过大：用到第 %(rows)d 行，上限为 %(limit)d 行。"
            "请删除多余的行（包括远处的空白格式）后重新上传。"
        ),
        "columns": _(
            "工作表“%(sheet)s”的范围过大：用到第 %(columns)d 列（%(letter)s 列），上限为 %(limit)d 列。"
            "请删除多余的列（包括远处的空白格式）后重新上传。"
        ),
        "cells": _(
            "工作表“%(sheet)s”的范围过大：%(rows)d 行 × %(columns)d 列，超过 %(limit)d 个单元格的上限。"
            "请删除多余的行和列后重新上传。"
        ),
        "sheet": _("工作表“%(sheet)s”无法读取。"),
        "memory": _("文件过大或过于复杂：读取时超出了内存上限，已停止读取，未写入任何数据。"),
        "timeout": _("读取文件超时（超过 %(seconds)d 秒）：文件过大或过于复杂，已停止读取，未写入任何数据。"),
        "crashed": _("读取文件时出错（读取程序意外退出），未写入任何数据。"),
    }
    return messages.get(code, messages["not_xlsx"]) % p


class WorkbookRefusedError(Exception):
    """The workbook is refused before it is read; `message` says why (translated)."""

    def __init__(self, code: str, params: dict[str, Any] | None = None, sheet: str = "") -> None:
        self.code = code
        self.params = dict(params or {})
        self.sheet = sheet
        self.message = _message(code, self.params, sheet)
        super().__init__(self.message)


class WorkbookReadFailedError(WorkbookRefusedError):
    """The reading child was killed (memory), crashed or ran out of time."""


# --- inspection (runs in the child; plain Python, no Django) -------------------------------------

_SHEET_TAG = re.compile(r"<(?:[\w.-]+:)?sheet\b[^>]*>")
_ATTR = re.compile(r"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REL_TAG = re.compile(r"<(?:[\w.-]+:)?Relationship\b[^>]*>")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\sref\s*=\s*[\"']([^\"']*)[\"']")
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")
# Tags of rows and cells ("<row ...>", "<c ...>", "<x:c ...>"); "<cols>", "<cfRule>" do not match.
# The fast scan (see _scan_fast) reads only what Excel and nearly every writer produce:
# "<row r="7" ...>" and "<c r="B7" ...>", the reference first. Anything else sends the sheet to
# the slow scan: a row or cell tag without a leading reference, a reference that is not plain,
# or a prefixed tag ("<x:c ...>": the reader ignores prefixes, so any prefix is a cell).
_ROW_REFS = re.compile(rb'<row r="(\d{1,7})"')
_PREFIXED = re.compile(rb"<[\w.-]+:(?:c|row)[\s/>]")
_COLON_TAG = re.compile(rb":(?:c|row)")
# A row or cell tag with any prefix; attribute values may hold ">" (but never "<").
_ANY_TAG = re.compile(rb"""<(?:[\w.-]+:)?(row|c)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PLAIN_REF = re.compile(r"([A-Za-z]*)(\d*)")


def _attrs(tag: str) -> dict[str, str]:
    return {
        m.group(1): html.unescape(m.group(2) if m.group(2) is not None else m.group(3)) for m in _ATTR.finditer(tag)
    }


def _small(zf: zipfile.ZipFile, name: str) -> str:
    with zf.open(name) as fh:
        data = fh.read(_SMALL_XML + 1)
    if len(data) > _SMALL_XML:
        raise _Refusal("member_size", member=name, size=len(data), limit_bytes=_SMALL_XML)
    return data.decode("utf-8", errors="replace")


def _check_archive(zf: zipfile.ZipFile, limits: WorkbookLimits) -> None:
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > MiB and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _Refusal("ratio", member=info.filename, ratio=info.file_size // max(info.compress_size, 1))
        if info.file_size > limits.max_member_bytes:
            raise _Refusal(
                "member_size", member=info.filename, size=info.file_size, limit_bytes=limits.max_member_bytes
            )
    if total > limits.max_total_bytes:
        raise _Refusal("archive_size", size=total, limit_bytes=limits.max_total_bytes)


def _sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → archive member of its XML, as the reader resolves them."""
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        raise _Refusal("not_xlsx")
    targets: dict[str, str] = {}
    for tag in _REL_TAG.findall(_small(zf, "xl/_rels/workbook.xml.rels")):
        a = _attrs(tag)
        if "Id" in a and "Target" in a:
            target = a["Target"]
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            targets[a["Id"]] = member
    members: dict[str, str] = {}
    for tag in _SHEET_TAG.findall(_small(zf, "xl/workbook.xml")):
        a = _attrs(tag)
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        if "name" in a and rid in targets:
            members[a["name"]] = targets[rid]
    return members


def _declared(head: bytes) -> SheetExtent | None:
    m = _DIMENSION.search(head)
    if not m:
        return None
    rows = columns = 0
    for ref in _REF.finditer(m.group(1).decode("ascii", errors="replace")):
        columns = max(columns, _column_number(ref.group(1).upper()))
        rows = max(rows, int(ref.group(2)))
    return SheetExtent(rows=rows, columns=columns)


def _blocks(zf: zipfile.ZipFile, member: str, limit: int) -> Iterator[bytes]:
    """The member's bytes cut before a '<' (never inside a tag: "<" cannot appear in an attribute
    value or in text), so that no tag is split between two blocks."""
    carry = b""
    seen = 0
    with zf.open(member) as fh:  # zipfile stops at the declared size and checks the CRC
        while True:
            data = fh.read(_READ_BLOCK)
            if not data:
                break
            seen += len(data)
            if seen > limit:
                raise _Refusal("member_size", member=member, size=seen, limit_bytes=limit)
            data = carry + data
            cut = max(data.rfind(b"<"), 0)
            carry = data[cut:]
            if cut:
                yield data[:cut]
    if carry:
        yield carry


def _greater_number(n: int) -> bytes:
    """A pattern for the decimal numbers above n (no leading zeros)."""
    digits = str(n).encode()
    k = len(digits)
    alternatives = [rb"[1-9]\d{%d,}" % k]
    for i, d in enumerate(digits):
        if d < ord("9"):
            alternatives.append(digits[:i] + b"[" + bytes([d + 1]) + b"-9]" + rb"\d{%d}" % (k - i - 1))
    return b"(?:" + b"|".join(alternatives) + b")"


def _greater_letters(n: int) -> bytes:
    """A pattern for the column letters beyond column n, followed by the row's digits."""
    if n == 0:
        return rb"[A-Z]{1,3}(?=\d)"
    letters = _column_letters(n).encode()
    m = len(letters)
    alternatives = [rb"[A-Z]{%d,}" % (m + 1)]
    for i, ch in enumerate(letters):
        if ch < ord("Z"):
            alternatives.append(letters[:i] + b"[" + bytes([ch + 1]) + b"-Z]" + rb"[A-Z]{%d}" % (m - i - 1))
    return b"(?:" + b"|".join(alternatives) + rb")(?=\d)"


def _scan_fast(zf: zipfile.ZipFile, member: str, limit: int) -> tuple[SheetExtent | None, SheetExtent] | None:
    """(declared extent, extent) of a sheet whose row and cell tags are all plain — "<row r="7"",
    "<c r="B7"", the reference first, as Excel and nearly every writer produce them; None for any
    other sheet. No Python work per cell: per block, a few counts prove the tags plain, the rows'
    own numbers give the last row, one search proves that no cell lies below its row and one more
    looks only for cells right of the last column seen so far. The last row counts rows without
    cells too, so the caller confirms an extent beyond its limits with _scan_slow."""
    declared: SheetExtent | None = None
    first = True
    max_row = max_col = 0
    for block in _blocks(zf, member, limit):
        if first:
            declared = _declared(block[:65536])
            first = False
        # Tags starting "<c" are cells — or <cols>, <color>, <charset>, <cfRule>… which are not.
        others = block.count(b"<c") - block.count(b'<c r="')
        if others and others != sum(block.count(tag) for tag in (b"<co", b"<ch", b"<cf", b"<ce", b"<cu")):
            return None
        rows = _ROW_REFS.findall(block)
        tags = block.count(b"<row")
        if tags != len(rows) and tags - len(rows) != block.count(b"<rowB"):  # <rowBreaks>
            return None
        if _COLON_TAG.search(block) and _PREFIXED.search(block):
            return None
        if rows:
            max_row = max(max_row, *map(int, rows))
        while True:  # one search per block, unless a cell lies right of the last column seen
            right = b"(" + _greater_letters(max_col) + b")"
            odd = rb'(?![A-Z]{1,3}[1-9]\d{0,6}")|[A-Z]{1,3}' + _greater_number(max_row) + b'"'
            found = re.search(b'<c r="(?:' + odd + b"|" + right + b")", block)
            if found is None:
                break
            if found.group(1) is None:  # not a plain reference, or below the last row seen
                return None
            letters = set(re.findall(b'<c r="' + right, block))
            max_col = max(max_col, *(_column_number(each) for each in letters))
    return declared, SheetExtent(rows=max_row, columns=max_col)


def _scan_slow(zf: zipfile.ZipFile, member: str, limit: int, sheet: str) -> SheetExtent:
    """Every row and cell tag in order, placed the way the reader places them: by the reference
    `r` (entities resolved, letters in either case), or next to the previous one without it."""
    row = 0
    col = 0
    max_row = max_col = 0
    for block in _blocks(zf, member, limit):
        for m in _ANY_TAG.finditer(block):
            attr = _R_ATTR.search(m.group(2))
            letters, digits = "", ""
            if attr:
                value = html.unescape((attr.group(1) or attr.group(2) or b"").decode("utf-8", errors="replace"))
                ref = _PLAIN_REF.fullmatch(value)
                if ref is None:
                    raise _Refusal("sheet", sheet)
                letters, digits = ref.group(1), ref.group(2)
            if m.group(1) == b"row":
                row = int(digits) if digits else row + 1
                col = 0
                continue
            col = _column_number(letters.upper()) if letters else col + 1
            if digits:
                row = int(digits)
            row = max(row, 1)
            max_row = max(max_row, row)
            max_col = max(max_col, col)
    return SheetExtent(rows=max_row, columns=max_col)


def _within(sheet: str, extent: SheetExtent, limits: WorkbookLimits) -> None:
    if extent.rows > limits.max_rows:
        raise _Refusal("rows", sheet, rows=extent.rows, limit=limits.max_rows)
    if extent.columns > limits.max_columns:
        raise _Refusal("columns", sheet, columns=extent.columns, limit=limits.max_columns)
    if extent.rows * extent.columns > limits.max_cells:
        raise _Refusal("cells", sheet, rows=extent.rows, columns=extent.columns, limit=limits.max_cells)


def inspect_workbook(
    path: Path | str, limits: WorkbookLimits, sheets: Collection[str] | None = None
) -> dict[str, SheetExtent]:
    """The real extent of each sheet (of those named in `sheets`, or all), without reading the
    workbook; raises _Refusal when the file is not an .xlsx or is beyond `limits`."""
    try:
        with zipfile.ZipFile(path) as zf:
            _check_archive(zf, limits)
            members = _sheet_members(zf)
            extents: dict[str, SheetExtent] = {}
            for name, member in members.items():
                if sheets is not None and name not in sheets:
                    continue
                try:
                    zf.getinfo(member)
                except KeyError:
                    raise _Refusal("sheet", name) from None
                scanned = _scan_fast(zf, member, limits.max_member_bytes)
                if scanned is None:
                    extent = _scan_slow(zf, member, limits.max_member_bytes, name)
                else:
                    declared, extent = scanned
                    if declared is not None:
                        _within(name, declared, limits)
                    try:
                        _within(name, extent, limits)
                    except _Refusal:  # count only the rows that hold cells, as the reader does
                        extent = _scan_slow(zf, member, limits.max_member_bytes, name)
                _within(name, extent, limits)
                extents[name] = extent
            scanned_members = {members[name] for name in extents}
            for info in zf.infolist():  # the rest is read through once: sizes and checksums must hold
                if info.filename not in scanned_members and not info.is_dir():
                    for _block in _blocks(zf, info.filename, limits.max_member_bytes):
                        pass
            return extents
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError, OSError) as exc:
        raise _Refusal("not_xlsx") from exc


# --- the child -----------------------------------------------------------------------------------


def _limit_self(limits: WorkbookLimits) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = int(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _emit(out: IO[bytes], record: tuple[Any, ...]) -> None:
    pickle.dump(record, out, protocol=pickle.HIGHEST_PROTOCOL)


def _read_into(path: str, out: IO[bytes], limits: WorkbookLimits, wanted: list[str] | None) -> None:
    try:
        extents = inspect_workbook(path, limits, None if wanted is None else set(wanted))
    except _Refusal as exc:
        _emit(out, ("refused", exc.code, exc.sheet, exc.params))
        return
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(path)
        names = list(wb.sheet_names)
    except Exception:
        _emit(out, ("refused", "not_xlsx", "", {}))
        return
    _emit(out, ("names", names))
    out.flush()
    for name in names if wanted is None else [n for n in wanted if n in names]:
        if name not in extents:  # the reader sees a sheet the inspection could not place
            _emit(out, ("refused", "sheet", name, {}))
            return
        try:
            sheet = wb.get_sheet_by_name(name)
            start_col = sheet.start[1] if sheet.start else 0
            _emit(out, ("sheet", name))
            pad = [""] * start_col
            chunk: list[list[Any]] = []
            for row in sheet.iter_rows():
                chunk.append(pad + row if start_col else row)
                if len(chunk) >= CHUNK_ROWS:
                    _emit(out, ("rows", chunk))
                    chunk = []
            if chunk:
                _emit(out, ("rows", chunk))
            del sheet
        except MemoryError:
            raise
        except Exception:
            _emit(out, ("refused", "sheet", name, {}))
            return
    _emit(out, ("end",))


def _child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m gongzhi.core.workbooks")
    parser.add_argument("path")
    parser.add_argument("out", help='where the records go; "-" for standard output')
    parser.add_argument("--limits", required=True, help="WorkbookLimits as JSON")
    parser.add_argument("--sheets", default=None, help="JSON list of sheet names (default: all)")
    args = parser.parse_args(argv)
    limits = WorkbookLimits(**json.loads(args.limits))
    wanted = json.loads(args.sheets) if args.sheets else None
    _limit_self(limits)
    try:
        if args.out == "-":
            _read_into(args.path, sys.stdout.buffer, limits, wanted)
            sys.stdout.buffer.flush()
        else:
            with open(args.out, "wb") as out:
                _read_into(args.path, out, limits, wanted)
    except MemoryError:
        return _EXIT_NO_MEMORY
    except BrokenPipeError:  # the parent stopped reading (closed the workbook)
        return 0
    return 0


# --- the parent ----------------------------------------------------------------------------------


class _CellsOnly(pickle.Unpickler):
    """Unpickles cell values only: the builtins plus the date and time types."""

    _ALLOWED = frozenset(
        {("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"), ("datetime", "timedelta")}
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return getattr(dt, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a cell value")


def _failure(returncode: int, seconds: float) -> WorkbookReadFailedError:
    killed = {-signal.SIGKILL, -signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS, 128 + signal.SIGABRT}
    if returncode == _EXIT_NO_MEMORY or returncode in killed:
        return WorkbookReadFailedError("memory")
    if returncode in {-signal.SIGXCPU, 128 + signal.SIGXCPU}:
        return WorkbookReadFailedError("timeout", {"seconds": int(seconds)})
    return WorkbookReadFailedError("crashed")


def _child_env() -> dict[str, str]:
    """No secrets and no database address for the child: only where to find the code."""
    src = str(Path(__file__).resolve().parents[2])
    env = {"PYTHONPATH": src, "PYTHONHASHSEED": "0", "LANG": "C.UTF-8"}
    for key in ("PATH", "SYSTEMROOT", "TMPDIR"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


class CheckedWorkbook:
    """A workbook being read by the child: its sheet names and, one at a time, its sheets' rows
    (lists of cell values; row i is Excel row i + 1, column j is column j + 1, as
    CalamineSheet.to_python(skip_empty_area=False) gives them). The rows arrive while the child
    is still reading the next sheets. Close it (or use `with`): that stops the child."""

    def __init__(self, path: Path | str, limits: WorkbookLimits, command: list[str]) -> None:
        self._path = path
        self._limits = limits
        self._timed_out = False
        self._errors = tempfile.TemporaryFile(prefix="gongzhi-workbook-")  # noqa: SIM115 - closed in close()
        self._proc = subprocess.Popen(  # noqa: S603 - this module, a fixed argument list
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            env=_child_env(),
            close_fds=True,
        )
        self._timer = threading.Timer(limits.seconds, self._stop)
        self._timer.daemon = True
        self._timer.start()
        self.sheet_names: list[str] = []

    def _stop(self) -> None:
        self._timed_out = True
        with contextlib.suppress(OSError):
            self._proc.kill()

    def _failed(self) -> WorkbookReadFailedError:
        """Why the child's output ended early (it has ended by now, or is made to)."""
        try:
            returncode = self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            returncode = self._proc.wait()
        self._errors.seek(0)
        said = self._errors.read()[-2000:].decode("utf-8", errors="replace")
        self.close()
        if self._timed_out:
            logger.warning("reading workbook %s: stopped after %s s", self._path, self._limits.seconds)
            return WorkbookReadFailedError("timeout", {"seconds": int(self._limits.seconds)})
        logger.warning("reading workbook %s: the child ended with %s: %s", self._path, returncode, said)
        return _failure(returncode, self._limits.seconds) if returncode else WorkbookReadFailedError("crashed")

    def _load(self) -> tuple[Any, ...]:
        stream = self._proc.stdout
        if stream is None:  # never: the child's output is a pipe
            raise WorkbookReadFailedError("crashed")
        try:
            record: tuple[Any, ...] = _CellsOnly(stream).load()
        except (EOFError, pickle.UnpicklingError, OSError, ValueError, TypeError):
            raise self._failed() from None
        return record

    def _start(self) -> None:
        first = self._load()
        if first[0] == "refused":
            self.close()
            raise WorkbookRefusedError(first[1], first[3], first[2])
        self.sheet_names = list(first[1])

    def __enter__(self) -> CheckedWorkbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._timer.cancel()
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._errors.close()

    def sheets(self) -> Iterator[tuple[str, list[list[Any]]]]:
        """(name, rows) of each sheet asked for that the workbook has, in the order asked."""
        name: str | None = None
        rows: list[list[Any]] = []
        while True:
            record = self._load()
            kind = record[0]
            if kind == "rows":
                rows.extend(record[1])
                continue
            if name is not None:
                yield name, rows
                name, rows = None, []
            if kind == "sheet":
                name = record[1]
            elif kind == "refused":
                self.close()
                raise WorkbookRefusedError(record[1], record[3], record[2])
            else:  # "end": the child must also have ended well
                try:
                    returncode = self._proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    returncode = -1
                if returncode != 0:
                    raise self._failed()
                self.close()
                return


def open_workbook(path: Path | str, limits: WorkbookLimits, sheets: Collection[str] | None = None) -> CheckedWorkbook:
    """Inspect and read the workbook in a child process within `limits` (see the module's
    docstring). Raises WorkbookRefusedError or WorkbookReadFailedError (here or while the sheets
    are read); never takes the calling process down."""
    command = [
        sys.executable,
        "-m",
        "gongzhi.core.workbooks",
        str(Path(path).resolve()),
        "-",
        "--limits",
        json.dumps(asdict(limits)),
    ]
    if sheets is not None:
        command += ["--sheets", json.dumps(list(sheets), ensure_ascii=False)]
    workbook = CheckedWorkbook(path, limits, command)
    try:
        workbook._start()  # its own constructor's second half
    except BaseException:
        workbook.close()
        raise
    return workbook


def read_sheets(
    path: Path | str, limits: WorkbookLimits, sheets: Collection[str] | None = None
) -> tuple[list[str], dict[str, list[list[Any]]]]:
    """All at once: (every sheet name, {name: rows} of the sheets asked for)."""
    with open_workbook(path, limits, sheets) as wb:
        return wb.sheet_names, dict(wb.sheets())


@contextlib.contextmanager
def as_file(data: bytes) -> Iterator[Path]:
    """Uploaded bytes as a temporary file for open_workbook (removed afterwards)."""
    fd, name = tempfile.mkstemp(prefix="gongzhi-upload-", suffix=".xlsx")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
