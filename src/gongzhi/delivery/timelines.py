"""Delivery progress over time (pure Python, no Django): where an elevator's renewal stood on a
day (`stage_at`), how many elevators stood at each stage week by week (`stage_timeline`), and
elevators back in service, actual against planned, week by week (`completion`), all from the
stages' dates (delivery.stages); and whether an elevator is out of service today (`out_today`).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gongzhi.delivery import stages as st
from gongzhi.delivery.outages import Span

DONE = "done"  # every stage finished: a key beside the stages in the counts
WEEK = dt.timedelta(days=7)
MAX_WEEKS = 260  # five years of weekly points at most (the most recent ones)


def week_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The Sundays closing each week (Monday to Sunday) from the week of `first` to the week of
    `last`; at most MAX_WEEKS, the latest kept."""
    if last < first:
        last = first
    day = first + dt.timedelta(days=6 - first.weekday())
    end = last + dt.timedelta(days=6 - last.weekday())
    weeks = max(0, (end - day).days // 7)
    if weeks >= MAX_WEEKS:
        day += WEEK * (weeks - MAX_WEEKS + 1)
    out = []
    while day <= end:
        out.append(day)
        day += WEEK
    return out


def finish_dates(states: Mapping[str, st.StageState]) -> list[dt.date | None]:
    """For each stage in the law's order, the day by which it and every stage before it had
    finished (None: not yet). A stage skipped without a date counts as finished with the one
    before it."""
    out: list[dt.date | None] = []
    reached: dt.date | None = dt.date.min
    for kind in st.ORDER:
        state = states.get(kind)
        if reached is None or state is None or state.status not in st.FINISHED:
            reached = None
        else:
            reached = max(reached, state.actual_end or reached)
        out.append(reached)
    return out


def stage_at(states: Mapping[str, st.StageState], day: dt.date) -> str:
    """The stage an elevator stood at on `day` (its first stage not finished by then), or DONE."""
    for kind, reached in zip(st.ORDER, finish_dates(states), strict=True):
        if reached is None or reached > day:
            return kind
    return DONE


def out_today(states: Mapping[str, st.StageState], span: Span | None, today: dt.date) -> bool:
    """Out of service today for real: construction has actually started and the elevator is not
    back yet (a planned span alone does not stop an elevator)."""
    build = states.get(st.CONSTRUCTION)
    started = build is not None and build.actual_start is not None
    return started and span is not None and span[0] <= today <= span[1]


@dataclass(frozen=True)
class Timeline:
    """Weekly points: `labels` the ISO dates, `series` {stage or DONE: elevators at it}."""

    labels: tuple[str, ...]
    series: dict[str, list[int]]


def stage_timeline(renewals: Sequence[Mapping[str, st.StageState]], today: dt.date) -> Timeline:
    """How many elevators stood at each stage at the end of each week (today for this week),
    reconstructed from the stages' actual end dates; from the week of the first recorded end."""
    finished = [
        s.actual_end for states in renewals for s in states.values() if s.actual_end and s.status in st.FINISHED
    ]
    weeks = week_ends(min(finished, default=today), today)
    points = [min(week, today) for week in weeks]
    keys = (*st.ORDER, DONE)
    diff = {key: [0] * (len(points) + 1) for key in keys}
    for states in renewals:
        start = 0
        for kind, reached in zip(st.ORDER, finish_dates(states), strict=True):
            until = len(points) if reached is None else bisect.bisect_left(points, reached)
            if until > start:  # stood at `kind` over the points [start, until)
                diff[kind][start] += 1
                diff[kind][until] -= 1
                start = until
        if start < len(points):
            diff[DONE][start] += 1
            diff[DONE][len(points)] -= 1
    series: dict[str, list[int]] = {}
    for key in keys:
        running = 0
        values = []
        for change in diff[key][: len(points)]:
            running += change
            values.append(running)
        series[key] = values
    return Timeline(tuple(w.isoformat() for w in weeks), series)


@dataclass(frozen=True)
class Completion:
    """Elevators back in service by the end of each week: planned (IN_SERVICE planned end) and
    actual (IN_SERVICE done, actual end; None for weeks not begun)."""

    labels: tuple[str, ...]
    planned: list[int]
    actual: list[int | None]


def completion(renewals: Sequence[Mapping[str, st.StageState]], today: dt.date) -> Completion:
    planned_ends: list[dt.date] = []
    actual_ends: list[dt.date] = []
    for states in renewals:
        back = states.get(st.IN_SERVICE)
        if back is None:
            continue
        if back.planned_end is not None:
            planned_ends.append(back.planned_end)
        if back.status == st.DONE and back.actual_end is not None:
            actual_ends.append(back.actual_end)
    planned_ends.sort()
    actual_ends.sort()
    dates = planned_ends + actual_ends
    if not dates:
        return Completion((), [], [])
    weeks = week_ends(min(dates), max(*dates, today))
    planned = [bisect.bisect_right(planned_ends, w) for w in weeks]
    actual: list[int | None] = [
        bisect.bisect_right(actual_ends, min(w, today)) if w - dt.timedelta(days=6) <= today else None for w in weeks
    ]
    return Completion(tuple(w.isoformat() for w in weeks), planned, actual)
