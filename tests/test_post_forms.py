"""Every POST read through a form (issue 13, item 8): each handler converted from reading
`request.POST` directly refuses a bad value (too long, not a choice, not a number, an integer
beyond the database's range) with a Chinese message, writes nothing, and never answers 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.meetings import services as ms
from gongzhi.meetings.models import MeetingStatus, Participant, QuestionStatus
from gongzhi.motions import services as mots
from gongzhi.motions.models import BallotVersion, Motion, MotionStatus
from gongzhi.motions.views_vote import SESSION_KEY
from gongzhi.places.models import Role
from gongzhi.talent.models import CourseResult
from tests import test_meetings as tm
from tests import test_motion_vote as tv
from tests import test_talent_research as tr
from tests.conftest import World
from tests.talent_support import TalentWorld

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"

# the fixtures of the modules whose worlds these tests reuse
mw = tm.mw
rw = tr.rw
media = tr.media
memory_sender = tv.memory_sender


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response: Any) -> str:
    assert response.status_code < 500
    return str(response.content.decode())


# --- the voting page ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["1" * 100, HUGE, "   "])
def test_vote_code_confirm_refuses_bad_code(motion_world: Any, memory_sender: Any, code: str) -> None:
    wang = motion_world.voters["wang"]
    client = Client()
    client.post(reverse("vote_code_send", args=[tv.token_of(wang)]))
    response = client.post(reverse("vote_code_confirm", args=[tv.token_of(wang)]), {"code": code}, follow=True)
    assert "请输入短信中的 6 位验证码。" in body(response)
    assert str(wang.pk) not in client.session.get(SESSION_KEY, {})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"choice": "x" * 50, "request_key": "a" * 32}, "请选择您的意见。"),
        ({"choice": HUGE, "request_key": "a" * 32}, "请选择您的意见。"),
        ({"choice": "for", "request_key": "k" * 100}, "请求编号无效。"),
        ({"choice": "for"}, "请求编号无效。"),
    ],
)
def test_vote_cast_refuses_bad_values(
    motion_world: Any, memory_sender: Any, data: dict[str, str], message: str
) -> None:
    wang = motion_world.voters["wang"]
    client = Client()
    tv.verify(client, wang, memory_sender)
    response = client.post(reverse("vote_cast", args=[tv.token_of(wang)]), data, follow=True)
    assert message in body(response)
    assert not BallotVersion.objects.filter(voter=wang).exists()


# --- a motion's rule ------------------------------------------------------------------------------


def test_motion_rule_refuses_bad_values(personas: World) -> None:
    staff = personas.users[Role.COMMUNITY_STAFF]
    opens = timezone.now() + dt.timedelta(days=10)
    motion = mots.motion_create(
        actor=staff,
        estate=personas.inside["estate"],
        title="草稿表决",
        question="是否同意？",
        scope_kind="entrance",
        scope_entrance=personas.inside["entrance"],
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=11),
    )
    assert motion.status == MotionStatus.DRAFT
    before = Motion.objects.values("rule_preset", "participation_area", "approval_owners").get(pk=motion.pk)
    url = reverse("motion_rule", args=[motion.pk])
    client = client_for(staff)
    bad = [
        ({"rule": "x" * 200}, "请选择表决规则。"),
        ({"rule": HUGE}, "请选择表决规则。"),
        ({}, "请选择表决规则。"),
        (
            {
                "rule": "custom",
                "participation_area": ">=2/3" * 20,
                "participation_owners": ">=2/3",
                "approval_area": ">1/2",
                "approval_owners": ">1/2",
            },
            "门槛须写作",
        ),
    ]
    for data, message in bad:
        assert message in body(client.post(url, data, follow=True))
        assert Motion.objects.values("rule_preset", "participation_area", "approval_owners").get(pk=motion.pk) == before


# --- meetings ---------------------------------------------------------------------------------------


def test_meeting_transition_refuses_bad_step(mw: tm.MeetingWorld) -> None:
    client = client_for(mw.staff)
    for step in ("x" * 100, HUGE, ""):
        response = client.post(tm.page("meeting_transition", mw.meeting), {"step": step}, follow=True)
        assert "无效的操作。" in body(response)
    mw.meeting.refresh_from_db()
    assert mw.meeting.status == MeetingStatus.SCHEDULED


def test_participant_attendance_refuses_bad_value(mw: tm.MeetingWorld) -> None:
    client = client_for(mw.staff)
    url = tm.page("participant_attendance", mw.meeting, mw.resident.pk)
    for value in (HUGE, "yes", "x" * 100):
        assert "无效的操作。" in body(client.post(url, {"attended": value}, follow=True))
    mw.resident.refresh_from_db()
    assert mw.resident.attended_at is None


def test_sign_in_refuses_bad_mode(mw: tm.MeetingWorld) -> None:
    url = reverse("meeting_sign_in", args=[mw.meeting.public_id])
    for mode in ("x" * 100, HUGE):
        response = Client().post(url, {"mode": mode, "name": "王芳", "phone_last4": tm.PHONE[-4:]})
        assert response.status_code == 200
        assert "无效的操作。" in body(response)
        response = client_for(mw.member_a).post(url, {"mode": mode})
        assert "无效的操作。" in body(response)
    assert not Participant.objects.filter(meeting=mw.meeting, attended_at__isnull=False).exists()


def test_question_moderate_refuses_bad_decision(mw: tm.MeetingWorld) -> None:
    question = ms.question_submit(actor=mw.owner, meeting=mw.meeting, text="维保费怎么算？")
    url = tm.page("question_moderate", mw.meeting, question.pk)
    client = client_for(mw.staff)
    for decision in ("x" * 100, HUGE, ""):
        response = client.post(url, {"decision": decision, "status": "y" * 100})
        assert response.status_code == 302
        assert response["Location"].endswith("?status=pending")
        assert "无效的审核操作。" in body(client.get(response["Location"]))
    question.refresh_from_db()
    assert (question.status, question.pinned) == (QuestionStatus.PENDING, False)


# --- talent: course results ------------------------------------------------------------------------


def test_results_refuse_too_long_score(talent_world: TalentWorld) -> None:
    tw = talent_world
    me, other = tw.cadres["self"], tw.cadres["other"]
    url = reverse("talent_results", args=[tw.courses[1].pk])
    response = client_for(tw.users["admin"]).post(url, {f"score-{me.pk}": "70", f"score-{other.pk}": HUGE})
    assert response.status_code == 400
    text = body(response)
    assert "考核成绩须为数字。" in text
    assert "成绩未保存：有 1 行填写有误" in text
    assert not CourseResult.objects.exists()


def test_result_mark_refuses_bad_values(talent_world: TalentWorld) -> None:
    tw = talent_world
    cadre = tw.cadres["self"]
    url = reverse("talent_result_mark", args=[tw.courses[3].pk, tw.cycle.pk, cadre.pk])
    client = client_for(tw.users["admin"])
    for data, message in (
        ({"complete": HUGE}, "无效的操作。"),
        ({"complete": "yes"}, "无效的操作。"),
        ({"complete": "1", "note": "说" * 2001}, "说明不能超过 2000 个字。"),
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert message in body(response)
    assert not CourseResult.objects.exists()


# --- talent: the summary meeting's agenda -----------------------------------------------------------


def test_meeting_agenda_refuses_bad_values(rw: tr.RW, media: Any) -> None:
    meeting = tr._meeting(rw, media)
    before = list(meeting.agenda.order_by("position").values_list("project_id", "presenter", "duration_minutes"))
    p1, p2 = rw.p1.pk, rw.p2.pk
    good = {
        "project": [str(p1), str(p2)],
        f"position_{p1}": "1",
        f"position_{p2}": "2",
        f"presenter_{p1}": "",
        f"presenter_{p2}": "",
        f"minutes_{p1}": "10",
        f"minutes_{p2}": "10",
    }
    url = reverse("talent_summary_meeting_agenda", args=[meeting.pk])
    client = client_for(rw.admin)
    for change, message in (
        ({f"position_{p1}": HUGE}, "序号须为 1 到 2，每个序号用一次。"),
        ({f"position_{p2}": "第二"}, "序号须为 1 到 2，每个序号用一次。"),
        ({f"minutes_{p1}": HUGE}, "时长须为 1 到 600 分钟。"),
        ({f"minutes_{p2}": "abc"}, "时长须为 1 到 600 分钟。"),
        ({f"presenter_{p1}": "张" * 65}, "汇报人不能超过 64 个字。"),
    ):
        response = client.post(url, {**good, **change})
        assert response.status_code == 400
        assert message in body(response)
        assert (
            list(meeting.agenda.order_by("position").values_list("project_id", "presenter", "duration_minutes"))
            == before
        )
    assert client.post(url, good).status_code == 302


def test_one_tap_refused_after_the_meeting_shows_why(mw: tm.MeetingWorld) -> None:
    tm.end(mw)
    url = reverse("meeting_sign_in", args=[mw.meeting.public_id])
    response = client_for(mw.member_a).post(url, {"mode": "account"})
    assert response.status_code == 200
    assert "会议已结束，签到已关闭。" in body(response)
    assert not Participant.objects.filter(meeting=mw.meeting, user=mw.member_a, attended_at__isnull=False).exists()
