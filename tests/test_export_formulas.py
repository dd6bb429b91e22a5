"""No export carries a formula from user text (issue 13, item 2): the safe-cell rule of
gongzhi.core.spreadsheets at every boundary, and every workbook the site writes — ballots, ledger
annual, talent roster, dossier and import template, campaign list, delivery progress, registry
template — built through its real view with hostile text in each user field that reaches it, read
back with openpyxl and checked cell by cell (and in the raw sheet XML): no formula, the text kept
verbatim, and quoted (quotePrefix) so that editing it in Excel or LibreOffice keeps it text."""

from __future__ import annotations

import ast
import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.formula import ArrayFormula

from gongzhi.core.actors import SYSTEM
from gongzhi.core.spreadsheets import (
    SafeWorkbook,
    csv_text,
    looks_like_formula,
    trusted_formula,
    workbook_bytes,
)
from gongzhi.elevators.models import Campaign, Elevator
from gongzhi.elevators.services import campaign_rank
from gongzhi.places.models import Building, Entrance, Estate, Role, Subdistrict
from tests import factories as f
from tests.conftest import World
from tests.talent_support import TalentWorld

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1)",
    "\t=1",
    "\r=1",
    "＝1+1",
]
IDS = ["hyperlink", "dde", "eq", "plus", "minus", "at", "tab", "cr", "fullwidth"]


def read_back(text: str) -> str:
    """What a reader gets back: XML 1.0 (§2.11) turns a CR into LF when parsing, and openpyxl
    writes it unescaped, so "\\r=1" returns as "\\n=1" — still text, still quoted."""
    return text.replace("\r", "\n")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def inert_texts(data: bytes) -> set[str]:
    """Every str cell of the workbook, after checking that no cell is a formula (in openpyxl's
    reading and in the sheets' XML itself) and that every formula-like text is quoted."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name).decode()
                assert "<f>" not in xml, name
                assert "<f " not in xml, name
    texts = set()
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    if looks_like_formula(cell.value):
                        assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    return texts


def assert_kept(texts: set[str], *expected: str) -> None:
    for text in expected:
        assert read_back(text) in texts, text


def assert_within(texts: Iterable[str], fragment: str) -> None:
    assert any(read_back(fragment) in text for text in texts), fragment


# --- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", [*HOSTILE, "=", "+", "-", "@", "\n=1", "＋1", "－1", "＠A1", " =1", "   +1", "\u3000=1", "\u00a0@x"]
)
def test_formula_like_text(text: str) -> None:
    assert looks_like_formula(text)
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    ["", " ", "   ", "张三", "a=1", "1+1", "1-1", "A@B", "x\t=1", "—1", "'=1", None, 0, -1, Decimal("-3.50"),
     -2.5, True, dt.date(2025, 1, 1), dt.datetime(2025, 1, 1, 8, 30)],
)  # fmt: skip
def test_not_formula_like(value: Any) -> None:
    assert not looks_like_formula(value)
    assert csv_text(value) == value


def _cells(data: bytes, title: str = "x") -> list[Cell]:
    return [c for row in load_workbook(io.BytesIO(data))[title].iter_rows() for c in row]


@pytest.mark.parametrize("write_only", [False, True], ids=["normal", "write_only"])
def test_workbook_keeps_text_as_quoted_text_and_values_as_they_are(write_only: bool) -> None:
    wb = SafeWorkbook(write_only=write_only)
    ws = wb.create_sheet("x")
    values: list[Any] = [*HOSTILE, " =1", "=", "", "普通文字", Decimal("-12.34"), -7, dt.date(2025, 3, 1), True]
    if write_only:
        styled = WriteOnlyCell(ws, value="=2+2")  # a cell built by the writer, styled, user text inside
        styled.number_format = "@"
        ws.append([*values, styled])
    else:
        ws.append(values)
        ws.cell(row=1, column=len(values) + 1).value = "=2+2"  # assigned after append: found on save
    data = workbook_bytes(wb)
    texts = inert_texts(data)
    assert_kept(texts, *HOSTILE, " =1", "=", "普通文字", "=2+2")
    cells = _cells(data)
    by_value = {c.value: c for c in cells if c.value is not None}
    assert by_value["普通文字"].quotePrefix is False  # ordinary text is left alone
    assert by_value[-12.34].data_type == "n"  # a negative Decimal stays a number
    assert by_value[-7].data_type == "n"
    assert by_value[dt.datetime(2025, 3, 1)].data_type == "d"
    assert by_value[True].data_type == "b"
    assert not by_value[-12.34].quotePrefix


@pytest.mark.parametrize("write_only", [False, True], ids=["normal", "write_only"])
def test_our_own_formula_stays_a_formula_and_only_that_cell(write_only: bool) -> None:
    wb = SafeWorkbook(write_only=write_only)
    ws = wb.create_sheet("x")
    if write_only:
        ws.append([1, 2, trusted_formula(WriteOnlyCell(ws), "=SUM(A1:B1)"), "=A1"])
    else:
        ws.append([1, 2, None, "=A1"])
        trusted_formula(ws.cell(row=1, column=3), "=SUM(A1:B1)")
    cells = _cells(workbook_bytes(wb))
    assert (cells[2].value, cells[2].data_type) == ("=SUM(A1:B1)", "f")
    assert (cells[3].value, cells[3].data_type, cells[3].quotePrefix) == ("=A1", "s", True)


def test_trusted_formula_refuses_text_that_is_no_formula() -> None:
    wb = SafeWorkbook()
    ws = wb.create_sheet("x")
    with pytest.raises(ValueError, match="formula"):
        trusted_formula(ws.cell(row=1, column=1), "SUM(A1)")


def test_a_formula_object_needs_trust_and_a_plain_workbook_is_refused() -> None:
    from openpyxl import Workbook

    wb = SafeWorkbook()
    ws = wb.create_sheet("x")
    ws["A1"] = ArrayFormula("A1", "=1+1")
    with pytest.raises(ValueError, match="trusted_formula"):
        workbook_bytes(wb)
    with pytest.raises(TypeError, match="SafeWorkbook"):
        workbook_bytes(Workbook())


def test_no_writer_builds_a_plain_openpyxl_workbook() -> None:
    """Every workbook writer goes through SafeWorkbook: no module under src/ but the rule's own
    imports openpyxl's Workbook or calls openpyxl.Workbook."""
    src = Path(__file__).resolve().parents[1] / "src" / "gongzhi"
    offenders = []
    for path in src.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if path == src / "core" / "spreadsheets.py" or "Workbook" not in source:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl"):
                if any(alias.name == "Workbook" for alias in node.names):
                    offenders.append(str(path))
            elif (
                isinstance(node, ast.Attribute)
                and node.attr == "Workbook"
                and isinstance(node.value, ast.Name)
                and node.value.id == "openpyxl"
            ):
                offenders.append(str(path))
    assert offenders == []


# --- every export, through its view ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_ballots_export(personas: World, text: str) -> None:
    from gongzhi.motions import services as ms

    inside = personas.inside
    Estate.objects.filter(pk=inside["estate"].pk).update(name=text)
    building = f.BuildingFactory(estate=inside["estate"], name=text)
    entrance = f.EntranceFactory(building=building, name=text)
    for room in ("101", "102"):
        apartment = f.ApartmentFactory(entrance=entrance, room=room, floor=1)
        f.OwnershipFactory(apartment=apartment, owner=f.OwnerFactory(name=text))
    staff = personas.users[Role.COMMUNITY_STAFF]
    now = timezone.now()
    opens = now - dt.timedelta(days=10)
    motion = ms.motion_create(
        actor=staff,
        estate=Estate.objects.get(pk=inside["estate"].pk),
        title=text,
        question=text,
        scope_kind="entrance",
        scope_entrance=entrance,
        opens_at=opens,
        closes_at=now - dt.timedelta(hours=1),
    )
    motion = ms.motion_open(actor=staff, motion=motion, now=opens - dt.timedelta(days=8))
    ms.motion_close(actor=staff, motion=motion, now=now)
    response = client_for(staff).get(reverse("motion_ballots_export", args=[motion.pk]))
    assert response.status_code == 200
    texts = inert_texts(response.content)
    assert_kept(texts, text)  # the owner's name, the building, the entrance, the estate, the question
    assert_within(texts, f"{text} ")  # the title starts with the estate's name


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_ledger_annual_export(personas: World, text: str) -> None:
    from gongzhi.ledgers import services as ls
    from tests.test_ledgers_services import build_ledger_world

    w = build_ledger_world(personas)
    Estate.objects.filter(pk=personas.inside["estate"].pk).update(name=text)
    now = timezone.now()
    income = ls.income_post(
        actor=w.manager, ledger=w.ledger, source="parking", amount="100.00", date=dt.date(2025, 2, 1),
        description=text, now=now,
    )  # fmt: skip
    ls.spending_propose(
        actor=w.manager, ledger=w.ledger, category="environment", amount="20.00", date=dt.date(2025, 3, 1),
        description=text, now=now,
    )  # fmt: skip
    response = client_for(personas.users[Role.SUPERVISOR]).get(reverse("ledger_export", args=[w.ledger.pk, 2025]))
    assert response.status_code == 200
    texts = inert_texts(response.content)
    assert income.description == text.strip()  # the service trims what is typed; the rest is kept
    assert_kept(texts, income.description)  # the entries' summaries
    assert_within(texts, f"{text} 2025 年")  # the titles start with the estate's name


def _hostile_talent(tw: TalentWorld, text: str) -> Any:
    """Every talent field that reaches an export set to `text` (names that must stay distinct:
    `text` plus a suffix). Returns the cadre whose dossier carries them."""
    from gongzhi.talent.models import (
        Activity,
        Cadre,
        Course,
        Cycle,
        Honour,
        Note,
        Organisation,
        PoolCategory,
        Posting,
        SkillAssessment,
        TalentPool,
    )

    TalentPool.objects.filter(pk=tw.pool.pk).update(name=text)
    Organisation.objects.filter(pk=tw.organisations["a"].pk).update(name=text)
    Organisation.objects.filter(pk=tw.organisations["b"].pk).update(name=text + "乙")
    PoolCategory.objects.filter(pk=tw.categories["general"].pk).update(name=text)
    PoolCategory.objects.filter(pk=tw.categories["enforcement"].pk).update(name=text + "乙")
    Course.objects.filter(pk=tw.courses[0].pk).update(name=text)
    Cycle.objects.filter(pk=tw.cycle.pk).update(name=text)
    me = tw.cadres["self"]
    Cadre.objects.filter(pk=me.pk).update(
        name=text, staff_number=text, post=text, education=text, political_status=text, phone=text
    )
    me.memberships.update(entry_reason=text)
    SkillAssessment.objects.create(
        cadre=me, skill="political", score=Decimal("80"), assessed_on=dt.date(2025, 3, 1), assessor=text
    )
    activity = Activity.objects.create(
        cycle=tw.cycle, kind="study", title=text, starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2025, 4, 2),
        location=text,
    )  # fmt: skip
    activity.participants.add(me)
    Posting.objects.create(cadre=me, place=text, role=text, start=dt.date(2025, 5, 1))
    Honour.objects.create(cadre=me, title=text, awarded_on=dt.date(2025, 6, 1), awarded_by=text)
    Note.objects.create(cadre=me, text=text, author=tw.users["admin"])
    return me


@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_talent_roster_export(talent_world: TalentWorld, text: str) -> None:
    _hostile_talent(talent_world, text)
    response = client_for(talent_world.users["admin"]).get(reverse("talent_export_pool", args=[talent_world.pool.pk]))
    assert response.status_code == 200
    texts = inert_texts(response.content)
    assert_kept(texts, text)  # staff number, name, unit, post, category
    assert_within(texts, f"{text} 在库干部名册")  # the title starts with the pool's name


@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_talent_dossier_export(talent_world: TalentWorld, text: str) -> None:
    me = _hostile_talent(talent_world, text)
    response = client_for(talent_world.users["admin"]).get(reverse("talent_export_dossier", args=[me.pk]))
    assert response.status_code == 200
    texts = inert_texts(response.content)
    assert_kept(texts, text)
    assert_within(texts, f"{text} 干部档案")
    assert_within(texts, f"{text} · 导出日期")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    kept = [c.value for row in ws.iter_rows() for c in row if c.value == read_back(text)]
    # profile (编号 姓名 单位 职务 类别 学历 政治面貌 手机), entry reason, assessor, course, cycle,
    # activity and place, posting place and role, honour and its giver, the note
    assert len(kept) >= 20


@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_talent_import_template(talent_world: TalentWorld, text: str) -> None:
    _hostile_talent(talent_world, text)
    response = client_for(talent_world.users["admin"]).get(
        reverse("talent_excel_template", args=[talent_world.pool.pk])
    )
    assert response.status_code == 200
    texts = inert_texts(response.content)
    assert_kept(texts, text)  # the example rows name the pool's first unit, category, course and cycle
    book = load_workbook(io.BytesIO(response.content))
    example = [c.value for c in book["干部"][2]]
    assert read_back(text) in example


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_campaign_export(personas: World, text: str) -> None:
    inside = personas.inside
    assert personas.campaign is not None
    Campaign.objects.filter(pk=personas.campaign.pk).update(name=text)
    Subdistrict.objects.filter(pk=inside["subdistrict"].pk).update(name=text)
    Estate.objects.filter(pk=inside["estate"].pk).update(name=text)
    Building.objects.filter(pk=inside["building"].pk).update(name=text)
    Elevator.objects.filter(pk=inside["elevator"].pk).update(registration_number=text, device_code=text)
    campaign_rank(actor=SYSTEM, campaign=personas.campaign)
    staff = personas.users[Role.SUBDISTRICT_STAFF]
    response = client_for(staff).get(reverse("campaign_export", args=[personas.campaign.pk]))
    assert response.status_code == 200
    texts = inert_texts(response.content)
    assert_kept(texts, text)  # campaign, estate, device code, registration number
    assert_within(texts, f"{text}1单元")  # the address starts with the building's name
    assert_within(texts, f"{text}　基准日期")  # the facts start with the subdistrict's name


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_delivery_export(delivery_world: Any, text: str) -> None:
    from gongzhi.renewals.models import Vendor

    world = delivery_world.world
    inside = world.inside
    Campaign.objects.filter(pk=world.campaign.pk).update(name=text)
    Subdistrict.objects.filter(pk=inside["subdistrict"].pk).update(name=text)
    Estate.objects.filter(pk=inside["estate"].pk).update(name=text)
    Building.objects.filter(pk=inside["building"].pk).update(name=text)
    Entrance.objects.filter(pk=inside["entrance"].pk).update(name=text)
    Elevator.objects.filter(pk=inside["elevator"].pk).update(device_code=text)
    Vendor.objects.filter(pk=delivery_world.vendor.pk).update(name=text)
    response = client_for(delivery_world.manager).get(reverse("delivery_export", args=[world.campaign.pk]))
    assert response.status_code == 200
    texts = inert_texts(response.content)
    assert_kept(texts, text)  # estate, building, entrance, device code, vendor
    assert_within(texts, f"{text} 实施进度")
    assert_within(texts, f"{text}　截止日期")


@pytest.mark.django_db
def test_registry_template() -> None:
    """The registry template holds no user text; it is still written by the rule and has no formula."""
    staff = f.user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=f.SubdistrictFactory())
    response = client_for(staff).get(reverse("registry_import_template"))
    assert response.status_code == 200
    assert "电梯" in load_workbook(io.BytesIO(response.content)).sheetnames
    assert inert_texts(response.content)
