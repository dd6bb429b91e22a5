"""The registry's template workbook: one sheet per record kind with its headers and an example
row, and a 说明 sheet explaining every column (registry.spec)."""

from __future__ import annotations

import datetime as dt

from openpyxl.styles import Alignment, Font, PatternFill

from gongzhi.core.spreadsheets import SafeWorkbook, workbook_bytes
from gongzhi.elevators.registry.spec import HELP_SHEET, SHEETS


def registry_template_bytes() -> bytes:
    """The template workbook: one sheet per record kind with an example row, and a 说明 sheet."""
    wb = SafeWorkbook()  # the template's examples are text, never formulas
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    help_ws = wb.active
    assert help_ws is not None  # noqa: S101 - a new workbook has one sheet
    help_ws.title = HELP_SHEET
    help_ws.append(["工作表", "列", "必填", "说明"])
    for cell in help_ws[1]:
        cell.font = bold
        cell.fill = fill
    help_ws.append(
        ["（全部）", "", "", "第 1 行为表头，从第 2 行起每行一条记录；导入前请删除示例行。检验、安全评估两张表可省略。"]
    )
    help_ws.append(["（日期）", "", "", "日期可写作 2005-03-01、2005/3/1、2005年3月1日，或使用 Excel 日期格式单元格。"])
    help_ws.append(["（导入规则）", "", "", "任何一处有误，整个文件不导入，并列出全部问题（工作表、行、列、原因）。"])
    for spec in SHEETS:
        ws = wb.create_sheet(spec.name)
        ws.append([c.header for c in spec.columns])
        ws.append([c.example for c in spec.columns])
        for j, column in enumerate(spec.columns, start=1):
            head = ws.cell(row=1, column=j)
            head.font = bold
            head.fill = fill
            head.alignment = Alignment(horizontal="center")
            value = ws.cell(row=2, column=j)
            if isinstance(column.example, dt.datetime):
                value.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(column.example, dt.date):
                value.number_format = "yyyy-mm-dd"
            elif isinstance(column.example, str):
                value.number_format = "@"  # text: keeps leading zeros of codes and numbers
            ws.column_dimensions[value.column_letter].width = max(12, len(column.header) * 2 + 4)
        ws.freeze_panes = "A2"
        help_ws.append([spec.name, "", "可选" if spec.optional else "", spec.help])
        for column in spec.columns:
            help_ws.append([spec.name, column.header, "是" if column.required else "否", column.help])
    help_ws.column_dimensions["A"].width = 12
    help_ws.column_dimensions["B"].width = 18
    help_ws.column_dimensions["C"].width = 6
    help_ws.column_dimensions["D"].width = 90
    return workbook_bytes(wb)
