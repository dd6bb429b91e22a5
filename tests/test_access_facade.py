"""The access façade (places.access): chain_of at every level, may/require/scoped for every role on
the personas' world, talent's membership checks through the same require, and a scan of src/
that keeps every app on the façade (no other module reads ROLE_ACTIONS, defines a `_require*` or
`_user` helper, or builds a place Chain by hand)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from gongzhi.core.actors import SYSTEM, SystemActor, acting_user, person
from gongzhi.core.errors import AccessDeniedError
from gongzhi.elevators.models import Campaign, CampaignEntry, Elevator
from gongzhi.places.access import ROLE_ACTIONS, Action, Chain, chain_of, may, require, scope_q, scoped
from gongzhi.places.models import Apartment, Building, Community, Entrance, Estate, Role, Subdistrict
from gongzhi.suggestions.models import Suggestion
from gongzhi.talent.access import TalentAction
from tests import factories as f
from tests.conftest import World
from tests.talent_support import TalentWorld

SRC = Path(__file__).resolve().parents[1] / "src" / "gongzhi"
FACADE = SRC / "places" / "access.py"

PLACE_MODELS = {
    "subdistrict": Subdistrict,
    "community": Community,
    "estate": Estate,
    "building": Building,
    "entrance": Entrance,
    "apartment": Apartment,
    "elevator": Elevator,
}


# --- chain_of ----------------------------------------------------------------------------------------


def test_chain_of_every_level(personas: World) -> None:
    p = personas.inside
    d, s, c, e = p["district"].pk, p["subdistrict"].pk, p["community"].pk, p["estate"].pk
    entrance = frozenset({p["entrance"].pk})
    assert chain_of(p["district"]) == Chain(district_id=d)
    assert chain_of(p["subdistrict"]) == Chain(d, s)
    assert chain_of(p["community"]) == Chain(d, s, c)
    assert chain_of(p["estate"]) == Chain(d, s, c, e)
    assert chain_of(p["building"]) == Chain(d, s, c, e, entrance)
    assert chain_of(p["entrance"]) == Chain(d, s, c, e, entrance)
    assert chain_of(p["apartment"]) == Chain(d, s, c, e, entrance, p["apartment"].pk)
    # Objects anchored at a place (access_anchor) and objects declaring a path (access_path).
    assert chain_of(p["elevator"]) == Chain(d, s, c, e, entrance)
    assert chain_of(personas.campaign) == Chain(d, s)
    assert chain_of(Suggestion(subdistrict=p["subdistrict"], community=p["community"])) == Chain(d, s, c)
    assert chain_of(Suggestion(subdistrict=p["subdistrict"], community=p["community"], estate=p["estate"])) == Chain(
        d, s, c, e
    )
    assert chain_of(object()) is None


def test_chain_of_costs_no_query_when_the_places_are_loaded(personas: World, django_assert_num_queries: Any) -> None:
    estate = Estate.objects.select_related("community__subdistrict").get(pk=personas.inside["estate"].pk)
    apartment = Apartment.objects.select_related("entrance__building__estate__community__subdistrict").get(
        pk=personas.inside["apartment"].pk
    )
    with django_assert_num_queries(0):
        chain_of(estate)
        chain_of(apartment)
        chain_of(estate.community)


# --- may / require / scoped for each role ---------------------------------------------------------------


@pytest.mark.parametrize("role", list(ROLE_ACTIONS))
def test_may_and_require_follow_the_table_for_each_role(personas: World, role: str) -> None:
    user = personas.users[role]
    for action in (Action.VIEW_REGISTRY, Action.CHANGE_REGISTRY, Action.MANAGE_MOTION, Action.VIEW_CAMPAIGN):
        for key in ("estate", "building", "entrance", "elevator"):
            obj = personas.inside[key]
            want = action in ROLE_ACTIONS[role]  # every persona holds a scope over the inside estate
            assert may(user, action, obj) is want, (role, action, key)
            assert may(user, action, personas.outside[key]) is False, (role, action, key)
            if want:
                require(user, action, obj)
            else:
                with pytest.raises(AccessDeniedError) as exc:
                    require(user, action, obj)
                assert exc.value.message == "您无权执行此操作。"
                assert exc.value.status == 403


@pytest.mark.parametrize("role", list(ROLE_ACTIONS))
def test_scoped_agrees_with_may_for_each_role(personas: World, role: str) -> None:
    """The list a user sees and the objects they may open never disagree (estate level and below)."""
    user = personas.users[role]
    for action in (Action.VIEW_REGISTRY, Action.VIEW_OWNERS, Action.CHANGE_REGISTRY, Action.VIEW_CAMPAIGN):
        for key in ("estate", "building", "entrance", "apartment", "elevator"):
            model = PLACE_MODELS[key]
            seen = set(scoped(user, action, model.objects.all()).values_list("pk", flat=True))
            for side in (personas.inside, personas.outside):
                obj = side[key]
                assert (obj.pk in seen) is may(user, action, obj), (role, action, key)


def test_scoped_campaigns_by_subdistrict(personas: World) -> None:
    assert personas.campaign is not None
    assert personas.other_campaign is not None
    for role, user in personas.users.items():
        seen = set(scoped(user, Action.VIEW_CAMPAIGN, Campaign.objects.all()))
        assert seen == {personas.campaign}, role
    entries = scoped(personas.users[Role.OWNER], Action.VIEW_CAMPAIGN, CampaignEntry.objects.all())
    assert all(e.elevator.entrance_id == personas.inside["entrance"].pk for e in entries)


def test_an_owner_sees_owners_of_their_own_apartment_only(personas: World) -> None:
    owner = personas.users[Role.OWNER]
    mine = personas.inside["apartment"]
    neighbour = f.ApartmentFactory(entrance=mine.entrance, room="102", floor=1)
    assert may(owner, Action.VIEW_OWNERS, mine)
    assert not may(owner, Action.VIEW_OWNERS, neighbour)
    assert may(owner, Action.VIEW_REGISTRY, neighbour)
    assert set(scoped(owner, Action.VIEW_OWNERS, Apartment.objects.all())) == {mine}
    assert set(scoped(owner, Action.VIEW_REGISTRY, Apartment.objects.all())) == {mine, neighbour}


def test_districts_and_communities(personas: World) -> None:
    district, community = personas.inside["district"], personas.inside["community"]
    regulator = personas.users[Role.DISTRICT_REGULATOR]
    staff = personas.users[Role.SUBDISTRICT_STAFF]
    assert may(regulator, Action.VIEW_LEDGER, district)
    assert not may(staff, Action.VIEW_LEDGER, district)  # a subdistrict's staff do not see the district's roll-up
    assert not may(personas.users[Role.OWNER], Action.VIEW_LEDGER, district)
    assert may(personas.users[Role.COMMUNITY_STAFF], Action.MANAGE_COUNCILS, community)
    assert not may(personas.users[Role.COMMUNITY_STAFF], Action.MANAGE_COUNCILS, personas.outside["community"])
    # Any role over or in a community sees it (VIEW_REGISTRY, which every role holds).
    for role, user in personas.users.items():
        assert set(scoped(user, Action.VIEW_REGISTRY, Community.objects.all())) == {community}, role
    assert all(Action.VIEW_REGISTRY in actions for actions in ROLE_ACTIONS.values())


def test_require_keeps_a_callers_message(personas: World) -> None:
    with pytest.raises(AccessDeniedError) as exc:
        require(personas.users[Role.OWNER], Action.MANAGE_COUNCILS, personas.inside["community"], "只有社区可以。")
    assert exc.value.message == "只有社区可以。"


def test_system_superuser_and_anonymous(personas: World, django_user_model: Any) -> None:
    outside = personas.outside["estate"]
    superuser = django_user_model.objects.create(username="root", is_superuser=True)
    for action in Action:
        assert may(SYSTEM, action, outside)
        assert may(superuser, action, outside)
        assert not may(AnonymousUser(), action, personas.inside["estate"])
    assert scope_q(SYSTEM, Action.VIEW_REGISTRY, Estate) is None
    assert not scoped(AnonymousUser(), Action.VIEW_REGISTRY, Estate.objects.all()).exists()
    assert not may(SYSTEM, Action.VIEW_REGISTRY, None)


def test_acting_user_and_person(personas: World) -> None:
    user = personas.users[Role.OWNER]
    assert acting_user(user) == user
    assert acting_user(SYSTEM) is None
    assert acting_user(AnonymousUser()) is None
    assert acting_user(None) is None
    assert person(user) == user
    for nobody in (SYSTEM, AnonymousUser(), None):
        with pytest.raises(AccessDeniedError):
            person(nobody)
    assert isinstance(SYSTEM, SystemActor)


# --- talent through the same façade ------------------------------------------------------------------


def test_talent_membership_checks_through_require(talent_world: TalentWorld) -> None:
    tw = talent_world
    admin, cadre_user, instructor = tw.users["admin"], tw.users["cadre"], tw.users["instructor"]
    assert may(admin, TalentAction.ADMINISTER, tw.pool)
    assert may(admin, TalentAction.ADMINISTER, tw.pool.pk)
    assert not may(tw.users["other_admin"], TalentAction.ADMINISTER, tw.pool)
    with pytest.raises(AccessDeniedError) as exc:
        require(tw.users["outsider"], TalentAction.ADMINISTER, tw.pool)
    assert exc.value.message == "只有人才库管理员可以进行此操作。"
    # Administrators keep dossiers, never their own.
    require(admin, TalentAction.KEEP_DOSSIER, tw.cadres["self"])
    tw.pool.administrators.add(cadre_user)
    with pytest.raises(AccessDeniedError) as exc:
        require(cadre_user, TalentAction.KEEP_DOSSIER, tw.cadres["self"])
    assert exc.value.message == "本人不能修改自己的档案。"
    # A course's instructors (and the administrators) teach it.
    course = tw.courses[3]
    assert may(instructor, TalentAction.TEACH, course)
    assert may(admin, TalentAction.TEACH, course)
    assert not may(instructor, TalentAction.TEACH, tw.courses[0])
    with pytest.raises(AccessDeniedError) as exc:
        require(AnonymousUser(), TalentAction.TEACH, course)
    assert exc.value.message == "只有本课程的授课教师或人才库管理员可以进行此操作。"


# --- no side doors ---------------------------------------------------------------------------------------


def _side_doors(path: Path, root: Path = SRC) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Name | ast.alias | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.name if isinstance(node, ast.alias) else node.attr
            if name == "ROLE_ACTIONS":
                found.append(f"{where} reads ROLE_ACTIONS")
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
            node.name.startswith("_require") or node.name == "_user"
        ):
            found.append(f"{where} defines {node.name}")
        if isinstance(node, ast.alias) and node.asname is not None and node.asname.startswith("_require"):
            found.append(f"{where} imports {node.name} as {node.asname}")
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "Chain":
                found.append(f"{where} builds a Chain by hand")
    return found


def test_no_module_other_than_the_facade_touches_the_table() -> None:
    found = [
        problem
        for path in sorted(SRC.rglob("*.py"))
        if path != FACADE and "migrations" not in path.parts
        for problem in _side_doors(path)
    ]
    assert found == []


def test_the_scan_finds_a_side_door(tmp_path: Path) -> None:
    bad = tmp_path / "side_door.py"
    bad.write_text(
        "from gongzhi.places.access import ROLE_ACTIONS, Chain\n"
        "def _require(actor, action, obj):\n"
        "    return Chain(1, 2) if ROLE_ACTIONS else None\n"
        "def _user(actor):\n"
        "    return actor\n",
        encoding="utf-8",
    )
    assert len(_side_doors(bad, tmp_path)) == 5
