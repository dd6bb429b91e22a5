"""Reads of places, always through the user's scope (DESIGN.md convention 3)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotFoundError
from gongzhi.places.access import Action, Chain, estate_q
from gongzhi.places.models import Apartment, Building, Entrance, Estate, Subdistrict


def _scoped(qs: QuerySet[Any], q: Q | None) -> QuerySet[Any]:
    return qs if q is None else qs.filter(q)


def access_estates(user: Any, action: Action = Action.VIEW_REGISTRY) -> QuerySet[Estate]:
    q = estate_q(
        user,
        action,
        "",
        lambda entrances, _owners: Q(id__in=Entrance.objects.filter(id__in=entrances).values("building__estate_id")),
    )
    return _scoped(Estate.objects.all(), q)


def access_buildings(user: Any, action: Action = Action.VIEW_REGISTRY) -> QuerySet[Building]:
    q = estate_q(
        user,
        action,
        "estate",
        lambda entrances, _owners: Q(id__in=Entrance.objects.filter(id__in=entrances).values("building_id")),
    )
    return _scoped(Building.objects.all(), q)


def access_entrances(user: Any, action: Action = Action.VIEW_REGISTRY) -> QuerySet[Entrance]:
    q = estate_q(user, action, "building__estate", lambda entrances, _owners: Q(id__in=entrances))
    return _scoped(Entrance.objects.all(), q)


def access_apartments(user: Any, action: Action = Action.VIEW_REGISTRY) -> QuerySet[Apartment]:
    def owner_q(entrances: set[int], owners: set[int]) -> Q:
        if action is Action.VIEW_OWNERS:
            return Q(id__in=Apartment.objects.filter(ownerships__owner_id__in=owners).values("id"))
        return Q(entrance_id__in=entrances)

    q = estate_q(user, action, "entrance__building__estate", owner_q)
    return _scoped(Apartment.objects.all(), q)


def get_or_404(qs: QuerySet[Any], **lookup: Any) -> Any:
    obj = qs.filter(**lookup).first()
    if obj is None:
        raise NotFoundError(_("未找到，或您无权查看。"))
    return obj


def chain_of_estate(estate: Estate) -> Chain:
    """Needs estate.community.subdistrict loaded (select_related) to avoid queries."""
    sub = estate.community.subdistrict
    return Chain(
        district_id=sub.district_id, subdistrict_id=sub.id, community_id=estate.community_id, estate_id=estate.id
    )


def chain_of_subdistrict(subdistrict: Subdistrict) -> Chain:
    return Chain(district_id=subdistrict.district_id, subdistrict_id=subdistrict.id)
