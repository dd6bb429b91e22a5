"""Organisation nominations and reviews (单位推荐, 动态调整; issue 7 item 3): services (writes) and the
selectors (reads) of the review pages.

A review scores every current member and every pending nominee with the composite score
(talent/scoring.py), re-ranks them with the issue's contract (talent/ranking.py: "best in, worst
out", at most `cap` people, category quotas) and proposes one line per person with the outcome
and the reason in words. An administrator confirms the proposal with a reason; only then do
memberships change, and everyone sees why they are in or out (their own line, an organisation its
people's lines).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.places.access import require
from gongzhi.talent import ranking, scoring
from gongzhi.talent.access import TalentAction, access_pools, administers, organisation_ids
from gongzhi.talent.access import authenticated as _authenticated
from gongzhi.talent.completion import completed_courses, required_courses
from gongzhi.talent.models import (
    Appraisal,
    AppraisalGrade,
    Cadre,
    CadreStatus,
    Cycle,
    Gender,
    LineOutcome,
    Membership,
    Nomination,
    NominationStatus,
    Organisation,
    PoolCategory,
    RerankReview,
    ResearchMember,
    ReviewLine,
    ReviewStatus,
    Skill,
    SkillAssessment,
    TalentPool,
)

# --- reads -------------------------------------------------------------------------------------


def nominating_pools(user: Actor) -> QuerySet[TalentPool]:
    """Pools a user may nominate to or see nominations of: those in access_pools, and for an organisation's
    members every pool (an organisation without anyone in a pool yet must be able to nominate its first
    candidate)."""
    if _authenticated(user) and organisation_ids(user):
        return TalentPool.objects.all()
    return access_pools(user)


def current_members(pool: TalentPool | int) -> QuerySet[Cadre]:
    """The pool's current members (在库, with an open stay)."""
    pool_id = pool.pk if isinstance(pool, TalentPool) else pool
    return Cadre.objects.filter(
        pool_id=pool_id, status=CadreStatus.MEMBER, memberships__exited_on__isnull=True
    ).distinct()


def pending_nominations(pool: TalentPool | int) -> QuerySet[Nomination]:
    pool_id = pool.pk if isinstance(pool, TalentPool) else pool
    return Nomination.objects.filter(pool_id=pool_id, status=NominationStatus.PENDING)


def visible_nominations(user: Actor, pool: TalentPool) -> QuerySet[Nomination]:
    """Administrators: all of the pool's nominations; an organisation's members: their organisations' only."""
    qs = Nomination.objects.filter(pool=pool).select_related("cadre", "organisation", "review")
    if administers(user, pool):
        return qs
    organisations = organisation_ids(user)
    return qs.filter(organisation_id__in=organisations) if organisations else qs.none()


def may_nominate(user: Actor, pool: TalentPool) -> bool:
    return administers(user, pool) or bool(organisation_ids(user))


def nominable_organisations(user: Actor, pool: TalentPool) -> QuerySet[Organisation]:
    if administers(user, pool):
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=organisation_ids(user))


def visible_lines(user: Actor, review: RerankReview) -> QuerySet[ReviewLine]:
    """The review lines a user may read: administrators all (also before confirming); once the
    review is confirmed, the cadre their own line, an organisation's members the lines of their organisation's
    cadres and nominees; nobody else's."""
    qs = ReviewLine.objects.filter(review=review).select_related("cadre__organisation")
    if administers(user, review.pool_id):
        return qs
    if review.status != ReviewStatus.CONFIRMED or not _authenticated(user):
        return qs.none()
    q = Q(cadre__user_id=user.pk)
    organisations = organisation_ids(user)
    if organisations:
        q |= Q(cadre__organisation_id__in=organisations)
        q |= Q(
            cadre_id__in=Nomination.objects.filter(pool_id=review.pool_id, organisation_id__in=organisations).values(
                "cadre_id"
            )
        )
    return qs.filter(q)


def visible_reviews(user: Actor, pool: TalentPool) -> QuerySet[RerankReview]:
    """Administrators: every review of the pool; others: the confirmed ones."""
    qs = RerankReview.objects.filter(pool=pool).select_related("cycle")
    if administers(user, pool):
        return qs
    return qs.filter(status=ReviewStatus.CONFIRMED)


@dataclass(frozen=True)
class Counts:
    stay: int
    admit: int
    remove: int
    not_admitted: int


def line_counts(lines: Iterable[ReviewLine]) -> Counts:
    n: dict[str, int] = defaultdict(int)
    for line in lines:
        n[line.outcome] += 1
    return Counts(n[LineOutcome.STAY], n[LineOutcome.ADMIT], n[LineOutcome.REMOVE], n[LineOutcome.NOT_ADMITTED])


def explain(components: Any) -> list[dict[str, str]]:
    """A line's stored explanation for display: translated texts, figures to 2 places."""
    out = []
    for part in components if isinstance(components, list) else []:
        template, params = part.get("template"), part.get("params") or {}
        text = (_(template) % params if params else _(template)) if template else part.get("text", "")
        out.append(
            {
                "component": part.get("component", ""),
                "label": _(part.get("label", "")),
                "value": scoring.two(Decimal(part.get("value", "0"))),
                "weight": scoring.two(Decimal(part.get("weight", "0"))),
                "contribution": scoring.two(Decimal(part.get("contribution", "0"))),
                "text": text,
            }
        )
    return out


# --- scoring inputs ----------------------------------------------------------------------------


def score_inputs(review: RerankReview, cadre_ids: list[int]) -> dict[int, scoring.ScoreInputs]:
    """Everything the composite score needs for these cadres, in six queries whatever their number."""
    pool = review.pool
    latest: dict[tuple[int, str], Decimal | None] = {}
    for cadre_id, skill, score in (
        SkillAssessment.objects.filter(cadre_id__in=cadre_ids, assessed_on__lte=review.held_on)
        .order_by("cadre_id", "skill", "assessed_on", "id")
        .values_list("cadre_id", "skill", "score")
    ):
        latest[(cadre_id, skill)] = score  # the last one wins: latest by assessed_on, then id
    required = {c.pk for c in required_courses(review.cycle)}
    done = completed_courses(review.cycle, cadre_ids)
    appraisals: dict[int, tuple[int | None, str | None]] = {}
    for cadre_id, year, grade in (
        Appraisal.objects.filter(cadre_id__in=cadre_ids, year__lte=review.held_on.year)
        .order_by("cadre_id", "year")
        .values_list("cadre_id", "year", "grade")
    ):
        appraisals[cadre_id] = (year, grade)
    research: dict[int, tuple[Decimal | None, str]] = {}
    for cadre_id, project_score, title in (
        ResearchMember.objects.filter(
            cadre_id__in=cadre_ids, project__cycle_id=review.cycle_id, project__score__isnull=False
        )
        .order_by("cadre_id", "project__score", "-project__title")
        .values_list("cadre_id", "project__score", "project__title")
    ):
        research[cadre_id] = (project_score, title)  # the last one wins: the highest score
    grades = dict(AppraisalGrade.choices)
    out = {}
    for cadre_id in cadre_ids:
        appraisal_year, appraisal_grade = appraisals.get(cadre_id, (None, None))
        best = research.get(cadre_id)
        out[cadre_id] = scoring.ScoreInputs(
            skills=[scoring.SkillReading(str(label), latest.get((cadre_id, value))) for value, label in Skill.choices],
            scale_min=pool.skill_scale_min,
            scale_max=pool.skill_scale_max,
            courses_done=len(required & done.get(cadre_id, set())),
            courses_required=len(required),
            appraisal_year=appraisal_year,
            appraisal_grade=appraisal_grade,
            appraisal_label=str(grades.get(appraisal_grade, "")) if appraisal_grade else "",
            research_score=best[0] if best else None,
            research_title=best[1] if best else "",
        )
    return out


def review_weights(review: RerankReview) -> scoring.Weights:
    return scoring.Weights(review.weight_skills, review.weight_courses, review.weight_appraisal, review.weight_research)


# --- writes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateProfile:
    """A new candidate's dossier as the organisation gives it."""

    name: str
    date_of_birth: dt.date
    gender: str = ""
    post: str = ""
    category: PoolCategory | None = None
    education: str = ""
    political_status: str = ""
    phone: str = ""
    staff_number: str = ""


def _new_candidate(pool: TalentPool, organisation: Organisation, profile: CandidateProfile, today: dt.date) -> Cadre:
    name = profile.name.strip()
    if not name:
        raise DomainError(_("请填写姓名。"), code="name_required")
    if profile.date_of_birth >= today:
        raise DomainError(_("出生日期须早于今天。"), code="bad_birth_date")
    if profile.gender and profile.gender not in Gender.values:
        raise DomainError(_("性别无效。"), code="bad_gender")
    if profile.category is not None and profile.category.pool_id != pool.pk:
        raise DomainError(_("类别不属于本人才库。"), code="bad_category")
    staff_number = profile.staff_number.strip()
    if staff_number and Cadre.objects.filter(pool=pool, staff_number=staff_number).exists():
        raise DomainError(_("编号“%(n)s”在本人才库中已被使用。") % {"n": staff_number}, code="staff_number_taken")
    cadre = Cadre(
        pool=pool,
        name=name,
        gender=profile.gender,
        date_of_birth=profile.date_of_birth,
        organisation=organisation,
        post=profile.post.strip(),
        category=profile.category,
        education=profile.education.strip(),
        political_status=profile.political_status.strip(),
        phone=profile.phone.strip(),
        staff_number=staff_number,
        status=CadreStatus.CANDIDATE,
    )
    cadre.full_clean()
    cadre.save()
    return cadre


@transaction.atomic
def nomination_create(
    *,
    actor: Actor,
    pool: TalentPool,
    organisation: Organisation,
    reason: str,
    cadre: Cadre | None = None,
    profile: CandidateProfile | None = None,
    today: dt.date | None = None,
) -> Nomination:
    """An organisation nominates a candidate: a new dossier (`profile`) or one of its existing cadres of the
    pool who is not a member. An organisation's members nominate for their own organisation only; administrators may
    record a nomination on any organisation's behalf. One pending nomination per cadre (also a database
    constraint)."""
    if not (administers(actor, pool) or organisation.pk in organisation_ids(actor)):
        raise AccessDeniedError(_("您只能为本单位推荐人选。"))
    today = today or timezone.localdate()
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写推荐理由。"), code="reason_required")
    if (cadre is None) == (profile is None):
        raise DomainError(_("请选择本单位的干部或填写新人选的信息（二者选一）。"), code="cadre_required")
    if cadre is not None:
        cadre = Cadre.objects.select_for_update(of=("self",)).get(pk=cadre.pk)
        if cadre.pool_id != pool.pk:
            raise DomainError(_("该干部不属于本人才库。"), code="cadre_outside")
        if cadre.organisation_id != organisation.pk:
            raise DomainError(_("该干部不是本单位的干部。"), code="cadre_other_organisation")
        if cadre.status == CadreStatus.MEMBER:
            raise DomainError(_("该干部已在库中，无需推荐。"), code="cadre_member")
    else:
        assert profile is not None  # noqa: S101 - checked above
        cadre = _new_candidate(pool, organisation, profile, today)
    if pending_nominations(pool).filter(cadre=cadre).exists():
        raise DomainError(_("该干部已有一条待评审的推荐。"), code="already_pending")
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                pool=pool, cadre=cadre, organisation=organisation, reason=reason, nominated_by=acting_user(actor)
            )
    except IntegrityError:  # a concurrent nomination of the same cadre
        raise DomainError(_("该干部已有一条待评审的推荐。"), code="already_pending") from None
    audit_record(
        actor=actor,
        action="talent_nomination_created",
        object_type="talent.nomination",
        object_id=nomination.pk,
        summary=f"{organisation.name} → {cadre.name}",
        after={"cadre": cadre.pk, "organisation": organisation.pk, "reason": reason},
    )
    return nomination


@transaction.atomic
def nomination_withdraw(*, actor: Actor, nomination: Nomination) -> Nomination:
    """The nominating organisation (or an administrator) withdraws a nomination while it is pending."""
    nomination = Nomination.objects.select_for_update(of=("self",)).select_related("cadre").get(pk=nomination.pk)
    if not (administers(actor, nomination.pool_id) or nomination.organisation_id in organisation_ids(actor)):
        raise AccessDeniedError(_("只有推荐单位可以撤回推荐。"))
    if nomination.status != NominationStatus.PENDING:
        raise DomainError(_("只能撤回待评审的推荐。"), code="not_pending")
    nomination.status = NominationStatus.WITHDRAWN
    nomination.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="talent_nomination_withdrawn",
        object_type="talent.nomination",
        object_id=nomination.pk,
        summary=nomination.cadre.name,
        before={"status": NominationStatus.PENDING},
        after={"status": NominationStatus.WITHDRAWN},
    )
    return nomination


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except ArithmeticError:
        raise DomainError(_("%(f)s须为数字。") % {"f": field}, code="bad_number") from None
    if not number.is_finite():
        raise DomainError(_("%(f)s须为数字。") % {"f": field}, code="bad_number")
    return number


@transaction.atomic
def review_create(
    *,
    actor: Actor,
    pool: TalentPool,
    cycle: Cycle,
    title: str,
    held_on: dt.date,
    weight_skills: Decimal = Decimal(40),
    weight_courses: Decimal = Decimal(20),
    weight_appraisal: Decimal = Decimal(25),
    weight_research: Decimal = Decimal(15),
    cap: int | None = None,
    exit_below: Decimal | None = None,
) -> RerankReview:
    """An administrator opens a review; cap and exit_below default to the pool's."""
    require(actor, TalentAction.ADMINISTER, pool)
    title = title.strip()
    if not title:
        raise DomainError(_("请填写名称。"), code="title_required")
    if cycle.pool_id != pool.pk:
        raise DomainError(_("届次不属于本人才库。"), code="bad_cycle")
    weights = {
        "weight_skills": (_("能力权重"), weight_skills),
        "weight_courses": (_("课程权重"), weight_courses),
        "weight_appraisal": (_("考核权重"), weight_appraisal),
        "weight_research": (_("课题权重"), weight_research),
    }
    values: dict[str, Decimal] = {}
    for key, (label, raw) in weights.items():
        value = _decimal(raw, label)
        if value < 0:
            raise DomainError(_("%(f)s不能为负数。") % {"f": label}, code=key)
        if value > Decimal("999.99") or value != value.quantize(scoring.CENT):
            raise DomainError(_("%(f)s最多 999.99，两位小数。") % {"f": label}, code=key)
        values[key] = value
    if sum(values.values()) <= 0:
        raise DomainError(_("四项权重不能全为 0。"), code="weights_zero")
    cap = pool.cap if cap is None else cap
    if cap < 0:
        raise DomainError(_("人数上限不能为负数。"), code="bad_cap")
    if cap > pool.cap:  # the pool's own cap is the hard limit (at most 100 people, the "1455" system)
        raise DomainError(_("人数上限不能超过本人才库的上限（%(n)d 人）。") % {"n": pool.cap}, code="bad_cap")
    threshold = pool.exit_below if exit_below is None else _decimal(exit_below, _("退出分数线"))
    if threshold < 0 or threshold > 100:
        raise DomainError(_("退出分数线应在 0 到 100 之间。"), code="bad_exit_below")
    review = RerankReview(
        pool=pool,
        cycle=cycle,
        title=title,
        held_on=held_on,
        cap=cap,
        exit_below=threshold.quantize(scoring.CENT),
        created_by=acting_user(actor),
        **values,
    )
    review.full_clean()
    review.save()
    audit_record(
        actor=actor,
        action="talent_review_created",
        object_type="talent.review",
        object_id=review.pk,
        summary=title,
        after={k: str(v) for k, v in values.items()} | {"cap": cap, "exit_below": str(review.exit_below)},
    )
    return review


def _rank_id(cadre_id: int) -> str:
    """Ids for the re-rank contract, zero-padded so that its text order is the numeric order."""
    return f"{cadre_id:012d}"


@dataclass(frozen=True)
class Proposed:
    cadre: Cadre
    member: bool
    category: str
    score: scoring.Score
    rank: int | None
    outcome: str
    reason: str


def propose(review: RerankReview, members: list[Cadre], candidates: list[Cadre]) -> list[Proposed]:
    """Score everyone, re-rank with ranking.rerank and say why, in words. No writes."""
    ids = [c.pk for c in members + candidates]
    inputs = score_inputs(review, ids)
    weights = review_weights(review)
    scores = {c.pk: scoring.composite(inputs[c.pk], weights) for c in members + candidates}
    quotas = {c.name: c.quota for c in PoolCategory.objects.filter(pool_id=review.pool_id) if c.quota is not None}
    category_names = {c.pk: (c.category.name if c.category else "") for c in members + candidates}

    def person(cadre: Cadre, member: bool) -> ranking.Person:
        return ranking.Person(_rank_id(cadre.pk), scores[cadre.pk].total, category_names[cadre.pk], member)

    people_m = [person(c, True) for c in members]
    people_c = [person(c, False) for c in candidates]
    result = ranking.rerank(review.cap, review.exit_below, quotas, people_m, people_c)
    # The full rank order of everyone at or above the threshold (same contract, no cap or quota).
    order = ranking.rerank(len(ids), review.exit_below, {}, people_m, people_c).pool
    rank_of = {pid: i for i, pid in enumerate(order, start=1)}
    taken = set(result.pool)
    by_id = {_rank_id(c.pk): (c, True) for c in members} | {_rank_id(c.pk): (c, False) for c in candidates}
    out: list[Proposed] = []
    so_far = 0
    per_category: dict[str, int] = defaultdict(int)
    for pid in order:
        cadre, member = by_id[pid]
        total = scores[cadre.pk].total
        category = category_names[cadre.pk]
        rank = rank_of[pid]
        if pid in taken:
            so_far += 1
            per_category[category] += 1
            outcome = LineOutcome.STAY if member else LineOutcome.ADMIT
            reason = _("综合得分 %(score)s，排名第 %(rank)s") % {"score": scoring.two(total), "rank": rank}
        else:
            outcome = LineOutcome.REMOVE if member else LineOutcome.NOT_ADMITTED
            if so_far >= review.cap:
                reason = _("排名第 %(rank)s，超出人数上限 %(cap)s") % {"rank": rank, "cap": review.cap}
            else:
                reason = _("类别“%(category)s”名额 %(quota)s 已满") % {"category": category, "quota": quotas[category]}
        out.append(Proposed(cadre, member, category, scores[cadre.pk], rank, outcome, reason))
    below = [pid for pid in by_id if pid not in rank_of]
    below.sort(key=lambda pid: (-scores[by_id[pid][0].pk].total, 0 if by_id[pid][1] else 1, pid))
    for pid in below:
        cadre, member = by_id[pid]
        total = scores[cadre.pk].total
        reason = _("综合得分 %(score)s，低于退出分数线 %(line)s") % {
            "score": scoring.two(total),
            "line": scoring.two(review.exit_below),
        }
        outcome = LineOutcome.REMOVE if member else LineOutcome.NOT_ADMITTED
        out.append(Proposed(cadre, member, category_names[cadre.pk], scores[cadre.pk], None, outcome, reason))
    return out


def _people(pool_id: int) -> tuple[list[Cadre], list[Cadre]]:
    members = list(current_members(pool_id).select_related("category").order_by("id"))
    member_ids = {c.pk for c in members}
    candidates = [
        n.cadre
        for n in pending_nominations(pool_id).select_related("cadre__category").order_by("cadre_id")
        if n.cadre_id not in member_ids
    ]
    return members, candidates


@transaction.atomic
def review_propose(*, actor: Actor, review: RerankReview) -> RerankReview:
    """生成方案: score every current member and pending nominee, re-rank, and write one line per
    person (replacing the previous proposal while the review is not confirmed)."""
    require(actor, TalentAction.ADMINISTER, review.pool_id)
    review = RerankReview.objects.select_for_update(of=("self",)).select_related("pool", "cycle").get(pk=review.pk)
    if review.status not in (ReviewStatus.DRAFT, ReviewStatus.PROPOSED):
        raise DomainError(_("该考评已确认或已取消，不能重新生成方案。"), code="not_open")
    members, candidates = _people(review.pool_id)
    proposed = propose(review, members, candidates)
    ReviewLine.objects.filter(review=review).delete()
    ReviewLine.objects.bulk_create(
        [
            ReviewLine(
                review=review,
                cadre=p.cadre,
                member=p.member,
                category=p.category,
                score=p.score.total,
                components=p.score.as_json(),
                rank=p.rank,
                outcome=p.outcome,
                reason=p.reason[:255],
            )
            for p in proposed
        ]
    )
    before = review.status
    review.status = ReviewStatus.PROPOSED
    review.proposed_at = timezone.now()
    review.save(update_fields=["status", "proposed_at"])
    counts = line_counts(ReviewLine(outcome=p.outcome) for p in proposed)
    audit_record(
        actor=actor,
        action="talent_review_proposed",
        object_type="talent.review",
        object_id=review.pk,
        summary=review.title,
        before={"status": before},
        after={"status": review.status, "lines": len(proposed)} | counts.__dict__,
    )
    return review


def _stale(review: RerankReview, lines: list[ReviewLine]) -> bool:
    """Has the pool changed since the proposal? (members entered or left, nominations added or
    withdrawn)."""
    members, candidates = _people(review.pool_id)
    now_members = {c.pk for c in members}
    now_candidates = {c.pk for c in candidates}
    was_members = {line.cadre_id for line in lines if line.member}
    was_candidates = {line.cadre_id for line in lines if not line.member}
    if now_members != was_members or now_candidates != was_candidates:
        return True
    return bool(
        review.proposed_at is not None
        and Nomination.objects.filter(pool_id=review.pool_id, nominated_at__gt=review.proposed_at).exists()
    )


@transaction.atomic
def review_confirm(*, actor: Actor, review: RerankReview, reason: str, today: dt.date | None = None) -> RerankReview:
    """An administrator confirms the proposal: in one transaction removed members leave (exit date
    = the review date, reason = the line's), admitted candidates enter, nominations are closed and
    the review is recorded as confirmed with the reason. Refused when the pool changed since the
    proposal, and before the review date (entries and exits are never dated in the future)."""
    require(actor, TalentAction.ADMINISTER, review.pool_id)
    today = today or timezone.localdate()
    # The pool row first, as every change of membership does (entry, exit, graduation, import):
    # nothing can enter or leave between the staleness check and the writes.
    TalentPool.objects.select_for_update().get(pk=review.pool_id)
    review = RerankReview.objects.select_for_update(of=("self",)).select_related("pool").get(pk=review.pk)
    reason = reason.strip()
    if review.status == ReviewStatus.CONFIRMED:
        raise DomainError(_("该考评已确认，不能重复确认。"), code="already_confirmed")
    if review.status != ReviewStatus.PROPOSED:
        raise DomainError(_("请先生成方案再确认。"), code="not_proposed")
    if not reason:
        raise DomainError(_("请填写确认理由。"), code="reason_required")
    if review.held_on > today:
        raise DomainError(
            _("考评日期（%(d)s）还未到，不能确认。") % {"d": review.held_on.isoformat()}, code="future_date"
        )
    lines = list(ReviewLine.objects.filter(review=review).select_related("cadre").order_by("rank", "-score", "id"))
    if _stale(review, lines):
        raise DomainError(_("方案生成后人才库有变动，请重新生成"), code="stale")
    pending = {n.cadre_id: n for n in pending_nominations(review.pool_id).select_for_update(of=("self",))}
    changed = {"admitted": 0, "removed": 0, "not_admitted": 0}
    try:
        with transaction.atomic():
            for line in lines:
                cadre = line.cadre
                if line.outcome == LineOutcome.REMOVE:
                    Membership.objects.filter(cadre=cadre, exited_on__isnull=True).update(
                        exited_on=review.held_on, exit_reason=line.reason, review=review
                    )
                    Cadre.objects.filter(pk=cadre.pk).update(status=CadreStatus.EXITED)
                    changed["removed"] += 1
                elif line.outcome == LineOutcome.ADMIT:
                    Membership.objects.create(
                        cadre=cadre,
                        entered_on=review.held_on,
                        entry_reason=f"{review.title}：{line.reason}"[:255],
                        review=review,
                    )
                    Cadre.objects.filter(pk=cadre.pk).update(status=CadreStatus.MEMBER)
                    _close(pending.get(cadre.pk), NominationStatus.ADMITTED, review)
                    changed["admitted"] += 1
                elif line.outcome == LineOutcome.NOT_ADMITTED:
                    _close(pending.get(cadre.pk), NominationStatus.NOT_ADMITTED, review)
                    changed["not_admitted"] += 1
    except IntegrityError:
        raise DomainError(
            _("无法调整人才库：有人员的入库日期晚于考评日期，请核对考评日期后重新生成方案。"), code="dates"
        ) from None
    review.status = ReviewStatus.CONFIRMED
    review.confirmed_by = acting_user(actor)
    review.confirmed_at = timezone.now()
    review.reason = reason
    review.save(update_fields=["status", "confirmed_by", "confirmed_at", "reason"])
    audit_record(
        actor=actor,
        action="talent_review_confirmed",
        object_type="talent.review",
        object_id=review.pk,
        summary=review.title,
        before={"status": ReviewStatus.PROPOSED},
        after={"status": ReviewStatus.CONFIRMED, "reason": reason} | changed,
    )
    return review


def _close(nomination: Nomination | None, status: str, review: RerankReview) -> None:
    if nomination is None:
        return
    nomination.status = status
    nomination.review = review
    nomination.save(update_fields=["status", "review"])


@transaction.atomic
def review_cancel(*, actor: Actor, review: RerankReview) -> RerankReview:
    """Cancel a draft or proposed review (its lines stay for the record, nothing changes)."""
    require(actor, TalentAction.ADMINISTER, review.pool_id)
    review = RerankReview.objects.select_for_update(of=("self",)).get(pk=review.pk)
    if review.status not in (ReviewStatus.DRAFT, ReviewStatus.PROPOSED):
        raise DomainError(_("只能取消草稿或已生成方案的考评。"), code="not_open")
    before = review.status
    review.status = ReviewStatus.CANCELLED
    review.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="talent_review_cancelled",
        object_type="talent.review",
        object_id=review.pk,
        summary=review.title,
        before={"status": before},
        after={"status": review.status},
    )
    return review
