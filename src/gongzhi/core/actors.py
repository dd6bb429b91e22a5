"""Who acts: a logged-in user, an anonymous visitor, or the platform itself (SYSTEM).

Services take `actor: Actor` and check it through the access façade (places.access.require);
what they record as the author of a write is `acting_user(actor)`: the user, or None when the
platform itself (or nobody in particular) acted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from gongzhi.core.errors import AccessDeniedError

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class SystemActor:
    """The platform itself, acting after an import or on a schedule: may do anything, and is
    recorded as no one (audit entries and authors show the platform, not a person)."""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()

# A logged-in user, an anonymous visitor (request.user either way) or the platform itself.
Actor: TypeAlias = "User | AnonymousUser | SystemActor"
# request.user: a logged-in user or an anonymous visitor, never the platform (a User after login_required).
RequestUser: TypeAlias = "User | AnonymousUser"


def acting_user(actor: Actor | None) -> User | None:
    """The user to record as the author of a write: None for SYSTEM and anonymous visitors."""
    if actor is None or isinstance(actor, SystemActor | AnonymousUser) or not actor.pk:
        return None
    return actor


def person(actor: Actor | None) -> User:
    """The logged-in user behind `actor`, where only a person may act (ask a question, propose a
    topic, key a paper ballot, give feedback): refused for an anonymous visitor or the platform."""
    user = acting_user(actor)
    if user is None:
        raise AccessDeniedError(_("请先登录。"), code="login_required")
    return user
