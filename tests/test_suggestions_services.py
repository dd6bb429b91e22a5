"""Residents' suggestions: the state machine by role, the working-day clocks at their boundaries,
extensions, rating and reopening, escalation to a deputy, merging, reminders and masking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.core.audit import AuditEntry
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.places.models import Role
from gongzhi.suggestions import selectors as sel
from gongzhi.suggestions import services as sv
from gongzhi.suggestions.models import (
    Department,
    Deputy,
    EventKind,
    ExtensionStatus,
    Rating,
    Source,
    Status,
    Suggestion,
    SuggestionCategory,
    SuggestionEvent,
)
from gongzhi.workdays.calendar import shipped_calendar
from gongzhi.workdays.services import calendar_install_shipped
from tests import factories as f
from tests.conftest import World

pytestmark = pytest.mark.django_db

CAL = shipped_calendar()
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
DAY = dt.date(2025, 9, 1)  # a Monday


@dataclass
class SW:
    world: World
    category: SuggestionCategory
    department: Department
    other_department: Department
    member: Any
    resident: Any
    coordinator: Any
    deputy: Deputy
    deputy_user: Any
    outside_category: SuggestionCategory


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def sw(personas: World, media: Any) -> SW:
    return make_sw(personas)


def make_sw(personas: World) -> SW:
    """Two departments, a member, a resident, a deputy with a user and a 3-working-day category."""
    calendar_install_shipped()
    sub = personas.inside["subdistrict"]
    category = SuggestionCategory.objects.create(subdistrict=sub, name="环境卫生", time_limit_days=3, reminder_days=1)
    dept = Department.objects.create(subdistrict=sub, name="城管中队")
    other = Department.objects.create(subdistrict=sub, name="市政所")
    member = f.UserFactory()
    dept.members.add(member)
    deputy_user = f.UserFactory()
    deputy = Deputy.objects.create(subdistrict=sub, name="张代表", level="district", user=deputy_user)
    outside_category = SuggestionCategory.objects.create(subdistrict=personas.outside["subdistrict"], name="环境卫生")
    return SW(
        personas,
        category,
        dept,
        other,
        member,
        f.UserFactory(),
        personas.users[Role.SUBDISTRICT_STAFF],
        deputy,
        deputy_user,
        outside_category,
    )


def submit(w: SW, today: dt.date = DAY, **kw: Any) -> Suggestion:
    args: dict[str, Any] = {"title": "路灯不亮", "text": "3幢门口路灯坏了", "place": "3幢", "phone": "13812345678"}
    args.update(kw)
    return sv.suggestion_submit(actor=w.resident, category=w.category, today=today, calendar=CAL, **args)


def handling(w: SW, today: dt.date = DAY) -> Suggestion:
    s = submit(w, today)
    sv.suggestion_dispatch(actor=w.coordinator, suggestion=s, department=w.department)
    return sv.suggestion_sign(actor=w.member, suggestion=s)


# --- intake -------------------------------------------------------------------------------------


def test_submit_sets_clock_photos_and_audit(sw: SW) -> None:
    before = AuditEntry.objects.count()
    photo = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    s = submit(sw, photos=[photo])
    assert s.status == Status.SUBMITTED
    assert s.subdistrict == sw.world.inside["subdistrict"]
    assert s.due_on == dt.date(2025, 9, 4)  # Monday + 3 working days
    assert s.submitter == sw.resident
    assert s.source == Source.RESIDENT
    assert s.photos.count() == 1
    assert len(s.photos.get().sha256) == 64
    assert s.events.get().kind == EventKind.SUBMITTED
    assert AuditEntry.objects.count() == before + 1


def test_due_date_across_national_day() -> None:
    assert CAL.due_date(dt.date(2025, 9, 30), 3) == dt.date(2025, 10, 11)


def test_submit_across_national_day(sw: SW) -> None:
    s = submit(sw, today=dt.date(2025, 9, 30))
    assert s.due_on == dt.date(2025, 10, 11)


@pytest.mark.parametrize(
    ("photos", "code"),
    [
        ([SimpleUploadedFile("x.txt", b"hello world", content_type="text/plain")], "photo_type"),
        ([SimpleUploadedFile("a.png", PNG) for _ in range(4)], "photos_count"),
        ([SimpleUploadedFile("a.png", PNG + b"\0" * (5 * 1024 * 1024))], "photo_too_large"),
    ],
)
def test_submit_bad_photos_write_nothing(sw: SW, photos: list[Any], code: str) -> None:
    with pytest.raises(DomainError) as e:
        submit(sw, photos=photos)
    assert e.value.code == code
    assert Suggestion.objects.count() == 0


def test_submit_requires_text_and_login(sw: SW) -> None:
    with pytest.raises(DomainError, match="请填写内容") as e:
        submit(sw, text="  ")
    assert e.value.code == "text_required"
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AccessDeniedError):
        sv.suggestion_submit(actor=AnonymousUser(), category=sw.category, title="t", text="x")


def test_record_by_staff_only(sw: SW) -> None:
    kw: dict[str, Any] = {
        "category": sw.category,
        "title": "停车难",
        "text": "议事会上提出",
        "source": Source.MEETING,
        "name": "李四",
        "received_on": dt.date(2025, 9, 1),
        "today": dt.date(2025, 9, 2),
        "calendar": CAL,
    }
    s = sv.suggestion_record(actor=sw.world.users[Role.COMMUNITY_STAFF], community=sw.world.inside["community"], **kw)
    assert s.source == Source.MEETING
    assert s.submitter is None
    assert s.due_on == dt.date(2025, 9, 4)
    for role in (Role.OWNER, Role.SUPERVISOR, Role.OWNERS_COMMITTEE):
        with pytest.raises(AccessDeniedError):
            sv.suggestion_record(actor=sw.world.users[role], **kw)
    with pytest.raises(DomainError, match="来源"):
        sv.suggestion_record(actor=sw.coordinator, **{**kw, "source": Source.RESIDENT})


# --- the state machine --------------------------------------------------------------------------


def test_full_loop(sw: SW) -> None:
    s = handling(sw)
    assert s.status == Status.HANDLING
    s = sv.suggestion_answer(actor=sw.member, suggestion=s, answer="已修复", today=dt.date(2025, 9, 4))
    assert s.status == Status.ANSWERED
    assert not s.answered_late
    s = sv.suggestion_rate(actor=sw.resident, suggestion=s, rating=Rating.SATISFIED)
    assert s.status == Status.CLOSED
    assert s.closed_at is not None
    kinds = list(s.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "dispatched", "signed", "answered", "rated", "closed"]


def test_dispatch_refused_without_manage(sw: SW) -> None:
    s = submit(sw)
    for user in (sw.world.users[Role.SUPERVISOR], sw.world.users[Role.OWNER], sw.member, sw.resident):
        with pytest.raises(AccessDeniedError):
            sv.suggestion_dispatch(actor=user, suggestion=s, department=sw.department)
    outside_dept = Department.objects.create(subdistrict=sw.world.outside["subdistrict"], name="外部")
    with pytest.raises(DomainError, match="承办部门"):
        sv.suggestion_dispatch(actor=sw.coordinator, suggestion=s, department=outside_dept)
    s.refresh_from_db()
    assert s.status == Status.SUBMITTED


def test_sign_and_answer_only_by_members(sw: SW) -> None:
    s = submit(sw)
    sv.suggestion_dispatch(actor=sw.coordinator, suggestion=s, department=sw.department)
    for user in (sw.coordinator, sw.resident, f.UserFactory()):
        with pytest.raises(AccessDeniedError):
            sv.suggestion_sign(actor=user, suggestion=s)
    with pytest.raises(DomainError, match="状态"):
        sv.suggestion_answer(actor=sw.member, suggestion=s, answer="x")  # not signed yet
    sv.suggestion_sign(actor=sw.member, suggestion=s)
    with pytest.raises(AccessDeniedError):
        sv.suggestion_answer(actor=sw.coordinator, suggestion=s, answer="x")
    with pytest.raises(DomainError, match="答复内容"):
        sv.suggestion_answer(actor=sw.member, suggestion=s, answer=" ")


def test_bounce_requires_reason_then_force(sw: SW) -> None:
    s = submit(sw)
    sv.suggestion_dispatch(actor=sw.coordinator, suggestion=s, department=sw.department)
    with pytest.raises(DomainError, match="退回理由"):
        sv.suggestion_bounce(actor=sw.member, suggestion=s, reason="  ")
    with pytest.raises(DomainError, match="状态"):
        sv.suggestion_force(actor=sw.coordinator, suggestion=s, department=sw.department)
    s = sv.suggestion_bounce(actor=sw.member, suggestion=s, reason="不属于本部门职责")
    assert s.status == Status.BOUNCED
    assert s.events.get(kind=EventKind.BOUNCED).note == "不属于本部门职责"
    with pytest.raises(AccessDeniedError):
        sv.suggestion_force(actor=sw.member, suggestion=s, department=sw.department)
    with pytest.raises(AccessDeniedError):
        sv.suggestion_force(actor=sw.world.users[Role.SUPERVISOR], suggestion=s, department=sw.department)
    s = sv.suggestion_force(actor=sw.coordinator, suggestion=s, department=sw.department)
    assert s.status == Status.HANDLING
    assert s.department == sw.department


def test_bounced_can_be_dispatched_elsewhere(sw: SW) -> None:
    s = submit(sw)
    sv.suggestion_dispatch(actor=sw.coordinator, suggestion=s, department=sw.department)
    sv.suggestion_bounce(actor=sw.member, suggestion=s, reason="非本部门")
    s = sv.suggestion_dispatch(actor=sw.coordinator, suggestion=s, department=sw.other_department)
    assert s.status == Status.DISPATCHED
    assert s.department == sw.other_department
    with pytest.raises(AccessDeniedError):  # the old department's member no longer may sign
        sv.suggestion_sign(actor=sw.member, suggestion=s)


def test_rate_only_by_submitter_unsatisfied_reopens_with_new_clock(sw: SW) -> None:
    s = handling(sw)
    s = sv.suggestion_answer(actor=sw.member, suggestion=s, answer="已处理", today=dt.date(2025, 9, 5))
    assert s.answered_late  # due 4 September
    with pytest.raises(AccessDeniedError):
        sv.suggestion_rate(actor=sw.coordinator, suggestion=s, rating=Rating.SATISFIED)
    with pytest.raises(DomainError):
        sv.suggestion_rate(actor=sw.resident, suggestion=s, rating="great")
    s = sv.suggestion_rate(
        actor=sw.resident, suggestion=s, rating=Rating.UNSATISFIED, today=dt.date(2025, 9, 30), calendar=CAL
    )
    assert s.status == Status.HANDLING
    assert s.department == sw.department
    assert s.clock_from == dt.date(2025, 9, 30)
    assert s.due_on == dt.date(2025, 10, 11)
    assert s.answered_at is None
    with pytest.raises(DomainError, match="状态"):
        sv.suggestion_rate(actor=sw.resident, suggestion=s, rating=Rating.SATISFIED)


def test_close_by_coordinator_after_answer(sw: SW) -> None:
    s = handling(sw)
    with pytest.raises(DomainError, match="状态"):
        sv.suggestion_close(actor=sw.coordinator, suggestion=s)
    sv.suggestion_answer(actor=sw.member, suggestion=s, answer="已处理")
    with pytest.raises(AccessDeniedError):
        sv.suggestion_close(actor=sw.member, suggestion=s)
    s = sv.suggestion_close(actor=sw.coordinator, suggestion=s)
    assert s.status == Status.CLOSED


# --- clocks -------------------------------------------------------------------------------------


def test_overdue_boundary(sw: SW) -> None:
    s = submit(sw)  # due 2025-09-04
    assert not sel.is_overdue(s, dt.date(2025, 9, 4))
    assert sel.is_overdue(s, dt.date(2025, 9, 5))
    qs = Suggestion.objects.all()
    assert not qs.filter(sel.overdue_q(dt.date(2025, 9, 4))).exists()
    assert qs.filter(sel.overdue_q(dt.date(2025, 9, 5))).exists()


def test_due_soon_window(sw: SW) -> None:
    s = Suggestion.objects.select_related("category").get(pk=submit(sw).pk)  # due Thu 4 Sep, reminder 1 day
    assert not sel.is_due_soon(s, dt.date(2025, 9, 2), CAL)
    assert sel.is_due_soon(s, dt.date(2025, 9, 3), CAL)
    assert sel.is_due_soon(s, dt.date(2025, 9, 4), CAL)
    assert not sel.is_due_soon(s, dt.date(2025, 9, 5), CAL)  # overdue, not "soon"
    q = sel.due_soon_q(dt.date(2025, 9, 3), CAL, [sw.category])
    assert Suggestion.objects.filter(q).count() == 1
    q = sel.due_soon_q(dt.date(2025, 9, 2), CAL, [sw.category])
    assert Suggestion.objects.filter(q).count() == 0


def test_extension_only_before_due_date(sw: SW) -> None:
    s = handling(sw)  # due 2025-09-04
    with pytest.raises(DomainError, match="超过办理期限"):
        sv.extension_request(actor=sw.member, suggestion=s, working_days=2, reason="需协调", today=dt.date(2025, 9, 5))
    with pytest.raises(AccessDeniedError):
        sv.extension_request(actor=sw.coordinator, suggestion=s, working_days=2, reason="x", today=DAY)
    with pytest.raises(DomainError, match="理由"):
        sv.extension_request(actor=sw.member, suggestion=s, working_days=2, reason="", today=DAY)
    with pytest.raises(DomainError, match="1 至 30"):
        sv.extension_request(actor=sw.member, suggestion=s, working_days=0, reason="x", today=DAY)
    ext = sv.extension_request(
        actor=sw.member, suggestion=s, working_days=2, reason="需协调", today=dt.date(2025, 9, 4)
    )
    with pytest.raises(DomainError, match="待审批"):
        sv.extension_request(actor=sw.member, suggestion=s, working_days=2, reason="x", today=DAY)
    with pytest.raises(AccessDeniedError):
        sv.extension_decide(actor=sw.member, extension=ext, approve=True, today=DAY)
    with pytest.raises(DomainError, match="超过办理期限"):
        sv.extension_decide(actor=sw.coordinator, extension=ext, approve=True, today=dt.date(2025, 9, 5))
    ext = sv.extension_decide(
        actor=sw.coordinator, extension=ext, approve=True, today=dt.date(2025, 9, 4), calendar=CAL
    )
    s.refresh_from_db()
    assert ext.status == ExtensionStatus.APPROVED
    assert s.due_on == dt.date(2025, 9, 8)
    with pytest.raises(DomainError, match="已审批"):
        sv.extension_decide(actor=sw.coordinator, extension=ext, approve=False, today=DAY)


def test_extension_refused_keeps_due_date(sw: SW) -> None:
    s = handling(sw)
    ext = sv.extension_request(actor=sw.member, suggestion=s, working_days=5, reason="x", today=DAY)
    ext = sv.extension_decide(actor=sw.coordinator, extension=ext, approve=False, today=DAY)
    s.refresh_from_db()
    assert ext.status == ExtensionStatus.REFUSED
    assert s.due_on == dt.date(2025, 9, 4)


def test_reminders_once_per_due_date(sw: SW) -> None:
    s = handling(sw)  # due 4 Sep, reminder 1 working day
    assert sv.suggestions_remind(dt.date(2025, 9, 2), CAL) == 0
    assert sv.suggestions_remind(dt.date(2025, 9, 3), CAL) == 1
    assert sv.suggestions_remind(dt.date(2025, 9, 3), CAL) == 0
    assert sv.suggestions_remind(dt.date(2025, 9, 4), CAL) == 0
    ext = sv.extension_request(actor=sw.member, suggestion=s, working_days=2, reason="x", today=dt.date(2025, 9, 4))
    sv.extension_decide(actor=sw.coordinator, extension=ext, approve=True, today=dt.date(2025, 9, 4), calendar=CAL)
    assert sv.suggestions_remind(dt.date(2025, 9, 5), CAL) == 1  # the new due date, 8 Sep
    assert SuggestionEvent.objects.filter(suggestion=s, kind=EventKind.REMINDED).count() == 2


def test_remind_command(sw: SW) -> None:
    from django.core.management import call_command

    handling(sw)
    call_command("suggestions_remind", "--date", "2025-09-03")
    assert SuggestionEvent.objects.filter(kind=EventKind.REMINDED).count() == 1


# --- escalation and merging ---------------------------------------------------------------------


def test_escalate_and_adopt_gives_deputy_suggestion_with_own_clock(sw: SW) -> None:
    s = submit(sw)
    with pytest.raises(AccessDeniedError):
        sv.suggestion_escalate(actor=sw.member, suggestion=s, deputy=sw.deputy)
    with pytest.raises(AccessDeniedError):  # not escalated yet
        sv.suggestion_adopt(actor=sw.deputy_user, suggestion=s)
    sv.suggestion_escalate(actor=sw.coordinator, suggestion=s, deputy=sw.deputy)
    with pytest.raises(AccessDeniedError):
        sv.suggestion_adopt(actor=sw.coordinator, suggestion=s)
    new = sv.suggestion_adopt(actor=sw.deputy_user, suggestion=s, today=dt.date(2025, 9, 30), calendar=CAL)
    assert new.source == Source.DEPUTY
    assert new.origin == s
    assert new.deputy == sw.deputy
    assert new.received_on == dt.date(2025, 9, 30)
    assert new.due_on == dt.date(2025, 10, 11)
    assert new.status == Status.SUBMITTED
    assert new.submitter_phone == ""
    s.refresh_from_db()
    assert s.due_on == dt.date(2025, 9, 4)  # the original keeps its own clock
    with pytest.raises(DomainError, match="已转为"):
        sv.suggestion_adopt(actor=sw.deputy_user, suggestion=s)
    outside_deputy = Deputy.objects.create(subdistrict=sw.world.outside["subdistrict"], name="王代表")
    with pytest.raises(DomainError, match="人大代表"):
        sv.suggestion_escalate(actor=sw.coordinator, suggestion=submit(sw), deputy=outside_deputy)


def test_merge(sw: SW) -> None:
    kept = submit(sw, title="路灯不亮")
    other_resident = f.UserFactory()
    merged = sv.suggestion_submit(actor=other_resident, category=sw.category, title="路灯坏了", text="同上")
    with pytest.raises(AccessDeniedError):
        sv.suggestion_merge(actor=sw.member, merged=merged, kept=kept)
    with pytest.raises(DomainError, match="自身"):
        sv.suggestion_merge(actor=sw.coordinator, merged=kept, kept=kept)
    m = sv.suggestion_merge(actor=sw.coordinator, merged=merged, kept=kept)
    assert m.status == Status.CLOSED
    assert m.merged_into == kept
    assert kept in sel.access_visible(other_resident)  # the merged one's submitter sees the kept one
    with pytest.raises(DomainError, match="未答复"):
        sv.suggestion_merge(actor=sw.coordinator, merged=merged, kept=kept)


# --- scopes and masking -------------------------------------------------------------------------


def test_scopes(sw: SW) -> None:
    s = submit(sw)
    outside = sv.suggestion_submit(actor=f.UserFactory(), category=sw.outside_category, title="t", text="x")
    users = sw.world.users
    for role in (Role.SUBDISTRICT_STAFF, Role.SUPERVISOR, Role.DISTRICT_REGULATOR):
        assert list(sel.access_staff(users[role])) == [s]
    assert list(sel.access_staff(users[Role.OWNER])) == []
    assert list(sel.access_department(sw.member)) == []  # not dispatched yet
    sv.suggestion_dispatch(actor=sw.coordinator, suggestion=s, department=sw.department)
    assert list(sel.access_department(sw.member)) == [s]
    assert list(sel.access_visible(sw.member)) == [s]
    assert list(sel.access_visible(sw.resident)) == [s]
    assert outside not in sel.access_visible(users[Role.SUBDISTRICT_STAFF])


def test_mask() -> None:
    text = "电话13812345678，座机0571-88886666，身份证330106199001011234，门牌12号"
    out = sel.mask(text)
    assert "13812345678" not in out
    assert "138****5678" in out
    assert "88886666" not in out
    assert "330106199001011234" not in out
    assert "330106" in out
    assert "门牌12号" in out
