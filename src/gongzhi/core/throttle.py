"""Shared failure counters for rate limits (the meeting sign-in, and any other guessing limit).

A `Rule` names a kind of failure (`scope`), how many are allowed (`limit`) and over how long
(`window`). `throttle_fail` records one failure of a subject (e.g. a meeting and a client
address, or a meeting and the name tried) and returns until when the subject is blocked once the
limit is reached; `throttle_blocked_until` says whether it is blocked now; `throttle_reset`
forgets it (after a success that proves the subject legitimate).

The counters live in the database (core.models.Throttle), so every worker process and every
server counts the same failures; a per-process cache (Django's default LocMem) would give each
process its own count, and a restart would forget them all. The row is locked
(SELECT … FOR UPDATE) while it is read and written, so on PostgreSQL concurrent failures each
count once; SQLite lets one writer in at a time (transaction_mode IMMEDIATE) anyway.

Subjects are stored as a keyed hash (HMAC-SHA256 with SECRET_KEY), so the table holds no names,
phone digits or addresses in clear (PIPL: keep no more than needed) and cannot be reversed by
trying every IPv4 address.

Semantics: a fixed window opens at a subject's first failure; the `limit`-th failure within it
blocks the subject for a whole `window` from that moment; failures while blocked are not counted
and do not extend the block (the page can then tell the visitor a definite time); after the block
or the window ends the count starts again from zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from gongzhi.core.models import Throttle


@dataclass(frozen=True)
class Rule:
    scope: str  # at most 64 characters, e.g. "meeting-sign-in:address"
    limit: int  # failures within the window that block the subject
    window: dt.timedelta  # how long failures are counted, and how long a block lasts


def subject_key(scope: str, parts: tuple[object, ...]) -> str:
    """The stored key of a subject: a keyed hash of its parts (64 hex characters)."""
    message = "\x1f".join(str(part) for part in parts)
    return salted_hmac(f"gongzhi.core.throttle:{scope}", message, algorithm="sha256").hexdigest()


def _now(now: dt.datetime | None) -> dt.datetime:
    return timezone.now() if now is None else now


def throttle_blocked_until(rule: Rule, *parts: object, now: dt.datetime | None = None) -> dt.datetime | None:
    """Until when the subject is blocked, or None if it may try now."""
    now = _now(now)
    row = Throttle.objects.filter(scope=rule.scope, key=subject_key(rule.scope, parts)).first()
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return None
    return row.blocked_until


@transaction.atomic
def throttle_fail(rule: Rule, *parts: object, now: dt.datetime | None = None) -> dt.datetime | None:
    """Count one failure of the subject; returns until when it is blocked (None if not blocked)."""
    now = _now(now)
    key = subject_key(rule.scope, parts)
    row, created = Throttle.objects.select_for_update().get_or_create(
        scope=rule.scope, key=key, defaults={"count": 1, "window_start": now}
    )
    if created:
        _purge(rule, now)
    elif row.blocked_until is not None and row.blocked_until > now:
        return row.blocked_until  # already blocked: neither counted nor extended
    elif row.blocked_until is not None or row.window_start <= now - rule.window:
        row.count, row.window_start, row.blocked_until = 1, now, None  # a new window
    else:
        row.count += 1
    if row.count >= rule.limit:
        row.blocked_until = now + rule.window
    if not created or row.blocked_until is not None:
        row.save(update_fields=["count", "window_start", "blocked_until"])
    return row.blocked_until


def throttle_reset(rule: Rule, *parts: object) -> None:
    """Forget the subject's failures (e.g. after it proved itself by succeeding)."""
    Throttle.objects.filter(scope=rule.scope, key=subject_key(rule.scope, parts)).delete()


def _purge(rule: Rule, now: dt.datetime) -> None:
    """Drop this scope's counters whose window and block are both over (they would start from
    zero anyway), so the table holds only live subjects. Runs when a new subject appears."""
    Throttle.objects.filter(scope=rule.scope, window_start__lte=now - rule.window).filter(
        Q(blocked_until__isnull=True) | Q(blocked_until__lte=now)
    ).delete()
