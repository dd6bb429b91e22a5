"""Excel import and exports of the talent pool (issue 7, item 7): the template re-imports cleanly,
every kind of error with its exact message, all or nothing, update vs create, the cap, date forms,
the exports' rows, figures and print settings, the dossier export's access and log, and the
permission table of every page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from gongzhi.core.errors import AccessDeniedError, DomainError, ImportRefusedError
from gongzhi.core.models import AuditEntry
from gongzhi.talent.access import DossierAccess
from gongzhi.talent.excel import services as excel
from gongzhi.talent.models import (
    Appraisal,
    AppraisalGrade,
    Cadre,
    CadreStatus,
    CourseResult,
    Membership,
    Note,
    Organisation,
    RerankReview,
    ReviewLine,
    ReviewStatus,
    Skill,
    SkillAssessment,
    TalentImport,
    TalentImportStatus,
)
from tests.talent_support import TalentWorld, make_cadre

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 9, 1)
ROLES = [
    "admin",
    "other_admin",
    "cadre",
    "organisation_a",
    "organisation_b",
    "instructor",
    "outsider",
    "anonymous",
    "superuser",
]
CADRE_HEAD = [
    "编号",
    "姓名",
    "性别",
    "出生日期",
    "单位",
    "职务",
    "类别",
    "学历",
    "政治面貌",
    "手机",
    "状态",
    "入库日期",
    "入库原因",
]


def book(sheets: dict[str, list[list[Any]]]) -> io.BytesIO:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def cadre_row(number: str, name: str = "周新", **kw: Any) -> list[Any]:
    values = {
        "编号": number,
        "姓名": name,
        "性别": "女",
        "出生日期": "1996-05-04",
        "单位": "市发改委",
        "职务": "科员",
        "类别": "综合管理类",
        "学历": "硕士研究生",
        "政治面貌": "中共党员",
        "手机": "13900000000",
        "状态": "候选",
        "入库日期": None,
        "入库原因": "",
    }
    values.update(kw)
    return [values[h] for h in CADRE_HEAD]


def run(tw: TalentWorld, sheets: dict[str, list[list[Any]]], today: dt.date = TODAY) -> excel.ImportResult:
    return excel.import_workbook(actor=tw.users["admin"], pool=tw.pool, file=book(sheets), today=today)


def refused(tw: TalentWorld, sheets: dict[str, list[list[Any]]]) -> list[str]:
    with pytest.raises(ImportRefusedError) as exc:
        run(tw, sheets)
    return [excel.problem_text(p) for p in exc.value.problems]


def client_for(tw: TalentWorld, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(tw.users[role])
    return client


# --- import ---------------------------------------------------------------------------------------


def test_template_reimports_cleanly(talent_world: TalentWorld) -> None:
    tw = talent_world
    data = excel.template_bytes(tw.pool, TODAY)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["说明", "干部", "能力评估", "年度考核", "课程成绩"]
    assert [c.value for c in wb["干部"][1]] == CADRE_HEAD
    notes = [row[1] for row in wb["说明"].iter_rows(values_only=True)]
    assert "入库日期" in notes
    assert "评分" in notes
    result = excel.import_workbook(actor=tw.users["admin"], pool=tw.pool, file=io.BytesIO(data), today=TODAY)
    assert result.as_rows() == [("干部", 1, 0), ("能力评估", 1, 0), ("年度考核", 1, 0), ("课程成绩", 1, 0)]
    example = Cadre.objects.get(staff_number="EXAMPLE-001")
    assert example.status == CadreStatus.CANDIDATE
    assert example.skill_assessments.get().skill == Skill.POLITICAL
    assert CourseResult.objects.get(cadre=example).score == Decimal("85")
    # the same file again updates and replaces, never duplicates
    again = excel.import_workbook(actor=tw.users["admin"], pool=tw.pool, file=io.BytesIO(data), today=TODAY)
    assert again.as_rows() == [("干部", 0, 1), ("能力评估", 1, 0), ("年度考核", 0, 1), ("课程成绩", 0, 1)]
    assert Cadre.objects.filter(staff_number="EXAMPLE-001").count() == 1


def test_create_update_memberships_and_new_organisations(talent_world: TalentWorld) -> None:
    tw = talent_world
    tw.cadres["self"].staff_number = "A001"
    tw.cadres["self"].save()
    tw.cadres["nominee"].staff_number = "A002"
    tw.cadres["nominee"].save()
    result = run(
        tw,
        {
            "干部": [
                CADRE_HEAD,
                cadre_row("A001", "张晓明", 职务="副科长", 状态="在库", 入库日期="2025-01-06"),
                cadre_row("A002", "李思远", 状态="在库", 入库日期="2025年3月1日", 入库原因="动态调整"),
                cadre_row("N001", "孙新", 单位="市教育局", 状态="在库", 入库日期=dt.date(2025, 4, 1)),
                cadre_row("N002", "钱候选", 出生日期="1997/1/6", 类别=None),
                [None] * 13,
                [""] * 13,
            ],
        },
    )
    assert result.created["干部"] == 2
    assert result.updated["干部"] == 2
    me = Cadre.objects.get(staff_number="A001")
    assert me.post == "副科长"
    assert me.memberships.count() == 1  # already in the pool: no second stay
    nominee = Cadre.objects.get(staff_number="A002")
    assert nominee.status == CadreStatus.MEMBER
    assert nominee.memberships.get().entry_reason == "动态调整"
    new = Cadre.objects.get(staff_number="N001")
    assert new.organisation.name == "市教育局"
    assert new.memberships.get().entered_on == dt.date(2025, 4, 1)
    assert Cadre.objects.get(staff_number="N002").date_of_birth == dt.date(1997, 1, 6)
    entry = AuditEntry.objects.get(action="talent_import")
    assert entry.after == {
        "created": {"干部": 2, "能力评估": 0, "年度考核": 0, "课程成绩": 0},
        "updated": {"干部": 2, "能力评估": 0, "年度考核": 0, "课程成绩": 0},
    }


def test_scores_refer_to_cadres_of_the_same_workbook_and_replace_grades(talent_world: TalentWorld) -> None:
    tw = talent_world
    tw.cadres["self"].staff_number = "A001"
    tw.cadres["self"].save()
    Appraisal.objects.create(cadre=tw.cadres["self"], year=2024, grade=AppraisalGrade.COMPETENT)
    result = run(
        tw,
        {
            "干部": [CADRE_HEAD, cadre_row("N001")],
            "能力评估": [
                ["编号", "能力", "评分", "评估日期", "评估人"],
                ["N001", "调查研究", 88.5, dt.date(2025, 6, 1), "组织部"],
                ["A001", "抓落实", "100", "2025/6/1", ""],
                ["A001", "抓落实", 0, 45809, ""],  # an Excel serial (2025-06-01)
            ],
            "年度考核": [["编号", "年度", "等次"], ["A001", 2024, "优秀"], ["N001", "2024", "称职"]],
            "课程成绩": [["编号", "课程", "届次", "成绩"], ["N001", "政策法规", "2025—2026 届", 60]],
        },
    )
    assert result.as_rows() == [("干部", 1, 0), ("能力评估", 3, 0), ("年度考核", 1, 1), ("课程成绩", 1, 0)]
    assert Appraisal.objects.get(cadre=tw.cadres["self"], year=2024).grade == AppraisalGrade.EXCELLENT
    scores = sorted(SkillAssessment.objects.values_list("score", flat=True))
    assert scores == [Decimal("0"), Decimal("88.5"), Decimal("100")]
    assert set(SkillAssessment.objects.values_list("assessed_on", flat=True)) == {dt.date(2025, 6, 1)}


SK = ["编号", "能力", "评分", "评估日期"]
AP = ["编号", "年度", "等次"]
CR = ["编号", "课程", "届次", "成绩"]
CY = "2025—2026 届"


def cad(*rows: list[Any]) -> dict[str, list[list[Any]]]:
    return {"干部": [CADRE_HEAD, *rows]}


def x1(sheet: str, head: list[str], *rows: list[Any]) -> dict[str, list[list[Any]]]:
    """A valid cadre X1 and one more sheet."""
    return {"干部": [CADRE_HEAD, cadre_row("X1")], sheet: [head, *rows]}


@pytest.mark.parametrize(
    ("sheets", "message"),
    [
        (cad([], cadre_row("X1", 出生日期="1995/13/01")), "干部 第 3 行 出生日期：无法识别的日期“1995/13/01”"),
        (cad(cadre_row("X1", 出生日期=None)), "干部 第 2 行 出生日期：必填项为空"),
        (cad(cadre_row(None)), "干部 第 2 行 编号：必填项为空"),
        (cad(cadre_row("X1", 性别="M")), "干部 第 2 行 性别：“M”不是可用的值，可用：男、女"),
        (cad(cadre_row("X1", 类别="无此类")), "干部 第 2 行 类别：本库没有类别“无此类”"),
        (cad(cadre_row("X1", 状态="在库")), "干部 第 2 行 入库日期：状态为在库时必填"),
        (cad(cadre_row("X1", 状态="已退出")), "干部 第 2 行 状态：“已退出”不是可用的值，可用：候选、在库"),
        (
            cad(cadre_row("X1", 状态="在库", 入库日期="2025-09-02")),
            "干部 第 2 行 入库日期：不能晚于今天",
        ),
        (cad(cadre_row("X1"), cadre_row("X1")), "干部 第 3 行 编号：与第 2 行重复"),
        ({"干部": [CADRE_HEAD[:3]]}, "干部 第 1 行 出生日期：缺少列“出生日期”"),
        (
            {"能力评估": [["编号", "能力", "评分", "评估日期"], ["ZZZ", "调查研究", 80, "2025-01-06"]]},
            "能力评估 第 2 行 编号：找不到编号为“ZZZ”的干部",
        ),
        (
            x1("能力评估", SK, ["X1", "写作", 80, "2025-01-06"]),
            "能力评估 第 2 行 能力：“写作”不是可用的值，可用：政治素养、调查研究、应急处突、群众工作、抓落实",
        ),
        (
            x1("能力评估", SK, ["X1", "抓落实", "100.01", "2025-01-06"]),
            "能力评估 第 2 行 评分：须为 0 到 100 之间的数字，最多两位小数：“100.01”",
        ),
        (
            x1("能力评估", SK, ["X1", "抓落实", "很好", "2025-01-06"]),
            "能力评估 第 2 行 评分：须为数字：“很好”",
        ),
        (
            x1("年度考核", AP, ["X1", 2024, "良好"]),
            "年度考核 第 2 行 等次：“良好”不是可用的值，可用：优秀、称职、基本称职、不称职",
        ),
        (
            x1("年度考核", AP, ["X1", 2024, "优秀"], ["X1", 2024, "称职"]),
            "年度考核 第 3 行 年度：与第 2 行重复",
        ),
        (
            x1("年度考核", AP, ["X1", "24", "优秀"]),
            "年度考核 第 2 行 年度：须为四位年份：“24”",
        ),
        (
            x1("课程成绩", CR, ["X1", "书法", CY, 90]),
            "课程成绩 第 2 行 课程：本库没有课程“书法”",
        ),
        (
            x1("课程成绩", CR, ["X1", "政策法规", "第九届", 90]),
            "课程成绩 第 2 行 届次：本库没有届次“第九届”",
        ),
        (
            x1("课程成绩", CR, ["X1", "政策法规", CY, 101]),
            "课程成绩 第 2 行 成绩：须为 0 到 100 之间的数字，最多两位小数：“101”",
        ),
    ],
)
def test_every_error_kind_with_its_message(talent_world: TalentWorld, sheets: Any, message: str) -> None:
    assert message in refused(talent_world, sheets)
    assert not Cadre.objects.filter(staff_number="X1").exists()


def test_member_cannot_become_candidate(talent_world: TalentWorld) -> None:
    tw = talent_world
    tw.cadres["self"].staff_number = "A001"
    tw.cadres["self"].save()
    assert refused(tw, {"干部": [CADRE_HEAD, cadre_row("A001", 状态="候选")]}) == [
        "干部 第 2 行 状态：在库干部不能改为候选，请先办理出库"
    ]


def test_skill_scale_of_the_pool(talent_world: TalentWorld) -> None:
    tw = talent_world
    tw.pool.skill_scale_min, tw.pool.skill_scale_max = Decimal("1"), Decimal("5")
    tw.pool.save()
    head = ["编号", "能力", "评分", "评估日期"]
    problems = refused(
        tw,
        {
            "干部": [CADRE_HEAD, cadre_row("X1")],
            "能力评估": [
                head,
                ["X1", "抓落实", 5, "2025-01-06"],
                ["X1", "抓落实", "5.01", "2025-01-06"],
                ["X1", "抓落实", 0.99, "2025-01-06"],
            ],
        },
    )
    assert problems == [
        "能力评估 第 3 行 评分：须为 1 到 5 之间的数字，最多两位小数：“5.01”",
        "能力评估 第 4 行 评分：须为 1 到 5 之间的数字，最多两位小数：“0.99”",
    ]


def test_all_or_nothing_one_bad_row_in_the_last_sheet(talent_world: TalentWorld) -> None:
    tw = talent_world
    before = (
        Cadre.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        SkillAssessment.objects.count(),
    )
    problems = refused(
        tw,
        {
            "干部": [
                CADRE_HEAD,
                *[cadre_row(f"N{i:03d}", 单位="新单位", 状态="在库", 入库日期="2025-01-06") for i in range(5)],
            ],
            "能力评估": [["编号", "能力", "评分", "评估日期"], ["N001", "抓落实", 90, "2025-01-06"]],
            "年度考核": [["编号", "年度", "等次"], ["N001", 2024, "优秀"]],
            "课程成绩": [
                ["编号", "课程", "届次", "成绩"],
                ["N001", "政策法规", "2025—2026 届", 90],
                ["N002", "政策法规", "2025—2026 届", "九十"],
            ],
        },
    )
    assert problems == ["课程成绩 第 3 行 成绩：须为数字：“九十”"]
    after = (
        Cadre.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        SkillAssessment.objects.count(),
    )
    assert after == before
    assert not Appraisal.objects.exists()
    assert not AuditEntry.objects.filter(action="talent_import").exists()


def test_cap(talent_world: TalentWorld) -> None:
    tw = talent_world
    tw.pool.cap = 4  # 张晓明 and 王可 are members already
    tw.pool.save()
    rows = [cadre_row(f"N{i}", 状态="在库", 入库日期="2025-01-06") for i in range(3)]
    assert refused(tw, {"干部": [CADRE_HEAD, *rows]}) == ["干部 状态：导入后在库人数为 5，超过本库人数上限 4"]
    result = run(tw, {"干部": [CADRE_HEAD, *rows[:2], cadre_row("N9")]})  # exactly the cap, plus a candidate
    assert result.created["干部"] == 3
    assert Cadre.objects.filter(pool=tw.pool, status=CadreStatus.MEMBER).count() == 4


def test_wrong_file_type_and_no_sheets(talent_world: TalentWorld) -> None:
    tw = talent_world
    with pytest.raises(DomainError, match="只接受 Excel 工作簿") as exc:
        excel.import_workbook(actor=tw.users["admin"], pool=tw.pool, file=io.BytesIO(b"%PDF-1.4 ..."), today=TODAY)
    assert exc.value.code == "file_type"
    with pytest.raises(DomainError, match="不是有效的 Excel 工作簿"):
        excel.import_workbook(actor=tw.users["admin"], pool=tw.pool, file=io.BytesIO(b"PK\x03\x04broken"), today=TODAY)
    with pytest.raises(DomainError, match="找不到工作表"):
        run(tw, {"Sheet1": [["a"]]})


@pytest.mark.parametrize("role", ["cadre", "organisation_a", "other_admin", "outsider"])
def test_only_administrators_import(talent_world: TalentWorld, role: str) -> None:
    tw = talent_world
    with pytest.raises(AccessDeniedError):
        excel.import_workbook(actor=tw.users[role], pool=tw.pool, file=book({"干部": [CADRE_HEAD]}), today=TODAY)


def test_dates_accepted_forms() -> None:
    for value in (
        "2025-01-06",
        "2025/1/6",
        "2025年1月6日",
        dt.date(2025, 1, 6),
        dt.datetime(2025, 1, 6, 0, 0),
        45663.0,
    ):
        assert excel.parse_date(value) == dt.date(2025, 1, 6), value


# --- exports --------------------------------------------------------------------------------------


def test_export_pool_rows_figures_and_print_settings(talent_world: TalentWorld) -> None:
    tw = talent_world
    me = tw.cadres["self"]
    me.staff_number = "A001"
    me.save()
    SkillAssessment.objects.create(cadre=me, skill=Skill.RESEARCH, score=Decimal("70"), assessed_on=dt.date(2025, 1, 1))
    SkillAssessment.objects.create(
        cadre=me, skill=Skill.RESEARCH, score=Decimal("82.5"), assessed_on=dt.date(2025, 6, 1)
    )
    Appraisal.objects.create(cadre=me, year=2023, grade=AppraisalGrade.COMPETENT)
    Appraisal.objects.create(cadre=me, year=2024, grade=AppraisalGrade.EXCELLENT)
    CourseResult.objects.create(course=tw.courses[1], cycle=tw.cycle, cadre=me, score=Decimal("60"))
    review = RerankReview.objects.create(
        pool=tw.pool,
        cycle=tw.cycle,
        title="年中考评",
        held_on=dt.date(2025, 7, 1),
        cap=100,
        exit_below=Decimal("60"),
        status=ReviewStatus.CONFIRMED,
    )
    ReviewLine.objects.create(review=review, cadre=me, member=True, score=Decimal("86.40"), outcome="stay", reason="")
    wb = load_workbook(io.BytesIO(excel.export_pool(tw.pool, TODAY)))
    ws = wb.active
    assert ws is not None
    assert ws["A1"].value == f"{tw.pool.name} 在库干部名册（2025-09-01）"
    header = [c.value for c in ws[2]]
    assert header[:10] == ["编号", "姓名", "性别", "出生日期", "年龄", "单位", "职务", "类别", "入库日期", "综合得分"]
    assert header[10:] == ["政治素养", "调查研究", "应急处突", "群众工作", "抓落实", "最近年度考核", "必修课程完成"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == {"张晓明", "王可"}  # current members only: not the candidate, not the other pool
    mine = rows["张晓明"]
    assert mine[0] == "A001"
    assert mine[4] == 30  # born 1995-03-01, on 2025-09-01
    assert mine[8] == dt.datetime(2025, 1, 6)
    assert mine[9] == 86.4
    assert mine[11] == 82.5  # the latest research assessment
    assert mine[15] == "2024 优秀"
    assert mine[16] == "1/4"
    assert rows["王可"][9] is None
    assert ws.freeze_panes == "A3"
    assert ws.print_title_rows == "$1:$2"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.sheet_properties.pageSetUpPr is not None
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1


def test_export_dossier_content_and_log(talent_world: TalentWorld) -> None:
    tw = talent_world
    me = tw.cadres["self"]
    Note.objects.create(cadre=me, text="管理员备注：重点培养", author=tw.users["admin"])
    Appraisal.objects.create(cadre=me, year=2024, grade=AppraisalGrade.EXCELLENT)
    response = client_for(tw, "cadre").get(reverse("talent_export_dossier", args=[me.pk]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    assert ws is not None
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    for text in (
        "张晓明 干部档案",
        "基本信息",
        "入库记录",
        "能力评估",
        "年度考核",
        "课程",
        "理论武装",
        "优秀",
        "备注",
        "管理员备注：重点培养",
    ):
        assert text in values, text
    assert ws.page_setup.orientation == "portrait"
    assert str(ws.page_setup.paperSize) == "9"
    entry = AuditEntry.objects.get(action="dossier_viewed")
    assert entry.after == {"what": "excel"}
    assert entry.actor_id == tw.users["cadre"].pk
    data = excel.export_dossier(me, DossierAccess.NOMINEE, TODAY)
    flat = [c for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True) for c in row]  # type: ignore[union-attr]
    assert "管理员备注：重点培养" not in flat


# --- pages ----------------------------------------------------------------------------------------

_ADMIN_ONLY = [200, 404, 403, 403, 403, 404, 404, 302, 200]
# the dossier of the cadre "self": whole for admins and the cadre; organisation A sees its nominee's only
_DOSSIER_SELF = [200, 404, 200, 404, 404, 404, 404, 302, 200]
_DOSSIER_NOMINEE = [200, 404, 404, 403, 404, 404, 404, 302, 200]


def _cases() -> list[tuple[str, list[int]]]:
    return [
        ("excel", _ADMIN_ONLY),
        ("import", [302, 404, 403, 403, 403, 404, 404, 302, 302]),  # queued: to the import's page
        ("template", _ADMIN_ONLY),
        ("export_pool", _ADMIN_ONLY),
        ("dossier_self", _DOSSIER_SELF),
        ("dossier_nominee", _DOSSIER_NOMINEE),
    ]


def _request(tw: TalentWorld, client: Client, page: str) -> Any:
    pool = tw.pool.pk
    if page == "excel":
        return client.get(reverse("talent_excel", args=[pool]))
    if page == "import":
        upload = SimpleUploadedFile("a.xlsx", excel.template_bytes(tw.pool, timezone.localdate()))
        return client.post(reverse("talent_excel", args=[pool]), {"file": upload})
    if page == "template":
        return client.get(reverse("talent_excel_template", args=[pool]))
    if page == "export_pool":
        return client.get(reverse("talent_export_pool", args=[pool]))
    key = "self" if page == "dossier_self" else "nominee"
    return client.get(reverse("talent_export_dossier", args=[tw.cadres[key].pk]))


@pytest.mark.parametrize(
    ("page", "role", "expected"), [(page, role, codes[i]) for page, codes in _cases() for i, role in enumerate(ROLES)]
)
def test_permission_table(talent_world: TalentWorld, page: str, role: str, expected: int) -> None:
    response = _request(talent_world, client_for(talent_world, role), page)
    assert response.status_code == expected
    if expected == 200 and page not in {"excel", "import"}:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    logged = AuditEntry.objects.filter(action="dossier_viewed").exists()
    assert logged is (page.startswith("dossier") and expected == 200)


def test_import_page_shows_result_and_errors(talent_world: TalentWorld) -> None:
    tw = talent_world
    client = client_for(tw, "admin")
    url = reverse("talent_excel", args=[tw.pool.pk])
    bad = book({"干部": [CADRE_HEAD, cadre_row("X1", 出生日期="1995/13/01")]})
    # The upload is queued for the task worker (run at once in the tests) and the page of the
    # import shows its outcome.
    response = client.post(url, {"file": SimpleUploadedFile("a.xlsx", bad.getvalue())})
    assert response.status_code == 302
    imp = TalentImport.objects.get(pool=tw.pool)
    assert response["Location"] == reverse("talent_import", args=[tw.pool.pk, imp.pk])
    assert imp.status == TalentImportStatus.REFUSED
    body = client.get(response["Location"]).content.decode()
    assert "无法识别的日期“1995/13/01”" in body
    assert "未写入任何数据" in body
    assert 'id="import-result"' not in body
    assert 'hx-get="' not in body  # finished: the page stops polling
    assert not Cadre.objects.filter(staff_number="X1").exists()
    wrong = client.post(url, {"file": SimpleUploadedFile("a.csv", b"a,b\n1,2\n")})
    assert wrong.status_code == 400
    assert "只接受 Excel 工作簿（.xlsx）" in wrong.content.decode()
    assert TalentImport.objects.count() == 1  # nothing queued for a file that is not a workbook
    good = book({"干部": [CADRE_HEAD, cadre_row("X1")]})
    ok = client.post(url, {"file": SimpleUploadedFile("a.xlsx", good.getvalue())}, follow=True)
    assert ok.status_code == 200
    body = ok.content.decode()
    assert 'id="import-result"' in body
    assert "导入完成" in body
    assert Cadre.objects.filter(staff_number="X1").exists()
    done = TalentImport.objects.get(status=TalentImportStatus.DONE)
    assert done.counts[0] == ["干部", 1, 0]
    assert done.file_path == ""  # the upload (personal data) is not kept once imported
    listing = client.get(url).content.decode()
    assert 'id="import-recent"' in listing
    assert reverse("talent_import", args=[tw.pool.pk, done.pk]) in listing


def test_pool_export_queries_flat(talent_world: TalentWorld, django_assert_max_num_queries: Any) -> None:
    """The roster export reads a fixed number of queries however many members (3, then 32): no N+1."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tw = talent_world
    client = client_for(tw, "admin")
    url = reverse("talent_export_pool", args=[tw.pool.pk])

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            c = make_cadre(tw.pool, tw.organisations["b"], f"干部{i}", member=True)
            SkillAssessment.objects.create(
                cadre=c, skill=Skill.PUBLIC, score=Decimal("70"), assessed_on=dt.date(2025, 1, 1)
            )
            Appraisal.objects.create(cadre=c, year=2024, grade=AppraisalGrade.COMPETENT)

    add(1, 0)  # some of every kind of row, so that the same queries run both times
    client.get(url)  # warm-up: per-process caches are not the page's cost
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(29, 1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(24):
        client.get(url)
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws is not None
    assert ws.max_row == 2 + 32
