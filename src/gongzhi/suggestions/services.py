"""Writes of residents' suggestions (DESIGN.md convention 1): each checks the actor, runs in one
transaction, appends a history event and one audit entry.

The loop follows 国务院办公厅《关于进一步优化地方政务服务便民热线的指导意见》(国办发〔2020〕53号):
intake (受理) → dispatch (派单) → handling (办理) → reply (答复) → follow-up (回访) → rating (评价),
with time limits, reminders, extensions approved before expiry and re-handling when the
resident is not satisfied.

Clocks: due_on = calendar.due_date(clock_from, category's working days) (the day of intake not
counted); overdue = still open and today > due_on (the due day itself is on time); due soon =
today ≤ due_on ≤ calendar.due_date(today, category's reminder days). An extension is requested and
decided on or before the due date only; approval moves due_on by the working days asked. An
"unsatisfied" rating reopens the suggestion to its department with a new clock from that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user, person
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.files import sniff_upload, upload_sha256
from gongzhi.places.access import Action, require
from gongzhi.places.models import Community, Estate
from gongzhi.suggestions.models import (
    OPEN_STATUSES,
    Department,
    Deputy,
    EventKind,
    ExtensionRequest,
    ExtensionStatus,
    Rating,
    Source,
    Status,
    Suggestion,
    SuggestionCategory,
    SuggestionEvent,
    SuggestionPhoto,
)
from gongzhi.suggestions.rules import SuggestionAction
from gongzhi.suggestions.selectors import due_soon_limit
from gongzhi.workdays.calendar import Calendar
from gongzhi.workdays.services import current_calendar

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_COUNT = 3
MAX_EXTENSION_DAYS = 30
STAFF_SOURCES = frozenset({Source.MEETING, Source.RECEPTION, Source.HOTLINE, Source.OTHER})


def _status(s: Suggestion, *allowed: str) -> None:
    if s.status not in allowed:
        raise DomainError(
            _("当前状态（%(status)s）不能执行此操作。") % {"status": s.get_status_display()}, code="bad_status"
        )


def _lock(s: Suggestion) -> Suggestion:
    locked: Suggestion = (
        # Only the suggestion row: PostgreSQL refuses FOR UPDATE on an outer join (no department yet).
        Suggestion.objects.select_for_update(of=("self",))
        .select_related("subdistrict", "category", "department")
        .get(pk=s.pk)
    )
    return locked


def _event(s: Suggestion, kind: str, actor: Actor | None, note: str = "", **data: Any) -> None:
    SuggestionEvent.objects.create(
        suggestion=s, kind=kind, actor=acting_user(actor), at=timezone.now(), note=note, data=data
    )


def _audit(actor: Actor, action: str, s: Suggestion, before: dict[str, Any] | None = None, **after: Any) -> None:
    audit_record(
        actor=actor,
        action=f"suggestion_{action}",
        object_type="suggestions.suggestion",
        object_id=s.pk,
        summary=s.title,
        before=before,
        after={"status": s.status, **after},
    )


def _clean(text: str, key: str, label: str, limit: int) -> str:
    """The stripped text, cut to `limit`; refused when empty (code "<key>_required")."""
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写%(field)s。") % {"field": label}, code=f"{key}_required")
    return text[:limit]


def _photos_checked(photos: Sequence[Any]) -> list[tuple[Any, str, str]]:
    photos = [p for p in photos if p]
    if len(photos) > PHOTO_MAX_COUNT:
        raise DomainError(_("最多上传 3 张照片。"), code="photos_count")
    out = []
    for upload in photos:
        if upload.size > PHOTO_MAX_BYTES:
            raise DomainError(_("每个文件不能超过 5 MB。"), code="photo_too_large")
        kind = sniff_upload(upload)
        if kind is None:
            raise DomainError(_("文件须为 PDF、JPEG 或 PNG。"), code="photo_type")
        out.append((upload, upload_sha256(upload), kind[0]))
    return out


def _place_of(category: SuggestionCategory, community: Community | None, estate: Estate | None) -> Community | None:
    if estate is not None:
        if community is not None and estate.community_id != community.pk:
            raise DomainError(_("小区不在所选社区内。"), code="wrong_estate")
        community = estate.community
    if community is not None and community.subdistrict_id != category.subdistrict_id:
        raise DomainError(_("社区不在该类别所属街道内。"), code="wrong_community")
    return community


def _create(
    *,
    actor: Actor,
    category: SuggestionCategory,
    title: str,
    text: str,
    place: str,
    source: str,
    name: str,
    phone: str,
    community: Community | None,
    estate: Estate | None,
    received_on: dt.date,
    photos: Sequence[Any],
    calendar: Calendar | None,
    origin: Suggestion | None = None,
    deputy: Deputy | None = None,
    submitter: Any = None,
) -> Suggestion:
    if not category.active:
        raise DomainError(_("该类别已停用。"), code="category_inactive")
    title = _clean(title, "title", _("标题"), 100)
    text = _clean(text, "text", _("内容"), 5000)
    checked = _photos_checked(photos)
    community = _place_of(category, community, estate)
    calendar = calendar or current_calendar()
    s = Suggestion.objects.create(
        subdistrict_id=category.subdistrict_id,
        community=community,
        estate=estate,
        category=category,
        title=title,
        text=text,
        place=(place or "").strip()[:200],
        source=source,
        submitter=submitter,
        submitter_name=(name or "").strip()[:64],
        submitter_phone=(phone or "").strip()[:32],
        received_on=received_on,
        clock_from=received_on,
        due_on=calendar.due_date(received_on, category.time_limit_days),
        origin=origin,
        deputy=deputy,
    )
    for upload, sha, content_type in checked:
        photo = SuggestionPhoto(suggestion=s, sha256=sha, content_type=content_type)
        photo.file.save(f"suggestion{s.pk}.bin", upload, save=False)
        photo.save()
    return s


def suggestion_submit(
    *,
    actor: Actor,
    category: SuggestionCategory,
    title: str,
    text: str,
    place: str = "",
    phone: str = "",
    community: Community | None = None,
    estate: Estate | None = None,
    photos: Sequence[Any] = (),
    today: dt.date | None = None,
    calendar: Calendar | None = None,
) -> Suggestion:
    """A resident (any signed-in user) submits a suggestion with up to 3 photos (PDF, JPEG, PNG ≤ 5 MB)."""
    if not getattr(actor, "is_authenticated", False):
        raise AccessDeniedError(_("请先登录。"))
    user = person(actor)
    today = today or timezone.localdate()
    with transaction.atomic():
        s = _create(
            actor=actor,
            category=category,
            title=title,
            text=text,
            place=place,
            source=Source.RESIDENT,
            name=user.get_full_name() or user.get_username(),
            phone=phone,
            community=community,
            estate=estate,
            received_on=today,
            photos=photos,
            calendar=calendar,
            submitter=actor,
        )
        _event(s, EventKind.SUBMITTED, actor)
        _audit(actor, "submit", s, due_on=s.due_on.isoformat())
    return s


def suggestion_record(
    *,
    actor: Actor,
    category: SuggestionCategory,
    title: str,
    text: str,
    source: str,
    place: str = "",
    name: str = "",
    phone: str = "",
    community: Community | None = None,
    estate: Estate | None = None,
    received_on: dt.date | None = None,
    photos: Sequence[Any] = (),
    today: dt.date | None = None,
    calendar: Calendar | None = None,
) -> Suggestion:
    """Staff record a suggestion raised at a meeting, a deputy's reception day, on the hotline…"""
    today = today or timezone.localdate()
    received_on = received_on or today
    if source not in STAFF_SOURCES:
        raise DomainError(_("请选择来源。"), code="bad_source")
    if received_on > today:
        raise DomainError(_("受理日期不能晚于今天。"), code="future_date")
    probe = Suggestion(
        subdistrict=category.subdistrict, community=_place_of(category, community, estate), estate=estate
    )
    require(actor, Action.MANAGE_SUGGESTIONS, probe)
    with transaction.atomic():
        s = _create(
            actor=actor,
            category=category,
            title=title,
            text=text,
            place=place,
            source=source,
            name=name,
            phone=phone,
            community=community,
            estate=estate,
            received_on=received_on,
            photos=photos,
            calendar=calendar,
        )
        _event(s, EventKind.RECORDED, actor, source=source)
        _audit(actor, "record", s, source=source, due_on=s.due_on.isoformat())
    return s


def suggestion_dispatch(*, actor: Actor, suggestion: Suggestion, department: Department, note: str = "") -> Suggestion:
    """Dispatch to a department of the suggestion's subdistrict (MANAGE_SUGGESTIONS)."""
    with transaction.atomic():
        s = _lock(suggestion)
        require(actor, Action.MANAGE_SUGGESTIONS, s)
        _status(s, Status.SUBMITTED, Status.BOUNCED)
        if department.subdistrict_id != s.subdistrict_id or not department.active:
            raise DomainError(_("请选择本街道启用中的承办部门。"), code="bad_department")
        s.department = department
        s.status = Status.DISPATCHED
        s.save(update_fields=["department", "status", "updated_at"])
        _event(s, EventKind.DISPATCHED, actor, note.strip(), department=department.name)
        _audit(actor, "dispatch", s, department=department.pk)
    return s


def suggestion_sign(*, actor: Actor, suggestion: Suggestion) -> Suggestion:
    """A member of the department signs for it (handling starts)."""
    with transaction.atomic():
        s = _lock(suggestion)
        require(actor, SuggestionAction.HANDLE, s)
        _status(s, Status.DISPATCHED)
        s.status = Status.HANDLING
        s.save(update_fields=["status", "updated_at"])
        _event(s, EventKind.SIGNED, actor)
        _audit(actor, "sign", s)
    return s


def suggestion_bounce(*, actor: Actor, suggestion: Suggestion, reason: str) -> Suggestion:
    """A member of the department sends it back, with a reason (required)."""
    with transaction.atomic():
        s = _lock(suggestion)
        require(actor, SuggestionAction.HANDLE, s)
        _status(s, Status.DISPATCHED)
        reason = (reason or "").strip()
        if not reason:
            raise DomainError(_("请填写退回理由。"), code="reason_required")
        s.status = Status.BOUNCED
        s.save(update_fields=["status", "updated_at"])
        _event(s, EventKind.BOUNCED, actor, reason, department=s.department.name if s.department else "")
        _audit(actor, "bounce", s, reason=reason)
    return s


def suggestion_force(*, actor: Actor, suggestion: Suggestion, department: Department, note: str = "") -> Suggestion:
    """After a bounce, a coordinator assigns it (to the same or another department): handling starts
    without the department's signature."""
    with transaction.atomic():
        s = _lock(suggestion)
        require(actor, Action.MANAGE_SUGGESTIONS, s)
        _status(s, Status.BOUNCED)
        if department.subdistrict_id != s.subdistrict_id or not department.active:
            raise DomainError(_("请选择本街道启用中的承办部门。"), code="bad_department")
        s.department = department
        s.status = Status.HANDLING
        s.save(update_fields=["department", "status", "updated_at"])
        _event(s, EventKind.FORCED, actor, note.strip(), department=department.name)
        _audit(actor, "force", s, department=department.pk)
    return s


def suggestion_answer(*, actor: Actor, suggestion: Suggestion, answer: str, today: dt.date | None = None) -> Suggestion:
    """A member of the department answers; whether it was on time is kept for the dashboard."""
    today = today or timezone.localdate()
    with transaction.atomic():
        s = _lock(suggestion)
        require(actor, SuggestionAction.HANDLE, s)
        _status(s, Status.HANDLING)
        s.answer = _clean(answer, "answer", _("答复内容"), 5000)
        s.answered_at = timezone.now()
        s.answered_late = today > s.due_on
        s.status = Status.ANSWERED
        s.save(update_fields=["answer", "answered_at", "answered_late", "status", "updated_at"])
        _event(s, EventKind.ANSWERED, actor, s.answer, late=s.answered_late)
        _audit(actor, "answer", s, late=s.answered_late)
    return s


def suggestion_rate(
    *,
    actor: Actor,
    suggestion: Suggestion,
    rating: str,
    note: str = "",
    today: dt.date | None = None,
    calendar: Calendar | None = None,
) -> Suggestion:
    """The submitter rates the answer: satisfied or basically satisfied closes it; unsatisfied
    reopens it to the same department with a new clock from today."""
    today = today or timezone.localdate()
    if rating not in Rating.values:
        raise DomainError(_("请选择评价。"), code="rating_required")
    with transaction.atomic():
        s = _lock(suggestion)
        if s.submitter_id is None or s.submitter_id != getattr(actor, "pk", None):
            raise AccessDeniedError(_("只有反映人可以评价。"))
        _status(s, Status.ANSWERED)
        before = {"status": s.status, "due_on": s.due_on.isoformat()}
        s.rating = rating
        fields = ["rating", "status", "updated_at"]
        _event(s, EventKind.RATED, actor, note.strip(), rating=rating)
        if rating == Rating.UNSATISFIED:
            calendar = calendar or current_calendar()
            s.status = Status.HANDLING
            s.clock_from = today
            s.due_on = calendar.due_date(today, s.category.time_limit_days)
            s.answered_at = None
            s.answered_late = False
            fields += ["clock_from", "due_on", "answered_at", "answered_late"]
            _event(s, EventKind.REOPENED, actor, due_on=s.due_on.isoformat())
        else:
            s.status = Status.CLOSED
            s.closed_at = timezone.now()
            fields.append("closed_at")
            _event(s, EventKind.CLOSED, actor)
        s.save(update_fields=fields)
        _audit(actor, "rate", s, before, rating=rating, due_on=s.due_on.isoformat())
    return s


def suggestion_close(*, actor: Actor, suggestion: Suggestion, note: str = "") -> Suggestion:
    """A coordinator closes an answered suggestion (e.g. the resident did not rate it)."""
    with transaction.atomic():
        s = _lock(suggestion)
        require(actor, Action.MANAGE_SUGGESTIONS, s)
        _status(s, Status.ANSWERED)
        s.status = Status.CLOSED
        s.closed_at = timezone.now()
        s.save(update_fields=["status", "closed_at", "updated_at"])
        _event(s, EventKind.CLOSED, actor, note.strip())
        _audit(actor, "close", s)
    return s


def extension_request(
    *, actor: Actor, suggestion: Suggestion, working_days: int, reason: str, today: dt.date | None = None
) -> ExtensionRequest:
    """A member of the department asks for more working days, on or before the due date only."""
    today = today or timezone.localdate()
    with transaction.atomic():
        s = _lock(suggestion)
        require(actor, SuggestionAction.HANDLE, s)
        _status(s, Status.DISPATCHED, Status.HANDLING)
        if today > s.due_on:
            raise DomainError(_("已超过办理期限，不能再申请延期。"), code="too_late")
        if not 1 <= working_days <= MAX_EXTENSION_DAYS:
            raise DomainError(_("延期须在 1 至 30 个工作日之间。"), code="bad_days")
        reason = (reason or "").strip()
        if not reason:
            raise DomainError(_("请填写延期理由。"), code="reason_required")
        if s.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise DomainError(_("已有待审批的延期申请。"), code="pending")
        ext = ExtensionRequest.objects.create(
            suggestion=s, working_days=working_days, reason=reason, requested_by=acting_user(actor)
        )
        _event(s, EventKind.EXTENSION_REQUESTED, actor, reason, working_days=working_days)
        _audit(actor, "extension_request", s, working_days=working_days)
    return ext


def extension_decide(
    *,
    actor: Actor,
    extension: ExtensionRequest,
    approve: bool,
    today: dt.date | None = None,
    calendar: Calendar | None = None,
) -> ExtensionRequest:
    """A coordinator approves or refuses, on or before the due date only; approval moves due_on by
    the working days asked."""
    today = today or timezone.localdate()
    with transaction.atomic():
        s = _lock(extension.suggestion)
        require(actor, Action.MANAGE_SUGGESTIONS, s)
        ext = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        if ext.status != ExtensionStatus.PENDING:
            raise DomainError(_("该申请已审批。"), code="decided")
        if today > s.due_on:
            raise DomainError(_("已超过办理期限，不能再审批延期。"), code="too_late")
        _status(s, Status.DISPATCHED, Status.HANDLING)
        before = {"due_on": s.due_on.isoformat()}
        ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        ext.decided_by = acting_user(actor)
        ext.decided_at = timezone.now()
        ext.save(update_fields=["status", "decided_by", "decided_at"])
        if approve:
            calendar = calendar or current_calendar()
            s.due_on = calendar.due_date(s.due_on, ext.working_days)
            s.save(update_fields=["due_on", "updated_at"])
            _event(s, EventKind.EXTENSION_APPROVED, actor, due_on=s.due_on.isoformat())
        else:
            _event(s, EventKind.EXTENSION_REFUSED, actor)
        _audit(actor, "extension_decide", s, before, approved=approve, due_on=s.due_on.isoformat())
    return ext


def suggestion_escalate(*, actor: Actor, suggestion: Suggestion, deputy: Deputy, note: str = "") -> Suggestion:
    """A coordinator refers an open suggestion to a people's congress deputy of its subdistrict."""
    with transaction.atomic():
        s = _lock(suggestion)
        require(actor, Action.MANAGE_SUGGESTIONS, s)
        if s.status == Status.CLOSED or s.source == Source.DEPUTY:
            raise DomainError(_("当前状态不能转人大代表。"), code="bad_status")
        if deputy.subdistrict_id != s.subdistrict_id:
            raise DomainError(_("请选择本街道的人大代表。"), code="bad_deputy")
        s.deputy = deputy
        s.save(update_fields=["deputy", "updated_at"])
        _event(s, EventKind.ESCALATED, actor, note.strip(), deputy=deputy.name)
        _audit(actor, "escalate", s, deputy=deputy.pk)
    return s


def suggestion_adopt(
    *, actor: Actor, suggestion: Suggestion, today: dt.date | None = None, calendar: Calendar | None = None
) -> Suggestion:
    """The deputy it was escalated to turns it into a deputy's suggestion: a new suggestion (source
    "deputy", linked to the original) with its own clock from today. Once per original."""
    today = today or timezone.localdate()
    with transaction.atomic():
        s = _lock(suggestion)
        if s.deputy is None or s.deputy.user_id is None or s.deputy.user_id != getattr(actor, "pk", None):
            raise AccessDeniedError(_("只有受理的人大代表可以转为代表建议。"))
        if s.deputy_suggestions.exists():
            raise DomainError(_("已转为代表建议。"), code="already_adopted")
        new = _create(
            actor=actor,
            category=s.category,
            title=s.title,
            text=s.text,
            place=s.place,
            source=Source.DEPUTY,
            name=s.deputy.name,
            phone="",
            community=s.community,
            estate=s.estate,
            received_on=today,
            photos=(),
            calendar=calendar,
            origin=s,
            deputy=s.deputy,
        )
        _event(new, EventKind.RECORDED, actor, origin=str(s.public_id))
        _event(s, EventKind.ADOPTED, actor, deputy_suggestion=str(new.public_id))
        _audit(actor, "adopt", new, origin=s.pk, due_on=new.due_on.isoformat())
    return new


def suggestion_merge(*, actor: Actor, merged: Suggestion, kept: Suggestion, note: str = "") -> Suggestion:
    """A coordinator merges a similar suggestion into another: it closes pointing at the kept one,
    whose answer its submitter then sees."""
    if merged.pk == kept.pk:
        raise DomainError(_("不能与自身合并。"), code="same")
    with transaction.atomic():
        s = _lock(merged)
        k = _lock(kept)
        require(actor, Action.MANAGE_SUGGESTIONS, s)
        require(actor, Action.MANAGE_SUGGESTIONS, k)
        if s.subdistrict_id != k.subdistrict_id:
            raise DomainError(_("只能合并同一街道的诉求。"), code="other_subdistrict")
        if s.status not in OPEN_STATUSES:
            raise DomainError(_("只能合并未答复的诉求。"), code="bad_status")
        if k.merged_into_id is not None:
            raise DomainError(_("保留的诉求已被合并。"), code="kept_merged")
        s.merged_into = k
        s.status = Status.CLOSED
        s.closed_at = timezone.now()
        s.save(update_fields=["merged_into", "status", "closed_at", "updated_at"])
        Suggestion.objects.filter(merged_into=s).update(merged_into=k)
        _event(s, EventKind.MERGED, actor, note.strip(), kept=str(k.public_id))
        _event(k, EventKind.MERGED, actor, note.strip(), merged=str(s.public_id))
        _audit(actor, "merge", s, kept=k.pk)
    return s


def suggestions_remind(today: dt.date | None = None, calendar: Calendar | None = None) -> int:
    """Record a "reminded" event once per suggestion and due date when it enters its reminder window
    (idempotent; a new due date after an extension or a reopening is reminded again)."""
    today = today or timezone.localdate()
    calendar = calendar or current_calendar()
    count = 0
    with transaction.atomic():
        candidates = Suggestion.objects.filter(status__in=list(OPEN_STATUSES), due_on__gte=today).select_related(
            "category"
        )
        candidates = candidates.filter(due_on__lte=calendar.due_date(today, 30))
        done = set(
            SuggestionEvent.objects.filter(kind=EventKind.REMINDED, suggestion__in=candidates.values("pk")).values_list(
                "suggestion_id", "data__due_on"
            )
        )
        for s in candidates:
            if s.due_on > due_soon_limit(calendar, today, s.category.reminder_days):
                continue
            if (s.pk, s.due_on.isoformat()) in done:
                continue
            _event(s, EventKind.REMINDED, None, due_on=s.due_on.isoformat())
            count += 1
        if count:
            audit_record(
                actor=None,
                action="suggestions_remind",
                object_type="suggestions.suggestion",
                summary=f"{today.isoformat()} {count}",
            )
    return count
