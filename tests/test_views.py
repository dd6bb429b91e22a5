"""The web pages: every page for every role (200 in scope, 404 outside), login redirects,
query counts that would reveal an N+1, English rendering, the campaign form and the export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.actors import SYSTEM
from gongzhi.elevators.models import Campaign, CampaignEntry
from gongzhi.elevators.services import campaign_open
from gongzhi.places.models import Role
from tests import factories as f
from tests.conftest import ROLES, World

pytestmark = pytest.mark.django_db


# Pages on one object: (name, how to build the URL from a dict of places and the campaign).
ObjectUrl = Callable[[dict[str, Any], Campaign], str]
OBJECT_PAGES: dict[str, ObjectUrl] = {
    "estate_detail": lambda p, _c: reverse("estate_detail", args=[p["estate"].pk]),
    "building_detail": lambda p, _c: reverse("building_detail", args=[p["building"].pk]),
    "entrance_detail": lambda p, _c: reverse("entrance_detail", args=[p["entrance"].pk]),
    "elevator_detail": lambda p, _c: reverse("elevator_detail", args=[p["elevator"].device_code]),
    "campaign_detail": lambda _p, c: reverse("campaign_detail", args=[c.pk]),
    "campaign_export": lambda _p, c: reverse("campaign_export", args=[c.pk]),
}
LIST_PAGES = ["home", "campaign_list"]

XLSX_HEADERS = [
    "排名",
    "小区",
    "地址",
    "设备代码",
    "使用登记证编号",
    "投用日期",
    "梯龄(年)",
    "等级",
    "优先分",
    "近12个月故障",
    "服务户数",
    "经评估认定",
]


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(OBJECT_PAGES))
def test_object_pages_in_and_out_of_scope(personas: World, role: Role, page: str) -> None:
    client = client_for(personas.users[role])
    assert personas.campaign is not None
    assert personas.other_campaign is not None
    url_in = OBJECT_PAGES[page](personas.inside, personas.campaign)
    url_out = OBJECT_PAGES[page](personas.outside, personas.other_campaign)
    assert client.get(url_in).status_code == 200
    assert client.get(url_out).status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", LIST_PAGES)
def test_list_pages_show_only_the_scope(personas: World, role: Role, page: str) -> None:
    response = client_for(personas.users[role]).get(reverse(page))
    assert response.status_code == 200
    body = response.content.decode()
    if page == "home":
        assert "亲亲家园" in body
        assert "之江花园" not in body
    else:
        assert personas.campaign is not None
        assert reverse("campaign_detail", args=[personas.campaign.pk]) in body
        assert personas.other_campaign is not None
        assert reverse("campaign_detail", args=[personas.other_campaign.pk]) not in body


@pytest.mark.parametrize("role", ROLES)
def test_campaign_create_and_rank_only_for_managers(personas: World, role: Role) -> None:
    client = client_for(personas.users[role])
    assert personas.campaign is not None
    manager = role == Role.SUBDISTRICT_STAFF
    assert client.get(reverse("campaign_create")).status_code == (200 if manager else 404)
    detail = client.get(reverse("campaign_detail", args=[personas.campaign.pk])).content.decode()
    assert (reverse("campaign_rank", args=[personas.campaign.pk]) in detail) is manager
    response = client.post(reverse("campaign_rank", args=[personas.campaign.pk]))
    assert response.status_code == (302 if manager else 403)


@pytest.mark.parametrize("role", ROLES)
def test_import_link_only_for_registry_editors(personas: World, role: Role) -> None:
    body = client_for(personas.users[role]).get(reverse("home")).content.decode()
    editor = role in {Role.SUBDISTRICT_STAFF, Role.COMMUNITY_STAFF}
    assert (reverse("registry_import") in body) is editor


def test_rank_outside_scope_is_404(personas: World) -> None:
    assert personas.other_campaign is not None
    client = client_for(personas.users[Role.SUBDISTRICT_STAFF])
    assert client.post(reverse("campaign_rank", args=[personas.other_campaign.pk])).status_code == 404


def test_owner_sees_owner_names_of_their_own_apartments_only(personas: World) -> None:
    entrance = personas.inside["entrance"]
    neighbour = f.OwnershipFactory(apartment=f.ApartmentFactory(entrance=entrance, room="102", floor=1)).owner
    mine = personas.inside["apartment"].owners.get()
    owner_page = client_for(personas.users[Role.OWNER]).get(reverse("entrance_detail", args=[entrance.pk]))
    body = owner_page.content.decode()
    assert mine.name in body
    assert neighbour.name not in body
    assert "102" in body  # the apartment itself is listed, without its owner
    vendor_body = (
        client_for(personas.users[Role.VENDOR]).get(reverse("entrance_detail", args=[entrance.pk])).content.decode()
    )
    assert mine.name not in vendor_body  # a vendor may not see owners at all
    staff_body = (
        client_for(personas.users[Role.COMMUNITY_STAFF])
        .get(reverse("entrance_detail", args=[entrance.pk]))
        .content.decode()
    )
    assert mine.name in staff_body
    assert neighbour.name in staff_body


@pytest.mark.parametrize("page", ["home", *OBJECT_PAGES])
def test_anonymous_is_sent_to_login(personas: World, page: str) -> None:
    assert personas.campaign is not None
    url = reverse(page) if page == "home" else OBJECT_PAGES[page](personas.inside, personas.campaign)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_and_logout() -> None:
    user = f.user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=f.SubdistrictFactory())
    client = Client()
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert "用户名" in page.content.decode()
    bad = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert bad.status_code == 200
    good = client.post(reverse("login"), {"username": user.username, "password": "pass-word-123"})
    assert good.status_code == 302
    assert good["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logging out is a POST
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


# --- query counts -----------------------------------------------------------------------------


@pytest.fixture
def busy(personas: World) -> World:
    """20 elevators in 10 entrances of the inside estate, each with faults, inspections,
    an assessment, apartments and owners: enough for an N+1 to show in the counts."""
    estate = personas.inside["estate"]
    entrance = personas.inside["entrance"]
    for b in range(2):
        building = f.BuildingFactory(estate=estate, name=f"{b + 2}幢")
        for e in range(5):
            ent = entrance if (b, e) == (0, 0) else f.EntranceFactory(building=building, name=f"{e + 1}单元")
            for k in range(2):
                elevator = f.ElevatorFactory(entrance=ent, commissioned_on=dt.date(2002 + b * 5 + e, 1 + k, 1))
                f.FaultRecordFactory(elevator=elevator, occurred_at=dt.datetime(2024, 3, 1 + k, tzinfo=dt.UTC))
                f.FaultRecordFactory(
                    elevator=elevator,
                    occurred_at=dt.datetime(2024, 4, 1 + k, tzinfo=dt.UTC),
                    kind="entrapment",
                    people_trapped=1,
                )
                f.InspectionRecordFactory(elevator=elevator)
                f.SafetyAssessmentFactory(elevator=elevator, conclusion="modify")
            for r in range(3):
                f.OwnershipFactory(apartment=f.ApartmentFactory(entrance=ent, room=f"{b}{e}{r}", floor=r + 2))
    assert personas.campaign is not None
    personas.campaign = campaign_open(
        actor=SYSTEM,
        subdistrict=personas.inside["subdistrict"],
        name="再排一次",
        reference_date=dt.date(2024, 9, 1),
        deadline=dt.date(2025, 6, 30),
    )
    return personas


@pytest.mark.parametrize(
    ("page", "limit"),
    [
        ("home", 9),
        ("estate_detail", 11),
        ("building_detail", 11),
        ("entrance_detail", 13),
        ("elevator_detail", 13),
        ("campaign_detail", 8),
        ("campaign_export", 5),
    ],
)
def test_query_counts(busy: World, page: str, limit: int, django_assert_max_num_queries: Any) -> None:
    client = client_for(busy.users[Role.SUBDISTRICT_STAFF])
    assert busy.campaign is not None
    url = reverse(page) if page == "home" else OBJECT_PAGES[page](busy.inside, busy.campaign)
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200


# --- language -----------------------------------------------------------------------------------


def test_pages_render_in_english(personas: World) -> None:
    client = client_for(personas.users[Role.SUBDISTRICT_STAFF])
    client.cookies["django_language"] = "en"
    home = client.get(reverse("home")).content.decode()
    assert "Elevator overview" in home
    assert "电梯概览" not in home
    assert '<html lang="en">' in home
    elevator = client.get(OBJECT_PAGES["elevator_detail"](personas.inside, personas.campaign)).content.decode()  # type: ignore[arg-type]
    assert "Registration number" in elevator
    assert "使用登记证编号" not in elevator
    client.cookies["django_language"] = "zh-hans"
    assert "电梯概览" in client.get(reverse("home")).content.decode()


def test_language_switch_posts_to_set_language(personas: World) -> None:
    client = client_for(personas.users[Role.SUBDISTRICT_STAFF])
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    assert "Elevator overview" in client.get(reverse("home")).content.decode()


# --- the campaign form --------------------------------------------------------------------------


def test_campaign_create_opens_and_ranks(personas: World) -> None:
    client = client_for(personas.users[Role.SUBDISTRICT_STAFF])
    page = client.get(reverse("campaign_create")).content.decode()
    assert 'value="15"' in page
    assert 'value="20"' in page
    response = client.post(
        reverse("campaign_create"),
        {
            "name": "2025年第一批",
            "subdistrict": personas.inside["subdistrict"].pk,
            "reference_date": "2025-01-01",
            "deadline": "2025-12-31",
            "eligible_years": "15",
            "priority_years": "20",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(name="2025年第一批")
    assert response["Location"] == reverse("campaign_detail", args=[campaign.pk])
    assert CampaignEntry.objects.filter(campaign=campaign).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deadline": "2024-12-31"}, "截止日期不能早于基准日期。"),
        ({"eligible_years": "25"}, "年限须满足"),
        ({"name": ""}, "这个字段是必填项。"),
        ({"reference_date": "明天"}, "输入一个有效的日期。"),
    ],
)
def test_campaign_create_shows_errors(personas: World, changes: dict[str, str], message: str) -> None:
    client = client_for(personas.users[Role.SUBDISTRICT_STAFF])
    data = {
        "name": "2025年第一批",
        "subdistrict": str(personas.inside["subdistrict"].pk),
        "reference_date": "2025-01-01",
        "deadline": "2025-12-31",
        "eligible_years": "15",
        "priority_years": "20",
        **changes,
    }
    response = client.post(reverse("campaign_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Campaign.objects.filter(name="2025年第一批").exists()


def test_campaign_create_refuses_a_subdistrict_outside_scope(personas: World) -> None:
    client = client_for(personas.users[Role.SUBDISTRICT_STAFF])
    response = client.post(
        reverse("campaign_create"),
        {
            "name": "越权",
            "subdistrict": personas.outside["subdistrict"].pk,
            "reference_date": "2025-01-01",
            "deadline": "2025-12-31",
            "eligible_years": "15",
            "priority_years": "20",
        },
    )
    assert response.status_code == 200
    assert not Campaign.objects.filter(name="越权").exists()


# --- the ranked list and its export -------------------------------------------------------------


def test_campaign_filters_and_export(busy: World) -> None:
    client = client_for(busy.users[Role.SUBDISTRICT_STAFF])
    assert busy.campaign is not None
    url = reverse("campaign_detail", args=[busy.campaign.pk])
    everything = client.get(url)
    assert everything.context["page"].paginator.count == 21
    priority = client.get(url, {"tier": "priority"})
    n_priority = priority.context["page"].paginator.count
    assert 0 < n_priority < 21
    assert all(e.tier == "priority" for e in priority.context["page"])
    high = client.get(url, {"min_score": "1000"})
    assert high.context["page"].paginator.count == 0
    code = busy.inside["elevator"].device_code
    search = client.get(url, {"q": code})
    assert [e.elevator.device_code for e in search.context["page"]] == [code]
    ignored = client.get(url, {"min_score": "lots", "tier": "bogus"})
    assert ignored.status_code == 200
    assert ignored.context["page"].paginator.count == 21

    export = client.get(reverse("campaign_export", args=[busy.campaign.pk]), {"tier": "priority"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in export["Content-Disposition"]
    wb = load_workbook(io.BytesIO(export.content), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(rows) if row and row[0] == "排名")
    assert list(rows[header_at])[: len(XLSX_HEADERS)] == XLSX_HEADERS
    data = [r for r in rows[header_at + 1 :] if r and r[0] is not None]
    assert len(data) == n_priority
    assert [r[0] for r in data] == sorted(r[0] for r in data)


def test_campaign_pages_paginate(busy: World) -> None:
    estate = busy.inside["estate"]
    building = f.BuildingFactory(estate=estate, name="9幢")
    for i in range(60):
        f.ElevatorFactory(entrance=f.EntranceFactory(building=building), commissioned_on=dt.date(2001, 1, 1 + i % 28))
    campaign = campaign_open(
        actor=SYSTEM,
        subdistrict=busy.inside["subdistrict"],
        name="分页",
        reference_date=dt.date(2024, 9, 1),
        deadline=dt.date(2025, 6, 30),
    )
    client = client_for(busy.users[Role.SUBDISTRICT_STAFF])
    url = reverse("campaign_detail", args=[campaign.pk])
    first = client.get(url, {"tier": "priority"})
    assert len(first.context["page"].object_list) == 50
    second = client.get(url, {"tier": "priority", "page": 2})
    ranks = [e.rank for e in second.context["page"]]
    assert ranks
    assert min(ranks) > max(e.rank for e in first.context["page"])
    assert "tier=priority&amp;page=2" in first.content.decode()


def test_elevator_page_explains_the_score(personas: World) -> None:
    elevator = personas.inside["elevator"]
    f.FaultRecordFactory(elevator=elevator, occurred_at=dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=10))
    client = client_for(personas.users[Role.SUPERVISOR])
    response = client.get(reverse("elevator_detail", args=[elevator.device_code]))
    body = response.content.decode()
    assert "投用满20年为优先；满15年为符合条件；《民法典》第201条计算周年" in body
    factors = {str(row["label"]): row for row in response.context["factors"]}
    assert factors["近12个月故障(次)"]["value"] == "1"
    assert factors["近12个月故障(次)"]["points"] == Decimal("3.0")
    assert "优先" in body
    assert "2024年老旧电梯更新" in body  # its campaign entry


def test_elevator_page_warns_about_an_odd_device_code(personas: World) -> None:
    elevator = f.ElevatorFactory(entrance=personas.inside["entrance"], device_code="ABC-123")
    body = (
        client_for(personas.users[Role.SUBDISTRICT_STAFF])
        .get(reverse("elevator_detail", args=[elevator.device_code]))
        .content.decode()
    )
    assert "需核对" in body
    good = (
        client_for(personas.users[Role.SUBDISTRICT_STAFF])
        .get(reverse("elevator_detail", args=[personas.inside["elevator"].device_code]))
        .content.decode()
    )
    assert "需核对" not in good
