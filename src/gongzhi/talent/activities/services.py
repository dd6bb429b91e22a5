"""Training activities (专题学习、实地考察、实践锻炼……) of a cycle with their participants, and the
feedback participants and their organisations give afterwards, summarised per activity and per cycle
(issue 7, item 6: "after each activity, participants and their organisations give ratings and comments,
summarised per activity and per cycle (charts), to improve the programme").

Who sees which activity: a pool's administrators all of the pool's; a cadre those they attended;
an organisation's members those their organisation's cadres attended. Feedback: a participant (through the cadre's
own login) or a member of a participant's organisation (as the organisation), once per person per activity, not
before the activity has started. Feedback on the whole cycle (no activity) comes from the cycle's
members and their organisations. Commenters' names are shown to administrators only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, person
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.places.access import require
from gongzhi.talent.access import TalentAction, administered_pool_ids, organisation_ids, signed_in
from gongzhi.talent.access import authenticated as _authenticated
from gongzhi.talent.courses.services import cycle_members
from gongzhi.talent.models import (
    Activity,
    ActivityKind,
    Cadre,
    CadreStatus,
    Cycle,
    CycleStatus,
    Feedback,
    Organisation,
    RespondentKind,
)

CENT = Decimal("0.01")
COMMENT_MAX = 2000
RATINGS = (1, 2, 3, 4, 5)


# --- reading ------------------------------------------------------------------------------------


def access_activities(user: Actor) -> QuerySet[Activity]:
    """The activities a user may see (see the module docstring)."""
    qs = Activity.objects.all()
    if not _authenticated(user):
        return qs.none()
    if getattr(user, "is_superuser", False):
        return qs
    q = Q(cycle__pool_id__in=administered_pool_ids(user)) | Q(participants__user_id=user.pk)
    organisations = organisation_ids(user)
    if organisations:
        q |= Q(participants__organisation_id__in=organisations)
    return qs.filter(pk__in=Activity.objects.filter(q).values("pk"))


def with_figures(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """Annotate participants count and average rating (subqueries: one query for the whole list)."""
    mine = Feedback.objects.filter(activity_id=OuterRef("pk")).values("activity_id")
    avg = mine.annotate(a=Avg("rating")).values("a")
    count = mine.annotate(c=Count("id")).values("c")
    return qs.annotate(
        n_participants=Count("participants", distinct=True),
        avg_rating=Subquery(avg),
        n_feedback=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
    )


def round2(value: Any) -> Decimal | None:
    """An average to two decimals (half up), as Decimal; None when there is nothing to average."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Respondent:
    kind: str
    organisation: Organisation | None


def activity_respondent(user: Actor, activity: Activity) -> Respondent | None:
    """How the user may answer after this activity: as a participant (their own cadre is one), as
    a participant's organisation (lowest organisation id if several), or not at all."""
    person = signed_in(user)
    if person is None:
        return None
    participants = activity.participants.all()
    if participants.filter(user_id=person.pk).exists():
        return Respondent(RespondentKind.PARTICIPANT, None)
    organisations = organisation_ids(user)
    if organisations:
        organisation = Organisation.objects.filter(pk__in=organisations, cadres__in=participants).order_by("pk").first()
        if organisation is not None:
            return Respondent(RespondentKind.ORGANISATION, organisation)
    return None


def cycle_respondent(user: Actor, cycle: Cycle) -> Respondent | None:
    """As activity_respondent, for feedback on the whole cycle: its members and their organisations."""
    person = signed_in(user)
    if person is None:
        return None
    members = cycle_members(cycle)
    if members.filter(user_id=person.pk).exists():
        return Respondent(RespondentKind.PARTICIPANT, None)
    organisations = organisation_ids(user)
    if organisations:
        organisation = (
            Organisation.objects.filter(pk__in=organisations, cadres__in=members).distinct().order_by("pk").first()
        )
        if organisation is not None:
            return Respondent(RespondentKind.ORGANISATION, organisation)
    return None


@dataclass
class Summary:
    """Count, average (two decimals), distribution 1–5 and the comments of a set of feedback."""

    count: int = 0
    average: Decimal | None = None
    distribution: list[int] = field(default_factory=lambda: [0, 0, 0, 0, 0])
    comments: list[Feedback] = field(default_factory=list)
    by_kind: dict[str, Decimal | None] = field(default_factory=dict)


def summarise(feedback: Sequence[Feedback]) -> Summary:
    s = Summary(count=len(feedback))
    if feedback:
        s.average = round2(Decimal(sum(f.rating for f in feedback)) / len(feedback))
    for f in feedback:
        s.distribution[f.rating - 1] += 1
    s.comments = [f for f in feedback if f.comment.strip()]
    for kind in RespondentKind.values:
        ratings = [f.rating for f in feedback if f.respondent == kind]
        s.by_kind[kind] = round2(Decimal(sum(ratings)) / len(ratings)) if ratings else None
    return s


def activity_summary(activity: Activity) -> Summary:
    return summarise(list(activity.feedback.select_related("author", "organisation").order_by("created_at", "id")))


@dataclass(frozen=True)
class ActivityLine:
    activity: Activity
    summary: Summary


@dataclass
class CycleSummary:
    lines: list[ActivityLine]
    overall: Summary
    programme: Summary


def cycle_summary(cycle: Cycle) -> CycleSummary:
    """Per activity (in date order: the programme over time), all activities together, and the
    feedback on the whole cycle. Two queries."""
    activities = list(cycle.activities.order_by("starts_on", "id"))
    everything = list(
        Feedback.objects.filter(cycle=cycle).select_related("author", "organisation").order_by("created_at", "id")
    )
    per: dict[int, list[Feedback]] = {a.pk: [] for a in activities}
    for f in everything:
        if f.activity_id is not None and f.activity_id in per:
            per[f.activity_id].append(f)
    return CycleSummary(
        lines=[ActivityLine(a, summarise(per[a.pk])) for a in activities],
        overall=summarise([f for f in everything if f.activity_id is not None]),
        programme=summarise([f for f in everything if f.activity_id is None]),
    )


# --- writes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityData:
    kind: str
    title: str
    starts_on: dt.date
    ends_on: dt.date
    location: str = ""
    description: str = ""


def _check(cycle: Cycle, data: ActivityData, participants: Sequence[Cadre], keep: set[int]) -> None:
    if data.kind not in ActivityKind.values:
        raise DomainError(_("请选择活动类型。"), code="bad_kind")
    if not (data.title or "").strip():
        raise DomainError(_("请填写活动名称。"), code="title_required")
    if data.ends_on < data.starts_on:
        raise DomainError(_("结束日期不能早于开始日期。"), code="dates_reversed")
    if data.starts_on < cycle.start or data.ends_on > cycle.end:
        raise DomainError(
            _("活动日期须在培养周期内（%(start)s 至 %(end)s）。") % {"start": cycle.start, "end": cycle.end},
            code="bad_date",
        )
    # Pool and status as stored now, not as the caller's objects remember them.
    stored = dict(Cadre.objects.filter(pk__in=[c.pk for c in participants]).values_list("pk", "status"))
    pools = dict(Cadre.objects.filter(pk__in=[c.pk for c in participants]).values_list("pk", "pool_id"))
    for cadre in participants:
        if pools.get(cadre.pk) != cycle.pool_id or (
            stored.get(cadre.pk) != CadreStatus.MEMBER and cadre.pk not in keep
        ):
            raise DomainError(
                _("%(name)s 不是本人才库的在库学员，不能作为参加人员。") % {"name": cadre.name},
                code="bad_participant",
            )


@transaction.atomic
def activity_create(*, actor: Actor, cycle: Cycle, data: ActivityData, participants: Sequence[Cadre] = ()) -> Activity:
    """A training activity of an open cycle, with its participants (the pool's members)."""
    require(actor, TalentAction.ADMINISTER, cycle.pool_id)
    cycle = Cycle.objects.select_for_update(of=("self",)).get(pk=cycle.pk)
    if cycle.status != CycleStatus.OPEN:
        raise DomainError(_("该培养周期已结束，不能再添加活动。"), code="cycle_closed")
    _check(cycle, data, participants, set())
    activity = Activity.objects.create(
        cycle=cycle,
        kind=data.kind,
        title=data.title.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        location=data.location.strip(),
        description=data.description.strip(),
    )
    activity.participants.set(list(participants))
    audit_record(
        actor=actor,
        action="talent_activity_create",
        object_type="talent.activity",
        object_id=activity.pk,
        summary=activity.title,
        after={
            "kind": data.kind,
            "starts_on": data.starts_on,
            "ends_on": data.ends_on,
            "participants": sorted(c.pk for c in participants),
        },
    )
    return activity


@transaction.atomic
def activity_update(
    *, actor: Actor, activity: Activity, data: ActivityData, participants: Sequence[Cadre] = ()
) -> Activity:
    """Edit an activity and set its participants. Participants already recorded who have since left
    the pool may stay (the record of who attended is history)."""
    require(actor, TalentAction.ADMINISTER, activity.cycle.pool_id)
    activity = Activity.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=activity.pk)
    if activity.cycle.status != CycleStatus.OPEN:  # a closed cycle is frozen, its activities too
        raise DomainError(_("该培养周期已结束，不能再修改活动。"), code="cycle_closed")
    keep = set(activity.participants.values_list("pk", flat=True))
    _check(activity.cycle, data, participants, keep)
    before = {
        "title": activity.title,
        "kind": activity.kind,
        "starts_on": activity.starts_on,
        "ends_on": activity.ends_on,
        "participants": sorted(keep),
    }
    activity.kind, activity.title = data.kind, data.title.strip()
    activity.starts_on, activity.ends_on = data.starts_on, data.ends_on
    activity.location, activity.description = data.location.strip(), data.description.strip()
    activity.save()
    activity.participants.set(list(participants))
    audit_record(
        actor=actor,
        action="talent_activity_update",
        object_type="talent.activity",
        object_id=activity.pk,
        summary=activity.title,
        before=before,
        after={
            "title": activity.title,
            "kind": data.kind,
            "starts_on": data.starts_on,
            "ends_on": data.ends_on,
            "participants": sorted(c.pk for c in participants),
        },
    )
    return activity


def _check_answer(rating: Any, comment: str) -> tuple[int, str]:
    try:
        value = int(rating)
    except (TypeError, ValueError):
        raise DomainError(_("评分须为 1 到 5 的整数。"), code="bad_rating") from None
    if value not in RATINGS or str(rating).strip() not in {str(v) for v in RATINGS}:
        raise DomainError(_("评分须为 1 到 5 的整数。"), code="bad_rating")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(_("意见建议最多 %(n)d 字。") % {"n": COMMENT_MAX}, code="comment_too_long")
    return value, comment


def _save_feedback(
    *, actor: Actor, cycle: Cycle, activity: Activity | None, who: Respondent, rating: int, comment: str
) -> Feedback:
    try:
        with transaction.atomic():
            return Feedback.objects.create(
                cycle=cycle,
                activity=activity,
                author=person(actor),
                respondent=who.kind,
                organisation=who.organisation,
                rating=rating,
                comment=comment,
            )
    except IntegrityError:  # the unique constraint, when two submissions race
        raise DomainError(_("您已经提交过评价，不能重复提交。"), code="duplicate") from None


@transaction.atomic
def feedback_give(
    *, actor: Actor, activity: Activity, rating: Any, comment: str = "", today: dt.date | None = None
) -> Feedback:
    """A participant's or a participant's organisation's rating (1–5) and comment after an activity. Once
    per person per activity (a second submission is refused, not merged), not before it starts."""
    today = today or timezone.localdate()
    who = activity_respondent(actor, activity)
    if who is None:
        raise AccessDeniedError(_("只有参加人员及其所在单位可以评价本活动。"))
    value, comment = _check_answer(rating, comment)
    if today < activity.starts_on:
        raise DomainError(_("活动开始（%(day)s）后才能评价。") % {"day": activity.starts_on}, code="too_early")
    if Feedback.objects.filter(activity=activity, author=person(actor)).exists():
        raise DomainError(_("您已经提交过评价，不能重复提交。"), code="duplicate")
    fb = _save_feedback(actor=actor, cycle=activity.cycle, activity=activity, who=who, rating=value, comment=comment)
    audit_record(
        actor=actor,
        action="talent_feedback_give",
        object_type="talent.feedback",
        object_id=fb.pk,
        summary=f"{activity.title} {value}",
        after={"activity": activity.pk, "respondent": who.kind, "organisation": who.organisation, "rating": value},
    )
    return fb


@transaction.atomic
def cycle_feedback_give(
    *, actor: Actor, cycle: Cycle, rating: Any, comment: str = "", today: dt.date | None = None
) -> Feedback:
    """Feedback on the whole programme of a cycle (no activity), from its members and their
    organisations; once per person per cycle, not before the cycle starts."""
    today = today or timezone.localdate()
    who = cycle_respondent(actor, cycle)
    if who is None:
        raise AccessDeniedError(_("只有本周期学员及其所在单位可以评价本周期。"))
    value, comment = _check_answer(rating, comment)
    if today < cycle.start:
        raise DomainError(_("培养周期开始（%(day)s）后才能评价。") % {"day": cycle.start}, code="too_early")
    if Feedback.objects.filter(cycle=cycle, activity__isnull=True, author=person(actor)).exists():
        raise DomainError(_("您已经提交过评价，不能重复提交。"), code="duplicate")
    fb = _save_feedback(actor=actor, cycle=cycle, activity=None, who=who, rating=value, comment=comment)
    audit_record(
        actor=actor,
        action="talent_cycle_feedback_give",
        object_type="talent.feedback",
        object_id=fb.pk,
        summary=f"{cycle.name} {value}",
        after={"cycle": cycle.pk, "respondent": who.kind, "organisation": who.organisation, "rating": value},
    )
    return fb
