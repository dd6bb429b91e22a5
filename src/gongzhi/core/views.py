"""Pages of the core: login, logout and the dashboard (home).

Views are parse → access check → service → render (DESIGN.md convention 2); every read goes
through an access_* selector so a user sees their scope only.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from axes.handlers.proxy import AxesProxyHandler  # type: ignore[import-untyped]
from axes.helpers import get_cool_off  # type: ignore[import-untyped]
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.selectors import dashboard
from gongzhi.places.access import Action, user_access


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


def _wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return (
        request.path.startswith("/api/")
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
        or ("application/json" in accept and "text/html" not in accept)
    )


def login_lockout(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The answer to a login refused by the throttle (AXES_LOCKOUT_CALLABLE): 429 with Retry-After
    and the time to try again, a page in the site's look (JSON for API clients), for the site's
    login and the admin's alike. The lock counts per account and per client address
    (core.login_throttle); the page does not say which, nor whether the account exists."""
    now = timezone.now()
    until = AxesProxyHandler.get_implementation().locked_until(request, credentials)
    if until is None or until <= now:  # the lock is being set by this very request
        until = now + (get_cool_off(request) or dt.timedelta(minutes=15))
    retry_after = max(1, math.ceil((until - now).total_seconds()))
    local_until = timezone.localtime(until)
    message = _("登录失败次数过多，已暂时锁定。请在 %(time)s 后再试。") % {"time": f"{local_until:%H:%M}"}
    if _wants_json(request):
        response: HttpResponse = JsonResponse(
            {"detail": message, "code": "login_locked", "retry_after": retry_after, "locked_until": until.isoformat()},
            status=429,
        )
    else:
        response = render(
            request,
            "core/lockout.html",
            {"until": local_until, "minutes": math.ceil(retry_after / 60), "message": message},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class LogoutView(auth_views.LogoutView):
    """Logs out on POST only (Django 5 refuses GET)."""


def can(user: Any, action: Action) -> bool:
    """Does the user hold `action` anywhere? (Links are shown only to those who may follow them.)"""
    return not user_access(user).grants(action).empty


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The elevator dashboard of the user's scope. Someone with no role in any place whose business
    here is a talent pool (a cadre, a unit's contact, an instructor) is taken to the pool instead."""
    access = user_access(request.user)
    if not access.assignments and not access.superuser:
        from gongzhi.talent.access import has_talent_access

        if has_talent_access(request.user):
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
    return render(request, "core/dashboard.html", context)


def _tier_label(tier: elig.Tier) -> str:
    from gongzhi.elevators.models import Tier

    return str(Tier(tier.value).label)


@login_required
def affairs(request: HttpRequest) -> HttpResponse:
    """Community affairs in one place: residents' suggestions, public-revenue ledgers, deliberation
    councils, spaces for services, and the young cadres' talent pool — each link shown to those who
    may follow it (the user's role assignments, department memberships, and up to three queries for the pool)."""
    from gongzhi.suggestions.selectors import department_ids
    from gongzhi.talent.access import has_talent_access

    user = request.user
    links = {
        "department": bool(department_ids(user)),
        "inbox": can(user, Action.VIEW_SUGGESTIONS),
        "dashboard": can(user, Action.VIEW_SUGGESTIONS),
        "ledgers": can(user, Action.VIEW_LEDGER),
        "spaces": can(user, Action.MANAGE_SPACES),
        "talent": has_talent_access(user),
    }
    return render(request, "core/affairs.html", {"links": links})
