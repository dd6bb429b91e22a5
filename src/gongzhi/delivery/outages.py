"""Outage math of renewal delivery (pure Python, no Django): the days an entrance has no working
elevator, and the days it has at least one out (`entrance_outage`), and those days per household
(`household_outage`: mean, median, max, histogram).

Out of service means delivery.stages.out_of_service: from construction's start to the day before
the elevator is back in service. Households are the entrance's apartments (户): an entrance whose
elevators are all out at once leaves every one of its households without a working elevator, which
is what the renewal plan tries to avoid (issue 5: "without leaving an entrance with no working
elevator").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

DAY = dt.timedelta(days=1)
TENTH = Decimal("0.1")
# Histogram of outage days per household: (from, to) inclusive, None for "or more".
OUTAGE_BINS: tuple[tuple[int, int | None], ...] = ((0, 0), (1, 7), (8, 14), (15, 30), (31, 60), (61, 90), (91, None))

Span = tuple[dt.date, dt.date]  # first and last day, both inclusive


def span_days(spans: Iterable[Span]) -> int:
    return sum((last - first).days + 1 for first, last in spans)


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans joined, in order."""
    out: list[Span] = []
    for first, last in sorted(spans):
        if out and first <= out[-1][1] + DAY:
            if last > out[-1][1]:
                out[-1] = (out[-1][0], last)
        else:
            out.append((first, last))
    return out


@dataclass(frozen=True)
class Outage:
    """An entrance's outages: `none` the spans with no working elevator (all out at once), `some`
    the spans with at least one out."""

    none: tuple[Span, ...] = ()
    some: tuple[Span, ...] = ()

    @property
    def none_days(self) -> int:
        return span_days(self.none)

    @property
    def some_days(self) -> int:
        return span_days(self.some)


def entrance_outage(periods: Mapping[Any, Iterable[Span]], elevators: int) -> Outage:
    """The outages of an entrance with `elevators` elevators, given each elevator's out-of-service
    spans (keyed by elevator; an elevator not in `periods` is never out). Two elevators of one
    entrance out over spans overlapping by 5 days leave it 5 days with no working elevator."""
    total = max(elevators, len(periods))
    if total == 0:
        return Outage()
    change: dict[dt.date, int] = defaultdict(int)
    for spans in periods.values():
        for first, last in merge_spans(spans):
            change[first] += 1
            change[last + DAY] -= 1
    none: list[Span] = []
    some: list[Span] = []
    out = 0
    some_from: dt.date | None = None
    none_from: dt.date | None = None
    for day in sorted(change):
        out += change[day]
        if out >= 1 and some_from is None:
            some_from = day
        elif out < 1 and some_from is not None:
            some.append((some_from, day - DAY))
            some_from = None
        if out >= total and none_from is None:
            none_from = day
        elif out < total and none_from is not None:
            none.append((none_from, day - DAY))
            none_from = None
    return Outage(tuple(none), tuple(some))


def _weighted_median(pairs: Sequence[tuple[int, int]]) -> Decimal:
    """Median of values repeated by weights ((value, weight), sorted by value)."""
    total = sum(w for _v, w in pairs)
    if total == 0:
        return Decimal(0)

    def nth(k: int) -> int:  # the k-th value (0-based) of the expanded list
        seen = 0
        for value, weight in pairs:
            seen += weight
            if k < seen:
                return value
        return pairs[-1][0]

    if total % 2:
        return Decimal(nth(total // 2))
    return (Decimal(nth(total // 2 - 1) + nth(total // 2)) / 2).quantize(TENTH, ROUND_HALF_UP)


@dataclass(frozen=True)
class OutageStats:
    """Days of outage per household over the entrances given: with no working elevator (`none`)
    and with at least one elevator out (`some`)."""

    households: int = 0
    entrances: int = 0
    mean_none: Decimal = Decimal(0)
    median_none: Decimal = Decimal(0)
    max_none: int = 0
    mean_some: Decimal = Decimal(0)
    median_some: Decimal = Decimal(0)
    max_some: int = 0
    # (from, to or None, households with no working elevator so many days, ... with at least one out)
    histogram: tuple[tuple[int, int | None, int, int], ...] = ()


def _bin(days: int) -> int:
    for index, (low, high) in enumerate(OUTAGE_BINS):
        if days >= low and (high is None or days <= high):
            return index
    return len(OUTAGE_BINS) - 1


def household_outage(entrances: Iterable[tuple[int, Outage]]) -> OutageStats:
    """Each household counts its entrance's outage days: `entrances` is (households, outage)."""
    rows = [(households, outage.none_days, outage.some_days) for households, outage in entrances if households > 0]
    total = sum(h for h, _n, _s in rows)
    if total == 0:
        return OutageStats(histogram=tuple((low, high, 0, 0) for low, high in OUTAGE_BINS))
    none_bins = [0] * len(OUTAGE_BINS)
    some_bins = [0] * len(OUTAGE_BINS)
    for households, none, some in rows:
        none_bins[_bin(none)] += households
        some_bins[_bin(some)] += households

    def mean(values: Iterable[tuple[int, int]]) -> Decimal:
        return (Decimal(sum(v * w for v, w in values)) / total).quantize(TENTH, ROUND_HALF_UP)

    nones = sorted((n, h) for h, n, _s in rows)
    somes = sorted((s, h) for h, _n, s in rows)
    return OutageStats(
        households=total,
        entrances=len(rows),
        mean_none=mean(nones),
        median_none=_weighted_median(nones),
        max_none=nones[-1][0],
        mean_some=mean(somes),
        median_some=_weighted_median(somes),
        max_some=somes[-1][0],
        histogram=tuple((low, high, none_bins[i], some_bins[i]) for i, (low, high) in enumerate(OUTAGE_BINS)),
    )
