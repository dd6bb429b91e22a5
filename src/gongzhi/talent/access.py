"""Who may see and do what in the talent pool.

The pool is not a place of the residential hierarchy (places.access's role table is about
subdistricts, communities and estates), so access here is by membership, like departments and
partners elsewhere:

- a pool's **administrators** (Pool.administrators; superusers too) run everything of their pool
  and see whole dossiers;
- a **cadre** (Cadre.user) sees their own whole dossier, their own review results and gives
  feedback on activities they attended;
- a **unit's** members (Unit.members) nominate candidates and see the dossiers of their own
  nominees (without the administrators' notes), and give feedback as the unit;
- a course's **instructors** mark completion for that course; a project's **mentor** sees it.

Dossiers are personal information (Personal Information Protection Law Art. 28: information on a
person's employment and appraisal is handled on a need-to-know basis), so every reading of a
dossier is written to the tamper-evident audit log (dossier_viewed) — see log_dossier_view.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import AccessDeniedError
from gongzhi.talent.models import Cadre, Nomination, Pool


class DossierAccess(StrEnum):
    NONE = "none"
    NOMINEE = "nominee"  # a unit's view of its own nominee: everything but administrators' notes
    WHOLE = "whole"  # administrators and the cadre themselves


def authenticated(user: Any) -> bool:
    """A logged-in, active user."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


_authenticated = authenticated


def acting_user(actor: Any) -> Any:
    """The user to record as the author of a write (None for a system actor)."""
    return actor if getattr(actor, "pk", None) else None


def require_admin(actor: Any, pool: Pool | int) -> None:
    """Services: refuse anyone who does not administer the pool (AccessDeniedError → 403)."""
    if not administers(actor, pool):
        raise AccessDeniedError(_("只有人才库管理员可以进行此操作。"))


def administers(user: Any, pool: Pool | int) -> bool:
    """Is the user an administrator of the pool (or a superuser)? One query, cached per request."""
    if not _authenticated(user):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return (pool.pk if isinstance(pool, Pool) else pool) in administered_pool_ids(user)


def administered_pool_ids(user: Any) -> set[int]:
    if not _authenticated(user):
        return set()
    cached = getattr(user, "_talent_admin_pools", None)
    if cached is None:
        cached = set(Pool.objects.filter(administrators=user).values_list("id", flat=True))
        setattr(user, "_talent_admin_pools", cached)  # noqa: B010 - a per-request cache on the user object
    return set(cached)


def unit_ids(user: Any) -> set[int]:
    """The units the user speaks for (cached per request)."""
    if not _authenticated(user):
        return set()
    cached = getattr(user, "_talent_units", None)
    if cached is None:
        from gongzhi.talent.models import Unit

        cached = set(Unit.objects.filter(members=user).values_list("id", flat=True))
        setattr(user, "_talent_units", cached)  # noqa: B010 - a per-request cache on the user object
    return set(cached)


def dossier_access(user: Any, cadre: Cadre) -> DossierAccess:
    if not _authenticated(user):
        return DossierAccess.NONE
    if administers(user, cadre.pool_id) or (cadre.user_id is not None and cadre.user_id == user.pk):
        return DossierAccess.WHOLE
    units = unit_ids(user)
    if units and Nomination.objects.filter(cadre=cadre, unit_id__in=units).exists():
        return DossierAccess.NOMINEE
    return DossierAccess.NONE


def access_cadres(user: Any) -> QuerySet[Cadre]:
    """Dossiers the user may open: all of the pools they administer, their own, and their units'
    nominees."""
    qs = Cadre.objects.all()
    if not _authenticated(user):
        return qs.none()
    if getattr(user, "is_superuser", False):
        return qs
    q = Q(pool_id__in=administered_pool_ids(user)) | Q(user_id=user.pk)
    units = unit_ids(user)
    if units:
        q |= Q(pk__in=Nomination.objects.filter(unit_id__in=units).values("cadre_id"))
    return qs.filter(q)


def access_pools(user: Any) -> QuerySet[Pool]:
    """Pools the user has anything to do with: administered, their own dossier's, their units'
    cadres' or nominees'."""
    qs = Pool.objects.all()
    if not _authenticated(user):
        return qs.none()
    if getattr(user, "is_superuser", False):
        return qs
    q = Q(pk__in=administered_pool_ids(user)) | Q(cadres__user_id=user.pk)
    units = unit_ids(user)
    if units:
        q |= Q(pk__in=Nomination.objects.filter(unit_id__in=units).values("pool_id"))
        q |= Q(pk__in=Cadre.objects.filter(unit_id__in=units).values("pool_id"))
    return qs.filter(pk__in=Pool.objects.filter(q).values("pk"))


def has_talent_access(user: Any) -> bool:
    """Does the user have anything to do with a talent pool (administrator, cadre with a dossier,
    unit member, course instructor)? At most two queries; for menus and links."""
    if not _authenticated(user):
        return False
    if getattr(user, "is_superuser", False):
        return Pool.objects.exists()
    from gongzhi.talent.models import Course, Unit

    if Pool.objects.filter(Q(administrators=user) | Q(cadres__user=user)).exists():
        return True
    return Unit.objects.filter(members=user).exists() or Course.objects.filter(instructors=user).exists()


def log_dossier_view(user: Any, cadre: Cadre, *, what: str = "page") -> None:
    """Every reading of a dossier (page, print, Excel) is an audit entry: who, whose, how."""
    audit_record(
        actor=user,
        action="dossier_viewed",
        object_type="talent.cadre",
        object_id=cadre.pk,
        summary=f"{cadre.name} ({what})",
        after={"what": what},
    )
