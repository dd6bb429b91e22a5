"""Reads of residents' suggestions: who sees which, the clocks (overdue, due soon), the masked text
of the public board, and the dashboard's rates.

Staff see the suggestions of their scope (VIEW_SUGGESTIONS at the subdistrict, community or
estate); a department's members see only what was dispatched to their department; a resident sees
their own (and the one theirs was merged into); a deputy sees what was escalated to them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from gongzhi.core.actors import Actor, acting_user
from gongzhi.core.masking import mask_personal_data
from gongzhi.places.access import Action, scope_q, scoped, user_access
from gongzhi.suggestions.models import (
    OPEN_STATUSES,
    Department,
    Rating,
    Status,
    Suggestion,
    SuggestionCategory,
)
from gongzhi.workdays.calendar import Calendar


def has_staff_scope(user: Actor, action: Action = Action.VIEW_SUGGESTIONS) -> bool:
    """Does the user hold `action` anywhere (the staff inbox and dashboard)?"""
    return not user_access(user).grants(action).empty


def access_staff(user: Actor, action: Action = Action.VIEW_SUGGESTIONS) -> QuerySet[Suggestion]:
    """The suggestions in the user's staff scope (VIEW_SUGGESTIONS at a subdistrict, community or
    estate); owners see theirs through access_own, not by ownership."""
    return scoped(user, action, Suggestion.objects.all())


def department_ids(user: Actor) -> list[int]:
    member = acting_user(user)
    if member is None:
        return []
    return list(Department.objects.filter(members=member).values_list("id", flat=True))


def access_department(user: Actor) -> QuerySet[Suggestion]:
    """What was dispatched to the user's departments (and nothing else)."""
    return Suggestion.objects.filter(department_id__in=department_ids(user)).exclude(status=Status.SUBMITTED)


def access_own(user: Actor) -> QuerySet[Suggestion]:
    submitter = acting_user(user)
    if submitter is None:
        return Suggestion.objects.none()
    return Suggestion.objects.filter(submitter=submitter)


def access_visible(user: Actor) -> QuerySet[Suggestion]:
    """Every suggestion the user may open: staff scope, their departments', their own, the ones
    theirs were merged into, and those escalated to them as a deputy."""
    if not getattr(user, "is_authenticated", False):
        return Suggestion.objects.none()
    q = scope_q(user, Action.VIEW_SUGGESTIONS, Suggestion)
    if q is None:
        return Suggestion.objects.all()
    depts = department_ids(user)
    q |= Q(department_id__in=depts) & ~Q(status=Status.SUBMITTED)
    q |= Q(submitter=user) | Q(merged_from__submitter=user) | Q(deputy__user=user)
    return Suggestion.objects.filter(q).distinct()


# --- clocks -------------------------------------------------------------------------------------


def is_overdue(s: Suggestion, today: dt.date) -> bool:
    """Not answered (still open) and today is after the due date; on the due day it is not."""
    return s.status in OPEN_STATUSES and today > s.due_on


def due_soon_limit(calendar: Calendar, today: dt.date, reminder_days: int) -> dt.date:
    """A suggestion is due soon when today ≤ due_on ≤ the date `reminder_days` working days after today."""
    return calendar.due_date(today, reminder_days)


def is_due_soon(s: Suggestion, today: dt.date, calendar: Calendar) -> bool:
    return s.status in OPEN_STATUSES and today <= s.due_on <= due_soon_limit(calendar, today, s.category.reminder_days)


def overdue_q(today: dt.date) -> Q:
    return Q(status__in=list(OPEN_STATUSES), due_on__lt=today)


def due_soon_q(today: dt.date, calendar: Calendar, categories: list[SuggestionCategory]) -> Q:
    q = Q(pk__in=[])
    for c in categories:
        q |= Q(category_id=c.pk, due_on__lte=due_soon_limit(calendar, today, c.reminder_days))
    return q & Q(status__in=list(OPEN_STATUSES), due_on__gte=today)


# --- the public board ---------------------------------------------------------------------------


def mask(text: str) -> str:
    """Hide mobile and landline numbers, resident ID numbers and e-mail addresses in free text,
    however written (gongzhi.core.masking)."""
    return mask_personal_data(text)


def board(subdistrict_id: int | None = None) -> QuerySet[Suggestion]:
    """What the public board lists: no merged ones, no personal data loaded."""
    qs = (
        Suggestion.objects.filter(merged_into__isnull=True)
        .select_related("category")
        .only(
            "public_id",
            "title",
            "text",
            "place",
            "status",
            "received_on",
            "answered_at",
            "answer",
            "category__name",
        )
    )
    return qs if subdistrict_id is None else qs.filter(subdistrict_id=subdistrict_id)


# --- the dashboard ------------------------------------------------------------------------------


@dataclass
class Rates:
    key: str
    total: int = 0
    answered: int = 0
    closed: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0

    @staticmethod
    def pct(n: int, d: int) -> float | None:
        return round(100 * n / d, 1) if d else None

    @property
    def response_rate(self) -> float | None:
        return self.pct(self.answered, self.total)

    @property
    def resolution_rate(self) -> float | None:
        return self.pct(self.closed, self.total)

    @property
    def on_time_rate(self) -> float | None:
        return self.pct(self.on_time, self.answered)

    @property
    def satisfaction_rate(self) -> float | None:
        return self.pct(self.satisfied, self.rated)


def rates(qs: QuerySet[Suggestion]) -> dict[str, list[Rates]]:
    """Response (answered / all), resolution (closed / all), on-time (answered by the due date /
    answered) and satisfaction (satisfied or basically satisfied / rated) by department and by month
    received. Merged suggestions are left out. One query."""
    by: dict[str, dict[str, Rates]] = {"department": {}, "month": {}}
    rows = qs.filter(merged_into__isnull=True).values(
        "department__name", "received_on", "answered_at", "answered_late", "status", "rating"
    )
    for r in rows:
        keys = {"department": r["department__name"] or "—", "month": r["received_on"].strftime("%Y-%m")}
        for level, key in keys.items():
            x = by[level].setdefault(key, Rates(key))
            x.total += 1
            answered = r["answered_at"] is not None
            x.answered += answered
            x.on_time += answered and not r["answered_late"]
            x.closed += r["status"] == Status.CLOSED
            x.rated += bool(r["rating"])
            x.satisfied += r["rating"] in (Rating.SATISFIED, Rating.BASIC)
    return {level: sorted(v.values(), key=lambda x: x.key) for level, v in by.items()}
