"""Who may do what where: the one table of roles × actions, the scope of each assignment, and the
one façade every app checks access through.

The façade: `chain_of(obj)` (where an object sits, District to Apartment), `may(actor, action,
obj)`, `require(actor, action, obj)` (AccessDeniedError → 403) and `scoped(user, action,
queryset)` (the rows in the user's scope, for any model that declares its PlacePath). The
django-rules predicates (places.rules) and every app's access_* selectors go through it, so the
list a user sees and the object they may open can never disagree. Nothing outside this module
reads ROLE_ACTIONS. Access that is not about places (talent's pools, by membership) plugs in with
register_checker, so `require(actor, TalentAction.KEEP_DOSSIER, cadre)` is the same call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypeVar, cast

from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.errors import AccessDeniedError
from gongzhi.places.models import (
    Apartment,
    Building,
    Community,
    District,
    Entrance,
    Estate,
    Ownership,
    Role,
    RoleAssignment,
    Subdistrict,
)

_M = TypeVar("_M", bound=Model)


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


def user_access(user: Actor) -> UserAccess:
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
    subdistrict_id: int = 0  # 0 (no row has it): a district as a whole
    community_id: int | None = None
    estate_id: int | None = None
    entrance_ids: frozenset[int] | None = None  # for owner checks; None means "any entrance of the estate"
    apartment_id: int | None = None


# Actions on a subdistrict-wide object (a campaign) that a grant lower down also allows:
# community staff see their subdistrict's campaign, restricted to their community's rows.
LOOK_UP_ACTIONS = frozenset({Action.VIEW_CAMPAIGN})


def allowed(user: Actor, action: Action, chain: Chain) -> bool:
    """May `user` perform `action` on an object located at `chain`?"""
    return _allowed(user_access(user), action, chain)


def allowed_other_than(user: Actor, action: Action, chain: Chain, role: str) -> bool:
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
    if not chain.subdistrict_id:  # a district as a whole is no owner's
        return False
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


# --- the façade: chain_of, may, require, scoped ------------------------------------------------------


@dataclass(frozen=True)
class PlacePath:
    """How a model reaches the place tree, declared once per model (a class attribute
    `access_path`; the places' own models below): Django lookups from the model to its Subdistrict,
    Community and Estate ("" is the model itself, None: the model does not reach that level).

    scoped() filters querysets with it; chain_of() locates an object with it when the object names
    no `access_anchor`. An owner sees the rows of the entrances where they hold an apartment
    (`entrance`), else of the estates (`estate`), else of the communities; `owner` replaces that
    rule for a model (given the action, the owner's entrance ids and owner ids), and
    `owners=False` shows owners nothing through their ownership."""

    subdistrict: str
    community: str | None = None
    estate: str | None = None
    entrance: str | None = None
    owner: Callable[[Action, set[int], set[int]], Q] | None = None
    owners: bool = True

    def district(self) -> str:
        return f"{self.subdistrict}__district" if self.subdistrict else "district"

    @classmethod
    def via_estate(cls, estate: str) -> PlacePath:
        """A model below an estate, reached by the lookup `estate` (a motion: "estate")."""
        return cls(subdistrict=f"{estate}__community__subdistrict", community=f"{estate}__community", estate=estate)

    @classmethod
    def via_entrance(cls, entrance: str) -> PlacePath:
        """A model at an entrance, reached by the lookup `entrance` (an elevator: "entrance");
        an owner sees the rows of the entrances where they hold an apartment."""
        estate = f"{entrance}__building__estate"
        return replace(cls.via_estate(estate), entrance=entrance)


def _in(lookup: str) -> str:
    return f"{lookup}__in" if lookup else "pk__in"


def _own_apartments(action: Action, entrances: set[int], owners: set[int]) -> Q:
    """An owner sees owners' details of their own apartments only, other apartments by entrance."""
    if action is Action.VIEW_OWNERS:
        return Q(pk__in=Apartment.objects.filter(ownerships__owner_id__in=owners).values("pk"))
    return Q(entrance_id__in=entrances)


PLACE_PATHS: dict[type[Model], PlacePath] = {
    Subdistrict: PlacePath(subdistrict=""),
    Community: PlacePath(subdistrict="subdistrict", community=""),
    Estate: PlacePath(subdistrict="community__subdistrict", community="community", estate=""),
    Building: PlacePath(
        subdistrict="estate__community__subdistrict",
        community="estate__community",
        estate="estate",
        owner=lambda _action, entrances, _owners: Q(
            pk__in=Entrance.objects.filter(id__in=entrances).values("building_id")
        ),
    ),
    Entrance: PlacePath(
        subdistrict="building__estate__community__subdistrict",
        community="building__estate__community",
        estate="building__estate",
        entrance="",
    ),
    Apartment: PlacePath(
        subdistrict="entrance__building__estate__community__subdistrict",
        community="entrance__building__estate__community",
        estate="entrance__building__estate",
        entrance="entrance",
        owner=_own_apartments,
    ),
}


def path_of(model: type[Model]) -> PlacePath:
    path = PLACE_PATHS.get(model) or getattr(model, "access_path", None)
    if not isinstance(path, PlacePath):
        msg = f"{model.__name__} declares no access_path"
        raise TypeError(msg)
    return path


def scoped(user: Actor, action: Action, queryset: QuerySet[_M]) -> QuerySet[_M]:
    """The rows of `queryset` on which `user` may perform `action`: the one grant → filter
    builder, for any model with a PlacePath. The same grants as may(), so a list and the objects
    it links to never disagree. A model above the estates (a campaign, at its subdistrict) is
    seen in every subdistrict where the user holds the action at any level."""
    q = scope_q(user, action, queryset.model)
    return queryset if q is None else queryset.filter(q)


def scope_q(user: Actor, action: Action, model: type[Model]) -> Q | None:
    """scoped()'s filter on its own, to combine with other conditions (None: everywhere)."""
    return _scope_q(user_access(user), action, path_of(model))


def _scope_q(access: UserAccess, action: Action, path: PlacePath) -> Q | None:
    g = access.grants(action)
    if g.everything:
        return None
    if path.community is None and path.estate is None:
        ids = access.subdistricts(action)
        return None if ids is None else Q(**{_in(path.subdistrict): list(ids)})
    q = Q(pk__in=[])
    if g.district_ids:
        q |= Q(**{_in(path.district()): g.district_ids})
    if g.subdistrict_ids:
        q |= Q(**{_in(path.subdistrict): g.subdistrict_ids})
    if g.community_ids and path.community is not None:
        q |= Q(**{_in(path.community): g.community_ids})
    if g.estate_ids:
        if path.estate is not None:
            q |= Q(**{_in(path.estate): g.estate_ids})
        elif path.community is not None:  # a community holding one of the estates
            q |= Q(**{_in(path.community): Estate.objects.filter(id__in=g.estate_ids).values("community_id")})
    if g.owner_ids and path.owners:
        q |= _owner_q(access, action, path, g.owner_ids)
    return q


def _owner_q(access: UserAccess, action: Action, path: PlacePath, owner_ids: set[int]) -> Q:
    entrances = access.owner_entrance_ids()
    if path.owner is not None:
        return path.owner(action, entrances, owner_ids)
    if path.entrance is not None:
        return Q(**{_in(path.entrance): entrances})
    mine = Entrance.objects.filter(id__in=entrances)
    if path.estate is not None:
        return Q(**{_in(path.estate): mine.values("building__estate_id")})
    assert path.community is not None  # noqa: S101 - subdistrict-level models are handled by the caller
    return Q(**{_in(path.community): mine.values("building__estate__community_id")})


def _id_at(obj: Any, lookup: str) -> int | None:
    """The id at the end of `lookup` from `obj` without loading the last hop ("" is obj itself)."""
    if not lookup:
        return cast("int", obj.pk)
    *hops, last = lookup.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
        if obj is None:
            return None
    return cast("int | None", getattr(obj, f"{last}_id"))


def _chain_at(obj: Any, path: PlacePath) -> Chain:
    """Load the related places with select_related (places.selectors) so this costs no query."""
    return Chain(
        district_id=cast("int", _id_at(obj, path.district())),
        subdistrict_id=cast("int", _id_at(obj, path.subdistrict)),
        community_id=None if path.community is None else _id_at(obj, path.community),
        estate_id=None if path.estate is None else _id_at(obj, path.estate),
    )


def chain_at(
    district_id: int, subdistrict_id: int, community_id: int | None = None, estate_id: int | None = None
) -> Chain:
    """The chain of a place known only by its ids (rows read in bulk, e.g. the registry import's
    estates, some not created yet): the subdistrict's when community and estate are None."""
    return Chain(district_id, subdistrict_id, community_id, estate_id)


def chain_of(obj: object) -> Chain | None:
    """Where `obj` sits: any place from a District to an Apartment, an object naming the place it is
    checked at (`access_anchor`: an Elevator → its Entrance, a Campaign → its Subdistrict), or an
    object whose model declares an `access_path` (a suggestion: subdistrict, community, estate).
    None for anything else."""
    if isinstance(obj, District):
        return Chain(district_id=obj.pk)
    if isinstance(obj, Building):
        entrances = frozenset(e.id for e in obj.entrances.all())
        return replace(_chain_at(obj, PLACE_PATHS[Building]), entrance_ids=entrances)
    if isinstance(obj, Entrance):
        return replace(_chain_at(obj, PLACE_PATHS[Entrance]), entrance_ids=frozenset({obj.pk}))
    if isinstance(obj, Apartment):
        chain = _chain_at(obj, PLACE_PATHS[Apartment])
        return replace(chain, entrance_ids=frozenset({obj.entrance_id}), apartment_id=obj.pk)
    if isinstance(obj, Subdistrict | Community | Estate):
        return _chain_at(obj, PLACE_PATHS[type(obj)])
    anchor = getattr(obj, "access_anchor", None)
    if anchor is not None:
        return chain_of(anchor)
    path = getattr(type(obj), "access_path", None)
    return _chain_at(obj, path) if isinstance(path, PlacePath) else None


# Actions outside the place tree (talent's pools) register a checker per action family: it answers
# None when the actor may, else the refusal to show.
Checker = Callable[[Any, Any, Any], str | None]
_CHECKERS: dict[type[StrEnum], Checker] = {}


def register_checker(actions: type[StrEnum], checker: Checker) -> None:
    """Route may/require for every action of `actions` (an enum) to `checker(actor, action, obj)`."""
    _CHECKERS[actions] = checker


def _refusal(actor: Actor, action: StrEnum, obj: object) -> str | None:
    if isinstance(action, Action):
        chain = chain_of(obj) if obj is not None else None
        return None if chain is not None and _allowed(user_access(actor), action, chain) else ""
    return _CHECKERS[type(action)](actor, action, obj)


def may(actor: Actor, action: StrEnum, obj: object) -> bool:
    """May `actor` perform `action` on `obj` (a place, an object anchored at one, or an object of a
    registered checker such as talent's)?"""
    return _refusal(actor, action, obj) is None


def require(actor: Actor, action: StrEnum, obj: object, message: str | Promise | None = None) -> None:
    """Refuse (AccessDeniedError → 403) unless may(actor, action, obj); `message` (a gettext or
    gettext_lazy text) replaces the general refusal where the caller can say more."""
    refusal = _refusal(actor, action, obj)
    if refusal is not None:
        raise AccessDeniedError(str(message) if message else refusal or _("您无权执行此操作。"))


def subdistrict_ids_visible(user: Actor, action: Action) -> Iterable[int] | None:
    """Subdistricts in which the user has any grant for `action` (None: all)."""
    return user_access(user).subdistricts(action)


def _subdistricts_of(access: UserAccess, action: Action) -> set[int] | None:
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
