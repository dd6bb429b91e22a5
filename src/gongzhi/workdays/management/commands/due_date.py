"""`gongzhi due-date --start YYYY-MM-DD --working-days N`: the date reached by counting N working
days after the start date under the official calendar (workdays.calendar; the database's calendar
when it is reachable, the shipped years otherwise). Prints the date; exit 2 with one line on stderr
on bad input."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from gongzhi.workdays import calendar as cal

MAX_WORKING_DAYS = 10_000


class Command(BaseCommand):
    help = "Due date: count N working days after a start date under the official calendar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", required=True, help="the start date, YYYY-MM-DD (not counted)")
        parser.add_argument("--working-days", required=True, help="how many working days to count")

    def _fail(self, message: str) -> NoReturn:
        sys.stderr.write(f"gongzhi due-date: {message}\n")
        raise SystemExit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["start"]
        try:
            start = dt.date.fromisoformat(text)
        except ValueError:
            self._fail(f"--start is not a date written YYYY-MM-DD: {text!r}")
        if start.isoformat() != text:
            self._fail(f"--start is not a date written YYYY-MM-DD: {text!r}")
        raw = options["working_days"]
        if not raw.isdigit():
            self._fail(f"--working-days must be a whole number of 0 or more, not {raw!r}")
        n = int(raw)
        if n > MAX_WORKING_DAYS:
            self._fail(f"--working-days must be at most {MAX_WORKING_DAYS}")
        calendar = _calendar()
        try:
            due = calendar.due_date(start, n)
        except OverflowError:
            self._fail("the due date is beyond the year 9999")
        sys.stdout.write(due.isoformat() + "\n")


def _calendar() -> cal.Calendar:
    """The stored calendar (staff may have added a year); the shipped one without a database."""
    try:
        from gongzhi.workdays.services import current_calendar

        stored = current_calendar()
    except DatabaseError:  # no database reachable or not migrated: the shipped years still answer
        return cal.shipped_calendar()
    return stored if stored.known_years else cal.shipped_calendar()
