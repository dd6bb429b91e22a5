"""The talent pool's pages in a real browser (Debian's Chromium through Playwright), issue 7: every
page a pool administrator, a cadre and an organisation member can open fits a 375 px phone (no horizontal
scroll of the page; wide tables scroll inside their own wrapper), throws no JavaScript error, nests
no label inside another, and draws its ECharts chart (a container with a height and a canvas) where
one is expected, also at 1280 px.

The world is built once for the module through the talent services (about 30 cadres, a cycle with
sessions, results and a graduation, activities with feedback, a proposed review, awards decided,
research projects with a report and a summary meeting) and served by a live server of the module's
own: pytest-django's `live_server` would flush the database after every test, and rebuilding the
world for each of some seventy pages would cost minutes. The world and the logins are committed
before the first test and flushed when the module ends.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from gongzhi.talent.activities import services as activities
from gongzhi.talent.awards import services as awards
from gongzhi.talent.courses import services as courses
from gongzhi.talent.models import CompletionRule, Skill, TalentPool
from gongzhi.talent.people import services
from gongzhi.talent.research import services as research
from gongzhi.talent.reviews import services as reviews
from tests import factories as f
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, assert_fits_the_phone

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to be
# called from it (the world's setup, the logins) without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# django_db: each test runs in a transaction rolled back at its end (what the pages write, such as
# the dossier-view log, goes with it); the live server shares SQLite's in-memory connection.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

TODAY = dt.date(2025, 12, 31)
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 800}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CHARTS = "#skill-radar, #review-chart, .feedback-chart"

# Long, real-looking names: the pages must wrap them, not widen the page.
ORGANISATIONS = (
    "市发展和改革委员会（市粮食和物资储备局）",
    "市住房和城乡建设局（市人民防空办公室）",
    "市市场监督管理局（市知识产权局）",
    "市综合行政执法局",
    "市自然资源和规划局",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = ("晓明", "思远", "可欣", "一鸣", "嘉怡", "浩然", "雨桐", "子轩", "梦琪", "俊杰")
POSTS = ("综合处副处长（主持工作）", "政策法规处四级主任科员", "执法支队一大队副大队长", "办公室一级科员")


@dataclass
class Site:
    url: str
    users: dict[str, Any]
    cookies: dict[str, str] = field(default_factory=dict)  # role → session id, committed with the world
    pages: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # role → [(name, path)]


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("调研报告.pdf", PDF, content_type="application/pdf")


def _build() -> Site:
    """The pool as it stands near the end of its first year, built as its administrator would."""
    users: dict[str, Any] = {
        name: f.UserFactory(username=f"tb-{name}") for name in ("admin", "cadre", "organisation_a", "instructor")
    }
    admin = users["admin"]
    pool = TalentPool.objects.create(name="市直机关青年干部人才库（2025—2026 届）", cap=40, exit_below=Decimal("60"))
    pool.administrators.add(admin)
    general = services.category_save(actor=admin, pool=pool, name="综合管理类", quota=None).category
    enforcement = services.category_save(actor=admin, pool=pool, name="行政执法类", quota=12).category
    cycle = services.cycle_save(
        actor=admin, pool=pool, name="2025—2026 届", start=dt.date(2025, 1, 1), end=dt.date(2026, 12, 31)
    )
    organisations = [services.organisation_create(actor=admin, name=name) for name in ORGANISATIONS]
    organisations[0].members.add(users["organisation_a"])

    cadres = []
    for i in range(32):
        profile = services.Profile(
            name=SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + ("" if i < 10 else "甲乙丙"[i % 3]),
            date_of_birth=dt.date(1990 + i % 8, 1 + i % 12, 1 + i % 27),
            organisation=organisations[i % len(organisations)],
            gender="male" if i % 2 else "female",
            post=POSTS[i % len(POSTS)],
            category=enforcement if i % 3 == 0 else general,
            education="研究生（硕士）",
            political_status="中共党员",
            phone=f"1390000{i:04d}",
            staff_number=f"QN2025{i:03d}",
            username=users["cadre"].username if i == 0 else "",
        )
        cadres.append(services.cadre_create(actor=admin, pool=pool, profile=profile, today=TODAY))
    members, candidates = cadres[:30], cadres[30:]
    for cadre in members:
        services.membership_enter(
            actor=admin,
            cadre=cadre,
            entered_on=dt.date(2025, 1, 6),
            reason="首批入库（单位推荐、组织考察）",
            today=TODAY,
        )
        cadre.refresh_from_db()
    me = members[0]
    nominations = [
        reviews.nomination_create(
            actor=users["organisation_a"] if c.organisation_id == organisations[0].pk else admin,
            pool=pool,
            organisation=c.organisation,
            reason="业务骨干，牵头完成多项重点改革任务，群众评价好",
            cadre=c,
            today=TODAY,
        )
        for c in candidates
    ]
    assert nominations

    # The dossier of the cadre who logs in: everything the radar and the lists show.
    services.posting_add(
        actor=admin, cadre=me, place="市信访局接待中心（挂职锻炼）", role="副主任", start=dt.date(2025, 3, 1)
    )
    services.honour_add(
        actor=admin,
        cadre=me,
        title="全市优秀共产党员",
        awarded_on=dt.date(2025, 7, 1),
        awarded_by="中共某市委",
        today=TODAY,
    )
    services.appraisal_record(actor=admin, cadre=me, year=2024, grade="excellent", today=TODAY)
    services.note_add(actor=admin, cadre=me, text="组织部谈话：建议下一步到基层一线任职锻炼。")
    for n, cadre in enumerate(members):
        for k, skill in enumerate(Skill.values):
            services.skill_assess(
                actor=admin,
                cadre=cadre,
                skill=skill,
                score=Decimal(55 + (n * 7 + k * 5) % 45),
                assessed_on=dt.date(2025, 6, 30),
                assessor="考评组",
                today=TODAY,
            )

    # Courses: the four required ones, with sessions, attendance, scores, an instructor's marks.
    rules: tuple[tuple[str, str, dict[str, Any]], ...] = (
        ("理论武装", CompletionRule.ATTENDANCE, {"min_sessions": 2}),
        ("政策法规", CompletionRule.SCORE, {"pass_score": Decimal("60")}),
        ("公文写作", CompletionRule.SCORE, {"pass_score": Decimal("60")}),
        ("群众工作方法", CompletionRule.INSTRUCTOR, {}),
    )
    course_list = [
        courses.course_create(
            actor=admin,
            pool=pool,
            name=name,
            rule=rule,
            instructors=[users["instructor"]] if rule == CompletionRule.INSTRUCTOR else [],
            **extra,
        )
        for name, rule, extra in rules
    ]
    sessions = [
        courses.session_create(
            actor=admin,
            course=course_list[0],
            cycle=cycle,
            title=f"第{n}讲 学习贯彻党的二十届三中全会精神",
            held_on=dt.date(2025, 3 + n, 10),
            location="市委党校 3 号报告厅",
            lecturer="市委党校 王教授",
        )
        for n in (1, 2, 3)
    ]
    for n, session in enumerate(sessions):
        courses.attendance_save(actor=admin, session=session, present=[c.pk for c in members[n:]])
    for course in course_list[1:3]:
        scores = {c.pk: str(50 + (i * 3) % 50) for i, c in enumerate(members)}
        courses.results_save(actor=admin, course=course, cycle=cycle, scores=scores)
    for cadre in members[:10]:
        courses.result_mark(actor=admin, course=course_list[3], cycle=cycle, cadre=cadre, complete=True)
    courses.graduation_record(
        actor=admin, cycle=cycle, cadre=members[29], outcome="not_graduated", note="因病缺课，下一届补修", today=TODAY
    )

    # Activities with feedback.
    acts = []
    for n, (kind, title) in enumerate(
        (
            ("field_visit", "赴浙江安吉余村实地考察“两山”理念实践"),
            ("study", "专题学习：优化营商环境条例解读"),
            ("task_force", "专班攻坚：老旧小区加装电梯集中推进"),
        )
    ):
        data = activities.ActivityData(
            kind=kind,
            title=title,
            starts_on=dt.date(2025, 4 + n, 12),
            ends_on=dt.date(2025, 4 + n, 14),
            location="安吉县天荒坪镇余村村委会",
            description="上午现场教学，下午座谈交流，晚上撰写心得体会。",
        )
        acts.append(activities.activity_create(actor=admin, cycle=cycle, data=data, participants=members[: 10 + n * 5]))
    for n, act in enumerate(acts):
        activities.feedback_give(
            actor=users["cadre"], activity=act, rating=5 - n, comment="很有收获，希望多组织", today=TODAY
        )
        activities.feedback_give(actor=users["organisation_a"], activity=act, rating=4, comment="安排紧凑", today=TODAY)
    activities.cycle_feedback_give(actor=users["cadre"], cycle=cycle, rating=4, comment="课程设置合理", today=TODAY)

    # A mid-year review confirmed (everyone stays, the pool being full: what the cadre may read), and
    # the year-end one proposed.
    midyear = reviews.review_create(
        actor=admin,
        pool=pool,
        cycle=cycle,
        title="2025 年中动态调整",
        held_on=dt.date(2025, 6, 30),
        cap=30,
        exit_below=Decimal(0),
    )
    reviews.review_propose(actor=admin, review=midyear)
    reviews.review_confirm(actor=admin, review=midyear, reason="2025 年 7 月 3 日工委会议研究同意")
    review = reviews.review_create(actor=admin, pool=pool, cycle=cycle, title="2025 年度动态调整", held_on=TODAY)
    reviews.review_propose(actor=admin, review=review)

    # Awards: nominated, one kind decided.
    trainees = [
        awards.award_nominate(
            actor=admin, pool=pool, year=2025, kind=kind, cadre=c, reason="学习刻苦，结业考试成绩优异，调研报告获评优秀"
        )
        for kind in ("trainee", "writer")
        for c in members[:4]
    ]
    awards.award_decide(
        actor=admin,
        pool=pool,
        year=2025,
        kind="trainee",
        decided_on=dt.date(2025, 12, 18),
        basis="2025 年 12 月 18 日工委会议研究决定",
        selected=trainees[:2],
        today=TODAY,
    )

    # Research: three projects, milestones, a report scored, a summary meeting with its agenda.
    projects = []
    for n, title in enumerate(
        ("基层治理数字化转型路径调研", "营商环境优化与涉企服务“一件事”改革研究", "城市更新中的群众工作方法")
    ):
        team = members[n * 5 : n * 5 + 5]
        if n == 0:
            team = [me, *members[1:5]]
        projects.append(
            research.project_save(
                actor=admin,
                cycle=cycle,
                title=title,
                members=team,
                leader=team[0],
                topic="课题简介" * 20,
                mentor="浙江大学 陈教授",
            )
        )
    for project in projects:
        done = research.milestone_add(actor=admin, project=project, title="开题报告", due_on=dt.date(2025, 5, 31))
        research.milestone_done(actor=admin, milestone=done, done_on=dt.date(2025, 5, 30), today=TODAY)
        research.milestone_add(actor=admin, project=project, title="中期检查", due_on=dt.date(2025, 9, 30))
    for project in projects[:2]:
        research.report_upload(actor=admin, project=project, upload=_pdf())
    research.project_score(actor=admin, project=projects[0], score="88.5", comment="选题精准，对策可行")
    meeting = research.summary_meeting_create(
        actor=admin,
        cycle=cycle,
        title="2025 年度课题研究成果汇报会",
        starts_at=timezone.make_aware(dt.datetime(2026, 1, 15, 9, 0)),
        venue="市行政中心 5 楼第一会议室",
    )
    research.summary_agenda_set(
        actor=admin,
        meeting=meeting,
        entries=[research.AgendaEntry(project_id=p.pk, position=i) for i, p in enumerate(projects[:2], start=1)],
    )

    def u(name: str, *args: Any, query: str = "") -> str:
        return reverse(name, args=args) + (f"?{query}" if query else "")

    p, c = pool.pk, cycle.pk
    admin_pages = [
        ("home", u("talent_home")),
        ("pool", u("talent_pool", p)),
        ("pool settings", u("talent_pool_edit", p)),
        ("category new", u("talent_category_create", p)),
        ("category edit", u("talent_category_edit", enforcement.pk)),
        ("cycle new", u("talent_cycle_create", p)),
        ("cycle edit", u("talent_cycle_edit", c)),
        ("organisation new", u("talent_organisation_create", p)),
        ("cadre new", u("talent_cadre_create", p)),
        ("cadre edit", u("talent_cadre_edit", me.pk)),
        ("enter", u("talent_membership_enter", candidates[0].pk)),
        ("exit", u("talent_membership_exit", members[5].pk)),
        ("dossier", u("talent_cadre", me.pk)),
        *[
            (f"add {kind}", u("talent_entry_add", me.pk, kind))
            for kind in ("posting", "honour", "appraisal", "skill", "note")
        ],
        ("courses", u("talent_courses", p)),
        ("course new", u("talent_course_create", p)),
        ("course edit", u("talent_course_edit", course_list[3].pk)),
        ("session new", u("talent_session_create", p)),
        ("attendance", u("talent_attendance", sessions[0].pk)),
        ("results", u("talent_results", course_list[1].pk)),
        ("results marked", u("talent_results", course_list[3].pk)),
        ("graduation", u("talent_graduation", c)),
        ("activities", u("talent_activities", p)),
        ("activity new", u("talent_activity_create", p)),
        ("activity edit", u("talent_activity_edit", acts[2].pk)),
        ("activity", u("talent_activity", acts[0].pk)),
        ("feedback summary", u("talent_feedback_summary", c)),
        ("nominations", u("talent_nominations", p)),
        ("nominate", u("talent_nominate", p)),
        ("reviews", u("talent_reviews", p)),
        ("review new", u("talent_review_create", p)),
        ("review", u("talent_review", review.pk)),
        ("review mine", u("talent_review_mine", review.pk)),
        ("awards", u("talent_awards", p, query="year=2025")),
        ("awards print", u("talent_awards_print", p, query="year=2025")),
        ("award nominate", u("talent_award_nominate", p, query="year=2025")),
        ("award decide", u("talent_award_decide", p, query="year=2025&kind=writer")),
        ("research", u("talent_research", p)),
        ("project new", u("talent_research_project_create", p)),
        ("project edit", u("talent_research_project_edit", projects[0].pk)),
        ("project", u("talent_research_project", projects[0].pk)),
        ("project unscored", u("talent_research_project", projects[1].pk)),
        ("meeting new", u("talent_summary_meeting_create", p)),
        ("meeting", u("talent_summary_meeting", meeting.pk)),
        ("meeting print", u("talent_summary_meeting_print", meeting.pk)),
        ("excel", u("talent_excel", p)),
    ]
    cadre_pages = [
        ("home", u("talent_home")),
        ("pool", u("talent_pool", p)),
        ("dossier", u("talent_cadre", me.pk)),
        ("activities", u("talent_activities", p)),
        ("activity", u("talent_activity", acts[1].pk)),
        ("reviews", u("talent_reviews", p)),
        ("review", u("talent_review", midyear.pk)),
        ("review mine", u("talent_review_mine", midyear.pk)),
        ("awards", u("talent_awards", p, query="year=2025")),
        ("research", u("talent_research", p)),
        ("project", u("talent_research_project", projects[0].pk)),
    ]
    organisation_pages = [
        ("home", u("talent_home")),
        ("pool", u("talent_pool", p)),
        ("nominations", u("talent_nominations", p)),
        ("nominate", u("talent_nominate", p)),
        ("awards", u("talent_awards", p, query="year=2025")),
        ("award nominate", u("talent_award_nominate", p, query="year=2025")),
    ]
    site = Site(url="", users=users)
    for role in ("admin", "cadre", "organisation_a"):
        client = Client()
        client.force_login(users[role])
        site.cookies[role] = client.cookies["sessionid"].value
    site.pages = {"admin": admin_pages, "cadre": cadre_pages, "organisation_a": organisation_pages}
    return site


@pytest.fixture(scope="module")
def site(
    chromium: Any, django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """After `chromium`: once Playwright runs, the tests see Django's connections through another
    context, and the live server must share the very connection the tests' transactions use."""
    from pytest_django.live_server_helper import LiveServer

    media = tmp_path_factory.mktemp("talent-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media), ALLOWED_HOSTS=["localhost", "testserver"]),
    ):
        try:
            built = _build()
            server = LiveServer("localhost")
            try:
                built.url = server.url
                yield built
            finally:
                server.stop()
        finally:
            call_command("flush", verbosity=0, interactive=False)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        reason = "Chromium is not installed (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("GONGZHI_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)  # as tests/browser_support.py: CI sets GONGZHI_REQUIRE_BROWSER
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Tab:
    """One logged-in page per role, kept for the module, and what went wrong on it since the last look."""

    page: Any
    errors: list[str] = field(default_factory=list)


def _console(tab: Tab, msg: Any) -> None:
    # A failed load is reported with its address by _response (this message does not say which).
    if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
        tab.errors.append(f"console: {msg.text}")


def _response(tab: Tab, response: Any) -> None:
    # The site has no favicon (not the talent pages' business); anything else that fails counts.
    if response.status >= 400 and not response.url.endswith("/favicon.ico"):
        tab.errors.append(f"{response.status}: {response.url}")


@pytest.fixture(scope="module")
def tabs(site: Site, chromium: Any) -> Iterator[Callable[[str], Tab]]:
    contexts: list[Any] = []
    opened: dict[str, Tab] = {}

    def tab(role: str) -> Tab:
        if role not in opened:
            context = chromium.new_context(viewport=PHONE, locale="zh-CN")
            context.add_cookies([{"name": "sessionid", "value": site.cookies[role], "url": site.url}])
            contexts.append(context)
            page = context.new_page()
            t = Tab(page)
            page.on("pageerror", lambda exc: t.errors.append(f"pageerror: {exc}"))
            page.on("console", lambda msg: _console(t, msg))
            page.on("response", lambda response: _response(t, response))
            opened[role] = t
        return opened[role]

    yield tab
    for context in contexts:
        context.close()


def _visit(site: Site, tab: Tab, path: str, viewport: dict[str, int] = PHONE) -> Any:
    page = tab.page
    page.set_viewport_size(viewport)
    tab.errors.clear()
    response = page.goto(site.url + path, wait_until="load")
    assert response is not None, path
    assert response.status == 200, f"{path}: {response.status}"
    return page


def _charts(page: Any) -> list[dict[str, Any]]:
    charts: list[dict[str, Any]] = page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].filter(e => !e.hidden).map(e => ({
             id: e.id || e.dataset.source, height: e.getBoundingClientRect().height,
             width: e.getBoundingClientRect().width, canvas: !!e.querySelector('canvas')}))""",
        CHARTS,
    )
    return charts


def _check_page(site: Site, tab: Tab, path: str) -> Any:
    page = _visit(site, tab, path)
    assert_fits_the_phone(page)
    nested = page.evaluate(
        "() => [...document.querySelectorAll('label label, label fieldset')]"
        ".map(e => e.textContent.trim().slice(0, 40))"
    )
    assert nested == [], f"labels nested on {path}: {nested}"
    for chart in _charts(page):
        assert chart["height"] > 0, f"{path}: chart without a height: {chart}"
        assert chart["canvas"], f"{path}: chart not drawn: {chart}"
        assert chart["width"] <= PHONE["width"], f"{path}: chart wider than the phone: {chart}"
    assert tab.errors == [], f"{path}: {tab.errors}"
    return page


def _ids(pages: list[tuple[str, str]]) -> list[str]:
    return [name for name, _ in pages]


# The page names are fixed by _build; parametrising by name keeps the ids readable.
ADMIN = [
    "home", "pool", "pool settings", "category new", "category edit", "cycle new", "cycle edit", "organisation new",
    "cadre new", "cadre edit", "enter", "exit", "dossier", "add posting", "add honour", "add appraisal", "add skill",
    "add note", "courses", "course new", "course edit", "session new", "attendance", "results", "results marked",
    "graduation", "activities", "activity new", "activity edit", "activity", "feedback summary", "nominations",
    "nominate", "reviews", "review new", "review", "review mine", "awards", "awards print", "award nominate",
    "award decide", "research", "project new", "project edit", "project", "project unscored", "meeting new",
    "meeting", "meeting print", "excel",
]  # fmt: skip
CADRE = [
    "home", "pool", "dossier", "activities", "activity", "reviews", "review", "review mine", "awards", "research",
    "project",
]  # fmt: skip
ORGANISATION = ["home", "pool", "nominations", "nominate", "awards", "award nominate"]
# Where a chart must be drawn (for the administrator; the cadre's own dossier has its radar too).
CHART_PAGES = {"dossier": 1, "activity": 1, "feedback summary": 2, "review": 1}


def _path(site: Site, role: str, name: str) -> str:
    return dict(site.pages[role])[name]


def test_the_page_lists_are_complete(site: Site) -> None:
    assert _ids(site.pages["admin"]) == ADMIN
    assert _ids(site.pages["cadre"]) == CADRE
    assert _ids(site.pages["organisation_a"]) == ORGANISATION


@pytest.mark.parametrize("name", ADMIN)
def test_administrator_pages_fit_the_phone(site: Site, tabs: Callable[[str], Tab], name: str) -> None:
    page = _check_page(site, tabs("admin"), _path(site, "admin", name))
    if name in CHART_PAGES:
        assert len(_charts(page)) == CHART_PAGES[name], _charts(page)


@pytest.mark.parametrize("name", CADRE)
def test_cadre_pages_fit_the_phone(site: Site, tabs: Callable[[str], Tab], name: str) -> None:
    page = _check_page(site, tabs("cadre"), _path(site, "cadre", name))
    if name == "dossier":
        assert len(_charts(page)) == 1  # their own radar


@pytest.mark.parametrize("name", ORGANISATION)
def test_organisation_member_pages_fit_the_phone(site: Site, tabs: Callable[[str], Tab], name: str) -> None:
    _check_page(site, tabs("organisation_a"), _path(site, "organisation_a", name))


@pytest.mark.parametrize("name", list(CHART_PAGES))
def test_charts_fill_a_wide_screen(site: Site, tabs: Callable[[str], Tab], name: str) -> None:
    tab = tabs("admin")
    page = _visit(site, tab, _path(site, "admin", name), DESKTOP)
    try:
        charts = _charts(page)
        assert len(charts) == CHART_PAGES[name]
        for chart in charts:
            assert chart["height"] > 0, chart
            assert chart["canvas"], chart
            assert chart["width"] > PHONE["width"], f"the chart does not use the width: {chart}"
        assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
        assert tab.errors == []
    finally:
        page.set_viewport_size(PHONE)


def test_activity_form_participants_are_a_fieldset(site: Site, tabs: Callable[[str], Tab]) -> None:
    """The participants' checkboxes are a group of their own, named by a legend, not inside a label."""
    page = _visit(site, tabs("admin"), _path(site, "admin", "activity new"))
    legend = page.locator("fieldset:has(input[name=participants]) > legend")
    assert legend.inner_text().strip() == "参加人员"
    assert page.locator("input[name=participants]").count() == 30  # every member of the cycle
    assert page.locator("label input[name=participants]").count() == 30  # each box has its own label
