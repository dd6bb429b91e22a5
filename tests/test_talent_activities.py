"""Activities and feedback (issue 7, item 6): who sees which activity, creating and editing with
participants, feedback by participants and their organisations (once, not before the start, 1–5, the
unique constraint), summaries per activity and per cycle, the pages' permission table for every
role, and flat query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.talent.activities import services as s
from gongzhi.talent.models import Activity, Feedback, RespondentKind
from tests.talent_support import TalentWorld, make_cadre

pytestmark = pytest.mark.django_db
START = dt.date(2025, 3, 10)


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def tw(talent_world: TalentWorld) -> TalentWorld:
    return talent_world


def data(title: str = "红色教育基地实地考察", start: dt.date = START, end: dt.date | None = None) -> s.ActivityData:
    return s.ActivityData(kind="field_visit", title=title, starts_on=start, ends_on=end or start, location="绍兴")


@pytest.fixture
def visit(tw: TalentWorld) -> Activity:
    """An activity attended by 张晓明 (organisation A) only."""
    return s.activity_create(actor=tw.users["admin"], cycle=tw.cycle, data=data(), participants=[tw.cadres["self"]])


# --- services -----------------------------------------------------------------------------------


def test_activity_create_and_update(tw: TalentWorld, visit: Activity) -> None:
    assert list(visit.participants.all()) == [tw.cadres["self"]]
    s.activity_update(actor=tw.users["admin"], activity=visit, data=data("改名"), participants=[tw.cadres["other"]])
    visit.refresh_from_db()
    assert (visit.title, list(visit.participants.all())) == ("改名", [tw.cadres["other"]])
    with pytest.raises(AccessDeniedError):
        s.activity_create(actor=tw.users["other_admin"], cycle=tw.cycle, data=data())


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (dt.date(2025, 3, 10), dt.date(2025, 3, 9), "dates_reversed"),
        (dt.date(2024, 12, 31), dt.date(2025, 1, 2), "bad_date"),
        (dt.date(2026, 12, 30), dt.date(2027, 1, 1), "bad_date"),
    ],
)
def test_activity_dates_refused(tw: TalentWorld, start: dt.date, end: dt.date, code: str) -> None:
    with pytest.raises(DomainError) as exc:
        s.activity_create(actor=tw.users["admin"], cycle=tw.cycle, data=data(start=start, end=end))
    assert exc.value.code == code
    assert not Activity.objects.exists()


def test_activity_boundary_dates_accepted(tw: TalentWorld) -> None:
    a = s.activity_create(actor=tw.users["admin"], cycle=tw.cycle, data=data(start=tw.cycle.start, end=tw.cycle.end))
    assert a.ends_on == dt.date(2026, 12, 31)


def test_participants_must_be_members_of_the_pool(tw: TalentWorld) -> None:
    for who in ("nominee", "foreign"):
        with pytest.raises(DomainError, match="不是本人才库的在库学员"):
            s.activity_create(actor=tw.users["admin"], cycle=tw.cycle, data=data(), participants=[tw.cadres[who]])
    assert not Activity.objects.exists()  # nothing half-written


def test_who_sees_which_activity(tw: TalentWorld, visit: Activity) -> None:
    def seen(role: str) -> bool:
        return s.access_activities(tw.users[role]).filter(pk=visit.pk).exists()

    assert {
        r: seen(r)
        for r in ("admin", "superuser", "cadre", "organisation_a", "organisation_b", "other_admin", "instructor")
    } == {
        "admin": True,
        "superuser": True,
        "cadre": True,
        "organisation_a": True,
        "organisation_b": False,
        "other_admin": False,
        "instructor": False,
    }


def test_feedback_by_participant_and_organisation(tw: TalentWorld, visit: Activity) -> None:
    mine = s.feedback_give(actor=tw.users["cadre"], activity=visit, rating=5, comment="很有收获", today=START)
    assert (mine.respondent, mine.organisation) == (RespondentKind.PARTICIPANT, None)
    theirs = s.feedback_give(actor=tw.users["organisation_a"], activity=visit, rating="4", today=START)
    assert (theirs.respondent, theirs.organisation) == (RespondentKind.ORGANISATION, tw.organisations["a"])
    for role in ("organisation_b", "admin", "outsider", "instructor"):
        with pytest.raises(AccessDeniedError):
            s.feedback_give(actor=tw.users[role], activity=visit, rating=3, today=START)


def test_feedback_not_before_start(tw: TalentWorld, visit: Activity) -> None:
    with pytest.raises(DomainError, match="活动开始") as exc:
        s.feedback_give(actor=tw.users["cadre"], activity=visit, rating=5, today=START - dt.timedelta(days=1))
    assert exc.value.code == "too_early"
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(("rating", "ok"), [(0, False), (1, True), (5, True), (6, False), ("3.5", False), ("x", False)])
def test_rating_bounds(tw: TalentWorld, visit: Activity, rating: Any, ok: bool) -> None:
    if ok:
        assert s.feedback_give(actor=tw.users["cadre"], activity=visit, rating=rating, today=START).rating == rating
    else:
        with pytest.raises(DomainError, match="评分须为 1 到 5 的整数"):
            s.feedback_give(actor=tw.users["cadre"], activity=visit, rating=rating, today=START)


def test_second_feedback_refused_and_unique_constraint(tw: TalentWorld, visit: Activity) -> None:
    s.feedback_give(actor=tw.users["cadre"], activity=visit, rating=5, today=START)
    with pytest.raises(DomainError, match="不能重复提交") as exc:
        s.feedback_give(actor=tw.users["cadre"], activity=visit, rating=1, today=START)
    assert exc.value.code == "duplicate"
    assert Feedback.objects.get().rating == 5  # not updated
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses too
        Feedback.objects.create(
            cycle=tw.cycle, activity=visit, author=tw.users["cadre"], respondent="participant", rating=2
        )
    # the service's IntegrityError path (a race past the check) gives the same clear message
    who = s.Respondent(RespondentKind.PARTICIPANT, None)
    with pytest.raises(DomainError, match="不能重复提交"):
        s._save_feedback(actor=tw.users["cadre"], cycle=tw.cycle, activity=visit, who=who, rating=3, comment="")
    assert Feedback.objects.count() == 1


def test_cycle_feedback(tw: TalentWorld) -> None:
    fb = s.cycle_feedback_give(
        actor=tw.users["organisation_b"], cycle=tw.cycle, rating=3, comment="希望增加实践", today=START
    )
    assert (fb.activity, fb.respondent, fb.organisation) == (None, RespondentKind.ORGANISATION, tw.organisations["b"])
    s.cycle_feedback_give(actor=tw.users["cadre"], cycle=tw.cycle, rating=4, today=START)
    with pytest.raises(DomainError, match="不能重复提交"):
        s.cycle_feedback_give(actor=tw.users["cadre"], cycle=tw.cycle, rating=4, today=START)
    with pytest.raises(DomainError, match="培养周期开始"):
        s.cycle_feedback_give(actor=tw.users["organisation_a"], cycle=tw.cycle, rating=4, today=dt.date(2024, 12, 31))
    for role in ("outsider", "instructor", "other_admin"):
        with pytest.raises(AccessDeniedError):
            s.cycle_feedback_give(actor=tw.users[role], cycle=tw.cycle, rating=4, today=START)


def test_summaries(tw: TalentWorld, visit: Activity) -> None:
    s.activity_update(
        actor=tw.users["admin"], activity=visit, data=data(), participants=[tw.cadres["self"], tw.cadres["other"]]
    )
    s.feedback_give(actor=tw.users["cadre"], activity=visit, rating=5, comment="好", today=START)
    s.feedback_give(actor=tw.users["organisation_a"], activity=visit, rating=4, today=START)
    s.feedback_give(actor=tw.users["organisation_b"], activity=visit, rating=4, comment="一般", today=START)
    summary = s.activity_summary(visit)
    assert (summary.count, summary.average, summary.distribution) == (3, Decimal("4.33"), [0, 0, 0, 2, 1])
    assert [f.comment for f in summary.comments] == ["好", "一般"]
    assert summary.by_kind == {"participant": Decimal("5.00"), "organisation": Decimal("4.00")}
    later = s.activity_create(actor=tw.users["admin"], cycle=tw.cycle, data=data("座谈", dt.date(2025, 9, 1)))
    s.cycle_feedback_give(actor=tw.users["cadre"], cycle=tw.cycle, rating=2, today=START)
    cs = s.cycle_summary(tw.cycle)
    assert [line.activity for line in cs.lines] == [visit, later]  # over time
    assert [line.summary.count for line in cs.lines] == [3, 0]
    assert (cs.overall.count, cs.programme.count, cs.programme.average) == (3, 1, Decimal("2.00"))
    assert s.round2(Decimal("2.345")) == Decimal("2.35")


# --- pages: permission table --------------------------------------------------------------------

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
GET_TABLE = {
    "list": {
        "admin": 200,
        "other_admin": 404,
        "cadre": 200,
        "organisation_a": 200,
        "organisation_b": 200,
        "instructor": 404,
    },
    "create": {
        "admin": 200,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 404,
    },
    "detail": {
        "admin": 200,
        "other_admin": 404,
        "cadre": 200,
        "organisation_a": 200,
        "organisation_b": 403,
        "instructor": 404,
    },
    "edit": {
        "admin": 200,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 404,
    },
    "summary": {
        "admin": 200,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 404,
    },
}
POST_TABLE = {
    "feedback": {
        "admin": 403,
        "other_admin": 404,
        "cadre": 303,
        "organisation_a": 303,
        "organisation_b": 403,
        "instructor": 404,
    },
    "cycle_feedback": {
        "admin": 403,
        "other_admin": 404,
        "cadre": 303,
        "organisation_a": 303,
        "organisation_b": 303,
        "instructor": 404,
    },
    "edit": {
        "admin": 303,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 404,
    },
    "create": {
        "admin": 303,
        "other_admin": 404,
        "cadre": 403,
        "organisation_a": 403,
        "organisation_b": 403,
        "instructor": 404,
    },
}


def _urls(tw: TalentWorld, visit: Activity) -> dict[str, str]:
    return {
        "list": reverse("talent_activities", args=[tw.pool.pk]),
        "create": reverse("talent_activity_create", args=[tw.pool.pk]),
        "detail": reverse("talent_activity", args=[visit.pk]),
        "edit": reverse("talent_activity_edit", args=[visit.pk]),
        "summary": reverse("talent_feedback_summary", args=[tw.cycle.pk]),
        "feedback": reverse("talent_feedback", args=[visit.pk]),
        "cycle_feedback": reverse("talent_cycle_feedback", args=[tw.cycle.pk]),
    }


def _expected(table: dict[str, int], role: str, admin_status: int) -> int:
    return {"outsider": 404, "anonymous": 302, "superuser": admin_status}.get(role) or table[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(GET_TABLE))
def test_get_permission_table(tw: TalentWorld, visit: Activity, role: str, page: str) -> None:
    response = client_for(tw.users.get(role)).get(_urls(tw, visit)[page])
    assert response.status_code == _expected(GET_TABLE[page], role, 200), (page, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(POST_TABLE))
def test_post_permission_table(tw: TalentWorld, visit: Activity, role: str, page: str) -> None:
    form = {
        "kind": "study",
        "title": "专题学习",
        "starts_on": "2025-04-01",
        "ends_on": "2025-04-01",
        "cycle": tw.cycle.pk,
    }
    body = {"feedback": {"rating": "4"}, "cycle_feedback": {"rating": "4"}, "edit": form, "create": form}[page]
    response = client_for(tw.users.get(role)).post(_urls(tw, visit)[page], body)
    # a superuser is an administrator: no feedback (not a participant) but may edit and create
    assert response.status_code == _expected(POST_TABLE[page], role, POST_TABLE[page]["admin"]), (page, role)


# --- pages: behaviour ---------------------------------------------------------------------------


def test_list_shows_each_user_their_activities(tw: TalentWorld, visit: Activity) -> None:
    other = s.activity_create(
        actor=tw.users["admin"], cycle=tw.cycle, data=data("执法实训"), participants=[tw.cadres["other"]]
    )
    url = reverse("talent_activities", args=[tw.pool.pk])
    seen = {r: client_for(tw.users[r]).get(url).content.decode() for r in ("admin", "cadre", "organisation_b")}
    assert visit.title in seen["admin"]
    assert other.title in seen["admin"]
    assert visit.title in seen["cadre"]
    assert other.title not in seen["cadre"]
    assert visit.title not in seen["organisation_b"]
    assert other.title in seen["organisation_b"]
    assert "参加 1 人" in seen["admin"]


def test_feedback_page_flow_and_names_for_admins_only(tw: TalentWorld, visit: Activity) -> None:
    tw.users["organisation_a"].first_name = "联络员甲"
    tw.users["organisation_a"].save()
    url = reverse("talent_feedback", args=[visit.pk])
    bad = client_for(tw.users["cadre"]).post(url, {"rating": "9"})
    assert bad.status_code == 400
    assert "rating-errors" in bad.content.decode()
    assert client_for(tw.users["cadre"]).post(url, {"rating": "5", "comment": "讲解生动"}).status_code == 303
    assert client_for(tw.users["organisation_a"]).post(url, {"rating": "3", "comment": "时间偏紧"}).status_code == 303
    again = client_for(tw.users["cadre"]).post(url, {"rating": "1"})
    assert again.status_code == 400  # refused, not merged
    detail = reverse("talent_activity", args=[visit.pk])
    admin_page = client_for(tw.users["admin"]).get(detail).content.decode()
    assert "共 2 条评价，平均 4.00 分" in admin_page
    assert "联络员甲" in admin_page
    assert "时间偏紧" in admin_page
    cadre_page = client_for(tw.users["cadre"]).get(detail).content.decode()
    assert "您已评价：5 分" in cadre_page
    assert "联络员甲" not in cadre_page
    assert "时间偏紧" not in cadre_page


def test_second_submission_through_page_is_refused(tw: TalentWorld, visit: Activity) -> None:
    url = reverse("talent_feedback", args=[visit.pk])
    client = client_for(tw.users["cadre"])
    assert client.post(url, {"rating": "5"}).status_code == 303
    response = client.post(url, {"rating": "1"})
    assert response.status_code == 400
    assert "您已经提交过评价，不能重复提交。" in response.content.decode()
    assert Feedback.objects.get().rating == 5


def test_summary_page_has_tables_with_chart_figures(tw: TalentWorld, visit: Activity) -> None:
    s.feedback_give(actor=tw.users["cadre"], activity=visit, rating=4, today=START)
    body = client_for(tw.users["admin"]).get(reverse("talent_feedback_summary", args=[tw.cycle.pk])).content.decode()
    assert 'id="averages-data"' in body
    assert 'id="per-activity"' in body
    assert "4.00" in body
    assert "talent/feedback.js" in body


def test_edit_page_errors_at_field(tw: TalentWorld, visit: Activity) -> None:
    url = reverse("talent_activity_edit", args=[visit.pk])
    form = {"kind": "study", "title": "x", "starts_on": "2025-04-02", "ends_on": "2025-04-01"}
    response = client_for(tw.users["admin"]).post(url, form)
    assert response.status_code == 400
    assert "id_ends_on-errors" in response.content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_activity_list_query_count_is_flat(tw: TalentWorld, n: int, django_assert_max_num_queries: Any) -> None:
    cadres = [make_cadre(tw.pool, tw.organisations["a"], f"学员{i:02d}", member=True) for i in range(3)]
    for i in range(n):
        a = s.activity_create(actor=tw.users["admin"], cycle=tw.cycle, data=data(f"活动{i}"), participants=cadres)
        Feedback.objects.create(
            cycle=tw.cycle, activity=a, author=tw.users["organisation_a"], respondent="organisation", rating=4
        )
    client = client_for(tw.users["admin"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("talent_activities", args=[tw.pool.pk])).status_code == 200
