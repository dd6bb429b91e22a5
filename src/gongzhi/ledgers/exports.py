"""The annual Excel export of a ledger for the audit (openpyxl): one sheet of the year's entries
(amounts as numbers to the fen, dates as Excel dates) and one of the summary — income by source
(gross, costs, net), spending by category against the budget, transfers and the balance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.styles import Font

from gongzhi.core.spreadsheets import SafeWorkbook, workbook_bytes
from gongzhi.ledgers import selectors
from gongzhi.ledgers.models import Entry, Ledger

MONEY = "#,##0.00"


def _row(ws: Any, values: list[Any], *, bold: bool = False) -> None:
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, int | float) or type(cell.value).__name__ == "Decimal":
            cell.number_format = MONEY
        if bold:
            cell.font = Font(bold=True)


def ledger_workbook(ledger: Ledger, year: int) -> bytes:
    o = selectors.overview(ledger, year)
    wb = SafeWorkbook()  # entry summaries are written as text, never formulas
    ws: Any = wb.active
    ws.title = _("分录")
    _row(ws, [_("%(estate)s %(year)d 年公共收益分录") % {"estate": ledger.estate.name, "year": year}], bold=True)
    _row(
        ws,
        [_("编号"), _("日期"), _("类型"), _("来源/类别"), _("金额(元)"), _("摘要"), _("状态"), _("支付日期"),
         _("冲销分录"), _("已冲销"), _("业主表决"), _("凭证数"), _("记账时间")],
        bold=True,
    )  # fmt: skip
    entries = (
        Entry.objects.filter(ledger=ledger, date__year=year)
        .select_related("motion")
        .prefetch_related("vouchers")
        .order_by("date", "id")
    )
    for e in entries:
        _row(
            ws,
            [
                e.pk, e.date, e.get_kind_display(), e.get_category_display(), e.amount, e.description,
                e.get_status_display() if e.status else "", e.paid_on, e.reverses_id or "",
                _("是") if e.reversed else "", e.motion.title if e.motion else "", len(e.vouchers.all()),
                e.posted_at.astimezone(dt.UTC).replace(tzinfo=None),
            ],
        )  # fmt: skip
        ws.cell(ws.max_row, 2).number_format = "yyyy-mm-dd"
        if e.paid_on:
            ws.cell(ws.max_row, 8).number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFGHIJKLM", (8, 12, 12, 12, 14, 30, 10, 12, 10, 8, 20, 8, 20), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"

    summary: Any = wb.create_sheet(_("汇总"))
    _row(summary, [_("%(estate)s %(year)d 年公共收益汇总") % {"estate": ledger.estate.name, "year": year}], bold=True)
    _row(summary, [_("收入来源"), _("收入"), _("成本"), _("净收益")], bold=True)
    for s in o.sources:
        _row(summary, [s.label, s.gross, s.costs, s.net])
    _row(summary, [_("合计"), o.gross, o.costs, o.net], bold=True)
    _row(summary, [])
    _row(summary, [_("支出类别"), _("预算"), _("已列支"), _("已支付"), _("预算剩余")], bold=True)
    for c in o.categories:
        _row(summary, [c.label, c.budget, c.committed, c.paid, c.remaining])
    _row(summary, [])
    _row(summary, [_("转入维修资金"), o.transfers])
    _row(summary, [_("当前余额"), o.balance], bold=True)
    for letter, width in zip("ABCDE", (16, 14, 14, 14, 14), strict=True):
        summary.column_dimensions[letter].width = width
    return workbook_bytes(wb)
