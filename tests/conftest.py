"""Shared fixtures: a small two-district world and one user per role (named personas)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from gongzhi.core.actors import SYSTEM
from gongzhi.elevators.models import Campaign
from gongzhi.elevators.services import campaign_open
from gongzhi.places.models import Role
from tests import database_support
from tests import factories as f
from tests.browser_support import browser  # noqa: F401 - the fixture, for the browser tests
from tests.talent_support import talent_world  # noqa: F401 - the fixture, for the talent tests

# Every place role, in the role table's order (places.models.Role): the personas hold one user of each.
ROLES: list[Role] = list(Role)


@dataclass
class World:
    """`inside` objects lie in every persona's scope, `outside` in none (another district)."""

    inside: dict[str, Any] = field(default_factory=dict)
    outside: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    campaign: Campaign | None = None
    other_campaign: Campaign | None = None


def _places(district_name: str, subdistrict_name: str, estate_name: str) -> dict[str, Any]:
    district = f.DistrictFactory(name=district_name)
    sub = f.SubdistrictFactory(district=district, name=subdistrict_name)
    community = f.CommunityFactory(subdistrict=sub)
    estate = f.EstateFactory(community=community, name=estate_name)
    building = f.BuildingFactory(estate=estate, name="1幢")
    entrance = f.EntranceFactory(building=building, name="1单元")
    apartment = f.ApartmentFactory(entrance=entrance, room="101", floor=1)
    elevator = f.ElevatorFactory(entrance=entrance, commissioned_on=dt.date(2003, 5, 1))
    return {
        "district": district,
        "subdistrict": sub,
        "community": community,
        "estate": estate,
        "building": building,
        "entrance": entrance,
        "apartment": apartment,
        "elevator": elevator,
    }


@pytest.fixture
def personas(db: None) -> World:
    """余杭区/良渚街道 (inside) and 西湖区/转塘街道 (outside), one user per Role over the inside,
    and an open campaign in each subdistrict."""
    world = World(
        inside=_places("余杭区", "良渚街道", "亲亲家园"),
        outside=_places("西湖区", "转塘街道", "之江花园"),
    )
    inside = world.inside
    owner = f.OwnershipFactory(apartment=inside["apartment"]).owner
    scopes: dict[str, dict[str, Any]] = {
        Role.SUBDISTRICT_STAFF: {"subdistrict": inside["subdistrict"]},
        Role.COMMUNITY_STAFF: {"community": inside["community"]},
        Role.OWNERS_COMMITTEE: {"estate": inside["estate"]},
        Role.PROPERTY_MANAGER: {"estate": inside["estate"]},
        Role.OWNER: {"owner": owner},
        Role.VENDOR: {"subdistrict": inside["subdistrict"]},
        Role.SUPERVISOR: {"subdistrict": inside["subdistrict"]},
        Role.DISTRICT_REGULATOR: {"district": inside["district"]},
    }
    world.users = {role: f.user_with_role(role, **scope) for role, scope in scopes.items()}
    for key, places in (("campaign", inside), ("other_campaign", world.outside)):
        campaign = campaign_open(
            actor=SYSTEM,
            subdistrict=places["subdistrict"],
            name="2024年老旧电梯更新",
            reference_date=dt.date(2024, 9, 1),
            deadline=dt.date(2025, 6, 30),
        )
        setattr(world, key, campaign)
    return world


# --- owners' motions -------------------------------------------------------------------------------


@dataclass
class MotionWorld:
    """One entrance of 亲亲家园 (inside the personas' scope) with a roll that exercises every
    headcount rule, and an open motion on it, voting now (opened 8 days ago, closes in 10 days).

    Apartments (area m²): 101 Ms Wang 80.00 and 102 Ms Wang 60.00 (one buyer of two: one head);
    201 Mr Li & Ms Zhao (co-owners) 90.00; 202 Mr Chen 100.00; 301 and 302 developer-held 70.00
    each (the developer: one head); 401 no owner on record 50.00. Totals 520.00 m², 5 heads.
    Voters by sheet number: 1 Wang, 2 Li & Zhao, 3 Chen, 4 developer, 5 (no owner)."""

    world: World
    motion: Any
    voters: dict[str, Any]
    staff: Any
    staff2: Any
    now: dt.datetime


@pytest.fixture
def motion_world(personas: World) -> MotionWorld:
    from django.utils import timezone

    from gongzhi.motions.models import Voter
    from gongzhi.motions.services import motion_create, motion_open
    from gongzhi.places.models import OwnerKind

    inside = personas.inside
    entrance = f.EntranceFactory(building=inside["building"], name="2单元")
    wang = f.OwnerFactory(name="王芳", phone="13800000001")
    li = f.OwnerFactory(name="李强", phone="13800000002")
    zhao = f.OwnerFactory(name="赵敏")
    chen = f.OwnerFactory(name="陈刚", phone="13800000003")
    developer = f.OwnerFactory(name="某置业有限公司", kind=OwnerKind.DEVELOPER)
    plan = [
        ("101", 1, "80.00", [wang], False),
        ("102", 1, "60.00", [wang], False),
        ("201", 2, "90.00", [li, zhao], False),
        ("202", 2, "100.00", [chen], False),
        ("301", 3, "70.00", [developer], True),
        ("302", 3, "70.00", [], True),
        ("401", 4, "50.00", [], False),
    ]
    for room, floor, area, owners, dev in plan:
        apt = f.ApartmentFactory(entrance=entrance, room=room, floor=floor, area=area, developer_held=dev)
        for owner in owners:
            f.OwnershipFactory(owner=owner, apartment=apt)
    staff = personas.users[Role.COMMUNITY_STAFF]
    staff2 = f.user_with_role(Role.COMMUNITY_STAFF, community=inside["community"])
    now = timezone.now()
    opens = now - dt.timedelta(days=1)
    motion = motion_create(
        actor=staff,
        estate=inside["estate"],
        title="2单元电梯更新",
        question="是否同意更新2单元电梯？",
        scope_kind="entrance",
        scope_entrance=entrance,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=11),
    )
    motion = motion_open(actor=staff, motion=motion, now=opens - dt.timedelta(days=7))
    voters = {v.number: v for v in Voter.objects.filter(motion=motion)}
    names = {"wang": 1, "li_zhao": 2, "chen": 3, "developer": 4, "nobody": 5}
    return MotionWorld(personas, motion, {k: voters[n] for k, n in names.items()}, staff, staff2, now)


# --- the test database -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's, except that an xdist worker on PostgreSQL copies the database the controller
    migrated instead of migrating its own (tests/database_support.py)."""
    yield from database_support.setup_test_database(request, django_db_blocker)


def pytest_sessionstart(session: pytest.Session) -> None:
    database_support.build_template(session.config)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    database_support.pass_template(node.config, node.workerinput)


def pytest_sessionfinish(session: pytest.Session) -> None:
    database_support.drop_template(session.config)


_DB_FIXTURES = frozenset({"db", "transactional_db", "django_db_setup", "live_server"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that touch no database `nodb` (pure domain math, command-line contracts): the
    PostgreSQL pass of `make test` leaves them out, since they ran in the SQLite pass and nothing in
    them depends on the database. Tests that drive Chromium get `browser` even without the mark
    (the SQLite pass runs them; so do the sample data's own tests, marked `demo_data` in their
    modules). Every
    test must have a node id of its own (see _unique_node_ids). Then, in test_demo.py, run the
    tests that need an empty database before those sharing the loaded demo (a module-scoped fixture
    kept until the module ends)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if not item.get_closest_marker("django_db") and not (_DB_FIXTURES & fixtures):
            item.add_marker(pytest.mark.nodb)
        if "browser" in fixtures and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)  # whoever forgot the mark: Chromium runs in the SQLite pass only
    _unique_node_ids(items)
    demo_items = [i for i in items if i.nodeid.startswith("tests/test_demo.py")]
    if not demo_items:
        return
    first = items.index(demo_items[0])
    ordered = sorted(demo_items, key=lambda i: "demo" in getattr(i, "fixturenames", ()))
    rest = [i for i in items if i not in set(demo_items)]
    items[:] = rest[:first] + ordered + rest[first:]


def _unique_node_ids(items: list[pytest.Item]) -> None:
    """Every test needs its own node id: pytest-xdist schedules by node id, and under
    `--dist loadfile` items sharing one are run once. Schemathesis 4.32 builds one item per API
    operation (`test_api_conforms_to_its_schema[GET /api/estates]`) but passes the bare function name
    as `originalname`, from which pytest 9.2 builds the node id: all thirty items got the same id,
    and the xdist passes ran one operation of thirty. The operation's label is put back into the id
    here; any other duplicate stops the run rather than being run once unnoticed."""
    for item in items:
        original = getattr(item, "originalname", item.name)
        if item.name != original and "[" not in item.nodeid and item.name.startswith(f"{original}["):
            item._id = item._id.with_params(item.name[len(original) + 1 : -1])
    twice = sorted(nodeid for nodeid, n in Counter(i.nodeid for i in items).items() if n > 1)
    if twice:
        raise pytest.UsageError(f"tests sharing a node id would run once under xdist: {twice[:5]}")


# --- renewal delivery ------------------------------------------------------------------------------


@dataclass
class DeliveryWorld:
    """The personas' world with two vendors in 良渚街道 (甲电梯 with the vendor persona as member, 乙电梯
    with `other_vendor_user`), a second elevator in the same entrance and one in a second entrance of
    the same building, and a renewal for each of the three inside elevators in the inside campaign
    (decided on 2024-12-01: stages up to the owners' decision done), plus one renewal in the outside
    campaign. `manager` is the subdistrict staff persona."""

    world: World
    vendor: Any
    other_vendor: Any
    other_vendor_user: Any
    renewals: list[Any]
    outside_renewal: Any
    manager: Any


@pytest.fixture
def delivery_world(personas: World) -> DeliveryWorld:
    from gongzhi.delivery.services import renewal_create
    from gongzhi.elevators.models import CampaignEntry
    from gongzhi.elevators.services import campaign_rank
    from gongzhi.renewals.models import Vendor

    inside, outside = personas.inside, personas.outside
    sub = inside["subdistrict"]
    vendor = Vendor.objects.create(subdistrict=sub, name="甲电梯")
    vendor.members.add(personas.users[Role.VENDOR])
    other = Vendor.objects.create(subdistrict=sub, name="乙电梯")
    other_user = f.user_with_role(Role.VENDOR, subdistrict=sub)
    other.members.add(other_user)
    second = f.ElevatorFactory(entrance=inside["entrance"], commissioned_on=dt.date(2004, 3, 1))
    entrance2 = f.EntranceFactory(building=inside["building"], name="2单元")
    third = f.ElevatorFactory(entrance=entrance2, commissioned_on=dt.date(2002, 7, 1))
    assert personas.campaign is not None
    assert personas.other_campaign is not None
    for campaign in (personas.campaign, personas.other_campaign):
        campaign_rank(actor=SYSTEM, campaign=campaign)
    assert CampaignEntry.objects.filter(campaign=personas.campaign).count() == 3
    manager = personas.users[Role.SUBDISTRICT_STAFF]
    decided = dt.date(2024, 12, 1)
    renewals = [
        renewal_create(
            actor=manager,
            campaign=personas.campaign,
            elevator=elevator,
            vendor=vendor if n < 2 else other,
            works_days=40 + 5 * n,
            decided_on=decided,
        )
        for n, elevator in enumerate((inside["elevator"], second, third))
    ]
    outside_vendor = Vendor.objects.create(subdistrict=outside["subdistrict"], name="丙电梯")
    outside_renewal = renewal_create(
        actor=SYSTEM,
        campaign=personas.other_campaign,
        elevator=outside["elevator"],
        vendor=outside_vendor,
        works_days=45,
        decided_on=decided,
    )
    return DeliveryWorld(personas, vendor, other, other_user, renewals, outside_renewal, manager)


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts and ends in the default language: a request in English activates English for
    the thread, and a later test that calls a service directly would otherwise get English messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
