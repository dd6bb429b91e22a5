"""Role × action × motion: the permission table of owners' motions, checked for every cell.

Motions are checked at their estate (Motion.access_anchor). The table below is written out cell
by cell; the same cells must hold for object checks (user.has_perm("places.<action>", motion)),
for the scoped list (selectors.access_motions) and for the services, which refuse an actor who
lacks the action before touching anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.core.actors import SYSTEM
from gongzhi.core.errors import AccessDeniedError
from gongzhi.motions import services as s
from gongzhi.motions.models import BallotVersion, Motion, MotionResult, PaperEntry, ProxyAuthorisation, Voter
from gongzhi.motions.selectors import access_motions
from gongzhi.places.access import Action
from gongzhi.places.models import Role
from tests import factories as f
from tests.conftest import World

pytestmark = pytest.mark.django_db

INSIDE = "inside"  # in the personas' estate 亲亲家园 (its community, subdistrict and district)
SAME_SUB = "same_subdistrict"  # another community of the same subdistrict 良渚街道
OUTSIDE = "outside"  # 西湖区 / 转塘街道: another district
MOTIONS = (INSIDE, SAME_SUB, OUTSIDE)

NOBODY = "nobody"  # a user without any role
OTHER_OWNER = "other_owner"  # an owner of an apartment in the same-subdistrict estate only

V, M, E, W = Action.VIEW_MOTION, Action.MANAGE_MOTION, Action.ENTER_BALLOTS, Action.VIEW_VOTERS
MOTION_ACTIONS = (V, M, E, W)
ALL4 = frozenset(MOTION_ACTIONS)
NONE: frozenset[Action] = frozenset()

# user → motion → the actions allowed on it (every other cell: refused).
TABLE: dict[str, dict[str, frozenset[Action]]] = {
    # Subdistrict staff run votes anywhere in their subdistrict.
    Role.SUBDISTRICT_STAFF: {INSIDE: ALL4, SAME_SUB: ALL4, OUTSIDE: NONE},
    # Community staff help the owners' committee convene the vote: their community only.
    Role.COMMUNITY_STAFF: {INSIDE: ALL4, SAME_SUB: NONE, OUTSIDE: NONE},
    Role.OWNERS_COMMITTEE: {INSIDE: ALL4, SAME_SUB: NONE, OUTSIDE: NONE},
    # The property manager sees the vote and who still has to be reached; it neither runs nor keys it.
    Role.PROPERTY_MANAGER: {INSIDE: frozenset({V, W}), SAME_SUB: NONE, OUTSIDE: NONE},
    # An owner sees motions of the estates where they own an apartment, not who voted.
    Role.OWNER: {INSIDE: frozenset({V}), SAME_SUB: NONE, OUTSIDE: NONE},
    # Vendors have a commercial stake in the outcome: no votes at all.
    Role.VENDOR: {INSIDE: NONE, SAME_SUB: NONE, OUTSIDE: NONE},
    Role.SUPERVISOR: {INSIDE: frozenset({V, W}), SAME_SUB: frozenset({V, W}), OUTSIDE: NONE},
    Role.DISTRICT_REGULATOR: {INSIDE: frozenset({V}), SAME_SUB: frozenset({V}), OUTSIDE: NONE},
    NOBODY: {INSIDE: NONE, SAME_SUB: NONE, OUTSIDE: NONE},
    OTHER_OWNER: {INSIDE: NONE, SAME_SUB: frozenset({V}), OUTSIDE: NONE},
}

CELLS = [(user, motion, action) for user in TABLE for motion in MOTIONS for action in MOTION_ACTIONS]


@dataclass
class MotionAccessWorld:
    personas: World
    motions: dict[str, Motion]
    users: dict[str, Any]


def _draft(estate: Any, entrance: Any, *, title: str) -> Motion:
    opens = timezone.now() + dt.timedelta(days=10)
    return s.motion_create(
        actor=SYSTEM,
        estate=estate,
        title=title,
        question=f"是否同意{title}？",
        scope_kind="entrance",
        scope_entrance=entrance,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=14),
    )


@pytest.fixture
def maw(personas: World) -> MotionAccessWorld:
    inside = personas.inside
    other_estate = f.EstateFactory(
        community=f.CommunityFactory(subdistrict=inside["subdistrict"], name="玉泽社区"), name="北秀蓝湾"
    )
    other_entrance = f.EntranceFactory(building=f.BuildingFactory(estate=other_estate, name="3幢"), name="1单元")
    other_apartment = f.ApartmentFactory(entrance=other_entrance, room="301", floor=3)
    other_owner = f.OwnershipFactory(apartment=other_apartment).owner
    motions = {
        INSIDE: _draft(inside["estate"], inside["entrance"], title="1幢1单元电梯更新"),
        SAME_SUB: _draft(other_estate, other_entrance, title="3幢1单元电梯更新"),
        OUTSIDE: _draft(personas.outside["estate"], personas.outside["entrance"], title="之江1单元电梯更新"),
    }
    users = {
        **personas.users,
        NOBODY: f.UserFactory(),
        OTHER_OWNER: f.user_with_role(Role.OWNER, owner=other_owner),
    }
    return MotionAccessWorld(personas, motions, users)


def test_every_role_is_in_the_table() -> None:
    assert set(TABLE) == {*Role.values, NOBODY, OTHER_OWNER}
    assert all(set(row) == set(MOTIONS) for row in TABLE.values())


@pytest.mark.parametrize(("user", "motion", "action"), CELLS, ids=[f"{u}-{m}-{a.value}" for u, m, a in CELLS])
def test_permission_cell(maw: MotionAccessWorld, user: str, motion: str, action: Action) -> None:
    expected = action in TABLE[user][motion]
    assert maw.users[user].has_perm(f"places.{action.value}", maw.motions[motion]) is expected


@pytest.mark.parametrize("user", list(TABLE))
def test_lists_agree_with_the_table(maw: MotionAccessWorld, user: str) -> None:
    for action in MOTION_ACTIONS:
        expected = {maw.motions[m].pk for m in MOTIONS if action in TABLE[user][m]}
        assert set(access_motions(maw.users[user], action).values_list("pk", flat=True)) == expected, action


def test_list_default_action_is_view(maw: MotionAccessWorld) -> None:
    owner = maw.users[Role.OWNER]
    assert list(access_motions(owner)) == [maw.motions[INSIDE]]


def test_superuser_and_inactive_user(maw: MotionAccessWorld) -> None:
    admin = f.UserFactory(is_superuser=True, is_staff=True)
    for motion in maw.motions.values():
        for action in MOTION_ACTIONS:
            assert admin.has_perm(f"places.{action.value}", motion)
    assert access_motions(admin, Action.MANAGE_MOTION).count() == len(MOTIONS)
    staff = maw.users[Role.SUBDISTRICT_STAFF]
    staff.is_active = False
    staff.save()
    staff.refresh_from_db()
    assert not staff.has_perm("places.view_motion", maw.motions[INSIDE])
    assert access_motions(staff).count() == 0


def test_object_checks_cost_no_query_once_loaded(maw: MotionAccessWorld, django_assert_num_queries: Any) -> None:
    user = maw.users[Role.SUPERVISOR]
    motions = list(access_motions(user))
    assert len(motions) == 2  # inside and the same subdistrict
    user.has_perm("places.view_motion", motions[0])  # loads the user's roles once
    with django_assert_num_queries(0):
        for motion in motions:
            assert user.has_perm("places.view_voters", motion)


# --- services refuse an actor without the action --------------------------------------------------


@dataclass
class Stage:
    """What a service acts on: the inside draft, or an open motion on the inside entrance voting
    now (announced 8 days before it opened) with its one voter."""

    motion: Motion
    voter: Voter | None
    now: dt.datetime


def _draft_stage(maw: MotionAccessWorld) -> Stage:
    return Stage(maw.motions[INSIDE], None, timezone.now())


def _open_stage(maw: MotionAccessWorld) -> Stage:
    inside = maw.personas.inside
    now = timezone.now()
    opens = now - dt.timedelta(days=1)
    motion = s.motion_create(
        actor=SYSTEM,
        estate=inside["estate"],
        title="1幢1单元电梯更新（表决中）",
        question="是否同意更新1幢1单元电梯？",
        scope_kind="entrance",
        scope_entrance=inside["entrance"],
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=11),
    )
    motion = s.motion_open(actor=SYSTEM, motion=motion, now=opens - dt.timedelta(days=8))
    return Stage(motion, Voter.objects.get(motion=motion), now)


def _mismatch_stage(maw: MotionAccessWorld) -> Stage:
    """Two staff members keyed the voter's sheet differently: a mismatch waits for resolution."""
    stage = _open_stage(maw)
    assert stage.voter is not None
    community = maw.personas.inside["community"]
    first = f.user_with_role(Role.COMMUNITY_STAFF, community=community)
    second = f.user_with_role(Role.COMMUNITY_STAFF, community=community)
    s.paper_entry_add(actor=first, voter=stage.voter, choice="for", now=stage.now)
    assert s.paper_entry_add(actor=second, voter=stage.voter, choice="against", now=stage.now).mismatch
    return stage


def _scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("auth.pdf", b"%PDF-1.4\n% signed authorisation\n", content_type="application/pdf")


def _create(actor: Any, st: Stage) -> Any:
    opens = st.now + dt.timedelta(days=10)
    return s.motion_create(
        actor=actor,
        estate=st.motion.estate,
        title="新建表决",
        question="是否同意？",
        scope_kind="estate",
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=7),
    )


def _voter(st: Stage) -> Voter:
    assert st.voter is not None
    return st.voter


SERVICES: dict[str, tuple[Action, Callable[[MotionAccessWorld], Stage], Callable[[Any, Stage], Any]]] = {
    "motion_create": (M, _draft_stage, _create),
    "motion_open": (M, _draft_stage, lambda a, st: s.motion_open(actor=a, motion=st.motion, now=st.now)),
    "motion_cancel": (M, _draft_stage, lambda a, st: s.motion_cancel(actor=a, motion=st.motion, reason="范围有误")),
    "motion_close": (M, _open_stage, lambda a, st: s.motion_close(actor=a, motion=st.motion, now=st.motion.closes_at)),
    "paper_entry_add": (
        E,
        _open_stage,
        lambda a, st: s.paper_entry_add(actor=a, voter=_voter(st), choice="for", now=st.now),
    ),
    "paper_mismatch_resolve": (
        M,
        _mismatch_stage,
        lambda a, st: s.paper_mismatch_resolve(actor=a, voter=_voter(st), choice="for", note="核对原件", now=st.now),
    ),
    "proxy_vote": (
        E,
        _open_stage,
        lambda a, st: s.proxy_vote(
            actor=a,
            voter=_voter(st),
            choice="for",
            proxy_name="张三",
            proxy_id_last4="123X",
            scan=_scan(),
            request_key="proxy-1",
            now=st.now,
        ),
    ),
    "paper_request": (E, _open_stage, lambda a, st: s.paper_request(actor=a, voter=_voter(st))),
}
SERVICE_CELLS = [(service, user) for service in SERVICES for user in TABLE]


def _snapshot() -> tuple[Any, ...]:
    """Everything a refused call must leave as it was."""
    return (
        sorted(Motion.objects.values_list("pk", "status")),
        BallotVersion.objects.count(),
        PaperEntry.objects.count(),
        ProxyAuthorisation.objects.count(),
        MotionResult.objects.count(),
        sorted(Voter.objects.values_list("pk", "paper_requested", "choice")),
    )


@pytest.mark.parametrize(("service", "user"), SERVICE_CELLS, ids=[f"{sv}-{u}" for sv, u in SERVICE_CELLS])
def test_service_refuses_without_the_action(
    maw: MotionAccessWorld, settings: Any, tmp_path: Any, service: str, user: str
) -> None:
    """Each service on the inside motion: refused, writing nothing, exactly where the table denies
    its action; where the table allows it, the same call goes through."""
    settings.MEDIA_ROOT = tmp_path
    action, stage, call = SERVICES[service]
    st = stage(maw)
    actor = maw.users[user]
    before = _snapshot()
    if action not in TABLE[user][INSIDE]:
        with pytest.raises(AccessDeniedError):
            call(actor, st)
        assert _snapshot() == before
        return
    call(actor, st)
    assert _snapshot() != before  # the allowed call wrote something


@pytest.mark.parametrize("service", list(SERVICES))
def test_service_refuses_staff_of_another_community(
    maw: MotionAccessWorld, settings: Any, tmp_path: Any, service: str
) -> None:
    """Community staff run votes in their own community only."""
    settings.MEDIA_ROOT = tmp_path
    _action, stage, call = SERVICES[service]
    st = stage(maw)
    outsider = f.user_with_role(Role.COMMUNITY_STAFF, community=maw.motions[SAME_SUB].estate.community)
    before = _snapshot()
    with pytest.raises(AccessDeniedError):
        call(outsider, st)
    assert _snapshot() == before
