"""The registry import: template, date forms, bad input, re-import, owners, scope, CLI."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.management import call_command

from gongzhi.core.actors import SYSTEM
from gongzhi.core.errors import ImportRefusedError
from gongzhi.core.models import AuditEntry
from gongzhi.elevators.models import (
    CampaignEntry,
    Elevator,
    FaultRecord,
    ImportStatus,
    InspectionRecord,
    RegistryImport,
    SafetyAssessment,
)
from gongzhi.elevators.registry import (
    SHEETS,
    parse_date,
    parse_datetime,
    registry_import_file,
    registry_import_start,
    registry_template_bytes,
)
from gongzhi.places.models import (
    Apartment,
    Building,
    Community,
    District,
    Entrance,
    Estate,
    Owner,
    Ownership,
    Role,
    Subdistrict,
)
from tests.factories import CampaignFactory, CommunityFactory, EstateFactory, SubdistrictFactory, user_with_role

pytestmark = pytest.mark.django_db

CODE1, CODE2, CODE3 = "311033001200500001", "311033001200500002", "11103301200500000003"
H = {spec.name: [c.header for c in spec.columns] for spec in SHEETS}

BASE: dict[str, list[list[Any]]] = {
    "小区": [["余杭区", "良渚街道", "亲亲家园社区", "亲亲家园", "良渚路1号"]],
    "楼栋": [["亲亲家园", "1幢", 11], ["亲亲家园", "2幢", 18]],
    "单元": [["亲亲家园", "1幢", "1单元"], ["亲亲家园", "1幢", "2单元"], ["亲亲家园", "2幢", "1单元"]],
    "房屋": [
        ["亲亲家园", "1幢", "1单元", "101", 1, "89.50", "否"],
        ["亲亲家园", "1幢", "1单元", "102", 1, 90, "是"],
        ["亲亲家园", "1幢", "2单元", "101", 1, 120.25, None],
        ["亲亲家园", "2幢", "1单元", "1801", 18, "150", ""],
    ],
    "业主": [
        ["亲亲家园", "1幢", "1单元", "101", "张三", "个人", "330110198001010011", "13800000001"],
        ["亲亲家园", "1幢", "1单元", "101", "李四", "个人", "330110198202020022", ""],
        ["亲亲家园", "1幢", "2单元", "101", "张三", "个人", "330110198001010011", "13800000001"],
        ["亲亲家园", "1幢", "1单元", "102", "某房地产开发有限公司", "建设单位", "91330110MA2XXXXX1X", None],
        ["亲亲家园", "2幢", "1单元", "1801", "王五", None, "33011019900303003X", None],
    ],
    "电梯": [
        [
            CODE1,
            "梯11浙A00001(05)",
            "亲亲家园",
            "1幢",
            "1单元",
            "2005-03-01",
            "某电梯",
            "TKJ",
            1000,
            1.75,
            11,
            "某维保",
        ],
        [CODE2, None, "亲亲家园", "1幢", "2单元", "2005/3/1", None, None, None, None, None, None],
        [CODE3, None, "亲亲家园", "2幢", "1单元", "2005年3月1日", None, None, "800", "1.5", 18, None],
    ],
    "故障": [
        [CODE1, "2024-06-01 08:30", "困人", 2, 1.5],
        [CODE1, dt.datetime(2024, 7, 1, 9, 0), "门系统故障", None, None],
    ],
    "检验": [[CODE1, "2024-05-10", "合格", "某检验所"]],
    "安全评估": [[CODE2, "2024/4/1", "某评估机构", "C", "更新"]],
}

MODELS = [
    District,
    Subdistrict,
    Community,
    Estate,
    Building,
    Entrance,
    Apartment,
    Owner,
    Ownership,
    Elevator,
    FaultRecord,
    InspectionRecord,
    SafetyAssessment,
    AuditEntry,
]


def table_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def book(tmp_path: Path, sheets: dict[str, list[list[Any]]], *, name: str = "registry.xlsx", drop: Any = ()) -> Path:
    """Write a workbook: each sheet gets its template header, then the given rows."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, rows in sheets.items():
        if sheet in drop:
            continue
        ws = wb.create_sheet(sheet)
        ws.append(H[sheet])
        for row in rows:
            ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def data(**changes: list[list[Any]]) -> dict[str, list[list[Any]]]:
    sheets = copy.deepcopy(BASE)
    sheets.update(changes)
    return sheets


def refused(path: Path, actor: Any = SYSTEM) -> list[tuple[str, int | None, str | None]]:
    before = table_counts()
    with pytest.raises(ImportRefusedError) as info:
        registry_import_file(actor=actor, path=path)
    assert table_counts() == before, "a refused import must write nothing"
    return [(p.sheet, p.row, p.column) for p in info.value.problems]


# --- template -----------------------------------------------------------------------------------


def test_template_has_every_sheet_header_and_help(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(registry_template_bytes()))
    assert wb.sheetnames == ["说明", *[s.name for s in SHEETS]]
    for spec in SHEETS:
        ws = wb[spec.name]
        assert [c.value for c in ws[1]] == [c.header for c in spec.columns]
        assert ws.max_row == 2  # one example row
    explained = {(r[0].value, r[1].value) for r in wb["说明"].iter_rows(min_row=2)}
    assert all((s.name, c.header) in explained for s in SHEETS for c in s.columns)


def test_template_round_trip_imports_its_example(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    path.write_bytes(registry_template_bytes())
    result = registry_import_file(actor=SYSTEM, path=path)
    assert result["counts"]["elevators"] == {"created": 1, "updated": 0}
    elevator = Elevator.objects.select_related("entrance__building__estate").get()
    assert elevator.commissioned_on == dt.date(2005, 3, 1)
    assert elevator.entrance.building.estate.name == "示例小区"
    assert Apartment.objects.get().area == Decimal("89.50")
    assert FaultRecord.objects.get().people_trapped == 2
    assert InspectionRecord.objects.count() == SafetyAssessment.objects.count() == 1
    assert result["warnings"] == []


# --- accepted forms -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2005-03-01",
        "2005/3/1",
        "2005年3月1日",
        " 2005.3.1 ",
        38412,
        38412.0,
        "38412",
        dt.date(2005, 3, 1),
        dt.datetime(2005, 3, 1, 0, 0),
    ],
)
def test_date_forms(value: Any) -> None:
    assert parse_date(value) == dt.date(2005, 3, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-06-01 08:30", dt.datetime(2024, 6, 1, 8, 30)),
        ("2024/6/1 8:30:15", dt.datetime(2024, 6, 1, 8, 30, 15)),
        ("2024年6月1日 8:30", dt.datetime(2024, 6, 1, 8, 30)),
        ("2024年6月1日", dt.datetime(2024, 6, 1)),
        ("2024-06-01T08:30", dt.datetime(2024, 6, 1, 8, 30)),
        (45444.5, dt.datetime(2024, 6, 1, 12, 0)),
        (dt.datetime(2024, 6, 1, 8, 30), dt.datetime(2024, 6, 1, 8, 30)),
    ],
)
def test_datetime_forms_are_local_time(value: Any, expected: dt.datetime) -> None:
    from zoneinfo import ZoneInfo

    assert parse_datetime(value) == expected.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.mark.parametrize(
    "value", ["2005-13-01", "2005-02-30", "01/03/2005", "三月", "", True, 0, -5, "1850-01-01", 3e7]
)
def test_bad_dates_are_refused(value: Any) -> None:
    from gongzhi.elevators.registry.cells import BadValueError

    with pytest.raises(BadValueError):
        parse_date(value)


def test_every_date_form_through_a_workbook(tmp_path: Path) -> None:
    forms: list[Any] = ["2005-03-01", "2005/3/1", "2005年3月1日", 38412, dt.date(2005, 3, 1), dt.datetime(2005, 3, 1)]
    elevators = [
        [f"31103300120050{n:04d}", None, "亲亲家园", "1幢", "1单元", form, None, None, None, None, None, None]
        for n, form in enumerate(forms)
    ]
    registry_import_file(actor=SYSTEM, path=book(tmp_path, data(电梯=elevators, 故障=[], 检验=[], 安全评估=[])))
    assert set(Elevator.objects.values_list("commissioned_on", flat=True)) == {dt.date(2005, 3, 1)}
    assert Elevator.objects.count() == len(forms)


# --- a whole import -----------------------------------------------------------------------------


def test_import_writes_everything_and_one_audit_entry(tmp_path: Path) -> None:
    path = book(tmp_path, BASE)
    result = registry_import_file(actor=SYSTEM, path=path)
    counts = result["counts"]
    assert counts["estates"] == {"created": 1, "updated": 0}
    assert counts["buildings"]["created"] == 2
    assert counts["entrances"]["created"] == 3
    assert counts["apartments"]["created"] == 4
    assert counts["owners"]["created"] == 4
    assert counts["elevators"]["created"] == 3
    assert counts["faults"]["created"] == 2
    assert counts["inspections"]["created"] == counts["assessments"]["created"] == 1
    estate = Estate.objects.get(name="亲亲家园")
    assert estate.community.name == "亲亲家园社区"
    assert estate.community.subdistrict.district.name == "余杭区"
    e3 = Elevator.objects.get(device_code=CODE3)
    assert (e3.rated_load_kg, e3.rated_speed_mps, e3.stops) == (800, Decimal("1.50"), 18)
    fault = FaultRecord.objects.get(kind="entrapment")
    assert (fault.people_trapped, fault.hours_out_of_service) == (2, Decimal("1.50"))
    assert FaultRecord.objects.get(kind="door").people_trapped == 0
    entry = AuditEntry.objects.get(action="registry_import")
    assert entry.after["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry.after["file_name"] == "registry.xlsx"
    assert entry.after["counts"]["elevators"] == {"created": 3, "updated": 0}


def test_reimport_updates_instead_of_duplicating(tmp_path: Path) -> None:
    registry_import_file(actor=SYSTEM, path=book(tmp_path, BASE))
    first = table_counts()
    changed = data()
    changed["房屋"][0][5] = "91.25"
    changed["楼栋"][0][2] = 12
    changed["电梯"][0][5] = "2006-04-02"
    changed["电梯"][0][4] = "2单元"  # the elevator is recorded at another entrance
    changed["故障"][0][3] = 3
    changed["安全评估"][0][4] = "改造"
    result = registry_import_file(actor=SYSTEM, path=book(tmp_path, changed, name="again.xlsx"))
    after = table_counts()
    assert {k: v for k, v in after.items() if k != "AuditEntry"} == {
        k: v for k, v in first.items() if k != "AuditEntry"
    }
    assert after["AuditEntry"] == first["AuditEntry"] + 1
    assert result["counts"]["elevators"] == {"created": 0, "updated": 3}
    assert result["counts"]["apartments"] == {"created": 0, "updated": 4}
    assert result["counts"]["faults"] == {"created": 0, "updated": 2}
    assert result["counts"]["owners"] == {"created": 0, "updated": 4}
    assert Apartment.objects.get(room="101", entrance__name="1单元").area == Decimal("91.25")
    assert Building.objects.get(name="1幢").floors == 12
    e1 = Elevator.objects.get(device_code=CODE1)
    assert (e1.commissioned_on, e1.entrance.name) == (dt.date(2006, 4, 2), "2单元")
    assert FaultRecord.objects.get(kind="entrapment").people_trapped == 3
    assert SafetyAssessment.objects.get().conclusion == "modify"


def test_a_later_file_may_refer_to_places_already_in_the_database(tmp_path: Path) -> None:
    registry_import_file(actor=SYSTEM, path=book(tmp_path, BASE))
    later = {name: [] for name in ("小区", "楼栋", "单元", "房屋", "业主", "电梯", "检验", "安全评估")} | {
        "故障": [[CODE3, "2024-08-01", "停梯", 0, 4]]
    }
    later["电梯"] = [[CODE2 + "X", None, "亲亲家园", "2幢", "1单元", "2010-01-01"] + [None] * 6]
    result = registry_import_file(actor=SYSTEM, path=book(tmp_path, later, name="later.xlsx"))
    assert result["counts"]["faults"]["created"] == 1
    assert Elevator.objects.filter(device_code=CODE2 + "X").exists()


def test_owners_co_owners_several_apartments_and_no_identity_number_stored(tmp_path: Path) -> None:
    registry_import_file(actor=SYSTEM, path=book(tmp_path, BASE))
    zhang = Owner.objects.get(name="张三")
    assert zhang.id_hash == hashlib.sha256((settings.OWNER_ID_HASH_KEY + "330110198001010011").encode()).hexdigest()
    assert zhang.id_last4 == "0011"
    assert zhang.kind == "person"
    assert zhang.apartments.count() == 2
    a101 = Apartment.objects.get(room="101", entrance__name="1单元")
    assert set(a101.owners.values_list("name", flat=True)) == {"张三", "李四"}
    assert Owner.objects.get(name="王五").id_last4 == "003X"
    assert Owner.objects.get(name="某房地产开发有限公司").kind == "developer"
    stored = json.dumps(list(Owner.objects.values()), default=str)
    assert "330110198001010011" not in stored
    # Re-import: the listed apartment gets exactly the listed owners.
    changed = data()
    changed["业主"] = [
        row for row in changed["业主"] if not (row[3] == "101" and row[2] == "1单元" and row[4] == "张三")
    ]
    registry_import_file(actor=SYSTEM, path=book(tmp_path, changed, name="owners.xlsx"))
    assert set(a101.owners.values_list("name", flat=True)) == {"李四"}
    assert zhang.apartments.count() == 1
    assert Owner.objects.count() == 4


def test_developer_held_flag(tmp_path: Path) -> None:
    registry_import_file(actor=SYSTEM, path=book(tmp_path, BASE))
    held = dict(Apartment.objects.values_list("room", "developer_held"))
    assert held == {"101": False, "102": True, "1801": False}
    assert not Apartment.objects.get(room="101", entrance__name="2单元").developer_held


def test_malformed_device_code_is_imported_with_a_warning(tmp_path: Path) -> None:
    rows = [*BASE["电梯"], ["abc 123", None, "亲亲家园", "1幢", "1单元", "2005-03-01", *[None] * 6]]
    result = registry_import_file(actor=SYSTEM, path=book(tmp_path, data(电梯=rows)))
    assert Elevator.objects.filter(device_code="ABC123").exists()
    assert [(w["sheet"], w["row"], w["column"]) for w in result["warnings"]] == [("电梯", 5, "设备代码")]


def test_open_campaigns_are_reranked_after_an_import(tmp_path: Path) -> None:
    campaign = CampaignFactory(subdistrict=SubdistrictFactory())
    registry_import_file(actor=SYSTEM, path=book(tmp_path, BASE))
    assert CampaignEntry.objects.filter(campaign=campaign).count() == 3


def test_progress_is_reported(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    registry_import_file(actor=SYSTEM, path=book(tmp_path, BASE), progress=lambda *a: seen.append(a))
    phases = [p for p, _d, _t in seen]
    assert phases.index("read") < phases.index("check") < phases.index("write")
    assert seen[-1][0] == "write"
    assert seen[-1][1] == seen[-1][2] > 0


# --- bad input ----------------------------------------------------------------------------------


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_bytes(b"this is not a spreadsheet")
    assert refused(path) == [("", None, None)]


def test_missing_sheet(tmp_path: Path) -> None:
    assert refused(book(tmp_path, BASE, drop={"单元"})) == [("单元", None, None)]


def test_optional_sheets_may_be_missing(tmp_path: Path) -> None:
    registry_import_file(actor=SYSTEM, path=book(tmp_path, BASE, drop={"检验", "安全评估"}))
    assert Elevator.objects.count() == 3


def test_missing_column(tmp_path: Path) -> None:
    path = book(tmp_path, BASE)
    wb = openpyxl.load_workbook(path)
    wb["房屋"].delete_cols(6)  # 建筑面积(平方米)
    wb.save(path)
    assert refused(path) == [("房屋", 1, "建筑面积(平方米)")]


@pytest.mark.parametrize(
    ("sheet", "index", "column", "value"),
    [
        ("电梯", 5, "投用日期", "2005-13-01"),
        ("电梯", 5, "投用日期", "去年"),
        ("房屋", 5, "建筑面积(平方米)", -5),
        ("房屋", 5, "建筑面积(平方米)", "八十平"),
        ("房屋", 5, "建筑面积(平方米)", "89.555"),
        ("房屋", 5, "建筑面积(平方米)", 0),
        ("房屋", 4, "楼层", "三楼"),
        ("房屋", 6, "建设单位持有", "也许"),
        ("楼栋", 2, "地上层数", 0),
        ("故障", 1, "发生时间", "昨天"),
        ("故障", 2, "类型", "爆炸"),
        ("故障", 4, "停梯时长(小时)", -1),
        ("业主", 5, "类型", "外星人"),
        ("检验", 2, "结论", "还行"),
        ("安全评估", 4, "评估结论", "拆除"),
        ("电梯", 9, "额定速度(m/s)", 0),
        ("电梯", 5, "投用日期", None),
    ],
)
def test_bad_cell_refuses_the_whole_import(tmp_path: Path, sheet: str, index: int, column: str, value: Any) -> None:
    sheets = data()
    sheets[sheet][1 if len(sheets[sheet]) > 1 else 0][index] = value
    row = 3 if len(BASE[sheet]) > 1 else 2
    assert refused(book(tmp_path, sheets)) == [(sheet, row, column)]


def test_duplicate_device_code(tmp_path: Path) -> None:
    rows = copy.deepcopy(BASE["电梯"])
    rows[2][0] = " " + CODE1.lower() + " "  # the same code once normalised
    assert refused(book(tmp_path, data(电梯=rows))) == [("电梯", 4, "设备代码")]


def test_duplicate_apartment(tmp_path: Path) -> None:
    rows = [*copy.deepcopy(BASE["房屋"]), ["亲亲家园", "1幢", "1单元", "101", 1, "80", "否"]]
    assert refused(book(tmp_path, data(房屋=rows))) == [("房屋", 6, "室号")]


@pytest.mark.parametrize(
    ("sheet", "row", "column"),
    [
        ("楼栋", ["无此小区", "9幢", 6], "小区"),
        ("单元", ["亲亲家园", "9幢", "1单元"], "楼栋"),
        ("房屋", ["亲亲家园", "1幢", "9单元", "101", 1, 80, "否"], "单元"),
        ("业主", ["亲亲家园", "1幢", "1单元", "999", "赵六", "个人", "330110199901010044", ""], "室号"),
        ("电梯", ["311033001200500099", None, "亲亲家园", "1幢", "9单元", "2005-03-01", *[None] * 6], "单元"),
        ("故障", ["311033001200509999", "2024-06-01", "困人", 1, 1], "设备代码"),
        ("检验", ["311033001200509999", "2024-06-01", "合格", ""], "设备代码"),
    ],
)
def test_reference_to_a_place_that_does_not_exist(tmp_path: Path, sheet: str, row: list[Any], column: str) -> None:
    sheets = data()
    sheets[sheet].append(row)
    assert refused(book(tmp_path, sheets)) == [(sheet, len(sheets[sheet]) + 1, column)]


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    sheets = data()
    sheets["房屋"][0][5] = -1
    sheets["电梯"][1][5] = "bad"
    sheets["故障"].append(["311033001200509999", "2024-06-01", "困人", 1, 1])
    problems = refused(book(tmp_path, sheets))
    assert problems == [("房屋", 2, "建筑面积(平方米)"), ("电梯", 3, "投用日期"), ("故障", 4, "设备代码")]


def test_refusal_leaves_existing_data_untouched(tmp_path: Path) -> None:
    registry_import_file(actor=SYSTEM, path=book(tmp_path, BASE))
    sheets = data()
    sheets["房屋"][0][5] = "100"  # would be an update …
    sheets["电梯"][0][5] = "not a date"  # … but this refuses the whole file
    refused(book(tmp_path, sheets, name="bad.xlsx"))
    assert Apartment.objects.get(room="101", entrance__name="1单元").area == Decimal("89.50")


def test_problem_messages_are_chinese(tmp_path: Path) -> None:
    sheets = data()
    sheets["房屋"][0][5] = -1
    with pytest.raises(ImportRefusedError) as info:
        registry_import_file(actor=SYSTEM, path=book(tmp_path, sheets))
    assert "大于 0" in info.value.problems[0].message
    assert "导入被拒绝" in info.value.message


# --- scope --------------------------------------------------------------------------------------


def _liangzhu() -> tuple[Community, Community]:
    sub = SubdistrictFactory()
    return CommunityFactory(subdistrict=sub, name="亲亲家园社区"), CommunityFactory(subdistrict=sub, name="玉泽社区")


def test_community_staff_may_import_into_their_community(tmp_path: Path) -> None:
    mine, _other = _liangzhu()
    staff = user_with_role(Role.COMMUNITY_STAFF, community=mine)
    registry_import_file(actor=staff, path=book(tmp_path, BASE))
    assert Estate.objects.get(name="亲亲家园").community == mine


def test_out_of_scope_estate_is_refused_for_community_staff(tmp_path: Path) -> None:
    mine, other = _liangzhu()
    EstateFactory(community=other, name="北秀蓝湾")
    staff = user_with_role(Role.COMMUNITY_STAFF, community=mine)
    sheets = data()
    sheets["小区"][0][2:4] = ["玉泽社区", "北秀蓝湾"]
    for name in ("楼栋", "单元", "房屋", "业主", "电梯"):
        for row in sheets[name]:
            row[2 if name == "电梯" else 0] = "北秀蓝湾"
    assert refused(book(tmp_path, sheets), actor=staff) == [("小区", 2, "小区名称")]


def test_estate_only_referred_to_is_checked_for_scope(tmp_path: Path) -> None:
    mine, other = _liangzhu()
    EstateFactory(community=other, name="北秀蓝湾")
    staff = user_with_role(Role.COMMUNITY_STAFF, community=mine)
    sheets = data(楼栋=[*BASE["楼栋"], ["北秀蓝湾", "5幢", 6]])
    assert refused(book(tmp_path, sheets), actor=staff) == [("楼栋", 4, "小区")]


def test_new_community_needs_rights_on_its_subdistrict(tmp_path: Path) -> None:
    mine, _other = _liangzhu()
    staff = user_with_role(Role.COMMUNITY_STAFF, community=mine)
    sheets = data()
    sheets["小区"][0][2] = "新社区"
    assert refused(book(tmp_path, sheets), actor=staff) == [("小区", 2, "社区")]
    sub_staff = user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=mine.subdistrict)
    result = registry_import_file(actor=sub_staff, path=book(tmp_path, sheets, name="ok.xlsx"))
    assert result["counts"]["communities"]["created"] == 1


def test_new_subdistrict_needs_a_superuser(tmp_path: Path) -> None:
    mine, _other = _liangzhu()
    sub_staff = user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=mine.subdistrict)
    sheets = data()
    sheets["小区"][0][1] = "仁和街道"
    assert refused(book(tmp_path, sheets), actor=sub_staff) == [("小区", 2, "街道")]
    sheets["小区"][0][0] = "临平区"
    assert refused(book(tmp_path, sheets), actor=sub_staff) == [("小区", 2, "区")]


# --- the task -----------------------------------------------------------------------------------


def test_start_runs_the_task_and_records_the_outcome(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    mine, _other = _liangzhu()
    staff = user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=mine.subdistrict)
    imp = registry_import_start(actor=staff, data=book(tmp_path, BASE).read_bytes(), file_name="台账.xlsx")
    assert imp.status == ImportStatus.DONE
    assert imp.counts["elevators"]["created"] == 3
    assert imp.created_by == staff
    assert imp.subdistrict == mine.subdistrict
    assert imp.finished_at is not None
    assert Path(imp.file_path).parent == tmp_path / "media" / "imports"
    assert not Path(imp.file_path).with_suffix(".progress.json").exists()


def test_refused_import_keeps_its_problems(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=SubdistrictFactory())
    imp = registry_import_start(actor=staff, data=b"not a workbook", file_name="x.xlsx")
    imp = RegistryImport.objects.get(pk=imp.pk)
    assert imp.status == ImportStatus.REFUSED
    assert imp.problems[0]["sheet"] == ""
    assert "Excel" in imp.problems[0]["message"]


def test_task_refuses_when_the_user_is_gone(tmp_path: Path) -> None:
    from gongzhi.elevators.registry import registry_import_run

    imp = RegistryImport.objects.create(file_name="x.xlsx", file_path=str(book(tmp_path, BASE)), created_by=None)
    imp = registry_import_run(import_id=imp.pk)
    assert imp.status == ImportStatus.FAILED
    assert Elevator.objects.count() == 0


# --- the command --------------------------------------------------------------------------------


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_registry", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_command_success(tmp_path: Path) -> None:
    code, out, _err = _run(str(book(tmp_path, BASE)))
    assert code == 0
    payload = json.loads(out)
    assert set(payload) == {"counts", "warnings"}
    assert payload["counts"]["elevators"] == {"created": 3, "updated": 0}


def test_command_refusal_exits_2_with_the_problems(tmp_path: Path) -> None:
    sheets = data()
    sheets["房屋"][0][5] = -1
    code, out, err = _run(str(book(tmp_path, sheets)))
    assert code == 2
    payload = json.loads(out)
    assert payload == {
        "problems": [
            {"sheet": "房屋", "row": 2, "column": "建筑面积(平方米)", "message": payload["problems"][0]["message"]}
        ]
    }
    assert len(err.strip().splitlines()) == 1
    assert "房屋" in err
    assert Apartment.objects.count() == 0


def test_command_as_a_user(tmp_path: Path) -> None:
    mine, other = _liangzhu()
    staff = user_with_role(Role.COMMUNITY_STAFF, community=other)
    code, out, _err = _run(str(book(tmp_path, BASE)), "--user", staff.username)
    assert code == 2
    assert json.loads(out)["problems"][0]["column"] == "小区名称"
    code, _out, _err = _run(str(book(tmp_path, BASE)), "--user", "nobody")
    assert code == 2
    assert mine.estates.count() == 0


def test_long_lists_are_capped_with_a_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gongzhi.elevators.registry import read

    monkeypatch.setattr(read, "MAX_PROBLEMS", 1)
    odd = [[f"odd-{n}", None, "亲亲家园", "1幢", "1单元", "2005-03-01", *[None] * 6] for n in range(3)]
    result = registry_import_file(actor=SYSTEM, path=book(tmp_path, data(电梯=[*BASE["电梯"], *odd])))
    assert [w["row"] for w in result["warnings"]] == [5, None]
    assert "2" in str(result["warnings"][1]["message"])
    sheets = data()
    for row in sheets["房屋"]:
        row[5] = -1
    with pytest.raises(ImportRefusedError) as info:
        registry_import_file(actor=SYSTEM, path=book(tmp_path, sheets, name="bad.xlsx"))
    assert [(p.sheet, p.row) for p in info.value.problems] == [("房屋", 2), ("", None)]
    assert "3" in info.value.problems[1].message
