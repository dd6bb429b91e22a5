"""Working days under the official calendar (pure Python, no database).

A day is a working day when it is Monday to Friday and not a public holiday, or when it is a
make-up working day (调休上班) on a weekend. Public holidays and make-up days come from each year's
notice of the General Office of the State Council on the arrangement of some holidays (国务院办公厅
关于部分节假日安排的通知), under the Regulations on National Annual Leave and Commemorative Days
(《全国年节及纪念日放假办法》, as amended 2024). They are stored as data (workdays.models.CalendarDay)
and the three years below are shipped; a new year's notice is added as rows, not a release.

`due_date(start, n)`: the date reached by counting n working days after `start` (the start day
itself is not counted, whatever it is). n = 0 gives `start`. This is how time limits in working
days are counted for residents' suggestions (the 12345 hotline rules count from the day after
intake). Example: 2025-09-30 + 3 working days = 2025-10-11 (1–8 October are holidays; Saturday 11
October is a make-up working day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

HOLIDAY = "holiday"
WORKDAY = "workday"  # a make-up working day on a weekend


@dataclass(frozen=True)
class Arrangement:
    """One year's arrangement: days off (holiday) and weekend days worked (workday)."""

    year: int
    source: str
    holidays: tuple[tuple[dt.date, dt.date, str], ...]
    workdays: tuple[dt.date, ...]


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


SHIPPED: tuple[Arrangement, ...] = (
    Arrangement(
        2024,
        "国办发明电〔2023〕7号 国务院办公厅关于2024年部分节假日安排的通知",
        (
            (_d("2024-01-01"), _d("2024-01-01"), "元旦"),
            (_d("2024-02-10"), _d("2024-02-17"), "春节"),
            (_d("2024-04-04"), _d("2024-04-06"), "清明节"),
            (_d("2024-05-01"), _d("2024-05-05"), "劳动节"),
            (_d("2024-06-10"), _d("2024-06-10"), "端午节"),
            (_d("2024-09-15"), _d("2024-09-17"), "中秋节"),
            (_d("2024-10-01"), _d("2024-10-07"), "国庆节"),
        ),
        tuple(
            _d(x)
            for x in (
                "2024-02-04",
                "2024-02-18",
                "2024-04-07",
                "2024-04-28",
                "2024-05-11",
                "2024-09-14",
                "2024-09-29",
                "2024-10-12",
            )
        ),
    ),
    Arrangement(
        2025,
        "国办发明电〔2024〕12号 国务院办公厅关于2025年部分节假日安排的通知",
        (
            (_d("2025-01-01"), _d("2025-01-01"), "元旦"),
            (_d("2025-01-28"), _d("2025-02-04"), "春节"),
            (_d("2025-04-04"), _d("2025-04-06"), "清明节"),
            (_d("2025-05-01"), _d("2025-05-05"), "劳动节"),
            (_d("2025-05-31"), _d("2025-06-02"), "端午节"),
            (_d("2025-10-01"), _d("2025-10-08"), "国庆节、中秋节"),
        ),
        tuple(_d(x) for x in ("2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11")),
    ),
    Arrangement(
        2026,
        "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
        (
            (_d("2026-01-01"), _d("2026-01-03"), "元旦"),
            (_d("2026-02-15"), _d("2026-02-23"), "春节"),
            (_d("2026-04-04"), _d("2026-04-06"), "清明节"),
            (_d("2026-05-01"), _d("2026-05-05"), "劳动节"),
            (_d("2026-06-19"), _d("2026-06-21"), "端午节"),
            (_d("2026-09-25"), _d("2026-09-27"), "中秋节"),
            (_d("2026-10-01"), _d("2026-10-07"), "国庆节"),
        ),
        tuple(_d(x) for x in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10")),
    ),
)


def shipped_days() -> dict[dt.date, tuple[str, str]]:
    """{date: (HOLIDAY or WORKDAY, name)} for every shipped year."""
    out: dict[dt.date, tuple[str, str]] = {}
    for arrangement in SHIPPED:
        for first, last, name in arrangement.holidays:
            day = first
            while day <= last:
                out[day] = (HOLIDAY, name)
                day += dt.timedelta(days=1)
        for day in arrangement.workdays:
            out[day] = (WORKDAY, "调休上班")
    return out


class Calendar:
    """Working days from a mapping {date: HOLIDAY | WORKDAY}; other days follow the week."""

    def __init__(self, special: Mapping[dt.date, str], known_years: Iterable[int] = ()) -> None:
        self.special = dict(special)
        self.known_years = frozenset(known_years)

    def is_working_day(self, day: dt.date) -> bool:
        kind = self.special.get(day)
        if kind == HOLIDAY:
            return False
        if kind == WORKDAY:
            return True
        return day.weekday() < 5

    def due_date(self, start: dt.date, working_days: int) -> dt.date:
        """The date reached by counting `working_days` working days after `start`."""
        if working_days < 0:
            raise ValueError("working days must not be negative")
        day = start
        left = working_days
        while left:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative when end is earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def covers(self, day: dt.date) -> bool:
        """Whether the official arrangement of `day`'s year is known (otherwise only weekends count)."""
        return day.year in self.known_years


def shipped_calendar() -> Calendar:
    return Calendar({d: k for d, (k, _n) in shipped_days().items()}, {a.year for a in SHIPPED})
