"""The construction planner's pages (issue 5, item 2): a campaign's planning runs, the form that
queues a run, the run's page (progress while the solver works; then its verdict, what would fix an
impossible deadline, a Gantt chart by vendor crew and by building, the jobs) and accepting it.

parse → access check → service → render (DESIGN.md convention 2). The campaign and the schedule
are looked up in the campaigns the user sees (404 elsewhere); planning needs MANAGE_DELIVERY on the
campaign (subdistrict staff), 403 for everyone else who sees it — the services check the same.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.actors import Actor
from gongzhi.core.forms import refusals_flashed, refusals_on
from gongzhi.delivery import scheduling, services
from gongzhi.delivery import stages as st
from gongzhi.delivery.forms_plan import ScheduleForm, default_days, format_blackouts
from gongzhi.delivery.models import ConstructionSchedule, ScheduleStatus
from gongzhi.delivery.selectors import access_renewals
from gongzhi.elevators.models import Campaign
from gongzhi.elevators.selectors import access_campaigns
from gongzhi.places.access import Action, require
from gongzhi.renewals.models import Renewal, Vendor

NOTICE_LEAD_DAYS = 7  # the default start leaves the week the construction notice needs (Art. 23)
RUNNING = (ScheduleStatus.QUEUED, ScheduleStatus.RUNNING)
SORTS = {
    "start": lambda j: (j["start"], j["code"]),
    "code": lambda j: (j["code"],),
    "building": lambda j: (j["estate"], j["building"], j["entrance"], j["start"]),
    "vendor": lambda j: (j["vendor"], j["crew"] or 0, j["start"]),
}
SORT_LABELS = {
    "start": gettext_lazy("按开工"),
    "code": gettext_lazy("按设备代码"),
    "building": gettext_lazy("按楼幢"),
    "vendor": gettext_lazy("按品牌方班组"),
}


# --- lookups ----------------------------------------------------------------------------------------


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign: Campaign = get_object_or_404(access_campaigns(request.user), pk=campaign_id)
    require(request.user, Action.MANAGE_DELIVERY, campaign, _("只有街道工作人员可以安排施工排期。"))
    return campaign


def _schedule(request: HttpRequest, pk: uuid.UUID) -> ConstructionSchedule:
    schedule: ConstructionSchedule = get_object_or_404(
        ConstructionSchedule.objects.select_related("campaign__subdistrict", "created_by", "accepted_by").filter(
            campaign__in=access_campaigns(request.user).values("pk")
        ),
        pk=pk,
    )
    require(request.user, Action.MANAGE_DELIVERY, schedule.campaign, _("只有街道工作人员可以安排施工排期。"))
    return schedule


def plannable(user: Actor, campaign: Campaign) -> QuerySet[Renewal]:
    """The campaign's renewals with a vendor whose construction has not started, by estate,
    building, entrance and device code: what the planner may place. One query."""
    return (
        access_renewals(user, Action.MANAGE_DELIVERY)
        .filter(
            campaign=campaign,
            vendor__isnull=False,
            stages__kind=st.CONSTRUCTION,
            stages__status=st.PENDING,
        )
        .select_related("elevator__entrance__building__estate", "vendor", "offer")
        .order_by(
            "elevator__entrance__building__estate__name",
            "elevator__entrance__building__name",
            "elevator__entrance__name",
            "elevator__device_code",
        )
    )


def _vendors(renewals: list[Renewal]) -> list[Vendor]:
    found: dict[int, Vendor] = {}
    for r in renewals:
        if r.vendor is not None:
            found.setdefault(r.vendor.pk, r.vendor)
    return sorted(found.values(), key=lambda v: (v.name, v.pk))


# --- the list ----------------------------------------------------------------------------------------


def status_words(schedule: ConstructionSchedule) -> str:
    """The run's verdict in words (the issue's: proven optimal, its gap, impossible, not found)."""
    if schedule.status == ScheduleStatus.QUEUED:
        return _("排队中")
    if schedule.status == ScheduleStatus.RUNNING:
        return _("求解中")
    if schedule.status == ScheduleStatus.FAILED:
        return _("求解出错")
    result = schedule.result or {}
    verdict = result.get("status")
    if verdict == scheduling.OPTIMAL:
        return _("已证明最优")
    if verdict == scheduling.FEASIBLE:
        return _("可行，距最优不超过 %(gap)s%%") % {"gap": gap_percent(result.get("gap"))}
    if verdict == scheduling.INFEASIBLE:
        return _("无法在截止日期前完成")
    return _("时限内未找到方案")


def gap_percent(gap: Any) -> str:
    """The proven gap as a percentage rounded up to 0.01 (so "not more than" stays true)."""
    if gap is None:
        return "—"
    return f"{math.ceil(float(gap) * 10000 - 1e-9) / 100:.2f}"


@login_required
@require_GET
def schedule_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    schedules = ConstructionSchedule.objects.filter(campaign=campaign).select_related("created_by")
    rows = []
    for schedule in schedules:
        result = schedule.result or {}
        rows.append(
            {
                "schedule": schedule,
                "words": status_words(schedule),
                "verdict": result.get("status") if schedule.status == ScheduleStatus.DONE else schedule.status,
                "objective": result.get("objective"),
                "gap": gap_percent(result.get("gap")) if result.get("gap") is not None else None,
                "jobs": len((schedule.problem or {}).get("jobs", [])),
            }
        )
    return render(request, "delivery/plan_list.html", {"campaign": campaign, "rows": rows})


# --- the form ----------------------------------------------------------------------------------------


def _initial(request: HttpRequest, campaign: Campaign, renewals: list[Renewal]) -> dict[str, Any]:
    """Defaults, then a previous run's parameters (?from=<schedule>), then single fields given in
    the query string (the infeasible page's buttons: ?from=…&deadline=… or crews_<vendor>=…)."""
    today = timezone.localdate()
    start = today + dt.timedelta(days=NOTICE_LEAD_DAYS)
    # The campaign's deadline, unless it has already passed: then half a year from the start, for
    # staff to adjust (a campaign running late still needs a plan).
    deadline = campaign.deadline if campaign.deadline > start else start + dt.timedelta(days=182)
    initial: dict[str, Any] = {
        "start": start,
        "deadline": deadline,
        "renewals": [r.pk for r in renewals],
        "estate_all": sorted({r.elevator.entrance.building.estate_id for r in renewals}),
        "max_down_per_entrance": 1,
        "time_limit": 10,
    }
    source = request.GET.get("from")
    if source:
        try:
            previous = ConstructionSchedule.objects.filter(campaign=campaign, pk=uuid.UUID(source)).first()
        except ValueError:
            previous = None
        if previous is not None:
            initial.update(_initial_from(previous, renewals))
    for key, value in request.GET.items():
        if key in {"start", "deadline", "name", "blackouts", "time_limit"} or key.startswith(
            ("crews_", "days_", "max_")
        ):
            initial[key] = value
    return initial


def _initial_from(previous: ConstructionSchedule, renewals: list[Renewal]) -> dict[str, Any]:
    problem = previous.problem
    jobs = {j["id"]: j for j in problem.get("jobs", [])}
    chosen = [r for r in renewals if str(r.pk) in jobs]
    by_estate: dict[int, list[bool]] = defaultdict(list)
    for r in renewals:
        by_estate[r.elevator.entrance.building.estate_id].append(str(r.pk) in jobs)
    out: dict[str, Any] = {
        "start": problem.get("start"),
        "deadline": problem.get("deadline"),
        "renewals": [r.pk for r in chosen],
        "estate_all": [e for e, ticks in by_estate.items() if all(ticks)],
        "blackouts": format_blackouts(problem.get("blackouts", [])),
        "max_down_per_entrance": problem.get("max_down_per_entrance", 1),
        "max_active_per_building": problem.get("max_active_per_building"),
        "time_limit": previous.time_limit,
    }
    for vendor, crews in problem.get("crews", {}).items():
        out[f"crews_{vendor}"] = crews
    for r in chosen:
        days = jobs[str(r.pk)].get("days")
        if days and days != default_days(r):
            out[f"days_{r.pk}"] = days
    return out


@login_required
def schedule_create(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    renewals = list(plannable(request.user, campaign))
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        renewals=renewals,
        vendors=_vendors(renewals),
        initial=_initial(request, campaign, renewals),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with refusals_on(form) as refused:
                    problem = services.schedule_problem(
                        renewals=data["selected"],
                        start=data["start"],
                        deadline=data["deadline"],
                        crews=data["crews"],
                        blackouts=data["blackouts"],
                        max_down_per_entrance=data["max_down_per_entrance"],
                        max_active_per_building=data["max_active_per_building"],
                        days=data["days"],
                    )
                    schedule = services.schedule_create(
                        actor=request.user,
                        campaign=campaign,
                        problem=problem,
                        time_limit=data["time_limit"],
                        name=data["name"].strip(),
                    )
            except scheduling.ScheduleInputError as exc:
                form.add_error(None, _("排期输入有误：%(reason)s") % {"reason": exc})
                status = 400
            else:
                if refused:
                    status = 400
                else:
                    messages.success(request, _("排期已提交求解。"))
                    return HttpResponseRedirect(reverse("schedule_detail", args=[schedule.pk]))
        else:
            status = 400
    return render(
        request,
        "delivery/plan_form.html",
        {"campaign": campaign, "form": form, "groups": form.estate_groups(), "crew_fields": form.crew_fields()},
        status=status,
    )


# --- one run -------------------------------------------------------------------------------------------


def _progress(schedule: ConstructionSchedule, *, now: dt.datetime) -> dict[str, Any]:
    """The progress bar's figures at `now` (the views pass the request's time; tests a fixed one)."""
    elapsed = 0.0
    if schedule.status == ScheduleStatus.RUNNING and schedule.started_at is not None:
        elapsed = max(0.0, (now - schedule.started_at).total_seconds())
    limit = max(1, schedule.time_limit)
    return {
        "schedule": schedule,
        "running": schedule.status in RUNNING,
        "elapsed": min(round(elapsed), limit),
        "limit": limit,
        "percent": min(100, round(100 * elapsed / limit)),
    }


def _jobs(request: HttpRequest, schedule: ConstructionSchedule) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The schedule's jobs with their elevator, place and vendor (one query for the renewals, one
    for the vendors named in the problem), and the vendors' names by id."""
    problem = schedule.problem
    result = schedule.result or {}
    placed = {j["id"]: j for j in result.get("jobs", [])}
    crews = result.get("crews") or {}
    ids = [int(j["id"]) for j in problem.get("jobs", [])]
    renewals = {
        str(r.pk): r
        for r in access_renewals(request.user, Action.MANAGE_DELIVERY)
        .filter(pk__in=ids, campaign_id=schedule.campaign_id)
        .select_related("elevator__entrance__building__estate")
    }
    vendor_names = {
        str(pk): name
        for pk, name in Vendor.objects.filter(pk__in=list(problem.get("crews", {}))).values_list("pk", "name")
    }
    jobs = []
    for job in problem.get("jobs", []):
        r = renewals.get(job["id"])
        place = placed.get(job["id"])
        entrance = r.elevator.entrance if r is not None else None
        jobs.append(
            {
                "id": job["id"],
                "code": r.elevator.device_code if r is not None else f"#{job['id']}",
                "estate": entrance.building.estate.name if entrance else "",
                "building": entrance.building.name if entrance else "",
                "entrance": entrance.name if entrance else "",
                "vendor_id": job["vendor"],
                "vendor": vendor_names.get(job["vendor"], job["vendor"]),
                "crew": crews.get(job["id"]),
                "start": place["start"] if place else "",
                "end": place["end"] if place else "",
                "days": job["days"],
                "weight": job.get("weight", 1),
            }
        )
    return jobs, vendor_names


def _lanes(jobs: list[dict[str, Any]], row_of: Any) -> tuple[dict[str, int], dict[Any, int]]:
    """Jobs of one row that overlap in time (a building's entrances at work together) each get a
    lane of the row, so their bars sit one above the other: the lowest lane free on the start day.
    Returns each job's lane and each row's number of lanes."""
    lane_of: dict[str, int] = {}
    free_after: dict[Any, list[str]] = defaultdict(list)  # per row: the last end date in each lane
    for j in sorted(jobs, key=lambda j: (j["start"], j["code"])):
        lanes = free_after[row_of(j)]
        for n, last in enumerate(lanes):
            if last < j["start"]:
                lanes[n] = j["end"]
                lane_of[j["id"]] = n
                break
        else:
            lanes.append(j["end"])
            lane_of[j["id"]] = len(lanes) - 1
    return lane_of, {row: len(lanes) for row, lanes in free_after.items()}


def _gantt(schedule: ConstructionSchedule, jobs: list[dict[str, Any]]) -> dict[str, Any]:
    """What gantt.js draws: the rows of each view, each job's row and lane in both, the blackouts.
    A crew does one job at a time (one lane); a building may have several entrances at work."""
    problem = schedule.problem
    placed = [j for j in jobs if j["start"]]
    crew_lane, crew_lanes = _lanes(placed, lambda j: (j["vendor"], j["crew"] or 1))
    building_lane, building_lanes = _lanes(placed, lambda j: (j["estate"], j["building"]))
    crew_rows: list[tuple[str, int]] = sorted({(j["vendor"], j["crew"] or 1) for j in placed})
    building_rows: list[tuple[str, str]] = sorted({(j["estate"], j["building"]) for j in placed})
    crew_index = {key: n for n, key in enumerate(crew_rows)}
    building_index = {key: n for n, key in enumerate(building_rows)}
    vendors = sorted({j["vendor"] for j in placed})
    return {
        "start": problem["start"],
        "deadline": problem["deadline"],
        "blackouts": [[b["from"], b["to"]] for b in problem.get("blackouts", [])],
        "vendors": vendors,
        "lanes": {"crew": max(crew_lanes.values(), default=1), "building": max(building_lanes.values(), default=1)},
        "views": {
            "crew": [_("%(vendor)s 班组%(n)s") % {"vendor": v, "n": n} for v, n in crew_rows],
            "building": [f"{estate} {building}" for estate, building in building_rows],
        },
        "jobs": [
            {
                "code": j["code"],
                "elevator": f"{j['estate']} {j['building']}{j['entrance']} {j['code']}",
                "entrance": f"{j['building']}{j['entrance']}",
                "vendor": j["vendor"],
                "vendor_index": vendors.index(j["vendor"]),
                "crew": j["crew"],
                "start": j["start"],
                "end": j["end"],
                "days": j["days"],
                "rows": {
                    "crew": crew_index[(j["vendor"], j["crew"] or 1)],
                    "building": building_index[(j["estate"], j["building"])],
                },
                "lanes": {
                    "crew": [crew_lane[j["id"]], crew_lanes[(j["vendor"], j["crew"] or 1)]],
                    "building": [building_lane[j["id"]], building_lanes[(j["estate"], j["building"])]],
                },
            }
            for j in placed
        ],
        "labels": {
            "elevator": _("电梯"),
            "entrance": _("单元"),
            "vendor": _("品牌方"),
            "crew": _("班组"),
            "start": _("开工"),
            "end": _("完工"),
            "days": _("天"),
            "blackout": _("停工期"),
        },
    }


def _suggestion(
    schedule: ConstructionSchedule, jobs: list[dict[str, Any]], vendor_names: dict[str, str]
) -> dict[str, Any] | None:
    """The infeasible run's suggestion in the page's terms (vendor names, device codes) with the
    query strings that pre-fill a new run with it."""
    result = schedule.result or {}
    raw = result.get("suggestion")
    if result.get("status") != scheduling.INFEASIBLE or not raw:
        return None
    create = reverse("schedule_create", args=[schedule.campaign_id])
    codes = {j["id"]: j["code"] for j in jobs}
    out: dict[str, Any] = {
        "earliest_deadline": raw.get("earliest_deadline"),
        "earliest_proven": raw.get("earliest_deadline_proven", False),
        "extra_crews": None,
        "extra_proven": raw.get("extra_crews_proven", False),
        "unplaceable": [codes.get(i, f"#{i}") for i in raw.get("unplaceable") or []],
        "deadline_url": None,
        "crews_url": None,
    }
    if out["earliest_deadline"]:
        out["deadline_url"] = f"{create}?{urlencode({'from': str(schedule.pk), 'deadline': out['earliest_deadline']})}"
    extra = raw.get("extra_crews")
    if extra:
        crews = schedule.problem.get("crews", {})
        out["extra_crews"] = [
            {"vendor": vendor_names.get(v, v), "extra": n, "total": crews.get(v, 0) + n}
            for v, n in sorted(extra.items())
        ]
        query = {"from": str(schedule.pk)} | {f"crews_{v}": crews.get(v, 0) + n for v, n in extra.items()}
        out["crews_url"] = f"{create}?{urlencode(query)}"
    return out


def _figures(schedule: ConstructionSchedule, jobs: list[dict[str, Any]]) -> dict[str, Any]:
    result = schedule.result or {}
    objective, greedy = result.get("objective"), result.get("greedy_objective")
    better = None
    if objective is not None and greedy and greedy > objective:
        better = f"{100 * (greedy - objective) / greedy:.1f}"
    ends = [j["end"] for j in jobs if j["end"]]
    weights = sum(int(j["weight"]) for j in jobs)
    return {
        "objective": objective,
        "lower_bound": result.get("lower_bound"),
        "seconds": result.get("seconds"),
        "greedy": greedy,
        "better": better,
        "same": objective is not None and greedy == objective,
        "last_end": max(ends) if ends else None,
        "mean_day": f"{objective / weights:.1f}" if objective is not None and weights else None,
    }


@login_required
@require_GET
def schedule_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    schedule = _schedule(request, pk)
    context: dict[str, Any] = {
        "campaign": schedule.campaign,
        "schedule": schedule,
        "words": status_words(schedule),
        "problem": schedule.problem,
        "progress": _progress(schedule, now=timezone.now()),
        "running": schedule.status in RUNNING,
    }
    if schedule.status == ScheduleStatus.DONE:
        jobs, vendor_names = _jobs(request, schedule)
        sort = request.GET.get("sort", "start")
        if sort not in SORTS:
            sort = "start"
        verdict = (schedule.result or {}).get("status")
        context.update(
            {
                "verdict": verdict,
                "figures": _figures(schedule, jobs),
                "suggestion": _suggestion(schedule, jobs, vendor_names),
                "jobs": sorted((j for j in jobs if j["start"]), key=SORTS[sort]),
                "sort": sort,
                "sorts": list(SORT_LABELS.items()),
                "gantt": _gantt(schedule, jobs),
                "feasible": verdict in (scheduling.OPTIMAL, scheduling.FEASIBLE),
            }
        )
    else:
        vendor_names = {
            str(pk): name
            for pk, name in Vendor.objects.filter(pk__in=list(schedule.problem.get("crews", {}))).values_list(
                "pk", "name"
            )
        }
    context["crews"] = [(vendor_names.get(v, v), n) for v, n in sorted((schedule.problem.get("crews") or {}).items())]
    return render(request, "delivery/plan_detail.html", context)


@login_required
@require_GET
def schedule_progress(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The progress bar htmx polls each second; once the run ends, htmx reloads the whole page."""
    schedule = _schedule(request, pk)
    response = render(request, "delivery/plan_progress.html", _progress(schedule, now=timezone.now()))
    if schedule.status not in RUNNING:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def schedule_accept(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    schedule = _schedule(request, pk)
    with refusals_flashed(request) as refused:
        planned = services.schedule_accept(actor=request.user, schedule=schedule)
    if not refused:
        messages.success(
            request, _("已采用本排期：%(n)s 台电梯的施工告知、施工、检验等计划日期已更新。") % {"n": planned}
        )
    return HttpResponseRedirect(reverse("schedule_detail", args=[schedule.pk]))
