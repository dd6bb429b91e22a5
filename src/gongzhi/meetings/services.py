"""Writes of deliberation meetings (DESIGN.md convention 1): schedule and edit a meeting and its
agenda, invite participants, sign in on arrival, vendors' pitches, questions (submit, moderate,
answer) and the minutes.

Every write checks the actor's right on the meeting (places.access), runs in one transaction and
appends to the audit log. Why the rules:
- Questions are moderated before they show (the page is seen on the livestream by people who were
  not in the room) and limited to QUESTIONS_PER_MINUTE per user so one viewer cannot flood it.
- A vendor answers only the questions addressed to it: it speaks for itself, never for a rival.
- Sign-in without an account matches the name and the last four digits of the phone on the
  invitation: enough to stop a passer-by from signing in for someone, without asking residents for
  more personal information than the invitation already holds (PIPL Art. 6).
- The minutes are published once, after the meeting has ended; from then on the record is frozen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user, person
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.elevators.models import Campaign
from gongzhi.meetings.models import (
    QUESTION_MAX_LENGTH,
    AgendaItem,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Pitch,
    Question,
    QuestionStatus,
    SignInMethod,
)
from gongzhi.places.access import Action, may, require
from gongzhi.places.models import Entrance, Estate
from gongzhi.renewals.models import Offer, Vendor

if TYPE_CHECKING:
    from django.contrib.auth.models import User

QUESTIONS_PER_MINUTE = 5
ANSWER_MAX_LENGTH = 2000
OPEN_FOR_QUESTIONS = (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)
OPEN_FOR_SIGN_IN = (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def _clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise DomainError("; ".join(exc.messages), code="invalid") from exc


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("estate__community__subdistrict").get(pk=meeting.pk)


def _not_published(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.PUBLISHED:
        raise DomainError(_("纪要已公示，会议记录不能再修改。"), code="published")


def _subdistrict_id(meeting_or_estate: Meeting | Estate) -> int:
    estate = meeting_or_estate.estate if isinstance(meeting_or_estate, Meeting) else meeting_or_estate
    return int(estate.community.subdistrict_id)


# --- the meeting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingFields:
    """What staff fill in when scheduling or editing a meeting."""

    topic: str
    starts_at: dt.datetime
    venue: str
    duration_minutes: int = 120
    description: str = ""
    livestream_url: str = ""
    entrances: Sequence[Entrance] = ()
    campaign: Campaign | None = None


def _check_fields(estate: Estate, fields: MeetingFields) -> None:
    if not fields.topic.strip():
        raise DomainError(_("请填写议题。"), code="topic_required")
    if not fields.venue.strip():
        raise DomainError(_("请填写地点。"), code="venue_required")
    if timezone.is_naive(fields.starts_at):
        raise DomainError(_("时间须带时区。"), code="naive_datetime")
    if not 1 <= fields.duration_minutes <= 24 * 60:
        raise DomainError(_("时长须在 1 至 1440 分钟之间。"), code="bad_duration")
    url = fields.livestream_url.strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise DomainError(_("直播地址须以 https:// 或 http:// 开头。"), code="bad_livestream_url")
    foreign = [e for e in fields.entrances if e.building.estate_id != estate.pk]
    if foreign:
        raise DomainError(_("所选单元不属于本小区：%(entrance)s") % {"entrance": foreign[0]}, code="bad_scope")
    if fields.campaign is not None and fields.campaign.subdistrict_id != estate.community.subdistrict_id:
        raise DomainError(_("所选更新行动不属于本小区所在街道。"), code="bad_campaign")


def _apply(meeting: Meeting, fields: MeetingFields) -> None:
    meeting.topic = fields.topic.strip()
    meeting.description = fields.description.strip()
    meeting.starts_at = fields.starts_at
    meeting.duration_minutes = fields.duration_minutes
    meeting.venue = fields.venue.strip()
    meeting.livestream_url = fields.livestream_url.strip()
    meeting.campaign = fields.campaign


def _fields_snapshot(meeting: Meeting) -> dict[str, Any]:
    return {
        "topic": meeting.topic,
        "starts_at": meeting.starts_at,
        "duration_minutes": meeting.duration_minutes,
        "venue": meeting.venue,
        "livestream": bool(meeting.livestream_url),
        "campaign": meeting.campaign_id,
    }


@transaction.atomic
def meeting_create(*, actor: Actor, estate: Estate, fields: MeetingFields) -> Meeting:
    """Schedule a meeting about one estate (optionally some of its entrances)."""
    require(actor, Action.MANAGE_MEETING, estate)
    _check_fields(estate, fields)
    meeting = Meeting(estate=estate, created_by=acting_user(actor))
    _apply(meeting, fields)
    _clean(meeting)
    meeting.save()
    meeting.entrances.set(list(fields.entrances))
    audit_record(
        actor=actor,
        action="meeting_create",
        object_type="meeting",
        object_id=meeting.pk,
        summary=meeting.topic,
        after={"estate": estate.pk, **_fields_snapshot(meeting), "entrances": [e.pk for e in fields.entrances]},
    )
    return meeting


@transaction.atomic
def meeting_update(*, actor: Actor, meeting: Meeting, fields: MeetingFields) -> Meeting:
    meeting = _lock(meeting)
    require(actor, Action.MANAGE_MEETING, meeting)
    _not_published(meeting)
    _check_fields(meeting.estate, fields)
    before = _fields_snapshot(meeting)
    _apply(meeting, fields)
    _clean(meeting)
    meeting.save()
    meeting.entrances.set(list(fields.entrances))
    audit_record(
        actor=actor,
        action="meeting_update",
        object_type="meeting",
        object_id=meeting.pk,
        summary=meeting.topic,
        before=before,
        after=_fields_snapshot(meeting),
    )
    return meeting


_TRANSITIONS = {
    "start": (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS),
    "end": (MeetingStatus.IN_PROGRESS, MeetingStatus.ENDED),
}


@transaction.atomic
def meeting_transition(*, actor: Actor, meeting: Meeting, step: str) -> Meeting:
    """Start (scheduled → in progress) or end (in progress → ended) a meeting."""
    if step not in _TRANSITIONS:
        raise DomainError(_("无效的操作。"), code="bad_step")
    meeting = _lock(meeting)
    require(actor, Action.MANAGE_MEETING, meeting)
    source, target = _TRANSITIONS[step]
    if meeting.status != source:
        raise DomainError(
            _("会议当前为“%(status)s”，不能执行此操作。") % {"status": meeting.get_status_display()},
            code="bad_status",
        )
    meeting.status = target
    meeting.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=f"meeting_{step}",
        object_type="meeting",
        object_id=meeting.pk,
        summary=meeting.topic,
        before={"status": source},
        after={"status": target},
    )
    return meeting


@dataclass(frozen=True)
class AgendaEntry:
    title: str
    duration_minutes: int
    presenter: str = ""


@transaction.atomic
def agenda_set(*, actor: Actor, meeting: Meeting, items: Sequence[AgendaEntry]) -> list[AgendaItem]:
    """Replace the agenda with `items` in order."""
    meeting = _lock(meeting)
    require(actor, Action.MANAGE_MEETING, meeting)
    _not_published(meeting)
    rows = []
    for position, item in enumerate(items, start=1):
        if not item.title.strip():
            raise DomainError(_("第 %(n)s 项议程缺少标题。") % {"n": position}, code="agenda_title_required")
        if item.duration_minutes < 1:
            raise DomainError(_("第 %(n)s 项议程的时长须至少 1 分钟。") % {"n": position}, code="agenda_duration")
        row = AgendaItem(
            meeting=meeting,
            position=position,
            title=item.title.strip(),
            duration_minutes=item.duration_minutes,
            presenter=item.presenter.strip(),
        )
        _clean(row, exclude=["meeting"])
        rows.append(row)
    AgendaItem.objects.filter(meeting=meeting).delete()
    AgendaItem.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="meeting_agenda_set",
        object_type="meeting",
        object_id=meeting.pk,
        summary=f"{len(rows)} items, {sum(r.duration_minutes for r in rows)} min",
        after={"items": [[r.title, r.duration_minutes, r.presenter] for r in rows]},
    )
    return rows


# --- participants and sign-in ----------------------------------------------------------------------


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


@transaction.atomic
def participant_invite(
    *,
    actor: Actor,
    meeting: Meeting,
    role: str,
    user: User | None = None,
    name: str = "",
    phone: str = "",
    vendor: Vendor | None = None,
) -> Participant:
    """Invite someone by role: an account holder by their user, a resident without an account by
    name and phone (the phone's last four digits are their sign-in check)."""
    meeting = _lock(meeting)
    require(actor, Action.MANAGE_MEETING, meeting)
    _not_published(meeting)
    if role not in ParticipantRole.values:
        raise DomainError(_("身份无效。"), code="bad_role")
    name = name.strip() or (user.get_full_name() or user.get_username() if user is not None else "")
    if not name:
        raise DomainError(_("请填写姓名。"), code="name_required")
    if user is None and len(_digits(phone)) < 4:
        raise DomainError(_("没有账号的参会人须登记手机号，用于签到核对。"), code="phone_required")
    if role == ParticipantRole.VENDOR and vendor is None:
        raise DomainError(_("品牌方参会人须选择所属品牌方。"), code="vendor_required")
    if vendor is not None and vendor.subdistrict_id != _subdistrict_id(meeting):
        raise DomainError(_("所选品牌方不在本街道。"), code="bad_vendor")
    if user is not None and Participant.objects.filter(meeting=meeting, user=user).exists():
        raise DomainError(_("该账号已在邀请名单中。"), code="already_invited")
    participant = Participant(meeting=meeting, role=role, user=user, name=name, phone=phone.strip(), vendor=vendor)
    _clean(participant, exclude=["meeting", "user", "vendor"])
    participant.save()
    audit_record(
        actor=actor,
        action="participant_invite",
        object_type="meeting_participant",
        object_id=participant.pk,
        summary=f"{meeting.pk} {role} {name}",
        after={
            "meeting": meeting.pk,
            "role": role,
            "user": user.pk if user is not None else None,
            "vendor": vendor.pk if vendor is not None else None,
        },
    )
    return participant


def _record_sign_in(participant: Participant, method: str, now: dt.datetime, actor: Actor | None) -> Participant:
    participant.attended_at = now
    participant.sign_in_method = method
    participant.marked_by = acting_user(actor) if method == SignInMethod.STAFF else None
    participant.save(update_fields=["attended_at", "sign_in_method", "marked_by"])
    audit_record(
        actor=actor,
        action="participant_sign_in",
        object_type="meeting_participant",
        object_id=participant.pk,
        summary=f"{participant.meeting_id} {participant.role} {method}",
        after={"attended_at": now, "method": method},
    )
    return participant


def _open_for_sign_in(meeting: Meeting) -> None:
    if meeting.status not in OPEN_FOR_SIGN_IN:
        raise DomainError(_("会议已结束，签到已关闭。"), code="sign_in_closed")


@transaction.atomic
def sign_in_account(*, meeting: Meeting, user: Actor, now: dt.datetime | None = None) -> Participant:
    """A logged-in invitee signs in with one tap after scanning the QR code. Signing in twice keeps
    the first arrival time."""
    now = _now(now)
    meeting = _lock(meeting)
    _open_for_sign_in(meeting)
    participant = (
        Participant.objects.select_for_update().filter(meeting=meeting, user_id=getattr(user, "pk", None) or 0).first()
    )
    if participant is None:
        raise DomainError(_("您不在本次会议的邀请名单中，请联系工作人员。"), code="not_invited")
    if participant.attended_at is not None:
        return participant
    return _record_sign_in(participant, SignInMethod.ACCOUNT, now, user)


@transaction.atomic
def sign_in_by_phone(*, meeting: Meeting, name: str, phone_last4: str, now: dt.datetime | None = None) -> Participant:
    """An invitee without an account signs in with their name and the last four digits of the
    phone on the invitation."""
    now = _now(now)
    meeting = _lock(meeting)
    _open_for_sign_in(meeting)
    name = name.strip()
    last4 = phone_last4.strip()
    if not name or len(last4) != 4 or not last4.isdigit():
        raise DomainError(_("请填写姓名和手机号后四位。"), code="sign_in_input")
    for participant in Participant.objects.select_for_update().filter(meeting=meeting, name=name):
        if _digits(participant.phone)[-4:] == last4:
            if participant.attended_at is not None:
                return participant
            return _record_sign_in(participant, SignInMethod.NAME_PHONE, now, None)
    raise DomainError(_("姓名与手机号后四位未匹配到邀请，请联系现场工作人员。"), code="not_invited")


@transaction.atomic
def attendance_mark(
    *, actor: Actor, participant: Participant, attended: bool, now: dt.datetime | None = None
) -> Participant:
    """Staff record (or undo) someone's attendance at the door."""
    now = _now(now)
    meeting = _lock(participant.meeting)
    require(actor, Action.MANAGE_MEETING, meeting)
    _not_published(meeting)
    participant = Participant.objects.select_for_update().get(pk=participant.pk, meeting=meeting)
    if attended:
        if participant.attended_at is not None:
            return participant
        return _record_sign_in(participant, SignInMethod.STAFF, now, actor)
    before = participant.attended_at
    participant.attended_at = None
    participant.sign_in_method = ""
    participant.marked_by = None
    participant.save(update_fields=["attended_at", "sign_in_method", "marked_by"])
    audit_record(
        actor=actor,
        action="participant_sign_in_undo",
        object_type="meeting_participant",
        object_id=participant.pk,
        summary=f"{meeting.pk} {participant.role}",
        before={"attended_at": before},
        after={"attended_at": None},
    )
    return participant


# --- pitches ---------------------------------------------------------------------------------------


@transaction.atomic
def pitch_add(
    *,
    actor: Actor,
    meeting: Meeting,
    vendor: Vendor,
    order: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    link: str = "",
    offer: Offer | None = None,
) -> Pitch:
    meeting = _lock(meeting)
    require(actor, Action.MANAGE_MEETING, meeting)
    _not_published(meeting)
    if vendor.subdistrict_id != _subdistrict_id(meeting):
        raise DomainError(_("所选品牌方不在本街道。"), code="bad_vendor")
    if order < 1:
        raise DomainError(_("顺序须从 1 开始。"), code="bad_order")
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise DomainError(_("时间须带时区。"), code="naive_datetime")
    if ends_at <= starts_at:
        raise DomainError(_("结束时间须晚于开始时间。"), code="ends_before_starts")
    link = link.strip()
    if link and not link.lower().startswith(("https://", "http://")):
        raise DomainError(_("链接须以 https:// 或 http:// 开头。"), code="bad_link")
    if offer is not None:
        if offer.vendor_id != vendor.pk:
            raise DomainError(_("所选报价不属于该品牌方。"), code="bad_offer")
        if meeting.campaign_id is not None and offer.campaign_id != meeting.campaign_id:
            raise DomainError(_("所选报价不属于本会议的更新行动。"), code="bad_offer")
    if Pitch.objects.filter(meeting=meeting, vendor=vendor).exists():
        raise DomainError(_("该品牌方已安排路演。"), code="pitch_exists")
    if Pitch.objects.filter(meeting=meeting, order=order).exists():
        raise DomainError(_("第 %(n)s 个路演顺序已被占用。") % {"n": order}, code="order_taken")
    pitch = Pitch(
        meeting=meeting, vendor=vendor, order=order, starts_at=starts_at, ends_at=ends_at, link=link, offer=offer
    )
    _clean(pitch, exclude=["meeting", "vendor", "offer"])
    try:
        with transaction.atomic():
            pitch.save()
    except IntegrityError as exc:
        raise DomainError(_("路演安排冲突，请刷新后重试。"), code="pitch_conflict") from exc
    audit_record(
        actor=actor,
        action="pitch_add",
        object_type="meeting_pitch",
        object_id=pitch.pk,
        summary=f"{meeting.pk} {order}. {vendor.name}",
        after={
            "meeting": meeting.pk,
            "vendor": vendor.pk,
            "order": order,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "offer": offer.pk if offer is not None else None,
        },
    )
    return pitch


@transaction.atomic
def pitch_remove(*, actor: Actor, pitch: Pitch) -> None:
    meeting = _lock(pitch.meeting)
    require(actor, Action.MANAGE_MEETING, meeting)
    _not_published(meeting)
    pitch_id, vendor_id = pitch.pk, pitch.vendor_id
    Pitch.objects.filter(pk=pitch.pk, meeting=meeting).delete()
    audit_record(
        actor=actor,
        action="pitch_remove",
        object_type="meeting_pitch",
        object_id=pitch_id,
        summary=f"{meeting.pk} vendor {vendor_id}",
        before={"vendor": vendor_id},
    )


# --- questions -------------------------------------------------------------------------------------


def meeting_vendors(meeting: Meeting) -> models.QuerySet[Vendor]:
    """Vendors a question may be addressed to: those pitching at the meeting or invited to it."""
    return Vendor.objects.filter(
        models.Q(pitches__meeting=meeting)
        | models.Q(pk__in=Participant.objects.filter(meeting=meeting, vendor__isnull=False).values("vendor_id"))
    ).distinct()


@transaction.atomic
def question_submit(
    *,
    actor: Actor,
    meeting: Meeting,
    text: str,
    addressed_to: Vendor | None = None,
    now: dt.datetime | None = None,
) -> Question:
    """A viewer in the meeting's scope asks a question or gives an opinion; it waits for moderation."""
    now = _now(now)
    user = person(actor)
    meeting = _lock(meeting)
    require(actor, Action.VIEW_MEETING, meeting)
    if meeting.status not in OPEN_FOR_QUESTIONS:
        raise DomainError(_("会议已结束，不再收集提问。"), code="questions_closed")
    text = text.strip()
    if not text:
        raise DomainError(_("请填写问题或意见。"), code="text_required")
    if len(text) > QUESTION_MAX_LENGTH:
        raise DomainError(_("问题或意见不能超过 %(n)s 字。") % {"n": QUESTION_MAX_LENGTH}, code="text_too_long")
    if addressed_to is not None and not meeting_vendors(meeting).filter(pk=addressed_to.pk).exists():
        raise DomainError(_("所选品牌方未参加本次会议。"), code="bad_vendor")
    # Lock the author's row so two quick submissions cannot both pass the count below.
    get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
    recent = Question.objects.filter(author=user, created_at__gt=now - dt.timedelta(minutes=1)).count()
    if recent >= QUESTIONS_PER_MINUTE:
        raise DomainError(
            _("提交太频繁：每分钟最多 %(n)s 条，请稍后再试。") % {"n": QUESTIONS_PER_MINUTE}, code="rate_limited"
        )
    question = Question(meeting=meeting, author=user, text=text, addressed_to=addressed_to, created_at=now)
    question.save()
    audit_record(
        actor=actor,
        action="question_submit",
        object_type="meeting_question",
        object_id=question.pk,
        summary=text[:80],
        after={"meeting": meeting.pk, "addressed_to": addressed_to.pk if addressed_to is not None else None},
    )
    return question


MODERATION_DECISIONS = ("approve", "reject", "pin", "unpin")


@transaction.atomic
def question_moderate(*, actor: Actor, question: Question, decision: str, now: dt.datetime | None = None) -> Question:
    """Approve, reject, pin (approving it too) or unpin a question."""
    now = _now(now)
    if decision not in MODERATION_DECISIONS:
        raise DomainError(_("无效的审核操作。"), code="bad_decision")
    meeting = _lock(question.meeting)
    require(actor, Action.MANAGE_MEETING, meeting)
    _not_published(meeting)
    question = Question.objects.select_for_update().get(pk=question.pk, meeting=meeting)
    before = {"status": question.status, "pinned": question.pinned}
    if decision == "approve":
        question.status = QuestionStatus.APPROVED
    elif decision == "reject":
        question.status = QuestionStatus.REJECTED
        question.pinned = False
    elif decision == "pin":
        question.status = QuestionStatus.APPROVED
        question.pinned = True
    else:
        question.pinned = False
    question.moderated_by = acting_user(actor)
    question.moderated_at = now
    question.save(update_fields=["status", "pinned", "moderated_by", "moderated_at"])
    audit_record(
        actor=actor,
        action=f"question_{decision}",
        object_type="meeting_question",
        object_id=question.pk,
        summary=question.text[:80],
        before=before,
        after={"status": question.status, "pinned": question.pinned},
    )
    return question


def may_answer(user: Actor, question: Question) -> bool:
    """A vendor's member answers questions addressed to that vendor; staff those addressed to no one."""
    member = acting_user(user)
    if member is None:
        return False
    if question.addressed_to_id is not None:
        return Vendor.objects.filter(pk=question.addressed_to_id, members=member).exists()
    return may(user, Action.MANAGE_MEETING, question.meeting)


@transaction.atomic
def question_answer(*, actor: Actor, question: Question, text: str, now: dt.datetime | None = None) -> Question:
    now = _now(now)
    meeting = _lock(question.meeting)
    require(actor, Action.VIEW_MEETING, meeting)
    _not_published(meeting)
    question = Question.objects.select_for_update().select_related("meeting").get(pk=question.pk, meeting=meeting)
    if not may_answer(actor, question):
        raise AccessDeniedError(_("只有被提问的品牌方可以回答此问题。"), code="not_addressee")
    if question.status != QuestionStatus.APPROVED:
        raise DomainError(_("只能回答已通过审核的问题。"), code="not_approved")
    text = text.strip()
    if not text:
        raise DomainError(_("请填写回答。"), code="answer_required")
    if len(text) > ANSWER_MAX_LENGTH:
        raise DomainError(_("回答不能超过 %(n)s 字。") % {"n": ANSWER_MAX_LENGTH}, code="answer_too_long")
    before = question.answer
    question.answer = text
    question.answered_by = acting_user(actor)
    question.answered_at = now
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    audit_record(
        actor=actor,
        action="question_answer",
        object_type="meeting_question",
        object_id=question.pk,
        summary=text[:80],
        before={"answer": before} if before else None,
        after={"answer": text},
    )
    return question


# --- minutes ---------------------------------------------------------------------------------------


@transaction.atomic
def minutes_publish(
    *,
    actor: Actor,
    meeting: Meeting,
    conclusions: str,
    motions: Iterable[Any] = (),
    now: dt.datetime | None = None,
) -> Meeting:
    """Publish the minutes of an ended meeting as a public notice; the record is frozen from then on."""
    now = _now(now)
    meeting = _lock(meeting)
    require(actor, Action.MANAGE_MEETING, meeting)
    if meeting.status == MeetingStatus.PUBLISHED:
        raise DomainError(_("纪要已公示。"), code="published")
    if meeting.status != MeetingStatus.ENDED:
        raise DomainError(_("会议结束后才能公示纪要。"), code="not_ended")
    conclusions = conclusions.strip()
    if not conclusions:
        raise DomainError(_("请填写会议结论。"), code="conclusions_required")
    linked = list(motions)
    foreign = [m for m in linked if m.estate_id != meeting.estate_id]
    if foreign:
        raise DomainError(_("所选表决不属于本小区：%(title)s") % {"title": foreign[0].title}, code="bad_motion")
    meeting.conclusions = conclusions
    meeting.status = MeetingStatus.PUBLISHED
    meeting.published_at = now
    meeting.save(update_fields=["conclusions", "status", "published_at"])
    meeting.motions.set(linked)
    audit_record(
        actor=actor,
        action="minutes_publish",
        object_type="meeting",
        object_id=meeting.pk,
        summary=meeting.topic,
        after={"conclusions": conclusions, "motions": [m.pk for m in linked], "published_at": now},
    )
    return meeting
