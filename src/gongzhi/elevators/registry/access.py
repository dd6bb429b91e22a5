"""Who may import the registry, and where (issue 2, item 4: CHANGE_REGISTRY in the place's scope).

Every check of the registry import against the role × action table lives here, on the place
chains (district → subdistrict → community → estate) that the checks in registry.check build:
`RegistryScope` answers once per place, `require_may_import` refuses a user without
CHANGE_REGISTRY anywhere, and `access_registry_imports` is the imports a user may see.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.errors import AccessDeniedError
from gongzhi.elevators.models import RegistryImport
from gongzhi.places.access import Action, Chain, allowed, user_access

__all__ = ["RegistryScope", "access_registry_imports", "may_import", "require_may_import"]


class RegistryScope:
    """CHANGE_REGISTRY checks for the actor, answered once per place."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        access = user_access(actor)
        self.superuser = access.superuser
        self.everything = access.grants(Action.CHANGE_REGISTRY).everything
        self._cache: dict[Chain, bool] = {}

    def may(self, chain: Chain) -> bool:
        if self.everything:
            return True
        if chain not in self._cache:
            self._cache[chain] = allowed(self.actor, Action.CHANGE_REGISTRY, chain)
        return self._cache[chain]


def require_may_import(actor: Actor, *, saved_user: bool = False) -> None:
    """Refuse (AccessDeniedError) an actor without CHANGE_REGISTRY anywhere; with `saved_user`,
    also one that is not a saved user (an upload is recorded with its user)."""
    if (saved_user and not getattr(actor, "pk", None)) or user_access(actor).grants(Action.CHANGE_REGISTRY).empty:
        raise AccessDeniedError(_("您无权导入登记册。"))


def access_registry_imports(user: Actor) -> QuerySet[RegistryImport]:
    """The imports a user may see: their own, or all for a superuser."""
    qs = RegistryImport.objects.all()
    if getattr(user, "is_superuser", False):
        return qs
    if not getattr(user, "pk", None):
        return qs.none()
    return qs.filter(created_by_id=user.pk)


def may_import(user: Actor) -> bool:
    """Whether the user holds CHANGE_REGISTRY anywhere (may open the import page)."""
    return bool(getattr(user, "is_authenticated", False)) and not user_access(user).grants(Action.CHANGE_REGISTRY).empty
