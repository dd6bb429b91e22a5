"""The construction planner's form: which renewals, crews per vendor, each job's days, the window,
blackout periods and the limits per entrance and building (issue 5, item 2).

The form checks the shape of the input and names the faulty field or line; the scheduling
contract's own checks run in delivery.services.schedule_problem, whose DomainError the view shows
on the form. Nothing is written unless every field is good.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.widgets import DateInput
from gongzhi.delivery import scheduling
from gongzhi.renewals.models import Renewal

MAX_CREWS = 100
MAX_DAYS = 365
MAX_TIME_LIMIT = 120
MAX_BLACKOUT_LINES = 200

# One period a line: two dates, separated by spaces, a tilde (ASCII, full-width or wave dash),
# 至 / 到, or a hyphen with spaces around it (a bare hyphen is part of the dates). One date alone is
# a single day.
_DATE = r"(\d{4}-\d{1,2}-\d{1,2})"
_SEPARATOR = r"(?:\s*[~～〜至到]\s*|\s+-\s+|\s+)"
_PERIOD = re.compile(rf"^{_DATE}(?:{_SEPARATOR}{_DATE})?$")


def _day(text: str) -> dt.date | None:
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_blackouts(text: str) -> list[tuple[dt.date, dt.date]]:
    """`2025-01-25 2025-02-09` a line (also `～`, `~`, ` - `, `至` between the dates) into periods;
    a ValidationError names every bad line by its number."""
    periods: list[tuple[dt.date, dt.date]] = []
    errors: list[str] = []
    lines = text.splitlines()
    if len([line for line in lines if line.strip()]) > MAX_BLACKOUT_LINES:
        raise forms.ValidationError(_("停工期最多 %(n)s 行。") % {"n": MAX_BLACKOUT_LINES})
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        match = _PERIOD.match(line)
        if match is None:
            errors.append(
                _("第 %(n)s 行“%(line)s”无法识别：请写成“2025-01-25 2025-02-09”（开始日期 结束日期）。")
                % {"n": number, "line": line[:40]}
            )
            continue
        first_text, last_text = match.group(1), match.group(2) or match.group(1)
        first, last = _day(first_text), _day(last_text)
        if first is None or last is None:
            bad = first_text if first is None else last_text
            errors.append(_("第 %(n)s 行：%(date)s 不是有效日期。") % {"n": number, "date": bad})
            continue
        if last < first:
            errors.append(_("第 %(n)s 行：结束日期早于开始日期。") % {"n": number})
            continue
        periods.append((first, last))
    if errors:
        raise forms.ValidationError(errors)
    return periods


def format_blackouts(periods: Iterable[Mapping[str, str]]) -> str:
    """The contract's blackouts back into the textarea's lines."""
    return "\n".join(f"{p['from']} {p['to']}" for p in periods)


def default_days(renewal: Renewal) -> int | None:
    """The works days the planner uses when none is typed: the renewal's, else its offer's."""
    if renewal.works_days:
        return int(renewal.works_days)
    if renewal.offer is not None:
        return int(renewal.offer.installation_days)
    return None


@dataclass
class Row:
    """One renewal on the form: its checkbox and its optional days override."""

    renewal: Renewal
    checked: bool
    days_field: forms.BoundField
    default_days: int | None


@dataclass
class EntranceGroup:
    label: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class EstateGroup:
    id: int
    name: str
    all_checked: bool
    all_field_id: str
    entrances: list[EntranceGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(e.rows) for e in self.entrances)

    @property
    def checked(self) -> int:
        return self.count if self.all_checked else sum(r.checked for e in self.entrances for r in e.rows)


class ScheduleForm(forms.Form):
    """Fixed fields below; per vendor a `crews_<vendor id>` field and per renewal a `days_<renewal
    id>` field are added for the renewals offered. `renewals` are the ticked elevators, `estate_all`
    the estates taken whole (their list is hidden then)."""

    name = forms.CharField(label=gettext_lazy("名称"), max_length=128, required=False)
    renewals = forms.TypedMultipleChoiceField(
        label=gettext_lazy("电梯"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    estate_all = forms.TypedMultipleChoiceField(
        label=gettext_lazy("整个小区"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    start = forms.DateField(label=gettext_lazy("开工日期"), widget=DateInput())
    deadline = forms.DateField(label=gettext_lazy("截止日期"), widget=DateInput())
    blackouts = forms.CharField(
        label=gettext_lazy("停工期（每行一段）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2025-01-25 2025-02-09"}),
        help_text=gettext_lazy(
            "每行一段，如“2025-01-25 2025-02-09”（也可用“～”或“至”分隔）：春节、考试等不施工的日子。"
        ),
    )
    max_down_per_entrance = forms.IntegerField(
        label=gettext_lazy("每单元同时停用电梯数上限"),
        min_value=1,
        max_value=20,
        initial=1,
        help_text=gettext_lazy("1 表示每个单元同一时间最多停用一台电梯。"),
    )
    max_active_per_building = forms.IntegerField(
        label=gettext_lazy("每幢同时施工单元数上限"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=gettext_lazy("留空表示不限；限制噪音和扬尘。"),
    )
    time_limit = forms.IntegerField(
        label=gettext_lazy("求解时限(秒)"), min_value=1, max_value=MAX_TIME_LIMIT, initial=10
    )

    def __init__(
        self,
        *args: Any,
        renewals: Sequence[Renewal],
        vendors: Sequence[Any],
        **kwargs: Any,
    ) -> None:
        """`renewals` the elevators that may be planned (with elevator → estate, vendor and offer
        loaded), `vendors` their vendors."""
        super().__init__(*args, **kwargs)
        self.candidates = list(renewals)
        self.vendors = list(vendors)
        self.fields["renewals"].choices = [(r.pk, r.elevator.device_code) for r in self.candidates]  # type: ignore[attr-defined]
        estates: dict[int, str] = {}
        for r in self.candidates:
            estate = r.elevator.entrance.building.estate
            estates.setdefault(estate.pk, estate.name)
        self.fields["estate_all"].choices = list(estates.items())  # type: ignore[attr-defined]
        for vendor in self.vendors:
            self.fields[f"crews_{vendor.pk}"] = forms.IntegerField(
                label=vendor.name,
                min_value=0,
                max_value=MAX_CREWS,
                initial=1,
                error_messages={
                    "min_value": _("班组数不能为负数。"),
                    "max_value": _("班组数不能超过 %(n)s。") % {"n": MAX_CREWS},
                    "required": _("请填写班组数。"),
                    "invalid": _("请填写整数。"),
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        for r in self.candidates:
            days = default_days(r)
            self.fields[f"days_{r.pk}"] = forms.IntegerField(
                label=_("%(code)s 工期(天)") % {"code": r.elevator.device_code},
                min_value=1,
                max_value=MAX_DAYS,
                required=False,
                error_messages={
                    "min_value": _("工期至少 1 天。"),
                    "max_value": _("工期不能超过 %(n)s 天。") % {"n": MAX_DAYS},
                    "invalid": _("请填写整数。"),
                },
                widget=forms.NumberInput(
                    attrs={"inputmode": "numeric", "placeholder": str(days) if days else "", "class": "plan-days"}
                ),
            )

    # --- rendering -------------------------------------------------------------------------------

    def _value(self, name: str) -> list[str]:
        if self.is_bound:
            return [str(v) for v in self.data.getlist(name)] if hasattr(self.data, "getlist") else []
        value = self.initial.get(name, self.fields[name].initial)
        return [str(v) for v in (value or [])]

    def estate_groups(self) -> list[EstateGroup]:
        """The renewals by estate and entrance, with what is ticked (as posted, or the initial)."""
        ticked = set(self._value("renewals"))
        whole = set(self._value("estate_all"))
        groups: dict[int, EstateGroup] = {}
        for r in self.candidates:
            entrance = r.elevator.entrance
            estate = entrance.building.estate
            group = groups.get(estate.pk)
            if group is None:
                group = groups[estate.pk] = EstateGroup(
                    estate.pk, estate.name, str(estate.pk) in whole, f"id_estate_all_{estate.pk}"
                )
            label = f"{entrance.building.name}{entrance.name}"
            if not group.entrances or group.entrances[-1].label != label:
                group.entrances.append(EntranceGroup(label))
            group.entrances[-1].rows.append(Row(r, str(r.pk) in ticked, self[f"days_{r.pk}"], default_days(r)))
        return list(groups.values())

    def crew_fields(self) -> list[forms.BoundField]:
        return [self[f"crews_{v.pk}"] for v in self.vendors]

    # --- checks ----------------------------------------------------------------------------------

    def clean_blackouts(self) -> list[tuple[dt.date, dt.date]]:
        return parse_blackouts(self.cleaned_data.get("blackouts") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, deadline = data.get("start"), data.get("deadline")
        if start is not None and deadline is not None:
            if deadline < start:
                self.add_error("deadline", _("截止日期不能早于开工日期。"))
            elif (deadline - start).days + 1 > scheduling.MAX_HORIZON_DAYS:
                self.add_error("deadline", _("开工到截止不能超过 %(n)s 天。") % {"n": scheduling.MAX_HORIZON_DAYS})
        whole = set(data.get("estate_all") or [])
        ticked = set(data.get("renewals") or [])
        selected = [r for r in self.candidates if r.pk in ticked or r.elevator.entrance.building.estate_id in whole]
        if not selected:
            self.add_error("renewals", _("请至少选择一台电梯。"))
        overrides: dict[int, int] = {}
        for r in selected:
            name = f"days_{r.pk}"
            if name in self.errors:
                continue
            typed = data.get(name)
            if typed:
                overrides[r.pk] = int(typed)
            elif default_days(r) is None:
                self.add_error(name, _("%(code)s 没有施工工期，请填写。") % {"code": r.elevator.device_code})
        data["selected"] = selected
        data["days"] = overrides
        used = {r.vendor_id for r in selected}
        data["crews"] = {
            v.pk: data[f"crews_{v.pk}"] for v in self.vendors if v.pk in used and data.get(f"crews_{v.pk}") is not None
        }
        return data
