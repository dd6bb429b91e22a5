"""Uploaded workbooks are read safely (issue 13, item 1): a sparse sheet that would make the reader
allocate hundreds of gigabytes, a zip bomb, a reader killed by its memory or time limit, an import
left running by a dead worker — on both imports (the registry and the talent pool).

The hostile workbooks are never opened by python-calamine in the test process: only the reading
child (gongzhi.core.workbooks) ever sees them, and the inspection refuses them before it reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gongzhi.core import workbooks
from gongzhi.core.actors import SYSTEM
from gongzhi.core.errors import DomainError, ImportRefusedError
from gongzhi.core.workbooks import (
    GiB,
    MiB,
    WorkbookLimits,
    WorkbookReadFailedError,
    WorkbookRefusedError,
    inspect_workbook,
    read_sheets,
)
from gongzhi.elevators.models import Elevator, ImportStatus, RegistryImport
from gongzhi.elevators.registry import read as registry_read
from gongzhi.elevators.registry import registry_import_run, registry_import_start, registry_imports_reap
from gongzhi.elevators.registry import run as registry_run
from gongzhi.places.models import Role
from gongzhi.talent.excel import services as excel
from gongzhi.talent.excel.imports import STALE_AFTER as TALENT_STALE_AFTER
from gongzhi.talent.excel.imports import talent_import_run, talent_imports_reap
from gongzhi.talent.models import Cadre, TalentImport, TalentImportStatus
from tests.factories import user_with_role
from tests.talent_support import TalentWorld
from tests.test_registry_import import BASE, _liangzhu, book
from tests.test_talent_excel import CADRE_HEAD, cadre_row

pytestmark = pytest.mark.django_db

# Limits that let the far corner through the inspection, so that the reader itself meets it.
OPEN = WorkbookLimits(
    max_rows=2_000_000,
    max_columns=20_000,
    max_cells=10**12,
    max_total_bytes=GiB,
    max_member_bytes=GiB,
    memory_bytes=512 * MiB,
    seconds=60,
)
SMALL = WorkbookLimits(
    max_rows=100, max_columns=10, max_cells=500, max_total_bytes=50 * MiB, max_member_bytes=20 * MiB, seconds=60
)


def _rewrite(path: Path, member: str, change: Any) -> None:
    """Rewrite one member of the zip at `path` with change(bytes) -> bytes."""
    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            out.writestr(info.filename, change(data) if info.filename == member else data)


def _member_of(path: Path, sheet: str) -> str:
    wb = openpyxl.load_workbook(path)
    return f"xl/worksheets/sheet{wb.sheetnames.index(sheet) + 1}.xml"


def sparse(path: Path, sheet: str, corner: str, *, lie: bool = True) -> Path:
    """Add one cell at `corner` (e.g. XFD1048576) to `sheet` of the workbook at `path`; with `lie`,
    the sheet's <dimension ref> keeps claiming the small original extent."""
    member = _member_of(path, sheet)
    row = int("".join(ch for ch in corner if ch.isdigit()))

    def change(xml: bytes) -> bytes:
        far = f'<row r="{row}"><c r="{corner}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'.encode()
        xml = xml.replace(b"</sheetData>", far, 1)
        if not lie:
            start = xml.index(b'<dimension ref="') + len(b'<dimension ref="')
            end = xml.index(b'"', start)
            xml = xml[:start] + f"A1:{corner}".encode() + xml[end:]
        return xml

    _rewrite(path, member, change)
    return path


def plain(path: Path, rows: list[list[Any]], title: str = "S") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def bomb(path: Path, sheet: str, megabytes: int = 24) -> Path:
    """A valid workbook whose sheet XML is padded with `megabytes` MB of blanks (a ~1000:1 ratio)."""
    pad = b" " * (megabytes * MiB)
    _rewrite(path, _member_of(path, sheet), lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + pad, 1))
    return path


# --- the core module ------------------------------------------------------------------------------


def test_the_real_extent_is_found_when_the_dimension_lies(tmp_path: Path) -> None:
    path = sparse(plain(tmp_path / "a.xlsx", [["a", "b"], [1, 2]]), "S", "XFD1048576")
    with zipfile.ZipFile(path) as zf:
        assert b'<dimension ref="A1:B2"' in zf.read("xl/worksheets/sheet1.xml")  # the lie
    assert Path(path).stat().st_size < 8 * 1024
    assert inspect_workbook(path, OPEN) == {"S": workbooks.SheetExtent(rows=1_048_576, columns=16_384)}


def test_cells_and_rows_without_references_are_counted(tmp_path: Path) -> None:
    path = plain(tmp_path / "a.xlsx", [["a"]])
    cells = "".join("<c><v>1</v></c>" for _ in range(300))
    _rewrite(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"</sheetData>", f"<row>{cells}</row><row/><row><c/></row></sheetData>".encode()),
    )
    assert inspect_workbook(path, OPEN)["S"] == workbooks.SheetExtent(rows=4, columns=300)
    with pytest.raises(WorkbookRefusedError) as info:
        read_sheets(path, SMALL)
    assert info.value.code == "columns"
    assert "第 300 列（KN 列），上限为 10 列" in info.value.message


@pytest.mark.parametrize(
    "tag",
    [
        '<c r="XFD1048576"><v>1</v></c>',  # plain, below its row
        '<c r="xfd1048576"><v>1</v></c>',  # lower case
        '<c r="&#88;FD1048576"><v>1</v></c>',  # a character reference
        '<c s="0" r="XFD1048576"><v>1</v></c>',  # the reference not first
        "<c r='XFD1048576'><v>1</v></c>",  # single quotes
        '<c\n  r="XFD1048576"><v>1</v></c>',  # a line break in the tag
        '<c t="n" x="a>b" r="XFD1048576"><v>1</v></c>',  # ">" inside an attribute value
        '<x:c xmlns:x="urn:x" r="XFD1048576"><x:v>1</x:v></x:c>',  # a prefix (the reader ignores it)
        '<c r="XFD01048576"><v>1</v></c>',  # a leading zero
    ],
)
def test_a_far_cell_is_found_however_it_is_written(tmp_path: Path, tag: str) -> None:
    path = plain(tmp_path / "a.xlsx", [["a", "b"], [1, 2]])
    _rewrite(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"</row></sheetData>", tag.encode() + b"</row></sheetData>"),
    )
    assert inspect_workbook(path, OPEN)["S"] == workbooks.SheetExtent(rows=1_048_576, columns=16_384)
    with pytest.raises(WorkbookRefusedError) as info:
        read_sheets(path, SMALL)
    assert info.value.code == "rows"


def test_an_unreadable_reference_refuses_the_sheet(tmp_path: Path) -> None:
    path = plain(tmp_path / "a.xlsx", [["a", "b"]])
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b'r="B1"', b'r="B1 or so"'))
    with pytest.raises(WorkbookRefusedError) as info:
        read_sheets(path, SMALL)
    assert info.value.code == "sheet"
    assert info.value.message == "工作表“S”无法读取。"


@pytest.mark.parametrize(
    ("corner", "lie", "code", "words"),
    [
        ("XFD1048576", True, "rows", "用到第 1048576 行，上限为 100 行"),
        ("XFD1048576", False, "rows", "用到第 1048576 行，上限为 100 行"),
        ("CV50", True, "columns", "用到第 100 列（CV 列），上限为 10 列"),
        ("J60", True, "cells", "60 行 × 10 列，超过 500 个单元格的上限"),
    ],
)
def test_a_sheet_beyond_the_limits_is_refused(tmp_path: Path, corner: str, lie: bool, code: str, words: str) -> None:
    path = sparse(plain(tmp_path / "a.xlsx", [["a", "b"]], title="干部"), "干部", corner, lie=lie)
    with pytest.raises(WorkbookRefusedError) as info:
        read_sheets(path, SMALL)
    assert type(info.value) is WorkbookRefusedError
    assert info.value.code == code
    assert info.value.sheet == "干部"
    assert f"工作表“干部”的范围过大：{words}" in info.value.message


def test_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = bomb(plain(tmp_path / "a.xlsx", [["a"]]), "S")
    with pytest.raises(WorkbookRefusedError) as info:
        read_sheets(path, SMALL)
    assert info.value.code == "ratio"
    assert "压缩比异常" in info.value.message
    assert "压缩炸弹" in info.value.message
    roomy = dataclasses.replace(SMALL, max_ratio=10**6, max_member_bytes=10 * MiB)
    with pytest.raises(WorkbookRefusedError) as info:
        read_sheets(path, roomy)
    assert info.value.code == "member_size"
    assert "“xl/worksheets/sheet1.xml”解压后过大（24 MB，上限 10 MB）" in info.value.message
    whole = dataclasses.replace(SMALL, max_ratio=10**6, max_total_bytes=20 * MiB, max_member_bytes=30 * MiB)
    with pytest.raises(WorkbookRefusedError) as info:
        read_sheets(path, whole)
    assert info.value.code == "archive_size"


def test_a_member_larger_than_it_declares_is_refused(tmp_path: Path) -> None:
    """The sizes in the zip directory are not trusted either: reading stops at the declared size
    and the checksum no longer matches."""
    path = plain(tmp_path / "a.xlsx", [["a", "b"]])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    small = (info.file_size // 2).to_bytes(4, "little")
    at = data.index(b"xl/worksheets/sheet1.xml", data.index(b"PK\x01\x02"))  # in the central directory
    header = data.rindex(b"PK\x01\x02", 0, at)
    data[header + 24 : header + 28] = small
    path.write_bytes(bytes(data))
    with pytest.raises(WorkbookRefusedError) as info_:
        read_sheets(path, SMALL)
    assert info_.value.code == "not_xlsx"


@pytest.mark.parametrize("content", [b"%PDF-1.4", b"PK\x03\x04broken", b""])
def test_not_a_workbook(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(WorkbookRefusedError) as info:
        read_sheets(path, SMALL)
    assert info.value.code == "not_xlsx"
    assert info.value.message == "文件不是有效的 Excel 工作簿（.xlsx），无法读取。"


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(WorkbookRefusedError) as info:
        read_sheets(path, SMALL)
    assert info.value.code == "not_xlsx"


def test_a_reader_killed_by_its_memory_limit_is_reported_and_the_caller_survives(tmp_path: Path) -> None:
    path = sparse(plain(tmp_path / "a.xlsx", [["a"]]), "S", "XFD1048576")
    with pytest.raises(WorkbookReadFailedError) as info:
        read_sheets(path, OPEN)  # the child asks for ~550 GB and dies of its 512 MB limit
    assert info.value.code == "memory"
    assert info.value.message == "文件过大或过于复杂：读取时超出了内存上限，已停止读取，未写入任何数据。"
    assert read_sheets(plain(tmp_path / "b.xlsx", [["still", "here"]]), SMALL)[1] == {"S": [["still", "here"]]}


def test_a_reader_out_of_time_is_stopped(tmp_path: Path) -> None:
    path = plain(tmp_path / "a.xlsx", [["a"]])
    with pytest.raises(WorkbookReadFailedError) as info:
        read_sheets(path, dataclasses.replace(SMALL, seconds=0.001))
    assert info.value.code == "timeout"
    assert "读取文件超时" in info.value.message


def test_rows_are_what_the_reader_gives_in_process(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "S"
    ws["C3"] = "文字"
    ws["E5"] = 1.5
    ws["D7"] = dt.datetime(2024, 5, 6, 7, 8, 9)
    ws["F7"] = True
    other = wb.create_sheet("T")
    for i in range(workbooks.CHUNK_ROWS + 5):  # more than one chunk
        other.append([i, f"r{i}"])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    names, sheets = read_sheets(path, dataclasses.replace(SMALL, max_rows=100_000, max_cells=10**6), ["T", "S", "无"])
    assert names == ["S", "T"]
    assert list(sheets) == ["T", "S"]  # in the order asked for, missing ones left out
    reference = CalamineWorkbook.from_path(str(path))  # a plain, small file: safe to open here
    for name in ("S", "T"):
        assert sheets[name] == reference.get_sheet_by_name(name).to_python(skip_empty_area=False)
    assert sheets["S"][6][3] == dt.datetime(2024, 5, 6, 7, 8, 9)


# --- the registry import --------------------------------------------------------------------------


@pytest.fixture
def staff(tmp_path: Path, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    mine, _other = _liangzhu()
    return user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=mine.subdistrict)


@pytest.mark.parametrize(
    ("corner", "words"),
    [
        ("XFD1048576", "用到第 16384 列（XFD 列），上限为 200 列"),
        ("CV1048576", "1048576 行 × 100 列，超过 26400000 个单元格的上限"),
    ],
)
def test_registry_import_refuses_a_sparse_workbook(tmp_path: Path, staff: Any, corner: str, words: str) -> None:
    path = sparse(book(tmp_path, BASE), "电梯", corner)
    assert path.stat().st_size < 16 * 1024
    imp = registry_import_start(actor=staff, data=path.read_bytes(), file_name="台账.xlsx")
    assert imp.status == ImportStatus.REFUSED
    assert imp.problems == [
        {"sheet": "电梯", "row": None, "column": None, "message": imp.problems[0]["message"]},
    ]
    assert f"工作表“电梯”的范围过大：{words}" in imp.problems[0]["message"]
    assert Elevator.objects.count() == 0
    again = registry_import_start(actor=staff, data=book(tmp_path, BASE).read_bytes(), file_name="台账.xlsx")
    assert again.status == ImportStatus.DONE  # the worker is alive and the next import goes through
    assert Elevator.objects.count() == 3


def test_registry_import_refuses_a_zip_bomb(tmp_path: Path, staff: Any) -> None:
    path = bomb(book(tmp_path, BASE), "小区")
    imp = registry_import_start(actor=staff, data=path.read_bytes(), file_name="台账.xlsx")
    assert imp.status == ImportStatus.REFUSED
    assert "压缩炸弹" in imp.problems[0]["message"]


def test_registry_import_killed_reader_fails_with_the_reason(
    tmp_path: Path, staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry_read, "READ_LIMITS", OPEN)
    path = sparse(book(tmp_path, BASE), "电梯", "XFD1048576")
    imp = registry_import_start(actor=staff, data=path.read_bytes(), file_name="台账.xlsx")
    assert imp.status == ImportStatus.FAILED
    assert imp.problems[0]["message"] == "文件过大或过于复杂：读取时超出了内存上限，已停止读取，未写入任何数据。"
    assert imp.finished_at is not None
    assert Elevator.objects.count() == 0
    page = Client()
    page.force_login(staff)
    body = page.get(reverse("registry_import_detail", args=[imp.pk])).content.decode()
    assert "导入失败，未写入任何数据" in body
    assert "超出了内存上限" in body
    assert 'hx-get="' not in body


def test_registry_command_reports_a_killed_reader_as_a_refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_read, "READ_LIMITS", OPEN)
    path = sparse(book(tmp_path, BASE), "电梯", "XFD1048576")
    with pytest.raises(ImportRefusedError) as info:
        registry_run.registry_import_file(actor=SYSTEM, path=path)  # the command's way in
    assert [p.message for p in info.value.problems] == [
        "文件过大或过于复杂：读取时超出了内存上限，已停止读取，未写入任何数据。"
    ]


def _running(tmp_path: Path, user: Any, *, heartbeat: dt.datetime | None) -> RegistryImport:
    path = book(tmp_path, BASE, name="stale.xlsx")
    imp = RegistryImport.objects.create(
        file_name="stale.xlsx", file_path=str(path), created_by=user, status=ImportStatus.RUNNING
    )
    RegistryImport.objects.filter(pk=imp.pk).update(created_at=dt.datetime(2020, 3, 1, 8, 0, tzinfo=dt.UTC))
    if heartbeat is not None:
        progress = path.with_suffix(".progress.json")
        progress.write_text('{"phase": "write", "done": 10, "total": 100}')
        os.utime(progress, (heartbeat.timestamp(), heartbeat.timestamp()))
    imp.refresh_from_db()
    return imp


def test_a_running_import_is_failed_only_once_its_worker_is_silent_too_long(tmp_path: Path, staff: Any) -> None:
    beat = dt.datetime(2020, 3, 1, 9, 0, tzinfo=dt.UTC)
    imp = _running(tmp_path, staff, heartbeat=beat)
    limit = registry_run.STALE_AFTER
    assert registry_imports_reap(now=beat + limit) == 0
    assert RegistryImport.objects.get(pk=imp.pk).status == ImportStatus.RUNNING
    assert registry_imports_reap(now=beat + limit + dt.timedelta(seconds=1)) == 1
    imp.refresh_from_db()
    assert imp.status == ImportStatus.FAILED
    assert imp.finished_at == beat + limit + dt.timedelta(seconds=1)
    assert "导入中断：处理导入的后台进程已停止" in imp.problems[0]["message"]
    assert not Path(imp.file_path).with_suffix(".progress.json").exists()


def test_a_stale_running_import_does_not_hold_up_the_next(tmp_path: Path, staff: Any) -> None:
    stale = _running(tmp_path, staff, heartbeat=None)  # created long ago, no sign of life since
    queued = RegistryImport.objects.create(
        file_name="next.xlsx", file_path=str(book(tmp_path, BASE, name="next.xlsx")), created_by=staff
    )
    done = registry_import_run(import_id=queued.pk)  # what the worker does when it picks up the next task
    assert done.status == ImportStatus.DONE
    assert Elevator.objects.count() == 3
    stale.refresh_from_db()
    assert stale.status == ImportStatus.FAILED
    page = Client()
    page.force_login(staff)
    body = page.get(reverse("registry_import_detail", args=[stale.pk])).content.decode()
    assert "导入中断" in body
    assert 'hx-get="' not in body  # no longer polled as if running


# --- the talent import ----------------------------------------------------------------------------


def _talent_book(tmp_path: Path, rows: list[list[Any]]) -> Path:
    return plain(tmp_path / "talent.xlsx", [CADRE_HEAD, *rows], title="干部")


@pytest.mark.parametrize(
    ("corner", "words"),
    [
        ("XFD1048576", "用到第 1048576 行，上限为 20000 行"),
        ("CV1048576", "用到第 1048576 行，上限为 20000 行"),
        ("CV10", "用到第 100 列（CV 列），上限为 60 列"),
    ],
)
def test_talent_import_refuses_a_sparse_workbook(
    talent_world: TalentWorld, tmp_path: Path, corner: str, words: str
) -> None:
    tw = talent_world
    path = sparse(_talent_book(tmp_path, [cadre_row("S1")]), "干部", corner)
    with pytest.raises(DomainError) as info:
        excel.import_workbook(actor=tw.users["admin"], pool=tw.pool, file=path.read_bytes())
    assert f"工作表“干部”的范围过大：{words}" in info.value.message
    client = Client()
    client.force_login(tw.users["admin"])
    url = reverse("talent_excel", args=[tw.pool.pk])
    response = client.post(url, {"file": SimpleUploadedFile("a.xlsx", path.read_bytes())})
    assert response.status_code == 302  # the web process is alive and answers
    imp = TalentImport.objects.get()
    assert imp.status == TalentImportStatus.REFUSED
    assert words in imp.problems[0]["message"]
    body = client.get(response["Location"]).content.decode()
    assert "范围过大" in body
    assert not Cadre.objects.filter(staff_number="S1").exists()
    ok = client.post(
        url, {"file": SimpleUploadedFile("b.xlsx", _talent_book(tmp_path, [cadre_row("S2")]).read_bytes())}
    )
    assert ok.status_code == 302
    assert Cadre.objects.filter(staff_number="S2").exists()


def test_talent_import_refuses_a_zip_bomb(talent_world: TalentWorld, tmp_path: Path) -> None:
    tw = talent_world
    path = bomb(_talent_book(tmp_path, [cadre_row("S1")]), "干部")
    with pytest.raises(DomainError, match="压缩炸弹"):
        excel.import_workbook(actor=tw.users["admin"], pool=tw.pool, file=io.BytesIO(path.read_bytes()))


def test_talent_import_killed_reader_fails_with_the_reason(
    talent_world: TalentWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tw = talent_world
    monkeypatch.setattr(excel, "READ_LIMITS", OPEN)
    path = sparse(_talent_book(tmp_path, [cadre_row("S1")]), "干部", "XFD1048576")
    client = Client()
    client.force_login(tw.users["admin"])
    response = client.post(
        reverse("talent_excel", args=[tw.pool.pk]), {"file": SimpleUploadedFile("a.xlsx", path.read_bytes())}
    )
    imp = TalentImport.objects.get()
    assert imp.status == TalentImportStatus.FAILED
    assert imp.problems[0]["message"] == "文件过大或过于复杂：读取时超出了内存上限，已停止读取，未写入任何数据。"
    assert imp.file_path == ""
    body = client.get(response["Location"]).content.decode()
    assert "导入失败，未写入任何数据" in body
    assert not Cadre.objects.filter(staff_number="S1").exists()


def test_talent_stale_running_import_is_failed_and_the_next_completes(
    talent_world: TalentWorld, tmp_path: Path
) -> None:
    tw = talent_world
    started = dt.datetime(2020, 3, 1, 9, 0, tzinfo=dt.UTC)
    stale = TalentImport.objects.create(
        pool=tw.pool,
        file_name="stale.xlsx",
        file_path=str(_talent_book(tmp_path, [cadre_row("S0")])),
        created_by=tw.users["admin"],
        status=TalentImportStatus.RUNNING,
        started_at=started,
    )
    assert talent_imports_reap(now=started + TALENT_STALE_AFTER) == 0
    assert talent_imports_reap(now=started + TALENT_STALE_AFTER + dt.timedelta(seconds=1)) == 1
    stale.refresh_from_db()
    assert stale.status == TalentImportStatus.FAILED
    assert "导入中断" in stale.problems[0]["message"]
    TalentImport.objects.filter(pk=stale.pk).update(status=TalentImportStatus.RUNNING, problems=[])
    path = tmp_path / "next.xlsx"
    path.write_bytes(_talent_book(tmp_path, [cadre_row("S3")]).read_bytes())
    queued = TalentImport.objects.create(
        pool=tw.pool, file_name="next.xlsx", file_path=str(path), created_by=tw.users["admin"]
    )
    done = talent_import_run(import_id=queued.pk)  # the worker reaps before it starts
    assert done.status == TalentImportStatus.DONE
    assert done.counts == [["干部", 1, 0], ["能力评估", 0, 0], ["年度考核", 0, 0], ["课程成绩", 0, 0]]
    assert Cadre.objects.filter(staff_number="S3").exists()
    assert TalentImport.objects.get(pk=stale.pk).status == TalentImportStatus.FAILED
