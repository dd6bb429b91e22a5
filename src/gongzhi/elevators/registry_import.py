"""Importing the elevator registry from an Excel workbook (issue 2, item 4 and "Bad input").

The workbook has one sheet per kind of record (see SHEETS and docs/registry-import.md). An
import is all or nothing: every row is read and checked first, every problem is collected
with its sheet, row and column, and if there is any the whole import is refused
(ImportRefusedError) before anything is written. Otherwise everything is written in one
transaction, with bulk upserts on the natural keys so that importing the same workbook again
updates rows instead of duplicating them:

    estate:      name within its community        building:  name within its estate
    entrance:    name within its building         apartment: room within its entrance
    owner:       keyed hash of the identity number (PIPL Art. 28: the number itself is never stored)
    elevator:    device code                      fault:     (elevator, occurred at, kind)
    inspection:  (elevator, date)                 safety assessment: (elevator, date)

Speed matters (the benchmark imports 100,000 elevators and 1,000,000 apartments), so natural
keys are mapped to ids with a few bulk reads into dictionaries and the writes are batched;
there is no query per row.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import logging
import operator
import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import AccessDeniedError, ImportRefusedError, RowProblem
from gongzhi.core.files import keep_import_upload
from gongzhi.core.spreadsheets import SafeWorkbook, workbook_bytes
from gongzhi.core.workbooks import GiB, WorkbookLimits, WorkbookReadFailedError, WorkbookRefusedError, open_workbook
from gongzhi.elevators.device_codes import device_code_warning, normalise
from gongzhi.elevators.models import (
    AssessmentConclusion,
    Elevator,
    FaultKind,
    FaultRecord,
    ImportStatus,
    InspectionRecord,
    InspectionResult,
    RegistryImport,
    SafetyAssessment,
)
from gongzhi.places.access import Action, Chain, allowed, user_access
from gongzhi.places.models import (
    Apartment,
    Building,
    Community,
    District,
    Entrance,
    Estate,
    Owner,
    OwnerKind,
    Ownership,
    Subdistrict,
)

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
M = TypeVar("M", bound=models.Model)

MAX_PROBLEMS = 1000  # beyond this, one summary line: a file with a systematic error is not listed row by row
BATCH = 2000  # rows per bulk write (Django splits further where the database needs it)
LOOKUP_CHUNK = 900  # ids or keys per IN (...) lookup; below SQLite's 999 variables
# What an uploaded registry workbook may be (issue 13): the template's widest sheet has 12
# columns and the benchmark 1,000,000 apartments; the reading child (gongzhi.core.workbooks)
# gets this much memory and time. A sheet's grid is bounded by rows × columns too (the reader
# allocates the whole grid: 1,100,000 rows × 24 columns is about 0.9 GB).
READ_LIMITS = WorkbookLimits(
    max_rows=1_100_000,
    max_columns=200,
    max_cells=1_100_000 * 24,
    max_total_bytes=2 * GiB,
    max_member_bytes=1 * GiB,
    memory_bytes=6 * GiB,
    seconds=900,
)
# A running import whose worker went silent this long is marked failed (see registry_imports_reap):
# the read in the child is bounded by READ_LIMITS.seconds, every other phase reports progress often.
STALE_AFTER = dt.timedelta(seconds=READ_LIMITS.seconds) + dt.timedelta(minutes=10)


class _BadValueError(Exception):
    """A cell's value cannot be used; the message says why (translated)."""


# --- cell parsers -------------------------------------------------------------------------------


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _text_of(value: Any) -> str:
    if value.__class__ is str:
        return str(value).strip()
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _text(max_len: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = value.strip() if value.__class__ is str else _text_of(value)
        if len(text) > max_len:
            raise _BadValueError(_("超过 %(n)d 个字符。") % {"n": max_len})
        return text

    return parse


def _integer(lo: int, hi: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number: int | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str):
            text = unicodedata.normalize("NFKC", value).strip()
            if re.fullmatch(r"-?\d+", text):
                number = int(text)
        if number is None or not lo <= number <= hi:
            raise _BadValueError(
                _("须为 %(lo)d 到 %(hi)d 之间的整数：“%(value)s”。") % {"lo": lo, "hi": hi, "value": _short(value)}
            )
        return number

    return parse


def _decimal(*, places: int, max_digits: int, positive: bool) -> Callable[[Any], Decimal]:
    """A number with at most `places` decimals: > 0 when `positive`, else ≥ 0."""
    limit = Decimal(10) ** (max_digits - places)
    quantum = Decimal(1).scaleb(-places)

    def parse(value: Any) -> Decimal:
        number: Decimal | None = None
        try:
            if isinstance(value, bool):
                number = None
            elif isinstance(value, int):
                number = Decimal(value)
            elif isinstance(value, float):
                number = Decimal(repr(value))
            elif isinstance(value, str):
                text = value if value.isascii() else unicodedata.normalize("NFKC", value)
                number = Decimal(text.strip().replace(",", ""))
        except InvalidOperation:
            number = None
        ok = (
            number is not None
            and number.is_finite()
            and (number > 0 if positive else number >= 0)
            and number < limit
            and number == number.quantize(quantum)
        )
        if not ok or number is None:
            if positive:
                message = _("须为大于 0 的数字，最多 %(places)d 位小数：“%(value)s”。")
            else:
                message = _("须为不小于 0 的数字，最多 %(places)d 位小数：“%(value)s”。")
            raise _BadValueError(message % {"places": places, "value": _short(value)})
        return number.quantize(quantum)

    return parse


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_SERIAL = 2958465  # 9999-12-31
_DATE_RE = re.compile(r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)")
_TIME_RE = re.compile(r"(\d{1,2})\s*[:时]\s*(\d{1,2})\s*分?(?:\s*[:]\s*(\d{1,2})\s*秒?)?")
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def _date_from_text(text: str) -> tuple[dt.date, str] | None:
    """The date at the start of `text` and the rest of the text, or None."""
    match = _DATE_RE.match(text)
    if not match:
        return None
    year = int(match[1])
    month = int(match[2] or match[4])
    day = int(match[3] or match[5])
    try:
        return dt.date(year, month, day), text[match.end() :].strip()
    except ValueError:
        return None


def _serial(value: float) -> dt.datetime | None:
    if not 1 <= value <= _MAX_SERIAL:
        return None
    whole = int(value)
    seconds = round((value - whole) * 86400)
    return dt.datetime.combine(_EXCEL_EPOCH + dt.timedelta(days=whole), dt.time()) + dt.timedelta(seconds=seconds)


def _when(value: Any, *, with_time: bool) -> dt.datetime | None:
    """A naive datetime from any accepted form (date only: midnight), or None."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _serial(float(value))
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    if re.fullmatch(r"\d{1,7}(\.\d+)?", text):
        return _serial(float(text))
    found = _date_from_text(text)
    if found is None:
        return None
    day, rest = found
    if not rest:
        return dt.datetime.combine(day, dt.time())
    if not with_time:
        return None
    match = _TIME_RE.fullmatch(rest.lstrip("T").strip())
    if not match:
        return None
    try:
        clock = dt.time(int(match[1]), int(match[2]), int(match[3] or 0))
    except ValueError:
        return None
    return dt.datetime.combine(day, clock)


def parse_date(value: Any) -> dt.date:
    """2005-03-01, 2005/3/1, 2005.3.1, 2005年3月1日, an Excel serial number or a date cell."""
    when = _when(value, with_time=False)
    if when is None or not _MIN_YEAR <= when.year <= _MAX_YEAR:
        raise _BadValueError(
            _("日期无法识别：“%(value)s”。可用格式：2005-03-01、2005/3/1、2005年3月1日或 Excel 日期。")
            % {"value": _short(value)}
        )
    return when.date()


def parse_datetime(value: Any) -> dt.datetime:
    """A date in any form of parse_date, optionally followed by a time (8:30 or 08:30:00);
    naive values are local time (settings.TIME_ZONE)."""
    when = _when(value, with_time=True)
    if when is None or not _MIN_YEAR <= when.year <= _MAX_YEAR:
        raise _BadValueError(
            _(
                "时间无法识别：“%(value)s”。"
                "可用格式：2024-06-01 08:30、2024/6/1 8:30、2024年6月1日 8:30或 Excel 日期时间。"
            )
            % {"value": _short(value)}
        )
    if timezone.is_naive(when):
        when = when.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return when


def _choice(labels: dict[str, str]) -> Callable[[Any], str]:
    """Accepts a Chinese label or the code value (any case); returns the code value."""
    lookup = {unicodedata.normalize("NFKC", k).strip().lower(): v for k, v in labels.items()}
    lookup.update({v.lower(): v for v in labels.values()})
    shown = "、".join(labels)

    exact = {**{v: v for v in labels.values()}, **labels}

    def parse(value: Any) -> str:
        if value in exact:  # the common case: exactly as in the template
            return exact[value]
        key = unicodedata.normalize("NFKC", _text_of(value)).strip().lower()
        if key not in lookup:
            raise _BadValueError(
                _("“%(value)s”不是可用的值，可用：%(choices)s。") % {"value": _short(value), "choices": shown}
            )
        return lookup[key]

    return parse


def _labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """The Chinese labels (the msgids) of a choices class, whatever language is active."""
    with translation.override(None):
        return {str(label): str(value) for value, label in choices.choices}


_YES = {"是", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "n", "no", "false", "0", ""}


def _yes_no(value: Any) -> bool:
    if value == "否":
        return False
    if value == "是":
        return True
    key = unicodedata.normalize("NFKC", _text_of(value)).strip().lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise _BadValueError(_("须填“是”或“否”：“%(value)s”。") % {"value": _short(value)})


def _device_code(value: Any) -> str:
    code = normalise(_text_of(value))
    if len(code) > 32:
        raise _BadValueError(_("超过 %(n)d 个字符。") % {"n": 32})
    return code


def _identity(value: Any) -> str:
    """An identity number (ID card, passport, unified social credit code), normalised."""
    if value.__class__ is str and value.isascii() and value.isalnum():
        text = str(value).upper()
    else:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _text_of(value))).upper()
    if len(text) > 64:
        raise _BadValueError(_("超过 %(n)d 个字符。") % {"n": 64})
    return text


def owner_id_hash(identity: str) -> str:
    """The keyed hash under which an owner's identity number is recognised across imports."""
    normalised = re.sub(r"\s+", "", unicodedata.normalize("NFKC", identity)).upper()
    return hashlib.sha256((settings.OWNER_ID_HASH_KEY + normalised).encode()).hexdigest()


# --- the workbook's layout ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    parse: Callable[[Any], Any]
    required: bool
    help: str
    example: Any


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    help: str
    optional: bool = False

    def column(self, header: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.header == header)


S_ESTATES, S_BUILDINGS, S_ENTRANCES, S_APARTMENTS, S_OWNERS = "小区", "楼栋", "单元", "房屋", "业主"
S_ELEVATORS, S_FAULTS, S_INSPECTIONS, S_ASSESSMENTS = "电梯", "故障", "检验", "安全评估"
HELP_SHEET = "说明"

_EXAMPLE_CODE = "311033001200500001"
_EST, _BLD, _ENT = "示例小区", "1幢", "1单元"


def _col(header: str, parse: Callable[[Any], Any], help_text: str, example: Any, *, required: bool = True) -> Column:
    return Column(header, parse, required, help_text, example)


def _estate_ref(help_text: str = "小区名称，须在“小区”工作表或系统中已有。") -> Column:
    return _col("小区", _text(64), help_text, _EST)


SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        S_ESTATES,
        (
            _col("区", _text(64), "区县名称，如 余杭区。系统中没有的区县只有系统管理员可以新建。", "余杭区"),
            _col("街道", _text(64), "街道名称，如 良渚街道。系统中没有的街道只有系统管理员可以新建。", "良渚街道"),
            _col("社区", _text(64), "社区名称。新建社区须有该街道的登记维护权限。", "示例社区"),
            _col("小区名称", _text(64), "小区名称；其他工作表按此名称引用小区，文件内不能重复。", _EST),
            _col("地址", _text(255), "小区地址，可空。", "良渚街道示例路1号", required=False),
        ),
        "每行一个小区。同一社区内按小区名称识别，重复导入时更新地址。",
    ),
    SheetSpec(
        S_BUILDINGS,
        (
            _estate_ref(),
            _col("楼栋", _text(32), "楼栋名称，如 1幢；同一小区内不能重复。", _BLD),
            _col("地上层数", _integer(1, 200), "地上层数，1 到 200 的整数。", 11),
        ),
        "每行一幢楼。按 小区+楼栋 识别，重复导入时更新层数。",
    ),
    SheetSpec(
        S_ENTRANCES,
        (
            _estate_ref(),
            _col("楼栋", _text(32), "楼栋名称，须在“楼栋”工作表或系统中已有。", _BLD),
            _col("单元", _text(32), "单元名称，如 1单元；同一楼栋内不能重复。", _ENT),
        ),
        "每行一个单元（有独立出入口和电梯的楼梯间）。按 小区+楼栋+单元 识别。",
    ),
    SheetSpec(
        S_APARTMENTS,
        (
            _estate_ref(),
            _col("楼栋", _text(32), "楼栋名称。", _BLD),
            _col("单元", _text(32), "单元名称，须在“单元”工作表或系统中已有。", _ENT),
            _col("室号", _text(32), "室号，如 301；同一单元内不能重复。", "301"),
            _col("楼层", _integer(-10, 300), "所在楼层，整数（地下为负数）。", 3),
            _col(
                "建筑面积(平方米)",
                _decimal(places=2, max_digits=10, positive=True),
                "不动产登记的建筑面积，大于 0，最多两位小数。",
                Decimal("89.50"),
            ),
            _col(
                "建设单位持有",
                _yes_no,
                "尚由建设单位持有（未售或未交付）填“是”，否则填“否”或留空。",
                "否",
                required=False,
            ),
        ),
        "每行一户（专有部分，含商铺）。按 小区+楼栋+单元+室号 识别，重复导入时更新楼层、面积和建设单位持有标记。",
    ),
    SheetSpec(
        S_OWNERS,
        (
            _estate_ref(),
            _col("楼栋", _text(32), "楼栋名称。", _BLD),
            _col("单元", _text(32), "单元名称。", _ENT),
            _col("室号", _text(32), "室号，须在“房屋”工作表或系统中已有。", "301"),
            _col("业主姓名", _text(128), "业主姓名或单位名称。", "张三"),
            _col("类型", _choice(_labels(OwnerKind)), "个人、单位或建设单位；留空为个人。", "个人", required=False),
            _col(
                "证件号码",
                _identity,
                "身份证号或统一社会信用代码；系统只保存其摘要和后四位，用于识别同一业主。",
                "330110198001010011",
            ),
            _col("电话", _text(32), "联系电话，可空。", "13800000000", required=False),
        ),
        "每位业主每户一行：共有人各占一行，一人多户则每户一行。文件中列出的房屋，其业主以本表为准（替换原有业主）。",
    ),
    SheetSpec(
        S_ELEVATORS,
        (
            _col(
                "设备代码",
                _device_code,
                "特种设备设备代码（18 位，TSG 08；或旧 20 位）；其他格式照常导入并给出提示。文件内不能重复。",
                _EXAMPLE_CODE,
            ),
            _col("使用登记证编号", _text(64), "使用登记证编号，可空。", "梯11浙A00001(05)", required=False),
            _estate_ref(),
            _col("楼栋", _text(32), "楼栋名称。", _BLD),
            _col("单元", _text(32), "电梯所在单元，须在“单元”工作表或系统中已有。", _ENT),
            _col("投用日期", parse_date, "投入使用日期；梯龄由此计算。", dt.date(2005, 3, 1)),
            _col("制造单位", _text(128), "制造单位，可空。", "示例电梯有限公司", required=False),
            _col("型号", _text(64), "型号，可空。", "TKJ1000/1.75", required=False),
            _col("额定载重量(kg)", _integer(1, 100000), "额定载重量，千克，整数，可空。", 1000, required=False),
            _col(
                "额定速度(m/s)",
                _decimal(places=2, max_digits=4, positive=True),
                "额定速度，米/秒，最多两位小数，可空。",
                Decimal("1.75"),
                required=False,
            ),
            _col("层站数", _integer(1, 300), "层站数，整数，可空。", 11, required=False),
            _col("维保单位", _text(128), "维护保养单位，可空。", "示例维保有限公司", required=False),
        ),
        "每行一台电梯。按设备代码识别，重复导入时更新其余各项（包括所在单元）。",
    ),
    SheetSpec(
        S_FAULTS,
        (
            _col("设备代码", _device_code, "电梯设备代码，须在“电梯”工作表或系统中已有。", _EXAMPLE_CODE),
            _col(
                "发生时间",
                parse_datetime,
                "发生日期，可带时间（如 2024-06-01 08:30）。",
                dt.datetime(2024, 6, 1, 8, 30),  # noqa: DTZ001 - Excel cells hold local time
            ),
            _col("类型", _choice(_labels(FaultKind)), "困人、门系统故障、停梯、平层不准、控制系统故障或其他。", "困人"),
            _col("被困人数", _integer(0, 1000), "被困人数，整数，留空为 0。", 2, required=False),
            _col(
                "停梯时长(小时)",
                _decimal(places=2, max_digits=7, positive=False),
                "停梯时长，小时，不小于 0，最多两位小数，留空为 0。",
                Decimal("1.50"),
                required=False,
            ),
        ),
        "每行一次故障。按 设备代码+发生时间+类型 识别，重复导入时更新被困人数和停梯时长。",
    ),
    SheetSpec(
        S_INSPECTIONS,
        (
            _col("设备代码", _device_code, "电梯设备代码。", _EXAMPLE_CODE),
            _col("检验日期", parse_date, "定期检验日期。", dt.date(2024, 5, 10)),
            _col("结论", _choice(_labels(InspectionResult)), "合格、复检合格或不合格。", "合格"),
            _col("检验机构", _text(128), "检验机构，可空。", "示例特种设备检验机构", required=False),
        ),
        "可选。每行一次定期检验。按 设备代码+检验日期 识别。",
        optional=True,
    ),
    SheetSpec(
        S_ASSESSMENTS,
        (
            _col("设备代码", _device_code, "电梯设备代码。", _EXAMPLE_CODE),
            _col("评估日期", parse_date, "安全评估日期。", dt.date(2024, 4, 1)),
            _col("评估机构", _text(128), "评估机构。", "示例安全评估机构"),
            _col("风险等级", _text(16), "风险等级，可空。", "C", required=False),
            _col(
                "评估结论",
                _choice(_labels(AssessmentConclusion)),
                "GB/T 42615-2023 的结论：更新、改造、重大修理或一般修理。",
                "更新",
            ),
        ),
        "可选。每行一次安全评估（GB/T 42615-2023）。按 设备代码+评估日期 识别。",
        optional=True,
    ),
)
SPEC = {s.name: s for s in SHEETS}


def _header_key(value: Any) -> str:
    """Headers match on their name before any bracketed unit, ignoring spaces and width:
    "建筑面积(平方米)", "建筑面积（㎡）" and "建筑面积" are the same column."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _text_of(value)))
    return text.split("(", 1)[0].lower()


# --- the template -------------------------------------------------------------------------------


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


# --- reading and checking -----------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[RowProblem] = []
        self.dropped = 0
        self.structural = False  # a sheet or column is missing: rows cannot be checked against each other

    def add(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(RowProblem(sheet=sheet, row=row, column=column, message=message))
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def final(self) -> list[RowProblem]:
        if self.dropped:
            return [
                *self.items,
                RowProblem(
                    sheet="", row=None, column=None, message=_("另有 %(n)d 个问题未列出。") % {"n": self.dropped}
                ),
            ]
        return list(self.items)


Row = tuple[int, list[Any]]  # (Excel row number, values in SheetSpec.columns order; None where empty or bad)


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _parse_sheet(spec: SheetSpec, raw: list[list[Any]], problems: _Problems) -> list[Row] | None:
    """The sheet's data rows, parsed. None when the sheet's header lacks a required column."""
    header_at = next((i for i, r in enumerate(raw) if any(not _is_blank(v) for v in r)), None)
    if header_at is None:
        problems.structural = True
        for c in spec.columns:
            if c.required:
                problems.add(spec.name, 1, c.header, _("缺少列“%(column)s”。") % {"column": c.header})
        return None
    positions: dict[str, int] = {}
    for j, head in enumerate(raw[header_at]):
        positions.setdefault(_header_key(head), j)
    cols: list[tuple[Column, int | None]] = []
    complete = True
    for c in spec.columns:
        at = positions.get(_header_key(c.header))
        if at is None and c.required:
            problems.add(spec.name, header_at + 1, c.header, _("缺少列“%(column)s”。") % {"column": c.header})
            complete = False
        cols.append((c, at))
    if not complete:
        problems.structural = True
        return None
    rows: list[Row] = []
    empty_message = _("必填项为空。")
    parsers = [(c.parse, c.required, c.header) for c, _j in cols]
    where = [j for _c, j in cols]
    fast = all(j is not None for j in where) and len(where) > 1
    pick = operator.itemgetter(*[j or 0 for j in where])
    reach = max((j for j in where if j is not None), default=0)
    for i in range(header_at + 1, len(raw)):
        cells = raw[i]
        if fast and len(cells) > reach:
            picked: Sequence[Any] = pick(cells)
        else:
            picked = [cells[j] if j is not None and j < len(cells) else None for j in where]
        if not any(picked) and all(_is_blank(v) for v in picked):
            continue
        values: list[Any] = []
        for (parse, required, header), value in zip(parsers, picked, strict=True):
            if value is None or value == "" or (value.__class__ is str and value.isspace()):
                if required:
                    problems.add(spec.name, i + 1, header, empty_message)
                values.append(None)
                continue
            try:
                values.append(parse(value))
            except _BadValueError as exc:
                problems.add(spec.name, i + 1, header, str(exc))
                values.append(None)
        rows.append((i + 1, values))
    return rows


def read_workbook(
    path: Path, progress: Progress | None = None, limits: WorkbookLimits | None = None
) -> tuple[dict[str, list[Row]], _Problems]:
    """Read and parse every sheet; structural and cell problems are collected, not raised.

    The workbook is inspected and read in a child process within `limits` (READ_LIMITS by
    default; gongzhi.core.workbooks): a file beyond them is refused with the reason as a
    problem. Raises WorkbookReadFailedError when the child is killed or runs out of time."""
    problems = _Problems()
    sheets: dict[str, list[Row]] = {}
    try:
        wb = open_workbook(path, limits or READ_LIMITS, [spec.name for spec in SHEETS])
    except WorkbookReadFailedError:
        raise
    except WorkbookRefusedError as exc:
        problems.add(exc.sheet, None, None, exc.message)
        problems.structural = True
        return sheets, problems
    with wb:
        names = set(wb.sheet_names)
        for spec in SHEETS:
            if spec.name not in names and not spec.optional:
                problems.add(spec.name, None, None, _("缺少工作表“%(sheet)s”。") % {"sheet": spec.name})
                problems.structural = True
        order = {spec.name: n for n, spec in enumerate(SHEETS, start=1)}
        try:
            for name, raw in wb.sheets():
                parsed = _parse_sheet(SPEC[name], raw, problems)
                del raw
                if parsed is not None:
                    sheets[name] = parsed
                if progress:
                    progress("read", order[name], len(SHEETS))
        except WorkbookReadFailedError:
            raise
        except WorkbookRefusedError as exc:
            problems.add(exc.sheet, None, None, exc.message)
            problems.structural = True
    return sheets, problems


@dataclass
class _EstateRef:
    """An estate as the file names it, resolved against the database."""

    name: str
    id: int | None = None
    community_id: int | None = None
    subdistrict_id: int | None = None
    district_id: int | None = None
    # For an estate listed in the 小区 sheet and not yet in the database: names to create.
    district_name: str = ""
    subdistrict_name: str = ""
    community_name: str = ""
    address: str = ""
    row: int | None = None  # its row in the 小区 sheet, if listed


@dataclass
class _Plan:
    """Everything checked and resolved, ready to write."""

    estates: dict[str, _EstateRef] = field(default_factory=dict)
    db_buildings: dict[tuple[str, str], int] = field(default_factory=dict)
    db_entrances: dict[tuple[str, str, str], int] = field(default_factory=dict)
    db_apartments: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    db_elevators: dict[str, int] = field(default_factory=dict)
    subdistrict_ids: set[int] = field(default_factory=set)
    warnings: list[dict[str, object]] = field(default_factory=list)
    rows: int = 0


def _chunks(items: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Scope:
    """CHANGE_REGISTRY checks for the actor, answered once per place."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        access = user_access(actor)
        self.superuser = access.superuser
        self.everything = access.grants(Action.CHANGE_REGISTRY).everything
        self._cache: dict[Chain, bool] = {}

    def may(self, chain: Chain) -> bool:
        if self.everything:
            return True
        if chain not in self._cache:
            self._cache[chain] = allowed(self.actor, Action.CHANGE_REGISTRY, chain)
        return self._cache[chain]


def _check(actor: Any, sheets: dict[str, list[Row]], problems: _Problems, progress: Progress | None) -> _Plan:
    """Resolve the file's natural keys against the database and check references and scope."""
    plan = _Plan()
    scope = _Scope(actor)
    plan.rows = sum(len(rows) for rows in sheets.values())
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("check", done, plan.rows)

    # Duplicates of a natural key within the file.
    key_columns = {
        S_ESTATES: ((3,), "小区名称"),
        S_BUILDINGS: ((0, 1), "楼栋"),
        S_ENTRANCES: ((0, 1, 2), "单元"),
        S_APARTMENTS: ((0, 1, 2, 3), "室号"),
        S_OWNERS: ((0, 1, 2, 3, 6), "证件号码"),
        S_ELEVATORS: ((0,), "设备代码"),
        S_FAULTS: ((0, 1, 2), "发生时间"),
        S_INSPECTIONS: ((0, 1), "检验日期"),
        S_ASSESSMENTS: ((0, 1), "评估日期"),
    }
    for sheet, rows in sheets.items():
        idx, column = key_columns[sheet]
        first: dict[tuple[Any, ...], int] = {}
        for row_no, values in rows:
            key = tuple(values[i] for i in idx)
            if any(k is None for k in key):
                continue
            seen = first.setdefault(key, row_no)
            if seen != row_no:
                if sheet == S_ELEVATORS:
                    message = _("设备代码“%(code)s”在文件中重复（另见第 %(row)d 行）。") % {"code": key[0], "row": seen}
                elif sheet == S_ESTATES:
                    message = _("小区名称“%(name)s”在文件中重复（另见第 %(row)d 行）。") % {"name": key[0], "row": seen}
                else:
                    message = _("与第 %(row)d 行重复。") % {"row": seen}
                problems.add(sheet, row_no, column, message)

    # Estates: those listed in the file, and those only referred to (must already exist).
    districts = {name: pk for pk, name in District.objects.values_list("id", "name")}
    subdistricts = {(d, name): (pk, d) for pk, d, name in Subdistrict.objects.values_list("id", "district_id", "name")}
    subdistrict_of_id = {pk: d for (d, _name), (pk, _d) in subdistricts.items()}
    communities = {(s, name): pk for pk, s, name in Community.objects.values_list("id", "subdistrict_id", "name")}
    community_sub = {pk: s for (s, _name), pk in communities.items()}
    referred: set[str] = set()
    for sheet in (S_BUILDINGS, S_ENTRANCES, S_APARTMENTS, S_OWNERS):
        referred.update(values[0] for _r, values in sheets.get(sheet, []) if values[0] is not None)
    referred.update(values[2] for _r, values in sheets.get(S_ELEVATORS, []) if values[2] is not None)
    listed = {values[3]: (row_no, values) for row_no, values in sheets.get(S_ESTATES, []) if values[3] is not None}
    names = sorted(referred | set(listed))
    db_estates: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for chunk in _chunks(names):
        for pk, name, community_id in Estate.objects.filter(name__in=chunk).values_list("id", "name", "community_id"):
            db_estates[name].append((pk, community_id))

    for name, (row_no, values) in listed.items():
        district_name, sub_name, community_name, _n, address = values
        ref = _EstateRef(name=name, address=address or "", row=row_no)
        plan.estates[name] = ref
        if district_name is None or sub_name is None or community_name is None:
            continue
        ref.district_name, ref.subdistrict_name, ref.community_name = district_name, sub_name, community_name
        ref.district_id = districts.get(district_name)
        if ref.district_id is None:
            if not scope.superuser:
                problems.add(
                    S_ESTATES,
                    row_no,
                    "区",
                    _("区县“%(name)s”不在系统中，只有系统管理员可以新建。") % {"name": district_name},
                )
            continue
        sub = subdistricts.get((ref.district_id, sub_name))
        if sub is None:
            if not scope.superuser:
                problems.add(
                    S_ESTATES,
                    row_no,
                    "街道",
                    _("街道“%(name)s”不在系统中，只有系统管理员可以新建。") % {"name": sub_name},
                )
            continue
        ref.subdistrict_id = sub[0]
        ref.community_id = communities.get((ref.subdistrict_id, community_name))
        if ref.community_id is None:
            if not scope.may(Chain(district_id=ref.district_id, subdistrict_id=ref.subdistrict_id)):
                problems.add(
                    S_ESTATES,
                    row_no,
                    "社区",
                    _("无权在街道“%(name)s”新建社区“%(community)s”。")
                    % {"name": sub_name, "community": community_name},
                )
            continue
        ref.id = next((pk for pk, c in db_estates.get(name, []) if c == ref.community_id), None)
        chain = Chain(ref.district_id, ref.subdistrict_id, ref.community_id, ref.id)
        if not scope.may(chain):
            problems.add(S_ESTATES, row_no, "小区名称", _("无权修改小区“%(name)s”的登记信息。") % {"name": name})

    unresolved: set[str] = set()
    for name in sorted(referred - set(listed)):
        candidates = db_estates.get(name, [])
        if len(candidates) != 1:
            unresolved.add(name)
            continue
        pk, community_id = candidates[0]
        sub_id = community_sub[community_id]
        ref = _EstateRef(name=name, id=pk, community_id=community_id, subdistrict_id=sub_id)
        ref.district_id = subdistrict_of_id[sub_id]
        plan.estates[name] = ref
    refused_estates: set[str] = set()
    for name, ref in plan.estates.items():
        if (
            ref.row is None
            and ref.district_id is not None
            and ref.subdistrict_id is not None
            and not scope.may(Chain(ref.district_id, ref.subdistrict_id, ref.community_id, ref.id))
        ):
            refused_estates.add(name)
        if ref.subdistrict_id is not None:
            plan.subdistrict_ids.add(ref.subdistrict_id)

    reported_scope: set[tuple[str, str]] = set()

    def estate_ok(sheet: str, row_no: int, name: str | None) -> bool:
        if name is None:
            return False
        if name in unresolved:
            if db_estates.get(name):
                message = _("系统中有多个名为“%(name)s”的小区，请在“小区”工作表中注明其区、街道和社区。")
            else:
                message = _("小区“%(name)s”既不在“小区”工作表中，也不在系统中。")
            problems.add(sheet, row_no, "小区", message % {"name": name})
            return False
        if name in refused_estates:
            if (sheet, name) not in reported_scope:
                reported_scope.add((sheet, name))
                problems.add(sheet, row_no, "小区", _("无权修改小区“%(name)s”的登记信息。") % {"name": name})
            return False
        return True

    # What the database already holds under the estates concerned, keyed by names.
    name_of = {ref.id: name for name, ref in plan.estates.items() if ref.id is not None}
    estate_ids = list(name_of)
    building_names: dict[int, tuple[str, str]] = {}
    entrance_names: dict[int, tuple[str, str, str]] = {}
    for chunk in _chunks(estate_ids):
        for pk, estate_id, bname in Building.objects.filter(estate_id__in=chunk).values_list("id", "estate_id", "name"):
            key = (name_of[estate_id], bname)
            plan.db_buildings[key] = pk
            building_names[pk] = key
        for pk, building_id, ename in Entrance.objects.filter(building__estate_id__in=chunk).values_list(
            "id", "building_id", "name"
        ):
            ekey = (*building_names[building_id], ename)
            plan.db_entrances[ekey] = pk
            entrance_names[pk] = ekey
    if sheets.get(S_OWNERS) or sheets.get(S_APARTMENTS):
        for chunk in _chunks(estate_ids):
            for pk, entrance_id, room in Apartment.objects.filter(entrance__building__estate_id__in=chunk).values_list(
                "id", "entrance_id", "room"
            ):
                plan.db_apartments[(*entrance_names[entrance_id], room)] = pk

    file_buildings = {(v[0], v[1]) for _r, v in sheets.get(S_BUILDINGS, [])}
    file_entrances = {(v[0], v[1], v[2]) for _r, v in sheets.get(S_ENTRANCES, [])}
    file_apartments = {(v[0], v[1], v[2], v[3]) for _r, v in sheets.get(S_APARTMENTS, [])}

    for row_no, v in sheets.get(S_BUILDINGS, []):
        estate_ok(S_BUILDINGS, row_no, v[0])
    tick(len(sheets.get(S_BUILDINGS, [])))

    def entrance_ok(sheet: str, row_no: int, v: list[Any]) -> None:
        if not estate_ok(sheet, row_no, v[0]) or v[1] is None:
            return
        if (v[0], v[1]) not in file_buildings and (v[0], v[1]) not in plan.db_buildings:
            problems.add(
                sheet,
                row_no,
                "楼栋",
                _("楼栋“%(estate)s %(building)s”既不在“楼栋”工作表中，也不在系统中。")
                % {"estate": v[0], "building": v[1]},
            )

    for row_no, v in sheets.get(S_ENTRANCES, []):
        entrance_ok(S_ENTRANCES, row_no, v)
    tick(len(sheets.get(S_ENTRANCES, [])))

    def unit_ok(sheet: str, row_no: int, v: list[Any]) -> bool:
        """The row's estate, building and entrance (columns 0, 1, 2 of `v`) exist."""
        if not estate_ok(sheet, row_no, v[0]) or v[1] is None or v[2] is None:
            return False
        key = (v[0], v[1], v[2])
        if key not in file_entrances and key not in plan.db_entrances:
            problems.add(
                sheet,
                row_no,
                "单元",
                _("单元“%(estate)s %(building)s %(entrance)s”既不在“单元”工作表中，也不在系统中。")
                % {"estate": v[0], "building": v[1], "entrance": v[2]},
            )
            return False
        return True

    for row_no, v in sheets.get(S_APARTMENTS, []):
        unit_ok(S_APARTMENTS, row_no, v)
    tick(len(sheets.get(S_APARTMENTS, [])))

    for row_no, v in sheets.get(S_OWNERS, []):
        if unit_ok(S_OWNERS, row_no, v) and v[3] is not None:
            key = (v[0], v[1], v[2], v[3])
            if key not in file_apartments and key not in plan.db_apartments:
                problems.add(
                    S_OWNERS,
                    row_no,
                    "室号",
                    _("房屋“%(estate)s %(building)s %(entrance)s %(room)s”既不在“房屋”工作表中，也不在系统中。")
                    % {"estate": v[0], "building": v[1], "entrance": v[2], "room": v[3]},
                )
    tick(len(sheets.get(S_OWNERS, [])))

    # Elevators: by device code, in the file or in the database.
    codes: set[str] = set()
    for sheet in (S_ELEVATORS, S_FAULTS, S_INSPECTIONS, S_ASSESSMENTS):
        codes.update(v[0] for _r, v in sheets.get(sheet, []) if v[0] is not None)
    db_elevator_estate: dict[str, int] = {}
    for chunk in _chunks(sorted(codes)):
        for code, pk, estate_id in Elevator.objects.filter(device_code__in=chunk).values_list(
            "device_code", "id", "entrance__building__estate_id"
        ):
            plan.db_elevators[code] = pk
            db_elevator_estate[code] = estate_id
    # Elevators already registered in estates the file does not name: their estates' chains.
    other_estates = set(db_elevator_estate.values()) - set(name_of)
    chains: dict[int, Chain] = {}
    for chunk in _chunks(sorted(other_estates)):
        for pk, community_id, sub_id, district_id in Estate.objects.filter(id__in=chunk).values_list(
            "id", "community_id", "community__subdistrict_id", "community__subdistrict__district_id"
        ):
            chains[pk] = Chain(district_id, sub_id, community_id, pk)
    for ref in plan.estates.values():
        if ref.id is not None and ref.district_id is not None and ref.subdistrict_id is not None:
            chains[ref.id] = Chain(ref.district_id, ref.subdistrict_id, ref.community_id, ref.id)

    def elevator_scope_ok(sheet: str, row_no: int, code: str) -> bool:
        estate_id = db_elevator_estate.get(code)
        if estate_id is None:
            return True
        chain = chains.get(estate_id)
        if chain is not None:
            plan.subdistrict_ids.add(chain.subdistrict_id)
        if chain is None or not scope.may(chain):
            problems.add(sheet, row_no, "设备代码", _("无权修改电梯“%(code)s”的登记信息。") % {"code": code})
            return False
        return True

    file_codes = {v[0] for _r, v in sheets.get(S_ELEVATORS, [])}
    unlisted_warnings = 0
    for row_no, v in sheets.get(S_ELEVATORS, []):
        code = v[0]
        if code is not None:
            warning = device_code_warning(code)
            if warning is not None and len(plan.warnings) >= MAX_PROBLEMS:
                unlisted_warnings += 1
            elif warning is not None:
                plan.warnings.append(
                    {
                        "sheet": S_ELEVATORS,
                        "row": row_no,
                        "column": "设备代码",
                        "message": _("设备代码“%(code)s”不是 18 位（TSG 08）或旧 20 位格式，已照常导入，请核对。")
                        % {"code": code},
                    }
                )
            elevator_scope_ok(S_ELEVATORS, row_no, code)
        unit_ok(S_ELEVATORS, row_no, [v[2], v[3], v[4]])
    tick(len(sheets.get(S_ELEVATORS, [])))
    if unlisted_warnings:
        message = _("另有 %(n)d 个设备代码格式提示未列出。") % {"n": unlisted_warnings}
        plan.warnings.append({"sheet": S_ELEVATORS, "row": None, "column": "设备代码", "message": message})

    for sheet in (S_FAULTS, S_INSPECTIONS, S_ASSESSMENTS):
        for row_no, v in sheets.get(sheet, []):
            code = v[0]
            if code is None:
                continue
            if code not in file_codes and code not in plan.db_elevators:
                problems.add(
                    sheet,
                    row_no,
                    "设备代码",
                    _("电梯“%(code)s”既不在“电梯”工作表中，也不在系统中。") % {"code": code},
                )
            elif code not in file_codes:
                elevator_scope_ok(sheet, row_no, code)
        tick(len(sheets.get(sheet, [])))
    return plan


# --- writing ------------------------------------------------------------------------------------


class _Sql:
    """Bulk upserts on natural keys: INSERT … ON CONFLICT (key) DO UPDATE, the statement that
    bulk_create(update_conflicts=True, unique_fields=…) emits on SQLite and PostgreSQL, built
    here directly from plain tuples: building a model instance and compiling each row through
    the ORM cost several times more than reading the workbook (see bench/bench_import.py)."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.qn = connection.ops.quote_name
        self.ops = connection.ops
        self.max_params = 999 if connection.vendor == "sqlite" else 30000
        self.progress = progress
        self.total = total
        self.done = 0

    def tick(self, n: int) -> None:
        self.done += n
        if self.progress:
            self.progress("write", min(self.done, self.total), self.total)

    def upsert(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        key: Sequence[str],
        update: Sequence[str] = (),
        returning: Sequence[str] = (),
        weight: float = 1.0,
    ) -> list[tuple[Any, ...]]:
        """Insert `rows` (values in `fields` order); on a clash of `key`, update `update` (or
        leave the row). With `returning`, give back (id, *returning) of every row written."""
        if not rows:
            return []
        meta = model._meta
        col = {name: self.qn(_column(model, name)) for name in {*fields, *key, *update, *returning}}
        # Identifiers come from the model's metadata, quoted; every value is a query parameter.
        head = f"INSERT INTO {self.qn(meta.db_table)} ({', '.join(col[f] for f in fields)}) VALUES "  # noqa: S608
        target = ", ".join(col[k] for k in key)
        sets = [*update] or ([key[0]] if returning else [])
        tail = (
            f" ON CONFLICT ({target}) DO UPDATE SET " + ", ".join(f"{col[f]} = excluded.{col[f]}" for f in sets)
            if sets
            else f" ON CONFLICT ({target}) DO NOTHING"
        )
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        out: list[tuple[Any, ...]] = []
        back = " RETURNING " + ", ".join([self.qn(meta.pk.column), *(col[r] for r in returning)]) if returning else ""
        # Many rows per statement: one round trip per batch on PostgreSQL, few statements on SQLite.
        per = max(1, min(500, self.max_params // len(fields)))
        statements: dict[int, str] = {}
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One short statement per batch, each column passed as one array: PostgreSQL
                # parses it once, and the driver does not scan a long text of placeholders.
                types = [_db_type(model, f) for f in fields]
                cast = ", ".join(f"%s::{t}[]" for t in types)
                statement = f"{head.removesuffix(' VALUES ')} SELECT * FROM unnest({cast}){tail}{back}"  # noqa: S608
                for batch in _chunks(rows, BATCH):
                    cursor.execute(statement, [list(column) for column in zip(*batch, strict=True)])
                    if returning:
                        out.extend(tuple(r) for r in cursor.fetchall())
                    self.tick(round(len(batch) * weight))
                return out
            for batch in _chunks(rows, per):
                n = len(batch)
                if n not in statements:
                    statements[n] = head + ", ".join([one] * n) + tail + back
                cursor.execute(statements[n], [v for row in batch for v in row])
                if returning:
                    out.extend(tuple(r) for r in cursor.fetchall())
                self.tick(round(n * weight))
        return out


def _db_type(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    db_type = field.db_type(connection) if isinstance(field, models.Field) else None
    if not db_type:
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return str(db_type)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return field.column


def _known(pk: int | None) -> int:
    """An id that the checks or an earlier write step have settled."""
    if pk is None:
        raise RuntimeError("registry import: an id was not resolved before writing")
    return pk


def _count(model: type[models.Model]) -> int:
    return model._default_manager.count()


def _places(plan: _Plan, counts: dict[str, dict[str, int]]) -> None:
    """Create the districts, subdistricts and communities the file introduces (few: one by one)."""
    made = {"districts": 0, "subdistricts": 0, "communities": 0}
    for ref in plan.estates.values():
        if ref.row is None:
            continue
        if ref.district_id is None:
            district, new = District.objects.get_or_create(name=ref.district_name)
            ref.district_id = district.pk
            made["districts"] += int(new)
        if ref.subdistrict_id is None:
            sub, new = Subdistrict.objects.get_or_create(district_id=ref.district_id, name=ref.subdistrict_name)
            ref.subdistrict_id = sub.pk
            made["subdistricts"] += int(new)
        if ref.community_id is None:
            community, new = Community.objects.get_or_create(subdistrict_id=ref.subdistrict_id, name=ref.community_name)
            ref.community_id = community.pk
            made["communities"] += int(new)
        plan.subdistrict_ids.add(ref.subdistrict_id)
    for what, n in made.items():
        counts[what] = {"created": n, "updated": 0}


def _write(sheets: dict[str, list[Row]], plan: _Plan, progress: Progress | None) -> dict[str, dict[str, int]]:
    """Write every sheet in dependency order; natural keys become ids through dictionaries."""
    sql = _Sql(progress, plan.rows)
    counts: dict[str, dict[str, int]] = {}
    cache_before = 0
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # A large page cache for this connection: inserting a million keys into the unique
            # indexes touches pages all over them, far more than SQLite's default 2 MB holds.
            cursor.execute("PRAGMA cache_size")
            cache_before = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA cache_size = -262144")
    _places(plan, counts)

    listed = [ref for ref in plan.estates.values() if ref.row is not None]
    got = sql.upsert(
        Estate,
        ["community", "name", "address"],
        [(_known(ref.community_id), ref.name, ref.address) for ref in listed],
        key=["community", "name"],
        update=["address"],
        returning=["community", "name"],
    )
    ids = {(c, n): pk for pk, c, n in got}
    created = sum(1 for ref in listed if ref.id is None)
    counts["estates"] = {"created": created, "updated": len(listed) - created}
    for ref in listed:
        ref.id = ids[(ref.community_id, ref.name)]
    estate_id = {name: _known(ref.id) for name, ref in plan.estates.items()}
    estate_name = {pk: name for name, pk in estate_id.items()}

    rows = sheets.get(S_BUILDINGS, [])
    buildings = dict(plan.db_buildings)
    got = sql.upsert(
        Building,
        ["estate", "name", "floors"],
        [(estate_id[v[0]], v[1], v[2]) for _r, v in rows],
        key=["estate", "name"],
        update=["floors"],
        returning=["estate", "name"],
    )
    created = sum(1 for _r, v in rows if (v[0], v[1]) not in buildings)
    counts["buildings"] = {"created": created, "updated": len(rows) - created}
    buildings.update({(estate_name[e], n): pk for pk, e, n in got})
    building_key = {pk: key for key, pk in buildings.items()}

    rows = sheets.get(S_ENTRANCES, [])
    entrances = dict(plan.db_entrances)
    new_rows = [v for _r, v in rows if (v[0], v[1], v[2]) not in entrances]
    got = sql.upsert(
        Entrance,
        ["building", "name"],
        [(buildings[(v[0], v[1])], v[2]) for v in new_rows],
        key=["building", "name"],
        returning=["building", "name"],
    )
    sql.tick(len(rows) - len(new_rows))
    entrances.update({(*building_key[b], n): pk for pk, b, n in got})
    counts["entrances"] = {"created": len(new_rows), "updated": len(rows) - len(new_rows)}
    entrance_key = {pk: key for key, pk in entrances.items()}

    rows = sheets.get(S_APARTMENTS, [])
    apartments = plan.db_apartments
    existing_apartments = set(apartments.values())
    owner_rows = sheets.get(S_OWNERS, [])
    decimal = sql.ops.adapt_decimalfield_value
    got = sql.upsert(
        Apartment,
        ["entrance", "room", "floor", "area", "developer_held"],
        [(entrances[(v[0], v[1], v[2])], v[3], v[4], decimal(v[5]), bool(v[6])) for _r, v in rows],
        key=["entrance", "room"],
        update=["floor", "area", "developer_held"],
        returning=["entrance", "room"] if owner_rows else [],
    )
    created = sum(1 for _r, v in rows if (v[0], v[1], v[2], v[3]) not in apartments)
    counts["apartments"] = {"created": created, "updated": len(rows) - created}
    apartments.update({(*entrance_key[e], room): pk for pk, e, room in got})
    del got

    if owner_rows:
        _write_owners(sql, owner_rows, apartments, existing_apartments, counts)

    rows = sheets.get(S_ELEVATORS, [])
    elevators = dict(plan.db_elevators)
    date = sql.ops.adapt_datefield_value
    got = sql.upsert(
        Elevator,
        [
            "device_code", "registration_number", "entrance", "commissioned_on", "maker", "model",
            "rated_load_kg", "rated_speed_mps", "stops", "maintenance_company",
        ],
        [
            (
                v[0], v[1] or "", entrances[(v[2], v[3], v[4])], date(v[5]), v[6] or "", v[7] or "",
                v[8], decimal(v[9]) if v[9] is not None else None, v[10], v[11] or "",
            )
            for _r, v in rows
        ],
        key=["device_code"],
        update=[
            "registration_number", "entrance", "commissioned_on", "maker", "model",
            "rated_load_kg", "rated_speed_mps", "stops", "maintenance_company",
        ],
        returning=["device_code"],
    )  # fmt: skip
    created = sum(1 for _r, v in rows if v[0] not in elevators)
    counts["elevators"] = {"created": created, "updated": len(rows) - created}
    elevators.update({code: pk for pk, code in got})

    stamp = sql.ops.adapt_datetimefield_value
    rows = sheets.get(S_FAULTS, [])
    before = _count(FaultRecord)
    sql.upsert(
        FaultRecord,
        ["elevator", "occurred_at", "kind", "people_trapped", "hours_out_of_service"],
        [(elevators[v[0]], stamp(v[1]), v[2], v[3] or 0, decimal(v[4] or Decimal("0.00"))) for _r, v in rows],
        key=["elevator", "occurred_at", "kind"],
        update=["people_trapped", "hours_out_of_service"],
    )
    created = _count(FaultRecord) - before
    counts["faults"] = {"created": created, "updated": len(rows) - created}

    rows = sheets.get(S_INSPECTIONS, [])
    before = _count(InspectionRecord)
    sql.upsert(
        InspectionRecord,
        ["elevator", "inspected_on", "result", "inspector"],
        [(elevators[v[0]], date(v[1]), v[2], v[3] or "") for _r, v in rows],
        key=["elevator", "inspected_on"],
        update=["result", "inspector"],
    )
    created = _count(InspectionRecord) - before
    counts["inspections"] = {"created": created, "updated": len(rows) - created}

    rows = sheets.get(S_ASSESSMENTS, [])
    before = _count(SafetyAssessment)
    sql.upsert(
        SafetyAssessment,
        ["elevator", "assessed_on", "assessor", "grade", "conclusion"],
        [(elevators[v[0]], date(v[1]), v[2], v[3] or "", v[4]) for _r, v in rows],
        key=["elevator", "assessed_on"],
        update=["assessor", "grade", "conclusion"],
    )
    created = _count(SafetyAssessment) - before
    counts["assessments"] = {"created": created, "updated": len(rows) - created}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache_before:d}")
    if progress:
        progress("write", plan.rows, plan.rows)
    return counts


def _write_owners(
    sql: _Sql,
    rows: list[Row],
    apartments: dict[tuple[str, str, str, str], int],
    existing_apartments: set[int],
    counts: dict[str, dict[str, int]],
) -> None:
    """Owners by the hash of their identity number; the apartments listed get exactly the
    listed owners (co-owners: several rows; an owner of several apartments: one row each)."""
    pepper = settings.OWNER_ID_HASH_KEY
    owners: dict[str, tuple[str, str, str, str, str]] = {}
    links: set[tuple[int, str]] = set()
    for _r, v in rows:
        identity: str = v[6]
        id_hash = hashlib.sha256((pepper + identity).encode()).hexdigest()
        if id_hash not in owners:
            owners[id_hash] = (v[4], v[5] or OwnerKind.PERSON, id_hash, identity[-4:], v[7] or "")
        links.add((apartments[(v[0], v[1], v[2], v[3])], id_hash))
    before = _count(Owner)
    got = sql.upsert(
        Owner,
        ["name", "kind", "id_hash", "id_last4", "phone"],
        [owners[h] for h in sorted(owners)],  # in key order: the unique index grows at its end
        key=["id_hash"],
        update=["name", "kind", "id_last4", "phone"],
        returning=["id_hash"],
        weight=len(rows) / len(owners) / 2,
    )
    created = _count(Owner) - before
    counts["owners"] = {"created": created, "updated": len(owners) - created}
    owner_id = {h: pk for pk, h in got}
    removed = 0
    for chunk in _chunks(sorted({a for a, _h in links} & existing_apartments)):
        removed += Ownership.objects.filter(apartment_id__in=chunk).delete()[0]
    pairs = sorted((owner_id[h], a) for a, h in links)
    sql.upsert(Ownership, ["owner", "apartment"], pairs, key=["owner", "apartment"], weight=len(rows) / len(pairs) / 2)
    counts["ownerships"] = {"created": len(pairs), "updated": 0, "removed": removed}


# --- the public API -----------------------------------------------------------------------------


@dataclass
class ImportResult:
    counts: dict[str, dict[str, int]]
    warnings: list[dict[str, object]]
    subdistrict_ids: set[int]

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "warnings": self.warnings}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _import(
    *, actor: Any, path: Path, file_name: str, progress: Progress | None, import_id: uuid.UUID | None = None
) -> ImportResult:
    if user_access(actor).grants(Action.CHANGE_REGISTRY).empty:
        raise AccessDeniedError(_("您无权导入登记册。"))
    # Millions of small lists and tuples, none of them in a reference cycle: the cyclic
    # garbage collector would only scan them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = _import_collected(actor=actor, path=path, file_name=file_name, progress=progress, import_id=import_id)
    finally:
        if collecting:
            gc.enable()
    if result.subdistrict_ids:
        from gongzhi.elevators.services import campaigns_rerank

        try:
            campaigns_rerank(subdistrict_ids=set(result.subdistrict_ids))
        except Exception:  # the registry is written; a failed re-rank must not report the import as failed
            logger.exception("re-ranking campaigns after a registry import failed")
            result.warnings.append(
                {
                    "sheet": "",
                    "row": None,
                    "column": None,
                    "message": _("数据已导入，但更新行动重新排序失败，请稍后手动重新排序。"),
                }
            )
    return result


def _import_collected(
    *, actor: Any, path: Path, file_name: str, progress: Progress | None, import_id: uuid.UUID | None
) -> ImportResult:
    sheets, problems = read_workbook(path, progress)
    if problems.structural:
        raise ImportRefusedError(problems=problems.final())
    plan = _check(actor, sheets, problems, progress)
    if problems:
        raise ImportRefusedError(problems=problems.final())
    digest = _sha256(path)
    with transaction.atomic():
        counts = _write(sheets, plan, progress)
        audit_record(
            actor=actor,
            action="registry_import",
            object_type="registry_import",
            object_id=import_id or digest[:16],
            summary=file_name,
            after={"file_name": file_name, "sha256": digest, "counts": counts, "warnings": len(plan.warnings)},
        )
    return ImportResult(counts=counts, warnings=plan.warnings, subdistrict_ids=plan.subdistrict_ids)


def registry_import_file(*, actor: Any, path: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Import a registry workbook synchronously (the CLI, tests, the task).

    Returns {"counts": {what: {"created": n, "updated": m}}, "warnings": [...]}.
    Raises ImportRefusedError (nothing written) listing every problem found, or the reason the
    file could not be read (too large or complex for the reading child's limits).
    """
    try:
        return _import(actor=actor, path=Path(path), file_name=Path(path).name, progress=progress).as_dict()
    except WorkbookReadFailedError as exc:
        raise ImportRefusedError(problems=[RowProblem("", None, None, exc.message)]) from exc


def imports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def registry_import_start(*, actor: Any, data: bytes, file_name: str) -> RegistryImport:
    """Keep the uploaded file, record the import and queue it (elevators.tasks)."""
    if not getattr(actor, "pk", None) or user_access(actor).grants(Action.CHANGE_REGISTRY).empty:
        raise AccessDeniedError(_("您无权导入登记册。"))
    import_id, path = keep_import_upload(data, imports_dir())
    imp = RegistryImport.objects.create(
        id=import_id,
        file_name=Path(file_name).name[:255] or "registry.xlsx",
        file_path=str(path),
        created_by=actor,
        status=ImportStatus.QUEUED,
    )
    from gongzhi.elevators.tasks import registry_import_task

    registry_import_task.enqueue(str(import_id), translation.get_language())
    imp.refresh_from_db()
    return imp


def _progress_path(imp: RegistryImport) -> Path:
    return Path(imp.file_path).with_suffix(".progress.json")


def registry_import_progress(imp: RegistryImport) -> tuple[str, int, int]:
    """(phase, done, total) of an import. While the rows are written inside the import's
    transaction the row cannot show progress to other connections, so the worker also keeps
    it in a small file beside the upload."""
    if imp.status == ImportStatus.RUNNING:
        try:
            data = json.loads(_progress_path(imp).read_text())
            return str(data["phase"]), int(data["done"]), int(data["total"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return imp.phase, imp.done, imp.total


class _ProgressRecorder:
    """Writes an import's progress at most every ~1% of a phase (few writes)."""

    def __init__(self, imp: RegistryImport) -> None:
        self.imp = imp
        self.path = _progress_path(imp)
        self.phase = ""
        self.last = 0
        self.total = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        step = max(total // 100, 1) if phase == "read" else max(total // 100, 2000)
        if phase == self.phase and done - self.last < step and done != total:
            return
        self.phase, self.last, self.total = phase, done, total
        try:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"phase": phase, "done": done, "total": total}))
            tmp.replace(self.path)
        except OSError:
            logger.warning("cannot write import progress to %s", self.path)
        if phase != "write":  # outside the import's transaction: the row itself can show it
            RegistryImport.objects.filter(pk=self.imp.pk).update(phase=phase, done=done, total=total)

    def cleanup(self) -> None:
        self.path.unlink(missing_ok=True)


_FINISHED = {ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED}


def _heartbeat(imp: RegistryImport) -> dt.datetime:
    """When a running import last showed life: its progress file, written at the start and at
    every step of each phase (registry_import_run, _ProgressRecorder)."""
    try:
        touched = dt.datetime.fromtimestamp(_progress_path(imp).stat().st_mtime, tz=dt.UTC)
    except OSError:
        return imp.created_at
    return max(imp.created_at, touched)


def registry_imports_reap(*, now: dt.datetime | None = None) -> int:
    """Mark failed the imports left "running" by a worker that died (killed, out of memory, the
    machine restarted): silent for longer than STALE_AFTER. Nothing of theirs was written (the
    rows are written in one transaction). Called when a worker starts an import and when the
    import pages are shown. Returns how many were marked."""
    now = now or timezone.now()
    marked = 0
    for imp in RegistryImport.objects.filter(status=ImportStatus.RUNNING):
        if now - _heartbeat(imp) <= STALE_AFTER:
            continue
        problem = RowProblem(
            "",
            None,
            None,
            _("导入中断：处理导入的后台进程已停止（可能是文件过大或过于复杂），未写入任何数据。请检查文件后重新上传。"),
        )
        marked += RegistryImport.objects.filter(pk=imp.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.FAILED, problems=[problem.as_dict()], finished_at=now
        )
        _progress_path(imp).unlink(missing_ok=True)
        logger.warning("registry import %s was left running since %s: marked failed", imp.pk, _heartbeat(imp))
    return marked


def registry_import_run(*, import_id: uuid.UUID, language: str | None = None) -> RegistryImport:
    """Run a queued import (called by the task) and record its outcome on the RegistryImport."""
    registry_imports_reap()
    imp = RegistryImport.objects.select_related("created_by").get(pk=import_id)
    if imp.status in _FINISHED:
        return imp
    with translation.override(language or settings.LANGUAGE_CODE):
        actor = imp.created_by
        if actor is None or not actor.is_active:
            imp.status = ImportStatus.FAILED
            imp.problems = [RowProblem("", None, None, _("发起导入的用户已不存在或已停用。")).as_dict()]
            imp.finished_at = timezone.now()
            imp.save(update_fields=["status", "problems", "finished_at"])
            return imp
        imp.status = ImportStatus.RUNNING
        imp.save(update_fields=["status"])
        recorder = _ProgressRecorder(imp)
        recorder("read", 0, len(SHEETS))  # the first heartbeat (registry_imports_reap)
        try:
            result = _import(
                actor=actor, path=Path(imp.file_path), file_name=imp.file_name, progress=recorder, import_id=imp.pk
            )
        except ImportRefusedError as exc:
            imp.status = ImportStatus.REFUSED
            imp.problems = [p.as_dict() for p in exc.problems]
        except AccessDeniedError as exc:
            imp.status = ImportStatus.REFUSED
            imp.problems = [RowProblem("", None, None, exc.message).as_dict()]
        except WorkbookReadFailedError as exc:  # the reading child was killed or ran out of time
            imp.status = ImportStatus.FAILED
            imp.problems = [RowProblem("", None, None, exc.message).as_dict()]
        except Exception:
            logger.exception("registry import %s failed", import_id)
            imp.status = ImportStatus.FAILED
            imp.problems = [
                RowProblem("", None, None, _("导入时发生内部错误，未写入任何数据。请联系管理员。")).as_dict()
            ]
        else:
            imp.status = ImportStatus.DONE
            imp.counts = result.counts
            imp.warnings = result.warnings
            if len(result.subdistrict_ids) == 1:
                imp.subdistrict_id = next(iter(result.subdistrict_ids))
        imp.phase, imp.done, imp.total = recorder.phase, recorder.last, recorder.total
        recorder.cleanup()
        imp.finished_at = timezone.now()
        fields = ["status", "problems", "counts", "warnings", "subdistrict", "phase", "done", "total", "finished_at"]
        imp.save(update_fields=fields)
    return imp


def access_registry_imports(user: Any) -> QuerySet[RegistryImport]:
    """The imports a user may see: their own, or all for a superuser."""
    qs = RegistryImport.objects.all()
    if getattr(user, "is_superuser", False):
        return qs
    if not getattr(user, "pk", None):
        return qs.none()
    return qs.filter(created_by_id=user.pk)


def may_import(user: Any) -> bool:
    """Whether the user holds CHANGE_REGISTRY anywhere (may open the import page)."""
    return bool(getattr(user, "is_authenticated", False)) and not user_access(user).grants(Action.CHANGE_REGISTRY).empty
