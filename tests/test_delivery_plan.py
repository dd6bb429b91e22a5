"""The construction planner's pages (delivery.views_plan): the form and its checks, a run end to end
(solved by the immediate task backend of the test settings), the verdict and the suggestion of an
impossible deadline, accepting a schedule, permissions per persona, query counts, CSRF, and the
Gantt chart on a 375 px phone.

The world is `delivery_world` (tests/conftest.py): in 亲亲家园 1幢, 1单元 has two elevators (甲电梯,
40 and 45 days) and 2单元 one (乙电梯, 50 days). With one crew each, the Spring Festival blackout
2025-01-25..2025-02-09 and a start on 2025-01-06, no job fits before the blackout (19 days), so
甲's two jobs run one after the other from 2025-02-10 and end on 2025-05-05 at the earliest.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditEntry
from gongzhi.delivery import scheduling, services, views_plan
from gongzhi.delivery import stages as st
from gongzhi.delivery.forms_plan import parse_blackouts
from gongzhi.delivery.models import ConstructionSchedule, RenewalStage, ScheduleStatus
from gongzhi.places.models import Role
from tests import factories as f
from tests.browser_support import assert_fits_the_phone

pytestmark = pytest.mark.django_db

# Playwright's sync API runs an event loop in this thread (the phone test at the end); Django's ORM
# would refuse to be called from it without this (as in test_renewal_views.py).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

START, DEADLINE = dt.date(2025, 1, 6), dt.date(2025, 6, 30)
SPRING_FESTIVAL = (dt.date(2025, 1, 25), dt.date(2025, 2, 9))
IN_SCOPE_WITHOUT_RIGHT = [
    Role.COMMUNITY_STAFF,  # MANAGE_DELIVERY in its community only; a campaign is the subdistrict's
    Role.OWNERS_COMMITTEE,
    Role.PROPERTY_MANAGER,
    Role.OWNER,
    Role.VENDOR,
    Role.SUPERVISOR,
    Role.DISTRICT_REGULATOR,
]


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(dw: Any, **overrides: Any) -> dict[str, Any]:
    """A POST of the planner's form for the three inside renewals, ticked one by one."""
    data: dict[str, Any] = {
        "name": "春节后开工",
        "renewals": [str(r.pk) for r in dw.renewals],
        "start": START.isoformat(),
        "deadline": DEADLINE.isoformat(),
        "blackouts": "2025-01-25 2025-02-09",
        f"crews_{dw.vendor.pk}": "1",
        f"crews_{dw.other_vendor.pk}": "1",
        "max_down_per_entrance": "1",
        "max_active_per_building": "",
        "time_limit": "5",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_schedule(dw: Any, *, solve: bool = True, renewals: list[Any] | None = None, **kw: Any) -> ConstructionSchedule:
    """A run through the services (as the view makes it); solved at once unless `solve` is False."""
    params: dict[str, Any] = {
        "start": START,
        "deadline": DEADLINE,
        "crews": {dw.vendor.pk: 1, dw.other_vendor.pk: 1},
        "blackouts": [SPRING_FESTIVAL],
    }
    params.update(kw)
    problem = services.schedule_problem(renewals=renewals or dw.renewals, **params)
    schedule = services.schedule_create(
        actor=dw.manager, campaign=dw.world.campaign, problem=problem, time_limit=5, name="测试排期"
    )
    if solve:
        schedule = services.schedule_run(schedule.pk)
    return schedule


def post_create(client: Client, dw: Any, capture: Any, **overrides: Any) -> Any:
    """POST the form; the on-commit callback queues the task, which the test backend runs at once."""
    with capture(execute=True):
        return client.post(reverse("schedule_create", args=[dw.world.campaign.pk]), form_data(dw, **overrides))


def urls(dw: Any, schedule: ConstructionSchedule) -> dict[str, tuple[str, str]]:
    campaign = dw.world.campaign.pk
    return {
        "list": ("get", reverse("schedule_list", args=[campaign])),
        "create": ("get", reverse("schedule_create", args=[campaign])),
        "create_post": ("post", reverse("schedule_create", args=[campaign])),
        "detail": ("get", reverse("schedule_detail", args=[schedule.pk])),
        "progress": ("get", reverse("schedule_progress", args=[schedule.pk])),
        "accept": ("post", reverse("schedule_accept", args=[schedule.pk])),
    }


def gantt_data(page: str) -> Any:
    match = re.search(r'<script id="plan-gantt-data" type="application/json">(.*?)</script>', page, re.S)
    assert match is not None
    return json.loads(match.group(1))


def construction(renewal: Any) -> RenewalStage:
    return RenewalStage.objects.get(renewal=renewal, kind=st.CONSTRUCTION)


# --- blackout lines ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "2025-01-25 2025-02-09",
        "2025-01-25～2025-02-09",
        "2025-01-25~2025-02-09",
        "2025-01-25 ~ 2025-02-09",
        "2025-01-25 - 2025-02-09",
        "2025-01-25至2025-02-09",
        "  2025-1-25 至 2025-2-9  ",
    ],
)
def test_blackout_line_separators(line: str) -> None:
    assert parse_blackouts(f"\n{line}\n\n") == [SPRING_FESTIVAL]


def test_blackout_single_day_and_several_lines() -> None:
    assert parse_blackouts("2025-04-05\n2025-06-07 2025-06-09") == [
        (dt.date(2025, 4, 5), dt.date(2025, 4, 5)),
        (dt.date(2025, 6, 7), dt.date(2025, 6, 9)),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-25 2025-02-09\n春节", "第 2 行“春节”无法识别"),
        ("2025-01-25-2025-02-09", "第 1 行"),
        ("2025-02-30 2025-03-01", "第 1 行：2025-02-30 不是有效日期"),
        ("\n2025-02-09 2025-01-25", "第 2 行：结束日期早于开始日期"),
    ],
)
def test_bad_blackout_line_is_named(text: str, expected: str) -> None:
    from django.forms import ValidationError

    with pytest.raises(ValidationError) as caught:
        parse_blackouts(text)
    assert any(expected in m for m in caught.value.messages), caught.value.messages


# --- the form --------------------------------------------------------------------------------------


def test_form_offers_every_pending_renewal_with_defaults(delivery_world: Any) -> None:
    dw = delivery_world
    started = dw.renewals[2]
    RenewalStage.objects.filter(renewal=started, kind=st.CONSTRUCTION).update(status=st.STARTED)
    response = client_for(dw.manager).get(reverse("schedule_create", args=[dw.world.campaign.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for r in dw.renewals[:2]:
        assert f'id="id_renewals_{r.pk}" checked' in page
        assert f'placeholder="{r.works_days}"' in page
    assert f'name="renewals" value="{started.pk}"' not in page  # its construction has started: not plannable
    assert f'name="crews_{dw.vendor.pk}"' in page
    assert f'name="crews_{dw.other_vendor.pk}"' not in page  # no plannable renewal of 乙 left
    estate = dw.world.inside["estate"].pk
    assert f'name="estate_all" value="{estate}" id="id_estate_all_{estate}" checked' in page
    from django.utils import timezone

    start = timezone.localdate() + dt.timedelta(days=7)
    # The campaign's deadline (2025-06-30) when it is still ahead; once passed, half a year on.
    expected = dt.date(2025, 6, 30) if dt.date(2025, 6, 30) > start else start + dt.timedelta(days=182)
    assert f'value="{expected.isoformat()}"' in page
    assert dw.outside_renewal.elevator.device_code not in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"blackouts": "2025-01-25 2025-02-09\n清明 2025-04-04"}, "blackouts", "第 2 行"),
        ({"deadline": "2025-01-05"}, "deadline", "截止日期不能早于开工日期"),
        ({"crews_VENDOR": "-1"}, "crews_VENDOR", "班组数不能为负数"),
        ({"renewals": [], "estate_all": []}, "renewals", "请至少选择一台电梯"),
        ({"days_FIRST": "0"}, "days_FIRST", "工期至少 1 天"),
        ({"time_limit": "121"}, "time_limit", "120"),
        ({"start": "2025-13-01"}, "start", ""),
    ],
)
def test_bad_input_is_shown_at_the_field_and_nothing_is_written(
    delivery_world: Any, django_capture_on_commit_callbacks: Any, overrides: dict[str, Any], field: str, message: str
) -> None:
    dw = delivery_world
    name = field.replace("VENDOR", str(dw.vendor.pk)).replace("FIRST", str(dw.renewals[0].pk))
    overrides = {
        k.replace("VENDOR", str(dw.vendor.pk)).replace("FIRST", str(dw.renewals[0].pk)): v for k, v in overrides.items()
    }
    audit_before = AuditEntry.objects.count()
    response = post_create(client_for(dw.manager), dw, django_capture_on_commit_callbacks, **overrides)
    assert response.status_code == 400
    form = response.context["form"]
    assert name in form.errors, form.errors
    assert message in " ".join(form.errors[name])
    page = response.content.decode()
    assert "field-error" in page
    assert ConstructionSchedule.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_a_renewal_without_works_days_needs_them_typed(
    delivery_world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dw = delivery_world
    first = dw.renewals[0]
    first.works_days = None
    first.save(update_fields=["works_days"])
    client = client_for(dw.manager)
    response = post_create(client, dw, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "没有施工工期" in " ".join(response.context["form"].errors[f"days_{first.pk}"])
    assert ConstructionSchedule.objects.count() == 0
    response = post_create(client, dw, django_capture_on_commit_callbacks, **{f"days_{first.pk}": "30"})
    assert response.status_code == 302
    job = next(j for j in ConstructionSchedule.objects.get().problem["jobs"] if j["id"] == str(first.pk))
    assert job["days"] == 30


def test_picking_elevators_one_by_one_and_overriding_days(
    delivery_world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dw = delivery_world
    first, second = dw.renewals[0], dw.renewals[1]
    response = post_create(
        client_for(dw.manager),
        dw,
        django_capture_on_commit_callbacks,
        renewals=[str(first.pk), str(second.pk)],
        **{f"days_{second.pk}": "20", f"crews_{dw.vendor.pk}": "2", "max_active_per_building": "1"},
    )
    assert response.status_code == 302
    schedule = ConstructionSchedule.objects.get()
    problem = schedule.problem
    assert {j["id"]: j["days"] for j in problem["jobs"]} == {str(first.pk): 40, str(second.pk): 20}
    assert problem["crews"] == {str(dw.vendor.pk): 2}  # only the vendors of the chosen elevators
    assert problem["max_active_per_building"] == 1
    assert problem["blackouts"] == [{"from": "2025-01-25", "to": "2025-02-09"}]
    assert schedule.name == "春节后开工"


def test_a_whole_estate_counts_even_when_its_boxes_are_not_ticked(
    delivery_world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dw = delivery_world
    estate = dw.world.inside["estate"]
    response = post_create(
        client_for(dw.manager), dw, django_capture_on_commit_callbacks, renewals=[], estate_all=[str(estate.pk)]
    )
    assert response.status_code == 302
    assert len(ConstructionSchedule.objects.get().problem["jobs"]) == 3


# --- a run end to end --------------------------------------------------------------------------------


def test_plan_solve_and_accept_end_to_end(delivery_world: Any, django_capture_on_commit_callbacks: Any) -> None:
    dw = delivery_world
    client = client_for(dw.manager)
    response = post_create(client, dw, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    schedule = ConstructionSchedule.objects.get()
    assert response["Location"] == reverse("schedule_detail", args=[schedule.pk])
    assert schedule.status == ScheduleStatus.DONE  # the immediate backend ran the task on commit
    assert schedule.created_by == dw.manager
    result = schedule.result
    assert result["status"] == scheduling.OPTIMAL
    problem = scheduling.parse_problem(schedule.problem)
    placements = [
        scheduling.Placement(j["id"], dt.date.fromisoformat(j["start"]), dt.date.fromisoformat(j["end"]))
        for j in result["jobs"]
    ]
    assert scheduling.check_schedule(problem, placements) == []
    assert max(p.end for p in placements) == dt.date(2025, 5, 5)
    assert all(p.start >= dt.date(2025, 2, 10) for p in placements)  # none fits before the festival

    page = client.get(response["Location"]).content.decode()
    assert "已证明最优" in page
    assert f">{result['objective']}<" in page
    assert 'id="plan-gantt"' in page
    assert 'id="plan-gantt-data"' in page
    assert "delivery/gantt.js" in page
    assert "vendor/echarts.min.js" in page
    assert "<script>" not in page  # the chart's code is in the static file
    for r in dw.renewals:
        assert r.elevator.device_code in page
    gantt = gantt_data(page)
    assert gantt["views"] == {"crew": ["乙电梯 班组1", "甲电梯 班组1"], "building": ["亲亲家园 1幢"]}
    assert gantt["blackouts"] == [["2025-01-25", "2025-02-09"]]
    assert {(j["code"], j["start"], j["end"]) for j in gantt["jobs"]} == {
        (r.elevator.device_code, p.start.isoformat(), p.end.isoformat())
        for r in dw.renewals
        for p in placements
        if p.id == str(r.pk)
    }
    assert reverse("schedule_accept", args=[schedule.pk]) in page

    listing = client.get(reverse("schedule_list", args=[dw.world.campaign.pk])).content.decode()
    assert "春节后开工" in listing
    assert "已证明最优" in listing
    assert "未采用" in listing

    response = client.post(reverse("schedule_accept", args=[schedule.pk]), follow=True)
    page = response.content.decode()
    assert "已采用本排期：3 台电梯" in page
    assert "plan-accepted" in page
    assert reverse("schedule_accept", args=[schedule.pk]) not in page  # no second button
    schedule.refresh_from_db()
    assert schedule.accepted_by == dw.manager
    assert schedule.accepted_at is not None
    for placement in placements:
        renewal = next(r for r in dw.renewals if str(r.pk) == placement.id)
        build = construction(renewal)
        assert (build.planned_start, build.planned_end) == (placement.start, placement.end)
        notice = RenewalStage.objects.get(renewal=renewal, kind=st.NOTICE)
        assert notice.planned_start == placement.start - dt.timedelta(days=7)
        assert notice.planned_end == placement.start - dt.timedelta(days=1)
    assert "已采用" in client.get(reverse("schedule_list", args=[dw.world.campaign.pk])).content.decode()


def test_jobs_table_sorts(delivery_world: Any) -> None:
    dw = delivery_world
    schedule = make_schedule(dw)
    client = client_for(dw.manager)
    url = reverse("schedule_detail", args=[schedule.pk])

    def order(sort: str) -> list[str]:
        page = client.get(url, {"sort": sort}).content.decode()
        return re.findall(r'class="plan-job" data-renewal="(\d+)"', page)

    by_start = order("start")
    starts = {j["id"]: j["start"] for j in schedule.result["jobs"]}
    assert [starts[i] for i in by_start] == sorted(starts[i] for i in by_start)
    codes = {str(r.pk): r.elevator.device_code for r in dw.renewals}
    assert [codes[i] for i in order("code")] == sorted(codes.values())
    assert order("nonsense") == by_start


def test_infeasible_deadline_shows_the_earliest_one_and_prefills_a_new_run(delivery_world: Any) -> None:
    dw = delivery_world
    schedule = make_schedule(dw, deadline=dt.date(2025, 4, 15))
    assert schedule.result["status"] == scheduling.INFEASIBLE
    client = client_for(dw.manager)
    page = client.get(reverse("schedule_detail", args=[schedule.pk])).content.decode()
    assert "无法在截止日期前完成" in page
    assert "2025-05-05" in page
    assert "已证明不能更早" in page
    # One entrance takes one elevator at a time: more crews of 甲 cannot help.
    assert "增加班组也无法在截止日期前完成" in page
    assert reverse("schedule_accept", args=[schedule.pk]) not in page
    match = re.search(r'href="([^"]+)" role="button" class="plan-retry-deadline"', page)
    assert match is not None
    prefill = client.get(match.group(1).replace("&amp;", "&"))
    assert prefill.status_code == 200
    form = prefill.content.decode()
    assert 'name="deadline" value="2025-05-05"' in form
    assert 'name="start" value="2025-01-06"' in form
    assert "2025-01-25 2025-02-09</textarea>" in form
    assert client.get(reverse("schedule_create", args=[dw.world.campaign.pk]), {"from": "nonsense"}).status_code == 200
    # Refused by the service even when posted by hand.
    refused = client.post(reverse("schedule_accept", args=[schedule.pk]), follow=True).content.decode()
    assert "只能采用已求出的可行排程" in refused
    schedule.refresh_from_db()
    assert schedule.accepted_at is None
    assert construction(dw.renewals[0]).planned_start is None


def test_infeasible_names_the_vendor_whose_crews_would_help(delivery_world: Any) -> None:
    dw = delivery_world
    schedule = make_schedule(dw, deadline=dt.date(2025, 4, 15), max_down_per_entrance=2)
    suggestion = schedule.result["suggestion"]
    assert suggestion["extra_crews"] == {str(dw.vendor.pk): 1}
    client = client_for(dw.manager)
    page = client.get(reverse("schedule_detail", args=[schedule.pk])).content.decode()
    assert "甲电梯 增加 1 个（共 2 个）" in page
    match = re.search(r'href="([^"]+)" role="button" class="secondary plan-retry-crews"', page)
    assert match is not None
    form = client.get(match.group(1).replace("&amp;", "&")).content.decode()
    assert re.search(rf'name="crews_{dw.vendor.pk}" value="2"', form)
    assert 'name="max_down_per_entrance" value="2"' in form


def test_jobs_that_fit_nowhere_are_listed_by_device_code(delivery_world: Any) -> None:
    dw = delivery_world
    schedule = make_schedule(dw, deadline=dt.date(2025, 3, 1))  # 19 + 20 free days: no 40-day window
    page = client_for(dw.manager).get(reverse("schedule_detail", args=[schedule.pk])).content.decode()
    assert "无法在截止日期前完成" in page
    assert "工期长于截止日期前任何一段不含停工期的时间" in page
    for r in dw.renewals:
        assert r.elevator.device_code in page.split("plan-no-crews")[1]


def test_progress_while_running_then_a_refresh(delivery_world: Any) -> None:
    dw = delivery_world
    schedule = make_schedule(dw, solve=False)
    client = client_for(dw.manager)
    detail = client.get(reverse("schedule_detail", args=[schedule.pk])).content.decode()
    progress_url = reverse("schedule_progress", args=[schedule.pk])
    assert f'hx-get="{progress_url}" hx-trigger="every 1s"' in detail
    assert "排队中" in detail
    assert "甲电梯 1；乙电梯 1" in detail  # the run's input, vendors by name
    assert 'id="plan-gantt"' not in detail
    # Started an hour ago: however slow the machine, the view shows the bar full at the time limit.
    ConstructionSchedule.objects.filter(pk=schedule.pk).update(
        status=ScheduleStatus.RUNNING, started_at=timezone.now() - dt.timedelta(hours=1)
    )
    partial = client.get(progress_url)
    assert partial.status_code == 200
    assert "HX-Refresh" not in partial
    text = partial.content.decode()
    assert "已用 5 秒 / 时限 5 秒" in text
    assert 'value="100"' in text
    # The figures at a given moment (no wall clock): 3 s into a 5 s limit.
    schedule.refresh_from_db()
    assert schedule.started_at is not None
    figures = views_plan._progress(schedule, now=schedule.started_at + dt.timedelta(seconds=3.2))
    text = render_to_string("delivery/plan_progress.html", figures)
    assert "已用 3 秒 / 时限 5 秒" in text
    assert 'value="64"' in text
    ConstructionSchedule.objects.filter(pk=schedule.pk).update(status=ScheduleStatus.QUEUED)
    services.schedule_run(schedule.pk)
    done = client.get(progress_url)
    assert done["HX-Refresh"] == "true"
    assert "hx-get" not in done.content.decode()


def test_unknown_and_failed_runs_say_so(delivery_world: Any) -> None:
    dw = delivery_world
    unknown = make_schedule(dw, solve=False)
    ConstructionSchedule.objects.filter(pk=unknown.pk).update(
        status=ScheduleStatus.DONE,
        result={"status": "unknown", "jobs": [], "objective": None, "lower_bound": None, "gap": None},
    )
    failed = make_schedule(dw, solve=False)
    ConstructionSchedule.objects.filter(pk=failed.pk).update(status=ScheduleStatus.FAILED, error="boom")
    client = client_for(dw.manager)
    assert "时限内未找到方案" in client.get(reverse("schedule_detail", args=[unknown.pk])).content.decode()
    assert "求解出错" in client.get(reverse("schedule_detail", args=[failed.pk])).content.decode()
    refused = client.post(reverse("schedule_accept", args=[unknown.pk]), follow=True).content.decode()
    assert "只能采用已求出的可行排程" in refused


def test_feasible_with_a_gap_states_it(delivery_world: Any) -> None:
    dw = delivery_world
    schedule = make_schedule(dw)
    result = dict(schedule.result, status=scheduling.FEASIBLE, gap=0.012301, lower_bound=1)
    ConstructionSchedule.objects.filter(pk=schedule.pk).update(result=result)
    page = client_for(dw.manager).get(reverse("schedule_detail", args=[schedule.pk])).content.decode()
    assert "可行，距最优不超过 1.24%" in page


# --- permissions ---------------------------------------------------------------------------------------


def _call(client: Client, method: str, url: str, dw: Any) -> Any:
    if method == "post" and url.endswith("/new/"):
        return client.post(url, form_data(dw))
    return getattr(client, method)(url)


def test_manager_reaches_every_page(delivery_world: Any, django_capture_on_commit_callbacks: Any) -> None:
    dw = delivery_world
    schedule = make_schedule(dw)
    client = client_for(dw.manager)
    expected = {"list": 200, "create": 200, "create_post": 302, "detail": 200, "progress": 200, "accept": 302}
    for key, (method, url) in urls(dw, schedule).items():
        with django_capture_on_commit_callbacks(execute=True):
            assert _call(client, method, url, dw).status_code == expected[key], key
    assert ConstructionSchedule.objects.count() == 2


@pytest.mark.parametrize("role", IN_SCOPE_WITHOUT_RIGHT)
def test_others_in_scope_get_403_and_write_nothing(delivery_world: Any, role: str) -> None:
    dw = delivery_world
    schedule = make_schedule(dw)
    client = client_for(dw.world.users[role])
    for key, (method, url) in urls(dw, schedule).items():
        assert _call(client, method, url, dw).status_code == 403, (role, key)
    assert ConstructionSchedule.objects.count() == 1
    schedule.refresh_from_db()
    assert schedule.accepted_at is None
    assert construction(dw.renewals[0]).planned_start is None


def test_outside_the_scope_is_404(delivery_world: Any) -> None:
    dw = delivery_world
    schedule = make_schedule(dw)
    stranger = f.user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=dw.world.outside["subdistrict"])
    client = client_for(stranger)
    for key, (method, url) in urls(dw, schedule).items():
        assert _call(client, method, url, dw).status_code == 404, key
    # The inside manager sees nothing of the other district's campaign either.
    manager = client_for(dw.manager)
    other = dw.world.other_campaign.pk
    assert manager.get(reverse("schedule_list", args=[other])).status_code == 404
    assert manager.get(reverse("schedule_create", args=[other])).status_code == 404
    assert ConstructionSchedule.objects.count() == 1
    assert manager.get(reverse("schedule_detail", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404


def test_anonymous_is_sent_to_log_in(delivery_world: Any) -> None:
    dw = delivery_world
    schedule = make_schedule(dw)
    client = Client()
    for key, (method, url) in urls(dw, schedule).items():
        response = _call(client, method, url, dw)
        assert response.status_code == 302, key
        assert "/login/" in response["Location"], key
    assert ConstructionSchedule.objects.count() == 1
    schedule.refresh_from_db()
    assert schedule.accepted_at is None


def test_get_is_not_allowed_on_accept(delivery_world: Any) -> None:
    dw = delivery_world
    schedule = make_schedule(dw)
    response = client_for(dw.manager).get(reverse("schedule_accept", args=[schedule.pk]))
    assert response.status_code == 405
    schedule.refresh_from_db()
    assert schedule.accepted_at is None


def test_csrf_is_enforced_on_both_posts(delivery_world: Any, django_capture_on_commit_callbacks: Any) -> None:
    dw = delivery_world
    schedule = make_schedule(dw)
    client = Client(enforce_csrf_checks=True)
    client.force_login(dw.manager)
    create = reverse("schedule_create", args=[dw.world.campaign.pk])
    assert client.post(create, form_data(dw)).status_code == 403
    assert client.post(reverse("schedule_accept", args=[schedule.pk])).status_code == 403
    assert ConstructionSchedule.objects.count() == 1
    schedule.refresh_from_db()
    assert schedule.accepted_at is None
    # With the form's token the same POST goes through.
    client.get(create)
    token = client.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(create, {**form_data(dw), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert ConstructionSchedule.objects.count() == 2


# --- query counts ----------------------------------------------------------------------------------


def _more_renewals(dw: Any, n: int) -> list[Any]:
    """n more elevators with renewals of 乙, each in its own entrance of a second building."""
    building = f.BuildingFactory(estate=dw.world.inside["estate"], name="2幢")
    out = []
    for i in range(n):
        entrance = f.EntranceFactory(building=building, name=f"{i + 1}单元")
        elevator = f.ElevatorFactory(entrance=entrance, commissioned_on=dt.date(2001, 1, 1))
        out.append(
            services.renewal_create(
                actor=dw.manager,
                campaign=dw.world.campaign,
                elevator=elevator,
                vendor=dw.other_vendor,
                works_days=20,
                decided_on=dt.date(2024, 12, 1),
            )
        )
    return out


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_runs_or_jobs(delivery_world: Any, django_assert_max_num_queries: Any) -> None:
    dw = delivery_world
    client = client_for(dw.manager)
    small = make_schedule(dw)
    list_url = reverse("schedule_list", args=[dw.world.campaign.pk])
    create_url = reverse("schedule_create", args=[dw.world.campaign.pk])
    list_few, detail_few, create_few = (
        _count(client, list_url),
        _count(client, reverse("schedule_detail", args=[small.pk])),
        _count(client, create_url),
    )
    extra = _more_renewals(dw, 8)
    big = make_schedule(dw, renewals=[*dw.renewals, *extra], crews={dw.vendor.pk: 1, dw.other_vendor.pk: 3})
    assert len(big.result["jobs"]) == 11
    for _ in range(3):
        make_schedule(dw, solve=False)
    assert _count(client, list_url) == list_few
    assert _count(client, reverse("schedule_detail", args=[big.pk])) == detail_few
    assert _count(client, create_url) == create_few
    with django_assert_max_num_queries(8):
        client.get(list_url)
    with django_assert_max_num_queries(10):
        client.get(reverse("schedule_detail", args=[big.pk]))
    with django_assert_max_num_queries(8):
        client.get(create_url)


# --- the phone ---------------------------------------------------------------------------------------


def _phone(browser: Any, live_server: Any, user: Any, errors: list[str]) -> Any:
    user.set_password("pass-word-123")
    user.save(update_fields=["password"])
    page = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN").new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass-word-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_planner_on_a_phone(browser: Any, live_server: Any, delivery_world: Any) -> None:
    dw = delivery_world
    _more_renewals(dw, 6)
    errors: list[str] = []
    page = _phone(browser, live_server, dw.manager, errors)

    page.goto(live_server.url + reverse("schedule_create", args=[dw.world.campaign.pk]))
    assert_fits_the_phone(page)
    estate = page.locator("details.plan-estate").first
    estate.locator("summary").click()
    assert estate.locator(".plan-elevators").is_hidden()  # the whole estate is taken
    estate.locator("input.plan-estate-all").uncheck()
    assert estate.locator(".plan-elevators").is_visible()
    assert_fits_the_phone(page)
    page.fill("#id_start", "2025-01-06")
    page.fill("#id_deadline", "2025-06-30")
    page.fill("#id_blackouts", "2025-01-25 至 2025-02-09")
    page.fill("#id_time_limit", "5")
    page.fill(f"#id_crews_{dw.other_vendor.pk}", "3")
    page.click("form.plan-form button[type=submit]")
    # The run is solved on commit by the test backend; the page then shows the verdict and chart.
    page.wait_for_selector(".plan-verdict", timeout=30_000)
    assert "已证明最优" in page.locator(".plan-verdict").inner_text()
    page.wait_for_selector("#plan-gantt canvas")
    assert_fits_the_phone(page)
    rows = "() => echarts.getInstanceByDom(document.getElementById('plan-gantt')).getOption().yAxis[0].data"
    assert page.evaluate(rows)[0] == "乙电梯 班组1"
    page.click("input[name=gantt-view][value=building]")
    assert page.evaluate(rows) == ["亲亲家园 1幢", "亲亲家园 2幢"]
    assert page.locator("#plan-gantt canvas").count() >= 1
    assert_fits_the_phone(page)
    assert page.locator("table.plan-jobs tbody tr").count() == 9

    # A queued run: the progress bar polls, and the page reloads itself once the run is done.
    # Made directly: through the services the test backend would solve it at once (autocommit).
    problem = services.schedule_problem(
        renewals=dw.renewals, start=START, deadline=DEADLINE, crews={dw.vendor.pk: 1, dw.other_vendor.pk: 1}
    )
    queued = ConstructionSchedule.objects.create(campaign=dw.world.campaign, problem=problem, time_limit=5)
    page.goto(live_server.url + reverse("schedule_detail", args=[queued.pk]))
    assert page.locator("#plan-progress progress").is_visible()
    assert_fits_the_phone(page)
    services.schedule_run(queued.pk)
    page.wait_for_selector("#plan-gantt canvas", timeout=10_000)
    assert errors == []
