"""Periods of an obligation and its shortfall (pure).

The rule (the agreement's own terms, as the platform reads them):
- periods run from the agreement's start: a month, a quarter (three months) or a year at a time,
  each the same day of the month as the start (clipped to the month's last day: a start on
  31 January gives periods starting 28/29 February, 31 March, …); both ends are inclusive;
- the last period stops at the agreement's end; if that makes it shorter than a full period, the
  quantity owed is pro rata by days (rounded half up to 0.01);
- a delivery counts in the period containing its date (the period's end day is still in it);
- a period has ended on the day after its end day; only an ended period with owed > delivered is
  flagged short.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MONTHS = {"month": 1, "quarter": 3, "year": 12}
CENT = Decimal("0.01")


def add_months(start: dt.date, months: int) -> dt.date:
    """`start` moved by `months`, the day clipped to the target month's length."""
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PeriodRow:
    start: dt.date
    end: dt.date
    owed: Decimal
    delivered: Decimal
    ended: bool

    @property
    def shortfall(self) -> Decimal:
        return max(self.owed - self.delivered, Decimal(0))

    @property
    def short(self) -> bool:
        """Flagged: the period has ended and less than owed was delivered."""
        return self.ended and self.delivered < self.owed


def periods(start: dt.date, end: dt.date, period: str) -> list[tuple[dt.date, dt.date, bool]]:
    """(first day, last day, full?) of each period of an agreement running start..end inclusive."""
    step = MONTHS[period]
    out = []
    n = 0
    while True:
        first = add_months(start, step * n)
        if first > end:
            break
        full_last = add_months(start, step * (n + 1)) - dt.timedelta(days=1)
        out.append((first, min(full_last, end), full_last <= end))
        n += 1
    return out


def shortfall(
    start: dt.date,
    end: dt.date,
    period: str,
    quantity: Decimal,
    deliveries: Iterable[tuple[dt.date, Decimal]],
    today: dt.date,
) -> list[PeriodRow]:
    """Owed, delivered and shortfall per period (see the module's rule). Deliveries outside the
    agreement's dates count nowhere."""
    rows = periods(start, end, period)
    delivered = [Decimal(0)] * len(rows)
    for day, qty in deliveries:
        for i, (first, last, _full) in enumerate(rows):
            if first <= day <= last:
                delivered[i] += qty
                break
    out = []
    for i, (first, last, full) in enumerate(rows):
        owed = quantity
        if not full:
            whole = (add_months(first, MONTHS[period]) - first).days
            owed = (quantity * Decimal((last - first).days + 1) / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)
        out.append(PeriodRow(first, last, owed, delivered[i], today > last))
    return out
