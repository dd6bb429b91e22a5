"""Reads of places, always through the user's scope (DESIGN.md convention 3)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.errors import NotFoundError
from gongzhi.places.access import Action, scoped
from gongzhi.places.models import Apartment, Building, Entrance, Estate


def access_estates(user: Actor, action: Action = Action.VIEW_REGISTRY) -> QuerySet[Estate]:
    return scoped(user, action, Estate.objects.all())


def access_buildings(user: Actor, action: Action = Action.VIEW_REGISTRY) -> QuerySet[Building]:
    return scoped(user, action, Building.objects.all())


def access_entrances(user: Actor, action: Action = Action.VIEW_REGISTRY) -> QuerySet[Entrance]:
    return scoped(user, action, Entrance.objects.all())


def access_apartments(user: Actor, action: Action = Action.VIEW_REGISTRY) -> QuerySet[Apartment]:
    return scoped(user, action, Apartment.objects.all())


def get_or_404(qs: QuerySet[Any], **lookup: Any) -> Any:
    obj = qs.filter(**lookup).first()
    if obj is None:
        raise NotFoundError(_("未找到，或您无权查看。"))
    return obj
