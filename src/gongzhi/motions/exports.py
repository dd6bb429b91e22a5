"""The ballots of a closed motion as an Excel workbook (表决明细 and 计票结果).

Published with the result notice so owners can check the count (Civil Code Art. 278 decisions
are made by the owners; the record of how they decided must be open to them). One row per
apartment of the frozen roll. When the motion is anonymous (motion.anonymous), the owner's name
and the choice are replaced by "—"; whether the apartment voted, the channel and the time stay,
so participation can still be checked.

The digest printed on the notice (MotionResult.ballots_sha256, services.ballots_digest) is the
SHA-256 of the lines "名册编号|choice|channel|version\\n" in ascending 名册编号, with the codes
for/against/abstain and online/paper/proxy; sheet 计票结果 explains it, so anyone holding an open
workbook can recompute it.

openpyxl in write-only mode streams rows, and the rows are read with one values() query, so a
roll of 100,000 apartments costs one query and bounded memory (house style: elevators/exports.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from gongzhi.core.spreadsheets import SafeWorkbook, workbook_bytes
from gongzhi.motions.models import Channel, Motion, MotionResult, RollEntry
from gongzhi.motions.selectors import choice_list
from gongzhi.motions.views_notice import is_choice, option_label, option_rows, result_figures, rule_text, scope_text

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
AREA_FORMAT = "0.00"
HEADER_ROW = 3  # row 1: title, row 2: motion facts, row 3: column headers
HIDDEN = "—"


def _columns() -> list[tuple[str, int]]:
    """(header, width in characters) of sheet 表决明细, in order."""
    return [
        (_("名册编号"), 10),
        (_("楼栋"), 10),
        (_("单元"), 10),
        (_("室号"), 8),
        (_("建筑面积(m²)"), 12),
        (_("表决票编号"), 10),
        (_("业主"), 22),
        (_("是否表决"), 9),
        (_("选择"), 8),
        (_("方式"), 8),
        (_("版本"), 6),
        (_("时间"), 20),
    ]


def ballots_file_name(motion: Motion) -> str:
    """A percent-encoded file name for Content-Disposition (filename*=UTF-8''…)."""
    return quote(f"{motion.title}-{_('表决明细')}.xlsx")


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: write the Asia/Shanghai wall-clock time."""
    return timezone.localtime(value).replace(tzinfo=None) if value is not None else None


def _print_setup(ws: Any, *, landscape: bool) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def ballots_workbook(motion: Motion) -> bytes:
    """Sheets 表决明细 (one row per apartment) and 计票结果 (the frozen outcome), as .xlsx bytes."""
    result = MotionResult.objects.get(motion=motion)
    wb = SafeWorkbook(write_only=True)  # owner names and motion texts are written as text, never formulas
    _details_sheet(wb, motion)
    _result_sheet(wb, motion, result)
    return workbook_bytes(wb)


def _details_sheet(wb: SafeWorkbook, motion: Motion) -> None:
    ws: Any = wb.create_sheet(_("表决明细"))  # a WriteOnlyWorksheet: rows are appended, never revisited
    columns = _columns()
    for index, (_header, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _print_setup(ws, landscape=True)

    title = WriteOnlyCell(ws, value=f"{motion.estate.name} {motion.title}")
    title.font = Font(bold=True, size=14)
    ws.append([title])
    facts = _("%(scope)s　表决期 %(opens)s 至 %(closes)s　%(anonymous)s") % {
        "scope": scope_text(motion),
        "opens": timezone.localtime(motion.opens_at).strftime("%Y-%m-%d %H:%M"),
        "closes": timezone.localtime(motion.closes_at).strftime("%Y-%m-%d %H:%M"),
        "anonymous": _("不公开个人选择：业主与选择以“—”代替") if motion.anonymous else "",
    }
    ws.append([facts.strip()])
    fill = PatternFill("solid", fgColor="DDEBF7")
    header: list[Any] = []
    for name, _width in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    ws.append(header)

    choices = dict(choice_list(motion))  # a choice motion: the option's label ("方案1：…")
    channels = {value: str(label) for value, label in Channel.choices}
    yes, no = _("是"), _("否")
    rows = (
        RollEntry.objects.filter(motion=motion)
        .order_by("building_name", "entrance_name", "floor", "room", "id")
        .values_list(
            "id",
            "building_name",
            "entrance_name",
            "room",
            "area",
            "voter__number",
            "voter__display_name",
            "ballot__choice",
            "ballot__channel",
            "ballot__version__version",
            "ballot__cast_at",
        )
    )
    for entry_id, building, entrance, room, area, number, name, choice, channel, version, cast_at in rows.iterator(
        chunk_size=5000
    ):
        area_cell = WriteOnlyCell(ws, value=area)  # type: ignore[arg-type]  # openpyxl writes a Decimal exactly
        area_cell.number_format = AREA_FORMAT
        when = WriteOnlyCell(ws, value=_local(cast_at))
        when.number_format = DATETIME_FORMAT
        voted = bool(choice)
        ws.append(
            [
                entry_id,
                building,
                entrance,
                room,
                area_cell,
                number,
                HIDDEN if motion.anonymous else name,
                yes if voted else no,
                (HIDDEN if motion.anonymous else choices.get(choice, choice)) if voted else "",
                channels.get(channel, channel) if voted else "",
                version if voted else None,
                when,
            ]
        )


def _result_sheet(wb: SafeWorkbook, motion: Motion, result: MotionResult) -> None:
    ws: Any = wb.create_sheet(_("计票结果"))
    for letter, width in (("A", 34), ("B", 16), ("C", 12), ("D", 12), ("E", 12), ("F", 12)):
        ws.column_dimensions[letter].width = width
    _print_setup(ws, landscape=False)
    bold = Font(bold=True)

    def heading(text: str) -> None:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        ws.append([cell])

    def bold_row(values: list[Any]) -> None:
        cells = []
        for value in values:
            cell = WriteOnlyCell(ws, value=value)
            cell.font = bold
            cells.append(cell)
        ws.append(cells)

    title = WriteOnlyCell(ws, value=_("表决结果：%(title)s") % {"title": motion.title})
    title.font = Font(bold=True, size=14)
    ws.append([title])
    ws.append([_("小区"), motion.estate.name])
    ws.append([_("表决范围"), scope_text(motion)])
    ws.append([_("表决事项"), motion.question])
    ws.append([_("计票时间"), _local(result.computed_at)])
    if result.objection_until:
        ws.append([_("异议期至"), _local(result.objection_until)])
    ws.append([])

    rows, checks = result_figures(motion, result)
    heading(_("票数"))
    bold_row(["", _("面积(m²)"), _("面积占比(%)"), _("人数"), _("人数占比(%)"), _("占比基数")])
    for row in rows:
        ws.append([row.label, row.area, row.area_pct, row.owners, row.owners_pct, row.base])
    ws.append([])
    heading(_("表决规则"))
    text = rule_text(motion)
    ws.append([text.participation])
    ws.append([text.approval])
    ws.append([text.source])
    bold_row([_("门槛"), _("要求"), _("实际(%)"), _("是否达到")])
    yes, no = _("是"), _("否")
    for check in checks:
        ws.append([check.label, check.words, check.actual_pct, yes if check.met else no])
    ws.append([])
    outcome = result.outcome
    heading(_("结果"))
    ws.append([_("参与表决达到法定人数和面积"), yes if outcome.get("quorum_met") else no])
    if is_choice(result):
        adopted = None
        for option in option_rows(result):
            ws.append(
                [
                    option_label(option.position, option.label),
                    _("达到同意门槛") if option.approved else _("未达到同意门槛"),
                    option.area_pct,
                    option.owners_pct,
                ]
            )
            if option.adopted:
                adopted = option
        bold_row(
            [
                _("表决结果"),
                option_label(adopted.position, adopted.label) if adopted is not None else _("没有方案获得选定"),
            ]
        )
    else:
        ws.append([_("同意达到门槛"), yes if outcome.get("approved") else no])
        bold_row([_("表决结果"), _("通过") if result.passed else _("未通过")])
    ws.append([])
    heading(_("选票摘要（SHA-256）"))
    ws.append([result.ballots_sha256])
    ws.append(
        [
            _(
                "核验方法：按“名册编号”从小到大，对每个已表决的房屋写一行“名册编号|选择|方式|版本”并换行，"
                "选择写 for（同意）/ against（反对）/ abstain（弃权），方式写 online（线上）/ paper（纸质）/ "
                "proxy（委托），对全部行按 UTF-8 计算 SHA-256，应与上值及公告上的摘要一致。"
            )
        ]
    )
    if is_choice(result):
        ws.append([_("方案选择的表决中，选择写 opt1、opt2……（方案序号），弃权写 abstain。")])
    if motion.anonymous:
        ws.append([_("本表决不公开个人选择，明细中的选择已隐去，摘要可由组织表决的人员按原始记录核验。")])
