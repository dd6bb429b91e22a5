"""Role × object × action: the permission table, checked for every cell.

The same table drives object checks (user.has_perm("places.<action>", obj)) and scoped lists
(access_* selectors); the second half asserts that the two always agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from gongzhi.elevators.models import Campaign, Elevator
from gongzhi.elevators.selectors import access_campaigns, access_elevators
from gongzhi.places.access import Action
from gongzhi.places.models import Apartment, Role, Subdistrict
from gongzhi.places.selectors import access_apartments, access_entrances, access_estates
from tests import factories as f

pytestmark = pytest.mark.django_db


@dataclass
class World:
    objects: dict[str, Any]
    users: dict[str, Any]


def build_world() -> World:
    d1 = f.DistrictFactory(name="余杭区")
    d2 = f.DistrictFactory(name="西湖区")
    sub1 = f.SubdistrictFactory(district=d1, name="良渚街道")
    sub2 = f.SubdistrictFactory(district=d1, name="仁和街道")
    sub3 = f.SubdistrictFactory(district=d2, name="转塘街道")
    com_a = f.CommunityFactory(subdistrict=sub1, name="亲亲家园社区")
    com_b = f.CommunityFactory(subdistrict=sub1, name="玉泽社区")
    e1 = f.EstateFactory(community=com_a, name="亲亲家园")
    e2 = f.EstateFactory(community=com_b, name="北秀蓝湾")
    e3 = f.EstateFactory(community=f.CommunityFactory(subdistrict=sub2), name="仁和小区")
    e4 = f.EstateFactory(community=f.CommunityFactory(subdistrict=sub3), name="转塘小区")
    b1 = f.BuildingFactory(estate=e1)
    entrance_own = f.EntranceFactory(building=b1)
    entrance_other = f.EntranceFactory(building=b1)
    apt_own = f.ApartmentFactory(entrance=entrance_own)
    apt_neighbour = f.ApartmentFactory(entrance=entrance_own)
    apt_e2 = f.ApartmentFactory(entrance=f.EntranceFactory(building=f.BuildingFactory(estate=e2)))
    owner = f.OwnerFactory()
    f.OwnershipFactory(owner=owner, apartment=apt_own)
    f.OwnershipFactory(apartment=apt_neighbour)
    objects = {
        "elev_own_entrance": f.ElevatorFactory(entrance=entrance_own),
        "elev_e1_other_entrance": f.ElevatorFactory(entrance=entrance_other),
        "elev_e2": f.ElevatorFactory(entrance=apt_e2.entrance),
        "elev_sub2": f.ElevatorFactory(entrance=f.EntranceFactory(building=f.BuildingFactory(estate=e3))),
        "elev_other_district": f.ElevatorFactory(entrance=f.EntranceFactory(building=f.BuildingFactory(estate=e4))),
        "apt_own": apt_own,
        "apt_neighbour": apt_neighbour,
        "apt_e2": apt_e2,
        "camp_sub1": f.CampaignFactory(subdistrict=sub1),
        "camp_sub2": f.CampaignFactory(subdistrict=sub2),
        "sub1": sub1,
        "estate_e1": e1,
    }
    users = {
        Role.SUBDISTRICT_STAFF: f.user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=sub1),
        Role.COMMUNITY_STAFF: f.user_with_role(Role.COMMUNITY_STAFF, community=com_a),
        Role.OWNERS_COMMITTEE: f.user_with_role(Role.OWNERS_COMMITTEE, estate=e1),
        Role.PROPERTY_MANAGER: f.user_with_role(Role.PROPERTY_MANAGER, estate=e2),
        Role.OWNER: f.user_with_role(Role.OWNER, owner=owner),
        Role.VENDOR: f.user_with_role(Role.VENDOR, subdistrict=sub1),
        Role.SUPERVISOR: f.user_with_role(Role.SUPERVISOR, subdistrict=sub1),
        Role.DISTRICT_REGULATOR: f.user_with_role(Role.DISTRICT_REGULATOR, district=d1),
        "nobody": f.UserFactory(),
    }
    return World(objects, users)


@pytest.fixture(scope="module")
def _module_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The world built once for the module (2,300-odd cells), in a transaction rolled back when the
    module ends. Each test still runs in its own savepoint (the `db` fixture), so a test that writes
    leaves nothing for the next; tests must not change the shared Python objects themselves (a
    test that changes a user loads its own copy)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_module_world: World, db: None) -> World:
    return _module_world


SUB1_ELEVATORS = {"elev_own_entrance", "elev_e1_other_entrance", "elev_e2"}
E1_ELEVATORS = {"elev_own_entrance", "elev_e1_other_entrance"}
ALL_APTS = {"apt_own", "apt_neighbour", "apt_e2"}
E1_APTS = {"apt_own", "apt_neighbour"}
E1 = {"estate_e1"}

# role → action → the objects on which the action is allowed (all other objects: refused).
TABLE: dict[str, dict[Action, set[str]]] = {
    Role.SUBDISTRICT_STAFF: {
        Action.VIEW_REGISTRY: SUB1_ELEVATORS | ALL_APTS | E1 | {"sub1"},
        Action.VIEW_OWNERS: SUB1_ELEVATORS | ALL_APTS | E1 | {"sub1"},
        Action.CHANGE_REGISTRY: SUB1_ELEVATORS | ALL_APTS | E1 | {"sub1"},
        Action.RECORD_FAULTS: SUB1_ELEVATORS | ALL_APTS | E1 | {"sub1"},
        Action.VIEW_CAMPAIGN: SUB1_ELEVATORS | ALL_APTS | E1 | {"sub1", "camp_sub1"},
        Action.MANAGE_CAMPAIGN: SUB1_ELEVATORS | ALL_APTS | E1 | {"sub1", "camp_sub1"},
    },
    Role.COMMUNITY_STAFF: {
        Action.VIEW_REGISTRY: E1_ELEVATORS | E1_APTS | E1,
        Action.VIEW_OWNERS: E1_ELEVATORS | E1_APTS | E1,
        Action.CHANGE_REGISTRY: E1_ELEVATORS | E1_APTS | E1,
        Action.RECORD_FAULTS: E1_ELEVATORS | E1_APTS | E1,
        Action.VIEW_CAMPAIGN: E1_ELEVATORS | E1_APTS | E1 | {"sub1", "camp_sub1"},
        Action.MANAGE_CAMPAIGN: set(),
    },
    Role.OWNERS_COMMITTEE: {
        Action.VIEW_REGISTRY: E1_ELEVATORS | E1_APTS | E1,
        Action.VIEW_OWNERS: E1_ELEVATORS | E1_APTS | E1,
        Action.CHANGE_REGISTRY: set(),
        Action.RECORD_FAULTS: set(),
        Action.VIEW_CAMPAIGN: E1_ELEVATORS | E1_APTS | E1 | {"sub1", "camp_sub1"},
        Action.MANAGE_CAMPAIGN: set(),
    },
    Role.PROPERTY_MANAGER: {
        Action.VIEW_REGISTRY: {"elev_e2", "apt_e2"},
        Action.VIEW_OWNERS: {"elev_e2", "apt_e2"},
        Action.CHANGE_REGISTRY: set(),
        Action.RECORD_FAULTS: {"elev_e2", "apt_e2"},
        Action.VIEW_CAMPAIGN: {"elev_e2", "apt_e2", "sub1", "camp_sub1"},
        Action.MANAGE_CAMPAIGN: set(),
    },
    Role.OWNER: {
        # An owner sees their own entrance (its elevators and apartments) and estate...
        Action.VIEW_REGISTRY: {"elev_own_entrance", "apt_own", "apt_neighbour", "estate_e1", "sub1"},
        # ...but owners' personal details of their own apartment only.
        Action.VIEW_OWNERS: {"elev_own_entrance", "apt_own", "estate_e1", "sub1"},
        Action.CHANGE_REGISTRY: set(),
        Action.RECORD_FAULTS: set(),
        Action.VIEW_CAMPAIGN: {"elev_own_entrance", "apt_own", "apt_neighbour", "estate_e1", "sub1", "camp_sub1"},
        Action.MANAGE_CAMPAIGN: set(),
    },
    Role.VENDOR: {
        Action.VIEW_REGISTRY: SUB1_ELEVATORS | ALL_APTS | E1 | {"sub1"},
        Action.VIEW_OWNERS: set(),
        Action.CHANGE_REGISTRY: set(),
        Action.RECORD_FAULTS: set(),
        Action.VIEW_CAMPAIGN: SUB1_ELEVATORS | ALL_APTS | E1 | {"sub1", "camp_sub1"},
        Action.MANAGE_CAMPAIGN: set(),
    },
    Role.DISTRICT_REGULATOR: {
        Action.VIEW_REGISTRY: SUB1_ELEVATORS | {"elev_sub2"} | ALL_APTS | E1 | {"sub1"},
        Action.VIEW_OWNERS: set(),
        Action.CHANGE_REGISTRY: set(),
        Action.RECORD_FAULTS: set(),
        Action.VIEW_CAMPAIGN: SUB1_ELEVATORS | {"elev_sub2"} | ALL_APTS | E1 | {"sub1", "camp_sub1", "camp_sub2"},
        Action.MANAGE_CAMPAIGN: set(),
    },
    "nobody": {action: set() for action in Action},
}
TABLE[Role.SUPERVISOR] = {action: set(objects) for action, objects in TABLE[Role.VENDOR].items()}

# Owners' motions, renewal consultation and meetings: who holds which of these actions. Where a role holds
# one, it holds it over the same objects it may view in the registry (its scope); elsewhere nowhere.
_MOTION_ACTIONS = {
    Action.VIEW_MOTION,
    Action.MANAGE_MOTION,
    Action.ENTER_BALLOTS,
    Action.VIEW_VOTERS,
    Action.SUBMIT_OFFERS,
    Action.MANAGE_RENEWAL,
    Action.VIEW_MEETING,
    Action.MANAGE_MEETING,
    Action.MANAGE_DELIVERY,
    Action.RECORD_PROGRESS,
    Action.VIEW_SUGGESTIONS,
    Action.MANAGE_SUGGESTIONS,
    Action.VIEW_LEDGER,
    Action.RECORD_LEDGER,
    Action.APPROVE_SPENDING,
    Action.MANAGE_COUNCILS,
    Action.MANAGE_SPACES,
}
_AFFAIRS = {
    Action.VIEW_SUGGESTIONS,
    Action.MANAGE_SUGGESTIONS,
    Action.VIEW_LEDGER,
    Action.MANAGE_COUNCILS,
    Action.MANAGE_SPACES,
}
_RUN = {
    Action.VIEW_MOTION,
    Action.MANAGE_MOTION,
    Action.ENTER_BALLOTS,
    Action.VIEW_VOTERS,
    Action.MANAGE_RENEWAL,
    Action.VIEW_MEETING,
    Action.MANAGE_MEETING,
}
MOTION_GRANTS: dict[str, set[Action]] = {
    Role.SUBDISTRICT_STAFF: {*_RUN, *_AFFAIRS, Action.MANAGE_DELIVERY, Action.RECORD_PROGRESS},
    Role.COMMUNITY_STAFF: {*_RUN, *_AFFAIRS, Action.MANAGE_DELIVERY, Action.RECORD_PROGRESS},
    Role.OWNERS_COMMITTEE: {
        *_RUN,
        Action.RECORD_PROGRESS,
        Action.VIEW_LEDGER,
        Action.RECORD_LEDGER,
        Action.APPROVE_SPENDING,
    },
    Role.PROPERTY_MANAGER: {
        Action.VIEW_MOTION,
        Action.VIEW_VOTERS,
        Action.VIEW_MEETING,
        Action.RECORD_PROGRESS,
        Action.VIEW_LEDGER,
        Action.RECORD_LEDGER,
    },
    Role.OWNER: {Action.VIEW_MOTION, Action.VIEW_MEETING, Action.VIEW_LEDGER},
    Role.VENDOR: {Action.SUBMIT_OFFERS, Action.VIEW_MEETING, Action.RECORD_PROGRESS},
    Role.SUPERVISOR: {
        Action.VIEW_MOTION,
        Action.VIEW_VOTERS,
        Action.VIEW_MEETING,
        Action.VIEW_SUGGESTIONS,
        Action.VIEW_LEDGER,
    },
    Role.DISTRICT_REGULATOR: {Action.VIEW_MOTION, Action.VIEW_MEETING, Action.VIEW_SUGGESTIONS, Action.VIEW_LEDGER},
    "nobody": set(),
}
for _role, _actions in TABLE.items():
    for _action in _MOTION_ACTIONS:
        _actions[_action] = set(_actions[Action.VIEW_REGISTRY]) if _action in MOTION_GRANTS[_role] else set()
# A campaign is checked at its subdistrict: whoever may act on the subdistrict may act on its
# campaign (and a regulator on every subdistrict of the district).
for _role, _actions in TABLE.items():
    for _objects in _actions.values():
        if "sub1" in _objects:
            _objects.add("camp_sub1")
            if _role == Role.DISTRICT_REGULATOR:
                _objects.add("camp_sub2")

OBJECT_NAMES = [
    "elev_own_entrance",
    "elev_e1_other_entrance",
    "elev_e2",
    "elev_sub2",
    "elev_other_district",
    "apt_own",
    "apt_neighbour",
    "apt_e2",
    "camp_sub1",
    "camp_sub2",
    "sub1",
    "estate_e1",
]
CELLS = [(role, obj, action) for role in TABLE for obj in OBJECT_NAMES for action in Action]


def test_every_role_is_in_the_table() -> None:
    assert set(TABLE) == {*Role.values, "nobody"}


@pytest.mark.parametrize(("role", "obj", "action"), CELLS, ids=[f"{r}-{o}-{a.value}" for r, o, a in CELLS])
def test_permission_cell(world: World, role: str, obj: str, action: Action) -> None:
    user = world.users[role]
    expected = obj in TABLE[role][action]
    assert user.has_perm(f"places.{action.value}", world.objects[obj]) is expected


@pytest.mark.parametrize("role", list(TABLE))
def test_lists_agree_with_object_checks(world: World, role: str) -> None:
    user = world.users[role]
    for action in Action:
        elevators = {
            o.pk for name, o in world.objects.items() if isinstance(o, Elevator) and name in TABLE[role][action]
        }
        assert set(access_elevators(user, action).values_list("pk", flat=True)) == elevators, action
        apartments = {
            o.pk for name, o in world.objects.items() if isinstance(o, Apartment) and name in TABLE[role][action]
        }
        assert set(access_apartments(user, action).values_list("pk", flat=True)) == apartments, action
    campaigns = {
        o.pk
        for name, o in world.objects.items()
        if isinstance(o, Campaign) and name in TABLE[role][Action.VIEW_CAMPAIGN]
    }
    assert set(access_campaigns(user).values_list("pk", flat=True)) == campaigns
    entrances = set(access_entrances(user).values_list("pk", flat=True))
    assert entrances == {
        o.entrance_id
        for name, o in world.objects.items()
        if isinstance(o, Elevator) and name in TABLE[role][Action.VIEW_REGISTRY]
    } | {
        o.entrance_id
        for name, o in world.objects.items()
        if isinstance(o, Apartment) and name in TABLE[role][Action.VIEW_REGISTRY]
    }
    estates = set(access_estates(user).values_list("name", flat=True))
    expected_estates = {
        o.entrance.building.estate.name
        for name, o in world.objects.items()
        if isinstance(o, Elevator | Apartment) and name in TABLE[role][Action.VIEW_REGISTRY]
    }
    assert estates == expected_estates


def test_superuser_may_do_everything(world: World) -> None:
    admin = f.UserFactory(is_superuser=True, is_staff=True)
    for name in OBJECT_NAMES:
        for action in Action:
            assert admin.has_perm(f"places.{action.value}", world.objects[name])
    assert access_elevators(admin).count() == Elevator.objects.count()


def test_inactive_user_may_do_nothing(world: World) -> None:
    user = get_user_model().objects.get(pk=world.users[Role.SUBDISTRICT_STAFF].pk)  # not the shared object
    user.is_active = False
    user.save()
    user.refresh_from_db()
    assert not user.has_perm("places.view_registry", world.objects["elev_e2"])
    assert access_elevators(user).count() == 0


def test_object_checks_cost_no_query_once_loaded(world: World, django_assert_num_queries: Any) -> None:
    user = world.users[Role.COMMUNITY_STAFF]
    elevators = list(Elevator.objects.select_related("entrance__building__estate__community__subdistrict"))
    user.has_perm("places.view_registry", elevators[0])  # loads the user's roles once
    with django_assert_num_queries(0):
        for elevator in elevators:
            user.has_perm("places.view_registry", elevator)


def test_subdistrict_check(world: World) -> None:
    staff = world.users[Role.SUBDISTRICT_STAFF]
    assert staff.has_perm("places.manage_campaign", Subdistrict.objects.get(name="良渚街道"))
    assert not staff.has_perm("places.manage_campaign", Subdistrict.objects.get(name="仁和街道"))
