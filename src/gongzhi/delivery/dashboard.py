"""The delivery dashboard's figures (issue 5, item 4): the pure outage and timeline figures
(delivery.outages, delivery.timelines) put together for the renewals shown, with their labels
translated, and the data the charts draw (report_charts.js)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.delivery import stages as st
from gongzhi.delivery.outages import Outage, OutageStats, Span, entrance_outage, household_outage
from gongzhi.delivery.timelines import (
    DONE,
    Completion,
    Timeline,
    completion,
    out_today,
    stage_at,
    stage_timeline,
)
from gongzhi.renewals.models import StageKind


@dataclass(frozen=True)
class Item:
    """One renewal as the figures see it."""

    renewal_id: int
    elevator_id: int
    entrance_id: int
    states: Mapping[str, st.StageState]


@dataclass(frozen=True)
class StageRow:
    key: str
    label: str
    elevators: int
    overdue: int


@dataclass(frozen=True)
class Figures:
    elevators: int
    done: int
    out_now: int  # out of service today (construction actually started, not back yet)
    overdue: int  # with at least one stage past its planned end and not finished
    progress: int  # mean percent
    stages: tuple[StageRow, ...]
    timeline: Timeline
    completion: Completion
    outage: OutageStats
    entrance_outages: dict[int, Outage] = field(default_factory=dict)


def stage_label(key: str) -> str:
    return _("全部完成") if key == DONE else str(StageKind(key).label)


def figures(
    items: Sequence[Item],
    elevators: Mapping[int, int],
    households: Mapping[int, int],
    today: dt.date,
) -> Figures:
    """The dashboard's figures. `elevators` and `households`: per entrance, how many elevators
    (all of them, renewed or not) and apartments it has. Household outage counts the entrances
    with at least one dated out-of-service period."""
    states = [item.states for item in items]
    counts: dict[str, int] = defaultdict(int)
    late: dict[str, int] = defaultdict(int)
    periods: dict[int, dict[int, list[Span]]] = defaultdict(dict)
    out_now = overdue = progress_sum = 0
    for item in items:
        key = stage_at(item.states, dt.date.max)
        counts[key] += 1
        if any(st.overdue(s, today) for s in item.states.values()):
            overdue += 1
            late[key] += 1
        progress_sum += st.progress(item.states.values())
        span = st.out_of_service(item.states, today)
        if span is not None:
            periods[item.entrance_id].setdefault(item.elevator_id, []).append(span)
            out_now += out_today(item.states, span, today)
    outages = {
        entrance: entrance_outage(spans, elevators.get(entrance, len(spans))) for entrance, spans in periods.items()
    }
    rows = tuple(StageRow(key, stage_label(key), counts.get(key, 0), late.get(key, 0)) for key in (*st.ORDER, DONE))
    return Figures(
        elevators=len(items),
        done=counts.get(DONE, 0),
        out_now=out_now,
        overdue=overdue,
        progress=round(progress_sum / len(items)) if items else 0,
        stages=rows,
        timeline=stage_timeline(states, today),
        completion=completion(states, today),
        outage=household_outage((households.get(e, 0), o) for e, o in outages.items()),
        entrance_outages=outages,
    )


def bin_label(low: int, high: int | None) -> str:
    if high is None:
        return _("%(n)d 天以上") % {"n": low}
    if low == high:
        return _("%(n)d 天") % {"n": low}
    return _("%(low)d–%(high)d 天") % {"low": low, "high": high}


def chart_data(fig: Figures) -> dict[str, Any]:
    """What report_charts.js draws, with its labels translated here."""
    keys = [key for key in (*st.ORDER, DONE) if any(fig.timeline.series.get(key, ()))]
    return {
        "timeline": {
            "labels": list(fig.timeline.labels),
            "series": [{"key": k, "name": stage_label(k), "data": fig.timeline.series[k]} for k in keys],
        },
        "completion": {
            "labels": list(fig.completion.labels),
            "planned": fig.completion.planned,
            "actual": fig.completion.actual,
        },
        "histogram": {
            "labels": [bin_label(low, high) for low, high, _n, _s in fig.outage.histogram],
            "none": [n for _l, _h, n, _s in fig.outage.histogram],
            "some": [s for _l, _h, _n, s in fig.outage.histogram],
        },
        "text": {
            "elevators": _("电梯（部）"),
            "planned": _("计划恢复使用"),
            "actual": _("实际恢复使用"),
            "households": _("户数"),
            "none": _("无电梯可用天数"),
            "some": _("有电梯停用天数"),
        },
    }
