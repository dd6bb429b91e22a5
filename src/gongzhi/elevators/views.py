"""Elevator and campaign pages: an elevator's facts and why it has its tier and score; the
campaigns, their ranked lists (filtered, paginated) and the Excel download.

parse → access check → service → render (DESIGN.md convention 2). Objects are looked up in
the user's scope; outside it they do not exist (404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.core.forms import refusals_flashed, refusals_on
from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.exports import XLSX_CONTENT_TYPE, campaign_workbook, workbook_file_name
from gongzhi.elevators.forms import CampaignForm, EntryFilterForm, manageable_subdistricts
from gongzhi.elevators.models import Campaign, Elevator, InspectionResult, Tier
from gongzhi.elevators.selectors import (
    access_campaigns,
    access_elevators,
    campaign_entries,
    explain,
    facts_for,
    local_today,
)
from gongzhi.elevators.services import campaign_open, campaign_rank
from gongzhi.places.access import Action

PAGE_SIZE = 50

DEVICE_CODE_WARNINGS = {
    "bad_year": gettext_lazy("设备代码中的制造年份不合理，请核对。"),
    "unknown_form": gettext_lazy("设备代码既不是18位新码，也不是20位旧码，请核对。"),
}

FACTOR_LABELS = {
    "age": gettext_lazy("梯龄(年)"),
    "faults": gettext_lazy("近12个月故障(次)"),
    "entrapments": gettext_lazy("近12个月困人(次)"),
    "inspection": gettext_lazy("最近定期检验"),
    "households": gettext_lazy("服务户数"),
}


@dataclass
class ElevatorRow:
    """One elevator in a list, with its tier on `today` under the default rule."""

    elevator: Elevator
    age_years: int
    tier: str
    tier_label: str
    by_assessment: bool
    faults_12m: int
    households: int


def elevator_rows(elevators: Sequence[Elevator], today: dt.date) -> list[ElevatorRow]:
    """Tiers and facts of many elevators with a fixed number of queries (none when empty)."""
    if not elevators:
        return []
    facts = facts_for([e.pk for e in elevators], today)
    rows = []
    for elevator in elevators:
        f = facts[elevator.pk]
        result = elig.classify(elevator.commissioned_on, today, elig.TierRule(), f.latest_assessment)
        rows.append(
            ElevatorRow(
                elevator=elevator,
                age_years=result.age_years,
                tier=result.tier.value,
                tier_label=str(Tier(result.tier.value).label),
                by_assessment=result.by_assessment,
                faults_12m=f.faults_12m,
                households=f.households,
            )
        )
    return rows


def _factor_value(key: str, value: str) -> str:
    if key == "inspection":
        return str(InspectionResult(value).label) if value in InspectionResult.values else _("无记录")
    return value


@login_required
def elevator_detail(request: HttpRequest, device_code: str) -> HttpResponse:
    elevator: Elevator = get_object_or_404(
        access_elevators(request.user).select_related("entrance__building__estate__community__subdistrict"),
        device_code=device_code,
    )
    today = local_today()
    why = explain(elevator, today)
    factors = [
        {
            "label": FACTOR_LABELS.get(f.key, f.key),
            "value": _factor_value(f.key, f.value),
            "weight": f.weight,
            "points": f.points,
        }
        for f in why.score.factors
    ]
    entries = (
        elevator.campaign_entries.filter(campaign__in=access_campaigns(request.user))
        .select_related("campaign")
        .order_by("-campaign__reference_date")
    )
    warning = elevator.device_code_warning
    entrance = elevator.entrance
    return render(
        request,
        "elevators/elevator.html",
        {
            "elevator": elevator,
            "entrance": entrance,
            "building": entrance.building,
            "estate": entrance.building.estate,
            "why": why,
            "tier_label": Tier(why.eligibility.tier.value).label,
            "factors": factors,
            "entries": entries,
            "warning": DEVICE_CODE_WARNINGS.get(warning, warning) if warning else None,
            "faults": elevator.faults.all()[:200],
            "inspections": elevator.inspections.all(),
            "assessments": elevator.assessments.all(),
            "today": today,
        },
    )


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = access_campaigns(request.user).order_by("-reference_date", "-id")
    return render(
        request,
        "elevators/campaign_list.html",
        {"campaigns": campaigns, "can_create": manageable_subdistricts(request.user).exists()},
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    subdistricts = manageable_subdistricts(request.user)
    if not subdistricts.exists():
        raise Http404(_("未找到，或您无权查看。"))
    if request.method == "POST":
        form = CampaignForm(request.POST, subdistricts=subdistricts)
        if form.is_valid():
            data = form.cleaned_data
            with refusals_on(form) as refused:
                campaign = campaign_open(
                    actor=request.user,
                    subdistrict=data["subdistrict"],
                    name=data["name"],
                    reference_date=data["reference_date"],
                    deadline=data["deadline"],
                    eligible_years=data["eligible_years"],
                    priority_years=data["priority_years"],
                )
            if not refused:
                messages.success(request, _("已开启更新行动，并完成排序。"))
                return redirect("campaign_detail", pk=campaign.pk)
    else:
        today = local_today()
        form = CampaignForm(
            subdistricts=subdistricts,
            initial={"reference_date": today, "deadline": today + dt.timedelta(days=180)},
        )
    return render(request, "elevators/campaign_form.html", {"form": form})


def _campaign_in_scope(request: HttpRequest, pk: int) -> Campaign:
    campaign: Campaign = get_object_or_404(access_campaigns(request.user), pk=pk)
    return campaign


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_in_scope(request, pk)
    form = EntryFilterForm(request.GET or None, user=request.user, campaign=campaign)
    filters = form.filters()
    entries = campaign_entries(request.user, campaign, **filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    summary = dict(
        campaign_entries(request.user, campaign, qualifying_only=False)
        .order_by()
        .values("tier")
        .annotate(n=Count("id"))
        .values_list("tier", "n")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "campaign": campaign,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "summary": [(Tier(t).label, t, summary.get(t, 0)) for t in Tier.values],
        "can_manage": request.user.has_perm(f"places.{Action.MANAGE_CAMPAIGN.value}", campaign),
        "export_url": reverse("campaign_export", args=[campaign.pk]) + (f"?{query.urlencode()}" if query else ""),
    }
    return render(request, "elevators/campaign_detail.html", context)


@login_required
@require_POST
def campaign_rank_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_in_scope(request, pk)
    with refusals_flashed(request) as refused:
        n = campaign_rank(actor=request.user, campaign=campaign)
    if not refused:
        messages.success(request, _("已重新排序 %(n)d 部电梯。") % {"n": n})
    return HttpResponseRedirect(reverse("campaign_detail", args=[campaign.pk]))


@login_required
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_in_scope(request, pk)
    form = EntryFilterForm(request.GET or None, user=request.user, campaign=campaign)
    entries = campaign_entries(request.user, campaign, **form.filters())
    data = campaign_workbook(campaign=campaign, entries=entries)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{workbook_file_name(campaign)}"
    return response
