"""Excel import of cadres and scores, and Excel export of the pool and of a dossier (issue 7, item 7).

Import (import_workbook): four sheets — 干部, 能力评估, 年度考核, 课程成绩 — read with python-calamine
in a child process within READ_LIMITS (gongzhi.core.workbooks; the page queues the import for the
task worker, talent/excel/imports.py).
All or nothing, like the elevator registry import: every row is checked first, every problem is
collected with its sheet, its row number as Excel shows it and its column, and if there is any the
import is refused (ImportRefusedError) before anything is written. The key is the staff number
(编号), unique within the pool; existing numbers are updated, new ones created, and the other
sheets may refer to cadres of the same workbook. Writes are batched (no query per row): 2,000
cadres and 10,000 assessments import in a few seconds (bench/bench_talent_import.py).

Exports are openpyxl workbooks laid out for printing on A4 (civil-service files travel on paper).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from gongzhi.core.actors import Actor, acting_user
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import AccessDeniedError, DomainError, ImportRefusedError, RowProblem
from gongzhi.core.spreadsheets import SafeWorkbook, workbook_bytes
from gongzhi.core.workbooks import (
    GiB,
    MiB,
    WorkbookLimits,
    WorkbookReadFailedError,
    WorkbookRefusedError,
    as_file,
    read_sheets,
)
from gongzhi.talent.access import DossierAccess, administers
from gongzhi.talent.completion import completed_courses, required_courses
from gongzhi.talent.models import (
    Appraisal,
    AppraisalGrade,
    Cadre,
    CadreStatus,
    Course,
    CourseResult,
    Cycle,
    CycleStatus,
    Gender,
    Membership,
    Organisation,
    PoolCategory,
    RerankReview,
    ResearchMember,
    ReviewLine,
    ReviewStatus,
    Skill,
    SkillAssessment,
    TalentPool,
)

SHEET_CADRES, SHEET_SKILLS, SHEET_APPRAISALS, SHEET_COURSES = "干部", "能力评估", "年度考核", "课程成绩"
HELP_SHEET = "说明"
IMPORT_SHEETS = (SHEET_CADRES, SHEET_SKILLS, SHEET_APPRAISALS, SHEET_COURSES)
MAX_PROBLEMS = 500
XLSX_MAGIC = b"PK\x03\x04"
# What an uploaded import workbook may be (issue 13): a pool holds at most a few hundred cadres,
# so 20,000 rows of 60 columns is far beyond any real file; the reading child gets 1 GB and 60 s.
READ_LIMITS = WorkbookLimits(
    max_rows=20_000,
    max_columns=60,
    max_cells=20_000 * 60,
    max_total_bytes=400 * MiB,
    max_member_bytes=200 * MiB,
    memory_bytes=1 * GiB,
    seconds=60,
)


def _labels(choices: Any) -> dict[str, str]:
    """Chinese label (the msgid) → code value, whatever language is active."""
    with translation.override(None):
        return {str(label): str(value) for value, label in choices.choices}


class _BadValueError(Exception):
    """A cell's value cannot be used; the message says why."""


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text if len(text) <= 40 else text[:39] + "…"


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


_DATE_RE = re.compile(
    r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)(?:[ T]00:00(?::00)?)?"
)
_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: Any) -> dt.date:
    """An Excel date cell or serial, 2025-01-06, 2025/1/6 or 2025年1月6日."""
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value <= 2958465:
            day = _EPOCH + dt.timedelta(days=int(value))
    elif isinstance(value, str):
        match = _DATE_RE.fullmatch(unicodedata.normalize("NFKC", value).strip())
        if match:
            try:
                day = dt.date(int(match[1]), int(match[2] or match[4]), int(match[3] or match[5]))
            except ValueError:
                day = None
    if day is None or not 1900 <= day.year <= 2100:
        raise _BadValueError(_("无法识别的日期“%(value)s”") % {"value": _show(value)})
    return day


def _decimal(value: Any) -> Decimal:
    try:
        if isinstance(value, bool):
            number = Decimal("NaN")
        elif isinstance(value, float):
            number = Decimal(repr(value))
        else:
            number = Decimal(unicodedata.normalize("NFKC", str(value)).strip())
    except (InvalidOperation, ValueError):
        raise _BadValueError(_("须为数字：“%(value)s”") % {"value": _show(value)}) from None
    if not number.is_finite():
        raise _BadValueError(_("须为数字：“%(value)s”") % {"value": _show(value)})
    return number


def _score(lo: Decimal, hi: Decimal) -> Callable[[Any], Decimal]:
    def parse(value: Any) -> Decimal:
        number = _decimal(value)
        if not lo <= number <= hi or number != number.quantize(Decimal("0.01")):
            raise _BadValueError(
                _("须为 %(lo)s 到 %(hi)s 之间的数字，最多两位小数：“%(value)s”")
                % {"lo": _plain(lo), "hi": _plain(hi), "value": _show(value)}
            )
        return number.quantize(Decimal("0.01"))

    return parse


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f") if number == number.to_integral() else str(number)


def _choice(labels: dict[str, str]) -> Callable[[Any], str]:
    shown = "、".join(labels)

    def parse(value: Any) -> str:
        key = _text(value)
        if key in labels:
            return labels[key]
        if key in labels.values():
            return key
        raise _BadValueError(
            _("“%(value)s”不是可用的值，可用：%(choices)s") % {"value": _show(value), "choices": shown}
        )

    return parse


def _string(max_len: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _text(value)
        if len(text) > max_len:
            raise _BadValueError(_("超过 %(n)d 个字符") % {"n": max_len})
        return text

    return parse


def _year(value: Any) -> int:
    text = _text(value)
    if not re.fullmatch(r"\d{4}", text) or not 1950 <= int(text) <= 2100:
        raise _BadValueError(_("须为四位年份：“%(value)s”") % {"value": _show(value)})
    return int(text)


@dataclass(frozen=True)
class Column:
    header: str
    parse: Callable[[Any], Any]
    required: bool
    help: str


@dataclass
class Problems:
    items: list[RowProblem] = field(default_factory=list)

    def add(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(RowProblem(sheet=sheet, row=row, column=column, message=message))

    def __bool__(self) -> bool:
        return bool(self.items)


def problem_text(problem: RowProblem) -> str:
    """One problem as a sentence: “干部 第 5 行 出生日期：无法识别的日期“1995/13/01””."""
    where = problem.sheet
    if problem.row is not None:
        where = _("%(sheet)s 第 %(row)d 行") % {"sheet": problem.sheet, "row": problem.row}
    if problem.column:
        where = f"{where} {problem.column}"
    return f"{where}：{problem.message}" if where else problem.message


def _columns(pool: TalentPool) -> dict[str, list[Column]]:
    genders = _labels(Gender)
    statuses = {k: v for k, v in _labels(CadreStatus).items() if v in {CadreStatus.MEMBER, CadreStatus.CANDIDATE}}
    skills = _labels(Skill)
    grades = _labels(AppraisalGrade)
    scale = _score(pool.skill_scale_min, pool.skill_scale_max)
    return {
        SHEET_CADRES: [
            Column("编号", _string(32), True, _("工号或单位编号，本库内唯一；已有编号的干部将被更新。")),
            Column("姓名", _string(64), True, _("必填。")),
            Column("性别", _choice(genders), False, _("男或女。")),
            Column("出生日期", parse_date, True, _("必填，如 1995-03-01。")),
            Column("单位", _string(128), True, _("必填；库中没有的单位将被新建。")),
            Column("职务", _string(128), False, _("可选。")),
            Column("类别", _string(64), False, _("须为本库已有的类别。")),
            Column("学历", _string(64), False, _("可选。")),
            Column("政治面貌", _string(32), False, _("可选。")),
            Column("手机", _string(32), False, _("可选。")),
            Column("状态", _choice(statuses), False, _("在库或候选，空白为候选。")),
            Column("入库日期", parse_date, False, _("状态为在库时必填。")),
            Column("入库原因", _string(255), False, _("可选，空白为“Excel 导入”。")),
        ],
        SHEET_SKILLS: [
            Column("编号", _string(32), True, _("干部编号（库中已有或本文件干部表中的）。")),
            Column("能力", _choice(skills), True, "、".join(skills)),
            Column(
                "评分",
                scale,
                True,
                _("%(lo)s 到 %(hi)s，最多两位小数。")
                % {"lo": _plain(pool.skill_scale_min), "hi": _plain(pool.skill_scale_max)},
            ),
            Column("评估日期", parse_date, True, _("必填，不能晚于今天。")),
            Column("评估人", _string(64), False, _("可选。")),
        ],
        SHEET_APPRAISALS: [
            Column("编号", _string(32), True, _("干部编号。")),
            Column("年度", _year, True, _("四位年份；同一年度已有的等次将被替换。")),
            Column("等次", _choice(grades), True, "、".join(grades)),
        ],
        SHEET_COURSES: [
            Column("编号", _string(32), True, _("干部编号。")),
            Column("课程", _string(128), True, _("本库课程名称。")),
            Column("届次", _string(64), True, _("本库届次名称。")),
            Column("成绩", _score(Decimal(0), Decimal(100)), True, _("0 到 100，最多两位小数。")),
        ],
    }


def _example(pool: TalentPool, today: dt.date) -> dict[str, list[Any] | None]:
    category = PoolCategory.objects.filter(pool=pool).order_by("name").first()
    course = Course.objects.filter(pool=pool).order_by("position", "id").first()
    cycle = Cycle.objects.filter(pool=pool).order_by("-start").first()
    organisation = Organisation.objects.filter(cadres__pool=pool).order_by("name").first()
    mid = (pool.skill_scale_min + pool.skill_scale_max) / 2
    return {
        SHEET_CADRES: [
            "EXAMPLE-001", "示例 张三", "男", dt.date(1995, 3, 1),
            organisation.name if organisation else "示例单位", "科员",
            category.name if category else "", "大学本科", "中共党员", "13800000000", "候选", None, "",
        ],
        SHEET_SKILLS: ["EXAMPLE-001", str(Skill.POLITICAL.label), mid.quantize(Decimal("0.01")), today, "评估组"],
        SHEET_APPRAISALS: ["EXAMPLE-001", today.year - 1, "称职"],
        SHEET_COURSES: ["EXAMPLE-001", course.name, cycle.name, Decimal("85")] if course and cycle else None,
    }  # fmt: skip


# --- the template ---------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")


def template_bytes(pool: TalentPool, today: dt.date | None = None) -> bytes:
    """The import template: one sheet per kind with a header and an example row (which imports as
    is: a candidate "EXAMPLE-001"), and a 说明 sheet explaining every column."""
    today = today or timezone.localdate()
    wb = SafeWorkbook()  # organisation and category names are written as text, never formulas
    help_ws: Any = wb.active
    help_ws.title = HELP_SHEET
    help_ws.append(["工作表", "列", "必填", "说明"])
    for cell in help_ws[1]:
        cell.font, cell.fill = _BOLD, _FILL
    help_ws.append(["（全部）", "", "", _("第 1 行为表头，从第 2 行起每行一条记录；导入前请删除或替换示例行。")])
    help_ws.append(
        ["（日期）", "", "", _("日期可写作 2025-01-06、2025/1/6、2025年1月6日，或使用 Excel 日期格式单元格。")]
    )
    help_ws.append(
        ["（导入规则）", "", "", _("任何一处有误，整个文件不导入，并列出全部问题（工作表、行、列、原因）。")]
    )
    examples = _example(pool, today)
    for name, columns in _columns(pool).items():
        ws = wb.create_sheet(name)
        ws.append([c.header for c in columns])
        row = examples[name]
        if row is not None:
            ws.append(row)
        for j, column in enumerate(columns, start=1):
            head = ws.cell(row=1, column=j)
            head.font, head.fill = _BOLD, _FILL
            value = ws.cell(row=2, column=j)
            if isinstance(value.value, dt.date):
                value.number_format = "yyyy-mm-dd"
            elif column.header == "编号" or column.header == "手机":
                value.number_format = "@"
            ws.column_dimensions[head.column_letter].width = max(12, len(column.header) * 3 + 4)
            help_ws.append([name, column.header, "是" if column.required else "否", column.help])
        ws.freeze_panes = "A2"
    for letter, width in zip("ABCD", (12, 12, 6, 80), strict=True):
        help_ws.column_dimensions[letter].width = width
    return workbook_bytes(wb)


# --- reading --------------------------------------------------------------------------------------

Row = tuple[int, dict[str, Any]]  # (row number as Excel shows it, header → parsed value or None)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_sheet(name: str, raw: list[list[Any]], columns: list[Column], problems: Problems) -> list[Row]:
    header_at = next((i for i, r in enumerate(raw) if any(not _blank(v) for v in r)), None)
    if header_at is None:
        return []
    positions: dict[str, int] = {}
    for j, head in enumerate(raw[header_at]):
        positions.setdefault(unicodedata.normalize("NFKC", _text(head)) if not _blank(head) else "", j)
    missing = [c.header for c in columns if c.header not in positions and c.required]
    if missing:
        for header in missing:
            problems.add(name, header_at + 1, header, _("缺少列“%(column)s”") % {"column": header})
        return []
    rows: list[Row] = []
    for i in range(header_at + 1, len(raw)):
        cells = raw[i]
        picked = {
            c.header: cells[positions[c.header]] if c.header in positions and positions[c.header] < len(cells) else None
            for c in columns
        }
        if all(_blank(v) for v in picked.values()):
            continue  # blank rows (trailing or not) are ignored
        values: dict[str, Any] = {}
        for c in columns:
            value = picked[c.header]
            if _blank(value):
                if c.required:
                    problems.add(name, i + 1, c.header, _("必填项为空"))
                values[c.header] = None
                continue
            try:
                values[c.header] = c.parse(value)
            except _BadValueError as exc:
                problems.add(name, i + 1, c.header, str(exc))
                values[c.header] = None
        rows.append((i + 1, values))
    return rows


def _read_limited(path: Path) -> tuple[list[str], dict[str, list[list[Any]]]]:
    try:
        return read_sheets(path, READ_LIMITS, IMPORT_SHEETS)
    except WorkbookReadFailedError:
        raise
    except WorkbookRefusedError as exc:
        if exc.code == "not_xlsx":
            raise DomainError(_("文件：不是有效的 Excel 工作簿（.xlsx），无法读取。"), code="file_type") from None
        raise DomainError(exc.message, code=exc.code) from None


def _workbook_rows(file: Any) -> dict[str, list[list[Any]]]:
    """The import's sheets as the reader gives them, read in a child process within READ_LIMITS
    (gongzhi.core.workbooks). `file` is a path, an open file or bytes."""
    if isinstance(file, str | Path):
        with Path(file).open("rb") as fh:
            head = fh.read(len(XLSX_MAGIC))
        if head != XLSX_MAGIC:
            raise DomainError(_("文件：只接受 Excel 工作簿（.xlsx），请用模板填写后上传。"), code="file_type")
        names, raw = _read_limited(Path(file))
    else:
        data = file.read() if hasattr(file, "read") else bytes(file)
        if not data.startswith(XLSX_MAGIC):
            raise DomainError(_("文件：只接受 Excel 工作簿（.xlsx），请用模板填写后上传。"), code="file_type")
        with as_file(data) as path:
            names, raw = _read_limited(path)
    if not set(names) & set(IMPORT_SHEETS):
        raise DomainError(
            _("文件：找不到工作表（干部、能力评估、年度考核、课程成绩），请使用导入模板。"), code="no_sheets"
        )
    return raw


def _read(pool: TalentPool, raw: dict[str, list[list[Any]]], problems: Problems) -> dict[str, list[Row]]:
    return {
        name: _read_sheet(name, raw[name], cols, problems) if name in raw else []
        for name, cols in _columns(pool).items()
    }


# --- checking and writing -------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def as_rows(self) -> list[tuple[str, int, int]]:
        return [(name, self.created.get(name, 0), self.updated.get(name, 0)) for name in self.created]


def _duplicate(problems: Problems, sheet: str, row: int, column: str, first: int) -> None:
    problems.add(sheet, row, column, _("与第 %(row)d 行重复") % {"row": first})


def import_workbook(*, actor: Actor, pool: TalentPool, file: Any, today: dt.date | None = None) -> ImportResult:
    """Check the whole workbook, then write it in one transaction (or raise ImportRefusedError with
    every problem and write nothing). One audit entry with the counts.

    `file` (a path, an open file or bytes) is read first, outside the transaction, in a child
    process within READ_LIMITS: a file that is not a workbook or is beyond the limits raises
    DomainError, one that kills the reader WorkbookReadFailedError; nothing is written then."""
    if not administers(actor, pool):
        raise AccessDeniedError(_("只有人才库管理员可以导入。"))
    raw = _workbook_rows(file)
    return _import_rows(actor=actor, pool=pool, raw=raw, today=today or timezone.localdate())


@transaction.atomic
def _import_rows(*, actor: Actor, pool: TalentPool, raw: dict[str, list[list[Any]]], today: dt.date) -> ImportResult:
    pool = TalentPool.objects.select_for_update(of=("self",)).get(pk=pool.pk)  # one import at a time per pool
    problems = Problems()
    sheets = _read(pool, raw, problems)
    raw.clear()

    categories = dict(PoolCategory.objects.filter(pool=pool).values_list("name", "id"))
    existing = {c.staff_number: c for c in Cadre.objects.filter(pool=pool).exclude(staff_number="")}
    open_stays = set(
        Membership.objects.filter(cadre__pool=pool, exited_on__isnull=True).values_list("cadre_id", flat=True)
    )
    members_now = Cadre.objects.filter(pool=pool, status=CadreStatus.MEMBER).count()

    # 干部
    seen: dict[str, int] = {}
    cadre_rows: list[Row] = []
    for row, v in sheets[SHEET_CADRES]:
        number = v["编号"]
        if number:
            if number in seen:
                _duplicate(problems, SHEET_CADRES, row, "编号", seen[number])
                continue
            seen[number] = row
        if v["类别"] and v["类别"] not in categories:
            problems.add(SHEET_CADRES, row, "类别", _("本库没有类别“%(name)s”") % {"name": v["类别"]})
        status = v["状态"] or CadreStatus.CANDIDATE
        v["状态"] = status
        if status == CadreStatus.MEMBER and v["入库日期"] is None and not problems_at(problems, row, "入库日期"):
            problems.add(SHEET_CADRES, row, "入库日期", _("状态为在库时必填"))
        if v["入库日期"] is not None and v["入库日期"] > today:
            problems.add(SHEET_CADRES, row, "入库日期", _("不能晚于今天"))
        if v["出生日期"] is not None and v["出生日期"] >= today:
            problems.add(SHEET_CADRES, row, "出生日期", _("须早于今天"))
        old = existing.get(number) if number else None
        if old is not None and old.status == CadreStatus.MEMBER and status == CadreStatus.CANDIDATE:
            problems.add(SHEET_CADRES, row, "状态", _("在库干部不能改为候选，请先办理出库"))
        if old is not None and old.status == CadreStatus.MEMBER and old.pk in open_stays:
            pass
        elif status == CadreStatus.MEMBER:
            members_now += 1
        cadre_rows.append((row, v))
    if members_now > pool.cap:
        problems.add(
            SHEET_CADRES,
            None,
            "状态",
            _("导入后在库人数为 %(n)d，超过本库人数上限 %(cap)d") % {"n": members_now, "cap": pool.cap},
        )
    known = set(existing) | set(seen)

    def key_ok(sheet: str, row: int, number: str | None) -> bool:
        if number is None:
            return False
        if number not in known:
            problems.add(sheet, row, "编号", _("找不到编号为“%(number)s”的干部") % {"number": number})
            return False
        return True

    # 能力评估
    skill_rows: list[Row] = []
    for row, v in sheets[SHEET_SKILLS]:
        ok = key_ok(SHEET_SKILLS, row, v["编号"])
        if v["评估日期"] is not None and v["评估日期"] > today:
            problems.add(SHEET_SKILLS, row, "评估日期", _("不能晚于今天"))
        if ok:
            skill_rows.append((row, v))
    # 年度考核
    appraisal_rows: list[Row] = []
    seen_years: dict[tuple[str, int], int] = {}
    for row, v in sheets[SHEET_APPRAISALS]:
        ok = key_ok(SHEET_APPRAISALS, row, v["编号"])
        if v["年度"] is not None and v["年度"] > today.year:
            problems.add(SHEET_APPRAISALS, row, "年度", _("不能晚于今年"))
        if ok and v["年度"] is not None:
            key = (v["编号"], v["年度"])
            if key in seen_years:
                _duplicate(problems, SHEET_APPRAISALS, row, "年度", seen_years[key])
                continue
            seen_years[key] = row
            appraisal_rows.append((row, v))
    # 课程成绩
    courses = dict(Course.objects.filter(pool=pool).values_list("name", "id"))
    cycles = dict(Cycle.objects.filter(pool=pool).values_list("name", "id"))
    course_rows: list[Row] = []
    seen_results: dict[tuple[str, int, int], int] = {}
    for row, v in sheets[SHEET_COURSES]:
        ok = key_ok(SHEET_COURSES, row, v["编号"])
        if v["课程"] and v["课程"] not in courses:
            problems.add(SHEET_COURSES, row, "课程", _("本库没有课程“%(name)s”") % {"name": v["课程"]})
            ok = False
        if v["届次"] and v["届次"] not in cycles:
            problems.add(SHEET_COURSES, row, "届次", _("本库没有届次“%(name)s”") % {"name": v["届次"]})
            ok = False
        if ok and v["课程"] and v["届次"]:
            rkey = (v["编号"], courses[v["课程"]], cycles[v["届次"]])
            if rkey in seen_results:
                _duplicate(problems, SHEET_COURSES, row, "课程", seen_results[rkey])
                continue
            seen_results[rkey] = row
            course_rows.append((row, v))

    if problems:
        raise ImportRefusedError(problems=problems.items)
    result = _write(actor, pool, today, cadre_rows, skill_rows, appraisal_rows, course_rows, existing, open_stays)
    audit_record(
        actor=actor,
        action="talent_import",
        object_type="talent.pool",
        object_id=pool.pk,
        summary=pool.name,
        after={"created": result.created, "updated": result.updated},
    )
    return result


def problems_at(problems: Problems, row: int, column: str) -> bool:
    return any(p.row == row and p.column == column and p.sheet == SHEET_CADRES for p in problems.items)


def _write(
    actor: Actor,
    pool: TalentPool,
    today: dt.date,
    cadre_rows: Sequence[Row],
    skill_rows: Sequence[Row],
    appraisal_rows: Sequence[Row],
    course_rows: Sequence[Row],
    existing: dict[str, Cadre],
    open_stays: set[int],
) -> ImportResult:
    result = ImportResult()
    organisations = dict(Organisation.objects.values_list("name", "id"))
    new_organisations = sorted({v["单位"] for _r, v in cadre_rows} - set(organisations))
    if new_organisations:
        Organisation.objects.bulk_create([Organisation(name=n) for n in new_organisations])
        organisations = dict(Organisation.objects.values_list("name", "id"))
    categories = dict(PoolCategory.objects.filter(pool=pool).values_list("name", "id"))
    fields = {
        "name": "姓名", "date_of_birth": "出生日期", "post": "职务", "education": "学历",
        "political_status": "政治面貌", "phone": "手机",
    }  # fmt: skip
    to_create: list[Cadre] = []
    to_update: list[Cadre] = []
    stays: list[tuple[str, dt.date, str]] = []
    for _row, v in cadre_rows:
        cadre = existing.get(v["编号"])
        if cadre is None:
            cadre = Cadre(pool=pool, staff_number=v["编号"])
            to_create.append(cadre)
        else:
            to_update.append(cadre)
        for attr, header in fields.items():
            setattr(cadre, attr, v[header] or "" if attr != "date_of_birth" else v[header])
        cadre.gender = v["性别"] or ""
        cadre.organisation_id = organisations[v["单位"]]
        cadre.category_id = categories.get(v["类别"]) if v["类别"] else None
        if v["状态"] == CadreStatus.MEMBER:
            if not (cadre.pk and cadre.status == CadreStatus.MEMBER and cadre.pk in open_stays):
                stays.append((v["编号"], v["入库日期"], v["入库原因"] or _("Excel 导入")))
            cadre.status = CadreStatus.MEMBER
        elif cadre.status != CadreStatus.MEMBER:
            cadre.status = CadreStatus.CANDIDATE
    Cadre.objects.bulk_create(to_create, batch_size=500)
    Cadre.objects.bulk_update(
        to_update,
        ["name", "date_of_birth", "post", "education", "political_status", "phone", "gender", "organisation",
         "category", "status"],
        batch_size=500,
    )  # fmt: skip
    result.created[SHEET_CADRES], result.updated[SHEET_CADRES] = len(to_create), len(to_update)
    ids = dict(Cadre.objects.filter(pool=pool).exclude(staff_number="").values_list("staff_number", "id"))
    Membership.objects.bulk_create(
        [Membership(cadre_id=ids[n], entered_on=day, entry_reason=reason[:255]) for n, day, reason in stays],
        batch_size=500,
    )
    recorder = acting_user(actor)
    SkillAssessment.objects.bulk_create(
        [
            SkillAssessment(
                cadre_id=ids[v["编号"]],
                skill=v["能力"],
                score=v["评分"],
                assessed_on=v["评估日期"],
                assessor=v["评估人"] or "",
                recorded_by=recorder,
            )
            for _r, v in skill_rows
        ],
        batch_size=1000,
    )
    result.created[SHEET_SKILLS], result.updated[SHEET_SKILLS] = len(skill_rows), 0
    old_appraisals = {
        (a.cadre_id, a.year): a
        for a in Appraisal.objects.filter(cadre__pool=pool, year__in={v["年度"] for _r, v in appraisal_rows})
    }
    new_a: list[Appraisal] = []
    upd_a: list[Appraisal] = []
    for _r, v in appraisal_rows:
        found = old_appraisals.get((ids[v["编号"]], v["年度"]))
        if found is None:
            new_a.append(Appraisal(cadre_id=ids[v["编号"]], year=v["年度"], grade=v["等次"]))
        else:
            found.grade = v["等次"]
            upd_a.append(found)
    Appraisal.objects.bulk_create(new_a, batch_size=1000)
    Appraisal.objects.bulk_update(upd_a, ["grade"], batch_size=500)
    result.created[SHEET_APPRAISALS], result.updated[SHEET_APPRAISALS] = len(new_a), len(upd_a)
    courses = dict(Course.objects.filter(pool=pool).values_list("name", "id"))
    cycles = dict(Cycle.objects.filter(pool=pool).values_list("name", "id"))
    old_results = {(r.cadre_id, r.course_id, r.cycle_id): r for r in CourseResult.objects.filter(cadre__pool=pool)}
    new_r: list[CourseResult] = []
    upd_r: list[CourseResult] = []
    for _r, v in course_rows:
        key = (ids[v["编号"]], courses[v["课程"]], cycles[v["届次"]])
        found_r = old_results.get(key)
        if found_r is None:
            new_r.append(CourseResult(cadre_id=key[0], course_id=key[1], cycle_id=key[2], score=v["成绩"]))
        else:
            found_r.score = v["成绩"]
            upd_r.append(found_r)
    CourseResult.objects.bulk_create(new_r, batch_size=1000)
    CourseResult.objects.bulk_update(upd_r, ["score"], batch_size=500)
    result.created[SHEET_COURSES], result.updated[SHEET_COURSES] = len(new_r), len(upd_r)
    return result


# --- exports --------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _latest_skills(cadre_ids: Sequence[int]) -> dict[int, dict[str, Decimal]]:
    """The latest score per cadre and skill (latest assessment date, then latest record)."""
    out: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = (
        SkillAssessment.objects.filter(cadre_id__in=cadre_ids)
        .order_by("cadre_id", "skill", "-assessed_on", "-id")
        .values_list("cadre_id", "skill", "score")
    )
    for cadre_id, skill, score in rows:
        out[cadre_id].setdefault(skill, score)
    return out


def _pool_rows(pool: TalentPool, today: dt.date) -> tuple[list[str], list[list[Any]]]:
    members = list(
        Cadre.objects.filter(pool=pool, status=CadreStatus.MEMBER)
        .select_related("organisation", "category")
        .order_by("organisation__name", "name", "id")
    )
    ids = [c.pk for c in members]
    entered = dict(
        Membership.objects.filter(cadre_id__in=ids, exited_on__isnull=True).values_list("cadre_id", "entered_on")
    )
    review = (
        RerankReview.objects.filter(pool=pool, status=ReviewStatus.CONFIRMED)
        .order_by("-held_on", "-confirmed_at")
        .first()
    )
    composite = (
        dict(ReviewLine.objects.filter(review=review, cadre_id__in=ids).values_list("cadre_id", "score"))
        if review
        else {}
    )
    skills = _latest_skills(ids)
    latest_year = dict(
        Appraisal.objects.filter(cadre_id__in=ids)
        .values("cadre_id")
        .annotate(y=Max("year"))
        .values_list("cadre_id", "y")
    )
    grades = _labels(AppraisalGrade)
    grade_label = {v: k for k, v in grades.items()}
    appraisals = {
        (a.cadre_id, a.year): a.grade
        for a in Appraisal.objects.filter(cadre_id__in=ids, year__in=set(latest_year.values()))
    }
    cycle = Cycle.objects.filter(pool=pool, status=CycleStatus.OPEN).order_by("-start").first()
    required = {c.pk for c in required_courses(cycle)} if cycle else set()
    done = completed_courses(cycle, ids) if cycle else {}
    skill_labels = _labels(Skill)
    headers = [
        "编号", "姓名", "性别", "出生日期", "年龄", "单位", "职务", "类别", "入库日期", "综合得分",
        *skill_labels, "最近年度考核", "必修课程完成",
    ]  # fmt: skip
    gender = {v: k for k, v in _labels(Gender).items()}
    rows = []
    for c in members:
        year = latest_year.get(c.pk)
        appraisal = f"{year} {grade_label[appraisals[(c.pk, year)]]}" if year else ""
        rows.append(
            [
                c.staff_number, c.name, gender.get(c.gender, ""), c.date_of_birth, _age(c.date_of_birth, today),
                c.organisation.name, c.post, c.category.name if c.category else "", entered.get(c.pk),
                composite.get(c.pk), *[skills[c.pk].get(code) for code in skill_labels.values()], appraisal,
                f"{len(done.get(c.pk, set()) & required)}/{len(required)}" if cycle else "",
            ]
        )  # fmt: skip
    return headers, rows


def _print_setup(ws: Worksheet, *, landscape: bool, title_rows: str | None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    if title_rows:
        ws.print_title_rows = title_rows


def export_pool(pool: TalentPool, today: dt.date | None = None) -> bytes:
    """One row per current member, A4 landscape, frozen header, header repeated on every page."""
    today = today or timezone.localdate()
    headers, rows = _pool_rows(pool, today)
    wb = SafeWorkbook()  # names, posts and organisations are written as text, never formulas
    ws: Any = wb.active
    ws.title = _("在库干部")
    ws.append([_("%(pool)s 在库干部名册（%(date)s）") % {"pool": pool.name, "date": today.isoformat()}])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(headers)
    for cell in ws[2]:
        cell.font, cell.fill, cell.border = _BOLD, _FILL, _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            cell.border = _BOX
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
    widths = (12, 10, 6, 12, 6, 20, 16, 12, 12, 10, 10, 10, 10, 10, 10, 14, 12)
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=2, column=j).column_letter].width = width
    ws.freeze_panes = "A3"
    _print_setup(ws, landscape=True, title_rows="1:2")
    return workbook_bytes(wb)


def _section(ws: Any, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], width: int) -> None:
    ws.append([])
    ws.append([title])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
    if not rows:
        ws.append([_("（无）")])
        return
    ws.append(list(headers))
    for cell in ws[ws.max_row][: len(headers)]:
        cell.font, cell.fill, cell.border = _BOLD, _FILL, _BOX
    for row in rows:
        ws.append(list(row))
        for cell in ws[ws.max_row][: max(len(headers), 1)]:
            cell.border = _BOX
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    del width


def export_dossier(cadre: Cadre, access: DossierAccess, today: dt.date | None = None) -> bytes:
    """The whole dossier on A4 portrait: profile, memberships, skills (history), appraisals,
    courses per cycle, activities, postings, honours, research, and — for WHOLE access only —
    the administrators' notes. The caller checks access and logs the view."""
    today = today or timezone.localdate()
    gender = {v: k for k, v in _labels(Gender).items()}
    status = {v: k for k, v in _labels(CadreStatus).items()}
    skill = {v: k for k, v in _labels(Skill).items()}
    grade = {v: k for k, v in _labels(AppraisalGrade).items()}
    wb = SafeWorkbook()  # every dossier field is written as text, never a formula
    ws: Any = wb.active
    ws.title = _("干部档案")
    ws.append([_("%(name)s 干部档案") % {"name": cadre.name}])
    ws.merge_cells("A1:E1")
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([_("%(pool)s · 导出日期 %(date)s") % {"pool": cadre.pool.name, "date": today.isoformat()}])
    ws.merge_cells("A2:E2")
    ws["A2"].alignment = Alignment(horizontal="center")
    profile = [
        ("编号", cadre.staff_number), ("姓名", cadre.name), ("性别", gender.get(cadre.gender, "")),
        ("出生日期", cadre.date_of_birth), ("年龄", _age(cadre.date_of_birth, today)),
        ("单位", cadre.organisation.name), ("职务", cadre.post),
        ("类别", cadre.category.name if cadre.category else ""), ("学历", cadre.education),
        ("政治面貌", cadre.political_status), ("手机", cadre.phone), ("状态", status.get(cadre.status, "")),
    ]  # fmt: skip
    _section(ws, pgettext("talent", "基本信息"), ["项目", "内容"], profile, 2)
    _section(
        ws,
        _("入库记录"),
        ["入库日期", "入库原因", "出库日期", "出库原因"],
        [(m.entered_on, m.entry_reason, m.exited_on, m.exit_reason) for m in cadre.memberships.all()],
        4,
    )
    _section(
        ws,
        _("能力评估"),
        ["能力", "评分", "评估日期", "评估人"],
        [
            (skill.get(s.skill, s.skill), s.score, s.assessed_on, s.assessor)
            for s in cadre.skill_assessments.order_by("skill", "-assessed_on", "-id")
        ],
        4,
    )
    _section(
        ws,
        _("年度考核"),
        ["年度", "等次"],
        [(a.year, grade.get(a.grade, a.grade)) for a in cadre.appraisals.order_by("-year")],
        2,
    )
    cycles = list(Cycle.objects.filter(pool_id=cadre.pool_id).order_by("start"))
    results = {(r.course_id, r.cycle_id): r for r in CourseResult.objects.filter(cadre=cadre)}
    courses = list(Course.objects.filter(pool_id=cadre.pool_id).order_by("position", "id"))
    course_rows = []
    for cycle in cycles:
        done = completed_courses(cycle, [cadre.pk])[cadre.pk]
        for course in courses:
            r = results.get((course.pk, cycle.pk))
            course_rows.append(
                (cycle.name, course.name, r.score if r else None, "已完成" if course.pk in done else "未完成")
            )
    _section(ws, pgettext("talent plural", "课程"), ["届次", "课程", "考核成绩", "完成情况"], course_rows, 4)
    _section(
        ws,
        _("培训活动"),
        ["活动名称", "开始日期", "结束日期", "地点"],
        [(a.title, a.starts_on, a.ends_on, a.location) for a in cadre.activities.order_by("starts_on")],
        4,
    )
    _section(
        ws,
        _("实践锻炼"),
        ["锻炼单位", "岗位", "开始日期", "结束日期"],
        [(p.place, p.role, p.start, p.end) for p in cadre.postings.order_by("start")],
        4,
    )
    _section(
        ws,
        _("荣誉"),
        ["荣誉名称", "获得日期", "授予单位"],
        [(h.title, h.awarded_on, h.awarded_by) for h in cadre.honours.order_by("awarded_on")],
        3,
    )
    research = ResearchMember.objects.filter(cadre=cadre).select_related("project__cycle").order_by("project__title")
    _section(
        ws,
        _("课题研究"),
        ["课题名称", "届次", "分工", "评分"],
        [
            (m.project.title, m.project.cycle.name, "组长" if m.role == "leader" else "组员", m.project.score)
            for m in research
        ],
        4,
    )
    if access == DossierAccess.WHOLE:
        _section(
            ws,
            pgettext("talent plural", "备注"),
            ["日期", "内容"],
            [(n.created_at.date(), n.text) for n in cadre.notes.order_by("created_at")],
            2,
        )
    for letter, width in zip("ABCDE", (18, 22, 14, 14, 16), strict=True):
        ws.column_dimensions[letter].width = width
    _print_setup(ws, landscape=False, title_rows=None)
    return workbook_bytes(wb)
