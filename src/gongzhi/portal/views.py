"""The portal, the top floor: the home page of each role and the community-affairs hub.

These pages read several apps (elevators, suggestions, talent), so they live above all of them;
the ground floor (`core`) keeps only login, logout and the error pages. Views are parse → access
check → service → render (DESIGN.md convention 2); every read goes through an access_* selector so
a user sees their scope only.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.actors import Actor
from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.models import Tier
from gongzhi.elevators.selectors import access_campaigns, dashboard
from gongzhi.places.access import Action, user_access
from gongzhi.portal.selectors import STATUS_LABELS, campaign_board
from gongzhi.suggestions.selectors import department_ids
from gongzhi.talent.access import has_talent_access


def can(user: Actor, action: Action) -> bool:
    """Does the user hold `action` anywhere? (Links are shown only to those who may follow them.)"""
    return not user_access(user).grants(action).empty


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The elevator dashboard of the user's scope. Someone with no role in any place whose business
    here is a talent pool (a cadre, a unit's contact, an instructor) is taken to the pool instead."""
    access = user_access(request.user)
    if not access.assignments and not access.superuser and has_talent_access(request.user):
        return redirect("talent_home")
    board = dashboard(request.user)
    rule = board.rule
    tier_labels = {
        elig.Tier.PRIORITY.value: str(_tier_label(elig.Tier.PRIORITY)),
        elig.Tier.ELIGIBLE.value: str(_tier_label(elig.Tier.ELIGIBLE)),
        elig.Tier.NOT_ELIGIBLE.value: str(_tier_label(elig.Tier.NOT_ELIGIBLE)),
    }
    charts = {
        "ages": [age for age, _n in board.age_histogram],
        "age_counts": [n for _age, n in board.age_histogram],
        "eligible_years": rule.eligible_years,
        "priority_years": rule.priority_years,
        "months": [month for month, _n in board.faults_by_month],
        "month_faults": [n for _month, n in board.faults_by_month],
        "labels": {
            "elevators": _("电梯数"),
            "years": _("投用年数"),
            "faults": _("故障次数"),
            **tier_labels,
        },
        "tiers": [{"key": key, "name": tier_labels[key], "value": board.tiers.get(key, 0)} for key in tier_labels],
    }
    context = {
        "board": board,
        "charts": charts,
        "priority": board.tiers.get(elig.Tier.PRIORITY.value, 0),
        "eligible": board.tiers.get(elig.Tier.ELIGIBLE.value, 0),
        "not_eligible": board.tiers.get(elig.Tier.NOT_ELIGIBLE.value, 0),
        "can_import": can(request.user, Action.CHANGE_REGISTRY),
        "can_manage_campaigns": can(request.user, Action.MANAGE_CAMPAIGN),
    }
    return render(request, "portal/dashboard.html", context)


def _tier_label(tier: elig.Tier) -> str:
    return str(Tier(tier.value).label)


@login_required
def affairs(request: HttpRequest) -> HttpResponse:
    """Community affairs in one place: residents' suggestions, public-revenue ledgers, deliberation
    councils, spaces for services, and the young cadres' talent pool — each link shown to those who
    may follow it (the user's role assignments, department memberships, and up to three queries for the pool)."""
    user = request.user
    links = {
        "department": bool(department_ids(user)),
        "inbox": can(user, Action.VIEW_SUGGESTIONS),
        "dashboard": can(user, Action.VIEW_SUGGESTIONS),
        "ledgers": can(user, Action.VIEW_LEDGER),
        "spaces": can(user, Action.MANAGE_SPACES),
        "talent": has_talent_access(user),
    }
    return render(request, "portal/affairs.html", {"links": links})


@login_required
@require_GET
def board(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Per estate and entrance: the three decisions' state and participation, to see which to visit."""
    campaign = get_object_or_404(access_campaigns(request.user), pk=campaign_id)
    rows = campaign_board(request.user, campaign)
    counts = {"none": 0, "open": 0, "passed": 0, "failed": 0}
    for row in rows:
        if row.replace is None:
            counts["none"] += 1
        elif all(m is not None and m.status == "passed" for m in (row.replace, row.brand, row.funding)):
            counts["passed"] += 1
        elif any(m is not None and m.status == "failed" for m in (row.replace, row.brand, row.funding)):
            counts["failed"] += 1
        else:
            counts["open"] += 1
    return render(
        request,
        "portal/campaign_board.html",
        {"campaign": campaign, "rows": rows, "counts": counts, "labels": STATUS_LABELS},
    )
