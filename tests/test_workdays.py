"""The official calendar and due dates in working days (workdays.calendar, gongzhi due-date)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from gongzhi.workdays import calendar as cal
from gongzhi.workdays.models import CalendarDay, CalendarYear
from gongzhi.workdays.services import calendar_install_shipped, current_calendar

D = dt.date
C = cal.shipped_calendar()


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2025, 9, 30), 3, D(2025, 10, 11)),  # the example: 1-8 Oct off, Sat 11 Oct worked
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 9, 30), 2, D(2025, 10, 10)),
        (D(2025, 9, 30), 4, D(2025, 10, 13)),
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # Sunday 28 Sept 2025 is a make-up working day
        (D(2025, 9, 30), 0, D(2025, 9, 30)),  # nothing to count: the start itself
        (D(2025, 10, 4), 0, D(2025, 10, 4)),  # even on a holiday
        (D(2025, 10, 3), 1, D(2025, 10, 9)),  # counting from inside the holiday
        (D(2025, 1, 24), 1, D(2025, 1, 26)),  # Sun 26 Jan 2025 worked before the Spring Festival
        (D(2025, 1, 27), 1, D(2025, 2, 5)),  # 28 Jan - 4 Feb off
        (D(2025, 2, 7), 1, D(2025, 2, 8)),  # Sat 8 Feb 2025 worked
        (D(2024, 12, 31), 1, D(2025, 1, 2)),  # 1 Jan off, across the year
        (D(2024, 9, 13), 1, D(2024, 9, 14)),  # Sat 14 Sept 2024 worked before Mid-Autumn
        (D(2024, 9, 14), 1, D(2024, 9, 18)),  # 15-17 Sept 2024 off
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Sat 14 Feb 2026 worked
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # 15-23 Feb 2026 off
        (D(2026, 2, 27), 1, D(2026, 2, 28)),  # Sat 28 Feb 2026 worked
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # 1-7 Oct 2026 off
        (D(2026, 10, 9), 1, D(2026, 10, 10)),  # Sat 10 Oct 2026 worked
        (D(2027, 1, 1), 1, D(2027, 1, 4)),  # a year without an arrangement: weekends only
    ],
)
def test_due_dates(start: dt.date, n: int, due: dt.date) -> None:
    assert C.due_date(start, n) == due


def test_every_shipped_make_up_day_is_a_weekend_and_every_holiday_run_is_named() -> None:
    days = cal.shipped_days()
    for day, (kind, name) in days.items():
        if kind == cal.WORKDAY:
            assert day.weekday() >= 5, day
        assert name
    assert {a.year for a in cal.SHIPPED} == {2024, 2025, 2026}
    # Days off per year as the notices list them, weekends inside included: 2024 1+8+3+5+1+3+7,
    # 2025 1+8+3+5+3+8, 2026 3+9+3+5+3+3+7.
    off = {y: sum(1 for d, (k, _n) in days.items() if k == cal.HOLIDAY and d.year == y) for y in (2024, 2025, 2026)}
    assert off == {2024: 28, 2025: 28, 2026: 33}


def test_working_days_between_is_the_inverse_of_due_date() -> None:
    start = D(2025, 9, 20)
    for n in range(40):
        assert C.working_days_between(start, C.due_date(start, n)) == n
    assert C.working_days_between(D(2025, 10, 11), D(2025, 9, 30)) == -3


def test_negative_working_days_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        C.due_date(D(2025, 1, 1), -1)


def test_covers_only_shipped_years() -> None:
    assert C.covers(D(2026, 12, 31))
    assert not C.covers(D(2027, 1, 1))


@pytest.mark.django_db
def test_install_is_idempotent_and_keeps_edits() -> None:
    # post_migrate installed the shipped years in the test database already.
    assert set(CalendarYear.objects.values_list("year", flat=True)) == {2024, 2025, 2026}
    count = CalendarDay.objects.count()
    assert count == len(cal.shipped_days())
    CalendarDay.objects.filter(date=D(2025, 10, 11)).delete()  # staff correct a day
    assert calendar_install_shipped() == 0
    assert CalendarDay.objects.count() == count - 1
    assert current_calendar().due_date(D(2025, 9, 30), 3) == D(2025, 10, 13)


@pytest.mark.django_db
def test_a_new_year_is_data() -> None:
    CalendarYear.objects.create(year=2027, source="test")
    CalendarDay.objects.create(date=D(2027, 1, 1), kind=cal.HOLIDAY, name="元旦")
    calendar = current_calendar()
    assert calendar.covers(D(2027, 6, 1))
    assert calendar.due_date(D(2026, 12, 31), 1) == D(2027, 1, 4)


@pytest.mark.django_db
def test_command_prints_the_due_date(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("due_date", "--start", "2025-09-30", "--working-days", "3")
    assert capsys.readouterr().out == "2025-10-11\n"


@pytest.mark.parametrize(
    ("start", "n", "fragment"),
    [
        ("2025-9-30", "3", "--start is not a date"),
        ("2025-13-01", "3", "--start is not a date"),
        ("yesterday", "3", "--start is not a date"),
        ("2025-09-30", "-1", "--working-days must be a whole number"),
        ("2025-09-30", "1.5", "--working-days must be a whole number"),
        ("2025-09-30", "three", "--working-days must be a whole number"),
        ("2025-09-30", "10001", "at most"),
        ("9999-12-30", "5", "beyond the year 9999"),
    ],
)
def test_command_refuses_bad_input(start: str, n: str, fragment: str) -> None:
    binary = Path(sys.executable).parent / "gongzhi"
    run = subprocess.run(  # noqa: S603 - our own command with test arguments
        [str(binary), "due-date", "--start", start, "--working-days", n],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert fragment in lines[0]
