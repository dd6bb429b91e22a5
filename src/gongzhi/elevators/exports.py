"""The campaign's ranked list as an Excel workbook a district office can file.

One function, used by the web page and the API alike. openpyxl in write-only mode streams rows,
so 100,000 entries fit in memory. The caller passes entries with
select_related("elevator__entrance__building__estate__community") (elevators.selectors.
campaign_entries does): writing a row costs no query.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.properties import PageSetupProperties

from gongzhi.core.spreadsheets import SafeWorkbook, workbook_bytes
from gongzhi.elevators.models import Campaign, CampaignEntry, Tier

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DATE_FORMAT = "yyyy-mm-dd"
HEADER_ROW = 3  # row 1: title, row 2: campaign facts, row 3: column headers


def _columns() -> list[tuple[str, int]]:
    """(header, width in characters) of the ranked list, in order."""
    return [
        (_("排名"), 6),
        (_("小区"), 14),
        (_("地址"), 14),
        (_("设备代码"), 22),
        (_("使用登记证编号"), 20),
        (_("投用日期"), 12),
        (_("梯龄(年)"), 9),
        (_("等级"), 10),
        (_("优先分"), 9),
        (_("近12个月故障"), 12),
        (_("服务户数"), 9),
        (_("经评估认定"), 11),
    ]


def workbook_file_name(campaign: Campaign) -> str:
    """A percent-encoded file name for Content-Disposition (filename*=UTF-8''…)."""
    return quote(f"{campaign.name}-{campaign.reference_date.isoformat()}.xlsx")


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def campaign_workbook(*, campaign: Campaign, entries: Iterable[CampaignEntry]) -> bytes:
    """The ranked list (sheet 排序清单) and how it was computed (sheet 说明), as .xlsx bytes."""
    wb = SafeWorkbook(write_only=True)  # names and registration numbers are written as text, never formulas
    ws: Any = wb.create_sheet(_("排序清单"))  # a WriteOnlyWorksheet: rows are appended, never revisited
    columns = _columns()
    for index, (_header, width) in enumerate(columns, start=1):
        ws.column_dimensions[_letter(index)].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    bold = Font(bold=True)
    title = WriteOnlyCell(ws, value=campaign.name)
    title.font = Font(bold=True, size=14)
    ws.append([title])
    facts = _(
        "%(sub)s　基准日期 %(ref)s　截止日期 %(deadline)s　符合条件 ≥ %(e)d 年　优先 ≥ %(p)d 年　生成于 %(now)s"
    ) % {
        "sub": campaign.subdistrict.name,
        "ref": campaign.reference_date.isoformat(),
        "deadline": campaign.deadline.isoformat(),
        "e": campaign.eligible_years,
        "p": campaign.priority_years,
        "now": timezone.localdate().isoformat(),
    }
    ws.append([facts])
    fill = PatternFill("solid", fgColor="DDEBF7")
    header: list[Any] = []
    for name, _width in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    ws.append(header)

    labels = {value: str(label) for value, label in Tier.choices}
    yes = _("是")
    for e in entries:
        elevator = e.elevator
        entrance = elevator.entrance
        building = entrance.building
        commissioned = WriteOnlyCell(ws, value=elevator.commissioned_on)  # type: ignore[arg-type]  # a real Excel date
        commissioned.number_format = DATE_FORMAT
        ws.append(
            [
                e.rank,
                building.estate.name,
                f"{building.name}{entrance.name}",
                elevator.device_code,
                elevator.registration_number,
                commissioned,
                e.age_years,
                labels.get(e.tier, e.tier),
                e.score,
                e.faults_12m,
                e.households,
                yes if e.by_assessment else "",
            ]
        )

    _notes_sheet(wb, campaign)
    return workbook_bytes(wb)


def _notes_sheet(wb: SafeWorkbook, campaign: Campaign) -> None:
    ws: Any = wb.create_sheet(_("说明"))
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 70
    bold = Font(bold=True)

    def heading(text: str) -> None:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        ws.append([cell])

    heading(_("等级"))
    ws.append(
        [
            _("优先"),
            "",
            _("投用满 %(p)d 年（投用日期加 %(p)d 年不晚于基准日期）。") % {"p": campaign.priority_years},
        ]
    )
    ws.append(
        [
            _("符合条件"),
            "",
            _("投用满 %(e)d 年不满 %(p)d 年；或未满 %(e)d 年但最近一次安全评估结论为更新或改造（经评估认定）。")
            % {"e": campaign.eligible_years, "p": campaign.priority_years},
        ]
    )
    ws.append([_("暂不符合"), "", _("其余电梯，不列入本清单。")])
    ws.append(
        [
            _("年限计算"),
            "",
            _("按周年计算；2月29日投用的电梯，在平年以2月28日为周年日（《民法典》第二百零一条）。"),
        ]
    )
    ws.append([])
    heading(_("优先分（同一等级内排序）"))
    weights = campaign.score_weights
    rows = [
        (_("梯龄每年"), weights.per_year, _("每满一年")),
        (_("近12个月每次故障"), weights.per_fault, _("基准日期前12个月内的故障记录")),
        (_("每次困人"), weights.per_entrapment, _("在故障分之外另加")),
        (_("最近一次定期检验不合格"), weights.inspection_fail, ""),
        (_("最近一次定期检验复检合格"), weights.inspection_pass_after_fix, ""),
        (_("每户服务户数"), weights.per_household, _("电梯所在单元的户数")),
    ]
    for label, weight, note in rows:
        ws.append([label, weight, note])
    ws.append([])
    ws.append(
        [
            _("排名规则"),
            "",
            _("先按等级（优先、符合条件），再按优先分从高到低，再按投用日期从早到晚，最后按设备代码。"),
        ]
    )
    generated = WriteOnlyCell(ws, value=timezone.localdate())  # type: ignore[arg-type]
    generated.number_format = DATE_FORMAT
    ws.append([_("生成日期"), generated, ""])
