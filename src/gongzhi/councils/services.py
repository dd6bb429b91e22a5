"""Writes of deliberation councils (DESIGN.md convention 1). Staff with MANAGE_COUNCILS in the
community run the council; anyone holding a role in the community may propose a topic. Every write
runs in one transaction and ends with one audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.actors import Actor, acting_user, person
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import DomainError
from gongzhi.councils.models import (
    Council,
    CouncilMember,
    CouncilRole,
    Outcome,
    OutcomeKind,
    OutcomeStatus,
    Represents,
    Session,
    SessionReport,
    Topic,
    TopicStatus,
)
from gongzhi.councils.rules import CouncilAction
from gongzhi.places.access import Action, require
from gongzhi.places.models import Community, Estate

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TOPIC_MINUTES = 20  # the agenda time given to each topic of a session


# The refusal of MANAGE_COUNCILS (services and pages alike).
MANAGE_REFUSAL = gettext_lazy("您无权管理本社区的议事会。")


def _text(value: str, code: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code=code)
    return value


def _council(council: Council) -> Council:
    locked: Council = Council.objects.select_for_update().select_related("community__subdistrict").get(pk=council.pk)
    return locked


@transaction.atomic
def council_create(
    *, actor: Actor, community: Community, name: str, established_on: dt.date, rules: str = ""
) -> Council:
    require(actor, Action.MANAGE_COUNCILS, community, MANAGE_REFUSAL)
    name = _text(name, "name_required", _("请填写议事会名称。"))
    if Council.objects.filter(community=community, name=name).exists():
        raise DomainError(_("本社区已有同名议事会。"), code="duplicate")
    council = Council.objects.create(community=community, name=name, established_on=established_on, rules=rules.strip())
    audit_record(
        actor=actor,
        action="council_create",
        object_type="councils.council",
        object_id=council.pk,
        summary=f"{community.name} {name}",
        after={"established_on": established_on, "rules": bool(council.rules)},
    )
    return council


def _overlaps(a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None) -> bool:
    """Do two terms [start, end] (end None: open) share a day? Both ends inclusive."""
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


def _check_no_overlap(member: CouncilMember) -> None:
    same = CouncilMember.objects.filter(council_id=member.council_id, role=member.role).exclude(pk=member.pk)
    same = (
        same.filter(user=member.user) if member.user is not None else same.filter(user__isnull=True, name=member.name)
    )
    for other in same:
        if _overlaps(member.term_start, member.term_end, other.term_start, other.term_end):
            raise DomainError(
                _("%(name)s 的“%(role)s”任期与已有任期（%(start)s 起）重叠。")
                % {"name": member.name, "role": member.get_role_display(), "start": other.term_start},
                code="term_overlap",
            )


@transaction.atomic
def member_add(
    *,
    actor: Actor,
    council: Council,
    name: str,
    role: str = CouncilRole.MEMBER,
    represents: str = Represents.RESIDENT,
    term_start: dt.date,
    term_end: dt.date | None = None,
    user: User | None = None,
) -> CouncilMember:
    """Add a member for a term. A person (the same account, or the same name without one) may not
    hold the same role in the council for two overlapping terms."""
    council = _council(council)
    require(actor, Action.MANAGE_COUNCILS, council.community, MANAGE_REFUSAL)
    name = _text(name, "name_required", _("请填写成员姓名。"))
    if role not in CouncilRole.values:
        raise DomainError(_("请选择职务。"), code="bad_role")
    if represents not in Represents.values:
        raise DomainError(_("请选择代表方。"), code="bad_represents")
    if term_end is not None and term_end < term_start:
        raise DomainError(_("任期结束不能早于任期开始。"), code="term_reversed")
    member = CouncilMember(
        council=council,
        name=name,
        role=role,
        represents=represents,
        term_start=term_start,
        term_end=term_end,
        user=user,
    )
    _check_no_overlap(member)
    member.save()
    audit_record(
        actor=actor,
        action="council_member_add",
        object_type="councils.member",
        object_id=member.pk,
        summary=f"{council.name} {name} {role}",
        after={"role": role, "represents": represents, "term_start": term_start, "term_end": term_end},
    )
    return member


@transaction.atomic
def member_end_term(*, actor: Actor, member: CouncilMember, term_end: dt.date) -> CouncilMember:
    member = (
        CouncilMember.objects.select_for_update().select_related("council__community__subdistrict").get(pk=member.pk)
    )
    require(actor, Action.MANAGE_COUNCILS, member.council.community, MANAGE_REFUSAL)
    if term_end < member.term_start:
        raise DomainError(_("任期结束不能早于任期开始。"), code="term_reversed")
    before = member.term_end
    if before is not None and term_end > before:
        raise DomainError(_("任期已于 %(d)s 结束。") % {"d": before}, code="term_ended")
    member.term_end = term_end
    member.save(update_fields=["term_end"])
    audit_record(
        actor=actor,
        action="council_member_end_term",
        object_type="councils.member",
        object_id=member.pk,
        summary=f"{member.name} {term_end}",
        before={"term_end": before},
        after={"term_end": term_end},
    )
    return member


# --- topics ------------------------------------------------------------------------------------------


@transaction.atomic
def topic_propose(*, actor: Actor, council: Council, title: str, text: str, proposer_name: str = "") -> Topic:
    """A resident (anyone logged in with a role in the community) proposes a topic."""
    council = Council.objects.select_related("community__subdistrict").get(pk=council.pk)
    require(actor, CouncilAction.PROPOSE_TOPIC, council)
    title = _text(title, "title_required", _("请填写议题。"))
    if len(title) > 128:
        raise DomainError(_("议题不能超过 128 字。"), code="title_too_long")
    text = _text(text, "text_required", _("请说明议题内容。"))
    user = person(actor)
    name = (proposer_name or "").strip() or user.get_full_name() or user.get_username()
    topic = Topic.objects.create(council=council, title=title, text=text, proposer_name=name[:64], proposed_by=user)
    audit_record(
        actor=actor,
        action="council_topic_propose",
        object_type="councils.topic",
        object_id=topic.pk,
        summary=f"{council.name} {title}",
    )
    return topic


def _decide(actor: Actor, topic: Topic, status: str, reason: str = "") -> Topic:
    topic = Topic.objects.select_for_update().select_related("council__community__subdistrict").get(pk=topic.pk)
    require(actor, Action.MANAGE_COUNCILS, topic.council.community, MANAGE_REFUSAL)
    if topic.status != TopicStatus.PROPOSED:
        raise DomainError(_("该议题已处理。"), code="already_decided")
    topic.status = status
    topic.reason = reason
    topic.decided_at = timezone.now()
    topic.save(update_fields=["status", "reason", "decided_at"])
    audit_record(
        actor=actor,
        action=f"council_topic_{status}",
        object_type="councils.topic",
        object_id=topic.pk,
        summary=topic.title,
        before={"status": TopicStatus.PROPOSED},
        after={"status": status, "reason": reason},
    )
    return topic


@transaction.atomic
def topic_accept(*, actor: Actor, topic: Topic) -> Topic:
    return _decide(actor, topic, TopicStatus.ACCEPTED)


@transaction.atomic
def topic_decline(*, actor: Actor, topic: Topic, reason: str) -> Topic:
    reason = _text(reason, "reason_required", _("不予受理须说明理由。"))
    return _decide(actor, topic, TopicStatus.DECLINED, reason)


# --- sessions ----------------------------------------------------------------------------------------


@transaction.atomic
def session_schedule(
    *,
    actor: Actor,
    council: Council,
    estate: Estate,
    starts_at: dt.datetime,
    venue: str,
    topics: Sequence[Topic],
    duration_minutes: int = 120,
) -> Session:
    """Schedule a session on accepted topics not yet on another session: a deliberation meeting
    (meetings.services.meeting_create) at an estate of the community, its agenda the topics."""
    from gongzhi.meetings import services as meetings

    council = _council(council)
    require(actor, Action.MANAGE_COUNCILS, council.community, MANAGE_REFUSAL)
    if estate.community_id != council.community_id:
        raise DomainError(_("会议地点须在本社区的小区内。"), code="bad_estate")
    if not topics:
        raise DomainError(_("请至少选择一个已受理的议题。"), code="topics_required")
    ids = [t.pk for t in topics]
    rows = list(Topic.objects.select_for_update().filter(pk__in=ids).order_by("created_at", "id"))
    for t in rows:
        if t.council_id != council.pk or t.status != TopicStatus.ACCEPTED or t.session_id is not None:
            raise DomainError(_("议题“%(t)s”不是本议事会待议的已受理议题。") % {"t": t.title}, code="bad_topic")
    if len(rows) != len(set(ids)):
        raise DomainError(_("所选议题不存在。"), code="bad_topic")
    meeting = meetings.meeting_create(
        actor=actor,
        estate=estate,
        fields=meetings.MeetingFields(
            topic=f"{council.name} {timezone.localtime(starts_at):%Y-%m-%d}"[:128],
            starts_at=starts_at,
            venue=venue,
            duration_minutes=duration_minutes,
            description="\n".join(t.title for t in rows),
        ),
    )
    meetings.agenda_set(
        actor=actor,
        meeting=meeting,
        items=[
            meetings.AgendaEntry(title=t.title, duration_minutes=TOPIC_MINUTES, presenter=t.proposer_name) for t in rows
        ],
    )
    session = Session.objects.create(council=council, meeting=meeting, created_by=acting_user(actor))
    Topic.objects.filter(pk__in=ids).update(session=session)
    audit_record(
        actor=actor,
        action="council_session_schedule",
        object_type="councils.session",
        object_id=session.pk,
        summary=f"{council.name} {starts_at:%Y-%m-%d}",
        after={"meeting": meeting.pk, "topics": sorted(ids)},
    )
    return session


@dataclass(frozen=True)
class OutcomeEntry:
    reference: str
    kind: str = OutcomeKind.OTHER
    motion: Any = None
    note: str = ""
    suggestion: Any = None


@transaction.atomic
def session_report(
    *, actor: Actor, session: Session, summary: str, outcomes: Sequence[OutcomeEntry] = ()
) -> SessionReport:
    """Close a session with its report: the summary and what is to be done (outcomes, followed
    until done). The session's topics become discussed."""
    session = (
        Session.objects.select_for_update()
        .select_related("council__community__subdistrict", "meeting")
        .get(pk=session.pk)
    )
    require(actor, Action.MANAGE_COUNCILS, session.council.community, MANAGE_REFUSAL)
    if SessionReport.objects.filter(session=session).exists():
        raise DomainError(_("本次会议已有报告。"), code="already_reported")
    if session.meeting.starts_at > timezone.now():
        raise DomainError(_("会议尚未召开，不能提交报告。"), code="not_held")
    summary = _text(summary, "summary_required", _("请填写会议纪要。"))
    rows = []
    for n, entry in enumerate(outcomes, start=1):
        if entry.kind not in OutcomeKind.values:
            raise DomainError(_("第 %(n)s 项成果的类型无效。") % {"n": n}, code="bad_kind")
        if entry.kind == OutcomeKind.MOTION and entry.motion is None:
            raise DomainError(_("第 %(n)s 项成果须选择表决。") % {"n": n}, code="motion_required")
        if entry.motion is not None and entry.motion.estate.community_id != session.council.community_id:
            raise DomainError(_("第 %(n)s 项成果的表决不在本社区。") % {"n": n}, code="bad_motion")
        if entry.suggestion is not None:
            if entry.kind != OutcomeKind.SUGGESTION:
                raise DomainError(_("第 %(n)s 项成果的类型无效。") % {"n": n}, code="bad_kind")
            community = session.council.community
            wrong_place = entry.suggestion.subdistrict_id != community.subdistrict_id or (
                entry.suggestion.community_id is not None and entry.suggestion.community_id != community.pk
            )
            if wrong_place:
                raise DomainError(_("第 %(n)s 项成果的建议不在本社区。") % {"n": n}, code="bad_suggestion")
        reference = (
            (entry.reference or "").strip()
            or (entry.motion.title if entry.motion is not None else "")
            or (entry.suggestion.title if entry.suggestion is not None else "")
        )
        if not reference:
            raise DomainError(_("第 %(n)s 项成果缺少事项。") % {"n": n}, code="reference_required")
        rows.append(
            Outcome(
                position=n,
                kind=entry.kind,
                reference=reference[:255],
                motion=entry.motion,
                suggestion=entry.suggestion,
                note=entry.note.strip(),
            )
        )
    report = SessionReport.objects.create(session=session, summary=summary, created_by=acting_user(actor))
    for row in rows:
        row.report = report
    Outcome.objects.bulk_create(rows)
    Topic.objects.filter(session=session, status=TopicStatus.ACCEPTED).update(status=TopicStatus.DISCUSSED)
    audit_record(
        actor=actor,
        action="council_session_report",
        object_type="councils.session",
        object_id=session.pk,
        summary=f"{session.council.name} {len(rows)} outcomes",
        after={"outcomes": [[r.kind, r.reference, r.motion_id, r.suggestion_id] for r in rows]},
    )
    return report


@transaction.atomic
def outcome_update(*, actor: Actor, outcome: Outcome, status: str, note: str | None = None) -> Outcome:
    """Track an outcome: open or done, with a note."""
    outcome = (
        Outcome.objects.select_for_update()
        .select_related("report__session__council__community__subdistrict")
        .get(pk=outcome.pk)
    )
    require(actor, Action.MANAGE_COUNCILS, outcome.report.session.council.community, MANAGE_REFUSAL)
    if status not in OutcomeStatus.values:
        raise DomainError(_("状态无效。"), code="bad_status")
    before = {"status": outcome.status, "note": outcome.note}
    outcome.status = status
    if note is not None:
        outcome.note = note.strip()
    outcome.save(update_fields=["status", "note", "updated_at"])
    audit_record(
        actor=actor,
        action="council_outcome_update",
        object_type="councils.outcome",
        object_id=outcome.pk,
        summary=f"{outcome.reference} {status}",
        before=before,
        after={"status": outcome.status, "note": outcome.note},
    )
    return outcome
