"""The registry workbook's layout: its sheets and columns (issue 2, item 4; docs/registry-import.md).

Each column names its parser (registry.cells), whether it is required, its help text and the
example written into the template. The choice columns take their Chinese labels from the models'
TextChoices, so this module reads Django's translation machinery (not pure); the parsers are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import translation

from gongzhi.elevators.models import AssessmentConclusion, FaultKind, InspectionResult
from gongzhi.elevators.registry.cells import (
    choice,
    decimal,
    device_code,
    identity,
    integer,
    parse_date,
    parse_datetime_in,
    text,
    yes_no,
)
from gongzhi.places.models import OwnerKind

Progress = Callable[[str, int, int], None]  # (phase, done, total)
Row = tuple[int, list[Any]]  # (Excel row number, values in SheetSpec.columns order; None where empty or bad)


def parse_datetime(value: Any) -> dt.datetime:
    """A date in any form of parse_date, optionally followed by a time (8:30 or 08:30:00);
    naive values are local time (settings.TIME_ZONE)."""
    return parse_datetime_in(value, ZoneInfo(settings.TIME_ZONE))


def _labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """The Chinese labels (the msgids) of a choices class, whatever language is active."""
    with translation.override(None):
        return {str(label): str(value) for value, label in choices.choices}


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
    return _col("小区", text(64), help_text, _EST)


SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        S_ESTATES,
        (
            _col("区", text(64), "区县名称，如 余杭区。系统中没有的区县只有系统管理员可以新建。", "余杭区"),
            _col("街道", text(64), "街道名称，如 良渚街道。系统中没有的街道只有系统管理员可以新建。", "良渚街道"),
            _col("社区", text(64), "社区名称。新建社区须有该街道的登记维护权限。", "示例社区"),
            _col("小区名称", text(64), "小区名称；其他工作表按此名称引用小区，文件内不能重复。", _EST),
            _col("地址", text(255), "小区地址，可空。", "良渚街道示例路1号", required=False),
        ),
        "每行一个小区。同一社区内按小区名称识别，重复导入时更新地址。",
    ),
    SheetSpec(
        S_BUILDINGS,
        (
            _estate_ref(),
            _col("楼栋", text(32), "楼栋名称，如 1幢；同一小区内不能重复。", _BLD),
            _col("地上层数", integer(1, 200), "地上层数，1 到 200 的整数。", 11),
        ),
        "每行一幢楼。按 小区+楼栋 识别，重复导入时更新层数。",
    ),
    SheetSpec(
        S_ENTRANCES,
        (
            _estate_ref(),
            _col("楼栋", text(32), "楼栋名称，须在“楼栋”工作表或系统中已有。", _BLD),
            _col("单元", text(32), "单元名称，如 1单元；同一楼栋内不能重复。", _ENT),
        ),
        "每行一个单元（有独立出入口和电梯的楼梯间）。按 小区+楼栋+单元 识别。",
    ),
    SheetSpec(
        S_APARTMENTS,
        (
            _estate_ref(),
            _col("楼栋", text(32), "楼栋名称。", _BLD),
            _col("单元", text(32), "单元名称，须在“单元”工作表或系统中已有。", _ENT),
            _col("室号", text(32), "室号，如 301；同一单元内不能重复。", "301"),
            _col("楼层", integer(-10, 300), "所在楼层，整数（地下为负数）。", 3),
            _col(
                "建筑面积(平方米)",
                decimal(places=2, max_digits=10, positive=True),
                "不动产登记的建筑面积，大于 0，最多两位小数。",
                Decimal("89.50"),
            ),
            _col(
                "建设单位持有",
                yes_no,
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
            _col("楼栋", text(32), "楼栋名称。", _BLD),
            _col("单元", text(32), "单元名称。", _ENT),
            _col("室号", text(32), "室号，须在“房屋”工作表或系统中已有。", "301"),
            _col("业主姓名", text(128), "业主姓名或单位名称。", "张三"),
            _col("类型", choice(_labels(OwnerKind)), "个人、单位或建设单位；留空为个人。", "个人", required=False),
            _col(
                "证件号码",
                identity,
                "身份证号或统一社会信用代码；系统只保存其摘要和后四位，用于识别同一业主。",
                "330110198001010011",
            ),
            _col("电话", text(32), "联系电话，可空。", "13800000000", required=False),
        ),
        "每位业主每户一行：共有人各占一行，一人多户则每户一行。文件中列出的房屋，其业主以本表为准（替换原有业主）。",
    ),
    SheetSpec(
        S_ELEVATORS,
        (
            _col(
                "设备代码",
                device_code,
                "特种设备设备代码（18 位，TSG 08；或旧 20 位）；其他格式照常导入并给出提示。文件内不能重复。",
                _EXAMPLE_CODE,
            ),
            _col("使用登记证编号", text(64), "使用登记证编号，可空。", "梯11浙A00001(05)", required=False),
            _estate_ref(),
            _col("楼栋", text(32), "楼栋名称。", _BLD),
            _col("单元", text(32), "电梯所在单元，须在“单元”工作表或系统中已有。", _ENT),
            _col("投用日期", parse_date, "投入使用日期；梯龄由此计算。", dt.date(2005, 3, 1)),
            _col("制造单位", text(128), "制造单位，可空。", "示例电梯有限公司", required=False),
            _col("型号", text(64), "型号，可空。", "TKJ1000/1.75", required=False),
            _col("额定载重量(kg)", integer(1, 100000), "额定载重量，千克，整数，可空。", 1000, required=False),
            _col(
                "额定速度(m/s)",
                decimal(places=2, max_digits=4, positive=True),
                "额定速度，米/秒，最多两位小数，可空。",
                Decimal("1.75"),
                required=False,
            ),
            _col("层站数", integer(1, 300), "层站数，整数，可空。", 11, required=False),
            _col("维保单位", text(128), "维护保养单位，可空。", "示例维保有限公司", required=False),
        ),
        "每行一台电梯。按设备代码识别，重复导入时更新其余各项（包括所在单元）。",
    ),
    SheetSpec(
        S_FAULTS,
        (
            _col("设备代码", device_code, "电梯设备代码，须在“电梯”工作表或系统中已有。", _EXAMPLE_CODE),
            _col(
                "发生时间",
                parse_datetime,
                "发生日期，可带时间（如 2024-06-01 08:30）。",
                dt.datetime(2024, 6, 1, 8, 30),  # noqa: DTZ001 - Excel cells hold local time
            ),
            _col("类型", choice(_labels(FaultKind)), "困人、门系统故障、停梯、平层不准、控制系统故障或其他。", "困人"),
            _col("被困人数", integer(0, 1000), "被困人数，整数，留空为 0。", 2, required=False),
            _col(
                "停梯时长(小时)",
                decimal(places=2, max_digits=7, positive=False),
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
            _col("设备代码", device_code, "电梯设备代码。", _EXAMPLE_CODE),
            _col("检验日期", parse_date, "定期检验日期。", dt.date(2024, 5, 10)),
            _col("结论", choice(_labels(InspectionResult)), "合格、复检合格或不合格。", "合格"),
            _col("检验机构", text(128), "检验机构，可空。", "示例特种设备检验机构", required=False),
        ),
        "可选。每行一次定期检验。按 设备代码+检验日期 识别。",
        optional=True,
    ),
    SheetSpec(
        S_ASSESSMENTS,
        (
            _col("设备代码", device_code, "电梯设备代码。", _EXAMPLE_CODE),
            _col("评估日期", parse_date, "安全评估日期。", dt.date(2024, 4, 1)),
            _col("评估机构", text(128), "评估机构。", "示例安全评估机构"),
            _col("风险等级", text(16), "风险等级，可空。", "C", required=False),
            _col(
                "评估结论",
                choice(_labels(AssessmentConclusion)),
                "GB/T 42615-2023 的结论：更新、改造、重大修理或一般修理。",
                "更新",
            ),
        ),
        "可选。每行一次安全评估（GB/T 42615-2023）。按 设备代码+评估日期 识别。",
        optional=True,
    ),
)
SPEC = {s.name: s for s in SHEETS}
