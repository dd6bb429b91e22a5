"""Login throttling: django-axes with one limit per account and a higher one per client address.

Axes records each failed login (AccessAttempt rows: username × address × browser) and refuses
further attempts once a lockout group has reached AXES_FAILURE_LIMIT within AXES_COOLOFF_TIME.
Its groups are configured in AXES_LOCKOUT_PARAMETERS ([["username"], ["ip_address"]] here), but
it compares all of them with one limit. One limit does not fit both:

- per account (AXES_FAILURE_LIMIT, 10): guessing one account's password stops after 10 tries
  within the cool-off, from whatever addresses they come;
- per address (GONGZHI_LOGIN_ADDRESS_FAILURE_LIMIT, 50): spraying one password over many accounts
  from one address stops too, while a whole estate or office behind one NAT address is not locked
  out by one colleague's forgotten password.

`LoginThrottleHandler.get_failures` therefore reports each group's failures scaled to the account
limit (a group is at the limit exactly when it has reached its own limit), and a successful login
resets the account's failures only: resetting the whole address (axes' default) would let an
attacker who owns one account clear the address's count by logging into it between guesses.

`locked_until` tells the lockout page (core.views.login_lockout) when the visitor may try again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.handlers.database import AxesDatabaseHandler  # type: ignore[import-untyped]
from axes.helpers import (  # type: ignore[import-untyped]
    get_client_username,
    get_cool_off,
    get_failure_limit,
    get_lockout_parameters,
)
from axes.models import AccessAttempt  # type: ignore[import-untyped]
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest


def group_limit(parameters: str | list[str], account_limit: int) -> int:
    """The limit of one lockout group: the address alone has its own (higher) limit."""
    names = [parameters] if isinstance(parameters, str) else list(parameters)
    if names == ["ip_address"]:
        return int(settings.GONGZHI_LOGIN_ADDRESS_FAILURE_LIMIT)
    return account_limit


class LoginThrottleHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """Axes' database handler with a limit per lockout group (see the module docstring)."""

    def _groups(self, request: HttpRequest, credentials: dict[str, Any] | None) -> list[tuple[int, QuerySet[Any]]]:
        account_limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        return [(group_limit(p, account_limit), a) for p, a in zip(parameters, attempts, strict=True)]

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        account_limit = get_failure_limit(request, credentials)
        worst = 0
        for limit, attempts in self._groups(request, credentials):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            worst = max(worst, failures * account_limit // limit)
        return worst

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        username = get_client_username(request, credentials)
        if username is None:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return int(count)

    def locked_until(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> dt.datetime | None:
        """When the newest lock among the groups at their limit ends (None: no lock in force)."""
        cool_off = get_cool_off(request)
        if cool_off is None:
            return None
        until: dt.datetime | None = None
        for limit, attempts in self._groups(request, credentials):
            totals = attempts.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
            if (totals["n"] or 0) >= limit and totals["last"] is not None:
                ends = totals["last"] + cool_off
                until = ends if until is None else max(until, ends)
        return until
