"""Personal data kept off the public pages (issue 13, item 5), through the test client: the public
suggestion board and Open311 mask every format a resident may write (core.masking), in every text
field; the public meeting minutes give attendance by role and number, not residents' names, and
mask the questions, while the staff's minutes page keeps the names."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.meetings import services as ms
from gongzhi.meetings.models import ParticipantRole
from gongzhi.suggestions import services as sv
from gongzhi.suggestions.models import Suggestion
from tests.conftest import World
from tests.test_meetings import PHONE as INVITEE_PHONE
from tests.test_meetings import MeetingWorld, approved, end
from tests.test_meetings import mw as mw
from tests.test_suggestions_services import SW, make_sw

pytestmark = pytest.mark.django_db

# (as written by a resident, a digit run that must not appear, what the public sees)
WRITTEN = [
    ("手机 138 2468 5678", "2468", "138 **** 5678"),
    ("手机 138-2345-5678", "2345", "138-****-5678"),
    ("手机 +86 139 3456 5678", "3456", "+86 139 **** 5678"),
    ("手机 0086-13645675678", "4567", "0086-136****5678"),
    ("手机 １３７５６７８５６７８", "５６７８５", "１３７****５６７８"),
    ("座机 (0571) 8765 4321", "8765", "(0571) **** 4321"),
    ("座机 0571-87654322-123", "87654322", "0571-****4322-123"),
    ("身份证 330106 19900101 1234", "19900101", "330106 ******** 1234"),
    ("旧身份证 330106900101123", "900101", "330106******123"),
    ("邮箱 zhangsan@example.com", "zhangsan", "z***@example.com"),
]
ORDINARY = "2026-12-06 前修好，11幢1单元1101，预算¥12,345.00"


@pytest.fixture
def sw(personas: World, settings: Any, tmp_path: Any) -> SW:
    settings.MEDIA_ROOT = tmp_path
    return make_sw(personas)


def hostile(w: SW) -> Suggestion:
    """A suggestion with every format in its title, text and place, answered with them too."""
    everything = "；".join(written for written, _hidden, _shown in WRITTEN)
    s = sv.suggestion_submit(
        actor=w.resident,
        category=w.category,
        title="电梯噪音 13812345678",
        text=f"{everything}。{ORDINARY}",
        place="亲亲家园 联系 0571-87654323",
        phone="13800000000",
    )
    sv.suggestion_dispatch(actor=w.coordinator, suggestion=s, department=w.department)
    sv.suggestion_sign(actor=w.member, suggestion=s)
    return sv.suggestion_answer(actor=w.member, suggestion=s, answer=f"已联系 {everything}")


def assert_masked(text: str) -> None:
    for written, hidden, shown in WRITTEN:
        assert hidden not in text, written
        assert shown in text, written
    assert "13812345678" not in text  # the title
    assert "87654323" not in text  # the place
    assert ORDINARY in text


def test_board_masks_every_format(sw: SW) -> None:
    hostile(sw)
    response = Client().get(reverse("suggestion_board"))
    assert response.status_code == 200
    html = response.content.decode()
    assert_masked(html)
    assert "电梯噪音 138****5678" in html  # the title
    assert "0571-****4323" in html  # the place
    assert html.count("z***@example.com") == 2  # the text and the answer


def test_open311_masks_every_text_field(sw: SW) -> None:
    s = hostile(sw)
    for url in (reverse("open311_requests"), reverse("open311_request", args=[f"{s.public_id}"])):
        response = Client().get(url)
        assert response.status_code == 200
        raw = response.content.decode("unicode_escape")  # JSON escapes non-ASCII: compare the characters
        row = response.json()[0]
        assert_masked(row["description"])
        assert row["address"] == "亲亲家园 联系 0571-****4323"
        for written, hidden, shown in WRITTEN:
            assert hidden not in raw, written
            assert shown in row["status_notes"], written


# --- the public minutes --------------------------------------------------------------------------


def _publish(w: MeetingWorld) -> str:
    """Three residents and a member of the owners' committee attend; a resident's question carries
    a phone number and an e-mail address."""
    for name, phone in (("李强", "13800000002"), ("赵敏", "13800000003")):
        ms.participant_invite(
            actor=w.staff, meeting=w.meeting, role=ParticipantRole.RESIDENT_REPRESENTATIVE, name=name, phone=phone
        )
        ms.sign_in_by_phone(meeting=w.meeting, name=name, phone_last4=phone[-4:])
    ms.sign_in_by_phone(meeting=w.meeting, name="王芳", phone_last4=INVITEE_PHONE[-4:])
    member = ms.participant_invite(
        actor=w.staff, meeting=w.meeting, role=ParticipantRole.OWNERS_COMMITTEE, name="陈刚", phone="13800000004"
    )
    ms.attendance_mark(actor=w.staff, participant=member, attended=True)
    question = approved(w, "我家电话 138 1234 5678，邮箱 wangfang@example.com，施工期间能否通知？", vendor=w.vendor_a)
    ms.question_answer(actor=w.member_a, question=question, text="会提前通知，项目经理电话 139-8765-4321。")
    end(w)
    return reverse("meeting_minutes", args=[w.meeting.pk])


def test_public_minutes_count_attendees_by_role_and_name_no_one(mw: MeetingWorld) -> None:
    staff_page = _publish(mw)
    client = Client()
    client.force_login(mw.staff)
    before = client.get(staff_page).content.decode()  # the staff's page, before publishing: names
    for name in ("王芳", "李强", "赵敏", "陈刚"):
        assert name in before
    ms.minutes_publish(actor=mw.staff, meeting=mw.meeting, conclusions="多数代表同意更新。")
    response = Client().get(reverse("meeting_minutes_notice", args=[mw.meeting.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("王芳", "李强", "赵敏", "陈刚", "甲代表"):
        assert name not in html
    assert "出席人员：居民代表 3 人、业委会 1 人" in html
    assert "138 **** 5678" in html
    assert "138 1234 5678" not in html
    assert "w***@example.com" in html
    assert "wangfang" not in html
    assert "139-****-4321" in html
    assert "多数代表同意更新。" in html


def test_staff_minutes_page_keeps_the_names_and_the_text(mw: MeetingWorld) -> None:
    staff_page = _publish(mw)
    client = Client()
    client.force_login(mw.staff)
    html = client.get(staff_page).content.decode()
    assert "出席人员：" in html
    assert "王芳（居民代表）" in html
    assert "陈刚（业委会）" in html
    assert "138 1234 5678" in html  # staff see the question as asked
