"""Deliberation meetings: each role's view of a meeting, the livestream kept off the public
minutes, sign-in by QR (one tap and name + last four digits), moderation, a vendor answering only
its own questions, the rate limit, publishing the minutes, query counts, phone-width markup and
the JSON API."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.meetings import services as s
from gongzhi.meetings.models import Meeting, MeetingStatus, Participant, ParticipantRole, Question, QuestionStatus
from gongzhi.motions.services import motion_create
from gongzhi.places.models import Role
from gongzhi.renewals.models import Vendor
from tests import factories as f
from tests.conftest import ROLES, World

pytestmark = pytest.mark.django_db

LIVESTREAM = "https://live.example.cn/room/liangzhu-2024"
PHONE = "13912345678"


@dataclass
class MeetingWorld:
    world: World
    meeting: Meeting
    staff: Any
    owner: Any
    vendor_a: Vendor
    vendor_b: Vendor
    member_a: Any  # the personas' vendor user, a member of vendor_a
    member_b: Any
    resident: Participant  # invited without an account
    outsider: Any


@pytest.fixture
def mw(personas: World) -> MeetingWorld:
    inside = personas.inside
    staff = personas.users[Role.COMMUNITY_STAFF]
    vendor_a = Vendor.objects.create(subdistrict=inside["subdistrict"], name="甲电梯", phone="0571-11111111")
    vendor_b = Vendor.objects.create(subdistrict=inside["subdistrict"], name="乙电梯")
    member_a = personas.users[Role.VENDOR]
    vendor_a.members.add(member_a)
    member_b = f.user_with_role(Role.VENDOR, subdistrict=inside["subdistrict"])
    vendor_b.members.add(member_b)
    starts = timezone.now() + dt.timedelta(hours=1)
    meeting = s.meeting_create(
        actor=staff,
        estate=inside["estate"],
        fields=s.MeetingFields(
            topic="1幢电梯更新众议事",
            starts_at=starts,
            venue="社区党群服务中心",
            livestream_url=LIVESTREAM,
            entrances=[inside["entrance"]],
            campaign=personas.campaign,
        ),
    )
    s.agenda_set(
        actor=staff,
        meeting=meeting,
        items=[s.AgendaEntry("开场", 10, "社区书记"), s.AgendaEntry("品牌方路演", 60, "各品牌方")],
    )
    for order, vendor in enumerate((vendor_a, vendor_b), start=1):
        s.pitch_add(
            actor=staff,
            meeting=meeting,
            vendor=vendor,
            order=order,
            starts_at=starts + dt.timedelta(minutes=10 * order),
            ends_at=starts + dt.timedelta(minutes=10 * order + 10),
            link="https://example.cn/slides.pdf",
        )
    resident = s.participant_invite(
        actor=staff, meeting=meeting, role=ParticipantRole.RESIDENT_REPRESENTATIVE, name="王芳", phone=PHONE
    )
    s.participant_invite(
        actor=staff, meeting=meeting, role=ParticipantRole.VENDOR, user=member_a, name="甲代表", vendor=vendor_a
    )
    outsider = f.user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=personas.outside["subdistrict"])
    return MeetingWorld(
        personas, meeting, staff, personas.users[Role.OWNER], vendor_a, vendor_b, member_a, member_b, resident, outsider
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(name: str, meeting: Meeting, *extra: Any) -> str:
    return reverse(name, args=[meeting.pk, *extra])


def approved(mw: MeetingWorld, text: str, author: Any = None, vendor: Vendor | None = None) -> Question:
    q = s.question_submit(actor=author or mw.owner, meeting=mw.meeting, text=text, addressed_to=vendor)
    return s.question_moderate(actor=mw.staff, question=q, decision="approve")


def end(mw: MeetingWorld) -> None:
    s.meeting_transition(actor=mw.staff, meeting=mw.meeting, step="start")
    s.meeting_transition(actor=mw.staff, meeting=mw.meeting, step="end")


# --- each role's view ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_in_scope_sees_the_meeting_and_its_livestream(mw: MeetingWorld, role: str) -> None:
    response = client_for(mw.world.users[role]).get(page("meeting_detail", mw.meeting))
    assert response.status_code == 200
    html = response.content.decode()
    assert mw.meeting.topic in html
    assert LIVESTREAM in html
    assert "<iframe" in html  # https: embedded as well as linked
    listed = client_for(mw.world.users[role]).get(reverse("meeting_list")).content.decode()
    assert mw.meeting.topic in listed


def test_outsider_gets_404_and_does_not_list_it(mw: MeetingWorld) -> None:
    client = client_for(mw.outsider)
    for name in ("meeting_detail", "meeting_questions", "meeting_participants", "meeting_minutes"):
        assert client.get(page(name, mw.meeting)).status_code == 404, name
    assert mw.meeting.topic not in client.get(reverse("meeting_list")).content.decode()
    with pytest.raises(AccessDeniedError):
        s.question_submit(actor=mw.outsider, meeting=mw.meeting, text="外人提问")


def test_owner_of_another_estate_does_not_see_it(mw: MeetingWorld) -> None:
    other_owner = f.OwnershipFactory(apartment=f.ApartmentFactory(entrance=mw.world.outside["entrance"])).owner
    user = f.user_with_role(Role.OWNER, owner=other_owner)
    assert client_for(user).get(page("meeting_detail", mw.meeting)).status_code == 404


def test_anonymous_is_sent_to_login(mw: MeetingWorld) -> None:
    response = Client().get(page("meeting_detail", mw.meeting))
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_http_livestream_is_linked_but_not_embedded(mw: MeetingWorld) -> None:
    Meeting.objects.filter(pk=mw.meeting.pk).update(livestream_url="http://live.example.cn/x")
    html = client_for(mw.owner).get(page("meeting_detail", mw.meeting)).content.decode()
    assert "http://live.example.cn/x" in html
    assert "<iframe" not in html


STAFF_PAGES = [
    "meeting_edit",
    "meeting_participants",
    "meeting_pitches",
    "meeting_moderation",
    "meeting_sign_in_qr",
    "meeting_minutes",
]


@pytest.mark.parametrize("role", [Role.OWNER, Role.VENDOR, Role.PROPERTY_MANAGER, Role.SUPERVISOR])
def test_staff_pages_are_forbidden_to_viewers(mw: MeetingWorld, role: str) -> None:
    client = client_for(mw.world.users[role])
    for name in STAFF_PAGES:
        assert client.get(page(name, mw.meeting)).status_code == 403, name
    assert client.post(page("meeting_transition", mw.meeting), {"step": "start"}).status_code == 403
    assert client.get(reverse("meeting_create")).status_code == 404


@pytest.mark.parametrize("role", [Role.SUBDISTRICT_STAFF, Role.COMMUNITY_STAFF, Role.OWNERS_COMMITTEE])
def test_staff_pages_open_to_those_who_run_meetings(mw: MeetingWorld, role: str) -> None:
    client = client_for(mw.world.users[role])
    for name in STAFF_PAGES:
        assert client.get(page(name, mw.meeting)).status_code == 200, name


# --- create and edit -------------------------------------------------------------------------------


def test_staff_schedule_a_meeting_with_its_agenda_through_the_page(mw: MeetingWorld) -> None:
    inside = mw.world.inside
    before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = client_for(mw.staff).post(
        reverse("meeting_create"),
        {
            "estate": inside["estate"].pk,
            "topic": "2幢电梯众议事",
            "starts_at": "2030-05-01T19:00",
            "duration_minutes": "90",
            "venue": "小区会所",
            "livestream_url": "",
            "entrances": [inside["entrance"].pk],
            "campaign": "",
            "agenda": "开场 | 5 | 主持人\n路演 ｜ 45\n\n答疑 | 30 | 全体",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(topic="2幢电梯众议事")
    assert response["Location"] == page("meeting_detail", meeting)
    assert [(a.position, a.title, a.duration_minutes, a.presenter) for a in meeting.agenda.all()] == [
        (1, "开场", 5, "主持人"),
        (2, "路演", 45, ""),
        (3, "答疑", 30, "全体"),
    ]
    assert list(meeting.entrances.all()) == [inside["entrance"]]
    actions = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq").values_list("action", flat=True))
    assert actions == ["meeting_create", "meeting_agenda_set"]


def test_bad_agenda_line_is_reported(mw: MeetingWorld) -> None:
    response = client_for(mw.staff).post(
        reverse("meeting_create"),
        {
            "estate": mw.world.inside["estate"].pk,
            "topic": "x",
            "starts_at": "2030-05-01T19:00",
            "duration_minutes": "90",
            "venue": "v",
            "agenda": "开场 | 很久",
        },
    )
    assert response.status_code == 200
    assert "第 1 行的分钟数不是整数" in response.content.decode()


def test_service_refuses_entrance_of_another_estate_and_bad_livestream(mw: MeetingWorld) -> None:
    fields = s.MeetingFields(topic="t", starts_at=timezone.now(), venue="v", entrances=[mw.world.outside["entrance"]])
    with pytest.raises(DomainError) as err:
        s.meeting_create(actor=mw.staff, estate=mw.world.inside["estate"], fields=fields)
    assert err.value.code == "bad_scope"
    fields = s.MeetingFields(topic="t", starts_at=timezone.now(), venue="v", livestream_url="javascript:alert(1)")
    with pytest.raises(DomainError) as err:
        s.meeting_create(actor=mw.staff, estate=mw.world.inside["estate"], fields=fields)
    assert err.value.code == "bad_livestream_url"


def test_pitch_of_a_vendor_from_another_subdistrict_is_refused(mw: MeetingWorld) -> None:
    foreign = Vendor.objects.create(subdistrict=mw.world.outside["subdistrict"], name="丙电梯")
    with pytest.raises(DomainError) as err:
        s.pitch_add(
            actor=mw.staff,
            meeting=mw.meeting,
            vendor=foreign,
            order=3,
            starts_at=mw.meeting.starts_at,
            ends_at=mw.meeting.starts_at + dt.timedelta(minutes=5),
        )
    assert err.value.code == "bad_vendor"


# --- sign-in ---------------------------------------------------------------------------------------


def test_sign_in_qr_points_to_the_sign_in_page(mw: MeetingWorld) -> None:
    html = client_for(mw.staff).get(page("meeting_sign_in_qr", mw.meeting)).content.decode()
    assert "<svg" in html
    assert f"/meetings/{mw.meeting.public_id}/sign-in/" in html


def test_invited_account_signs_in_with_one_tap(mw: MeetingWorld) -> None:
    client = client_for(mw.member_a)
    url = reverse("meeting_sign_in", args=[mw.meeting.public_id])
    assert "确认签到" in client.get(url).content.decode()
    response = client.post(url, {"mode": "account"})
    assert response.status_code == 200
    participant = Participant.objects.get(meeting=mw.meeting, user=mw.member_a)
    assert participant.attended_at is not None
    assert participant.sign_in_method == "account"
    first = participant.attended_at
    client.post(url, {"mode": "account"})  # a second tap keeps the first arrival time
    participant.refresh_from_db()
    assert participant.attended_at == first


def test_resident_without_account_signs_in_with_name_and_last_four(mw: MeetingWorld) -> None:
    url = reverse("meeting_sign_in", args=[mw.meeting.public_id])
    client = Client()
    wrong = client.post(url, {"mode": "phone", "name": "王芳", "phone_last4": "0000"})
    assert "未匹配到邀请" in wrong.content.decode()
    mw.resident.refresh_from_db()
    assert mw.resident.attended_at is None
    right = client.post(url, {"mode": "phone", "name": " 王芳 ", "phone_last4": PHONE[-4:]})
    assert "已签到" in right.content.decode()
    mw.resident.refresh_from_db()
    assert mw.resident.attended_at is not None
    assert mw.resident.sign_in_method == "name_phone"
    assert PHONE not in right.content.decode()


def test_guessing_the_last_four_digits_is_stopped(mw: MeetingWorld) -> None:
    from django.core.cache import cache

    cache.clear()
    url = reverse("meeting_sign_in", args=[mw.meeting.public_id])
    client = Client()
    for guess in range(10):
        client.post(url, {"mode": "phone", "name": "王芳", "phone_last4": f"{guess:04d}"})
    response = client.post(url, {"mode": "phone", "name": "王芳", "phone_last4": PHONE[-4:]})
    assert "尝试次数过多" in response.content.decode()
    mw.resident.refresh_from_db()
    assert mw.resident.attended_at is None
    cache.clear()


def test_uninvited_account_cannot_sign_in_and_sign_in_closes_after_the_meeting(mw: MeetingWorld) -> None:
    with pytest.raises(DomainError) as err:
        s.sign_in_account(meeting=mw.meeting, user=mw.owner)
    assert err.value.code == "not_invited"
    end(mw)
    with pytest.raises(DomainError) as err:
        s.sign_in_by_phone(meeting=mw.meeting, name="王芳", phone_last4=PHONE[-4:])
    assert err.value.code == "sign_in_closed"


def test_staff_mark_and_undo_attendance(mw: MeetingWorld) -> None:
    client = client_for(mw.staff)
    url = page("participant_attendance", mw.meeting, mw.resident.pk)
    client.post(url, {"attended": "1"})
    mw.resident.refresh_from_db()
    assert mw.resident.attended_at is not None
    assert mw.resident.sign_in_method == "staff"
    assert mw.resident.marked_by == mw.staff
    client.post(url, {"attended": "0"})
    mw.resident.refresh_from_db()
    assert mw.resident.attended_at is None


def test_staff_invite_through_the_page_needs_a_phone_without_account(mw: MeetingWorld) -> None:
    client = client_for(mw.staff)
    url = page("meeting_participants", mw.meeting)
    response = client.post(url, {"role": "resident_representative", "name": "李强", "phone": ""})
    assert "须登记手机号" in response.content.decode()
    response = client.post(url, {"role": "supervisor", "username": mw.world.users[Role.SUPERVISOR].username})
    assert response.status_code == 302
    assert Participant.objects.filter(meeting=mw.meeting, user=mw.world.users[Role.SUPERVISOR]).exists()


# --- questions, moderation, answers ----------------------------------------------------------------


def test_owner_asks_and_the_question_shows_once_approved(mw: MeetingWorld) -> None:
    client = client_for(mw.owner)
    response = client.post(
        page("meeting_questions", mw.meeting), {"text": "新电梯的维保费谁出？", "addressed_to": mw.vendor_a.pk}
    )
    assert response.status_code == 302
    question = Question.objects.get(meeting=mw.meeting)
    assert question.status == QuestionStatus.PENDING
    assert question.addressed_to == mw.vendor_a
    panel = client.get(page("meeting_questions", mw.meeting)).content.decode()
    assert "维保费" not in panel
    assert 'hx-trigger="every 3s"' in panel
    s.question_moderate(actor=mw.staff, question=question, decision="approve")
    assert "维保费" in client.get(page("meeting_questions", mw.meeting)).content.decode()


def test_moderation_reject_pin_unpin(mw: MeetingWorld) -> None:
    first = approved(mw, "第一个问题")
    second = s.question_submit(actor=mw.owner, meeting=mw.meeting, text="第二个问题")
    client = client_for(mw.staff)
    moderation = client.get(page("meeting_moderation", mw.meeting)).content.decode()
    assert "第二个问题" in moderation
    assert "第一个问题" not in moderation
    client.post(page("question_moderate", mw.meeting, second.pk), {"decision": "pin"})
    second.refresh_from_db()
    assert (second.status, second.pinned) == (QuestionStatus.APPROVED, True)
    panel = client_for(mw.owner).get(page("meeting_questions", mw.meeting)).content.decode()
    assert panel.index("第二个问题") < panel.index("第一个问题")  # pinned first
    client.post(page("question_moderate", mw.meeting, second.pk), {"decision": "unpin"})
    client.post(page("question_moderate", mw.meeting, first.pk), {"decision": "reject"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == QuestionStatus.REJECTED
    assert second.pinned is False
    panel = client_for(mw.owner).get(page("meeting_questions", mw.meeting)).content.decode()
    assert "第一个问题" not in panel
    assert "第二个问题" in panel
    assert (
        client_for(mw.owner).post(page("question_moderate", mw.meeting, first.pk), {"decision": "approve"}).status_code
        == 403
    )


def test_vendor_answers_only_questions_addressed_to_it(mw: MeetingWorld) -> None:
    to_a = approved(mw, "甲的质保几年？", vendor=mw.vendor_a)
    to_b = approved(mw, "乙的价格含安装吗？", vendor=mw.vendor_b)
    client = client_for(mw.member_a)
    panel = client.get(page("meeting_questions", mw.meeting)).content.decode()
    assert page("question_answer", mw.meeting, to_a.pk) in panel
    assert page("question_answer", mw.meeting, to_b.pk) not in panel
    response = client.post(page("question_answer", mw.meeting, to_a.pk), {"answer": "整机质保5年。"})
    assert response.status_code == 302
    to_a.refresh_from_db()
    assert to_a.answer == "整机质保5年。"
    assert to_a.answered_by == mw.member_a
    assert client.post(page("question_answer", mw.meeting, to_b.pk), {"answer": "抢答"}).status_code == 403
    with pytest.raises(AccessDeniedError):
        s.question_answer(actor=mw.member_a, question=to_b, text="抢答")
    to_b.refresh_from_db()
    assert to_b.answer == ""
    assert "整机质保5年。" in client_for(mw.owner).get(page("meeting_questions", mw.meeting)).content.decode()


def test_owner_cannot_answer_and_pending_questions_cannot_be_answered(mw: MeetingWorld) -> None:
    to_a = approved(mw, "问甲", vendor=mw.vendor_a)
    assert client_for(mw.owner).post(page("question_answer", mw.meeting, to_a.pk), {"answer": "x"}).status_code == 403
    pending = s.question_submit(actor=mw.owner, meeting=mw.meeting, text="待审", addressed_to=mw.vendor_a)
    assert client_for(mw.member_a).get(page("question_answer", mw.meeting, pending.pk)).status_code == 404


def test_question_to_a_vendor_not_at_the_meeting_is_refused(mw: MeetingWorld) -> None:
    absent = Vendor.objects.create(subdistrict=mw.world.inside["subdistrict"], name="丁电梯")
    with pytest.raises(DomainError) as err:
        s.question_submit(actor=mw.owner, meeting=mw.meeting, text="问丁", addressed_to=absent)
    assert err.value.code == "bad_vendor"


def test_questions_are_rate_limited_per_user(mw: MeetingWorld) -> None:
    now = timezone.now()
    for n in range(s.QUESTIONS_PER_MINUTE):
        s.question_submit(actor=mw.owner, meeting=mw.meeting, text=f"问题{n}", now=now)
    with pytest.raises(DomainError) as err:
        s.question_submit(actor=mw.owner, meeting=mw.meeting, text="第六个", now=now + dt.timedelta(seconds=30))
    assert err.value.code == "rate_limited"
    # another user is not limited by the first one's questions, and a minute later the first may ask again
    s.question_submit(actor=mw.member_a, meeting=mw.meeting, text="品牌方也可提问", now=now)
    s.question_submit(actor=mw.owner, meeting=mw.meeting, text="一分钟后", now=now + dt.timedelta(seconds=61))
    assert Question.objects.filter(author=mw.owner).count() == s.QUESTIONS_PER_MINUTE + 1


def test_text_longer_than_500_is_refused(mw: MeetingWorld) -> None:
    with pytest.raises(DomainError) as err:
        s.question_submit(actor=mw.owner, meeting=mw.meeting, text="长" * 501)
    assert err.value.code == "text_too_long"


# --- minutes ---------------------------------------------------------------------------------------


def _motion(mw: MeetingWorld) -> Any:
    now = timezone.now()
    return motion_create(
        actor=mw.staff,
        estate=mw.world.inside["estate"],
        title="1单元电梯更新表决",
        question="是否同意更新？",
        scope_kind="entrance",
        scope_entrance=mw.world.inside["entrance"],
        opens_at=now + dt.timedelta(days=8),
        closes_at=now + dt.timedelta(days=20),
    )


def test_minutes_need_an_ended_meeting(mw: MeetingWorld) -> None:
    with pytest.raises(DomainError) as err:
        s.minutes_publish(actor=mw.staff, meeting=mw.meeting, conclusions="结论")
    assert err.value.code == "not_ended"


def test_publish_minutes_as_a_public_notice_without_phone_or_livestream(mw: MeetingWorld) -> None:
    motion = _motion(mw)
    s.sign_in_by_phone(meeting=mw.meeting, name="王芳", phone_last4=PHONE[-4:])
    answered = approved(mw, "甲的质保几年？", vendor=mw.vendor_a)
    s.question_answer(actor=mw.member_a, question=answered, text="整机质保5年。")
    s.question_submit(actor=mw.owner, meeting=mw.meeting, text="未审核的提问")
    end(mw)
    response = client_for(mw.staff).post(
        page("meeting_minutes", mw.meeting),
        {"conclusions": "多数代表倾向甲品牌，提交业主表决。", "motions": [motion.pk]},
    )
    mw.meeting.refresh_from_db()
    notice_url = reverse("meeting_minutes_notice", args=[mw.meeting.public_id])
    assert response.status_code == 302
    assert response["Location"] == notice_url
    assert mw.meeting.status == MeetingStatus.PUBLISHED
    assert mw.meeting.published_at is not None
    assert list(mw.meeting.motions.all()) == [motion]
    html = Client().get(notice_url).content.decode()  # public: no login
    assert "多数代表倾向甲品牌" in html
    assert "1单元电梯更新表决" in html
    assert "整机质保5年。" in html
    assert "王芳" not in html  # attended: counted by role on the public notice, not named (issue 13)
    assert "居民代表 1 人" in html
    assert "未审核的提问" not in html
    assert LIVESTREAM not in html
    assert "live.example.cn" not in html
    assert PHONE not in html
    assert PHONE[-4:] not in html
    assert "0571-11111111" not in html
    assert "<svg" in html
    assert re.search(r"居民代表</th><td class=\"num\">1</td><td class=\"num\">1</td>", html)
    # frozen from now on
    with pytest.raises(DomainError):
        s.question_moderate(actor=mw.staff, question=answered, decision="reject")
    with pytest.raises(DomainError):
        s.participant_invite(actor=mw.staff, meeting=mw.meeting, role="staff", name="x", phone="12345678")
    with pytest.raises(DomainError):
        s.minutes_publish(actor=mw.staff, meeting=mw.meeting, conclusions="再来")


def test_minutes_notice_is_404_until_published_and_motions_must_be_of_the_estate(mw: MeetingWorld) -> None:
    assert Client().get(reverse("meeting_minutes_notice", args=[mw.meeting.public_id])).status_code == 404
    end(mw)
    foreign = motion_create(
        actor=mw.world.users[Role.SUBDISTRICT_STAFF],
        estate=f.EstateFactory(community=mw.world.inside["community"]),
        title="别的小区",
        question="?",
        scope_kind="estate",
        opens_at=timezone.now() + dt.timedelta(days=8),
        closes_at=timezone.now() + dt.timedelta(days=20),
    )
    with pytest.raises(DomainError) as err:
        s.minutes_publish(actor=mw.staff, meeting=mw.meeting, conclusions="结论", motions=[foreign])
    assert err.value.code == "bad_motion"


def test_every_write_is_audited(mw: MeetingWorld) -> None:
    before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    q = s.question_submit(actor=mw.owner, meeting=mw.meeting, text="审计")
    s.question_moderate(actor=mw.staff, question=q, decision="pin")
    s.question_answer(actor=mw.staff, question=q, text="工作人员答复")  # addressed to no one: staff answer
    s.attendance_mark(actor=mw.staff, participant=mw.resident, attended=True)
    end(mw)
    s.minutes_publish(actor=mw.staff, meeting=mw.meeting, conclusions="结论")
    actions = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq").values_list("action", flat=True))
    assert actions == [
        "question_submit",
        "question_pin",
        "question_answer",
        "participant_sign_in",
        "meeting_start",
        "meeting_end",
        "minutes_publish",
    ]


# --- query counts and phone width ------------------------------------------------------------------


def test_list_and_panels_cost_a_bounded_number_of_queries(mw: MeetingWorld, django_assert_max_num_queries: Any) -> None:
    inside = mw.world.inside
    for n in range(12):
        m = s.meeting_create(
            actor=mw.staff,
            estate=inside["estate"],
            fields=s.MeetingFields(topic=f"会议{n}", starts_at=timezone.now(), venue="会所"),
        )
        s.participant_invite(actor=mw.staff, meeting=m, role="staff", name=f"甲{n}", phone="13800000000")
    for n in range(15):
        approved(
            mw,
            f"问题{n}",
            author=f.user_with_role(Role.OWNER, owner=mw.world.users[Role.OWNER].roles.get().owner),
            vendor=mw.vendor_a if n % 2 else None,
        )
    client = client_for(mw.member_a)
    client.get(reverse("meeting_list"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("meeting_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(page("meeting_questions", mw.meeting)).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(page("meeting_detail", mw.meeting)).status_code == 200
    staff = client_for(mw.staff)
    with django_assert_max_num_queries(14):
        assert staff.get(page("meeting_moderation", mw.meeting) + "?status=approved").status_code == 200
    with django_assert_max_num_queries(14):
        assert staff.get(page("meeting_participants", mw.meeting)).status_code == 200
    with django_assert_max_num_queries(12):
        assert staff.get(reverse("api:meetings_list")).status_code == 200


def _phone_safe(html: str) -> None:
    assert 'style="width' not in html
    assert "width:" not in re.sub(r"<style.*?</style>", "", html, flags=re.S)
    tables = html.count("<table")
    wrapped = len(re.findall(r'<div class="table-wrap">\s*<table', html))
    assert tables == wrapped, "every table sits in a .table-wrap"
    assert 'name="viewport" content="width=device-width' in html


def test_every_page_is_phone_safe(mw: MeetingWorld) -> None:
    approved(mw, "问甲", vendor=mw.vendor_a)
    staff = client_for(mw.staff)
    urls = [reverse("meeting_list"), reverse("meeting_create")] + [page(n, mw.meeting) for n in STAFF_PAGES]
    urls += [page("meeting_detail", mw.meeting)]
    for url in urls:
        response = staff.get(url)
        assert response.status_code == 200, url
        _phone_safe(response.content.decode())
    q = Question.objects.get()
    _phone_safe(client_for(mw.member_a).get(page("question_answer", mw.meeting, q.pk)).content.decode())
    _phone_safe(Client().get(reverse("meeting_sign_in", args=[mw.meeting.public_id])).content.decode())
    end(mw)
    s.minutes_publish(actor=mw.staff, meeting=mw.meeting, conclusions="结论")
    _phone_safe(Client().get(reverse("meeting_minutes_notice", args=[mw.meeting.public_id])).content.decode())


# --- the JSON API ----------------------------------------------------------------------------------


def api(client: Client, path: str, **kwargs: Any) -> Any:
    return client.get(f"/api{path}", **kwargs)


def test_owner_lists_and_reads_the_meeting_with_its_livestream(mw: MeetingWorld) -> None:
    client = client_for(mw.owner)
    listing = api(client, "/meetings").json()
    assert listing["count"] == 1
    assert listing["items"][0]["topic"] == mw.meeting.topic
    detail = api(client, f"/meetings/{mw.meeting.pk}").json()
    assert detail["livestream_url"] == LIVESTREAM
    assert [a["title"] for a in detail["agenda"]] == ["开场", "品牌方路演"]
    assert [p["vendor_name"] for p in detail["pitches"]] == ["甲电梯", "乙电梯"]


def test_outsider_gets_404(mw: MeetingWorld) -> None:
    client = client_for(mw.outsider)
    assert api(client, "/meetings").json()["count"] == 0
    assert api(client, f"/meetings/{mw.meeting.pk}").status_code == 404
    assert (
        client.post(
            f"/api/meetings/{mw.meeting.pk}/questions", {"text": "x"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_questions_through_the_api(mw: MeetingWorld) -> None:
    approved(mw, "公开的问题", vendor=mw.vendor_a)
    client = client_for(mw.world.users[Role.SUPERVISOR])
    assert [q["text"] for q in api(client, f"/meetings/{mw.meeting.pk}/questions").json()] == ["公开的问题"]
    url = f"/api/meetings/{mw.meeting.pk}/questions"
    created = client.post(
        url, {"text": "监察员的意见", "addressed_to_id": mw.vendor_b.pk}, content_type="application/json"
    )
    assert created.status_code == 201
    assert created.json()["addressed_to_id"] == mw.vendor_b.pk
    for n in range(s.QUESTIONS_PER_MINUTE - 1):
        assert client.post(url, {"text": f"意见{n}"}, content_type="application/json").status_code == 201
    limited = client.post(url, {"text": "太多了"}, content_type="application/json")
    assert limited.status_code == 400
    assert limited.json()["code"] == "rate_limited"
    unknown = client_for(mw.owner).post(url, {"text": "问", "addressed_to_id": 999999}, content_type="application/json")
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "bad_vendor"


def test_anonymous_is_refused(mw: MeetingWorld) -> None:
    assert api(Client(), "/meetings").status_code == 401
