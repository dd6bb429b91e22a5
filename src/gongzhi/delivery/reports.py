"""District reporting of renewal delivery (issue 5, item 4): loading a campaign's renewals for the
dashboard, and the campaign's progress as one Excel sheet.

* loading (`load_campaign`): the campaign's renewals the user may see with their stages, the
  elevators and households of their entrances and, for the export, the entrances' latest funding
  plans — a fixed number of queries whatever the number of renewals;
* the workbook (`delivery_workbook`), in the style of elevators.exports.

The figures themselves are pure and tested on hand-built data: delivery.outages (the days an
entrance has no working elevator, per household), delivery.timelines (counts by stage over time,
completed against planned); delivery.dashboard puts them together with their labels.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gongzhi.core.actors import Actor
from gongzhi.core.money import MoneyError, parse_yuan, round_yuan, yuan_from_fen
from gongzhi.core.spreadsheets import SafeWorkbook, workbook_bytes
from gongzhi.delivery import stages as st
from gongzhi.delivery.dashboard import Item, stage_label
from gongzhi.delivery.models import RenewalStage
from gongzhi.delivery.selectors import access_renewals
from gongzhi.delivery.timelines import stage_at
from gongzhi.elevators.models import Campaign, Elevator
from gongzhi.places.models import Apartment
from gongzhi.renewals.models import Renewal, StageKind
from gongzhi.renewals.selectors import access_plans

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
HEADER_ROW = 3  # row 1: title, row 2: campaign facts, row 3: column headers
IDENTITY_COLUMNS = 5  # estate, building, entrance, elevator, device code: frozen and printed on every page


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


def load_campaign(user: Actor, campaign: Campaign, *, households: bool = False, plans: bool = False) -> Loaded:
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


def latest_plans(user: Actor, campaign: Campaign, entrances: QuerySet[Any]) -> dict[int, Any]:
    """{entrance id: its latest funding plan in the campaign}, only where the user may see plans
    (renewals.selectors.access_plans: plans are the owners' money, not for vendors). One query
    (two for an owner)."""
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
    return yuan_from_fen(base + (1 if index < extra else 0))


def _money(value: Any) -> Decimal | None:
    """An amount of a plan's JSON (a subsidy line) read as yuan to the fen; None if it is not one."""
    try:
        return parse_yuan(str(value), allow_negative=True)
    except MoneyError:
        return None


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


def delivery_workbook(*, user: Actor, campaign: Campaign, today: dt.date) -> bytes:
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
            row.append(money_cell(round_yuan(Decimal(plan.works_cost))))
            row += [money_cell(mine.get(k)) for k, _name in subsidies]
            row += [
                money_cell(sum(mine.values(), Decimal("0.00"))),
                money_cell(share(plan.maintenance_fund, parts, index)),
                money_cell(share(plan.public_revenue, parts, index)),
                money_cell(share(plan.owners_total, parts, index)),
            ]
        ws.append(row)

    return workbook_bytes(wb)
