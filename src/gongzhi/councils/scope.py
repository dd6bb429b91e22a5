"""Community-level access for councils and spaces. places.rules.chain_of does not take a Community
(its chain stops at estates), so a community's chain is built here from the same Chain type and
checked with places.access.allowed; lists are scoped with the same grants."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.places.access import Action, Chain, allowed, user_access
from gongzhi.places.models import Community, Entrance, Estate


def community_chain(community: Community) -> Chain:
    """The chain of a community (select_related("subdistrict") to avoid a query)."""
    return Chain(
        district_id=community.subdistrict.district_id,
        subdistrict_id=community.subdistrict_id,
        community_id=community.pk,
    )


def may(user: Any, action: Action, community: Community) -> bool:
    return allowed(user, action, community_chain(community))


def in_community(user: Any, community: Community) -> bool:
    """Does the user hold any role in the community: over it, over a place that contains it, or
    over one of its estates, or as an owner of an apartment in it? (At most two queries.)"""
    access = user_access(user)
    if access.superuser:
        return True
    sub = community.subdistrict
    estate_ids: set[int] = set()
    for a in access.assignments:
        if a.district_id == sub.district_id or a.subdistrict_id == sub.pk or a.community_id == community.pk:
            return True
        if a.estate_id:
            estate_ids.add(a.estate_id)
    if estate_ids and Estate.objects.filter(id__in=estate_ids, community=community).exists():
        return True
    if any(a.owner_id for a in access.assignments):
        entrances = access.owner_entrance_ids()
        return (
            bool(entrances)
            and Entrance.objects.filter(id__in=entrances, building__estate__community=community).exists()
        )
    return False


def communities_q(user: Any, action: Action | None = None) -> Q | None:
    """A filter on Community: where the user may perform `action`, or (action None) where the user
    holds any role. None: everywhere."""
    access = user_access(user)
    if access.superuser:
        return None
    q = Q(pk__in=[])
    for a in access.assignments:
        if action is not None:
            from gongzhi.places.access import ROLE_ACTIONS

            if action not in ROLE_ACTIONS.get(a.role, frozenset()):
                continue
        if a.district_id:
            q |= Q(subdistrict__district_id=a.district_id)
        if a.subdistrict_id:
            q |= Q(subdistrict_id=a.subdistrict_id)
        if a.community_id:
            q |= Q(pk=a.community_id)
        if a.estate_id:
            q |= Q(estates__id=a.estate_id)
        if a.owner_id:
            q |= Q(estates__buildings__entrances__id__in=access.owner_entrance_ids())
    return q


def visible_communities(user: Any, action: Action | None = None) -> QuerySet[Community]:
    q = communities_q(user, action)
    qs = Community.objects.select_related("subdistrict").order_by("name")
    return qs if q is None else qs.filter(pk__in=Community.objects.filter(q).values("pk"))
