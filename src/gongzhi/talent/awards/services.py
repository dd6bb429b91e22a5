"""The yearly awards (每年评选优秀讲师、优秀笔杆子、优秀学员; issue 7 item 4): nominations, the
decision record and the list of awardees.

Administrators nominate any current member; an organisation's members nominate their own organisation's members;
one nomination per cadre per award per year (also a database constraint). The decision (one per
award per year) names its date and basis (e.g. "2025 年 12 月 18 日工委会议研究决定"); the selected
nominations are AWARDED and an Honour is added to each awardee's dossier, the others of that
award and year NOT_AWARDED, and no nomination is taken after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.talent.access import administers, organisation_ids
from gongzhi.talent.models import (
    AwardDecision,
    AwardKind,
    AwardNomination,
    AwardNominationStatus,
    Cadre,
    CadreStatus,
    Honour,
    TalentPool,
)

MIN_YEAR = 2000
MAX_YEAR = 2100


# --- reads -------------------------------------------------------------------------------------


def may_nominate(user: Actor, pool: TalentPool) -> bool:
    return administers(user, pool) or bool(organisation_ids(user))


def nominable_cadres(user: Actor, pool: TalentPool) -> QuerySet[Cadre]:
    """Current members the user may nominate: all for administrators, their organisations' for an organisation."""
    qs = (
        Cadre.objects.filter(pool=pool, status=CadreStatus.MEMBER).select_related("organisation").order_by("name", "id")
    )
    if administers(user, pool):
        return qs
    organisations = organisation_ids(user)
    return qs.filter(organisation_id__in=organisations) if organisations else qs.none()


def visible_nominations(user: Actor, pool: TalentPool, year: int) -> QuerySet[AwardNomination]:
    qs = (
        AwardNomination.objects.filter(pool=pool, year=year)
        .select_related("cadre", "organisation")
        .order_by("kind", "id")
    )
    if administers(user, pool):
        return qs
    organisations = organisation_ids(user)
    return qs.filter(cadre__organisation_id__in=organisations) if organisations else qs.none()


@dataclass(frozen=True)
class KindResult:
    kind: str
    label: str
    decision: AwardDecision | None
    awardees: list[str]


def awardees(pool: TalentPool, year: int) -> list[KindResult]:
    """Per award, the decision and the awardees' names (what everyone with access may see). Two
    queries."""
    decisions = {d.kind: d for d in AwardDecision.objects.filter(pool=pool, year=year)}
    names: dict[str, list[str]] = {k: [] for k in AwardKind.values}
    for kind, name in (
        AwardNomination.objects.filter(pool=pool, year=year, status=AwardNominationStatus.AWARDED)
        .order_by("kind", "cadre__name", "id")
        .values_list("kind", "cadre__name")
    ):
        names[kind].append(name)
    return [KindResult(value, str(label), decisions.get(value), names[value]) for value, label in AwardKind.choices]


def award_years(pool: TalentPool, today: dt.date) -> list[int]:
    years = set(AwardNomination.objects.filter(pool=pool).order_by().values_list("year", flat=True).distinct())
    years |= set(AwardDecision.objects.filter(pool=pool).order_by().values_list("year", flat=True).distinct())
    years.add(today.year)
    return sorted(years, reverse=True)


# --- writes ------------------------------------------------------------------------------------


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(_("年度应在 %(a)s 到 %(b)s 之间。") % {"a": MIN_YEAR, "b": MAX_YEAR}, code="bad_year")


def _check_kind(kind: str) -> None:
    if kind not in AwardKind.values:
        raise DomainError(_("奖项无效。"), code="bad_kind")


@transaction.atomic
def award_nominate(
    *, actor: Actor, pool: TalentPool, year: int, kind: str, cadre: Cadre, reason: str
) -> AwardNomination:
    """Nominate a current member for an award of a year, with a reason."""
    admin = administers(actor, pool)
    if not (admin or organisation_ids(actor)):
        raise AccessDeniedError(_("只有人才库管理员和单位联络人可以推荐。"))
    _check_year(year)
    _check_kind(kind)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写推荐理由。"), code="reason_required")
    if cadre.pool_id != pool.pk or cadre.status != CadreStatus.MEMBER:
        raise DomainError(_("只能推荐本人才库的在库干部。"), code="cadre_outside")
    if not admin and cadre.organisation_id not in organisation_ids(actor):
        raise AccessDeniedError(_("您只能推荐本单位的干部。"))
    label = AwardKind(kind).label
    if AwardDecision.objects.filter(pool=pool, year=year, kind=kind).exists():
        raise DomainError(
            _("%(year)s 年度%(kind)s已评选决定，不再接受推荐。") % {"year": year, "kind": label}, code="decided"
        )
    message = _("%(name)s 已被推荐参评 %(year)s 年度%(kind)s。") % {"name": cadre.name, "year": year, "kind": label}
    if AwardNomination.objects.filter(pool=pool, year=year, kind=kind, cadre=cadre).exists():
        raise DomainError(message, code="duplicate")
    try:
        with transaction.atomic():
            nomination = AwardNomination.objects.create(
                pool=pool,
                year=year,
                kind=kind,
                cadre=cadre,
                organisation_id=cadre.organisation_id,
                reason=reason,
                nominated_by=acting_user(actor),
            )
    except IntegrityError:
        raise DomainError(message, code="duplicate") from None
    audit_record(
        actor=actor,
        action="talent_award_nominated",
        object_type="talent.awardnomination",
        object_id=nomination.pk,
        summary=f"{year} {label} {cadre.name}",
        after={"year": year, "kind": kind, "cadre": cadre.pk, "reason": reason},
    )
    return nomination


@transaction.atomic
def award_decide(
    *,
    actor: Actor,
    pool: TalentPool,
    year: int,
    kind: str,
    decided_on: dt.date,
    basis: str,
    selected: Sequence[AwardNomination],
    today: dt.date | None = None,
) -> AwardDecision:
    """Record the decision of one award for one year: the selected nominations are awarded (and an
    Honour added to each dossier), the others of that award and year are not."""
    if not administers(actor, pool):
        raise AccessDeniedError(_("只有人才库管理员可以进行此操作。"))
    _check_year(year)
    _check_kind(kind)
    today = today or timezone.localdate()
    basis = basis.strip()
    if not basis:
        raise DomainError(_("请填写决定依据。"), code="basis_required")
    if decided_on > today:
        raise DomainError(_("决定日期不能晚于今天。"), code="future_date")
    label = AwardKind(kind).label
    if AwardDecision.objects.filter(pool=pool, year=year, kind=kind).exists():
        raise DomainError(_("%(year)s 年度%(kind)s已有评选决定。") % {"year": year, "kind": label}, code="decided")
    nominations = list(
        AwardNomination.objects.select_for_update(of=("self",))
        .filter(pool=pool, year=year, kind=kind, status=AwardNominationStatus.PENDING)
        .select_related("cadre")
    )
    chosen = {n.pk for n in selected}
    known = {n.pk for n in nominations}
    if not chosen:
        raise DomainError(_("请至少选择一名当选人员。"), code="selected_required")
    if not chosen <= known:
        raise DomainError(_("所选人员不在本奖项本年度的推荐名单中。"), code="selected_outside")
    try:
        with transaction.atomic():
            decision = AwardDecision.objects.create(
                pool=pool, year=year, kind=kind, decided_on=decided_on, basis=basis, decided_by=acting_user(actor)
            )
    except IntegrityError:
        raise DomainError(
            _("%(year)s 年度%(kind)s已有评选决定。") % {"year": year, "kind": label}, code="decided"
        ) from None
    title = _("%(year)s 年度%(kind)s") % {"year": year, "kind": label}
    honours = []
    for n in nominations:
        n.decision = decision
        n.status = AwardNominationStatus.AWARDED if n.pk in chosen else AwardNominationStatus.NOT_AWARDED
        if n.pk in chosen:
            honours.append(Honour(cadre=n.cadre, title=title, awarded_on=decided_on, awarded_by=pool.name[:128]))
    AwardNomination.objects.bulk_update(nominations, ["decision", "status"])
    Honour.objects.bulk_create(honours)
    audit_record(
        actor=actor,
        action="talent_award_decided",
        object_type="talent.awarddecision",
        object_id=decision.pk,
        summary=f"{title}：" + "、".join(n.cadre.name for n in nominations if n.pk in chosen),
        after={"year": year, "kind": kind, "basis": basis, "awarded": sorted(chosen)},
    )
    return decision
