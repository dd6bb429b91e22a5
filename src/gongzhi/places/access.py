"""Who may do what where: the one table of roles × actions, and the scope of each assignment.

Both the object-level predicates (places.rules, through django-rules) and the scoped querysets
(places.selectors.access_*) are derived from ROLE_ACTIONS and the user's RoleAssignments, so
the list a user sees and the object they may open can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q

from gongzhi.places.models import Entrance, Ownership, Role, RoleAssignment


class Action(StrEnum):
    VIEW_REGISTRY = "view_registry"  # places, elevators, faults, inspections
    VIEW_OWNERS = "view_owners"  # apartments' owners (personal information)
    CHANGE_REGISTRY = "change_registry"  # edit and import places and elevators
    RECORD_FAULTS = "record_faults"  # add fault and inspection records
    VIEW_CAMPAIGN = "view_campaign"
    MANAGE_CAMPAIGN = "manage_campaign"  # open, rank, close a campaign
    VIEW_MOTION = "view_motion"  # a motion, its live tally and result
    MANAGE_MOTION = "manage_motion"  # create, open, cancel, close a motion; resolve paper mismatches
    ENTER_BALLOTS = "enter_ballots"  # key paper ballots (double entry) and proxy votes
    VIEW_VOTERS = "view_voters"  # who has voted, the door-knocking list, per-apartment ballots
    SUBMIT_OFFERS = "submit_offers"  # a vendor's own offers in its subdistrict's campaigns
    MANAGE_RENEWAL = "manage_renewal"  # funding plans, locking offers, consultation motions per entrance
    VIEW_MEETING = "view_meeting"  # a deliberation meeting, its livestream, questions; ask a question
    MANAGE_MEETING = "manage_meeting"  # schedule a meeting, invite, mark attendance, moderate, publish minutes
    MANAGE_DELIVERY = "manage_delivery"  # construction schedules, renewals' planned dates, estate notices
    RECORD_PROGRESS = "record_progress"  # a renewal stage's dates, status, notes and documents
    VIEW_SUGGESTIONS = "view_suggestions"  # residents' suggestions in scope, with who raised them
    MANAGE_SUGGESTIONS = "manage_suggestions"  # record, dispatch, force, approve extensions, merge, escalate
    VIEW_LEDGER = "view_ledger"  # an estate's public-revenue ledger and statements (Civil Code Art. 281-282)
    RECORD_LEDGER = "record_ledger"  # post income, costs and spending to an estate's ledger
    APPROVE_SPENDING = "approve_spending"  # approve spending within the owners' committee's limit
    MANAGE_COUNCILS = "manage_councils"  # deliberation councils, their members, sessions and topics
    MANAGE_SPACES = "manage_spaces"  # spaces lent for services, agreements, reviews


_READ = {Action.VIEW_REGISTRY, Action.VIEW_CAMPAIGN}
# Deliberation meetings (众议事) are open to everyone with a role in their scope; those who convene
# owners' votes also convene the meetings that prepare them.
_RUN_MEETINGS = {Action.VIEW_MEETING, Action.MANAGE_MEETING}
# Those who run an owners' vote: community staff help the owners' committee convene it.
_RUN_VOTES = {
    Action.VIEW_MOTION,
    Action.MANAGE_MOTION,
    Action.ENTER_BALLOTS,
    Action.VIEW_VOTERS,
    Action.MANAGE_RENEWAL,
}

# Community affairs run by the community's and the subdistrict's staff.
_RUN_AFFAIRS = {
    Action.VIEW_SUGGESTIONS,
    Action.MANAGE_SUGGESTIONS,
    Action.VIEW_LEDGER,
    Action.MANAGE_COUNCILS,
    Action.MANAGE_SPACES,
}

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    # Staff of the subdistrict run everything there except a vendor's own offers and the estates'
    # own books (the property manager posts, the owners' committee approves).
    Role.SUBDISTRICT_STAFF: frozenset(
        set(Action) - {Action.SUBMIT_OFFERS, Action.RECORD_LEDGER, Action.APPROVE_SPENDING}
    ),
    Role.COMMUNITY_STAFF: frozenset(
        {
            *_READ,
            *_RUN_VOTES,
            *_RUN_MEETINGS,
            *_RUN_AFFAIRS,
            Action.VIEW_OWNERS,
            Action.CHANGE_REGISTRY,
            Action.RECORD_FAULTS,
            Action.MANAGE_DELIVERY,
            Action.RECORD_PROGRESS,
        }
    ),
    # The owners' committee signs the contract and follows the works with the community; it keeps
    # the estate's public revenue with the property manager and approves its spending.
    Role.OWNERS_COMMITTEE: frozenset(
        {
            *_READ,
            *_RUN_VOTES,
            *_RUN_MEETINGS,
            Action.VIEW_OWNERS,
            Action.RECORD_PROGRESS,
            Action.VIEW_LEDGER,
            Action.RECORD_LEDGER,
            Action.APPROVE_SPENDING,
        }
    ),
    # The property manager helps deliver notices and knock on doors; it neither runs nor keys votes.
    # It collects and posts the estate's public revenue.
    Role.PROPERTY_MANAGER: frozenset(
        {
            *_READ,
            Action.VIEW_OWNERS,
            Action.RECORD_FAULTS,
            Action.VIEW_MOTION,
            Action.VIEW_VOTERS,
            Action.VIEW_MEETING,
            Action.RECORD_PROGRESS,
            Action.VIEW_LEDGER,
            Action.RECORD_LEDGER,
        }
    ),
    # Owners read their estate's public-revenue ledger (Civil Code Art. 282: the revenue is theirs).
    Role.OWNER: frozenset({*_READ, Action.VIEW_OWNERS, Action.VIEW_MOTION, Action.VIEW_MEETING, Action.VIEW_LEDGER}),
    # Vendors have a commercial stake in the outcome: they see no votes (but pitch at meetings).
    # A vendor records the progress of the renewals it was contracted for (the service checks that
    # the user is one of the renewal's vendor's people).
    Role.VENDOR: frozenset({*_READ, Action.SUBMIT_OFFERS, Action.VIEW_MEETING, Action.RECORD_PROGRESS}),
    Role.SUPERVISOR: frozenset(
        {
            *_READ,
            Action.VIEW_MOTION,
            Action.VIEW_VOTERS,
            Action.VIEW_MEETING,
            Action.VIEW_SUGGESTIONS,
            Action.VIEW_LEDGER,
        }
    ),
    Role.DISTRICT_REGULATOR: frozenset(
        {*_READ, Action.VIEW_MOTION, Action.VIEW_MEETING, Action.VIEW_SUGGESTIONS, Action.VIEW_LEDGER}
    ),
}


@dataclass
class Grants:
    """The scopes in which a user may perform one action."""

    everything: bool = False
    district_ids: set[int] = field(default_factory=set)
    subdistrict_ids: set[int] = field(default_factory=set)
    community_ids: set[int] = field(default_factory=set)
    estate_ids: set[int] = field(default_factory=set)
    owner_ids: set[int] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return not (
            self.everything
            or self.district_ids
            or self.subdistrict_ids
            or self.community_ids
            or self.estate_ids
            or self.owner_ids
        )


@dataclass
class UserAccess:
    assignments: list[RoleAssignment]
    superuser: bool
    _grants: dict[Action, Grants] = field(default_factory=dict)
    _owner_entrances: set[int] | None = None
    _subdistricts: dict[Action, set[int] | None] = field(default_factory=dict)
    _without: dict[str, UserAccess] = field(default_factory=dict)

    def grants(self, action: Action) -> Grants:
        if action not in self._grants:
            grants = Grants(everything=self.superuser)
            for a in self.assignments:
                if action not in ROLE_ACTIONS.get(a.role, frozenset()):
                    continue
                if a.district_id:
                    grants.district_ids.add(a.district_id)
                if a.subdistrict_id:
                    grants.subdistrict_ids.add(a.subdistrict_id)
                if a.community_id:
                    grants.community_ids.add(a.community_id)
                if a.estate_id:
                    grants.estate_ids.add(a.estate_id)
                if a.owner_id:
                    grants.owner_ids.add(a.owner_id)
            self._grants[action] = grants
        return self._grants[action]

    def owner_entrance_ids(self) -> set[int]:
        """Entrances where the user (as an owner) holds an apartment: one query, cached."""
        if self._owner_entrances is None:
            owner_ids = {a.owner_id for a in self.assignments if a.owner_id}
            self._owner_entrances = (
                set(
                    Entrance.objects.filter(apartments__ownerships__owner_id__in=owner_ids)
                    .values_list("id", flat=True)
                    .distinct()
                )
                if owner_ids
                else set()
            )
        return self._owner_entrances

    def subdistricts(self, action: Action) -> set[int] | None:
        """Subdistricts in which the user holds any grant for `action`, at any level (None: all)."""
        if action not in self._subdistricts:
            self._subdistricts[action] = _subdistricts_of(self, action)
        return self._subdistricts[action]

    @property
    def roles(self) -> set[str]:
        return {a.role for a in self.assignments}

    def without(self, role: str) -> UserAccess:
        """The same user's access with the assignments of `role` left out (cached)."""
        if role not in self._without:
            kept = [a for a in self.assignments if a.role != role]
            self._without[role] = self if len(kept) == len(self.assignments) else UserAccess(kept, self.superuser)
        return self._without[role]


def user_access(user: AbstractBaseUser | AnonymousUser | Any) -> UserAccess:
    """The user's role assignments, loaded once per request (cached on the user object)."""
    cached = getattr(user, "_gongzhi_access", None)
    if isinstance(cached, UserAccess):
        return cached
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        access = UserAccess(assignments=[], superuser=False)
    else:
        access = UserAccess(
            assignments=list(RoleAssignment.objects.filter(user_id=user.pk or 0)),
            superuser=bool(getattr(user, "is_superuser", False)),
        )
    if getattr(user, "pk", None) is not None:
        setattr(user, "_gongzhi_access", access)  # noqa: B010 - a per-request cache on the user object
    return access


@dataclass(frozen=True)
class Chain:
    """Where an object sits: the ids of its place ancestors (None where not applicable)."""

    district_id: int
    subdistrict_id: int
    community_id: int | None = None
    estate_id: int | None = None
    entrance_ids: frozenset[int] | None = None  # for owner checks; None means "any entrance of the estate"
    apartment_id: int | None = None


# Actions on a subdistrict-wide object (a campaign) that a grant lower down also allows:
# community staff see their subdistrict's campaign, restricted to their community's rows.
LOOK_UP_ACTIONS = frozenset({Action.VIEW_CAMPAIGN})


def allowed(user: Any, action: Action, chain: Chain) -> bool:
    """May `user` perform `action` on an object located at `chain`?"""
    return _allowed(user_access(user), action, chain)


def allowed_other_than(user: Any, action: Action, chain: Chain, role: str) -> bool:
    """May `user` perform `action` at `chain` through an assignment of a role other than `role`?

    A user may hold several roles in different places (a vendor's employee who is also the property
    manager of another estate): "may record here" must not borrow the scope of one role and the
    latitude of another. Callers use this where a role is trusted only in part (a vendor records
    the works of its own renewals only), so a grant held through that role is not enough."""
    return _allowed(user_access(user).without(role), action, chain)


def _allowed(access: UserAccess, action: Action, chain: Chain) -> bool:
    g = access.grants(action)
    if g.everything:
        return True
    if chain.district_id in g.district_ids or chain.subdistrict_id in g.subdistrict_ids:
        return True
    if chain.community_id is None and action in LOOK_UP_ACTIONS:
        visible = access.subdistricts(action)
        return visible is None or chain.subdistrict_id in visible
    if chain.community_id is not None and chain.community_id in g.community_ids:
        return True
    if chain.estate_id is not None and chain.estate_id in g.estate_ids:
        return True
    if g.owner_ids:
        return _owner_allowed(access, action, chain)
    return False


def _owner_allowed(access: UserAccess, action: Action, chain: Chain) -> bool:
    entrances = access.owner_entrance_ids()
    if not entrances:
        return False
    if chain.apartment_id is not None and action is Action.VIEW_OWNERS:
        # An owner sees owners' details of their own apartments only.
        owner_ids = {a.owner_id for a in access.assignments if a.owner_id}
        return Ownership.objects.filter(apartment_id=chain.apartment_id, owner_id__in=owner_ids).exists()
    if chain.entrance_ids is not None:
        return bool(entrances & chain.entrance_ids)
    if chain.estate_id is None:  # a subdistrict-level object such as a campaign
        return Entrance.objects.filter(
            id__in=entrances, building__estate__community__subdistrict_id=chain.subdistrict_id
        ).exists()
    return Entrance.objects.filter(id__in=entrances, building__estate_id=chain.estate_id).exists()


def estate_q(user: Any, action: Action, to_estate: str, owner_q: Callable[[set[int], set[int]], Q] | None) -> Q | None:
    """A filter for a queryset whose model reaches Estate by `to_estate` ("" for Estate
    itself). `owner_q(entrance_ids, owner_ids)` gives the part an owner may see (None: nothing).
    Returns None when the user may act everywhere, and Q(pk__in=[]) when nowhere."""
    access = user_access(user)
    g = access.grants(action)
    if g.everything:
        return None
    prefix = f"{to_estate}__" if to_estate else ""
    q = Q(pk__in=[])
    if g.district_ids:
        q |= Q(**{f"{prefix}community__subdistrict__district_id__in": g.district_ids})
    if g.subdistrict_ids:
        q |= Q(**{f"{prefix}community__subdistrict_id__in": g.subdistrict_ids})
    if g.community_ids:
        q |= Q(**{f"{prefix}community_id__in": g.community_ids})
    if g.estate_ids:
        q |= Q(**{f"{prefix}id__in" if prefix else "id__in": g.estate_ids})
    if g.owner_ids and owner_q is not None:
        q |= owner_q(access.owner_entrance_ids(), g.owner_ids)
    return q


def subdistrict_ids_visible(user: Any, action: Action) -> Iterable[int] | None:
    """Subdistricts in which the user has any grant for `action` (None: all)."""
    return user_access(user).subdistricts(action)


def _subdistricts_of(access: UserAccess, action: Action) -> set[int] | None:
    from gongzhi.places.models import Community, Estate, Subdistrict

    g = access.grants(action)
    if g.everything:
        return None
    ids = set(g.subdistrict_ids)
    if g.district_ids:
        ids |= set(Subdistrict.objects.filter(district_id__in=g.district_ids).values_list("id", flat=True))
    if g.community_ids:
        ids |= set(Community.objects.filter(id__in=g.community_ids).values_list("subdistrict_id", flat=True))
    if g.estate_ids:
        ids |= set(Estate.objects.filter(id__in=g.estate_ids).values_list("community__subdistrict_id", flat=True))
    if g.owner_ids:
        ids |= set(
            Entrance.objects.filter(id__in=access.owner_entrance_ids()).values_list(
                "building__estate__community__subdistrict_id", flat=True
            )
        )
    return ids
