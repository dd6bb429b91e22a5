"""The official calendar in the database: installing the shipped years, reading it as a Calendar."""

from __future__ import annotations

from django.db import transaction

from gongzhi.workdays import calendar as cal
from gongzhi.workdays.models import CalendarDay, CalendarYear


def calendar_install_shipped() -> int:
    """Add the shipped years that are not in the database yet (a year already there is left as
    staff may have edited it). Returns how many years were added."""
    added = 0
    with transaction.atomic():
        have = set(CalendarYear.objects.values_list("year", flat=True))
        days = cal.shipped_days()
        for arrangement in cal.SHIPPED:
            if arrangement.year in have:
                continue
            CalendarYear.objects.create(year=arrangement.year, source=arrangement.source)
            CalendarDay.objects.bulk_create(
                [
                    CalendarDay(date=d, kind=kind, name=name)
                    for d, (kind, name) in sorted(days.items())
                    if d.year == arrangement.year
                ],
                ignore_conflicts=True,
            )
            added += 1
    return added


def current_calendar() -> cal.Calendar:
    """The calendar as stored (two queries)."""
    return cal.Calendar(
        dict(CalendarDay.objects.values_list("date", "kind")),
        CalendarYear.objects.values_list("year", flat=True),
    )
