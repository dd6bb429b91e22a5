"""Research projects and the summary meeting (issue 7, item 5): services at every boundary (one
leader, members from the pool, title unique in the cycle, milestone dates, report type and size,
score 0–100 with two decimals, agenda positions, holding not before the start), who sees which
project, the permission table of every page and POST, and flat query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.talent.models import (
    CadreStatus,
    Cycle,
    Milestone,
    ProjectStatus,
    ResearchMember,
    ResearchProject,
    ResearchRole,
    SummaryItem,
    SummaryMeeting,
)
from gongzhi.talent.research import services as r
from tests import factories as f
from tests.talent_support import TalentWorld, make_cadre

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
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


def pdf(name: str = "r.pdf", body: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


class RW:
    """P1: 张晓明 (the cadre, organisation A) leads, 王可 (organisation B) is a member. P2: 王可 alone leads."""

    def __init__(self, tw: TalentWorld) -> None:
        self.tw = tw
        self.admin = tw.users["admin"]
        self.p1 = r.project_save(
            actor=self.admin,
            cycle=tw.cycle,
            title="基层治理数字化调研",
            members=[tw.cadres["self"], tw.cadres["other"]],
            leader=tw.cadres["self"],
            mentor="陈教授",
        )
        self.p2 = r.project_save(
            actor=self.admin,
            cycle=tw.cycle,
            title="营商环境优化研究",
            members=[tw.cadres["other"]],
            leader=tw.cadres["other"],
        )


@pytest.fixture
def rw(talent_world: TalentWorld) -> RW:
    return RW(talent_world)


def client_for(tw: TalentWorld, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(tw.users[role])
    return client


# --- projects ---------------------------------------------------------------------------------------


def test_project_has_exactly_one_leader_from_its_members(rw: RW) -> None:
    tw = rw.tw
    roles = dict(ResearchMember.objects.filter(project=rw.p1).values_list("cadre_id", "role"))
    assert roles == {tw.cadres["self"].pk: ResearchRole.LEADER, tw.cadres["other"].pk: ResearchRole.MEMBER}
    with pytest.raises(DomainError, match="须从课题组成员中选定一名组长") as exc:
        r.project_save(actor=rw.admin, cycle=tw.cycle, title="新课题", members=[tw.cadres["self"]], leader=None)
    assert exc.value.code == "leader_required"
    with pytest.raises(DomainError, match="须从课题组成员中选定一名组长"):
        r.project_save(
            actor=rw.admin, cycle=tw.cycle, title="新课题", members=[tw.cadres["self"]], leader=tw.cadres["other"]
        )
    with pytest.raises(DomainError, match="请至少选择一名成员"):
        r.project_save(actor=rw.admin, cycle=tw.cycle, title="新课题", members=[], leader=tw.cadres["self"])
    assert ResearchProject.objects.count() == 2


def test_members_must_be_current_members_of_the_pool(rw: RW) -> None:
    tw = rw.tw
    for key in ("nominee", "foreign"):  # a candidate; a member of another pool
        with pytest.raises(DomainError, match="课题组成员须为本库在库干部") as exc:
            r.project_save(
                actor=rw.admin, cycle=tw.cycle, title="新课题", members=[tw.cadres[key]], leader=tw.cadres[key]
            )
        assert tw.cadres[key].name in exc.value.message
    exited = make_cadre(tw.pool, tw.organisations["a"], "钱出库", member=True)
    exited.memberships.update(exited_on=dt.date(2025, 6, 1), exit_reason="调离")
    exited.status = CadreStatus.EXITED
    exited.save()
    with pytest.raises(DomainError, match="在库干部"):
        r.project_save(actor=rw.admin, cycle=tw.cycle, title="新课题", members=[exited], leader=exited)
    assert ResearchProject.objects.count() == 2


def test_title_unique_in_cycle_but_not_across_cycles_and_cadre_in_several(rw: RW) -> None:
    tw = rw.tw
    with pytest.raises(DomainError, match="本届已有同名课题") as exc:
        r.project_save(
            actor=rw.admin,
            cycle=tw.cycle,
            title=" 基层治理数字化调研 ",
            members=[tw.cadres["self"]],
            leader=tw.cadres["self"],
        )
    assert exc.value.code == "title_taken"
    later = Cycle.objects.create(
        pool=tw.pool, name="2027—2028 届", start=dt.date(2027, 1, 1), end=dt.date(2028, 12, 31)
    )
    again = r.project_save(
        actor=rw.admin, cycle=later, title="基层治理数字化调研", members=[tw.cadres["self"]], leader=tw.cadres["self"]
    )
    assert again.pk != rw.p1.pk
    assert ResearchMember.objects.filter(cadre=tw.cadres["other"]).count() == 2  # in P1 and P2


def test_edit_keeps_its_own_title_and_replaces_members_audited(rw: RW) -> None:
    tw = rw.tw
    r.project_save(
        actor=rw.admin,
        cycle=tw.cycle,
        project=rw.p1,
        title="基层治理数字化调研",
        members=[tw.cadres["other"]],
        leader=tw.cadres["other"],
    )
    assert list(rw.p1.members.values_list("cadre_id", "role")) == [(tw.cadres["other"].pk, ResearchRole.LEADER)]
    entry = AuditEntry.objects.filter(action="research_project_update").get()
    assert entry.before is not None
    assert len(entry.before["members"]) == 2


@pytest.mark.parametrize("role", ["cadre", "organisation_a", "other_admin", "outsider"])
def test_only_administrators_create_projects(rw: RW, role: str) -> None:
    tw = rw.tw
    with pytest.raises(AccessDeniedError):
        r.project_save(
            actor=tw.users[role], cycle=tw.cycle, title="x", members=[tw.cadres["self"]], leader=tw.cadres["self"]
        )


# --- milestones -------------------------------------------------------------------------------------


def test_milestone_due_within_cycle_boundaries(rw: RW) -> None:
    cycle = rw.tw.cycle
    assert r.milestone_add(actor=rw.admin, project=rw.p1, title="开题", due_on=cycle.start).due_on == cycle.start
    assert r.milestone_add(actor=rw.admin, project=rw.p1, title="结题", due_on=cycle.end).due_on == cycle.end
    for day in (cycle.start - dt.timedelta(days=1), cycle.end + dt.timedelta(days=1)):
        with pytest.raises(DomainError, match="计划完成日期须在本届起止日期"):
            r.milestone_add(actor=rw.admin, project=rw.p1, title="越界", due_on=day)
    with pytest.raises(DomainError, match="请填写节点名称"):
        r.milestone_add(actor=rw.admin, project=rw.p1, title=" ", due_on=cycle.start)
    assert Milestone.objects.count() == 2


def test_milestone_by_leader_not_by_plain_member(rw: RW) -> None:
    tw = rw.tw
    r.milestone_add(actor=tw.users["cadre"], project=rw.p1, title="调研", due_on=dt.date(2025, 6, 1))
    member_user = f.UserFactory(username="wangke")
    tw.cadres["other"].user = member_user
    tw.cadres["other"].save()
    with pytest.raises(AccessDeniedError):
        r.milestone_add(actor=member_user, project=rw.p1, title="调研2", due_on=dt.date(2025, 6, 1))


def test_milestone_done_not_in_future_and_overdue(rw: RW) -> None:
    m = r.milestone_add(actor=rw.admin, project=rw.p1, title="中期", due_on=dt.date(2025, 6, 30))
    today = dt.date(2025, 7, 1)
    assert not r.is_overdue(m, dt.date(2025, 6, 30))  # due today: not yet overdue
    assert r.is_overdue(m, today)
    with pytest.raises(DomainError, match="不能晚于今天"):
        r.milestone_done(actor=rw.admin, milestone=m, done_on=today + dt.timedelta(days=1), today=today)
    m.refresh_from_db()
    assert m.done_on is None
    done = r.milestone_done(actor=rw.admin, milestone=m, done_on=today, today=today)
    assert done.done_on == today
    assert not r.is_overdue(done, today + dt.timedelta(days=30))


def test_project_rows_count_milestones_and_overdue(rw: RW) -> None:
    for i, due in enumerate((dt.date(2025, 2, 1), dt.date(2025, 3, 1), dt.date(2026, 3, 1))):
        m = r.milestone_add(actor=rw.admin, project=rw.p1, title=f"节点{i}", due_on=due)
        if i == 0:
            r.milestone_done(actor=rw.admin, milestone=m, done_on=dt.date(2025, 2, 1), today=dt.date(2025, 2, 1))
    rows = {row.project.pk: row for row in r.project_rows(ResearchProject.objects.all(), dt.date(2025, 6, 1))}
    row = rows[rw.p1.pk]
    assert (row.leader, row.members, row.done, row.total, row.overdue) == ("张晓明", 2, 1, 3, 1)
    assert (rows[rw.p2.pk].total, rows[rw.p2.pk].overdue, rows[rw.p2.pk].leader) == (0, 0, "王可")


# --- report and score -----------------------------------------------------------------------------


def test_report_upload_pdf_only_size_and_replace(rw: RW, media: Any) -> None:
    tw = rw.tw
    with pytest.raises(DomainError, match="研究报告：只接受 PDF 文件") as exc:
        r.report_upload(
            actor=tw.users["cadre"], project=rw.p1, upload=SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\nxx")
        )
    assert exc.value.code == "report_type"
    with pytest.raises(DomainError, match="只接受 PDF"):
        r.report_upload(actor=tw.users["cadre"], project=rw.p1, upload=SimpleUploadedFile("a.pdf", b"hello world"))
    exact = PDF + b"0" * (r.REPORT_MAX_BYTES - len(PDF))
    project = r.report_upload(actor=tw.users["cadre"], project=rw.p1, upload=pdf(body=exact))  # exactly 20 MB
    assert project.status == ProjectStatus.REPORTED
    first_hash, first_name = project.report_sha256, project.report.name
    with pytest.raises(DomainError, match="不能超过 20 MB"):
        r.report_upload(actor=tw.users["cadre"], project=rw.p1, upload=pdf(body=exact + b"0"))
    project = r.report_upload(actor=rw.admin, project=rw.p1, upload=pdf())
    assert project.report_sha256 != first_hash
    assert len(project.report_sha256) == 64
    stored = [p for p in media.rglob("*") if p.is_file()]
    assert len(stored) == 1  # only the latest is kept
    assert stored[0].read_bytes() == PDF
    assert first_name
    entry = AuditEntry.objects.filter(action="research_report_upload").order_by("-id").first()
    assert entry is not None
    assert entry.before == {"sha256": first_hash}


def test_report_upload_by_members_only(rw: RW, media: Any) -> None:
    tw = rw.tw
    for role in ("organisation_a", "instructor", "other_admin"):
        with pytest.raises(AccessDeniedError):
            r.report_upload(actor=tw.users[role], project=rw.p1, upload=pdf())
    with pytest.raises(AccessDeniedError):  # the cadre is not in P2
        r.report_upload(actor=tw.users["cadre"], project=rw.p2, upload=pdf())
    assert not ResearchProject.objects.exclude(report="").exists()


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("0", True),
        ("100", True),
        ("99.99", True),
        ("100.01", False),
        ("-0.01", False),
        ("85.555", False),
        ("abc", False),
        ("NaN", False),
    ],
)
def test_score_boundaries(rw: RW, media: Any, value: str, ok: bool) -> None:
    r.report_upload(actor=rw.admin, project=rw.p1, upload=pdf())
    if ok:
        project = r.project_score(actor=rw.admin, project=rw.p1, score=value, comment="好")
        assert project.score == Decimal(value)
        assert project.status == ProjectStatus.SCORED
    else:
        with pytest.raises(DomainError, match="评分"):
            r.project_score(actor=rw.admin, project=rw.p1, score=value)
        rw.p1.refresh_from_db()
        assert rw.p1.score is None


def test_score_only_after_report_and_rescore_audited(rw: RW, media: Any) -> None:
    with pytest.raises(DomainError, match="尚未提交研究报告") as exc:
        r.project_score(actor=rw.admin, project=rw.p1, score="80")
    assert exc.value.code == "no_report"
    r.report_upload(actor=rw.admin, project=rw.p1, upload=pdf())
    with pytest.raises(AccessDeniedError):
        r.project_score(actor=rw.tw.users["cadre"], project=rw.p1, score="99")
    r.project_score(actor=rw.admin, project=rw.p1, score="80", comment="初评")
    r.project_score(actor=rw.admin, project=rw.p1, score="88.50", comment="复评")
    entry = AuditEntry.objects.get(action="research_project_rescore")
    assert entry.before == {"score": "80.00", "comment": "初评"}
    assert entry.after == {"score": "88.50", "comment": "复评"}
    with pytest.raises(DomainError, match="已评分"):
        r.report_upload(actor=rw.admin, project=rw.p1, upload=pdf())


# --- visibility -----------------------------------------------------------------------------------


def test_who_sees_which_project(rw: RW) -> None:
    tw = rw.tw
    mentor = f.UserFactory(username="mentor")
    rw.p2.mentor_user = mentor
    rw.p2.save()

    def seen(user: Any) -> tuple[set[str], list[str]]:
        projects, others = r.visible_in_cycle(user, tw.cycle)
        return {p.title for p in projects}, others

    both = {rw.p1.title, rw.p2.title}
    assert seen(rw.admin) == (both, [])
    assert seen(tw.users["superuser"]) == (both, [])
    assert seen(tw.users["cadre"]) == ({rw.p1.title}, [rw.p2.title])
    assert seen(tw.users["organisation_a"]) == ({rw.p1.title}, [])
    assert seen(tw.users["organisation_b"]) == (both, [])
    assert seen(mentor) == ({rw.p2.title}, [])
    assert seen(tw.users["instructor"]) == (set(), [])
    assert set(r.research_pools(mentor)) == {tw.pool}
    assert not r.research_pools(tw.users["outsider"]).exists()


# --- summary meeting ------------------------------------------------------------------------------


def _meeting(rw: RW, media: Any, starts: dt.datetime | None = None) -> SummaryMeeting:
    r.report_upload(actor=rw.admin, project=rw.p1, upload=pdf())
    r.report_upload(actor=rw.admin, project=rw.p2, upload=pdf())
    r.project_save(
        actor=rw.admin,
        cycle=rw.tw.cycle,
        title="无报告课题",
        members=[rw.tw.cadres["self"]],
        leader=rw.tw.cadres["self"],
    )
    return r.summary_meeting_create(
        actor=rw.admin,
        cycle=rw.tw.cycle,
        title="2025—2026 届课题成果汇报会",
        starts_at=starts or timezone.now() + dt.timedelta(days=1),
        venue="市委党校报告厅",
    )


def test_meeting_agenda_defaults(rw: RW, media: Any) -> None:
    meeting = _meeting(rw, media)
    items = list(
        meeting.agenda.order_by("position").values_list("position", "project__title", "presenter", "duration_minutes")
    )
    assert items == [(1, "基层治理数字化调研", "张晓明", 10), (2, "营商环境优化研究", "王可", 10)]


def test_agenda_positions_one_to_n(rw: RW, media: Any) -> None:
    meeting = _meeting(rw, media)
    p1, p2 = rw.p1.pk, rw.p2.pk
    r.summary_agenda_set(
        actor=rw.admin, meeting=meeting, entries=[r.AgendaEntry(p1, 2, "", 15), r.AgendaEntry(p2, 1, "李副组长", 8)]
    )
    items = list(meeting.agenda.order_by("position").values_list("project_id", "presenter", "duration_minutes"))
    assert items == [(p2, "李副组长", 8), (p1, "张晓明", 15)]
    bad = [
        ([r.AgendaEntry(p1, 1), r.AgendaEntry(p2, 1)], "序号须为 1 到 2"),
        ([r.AgendaEntry(p1, 1), r.AgendaEntry(p2, 3)], "序号须为 1 到 2"),
        ([r.AgendaEntry(p1, 0), r.AgendaEntry(p2, 1)], "序号须为 1 到 2"),
        ([r.AgendaEntry(p1, 1)], "各安排一项"),
        ([r.AgendaEntry(p1, 1), r.AgendaEntry(p2, 2, "", 0)], "时长须为 1 到 600 分钟"),
    ]
    for entries, message in bad:
        with pytest.raises(DomainError, match=message):
            r.summary_agenda_set(actor=rw.admin, meeting=meeting, entries=entries)
    assert list(meeting.agenda.order_by("position").values_list("project_id", flat=True)) == [p2, p1]


def test_meeting_held_not_before_start(rw: RW, media: Any) -> None:
    starts = timezone.now() + dt.timedelta(hours=2)
    meeting = _meeting(rw, media, starts)
    with pytest.raises(DomainError, match="会议尚未开始"):
        r.summary_meeting_record(
            actor=rw.admin, meeting=meeting, minutes="纪要", held=True, now=starts - dt.timedelta(seconds=1)
        )
    meeting.refresh_from_db()
    assert not meeting.held
    assert meeting.minutes == ""
    r.summary_meeting_record(
        actor=rw.admin, meeting=meeting, minutes="草稿", held=False, now=starts - dt.timedelta(hours=1)
    )
    held = r.summary_meeting_record(actor=rw.admin, meeting=meeting, minutes="各组汇报完毕", held=True, now=starts)
    assert held.held
    assert held.minutes == "各组汇报完毕"
    with pytest.raises(DomainError, match="议程不能再修改"):
        r.summary_agenda_set(
            actor=rw.admin, meeting=meeting, entries=[r.AgendaEntry(rw.p1.pk, 1), r.AgendaEntry(rw.p2.pk, 2)]
        )
    with pytest.raises(AccessDeniedError):
        r.summary_meeting_record(actor=rw.tw.users["cadre"], meeting=meeting, minutes="x", held=True)


# --- pages ----------------------------------------------------------------------------------------

# expected status per role, in ROLES order
_READ = [200, 404, 200, 200, 200, 404, 404, 302, 200]
_ADMIN_GET = [200, 404, 403, 403, 403, 404, 404, 302, 200]
_ADMIN_POST = [302, 404, 403, 403, 403, 404, 404, 302, 302]
_LEADER_POST = [302, 404, 302, 403, 403, 404, 404, 302, 302]


def _page_cases() -> list[tuple[str, list[int]]]:
    return [
        ("research", _READ),
        ("project_create_get", _ADMIN_GET),
        ("project_create_post", _ADMIN_POST),
        ("project", _READ),
        ("project_edit_get", _ADMIN_GET),
        ("milestone_add", _LEADER_POST),
        ("milestone_done", _LEADER_POST),
        ("report_upload", _LEADER_POST),
        ("report_download", _READ),
        ("score", _ADMIN_POST),
        ("meeting_create_get", _ADMIN_GET),
        ("meeting_create_post", _ADMIN_POST),
        ("meeting", _READ),
        ("meeting_print", _READ),
        ("meeting_agenda", _ADMIN_POST),
        ("meeting_record", _ADMIN_POST),
    ]


def _request(rw: RW, client: Client, page: str) -> Any:
    tw, p1 = rw.tw, rw.p1
    pool = tw.pool.pk
    if page == "research":
        return client.get(reverse("talent_research", args=[pool]))
    if page == "project_create_get":
        return client.get(reverse("talent_research_project_create", args=[pool]))
    if page == "project_create_post":
        data = {"title": "新课题", "members": [tw.cadres["self"].pk], "leader": tw.cadres["self"].pk}
        return client.post(reverse("talent_research_project_create", args=[pool]), data)
    if page == "project":
        return client.get(reverse("talent_research_project", args=[p1.pk]))
    if page == "project_edit_get":
        return client.get(reverse("talent_research_project_edit", args=[p1.pk]))
    if page == "milestone_add":
        return client.post(
            reverse("talent_research_milestone_add", args=[p1.pk]), {"title": "开题", "due_on": "2025-03-01"}
        )
    if page == "milestone_done":
        m = Milestone.objects.create(project=p1, title="开题", due_on=dt.date(2025, 3, 1))
        return client.post(reverse("talent_research_milestone_done", args=[m.pk]), {"done_on": "2025-03-01"})
    if page == "report_upload":
        return client.post(reverse("talent_research_report_upload", args=[p1.pk]), {"report": pdf()})
    if page == "report_download":
        r.report_upload(actor=rw.admin, project=p1, upload=pdf())
        return client.get(reverse("talent_research_report", args=[p1.pk]))
    if page == "score":
        r.report_upload(actor=rw.admin, project=p1, upload=pdf())
        return client.post(reverse("talent_research_score", args=[p1.pk]), {"score": "90"})
    if page == "meeting_create_get":
        return client.get(reverse("talent_summary_meeting_create", args=[pool]))
    if page == "meeting_create_post":
        data = {"title": "汇报会", "starts_at": "2026-11-01T09:00", "venue": "党校"}
        return client.post(reverse("talent_summary_meeting_create", args=[pool]), data)
    r.report_upload(actor=rw.admin, project=p1, upload=pdf())
    meeting = r.summary_meeting_create(
        actor=rw.admin, cycle=tw.cycle, title="汇报会", starts_at=timezone.now() - dt.timedelta(hours=1), venue="党校"
    )
    if page == "meeting":
        return client.get(reverse("talent_summary_meeting", args=[meeting.pk]))
    if page == "meeting_print":
        return client.get(reverse("talent_summary_meeting_print", args=[meeting.pk]))
    if page == "meeting_agenda":
        data = {"project": [p1.pk], f"position_{p1.pk}": "1", f"presenter_{p1.pk}": "", f"minutes_{p1.pk}": "12"}
        return client.post(reverse("talent_summary_meeting_agenda", args=[meeting.pk]), data)
    assert page == "meeting_record"
    return client.post(reverse("talent_summary_meeting_record", args=[meeting.pk]), {"minutes": "纪要", "held": "on"})


@pytest.mark.parametrize(
    ("page", "role", "expected"),
    [(page, role, codes[i]) for page, codes in _page_cases() for i, role in enumerate(ROLES)],
)
def test_permission_table(rw: RW, media: Any, page: str, role: str, expected: int) -> None:
    response = _request(rw, client_for(rw.tw, role), page)
    assert response.status_code == expected, response.content.decode()[:500]
    if expected == 302 and role == "anonymous":
        assert "/login" in response["Location"] or "login" in response["Location"]


def test_cadre_sees_own_project_and_other_titles_on_page(rw: RW) -> None:
    body = client_for(rw.tw, "cadre").get(reverse("talent_research", args=[rw.tw.pool.pk])).content.decode()
    assert reverse("talent_research_project", args=[rw.p1.pk]) in body
    assert reverse("talent_research_project", args=[rw.p2.pk]) not in body
    assert "营商环境优化研究" in body  # the title only
    assert client_for(rw.tw, "cadre").get(reverse("talent_research_project", args=[rw.p2.pk])).status_code == 404
    assert (
        client_for(rw.tw, "organisation_a").get(reverse("talent_research_project", args=[rw.p2.pk])).status_code == 404
    )


def test_mentor_sees_their_project(rw: RW) -> None:
    mentor = f.UserFactory(username="mentor")
    rw.p2.mentor_user = mentor
    rw.p2.save()
    client = Client()
    client.force_login(mentor)
    body = client.get(reverse("talent_research", args=[rw.tw.pool.pk])).content.decode()
    assert "营商环境优化研究" in body
    assert "基层治理数字化调研" not in body
    assert client.get(reverse("talent_research_project", args=[rw.p2.pk])).status_code == 200
    assert client.get(reverse("talent_research_project", args=[rw.p1.pk])).status_code == 404


def test_forms_show_errors_at_the_field(rw: RW, media: Any) -> None:
    client = client_for(rw.tw, "admin")
    tw = rw.tw
    dup = client.post(
        reverse("talent_research_project_create", args=[tw.pool.pk]),
        {"title": "基层治理数字化调研", "members": [tw.cadres["self"].pk], "leader": tw.cadres["self"].pk},
    )
    assert dup.status_code == 400
    assert "本届已有同名课题" in dup.content.decode()
    wrong = client.post(
        reverse("talent_research_report_upload", args=[rw.p1.pk]), {"report": SimpleUploadedFile("a.txt", b"hello")}
    )
    assert wrong.status_code == 400
    assert "研究报告：只接受 PDF 文件" in wrong.content.decode()
    r.report_upload(actor=rw.admin, project=rw.p1, upload=pdf())
    high = client.post(reverse("talent_research_score", args=[rw.p1.pk]), {"score": "100.01"})
    assert high.status_code == 400
    assert "评分须为 0 到 100 之间的数字" in high.content.decode()
    late = client.post(
        reverse("talent_research_milestone_add", args=[rw.p1.pk]), {"title": "x", "due_on": "2027-01-01"}
    )
    assert late.status_code == 400
    assert "计划完成日期须在本届起止日期" in late.content.decode()


def test_download_serves_the_pdf(rw: RW, media: Any) -> None:
    r.report_upload(actor=rw.admin, project=rw.p1, upload=pdf())
    response = client_for(rw.tw, "organisation_b").get(reverse("talent_research_report", args=[rw.p1.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert client_for(rw.tw, "admin").get(reverse("talent_research_report", args=[rw.p2.pk])).status_code == 404


def test_agenda_print_page(rw: RW, media: Any) -> None:
    meeting = _meeting(rw, media)
    body = client_for(rw.tw, "cadre").get(reverse("talent_summary_meeting_print", args=[meeting.pk])).content.decode()
    assert "size:A4" in body
    assert body.index("基层治理数字化调研") < body.index("营商环境优化研究")
    assert "市委党校报告厅" in body
    assert "无报告课题" not in body


def _projects(tw: TalentWorld, n: int) -> None:
    admin = tw.users["admin"]
    for i in range(n):
        p = r.project_save(
            actor=admin,
            cycle=tw.cycle,
            title=f"课题{i:03d}",
            members=[tw.cadres["self"], tw.cadres["other"]],
            leader=tw.cadres["self"],
        )
        Milestone.objects.create(project=p, title="开题", due_on=dt.date(2025, 2, 1))
    SummaryMeeting.objects.create(cycle=tw.cycle, title="汇报会", starts_at=timezone.now(), venue="党校")


@pytest.mark.parametrize("role", ["admin", "cadre", "organisation_b"])
def test_research_page_queries_flat(talent_world: TalentWorld, django_assert_max_num_queries: Any, role: str) -> None:
    tw = talent_world
    client = client_for(tw, role)
    url = reverse("talent_research", args=[tw.pool.pk])
    _projects(tw, 3)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
    for i in range(27):
        p = r.project_save(
            actor=tw.users["admin"],
            cycle=tw.cycle,
            title=f"更多{i:03d}",
            members=[tw.cadres["other"]],
            leader=tw.cadres["other"],
        )
        Milestone.objects.create(project=p, title="开题", due_on=dt.date(2025, 2, 1))
    with django_assert_max_num_queries(16):
        body = client.get(url).content.decode()
    assert "更多026" in body  # a cadre sees it as a title of the others


def test_agenda_page_post_error(rw: RW, media: Any) -> None:
    meeting = _meeting(rw, media)
    data = {"project": [rw.p1.pk, rw.p2.pk], f"position_{rw.p1.pk}": "1", f"position_{rw.p2.pk}": "1"}
    response = client_for(rw.tw, "admin").post(reverse("talent_summary_meeting_agenda", args=[meeting.pk]), data)
    assert response.status_code == 400
    assert "序号须为 1 到 2" in response.content.decode()
    assert SummaryItem.objects.filter(meeting=meeting).count() == 2
