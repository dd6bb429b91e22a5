"""Required courses (issue 7, item 2): the completion rule at every boundary (completion.py),
course rules and electives, sessions and the attendance sheet, bulk scores with row errors and
nothing half-written, instructor marks, graduation refused/allowed, closing a cycle, the pages'
permission table for every role, and flat query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Max
from django.test import Client
from django.urls import reverse

from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.talent.completion import Rule, completed_courses, is_complete, missing_required
from gongzhi.talent.courses import services as s
from gongzhi.talent.models import (
    Attendance,
    Cadre,
    CadreStatus,
    CompletionRule,
    Course,
    CourseResult,
    CourseSession,
    Cycle,
    CycleStatus,
    Graduation,
    GraduationOutcome,
    Membership,
)
from tests.talent_support import TalentWorld, make_cadre

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 1)


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def tw(talent_world: TalentWorld) -> TalentWorld:
    return talent_world


def sessions(tw: TalentWorld, n: int, course: Course | None = None) -> list[CourseSession]:
    course = course or tw.courses[0]
    return [
        s.session_create(
            actor=tw.users["admin"], course=course, cycle=tw.cycle, title=f"第{i}讲", held_on=DAY + dt.timedelta(i)
        )
        for i in range(n)
    ]


def complete_all(tw: TalentWorld, cadre: Cadre) -> None:
    admin = tw.users["admin"]
    for session in sessions(tw, 2):
        present = set(Attendance.objects.filter(session=session, present=True).values_list("cadre_id", flat=True))
        s.attendance_save(actor=admin, session=session, present=present | {cadre.pk})
    for course in tw.courses[1:3]:
        s.results_save(actor=admin, course=course, cycle=tw.cycle, scores={cadre.pk: "60"})
    s.result_mark(actor=admin, course=tw.courses[3], cycle=tw.cycle, cadre=cadre, complete=True)


# --- completion.py: the pure rule at every boundary ----------------------------------------------


@pytest.mark.parametrize(("attended", "done"), [(1, False), (2, True), (3, True), (0, False)])
def test_attendance_rule_boundary(attended: int, done: bool) -> None:
    assert is_complete(Rule("attendance", 2, None), attended=attended, score=None, marked=False) is done


@pytest.mark.parametrize(
    ("score", "done"), [(Decimal("59.99"), False), (Decimal("60"), True), (Decimal("60.00"), True), (None, False)]
)
def test_score_rule_boundary(score: Decimal | None, done: bool) -> None:
    assert is_complete(Rule("score", None, Decimal("60")), attended=9, score=score, marked=True) is done


@pytest.mark.parametrize(("marked", "done"), [(True, True), (False, False)])
def test_instructor_rule(marked: bool, done: bool) -> None:
    assert is_complete(Rule("instructor", None, None), attended=9, score=Decimal("100"), marked=marked) is done


def test_rules_without_their_parameter_never_complete() -> None:
    assert not is_complete(Rule("attendance", None, None), attended=99, score=None, marked=True)
    assert not is_complete(Rule("score", None, None), attended=0, score=Decimal("100"), marked=True)
    with pytest.raises(ValueError, match="bogus"):
        is_complete(Rule("bogus", None, None), attended=0, score=None, marked=False)


def test_completed_courses_and_missing_required(tw: TalentWorld) -> None:
    me, other = tw.cadres["self"], tw.cadres["other"]
    assert missing_required(tw.cycle, [me.pk])[me.pk] == tw.courses
    complete_all(tw, me)
    assert completed_courses(tw.cycle, [me.pk, other.pk]) == {me.pk: {c.pk for c in tw.courses}, other.pk: set()}
    assert missing_required(tw.cycle, [me.pk, other.pk]) == {me.pk: [], other.pk: tw.courses}
    assert completed_courses(tw.cycle, []) == {}


# --- courses ------------------------------------------------------------------------------------


def test_course_update_keeps_recorded_attendance_and_results(tw: TalentWorld) -> None:
    admin, me = tw.users["admin"], tw.cadres["self"]
    (session,) = sessions(tw, 1)
    s.attendance_save(actor=admin, session=session, present={me.pk})
    s.results_save(actor=admin, course=tw.courses[0], cycle=tw.cycle, scores={me.pk: "75"})
    course = s.course_update(
        actor=admin,
        course=tw.courses[0],
        name="理论武装",
        rule=CompletionRule.SCORE,
        pass_score="70",
        instructors=[tw.users["instructor"]],
    )
    assert course.pass_score == Decimal("70.00")
    assert list(course.instructors.all()) == [tw.users["instructor"]]
    assert Attendance.objects.filter(session=session, cadre=me, present=True).exists()
    assert tw.courses[0] not in missing_required(tw.cycle, [me.pk])[me.pk]  # 75 ≥ 70 now counts
    s.course_update(actor=admin, course=course, name="理论武装", rule=CompletionRule.ATTENDANCE, min_sessions=1)
    assert tw.courses[0] not in missing_required(tw.cycle, [me.pk])[me.pk]  # one session attended ≥ 1
    assert CourseResult.objects.get(course=course, cadre=me).score == Decimal("75.00")
    assert AuditEntry.objects.filter(action="talent_course_update").count() == 2


@pytest.mark.parametrize(
    ("kw", "code", "text"),
    [
        ({"rule": "attendance", "min_sessions": 0}, "bad_min_sessions", "最少出勤次数"),
        ({"rule": "attendance", "min_sessions": None}, "bad_min_sessions", "最少出勤次数"),
        ({"rule": "score", "pass_score": ""}, "bad_pass_score", "及格分"),
        ({"rule": "score", "pass_score": "100.01"}, "bad_pass_score", "及格分"),
        ({"rule": "score", "pass_score": "-0.01"}, "bad_pass_score", "及格分"),
        ({"rule": "score", "pass_score": "60.001"}, "bad_pass_score", "及格分"),
        ({"rule": "nonsense"}, "bad_rule", "结业条件"),
        ({"rule": "instructor", "name": "  "}, "name_required", "课程名称"),
        ({"rule": "instructor", "name": "政策法规"}, "duplicate_name", "同名课程"),
    ],
)
def test_course_update_refuses_bad_rules(tw: TalentWorld, kw: dict[str, Any], code: str, text: str) -> None:
    kw = {"name": "理论武装", **kw}
    with pytest.raises(DomainError) as exc:
        s.course_update(actor=tw.users["admin"], course=tw.courses[0], **kw)
    assert exc.value.code == code
    assert text in exc.value.message
    tw.courses[0].refresh_from_db()
    assert (tw.courses[0].rule, tw.courses[0].min_sessions) == (CompletionRule.ATTENDANCE, 2)


@pytest.mark.parametrize(
    ("pass_score", "stored"), [("0", Decimal("0")), ("100", Decimal("100")), ("59.5", Decimal("59.5"))]
)
def test_pass_score_bounds_accepted(tw: TalentWorld, pass_score: str, stored: Decimal) -> None:
    course = s.course_update(
        actor=tw.users["admin"], course=tw.courses[1], name="政策法规", rule="score", pass_score=pass_score
    )
    assert course.pass_score == stored


def test_only_administrators_edit_courses(tw: TalentWorld) -> None:
    for who in ("instructor", "other_admin", "cadre"):
        with pytest.raises(AccessDeniedError):
            s.course_update(actor=tw.users[who], course=tw.courses[3], name="x", rule="instructor")
        with pytest.raises(AccessDeniedError):
            s.course_create(actor=tw.users[who], pool=tw.pool, name="x", rule="instructor")


def test_elective_course(tw: TalentWorld) -> None:
    course = s.course_create(
        actor=tw.users["admin"], pool=tw.pool, name="演讲与口才", rule="attendance", min_sessions=1
    )
    assert (course.required, course.position) == (False, 5)
    assert course not in missing_required(tw.cycle, [tw.cadres["self"].pk])[tw.cadres["self"].pk]
    with pytest.raises(DomainError, match="同名课程"):
        s.course_create(actor=tw.users["admin"], pool=tw.pool, name="演讲与口才", rule="instructor")


# --- sessions and attendance --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held_on", "ok"),
    [
        (dt.date(2025, 1, 1), True),
        (dt.date(2026, 12, 31), True),
        (dt.date(2024, 12, 31), False),
        (dt.date(2027, 1, 1), False),
    ],
)
def test_session_date_within_cycle(tw: TalentWorld, held_on: dt.date, ok: bool) -> None:
    def add() -> CourseSession:
        return s.session_create(
            actor=tw.users["admin"], course=tw.courses[0], cycle=tw.cycle, title="开班", held_on=held_on
        )

    if ok:
        assert add().held_on == held_on
    else:
        with pytest.raises(DomainError, match="日期须在培养周期内") as exc:
            add()
        assert exc.value.code == "bad_date"
        assert not CourseSession.objects.exists()


def test_session_by_instructor_of_the_course_only(tw: TalentWorld) -> None:
    s.session_create(actor=tw.users["instructor"], course=tw.courses[3], cycle=tw.cycle, title="走访", held_on=DAY)
    with pytest.raises(AccessDeniedError):
        s.session_create(actor=tw.users["instructor"], course=tw.courses[0], cycle=tw.cycle, title="x", held_on=DAY)
    with pytest.raises(DomainError, match="课题"):
        s.session_create(actor=tw.users["admin"], course=tw.courses[0], cycle=tw.cycle, title=" ", held_on=DAY)


def test_attendance_sheet_saves_all_and_updates(tw: TalentWorld) -> None:
    me, other = tw.cadres["self"], tw.cadres["other"]
    (session,) = sessions(tw, 1)
    assert s.attendance_save(actor=tw.users["admin"], session=session, present={me.pk}) == {"present": 1, "absent": 1}
    rows = dict(Attendance.objects.filter(session=session).values_list("cadre_id", "present"))
    assert rows == {me.pk: True, other.pk: False}  # the nominee (a candidate) and the foreign cadre are not members
    s.attendance_save(actor=tw.users["admin"], session=session, present={other.pk})
    rows = dict(Attendance.objects.filter(session=session).values_list("cadre_id", "present"))
    assert rows == {me.pk: False, other.pk: True}
    assert Attendance.objects.filter(session=session).count() == 2


def test_attendance_refuses_strangers_atomically(tw: TalentWorld) -> None:
    (session,) = sessions(tw, 1)
    with pytest.raises(DomainError, match="不属于本周期"):
        s.attendance_save(
            actor=tw.users["admin"], session=session, present={tw.cadres["self"].pk, tw.cadres["foreign"].pk}
        )
    assert not Attendance.objects.exists()
    with pytest.raises(AccessDeniedError):
        s.attendance_save(actor=tw.users["instructor"], session=session, present=set())


# --- results ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("0", Decimal("0")), ("100", Decimal("100")), ("59.99", Decimal("59.99")), (" 88.5 ", Decimal("88.5"))],
)
def test_scores_accepted(tw: TalentWorld, raw: str, stored: Decimal) -> None:
    s.results_save(actor=tw.users["admin"], course=tw.courses[1], cycle=tw.cycle, scores={tw.cadres["self"].pk: raw})
    assert CourseResult.objects.get(cadre=tw.cadres["self"]).score == stored


def test_bulk_scores_refused_whole_with_row_errors(tw: TalentWorld) -> None:
    me, other = tw.cadres["self"], tw.cadres["other"]
    s.results_save(actor=tw.users["admin"], course=tw.courses[1], cycle=tw.cycle, scores={me.pk: "70"})
    with pytest.raises(s.ResultsRefusedError) as exc:
        s.results_save(
            actor=tw.users["admin"], course=tw.courses[1], cycle=tw.cycle, scores={me.pk: "80", other.pk: "100.01"}
        )
    assert exc.value.rows == {other.pk: "王可：考核成绩须在 0 到 100 之间。"}
    assert CourseResult.objects.get(cadre=me).score == Decimal("70")  # nothing half-written
    assert not CourseResult.objects.filter(cadre=other).exists()
    for bad, text in (("-0.01", "0 到 100"), ("abc", "须为数字"), ("1.234", "两位小数"), ("NaN", "0 到 100")):
        with pytest.raises(s.ResultsRefusedError) as exc:
            s.results_save(actor=tw.users["admin"], course=tw.courses[1], cycle=tw.cycle, scores={me.pk: bad})
        assert text in exc.value.rows[me.pk]
        assert exc.value.rows[me.pk].startswith("张晓明：考核成绩")


def test_blank_score_clears(tw: TalentWorld) -> None:
    me = tw.cadres["self"]
    s.results_save(actor=tw.users["admin"], course=tw.courses[1], cycle=tw.cycle, scores={me.pk: "70"})
    assert s.results_save(actor=tw.users["admin"], course=tw.courses[1], cycle=tw.cycle, scores={me.pk: ""}) == 1
    assert CourseResult.objects.get(cadre=me).score is None


def test_instructor_mark_and_undo(tw: TalentWorld) -> None:
    me, course = tw.cadres["self"], tw.courses[3]
    result = s.result_mark(actor=tw.users["instructor"], course=course, cycle=tw.cycle, cadre=me, complete=True)
    assert result.marked_complete_by == tw.users["instructor"]
    assert course not in missing_required(tw.cycle, [me.pk])[me.pk]
    s.result_mark(actor=tw.users["admin"], course=course, cycle=tw.cycle, cadre=me, complete=False)
    assert course in missing_required(tw.cycle, [me.pk])[me.pk]
    assert list(
        AuditEntry.objects.filter(action__startswith="talent_result_").order_by("seq").values_list("action", flat=True)
    ) == [
        "talent_result_mark",
        "talent_result_unmark",
    ]
    course2 = s.course_update(actor=tw.users["admin"], course=tw.courses[2], name="公文写作", rule="instructor")
    with pytest.raises(AccessDeniedError):  # an instructor of another course
        s.result_mark(actor=tw.users["instructor"], course=course2, cycle=tw.cycle, cadre=me, complete=True)
    with pytest.raises(DomainError, match="教师认定") as exc:
        s.result_mark(actor=tw.users["admin"], course=tw.courses[0], cycle=tw.cycle, cadre=me, complete=True)
    assert exc.value.code == "not_instructor_rule"
    with pytest.raises(DomainError, match="不属于本周期"):
        s.result_mark(actor=tw.users["admin"], course=course, cycle=tw.cycle, cadre=tw.cadres["nominee"], complete=True)


# --- graduation ---------------------------------------------------------------------------------


def test_graduation_refused_naming_missing_courses(tw: TalentWorld) -> None:
    me = tw.cadres["self"]
    s.results_save(actor=tw.users["admin"], course=tw.courses[1], cycle=tw.cycle, scores={me.pk: "60"})
    s.results_save(actor=tw.users["admin"], course=tw.courses[2], cycle=tw.cycle, scores={me.pk: "59.99"})
    with pytest.raises(DomainError) as exc:
        s.graduation_record(actor=tw.users["admin"], cycle=tw.cycle, cadre=me, outcome="graduated", today=DAY)
    assert exc.value.message == "张晓明 尚未完成必修课程：理论武装、公文写作、群众工作方法，不能结业。"
    assert exc.value.code == "missing_courses"
    me.refresh_from_db()
    assert me.status == CadreStatus.MEMBER
    assert not Graduation.objects.exists()
    assert Membership.objects.get(cadre=me).exited_on is None


def test_graduation_allowed_when_complete(tw: TalentWorld) -> None:
    me = tw.cadres["self"]
    complete_all(tw, me)
    g = s.graduation_record(
        actor=tw.users["admin"], cycle=tw.cycle, cadre=me, outcome="graduated", today=dt.date(2026, 12, 20)
    )
    me.refresh_from_db()
    assert (g.outcome, g.decided_on, me.status) == ("graduated", dt.date(2026, 12, 20), CadreStatus.GRADUATED)
    stay = Membership.objects.get(cadre=me)
    assert (stay.exited_on, stay.exit_reason) == (dt.date(2026, 12, 20), "结业")
    with pytest.raises(DomainError):  # no longer a member, no second record
        s.graduation_record(actor=tw.users["admin"], cycle=tw.cycle, cadre=me, outcome="not_graduated", note="x")
    assert me in s.cycle_members(tw.cycle)  # stays on the cycle's pages


def test_not_graduated_needs_a_note_and_is_always_allowed(tw: TalentWorld) -> None:
    other = tw.cadres["other"]
    with pytest.raises(DomainError, match="说明") as exc:
        s.graduation_record(actor=tw.users["admin"], cycle=tw.cycle, cadre=other, outcome="not_graduated", note=" ")
    assert exc.value.code == "note_required"
    g = s.graduation_record(
        actor=tw.users["admin"], cycle=tw.cycle, cadre=other, outcome="not_graduated", note="长期借调"
    )
    other.refresh_from_db()
    assert (g.outcome, other.status) == (GraduationOutcome.NOT_GRADUATED, CadreStatus.MEMBER)
    with pytest.raises(DomainError, match="已有结业记录"):
        s.graduation_record(actor=tw.users["admin"], cycle=tw.cycle, cadre=other, outcome="not_graduated", note="again")
    with pytest.raises(AccessDeniedError):
        s.graduation_record(
            actor=tw.users["other_admin"], cycle=tw.cycle, cadre=tw.cadres["self"], outcome="not_graduated", note="x"
        )


def test_cycle_close_needs_every_record_then_freezes(tw: TalentWorld) -> None:
    admin, me, other = tw.users["admin"], tw.cadres["self"], tw.cadres["other"]
    s.graduation_record(actor=admin, cycle=tw.cycle, cadre=other, outcome="not_graduated", note="借调", today=DAY)
    with pytest.raises(DomainError, match="张晓明") as exc:
        s.cycle_close(actor=admin, cycle=tw.cycle)
    assert exc.value.code == "pending_graduations"
    assert Cycle.objects.get(pk=tw.cycle.pk).status == CycleStatus.OPEN
    s.graduation_record(actor=admin, cycle=tw.cycle, cadre=me, outcome="not_graduated", note="未完成", today=DAY)
    with pytest.raises(AccessDeniedError):
        s.cycle_close(actor=tw.users["cadre"], cycle=tw.cycle)
    cycle = s.cycle_close(actor=admin, cycle=tw.cycle)
    assert cycle.status == CycleStatus.CLOSED
    assert set(s.cycle_members(cycle)) == {me, other}
    with pytest.raises(DomainError, match="已结束"):
        s.graduation_record(actor=admin, cycle=cycle, cadre=me, outcome="not_graduated", note="x")
    with pytest.raises(DomainError, match="已结束"):
        s.cycle_close(actor=admin, cycle=cycle)
    with pytest.raises(DomainError, match="已结束"):
        s.session_create(actor=admin, course=tw.courses[0], cycle=cycle, title="x", held_on=DAY)


def test_progress_cells_say_what_is_missing(tw: TalentWorld) -> None:
    me = tw.cadres["self"]
    session = sessions(tw, 1)[0]
    s.attendance_save(actor=tw.users["admin"], session=session, present={me.pk})
    s.results_save(actor=tw.users["admin"], course=tw.courses[1], cycle=tw.cycle, scores={me.pk: "58"})
    s.results_save(actor=tw.users["admin"], course=tw.courses[2], cycle=tw.cycle, scores={me.pk: "60"})
    (row,) = list(s.progress(tw.cycle, tw.courses, [me]))
    assert [c.text for c in row.cells] == ["出勤 1/2", "成绩 58 < 60", "", "待教师认定"]
    assert [c.done for c in row.cells] == [False, False, True, False]
    assert not row.complete


# --- pages: the permission table ----------------------------------------------------------------

ROLES = (
    "admin",
    "other_admin",
    "cadre",
    "organisation_a",
    "organisation_b",
    "instructor",
    "outsider",
    "anonymous",
    "superuser",
)


def _urls(tw: TalentWorld) -> dict[str, str]:
    session = sessions(tw, 1)[0]
    me = tw.cadres["self"]
    return {
        "list": reverse("talent_courses", args=[tw.pool.pk]),
        "create": reverse("talent_course_create", args=[tw.pool.pk]),
        "edit": reverse("talent_course_edit", args=[tw.courses[3].pk]),
        "session": reverse("talent_session_create", args=[tw.pool.pk]),
        "attendance": reverse("talent_attendance", args=[session.pk]),
        "results4": reverse("talent_results", args=[tw.courses[3].pk]),
        "results1": reverse("talent_results", args=[tw.courses[0].pk]),
        "mark4": reverse("talent_result_mark", args=[tw.courses[3].pk, tw.cycle.pk, me.pk]),
        "graduation": reverse("talent_graduation", args=[tw.cycle.pk]),
        "close": reverse("talent_cycle_close", args=[tw.cycle.pk]),
    }


# Expected GET status per page and role (instructor teaches course 4 only; the pool is visible to the
# cadre and both organisations — their cadres are in it — so they get 403; others 404).
GET_TABLE = {
    "list": {
        "admin": 200,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 200,
    },
    "create": {
        "admin": 200,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 403,
    },
    "edit": {
        "admin": 200,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 403,
    },
    "session": {
        "admin": 200,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 200,
    },
    "attendance": {
        "admin": 200,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 403,
    },
    "results4": {
        "admin": 200,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 200,
    },
    "results1": {
        "admin": 200,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 403,
    },
    "graduation": {
        "admin": 200,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 403,
    },
}


def _expected(table: dict[str, int], role: str) -> int:
    return {"outsider": 404, "superuser": 200, "anonymous": 302}.get(role) or table[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(GET_TABLE))
def test_get_permission_table(tw: TalentWorld, role: str, page: str) -> None:
    url = _urls(tw)[page]
    response = client_for(tw.users.get(role)).get(url)
    expected = _expected(GET_TABLE[page], role)
    assert response.status_code == expected, (page, role)
    if expected == 302:
        assert "/login" in response["Location"] or "login" in response["Location"]


POST_TABLE = {
    "mark4": {
        "admin": 303,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 303,
    },
    "close": {
        "admin": 400,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 403,
    },
    "attendance": {
        "admin": 303,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 403,
    },
    "results1": {
        "admin": 303,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 403,
    },
    "graduation": {
        "admin": 303,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 403,
    },
    "edit": {
        "admin": 303,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 403,
    },
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(POST_TABLE))
def test_post_permission_table(tw: TalentWorld, role: str, page: str) -> None:
    me = tw.cadres["self"]
    data = {
        "mark4": {"complete": "1"},
        "close": {},  # refused (400) for administrators: nobody has a graduation record yet
        "attendance": {"present": [str(me.pk)]},
        "results1": {f"score-{me.pk}": "80"},
        "graduation": {"cadre": str(me.pk), "outcome": "not_graduated", "note": "借调"},
        "edit": {"name": "群众工作方法", "rule": "instructor", "instructors": "talent-instructor"},
    }[page]
    url = _urls(tw)[page]
    response = client_for(tw.users.get(role)).post(url, data)
    expected = _expected(POST_TABLE[page], role)
    if role == "superuser" and expected == 200:
        expected = POST_TABLE[page]["admin"]
    assert response.status_code == expected, (page, role)


# --- pages: behaviour ---------------------------------------------------------------------------


def test_course_list_shows_matrix_and_count(tw: TalentWorld) -> None:
    complete_all(tw, tw.cadres["self"])
    body = client_for(tw.users["admin"]).get(reverse("talent_courses", args=[tw.pool.pk])).content.decode()
    assert "1 / 2 人已完成全部必修课程" in body
    assert "出勤 0/2" in body  # 王可
    assert "待教师认定" in body
    assert "无成绩" in body
    assert 'aria-current="page"' in body


def test_instructor_sees_own_courses_only(tw: TalentWorld) -> None:
    body = client_for(tw.users["instructor"]).get(reverse("talent_courses", args=[tw.pool.pk])).content.decode()
    assert "群众工作方法" in body
    assert "理论武装" not in body
    assert "complete-count" not in body


def test_edit_form_errors_at_field(tw: TalentWorld) -> None:
    url = reverse("talent_course_edit", args=[tw.courses[0].pk])
    response = client_for(tw.users["admin"]).post(url, {"name": "理论武装", "rule": "attendance", "min_sessions": ""})
    assert response.status_code == 400
    assert "id_min_sessions-errors" in response.content.decode()
    response = client_for(tw.users["admin"]).post(
        url, {"name": "理论武装", "rule": "attendance", "instructors": "nobody"}
    )
    assert "找不到账号：nobody" in response.content.decode()


def test_results_page_row_errors(tw: TalentWorld) -> None:
    me, other = tw.cadres["self"], tw.cadres["other"]
    url = reverse("talent_results", args=[tw.courses[1].pk])
    response = client_for(tw.users["admin"]).post(url, {f"score-{me.pk}": "70", f"score-{other.pk}": "101"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "王可：考核成绩须在 0 到 100 之间。" in body
    assert 'value="101"' in body
    assert not CourseResult.objects.exists()


def test_attendance_page_saves_sheet(tw: TalentWorld) -> None:
    (session,) = sessions(tw, 1)
    url = reverse("talent_attendance", args=[session.pk])
    response = client_for(tw.users["admin"]).post(url, {"present": [str(tw.cadres["other"].pk)]})
    assert response.status_code == 303
    assert Attendance.objects.filter(session=session, present=True).get().cadre == tw.cadres["other"]
    body = client_for(tw.users["admin"]).get(url).content.decode()
    assert f'value="{tw.cadres["other"].pk}" checked' in body
    assert client_for(tw.users["admin"]).post(url, {"present": ["x"]}).status_code == 400


def test_graduation_page_refusal_at_field(tw: TalentWorld) -> None:
    url = reverse("talent_graduation", args=[tw.cycle.pk])
    response = client_for(tw.users["admin"]).post(url, {"cadre": tw.cadres["self"].pk, "outcome": "graduated"})
    assert response.status_code == 400
    assert "尚未完成必修课程：理论武装、政策法规、公文写作、群众工作方法" in response.content.decode()
    assert not Graduation.objects.exists()


def test_session_page_creates(tw: TalentWorld) -> None:
    url = reverse("talent_session_create", args=[tw.pool.pk])
    data = {"course": tw.courses[3].pk, "cycle": tw.cycle.pk, "title": "入户走访", "held_on": "2025-05-01"}
    response = client_for(tw.users["instructor"]).post(url, data)
    assert response.status_code == 303
    bad = client_for(tw.users["instructor"]).post(url, {**data, "held_on": "2024-05-01"})
    assert bad.status_code == 400
    assert "id_held_on-errors" in bad.content.decode()
    # the instructor cannot pick another course
    assert client_for(tw.users["instructor"]).post(url, {**data, "course": tw.courses[0].pk}).status_code == 400


@pytest.mark.parametrize("n", [3, 30])
def test_course_list_query_count_is_flat(tw: TalentWorld, n: int, django_assert_max_num_queries: Any) -> None:
    for i in range(n):
        cadre = make_cadre(tw.pool, tw.organisations["a"], f"学员{i:02d}", member=True)
        CourseResult.objects.create(course=tw.courses[1], cycle=tw.cycle, cadre=cadre, score=Decimal(50 + i))
    sessions(tw, 2)
    client = client_for(tw.users["admin"])
    url = reverse("talent_courses", args=[tw.pool.pk])
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_elective_created_from_page(tw: TalentWorld) -> None:
    url = reverse("talent_course_create", args=[tw.pool.pk])
    response = client_for(tw.users["admin"]).post(url, {"name": "应急处置", "rule": "attendance", "min_sessions": "1"})
    assert response.status_code == 303
    assert Course.objects.filter(pool=tw.pool, name="应急处置", required=False).exists()
    assert Course.objects.aggregate(m=Max("position"))["m"] == 5
