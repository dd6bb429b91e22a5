"""Community-level access for councils and spaces, through the access façade (places.access:
may/require take a Community, scoped filters Community querysets). What stays here is the
membership question "does the user hold any role in this community?"."""

from __future__ import annotations

from django.db.models import QuerySet

from gongzhi.core.actors import Actor
from gongzhi.places.access import Action, scoped, user_access
from gongzhi.places.models import Community, Entrance, Estate


def in_community(user: Actor, community: Community) -> bool:
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


def visible_communities(user: Actor, action: Action | None = None) -> QuerySet[Community]:
    """Communities where the user may perform `action`, or (action None) where the user holds any
    role: over it, over a place that contains it, over one of its estates, or as an owner of an
    apartment in it (every role reads the registry, so that is VIEW_REGISTRY's scope)."""
    qs = Community.objects.select_related("subdistrict").order_by("name")
    return scoped(user, action or Action.VIEW_REGISTRY, qs)
