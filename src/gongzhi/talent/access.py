"""Who may see and do what in the talent pool.

The pool is not a place of the residential hierarchy (places.access's role table is about
subdistricts, communities and estates), so access here is by membership, like departments and
partners elsewhere:

- a pool's **administrators** (TalentPool.administrators; superusers too) run everything of their pool
  and see whole dossiers;
- a **cadre** (Cadre.user) sees their own whole dossier, their own review results and gives
  feedback on activities they attended;
- a **organisation's** members (Organisation.members) nominate candidates and see the dossiers of their own
  nominees (without the administrators' notes), and give feedback as the organisation;
- a course's **instructors** mark completion for that course; a project's **mentor** sees it.

Dossiers are personal information (Personal Information Protection Law Art. 28: information on a
person's employment and appraisal is handled on a need-to-know basis), so every reading of a
dossier is written to the tamper-evident audit log (dossier_viewed) — see log_dossier_view.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user
from gongzhi.core.audit import audit_record
from gongzhi.places.access import register_checker
from gongzhi.talent.models import Cadre, Course, Nomination, TalentPool

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class DossierAccess(StrEnum):
    NONE = "none"
    NOMINEE = "nominee"  # an organisation's view of its own nominee: everything but administrators' notes
    WHOLE = "whole"  # administrators and the cadre themselves


def authenticated(user: Actor) -> bool:
    """A logged-in, active user."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


_authenticated = authenticated


def signed_in(user: Actor) -> User | None:
    """The logged-in, active user behind `user`; None for an anonymous visitor, an inactive login and
    the platform itself (SYSTEM is in no pool, course or organisation)."""
    person = acting_user(user)
    return person if person is not None and _authenticated(person) else None


class TalentAction(StrEnum):
    """What the talent pool's services check through the access façade:
    `require(actor, TalentAction.ADMINISTER, pool)` (a TalentPool or a pool id),
    `require(actor, TalentAction.KEEP_DOSSIER, cadre)`, `require(actor, TalentAction.TEACH, course)`."""

    ADMINISTER = "administer"  # run the pool: its administrators (and superusers)
    KEEP_DOSSIER = "keep_dossier"  # write a cadre's dossier entries: administrators, never the cadre themselves
    TEACH = "teach"  # a course's sessions, attendance and results: its instructors and the administrators


def _check(actor: Actor, action: TalentAction, obj: Any) -> str | None:
    """The façade's checker for TalentAction (places.access.register_checker): None when allowed,
    else the refusal."""
    if action is TalentAction.TEACH:
        course: Course = obj
        user = acting_user(actor)
        teaches = administers(actor, course.pool_id) or (
            user is not None and _authenticated(user) and Course.objects.filter(pk=course.pk, instructors=user).exists()
        )
        return None if teaches else _("只有本课程的授课教师或人才库管理员可以进行此操作。")
    pool = obj.pool_id if isinstance(obj, Cadre) else obj
    if not administers(actor, pool):
        return _("只有人才库管理员可以进行此操作。")
    if action is TalentAction.KEEP_DOSSIER and obj.user_id is not None and obj.user_id == actor.pk:
        return _("本人不能修改自己的档案。")
    return None


def administers(user: Actor, pool: TalentPool | int) -> bool:
    """Is the user an administrator of the pool (or a superuser)? One query, cached per request."""
    if not _authenticated(user):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return (pool.pk if isinstance(pool, TalentPool) else pool) in administered_pool_ids(user)


def administered_pool_ids(user: Actor) -> set[int]:
    person = signed_in(user)
    if person is None:
        return set()
    cached = getattr(person, "_talent_admin_pools", None)
    if cached is None:
        cached = set(TalentPool.objects.filter(administrators=person).values_list("id", flat=True))
        setattr(person, "_talent_admin_pools", cached)  # noqa: B010 - a per-request cache on the user object
    return set(cached)


def organisation_ids(user: Actor) -> set[int]:
    """The organisations the user speaks for (cached per request)."""
    person = signed_in(user)
    if person is None:
        return set()
    cached = getattr(person, "_talent_organisations", None)
    if cached is None:
        from gongzhi.talent.models import Organisation

        cached = set(Organisation.objects.filter(members=person).values_list("id", flat=True))
        setattr(person, "_talent_organisations", cached)  # noqa: B010 - a per-request cache on the user object
    return set(cached)


def dossier_access(user: Actor, cadre: Cadre) -> DossierAccess:
    if not _authenticated(user):
        return DossierAccess.NONE
    if administers(user, cadre.pool_id) or (cadre.user_id is not None and cadre.user_id == user.pk):
        return DossierAccess.WHOLE
    organisations = organisation_ids(user)
    if organisations and Nomination.objects.filter(cadre=cadre, organisation_id__in=organisations).exists():
        return DossierAccess.NOMINEE
    return DossierAccess.NONE


def access_cadres(user: Actor) -> QuerySet[Cadre]:
    """Dossiers the user may open: all of the pools they administer, their own, and their organisations'
    nominees."""
    qs = Cadre.objects.all()
    if not _authenticated(user):
        return qs.none()
    if getattr(user, "is_superuser", False):
        return qs
    q = Q(pool_id__in=administered_pool_ids(user)) | Q(user_id=user.pk)
    organisations = organisation_ids(user)
    if organisations:
        q |= Q(pk__in=Nomination.objects.filter(organisation_id__in=organisations).values("cadre_id"))
    return qs.filter(q)


def access_pools(user: Actor) -> QuerySet[TalentPool]:
    """Pools the user has anything to do with: administered, their own dossier's, their organisations'
    cadres' or nominees'."""
    qs = TalentPool.objects.all()
    if not _authenticated(user):
        return qs.none()
    if getattr(user, "is_superuser", False):
        return qs
    q = Q(pk__in=administered_pool_ids(user)) | Q(cadres__user_id=user.pk)
    organisations = organisation_ids(user)
    if organisations:
        q |= Q(pk__in=Nomination.objects.filter(organisation_id__in=organisations).values("pool_id"))
        q |= Q(pk__in=Cadre.objects.filter(organisation_id__in=organisations).values("pool_id"))
    return qs.filter(pk__in=TalentPool.objects.filter(q).values("pk"))


def has_talent_access(user: Actor) -> bool:
    """Does the user have anything to do with a talent pool (administrator, cadre with a dossier,
    organisation member, course instructor)? At most two queries; for menus and links."""
    if not _authenticated(user):
        return False
    if getattr(user, "is_superuser", False):
        return TalentPool.objects.exists()
    from gongzhi.talent.models import Course, Organisation

    person = signed_in(user)
    if person is None:
        return False
    if TalentPool.objects.filter(Q(administrators=person) | Q(cadres__user=person)).exists():
        return True
    return Organisation.objects.filter(members=person).exists() or Course.objects.filter(instructors=person).exists()


def log_dossier_view(user: Actor, cadre: Cadre, *, what: str = "page") -> None:
    """Every reading of a dossier (page, print, Excel) is an audit entry: who, whose, how."""
    audit_record(
        actor=user,
        action="dossier_viewed",
        object_type="talent.cadre",
        object_id=cadre.pk,
        summary=f"{cadre.name} ({what})",
        after={"what": what},
    )


register_checker(TalentAction, _check)
