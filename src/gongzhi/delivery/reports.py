"""District reporting of renewal delivery (issue 5, item 4): the campaign's progress as one Excel
sheet, and the figures of the delivery dashboard.

Three layers, so the arithmetic can be tested on hand-built data:

* pure figures (no query): `entrance_outage` (the days an entrance has no working elevator, and
  the days it has at least one out), `household_outage` (those days per household: mean, median,
  max, histogram), `stage_timeline` (how many elevators stood at each stage, week by week),
  `completion` (elevators back in service, actual against planned, week by week) and `figures`,
  which puts them together for the dashboard;
* loading (`load_campaign`): the campaign's renewals the user may see with their stages, the
  elevators and households of their entrances and, for the export, the entrances' latest funding
  plans — a fixed number of queries whatever the number of renewals;
* the workbook (`delivery_workbook`), in the style of elevators.exports.

Out of service means delivery.stages.out_of_service: from construction's start to the day before
the elevator is back in service, actual dates where known and planned ones otherwise. Households
are the entrance's apartments (户): an entrance whose elevators are all out at once leaves every
one of its households without a working elevator, which is what the renewal plan tries to avoid
(issue 5: "without leaving an entrance with no working elevator").
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gongzhi.core.spreadsheets import SafeWorkbook, workbook_bytes
from gongzhi.delivery import stages as st
from gongzhi.delivery.models import Renewal, RenewalStage, StageKind
from gongzhi.delivery.selectors import access_renewals
from gongzhi.elevators.models import Campaign, Elevator
from gongzhi.places.models import Apartment

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
HEADER_ROW = 3  # row 1: title, row 2: campaign facts, row 3: column headers
IDENTITY_COLUMNS = 5  # estate, building, entrance, elevator, device code: frozen and printed on every page

DONE = "done"  # every stage finished: a key beside the stages in the counts
WEEK = dt.timedelta(days=7)
DAY = dt.timedelta(days=1)
MAX_WEEKS = 260  # five years of weekly points at most (the most recent ones)
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
# Histogram of outage days per household: (from, to) inclusive, None for "or more".
OUTAGE_BINS: tuple[tuple[int, int | None], ...] = ((0, 0), (1, 7), (8, 14), (15, 30), (31, 60), (61, 90), (91, None))

Span = tuple[dt.date, dt.date]  # first and last day, both inclusive


# --------------------------------------------------------------------------------------------
# Pure figures


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


# --------------------------------------------------------------------------------------------
# Loading


def natural_key(name: str) -> tuple[tuple[int, str], ...]:
    """ "2幢" before "10幢": digits compare as numbers."""
    return tuple((int(part), "") if part.isdigit() else (0, part) for part in re.split(r"(\d+)", name))


def elevator_label(building: str, entrance: str, number: int) -> str:
    """How residents name an elevator: "1幢1单元 1号梯" (numbered by device code in its entrance)."""
    return _("%(building)s%(entrance)s %(n)d号梯") % {"building": building, "entrance": entrance, "n": number}


def elevator_numbers(entrance_ids: QuerySet[Any] | Iterable[int]) -> tuple[dict[int, int], dict[int, int]]:
    """({elevator id: its number in its entrance, from 1 by device code}, {entrance id: elevators}).
    One query."""
    rows = Elevator.objects.filter(entrance_id__in=entrance_ids).order_by("entrance_id", "device_code")
    numbers: dict[int, int] = {}
    per_entrance: dict[int, int] = defaultdict(int)
    for elevator_id, entrance_id in rows.values_list("id", "entrance_id"):
        per_entrance[entrance_id] += 1
        numbers[elevator_id] = per_entrance[entrance_id]
    return numbers, dict(per_entrance)


@dataclass
class Loaded:
    """The campaign's renewals the user may see (stages prefetched, places joined), in the order of
    estate, building, entrance and device code, with their elevators' numbers."""

    renewals: list[Renewal]
    numbers: dict[int, int]
    elevators: dict[int, int]
    households: dict[int, int] = field(default_factory=dict)
    plans: dict[int, Any] = field(default_factory=dict)

    def states(self, renewal: Renewal) -> dict[str, st.StageState]:
        return {s.kind: s.state() for s in renewal.stages.all()}

    def items(self) -> list[Item]:
        return [Item(r.pk, r.elevator_id, r.elevator.entrance_id, self.states(r)) for r in self.renewals]

    def label(self, renewal: Renewal) -> str:
        entrance = renewal.elevator.entrance
        return elevator_label(entrance.building.name, entrance.name, self.numbers.get(renewal.elevator_id, 1))


STAGE_FIELDS = (
    "id",
    "renewal_id",
    "kind",
    "position",
    "status",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
)


def load_campaign(user: Any, campaign: Campaign, *, households: bool = False, plans: bool = False) -> Loaded:
    """Queries: renewals, stages, elevators (+ apartments, + funding plans): constant in number."""
    scoped = access_renewals(user).filter(campaign=campaign)
    renewals = list(
        scoped.select_related(
            "vendor", "elevator__entrance__building__estate__community__subdistrict"
        ).prefetch_related(Prefetch("stages", queryset=RenewalStage.objects.only(*STAGE_FIELDS)))
    )
    renewals.sort(
        key=lambda r: (
            r.elevator.entrance.building.estate.name,
            natural_key(r.elevator.entrance.building.name),
            natural_key(r.elevator.entrance.name),
            r.elevator.device_code,
        )
    )
    entrances = scoped.values("elevator__entrance_id")
    numbers, elevators = elevator_numbers(entrances) if renewals else ({}, {})
    loaded = Loaded(renewals, numbers, elevators)
    if households and renewals:
        loaded.households = dict(
            Apartment.objects.filter(entrance_id__in=entrances)
            .order_by()
            .values("entrance_id")
            .annotate(n=Count("id"))
            .values_list("entrance_id", "n")
        )
    if plans and renewals:
        loaded.plans = latest_plans(user, campaign, entrances)
    return loaded


def latest_plans(user: Any, campaign: Campaign, entrances: QuerySet[Any]) -> dict[int, Any]:
    """{entrance id: its latest funding plan in the campaign}, only where the user may see plans
    (renewals.selectors.access_plans: plans are the owners' money, not for vendors). One query
    (two for an owner)."""
    from gongzhi.renewals.selectors import access_plans

    rows = (
        access_plans(user)
        .select_related(None)
        .filter(campaign=campaign, entrance_id__in=entrances)
        .only(
            "id", "entrance_id", "elevators", "works_cost", "maintenance_fund", "public_revenue", "subsidies",
            "owners_total", "created_at",
        )
        .order_by("entrance_id", "-created_at", "-id")
    )  # fmt: skip
    out: dict[int, Any] = {}
    for plan in rows:
        out.setdefault(plan.entrance_id, plan)
    return out


# --------------------------------------------------------------------------------------------
# The workbook


def share(amount: Decimal, parts: int, index: int) -> Decimal:
    """The `index`-th (from 0) of `parts` fen-exact shares of `amount`: equal shares rounded down to
    the fen, the fen left over going one each to the first elevators, so the shares add up exactly."""
    parts = max(parts, 1)
    cents = int((amount * 100).to_integral_value())
    base, extra = divmod(cents, parts)
    return (Decimal(base + (1 if index < extra else 0)) / 100).quantize(CENT)


def _money(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount.quantize(CENT) if amount.is_finite() else None


def plan_subsidies(plan: Any) -> list[tuple[str, str, Decimal]]:
    """(key, name, amount for the whole entrance) of each subsidy line of a plan's JSON
    (renewals.services.funding_plan_create writes code, name, amount, ...)."""
    out = []
    for line in plan.subsidies or []:
        if not isinstance(line, dict):
            continue
        amount = _money(line.get("amount"))
        name = str(line.get("name") or line.get("code") or "")
        if amount is None or not name:
            continue
        out.append((str(line.get("code") or name), name, amount))
    return out


def workbook_file_name(campaign: Campaign, today: dt.date) -> str:
    """A percent-encoded file name for Content-Disposition (filename*=UTF-8''…)."""
    return quote(f"{campaign.name}-{_('实施进度')}-{today.isoformat()}.xlsx")


def _columns(subsidies: Sequence[tuple[str, str]]) -> list[tuple[str, int]]:
    """(header, width in characters) of the sheet, in order."""
    columns = [
        (_("小区"), 14),
        (_("楼栋"), 8),
        (_("单元"), 8),
        (_("电梯"), 16),
        (_("设备代码"), 22),
        (_("品牌方"), 14),
        (_("当前阶段"), 12),
        (_("进度(%)"), 8),
        (_("逾期"), 6),
        (_("逾期阶段"), 16),
    ]
    for kind in st.ORDER:
        label = str(StageKind(kind).label)
        for part in (_("计划开始"), _("计划完成"), _("实际开始"), _("实际完成")):
            columns.append((f"{label}\n{part}", 11))
    columns += [(_("每台工程费用(元)"), 14)]
    columns += [(_("补助：%(name)s(元)") % {"name": name}, 16) for _key, name in subsidies]
    columns += [
        (_("补助合计(元)"), 14),
        (_("使用维修资金(元)"), 14),
        (_("公共收益列支(元)"), 14),
        (_("业主自筹(元)"), 14),
    ]
    return columns


def delivery_workbook(*, user: Any, campaign: Campaign, today: dt.date) -> bytes:
    """Every renewal of the campaign the user may see, one row each, on ONE sheet: where it is,
    who installs it, its stage and progress, every stage's planned and actual dates (Excel dates),
    whether it is overdue, and its entrance's latest funding plan per elevator (numbers to the fen:
    the works cost is per elevator already; subsidies, maintenance fund, public revenue and the
    owners' part are the plan's totals split equally over its elevators, the odd fen to the first
    ones, so an entrance's rows add up to its plan). Funding is left empty where the user may not
    see plans (vendors)."""
    loaded = load_campaign(user, campaign, plans=True)
    subsidy_names: dict[str, str] = {}
    for plan in loaded.plans.values():
        for key, name, _amount in plan_subsidies(plan):
            subsidy_names.setdefault(key, name)
    subsidies = sorted(subsidy_names.items())
    columns = _columns(subsidies)

    wb = SafeWorkbook(write_only=True)  # names are written as text, never formulas
    ws: Any = wb.create_sheet(_("实施进度"))
    for index, (_header, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"{get_column_letter(IDENTITY_COLUMNS + 1)}{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_title_cols = f"A:{get_column_letter(IDENTITY_COLUMNS)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    # Some 70 columns cannot be read on one A4 width: pages run across, each repeating the header
    # row and the columns that say which elevator a row is.

    title = WriteOnlyCell(ws, value=_("%(campaign)s 实施进度") % {"campaign": campaign.name})
    title.font = Font(bold=True, size=14)
    ws.append([title])
    ws.append(
        [
            _("%(sub)s　截止日期 %(deadline)s　电梯 %(n)d 部　生成于 %(now)s　资金为所在单元最新资金方案按台均摊")
            % {
                "sub": campaign.subdistrict.name,
                "deadline": campaign.deadline.isoformat(),
                "n": len(loaded.renewals),
                "now": today.isoformat(),
            }
        ]
    )
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    header: list[Any] = []
    for name, _width in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    ws.append(header)

    def date_cell(value: dt.date | None) -> Any:
        cell = WriteOnlyCell(ws, value=value)  # type: ignore[arg-type]  # a real Excel date
        cell.number_format = DATE_FORMAT
        return cell

    def money_cell(value: Decimal | None) -> Any:
        cell = WriteOnlyCell(ws, value=value)  # type: ignore[arg-type]
        cell.number_format = MONEY_FORMAT
        return cell

    yes = _("是")
    for renewal in loaded.renewals:
        elevator = renewal.elevator
        entrance = elevator.entrance
        stages = {s.kind: s for s in renewal.stages.all()}
        states = {kind: s.state() for kind, s in stages.items()}
        late = [str(StageKind(k).label) for k in st.ORDER if k in states and st.overdue(states[k], today)]
        key = stage_at(states, dt.date.max)
        row: list[Any] = [
            entrance.building.estate.name,
            entrance.building.name,
            entrance.name,
            loaded.label(renewal),
            elevator.device_code,
            renewal.vendor.name if renewal.vendor else "",
            stage_label(key),
            st.progress(states.values()),
            yes if late else "",
            "、".join(late),
        ]
        for kind in st.ORDER:
            stage = stages.get(kind)
            for name in ("planned_start", "planned_end", "actual_start", "actual_end"):
                row.append(date_cell(getattr(stage, name) if stage else None))
        plan = loaded.plans.get(entrance.pk)
        if plan is None:
            row += [money_cell(None) for _i in range(len(subsidies) + 5)]
        else:
            index = loaded.numbers.get(elevator.pk, 1) - 1
            lines = {k: amount for k, _name, amount in plan_subsidies(plan)}
            parts = plan.elevators
            mine = {k: share(amount, parts, index) for k, amount in lines.items()}
            row.append(money_cell(Decimal(plan.works_cost).quantize(CENT)))
            row += [money_cell(mine.get(k)) for k, _name in subsidies]
            row += [
                money_cell(sum(mine.values(), Decimal("0.00"))),
                money_cell(share(plan.maintenance_fund, parts, index)),
                money_cell(share(plan.public_revenue, parts, index)),
                money_cell(share(plan.owners_total, parts, index)),
            ]
        ws.append(row)

    return workbook_bytes(wb)
