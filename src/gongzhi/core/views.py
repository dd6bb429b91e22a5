"""Pages of the core: login, logout and the lockout answer. The home dashboard and the
community-affairs hub read apps above the ground floor, so they live in `gongzhi.portal`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from axes.handlers.proxy import AxesProxyHandler  # type: ignore[import-untyped]
from axes.helpers import get_cool_off  # type: ignore[import-untyped]
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


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
