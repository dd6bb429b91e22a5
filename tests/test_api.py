"""The JSON API (config.api): every endpoint, every role in and out of scope, auth, CSRF,
error mapping and query counts."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client, RequestFactory
from openpyxl import load_workbook

from gongzhi.core.actors import SYSTEM
from gongzhi.core.errors import ImportRefusedError, RowProblem
from gongzhi.elevators.models import Campaign, CampaignStatus
from gongzhi.elevators.services import campaign_rank
from gongzhi.places.models import Role
from tests import factories as f
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

CSRF = "abcdefghijklmnopqrstuvwxyzABCDEF"  # a well-formed 32-character CSRF secret


@dataclass
class World:
    o: dict[str, Any]
    users: dict[str, Any]


@pytest.fixture
def world() -> World:
    d1 = f.DistrictFactory(name="余杭区")
    d2 = f.DistrictFactory(name="西湖区")
    sub = f.SubdistrictFactory(district=d1, name="良渚街道")
    sub_other = f.SubdistrictFactory(district=d2, name="转塘街道")
    com1 = f.CommunityFactory(subdistrict=sub, name="亲亲家园社区")
    com2 = f.CommunityFactory(subdistrict=sub, name="玉泽社区")
    e1 = f.EstateFactory(community=com1, name="亲亲家园")
    e2 = f.EstateFactory(community=com2, name="北秀蓝湾")
    e3 = f.EstateFactory(community=f.CommunityFactory(subdistrict=sub_other), name="转塘小区")
    b1 = f.BuildingFactory(estate=e1, name="1幢")
    n1 = f.EntranceFactory(building=b1, name="1单元")
    n1b = f.EntranceFactory(building=b1, name="2单元")
    n2 = f.EntranceFactory(building=f.BuildingFactory(estate=e2, name="5幢"), name="1单元")
    n3 = f.EntranceFactory(building=f.BuildingFactory(estate=e3, name="9幢"), name="1单元")
    a1 = f.ApartmentFactory(entrance=n1, room="101", floor=1)
    a2 = f.ApartmentFactory(entrance=n1, room="201", floor=2)
    f.ApartmentFactory(entrance=n1b, room="101", floor=1)
    f.ApartmentFactory(entrance=n2, room="101", floor=1)
    owner = f.OwnerFactory(name="张三")
    f.OwnershipFactory(owner=owner, apartment=a1)
    f.OwnershipFactory(owner=f.OwnerFactory(name="李四"), apartment=a2)
    l1 = f.ElevatorFactory(entrance=n1, device_code="311033001200300001", commissioned_on=dt.date(2003, 5, 1))
    l2 = f.ElevatorFactory(entrance=n1, device_code="311033001200800002", commissioned_on=dt.date(2008, 1, 1))
    l3 = f.ElevatorFactory(entrance=n1b, device_code="311033001201500003", commissioned_on=dt.date(2015, 1, 1))
    l4 = f.ElevatorFactory(entrance=n2, device_code="311033001200500004", commissioned_on=dt.date(2005, 6, 1))
    l5 = f.ElevatorFactory(entrance=n3, device_code="311033001200100005", commissioned_on=dt.date(2001, 6, 1))
    f.FaultRecordFactory(elevator=l1, occurred_at=dt.datetime(2024, 8, 1, 8, tzinfo=dt.UTC), kind="entrapment")
    f.InspectionRecordFactory(elevator=l1, inspected_on=dt.date(2024, 5, 1), result="fail")
    campaign = f.CampaignFactory(subdistrict=sub)
    campaign_rank(actor=SYSTEM, campaign=campaign)
    campaign_other = f.CampaignFactory(subdistrict=sub_other, name="转塘更新")
    campaign_rank(actor=SYSTEM, campaign=campaign_other)
    users = {
        Role.SUBDISTRICT_STAFF: f.user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=sub),
        Role.COMMUNITY_STAFF: f.user_with_role(Role.COMMUNITY_STAFF, community=com1),
        Role.OWNERS_COMMITTEE: f.user_with_role(Role.OWNERS_COMMITTEE, estate=e1),
        Role.PROPERTY_MANAGER: f.user_with_role(Role.PROPERTY_MANAGER, estate=e1),
        Role.OWNER: f.user_with_role(Role.OWNER, owner=owner),
        Role.VENDOR: f.user_with_role(Role.VENDOR, subdistrict=sub),
        Role.SUPERVISOR: f.user_with_role(Role.SUPERVISOR, subdistrict=sub),
        Role.DISTRICT_REGULATOR: f.user_with_role(Role.DISTRICT_REGULATOR, district=d1),
        "other_staff": f.user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=sub_other),
    }
    o = {
        "sub": sub,
        "sub_other": sub_other,
        "e1": e1,
        "e2": e2,
        "e3": e3,
        "b1": b1,
        "n1": n1,
        "n1b": n1b,
        "n2": n2,
        "n3": n3,
        "a1": a1,
        "a2": a2,
        "l1": l1,
        "l2": l2,
        "l3": l3,
        "l4": l4,
        "l5": l5,
        "campaign": campaign,
        "campaign_other": campaign_other,
    }
    return World(o, users)


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


# Which estates, elevators and entrances each role sees.
ESTATES = {
    Role.SUBDISTRICT_STAFF: {"e1", "e2"},
    Role.COMMUNITY_STAFF: {"e1"},
    Role.OWNERS_COMMITTEE: {"e1"},
    Role.PROPERTY_MANAGER: {"e1"},
    Role.OWNER: {"e1"},
    Role.VENDOR: {"e1", "e2"},
    Role.SUPERVISOR: {"e1", "e2"},
    Role.DISTRICT_REGULATOR: {"e1", "e2"},
}
ELEVATORS = {role: {"l1", "l2", "l3"} | ({"l4"} if "e2" in estates else set()) for role, estates in ESTATES.items()}
ELEVATORS[Role.OWNER] = {"l1", "l2"}  # an owner sees the elevators of their own entrance only
OWNERS_VISIBLE = {  # apartments of entrance n1 whose owners the role may see
    Role.SUBDISTRICT_STAFF: {"a1", "a2"},
    Role.COMMUNITY_STAFF: {"a1", "a2"},
    Role.OWNERS_COMMITTEE: {"a1", "a2"},
    Role.PROPERTY_MANAGER: {"a1", "a2"},
    Role.OWNER: {"a1"},
    Role.VENDOR: set(),
    Role.SUPERVISOR: set(),
    Role.DISTRICT_REGULATOR: set(),
}


# ---- docs, auth, CSRF ---------------------------------------------------------------------------


def test_openapi_document_and_local_docs(client: Client) -> None:
    doc = client.get("/api/openapi.json").json()
    assert doc["info"]["title"] == "Gongzhi API"
    assert doc["info"]["version"] == "1"
    assert "/api/campaigns/{id}/export.xlsx" in doc["paths"]
    export = doc["paths"]["/api/campaigns/{id}/export.xlsx"]["get"]["responses"]["200"]
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in export["content"]
    html = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/api/estates",
        "/api/estates/1",
        "/api/buildings/1",
        "/api/entrances/1",
        "/api/elevators",
        "/api/elevators/311033001200300001",
        "/api/dashboard",
        "/api/campaigns",
        "/api/campaigns/1",
        "/api/campaigns/1/elevators",
        "/api/campaigns/1/export.xlsx",
        "/api/registry/imports/00000000-0000-0000-0000-000000000000",
    ],
)
def test_anonymous_gets_401(world: World, client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_anonymous_post_gets_401_or_403(world: World, client: Client) -> None:
    assert client.post("/api/campaigns", {}, content_type="application/json").status_code == 401
    assert client.post(f"/api/campaigns/{world.o['campaign'].id}/rank").status_code == 401
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/api/campaigns", {}, content_type="application/json").status_code == 403


def _campaign_body(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "name": "2025年更新",
        "subdistrict_id": world.o["sub"].id,
        "reference_date": "2025-01-01",
        "deadline": "2025-12-31",
        **extra,
    }


def test_csrf_is_enforced_on_post_with_session_auth(world: World) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users[Role.SUBDISTRICT_STAFF])
    body = _campaign_body(world)
    refused = c.post("/api/campaigns", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Campaign.objects.filter(name="2025年更新").exists()
    c.cookies["csrftoken"] = CSRF
    accepted = c.post("/api/campaigns", body, content_type="application/json", headers={"X-CSRFToken": CSRF})
    assert accepted.status_code == 201, accepted.content
    # GET needs no token.
    assert c.get("/api/campaigns").status_code == 200


# ---- places -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_estates_in_scope(world: World, role: str, django_assert_max_num_queries: Any) -> None:
    c = client_for(world.users[role])
    with django_assert_max_num_queries(6):
        data = c.get("/api/estates").json()
    assert {e["id"] for e in data} == {world.o[k].id for k in ESTATES[role]}
    for key in ("e1", "e2", "e3"):
        response = c.get(f"/api/estates/{world.o[key].id}")
        assert response.status_code == (200 if key in ESTATES[role] else 404), (role, key)
    detail = c.get(f"/api/estates/{world.o['e1'].id}").json()
    assert detail["subdistrict_name"] == "良渚街道"
    assert [b["name"] for b in detail["buildings"]] == ["1幢"]


@pytest.mark.parametrize("role", ROLES)
def test_buildings_and_entrances_in_scope(world: World, role: str) -> None:
    c = client_for(world.users[role])
    building = c.get(f"/api/buildings/{world.o['b1'].id}")
    assert building.status_code == 200
    expected_entrances = {"n1"} if role == Role.OWNER else {"n1", "n1b"}
    assert {e["id"] for e in building.json()["entrances"]} == {world.o[k].id for k in expected_entrances}
    for key in ("n1", "n1b", "n2", "n3"):
        visible = key in expected_entrances or (key == "n2" and "e2" in ESTATES[role])
        assert c.get(f"/api/entrances/{world.o[key].id}").status_code == (200 if visible else 404), (role, key)
    assert c.get(f"/api/buildings/{world.o['n3'].building_id}").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_entrance_lists_owners_only_with_view_owners(
    world: World, role: str, django_assert_max_num_queries: Any
) -> None:
    c = client_for(world.users[role])
    with django_assert_max_num_queries(10):
        data = c.get(f"/api/entrances/{world.o['n1'].id}").json()
    assert [e["device_code"] for e in data["elevators"]] == ["311033001200300001", "311033001200800002"]
    by_id = {a["id"]: a for a in data["apartments"]}
    ids = {"a1": world.o["a1"].id, "a2": world.o["a2"].id}
    for key, pk in ids.items():
        owners = by_id[pk]["owners"]
        if key in OWNERS_VISIBLE[role]:
            assert owners == [
                {"name": "张三" if key == "a1" else "李四", "kind": "person", "id_last4": owners[0]["id_last4"]}
            ]
        else:
            assert owners is None
    assert by_id[ids["a1"]]["area"] == "89.50"


def test_entrance_queries_do_not_grow_with_apartments(world: World, django_assert_max_num_queries: Any) -> None:
    for i in range(30):
        f.OwnershipFactory(apartment=f.ApartmentFactory(entrance=world.o["n1"], room=f"9{i:02d}", floor=9))
    c = client_for(world.users[Role.SUBDISTRICT_STAFF])
    with django_assert_max_num_queries(10):
        data = c.get(f"/api/entrances/{world.o['n1'].id}").json()
    assert len(data["apartments"]) == 32


# ---- elevators ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_elevators_in_scope(world: World, role: str, django_assert_max_num_queries: Any) -> None:
    c = client_for(world.users[role])
    with django_assert_max_num_queries(7):
        data = c.get("/api/elevators").json()
    assert data["count"] == len(ELEVATORS[role])
    assert {e["device_code"] for e in data["items"]} == {world.o[k].device_code for k in ELEVATORS[role]}
    for key in ("l1", "l3", "l4", "l5"):
        response = c.get(f"/api/elevators/{world.o[key].device_code}")
        assert response.status_code == (200 if key in ELEVATORS[role] else 404), (role, key)


def test_elevator_list_filters_and_pages(world: World, django_assert_max_num_queries: Any) -> None:
    for _ in range(40):
        f.ElevatorFactory(entrance=world.o["n2"])
    c = client_for(world.users[Role.SUBDISTRICT_STAFF])
    with django_assert_max_num_queries(7):
        page = c.get("/api/elevators", {"limit": 10, "offset": 5}).json()
    assert page["count"] == 44
    assert len(page["items"]) == 10
    only_e1 = c.get("/api/elevators", {"estate_id": world.o["e1"].id, "limit": 500}).json()
    assert {e["device_code"] for e in only_e1["items"]} == {
        world.o["l1"].device_code,
        world.o["l2"].device_code,
        world.o["l3"].device_code,
    }
    found = c.get("/api/elevators", {"search": "北秀"}).json()
    assert found["count"] == 41
    assert c.get("/api/elevators", {"limit": 501}).status_code == 422
    assert c.get("/api/elevators", {"limit": 0}).status_code == 422
    assert c.get("/api/elevators", {"search": "a\x00b"}).status_code == 400  # refused at the edge (NUL)
    row = c.get("/api/elevators", {"search": world.o["l1"].device_code}).json()["items"][0]
    assert row["estate_name"] == "亲亲家园"
    assert row["building_name"] == "1幢"
    assert row["entrance_name"] == "1单元"


def test_elevator_detail_explains_tier_and_score(world: World) -> None:
    c = client_for(world.users[Role.SUBDISTRICT_STAFF])
    data = c.get(f"/api/elevators/{world.o['l1'].device_code}").json()
    x = data["explanation"]
    assert x["tier"] == "priority"
    assert x["eligible_years"] == 15
    assert x["priority_years"] == 20
    assert x["age_years"] >= 21
    assert {f["key"] for f in x["factors"]} == {"age", "faults", "entrapments", "inspection", "households"}
    assert isinstance(x["score"], str)
    assert x["facts"]["last_inspection"] == "fail"
    assert data["inspections"][0]["result"] == "fail"
    assert data["faults"][0]["kind"] == "entrapment"
    assert data["rated_speed_mps"] == "1.75"
    assert c.get("/api/elevators/NO-SUCH-CODE").status_code == 404


def test_dashboard_counts_only_the_scope(world: World, django_assert_max_num_queries: Any) -> None:
    staff = client_for(world.users[Role.SUBDISTRICT_STAFF])
    with django_assert_max_num_queries(14):
        data = staff.get("/api/dashboard", {"reference_date": "2024-09-01"}).json()
    assert data["total"] == 4
    assert data["tiers"] == {"priority": 1, "eligible": 2, "not_eligible": 1}
    assert {r["estate_name"] for r in data["estates"]} == {"亲亲家园", "北秀蓝湾"}
    assert len(data["faults_by_month"]) == 12
    community = client_for(world.users[Role.COMMUNITY_STAFF]).get("/api/dashboard").json()
    assert community["total"] == 3
    assert staff.get("/api/dashboard", {"reference_date": "1800-01-01"}).status_code == 422


# ---- campaigns ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_campaigns_in_scope(world: World, role: str, django_assert_max_num_queries: Any) -> None:
    c = client_for(world.users[role])
    with django_assert_max_num_queries(6):
        data = c.get("/api/campaigns").json()
    assert [x["id"] for x in data] == [world.o["campaign"].id]
    cid = world.o["campaign"].id
    detail = c.get(f"/api/campaigns/{cid}").json()
    assert detail["weights"]["per_year"] == "2"
    assert c.get(f"/api/campaigns/{world.o['campaign_other'].id}").status_code == 404
    assert c.get(f"/api/campaigns/{world.o['campaign_other'].id}/elevators").status_code == 404
    assert c.get(f"/api/campaigns/{world.o['campaign_other'].id}/export.xlsx").status_code == 404
    with django_assert_max_num_queries(8):
        entries = c.get(f"/api/campaigns/{cid}/elevators").json()
    visible_qualifying = {k for k in ELEVATORS[role] if k != "l3"}  # l3 (2015) does not qualify on 2024-09-01
    assert {e["device_code"] for e in entries["items"]} == {world.o[k].device_code for k in visible_qualifying}
    assert [e["rank"] for e in entries["items"]] == sorted(e["rank"] for e in entries["items"])


def test_campaign_entries_filter(world: World) -> None:
    c = client_for(world.users[Role.SUBDISTRICT_STAFF])
    cid = world.o["campaign"].id
    url = f"/api/campaigns/{cid}/elevators"
    all_rows = c.get(url).json()
    assert all_rows["count"] == 3
    first = all_rows["items"][0]
    assert first["device_code"] == world.o["l1"].device_code  # the oldest, with an entrapment and a failed inspection
    assert first["tier"] == "priority"
    assert first["address"] == "1幢1单元"
    assert first["community_name"] == "亲亲家园社区"
    assert c.get(url, {"tier": "eligible"}).json()["count"] == 2
    assert c.get(url, {"tier": "not_eligible"}).json()["items"][0]["device_code"] == world.o["l3"].device_code
    assert c.get(url, {"estate_id": world.o["e2"].id}).json()["count"] == 1
    assert c.get(url, {"search": world.o["l4"].device_code}).json()["count"] == 1
    assert c.get(url, {"min_score": 1000}).json()["count"] == 0
    assert c.get(url, {"limit": 1, "offset": 1}).json()["items"][0]["rank"] == 2
    assert c.get(url, {"tier": "bogus"}).status_code == 422


def test_campaign_entries_queries_do_not_grow(world: World, django_assert_max_num_queries: Any) -> None:
    for _ in range(40):
        f.ElevatorFactory(entrance=world.o["n2"], commissioned_on=dt.date(2000, 1, 1))
    campaign_rank(actor=SYSTEM, campaign=world.o["campaign"])
    c = client_for(world.users[Role.SUBDISTRICT_STAFF])
    with django_assert_max_num_queries(8):
        data = c.get(f"/api/campaigns/{world.o['campaign'].id}/elevators", {"limit": 500}).json()
    assert data["count"] == 43


def test_campaign_create(world: World) -> None:
    c = client_for(world.users[Role.SUBDISTRICT_STAFF])
    response = c.post(
        "/api/campaigns",
        _campaign_body(world, eligible_years=10, priority_years=18, weights={"per_year": 4, "per_fault": "1.5"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["eligible_years"] == 10
    assert data["weights"]["per_year"] == "4"
    assert data["weights"]["per_fault"] == "1.5"
    assert data["tiers"]["priority"] + data["tiers"]["eligible"] + data["tiers"]["not_eligible"] == 4
    assert data["ranked_at"] is not None
    assert Campaign.objects.get(pk=data["id"]).created_by == world.users[Role.SUBDISTRICT_STAFF]


@pytest.mark.parametrize(
    ("extra", "status", "code"),
    [
        ({"deadline": "2024-12-31"}, 400, "deadline_before_reference"),
        ({"eligible_years": 20, "priority_years": 15}, 400, "bad_years"),
        ({"name": "   "}, 400, "name_required"),
        ({"name": "a\x00b"}, 400, "nul_byte"),  # refused at the edge (core.middleware)
        ({"weights": {"per_year": -1}}, 422, None),
        ({"reference_date": "not a date"}, 422, None),
        ({"subdistrict_id": 999999}, 404, "not_found"),
    ],
)
def test_campaign_create_errors(world: World, extra: dict[str, Any], status: int, code: str | None) -> None:
    c = client_for(world.users[Role.SUBDISTRICT_STAFF])
    response = c.post("/api/campaigns", _campaign_body(world, **extra), content_type="application/json")
    assert response.status_code == status, response.content
    body = response.json()
    assert body["detail"]
    if code:
        assert body["code"] == code
    assert not Campaign.objects.filter(name="2025年更新").exists()


@pytest.mark.parametrize(
    ("user_key", "status"),
    [
        (Role.COMMUNITY_STAFF, 403),  # sees the subdistrict's campaigns, may not open one
        (Role.VENDOR, 403),
        (Role.DISTRICT_REGULATOR, 403),
        ("other_staff", 404),  # another subdistrict: not even confirmed to exist
    ],
)
def test_campaign_create_refused_out_of_role(world: World, user_key: str, status: int) -> None:
    c = client_for(world.users[user_key])
    response = c.post("/api/campaigns", _campaign_body(world), content_type="application/json")
    assert response.status_code == status
    assert response.json()["code"] == ("forbidden" if status == 403 else "not_found")


def test_campaign_rank(world: World) -> None:
    cid = world.o["campaign"].id
    staff = client_for(world.users[Role.SUBDISTRICT_STAFF])
    response = staff.post(f"/api/campaigns/{cid}/rank")
    assert response.status_code == 200
    assert response.json()["ranked"] == 4
    assert client_for(world.users[Role.COMMUNITY_STAFF]).post(f"/api/campaigns/{cid}/rank").status_code == 403
    assert client_for(world.users["other_staff"]).post(f"/api/campaigns/{cid}/rank").status_code == 404
    Campaign.objects.filter(pk=cid).update(status=CampaignStatus.CLOSED)
    closed = staff.post(f"/api/campaigns/{cid}/rank")
    assert closed.status_code == 400
    assert closed.json()["code"] == "campaign_closed"


def test_campaign_export(world: World, django_assert_max_num_queries: Any) -> None:
    cid = world.o["campaign"].id
    staff = client_for(world.users[Role.SUBDISTRICT_STAFF])
    with django_assert_max_num_queries(8):
        response = staff.get(f"/api/campaigns/{cid}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content))["排序清单"]
    codes = [row[3] for row in ws.iter_rows(min_row=4, values_only=True)]
    assert codes == [world.o[k].device_code for k in ("l1", "l4", "l2")]
    community = client_for(world.users[Role.COMMUNITY_STAFF]).get(f"/api/campaigns/{cid}/export.xlsx")
    ws = load_workbook(io.BytesIO(community.content))["排序清单"]
    assert [row[3] for row in ws.iter_rows(min_row=4, values_only=True)] == [
        world.o["l1"].device_code,
        world.o["l2"].device_code,
    ]


# ---- eligibility (public) -----------------------------------------------------------------------


def test_eligibility_is_public_and_keeps_order(client: Client) -> None:
    body = {
        "reference_date": "2024-09-01",
        "elevators": [
            {"device_code": "B", "commissioned_on": "2009-09-02"},
            {"device_code": "A", "commissioned_on": "2004-09-01"},
            {"device_code": "C", "commissioned_on": "2009-09-01"},
        ],
    }
    strict = Client(enforce_csrf_checks=True)  # public: no session, so no CSRF token either
    response = strict.post("/api/eligibility", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {
        "elevators": [
            {"device_code": "B", "age_years": 14, "tier": "not_eligible"},
            {"device_code": "A", "age_years": 20, "tier": "priority"},
            {"device_code": "C", "age_years": 15, "tier": "eligible"},
        ]
    }
    custom = client.post(
        "/api/eligibility", {**body, "eligible_years": 10, "priority_years": 14}, content_type="application/json"
    ).json()
    assert [e["tier"] for e in custom["elevators"]] == ["priority", "priority", "priority"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"reference_date": "2024-09-01", "elevators": [], "eligible_years": 20, "priority_years": 15}, 400),
        ({"reference_date": "2024-02-30", "elevators": []}, 422),
        ({"elevators": []}, 422),
        ({"reference_date": "2024-09-01", "elevators": [{"device_code": "A"}]}, 422),
        ({"reference_date": "2024-09-01", "elevators": "x"}, 422),
    ],
)
def test_eligibility_bad_input(client: Client, body: dict[str, Any], status: int) -> None:
    response = client.post("/api/eligibility", body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["detail"]


# ---- registry imports ---------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_registry_import_refused_lists_problems(world: World, media: Any) -> None:
    staff = client_for(world.users[Role.SUBDISTRICT_STAFF])
    upload = io.BytesIO(b"this is not a workbook")
    upload.name = "registry.xlsx"
    response = staff.post("/api/registry/imports", {"file": upload})
    assert response.status_code == 202, response.content
    data = response.json()
    assert data["file_name"] == "registry.xlsx"
    assert data["status"] == "refused"  # the test settings run the task at once
    assert data["problems"]
    assert set(data["problems"][0]) == {"sheet", "row", "column", "message"}
    again = staff.get(f"/api/registry/imports/{data['id']}")
    assert again.status_code == 200
    assert again.json()["status"] == "refused"
    # Someone else's import is not found.
    other = client_for(world.users[Role.COMMUNITY_STAFF]).get(f"/api/registry/imports/{data['id']}")
    assert other.status_code == 404


def test_registry_import_needs_change_registry(world: World, media: Any) -> None:
    upload = io.BytesIO(b"x")
    upload.name = "registry.xlsx"
    response = client_for(world.users[Role.VENDOR]).post("/api/registry/imports", {"file": upload})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert client_for(world.users[Role.VENDOR]).post("/api/registry/imports", {}).status_code == 422


def test_registry_import_csrf(world: World, media: Any) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users[Role.SUBDISTRICT_STAFF])
    upload = io.BytesIO(b"x")
    upload.name = "registry.xlsx"
    assert c.post("/api/registry/imports", {"file": upload}).status_code == 403


# ---- the error mapping --------------------------------------------------------------------------


def test_import_refused_error_maps_to_problems() -> None:
    from gongzhi.config.api import domain_error

    request = RequestFactory().get("/api/x")
    exc = ImportRefusedError(problems=[RowProblem("电梯", 3, "投用日期", "日期无效")])
    response = domain_error(request, exc)
    assert response.status_code == 400
    import json

    body = json.loads(response.content)
    assert body["code"] == "import_refused"
    assert body["problems"] == [{"sheet": "电梯", "row": 3, "column": "投用日期", "message": "日期无效"}]


def test_every_schema_name_is_unique_across_the_api() -> None:
    """django-ninja keys component schemas by class name: two classes with one name silently share
    one schema in the OpenAPI document, and responses then fail to conform."""
    import ninja

    import gongzhi.config.api  # noqa: F401 - imports every router and its schemas

    def subclasses(cls: type) -> list[type]:
        found = []
        for sub in cls.__subclasses__():
            found += [sub, *subclasses(sub)]
        return found

    names: dict[str, set[str]] = {}
    for cls in subclasses(ninja.Schema):
        if cls.__module__.startswith("gongzhi."):
            names.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: modules for name, modules in names.items() if len(modules) > 1} == {}
