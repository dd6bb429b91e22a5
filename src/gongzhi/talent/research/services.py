"""Research projects (课题研究) and the round's summary meeting (成果汇报会), issue 7 item 5:
who sees which project, and the writes (projects with members and exactly one leader, milestones,
the report, the score, the meeting's agenda, minutes and holding).

Visibility: a pool's administrators see every project; a cadre the projects they are in (and only
the titles of the others); an organisation's members the projects with one of their organisation's cadres; a
mentor with a login (mentor_user) their own projects. Dossier-like data (scores, reports) stays
on a need-to-know basis (Personal Information Protection Law Art. 28).

Services follow DESIGN.md convention 1: keyword-only, permission first, Chinese DomainError naming
the field, write, audit last, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.files import sniff_upload, upload_sha256
from gongzhi.places.access import require
from gongzhi.talent.access import TalentAction, access_pools, administers, organisation_ids, signed_in
from gongzhi.talent.access import authenticated as _authenticated
from gongzhi.talent.models import (
    Cadre,
    CadreStatus,
    Cycle,
    Milestone,
    ProjectStatus,
    ResearchMember,
    ResearchProject,
    ResearchRole,
    SummaryItem,
    SummaryMeeting,
    TalentPool,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

REPORT_MAX_BYTES = 20 * 1024 * 1024
SCORE_MIN, SCORE_MAX = Decimal("0"), Decimal("100")
CENT = Decimal("0.01")
DEFAULT_MINUTES = 10


# --- reading ------------------------------------------------------------------------------------


def project_scope(user: Actor) -> Q:
    """The projects a user who is not an administrator of their pool may see."""
    q = Q(members__cadre__user_id=user.pk) | Q(mentor_user_id=user.pk)
    organisations = organisation_ids(user)
    if organisations:
        q |= Q(members__cadre__organisation_id__in=organisations)
    return q


def access_projects(user: Actor) -> QuerySet[ResearchProject]:
    """Every project the user may see, across pools."""
    qs = ResearchProject.objects.all()
    if not _authenticated(user):
        return qs.none()
    if getattr(user, "is_superuser", False):
        return qs
    from gongzhi.talent.access import administered_pool_ids

    q = Q(cycle__pool_id__in=administered_pool_ids(user)) | project_scope(user)
    return qs.filter(pk__in=ResearchProject.objects.filter(q).values("pk"))


def research_pools(user: Actor) -> QuerySet[TalentPool]:
    """Pools whose research page the user may open: access_pools plus mentors' pools."""
    if not _authenticated(user):
        return TalentPool.objects.none()
    mentored = ResearchProject.objects.filter(mentor_user_id=user.pk).values("cycle__pool_id")
    return TalentPool.objects.filter(Q(pk__in=access_pools(user).values("pk")) | Q(pk__in=mentored))


def may_see_project(user: Actor, project: ResearchProject) -> bool:
    return access_projects(user).filter(pk=project.pk).exists()


def is_member(user: Actor, project: ResearchProject) -> bool:
    person = signed_in(user)
    return person is not None and project.members.filter(cadre__user_id=person.pk).exists()


def is_leader(user: Actor, project: ResearchProject) -> bool:
    person = signed_in(user)
    return person is not None and project.members.filter(cadre__user_id=person.pk, role=ResearchRole.LEADER).exists()


def is_overdue(milestone: Milestone, today: dt.date) -> bool:
    """Due date passed (strictly before today) and not done."""
    return milestone.done_on is None and milestone.due_on < today


@dataclass
class ProjectRow:
    project: ResearchProject
    leader: str
    members: int
    done: int
    total: int
    overdue: int


def project_rows(projects: QuerySet[ResearchProject], today: dt.date) -> list[ProjectRow]:
    """The research page's rows in a fixed number of queries, whatever the number of projects."""
    qs = projects.annotate(
        n_members=Count("members", distinct=True),
        n_total=Count("milestones", distinct=True),
        n_done=Count("milestones", filter=Q(milestones__done_on__isnull=False), distinct=True),
        n_overdue=Count(
            "milestones", filter=Q(milestones__done_on__isnull=True, milestones__due_on__lt=today), distinct=True
        ),
    ).order_by("title")
    items = list(qs)
    leaders = dict(
        ResearchMember.objects.filter(project__in=[p.pk for p in items], role=ResearchRole.LEADER).values_list(
            "project_id", "cadre__name"
        )
    )
    return [
        ProjectRow(
            project=p,
            leader=leaders.get(p.pk, ""),
            members=p.n_members,
            done=p.n_done,
            total=p.n_total,
            overdue=p.n_overdue,
        )
        for p in items
    ]


def visible_in_cycle(user: Actor, cycle: Cycle) -> tuple[QuerySet[ResearchProject], list[str]]:
    """(the projects of the cycle the user sees in full, the titles of the others a cadre of the
    pool may know of)."""
    all_projects = ResearchProject.objects.filter(cycle=cycle)
    if administers(user, cycle.pool_id):
        return all_projects, []
    seen = all_projects.filter(pk__in=ResearchProject.objects.filter(project_scope(user)).values("pk"))
    others: list[str] = []
    person = signed_in(user)
    if person is not None and Cadre.objects.filter(pool_id=cycle.pool_id, user_id=person.pk).exists():
        others = list(all_projects.exclude(pk__in=seen.values("pk")).order_by("title").values_list("title", flat=True))
    return seen, others


# --- writes ------------------------------------------------------------------------------------


def current_members(pool: TalentPool | int) -> QuerySet[Cadre]:
    """The pool's current members (在库, with an open stay)."""
    pool_id = pool.pk if isinstance(pool, TalentPool) else pool
    return Cadre.objects.filter(pool_id=pool_id, status=CadreStatus.MEMBER, memberships__exited_on__isnull=True)


@transaction.atomic
def project_save(
    *,
    actor: Actor,
    cycle: Cycle,
    title: str,
    members: Sequence[Cadre],
    leader: Cadre | None,
    topic: str = "",
    mentor: str = "",
    mentor_user: User | None = None,
    project: ResearchProject | None = None,
) -> ResearchProject:
    """Create a project (project None) or edit one. Members come from the pool's current members;
    exactly one of them is the leader. A cadre may be in several projects."""
    require(actor, TalentAction.ADMINISTER, cycle.pool_id)
    if project is not None and not ResearchProject.objects.filter(pk=project.pk, cycle=cycle).exists():
        # An administrator of this cycle's pool must not edit (and re-staff) a project of another round or pool.
        raise DomainError(_("课题不属于所选届次。"), code="bad_cycle")
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写课题名称。"), code="title_required")
    if len(title) > 255:
        raise DomainError(_("课题名称最多 255 个字符。"), code="title_required")
    clash = ResearchProject.objects.filter(cycle=cycle, title=title)
    if project is not None:
        clash = clash.exclude(pk=project.pk)
    if clash.exists():
        raise DomainError(_("本届已有同名课题：“%(title)s”。") % {"title": title}, code="title_taken")
    member_ids = list(dict.fromkeys(c.pk for c in members))
    if not member_ids:
        raise DomainError(_("课题组成员：请至少选择一名成员。"), code="members_required")
    eligible = set(current_members(cycle.pool_id).filter(pk__in=member_ids).values_list("pk", flat=True))
    outside = [c.name for c in members if c.pk not in eligible]
    if outside:
        raise DomainError(
            _("课题组成员须为本库在库干部：%(names)s。") % {"names": "、".join(outside)}, code="members_outside"
        )
    if leader is None or leader.pk not in member_ids:
        raise DomainError(_("组长：须从课题组成员中选定一名组长。"), code="leader_required")
    mentor = (mentor or "").strip()
    before: dict[str, Any] | None = None
    if project is None:
        project = ResearchProject.objects.create(
            cycle=cycle, title=title, topic=(topic or "").strip(), mentor=mentor, mentor_user=mentor_user
        )
        action = "research_project_create"
    else:
        project = ResearchProject.objects.select_for_update(of=("self",)).get(pk=project.pk)
        old = list(project.members.order_by("cadre_id").values_list("cadre_id", "role"))
        before = {"title": project.title, "mentor": project.mentor, "members": old}
        project.title, project.topic, project.mentor, project.mentor_user = title, topic.strip(), mentor, mentor_user
        project.save(update_fields=["title", "topic", "mentor", "mentor_user"])
        project.members.all().delete()
        action = "research_project_update"
    ResearchMember.objects.bulk_create(
        ResearchMember(
            project=project, cadre_id=cid, role=ResearchRole.LEADER if cid == leader.pk else ResearchRole.MEMBER
        )
        for cid in member_ids
    )
    audit_record(
        actor=actor,
        action=action,
        object_type="talent.researchproject",
        object_id=project.pk,
        summary=title,
        before=before,
        after={"title": title, "mentor": mentor, "leader": leader.pk, "members": member_ids},
    )
    return project


def _may_run(actor: Actor, project: ResearchProject) -> None:
    if not (administers(actor, project.cycle.pool_id) or is_leader(actor, project)):
        raise AccessDeniedError(_("只有管理员或课题组长可以管理课题节点。"))


@transaction.atomic
def milestone_add(*, actor: Actor, project: ResearchProject, title: str, due_on: dt.date) -> Milestone:
    """A milestone due within the project's cycle (start and end included). Administrators and the
    project's leader plan them."""
    _may_run(actor, project)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写节点名称。"), code="milestone_title")
    cycle = project.cycle
    if not cycle.start <= due_on <= cycle.end:
        raise DomainError(
            _("计划完成日期须在本届起止日期（%(start)s 至 %(end)s）之内。") % {"start": cycle.start, "end": cycle.end},
            code="due_outside",
        )
    milestone = Milestone.objects.create(project=project, title=title[:128], due_on=due_on)
    audit_record(
        actor=actor,
        action="research_milestone_add",
        object_type="talent.milestone",
        object_id=milestone.pk,
        summary=f"{project.title}: {milestone.title}",
        after={"due_on": due_on},
    )
    return milestone


@transaction.atomic
def milestone_done(*, actor: Actor, milestone: Milestone, done_on: dt.date, today: dt.date | None = None) -> Milestone:
    """Mark a milestone done on a date that is not in the future (today allowed)."""
    today = today or timezone.localdate()
    milestone = Milestone.objects.select_for_update(of=("self",)).select_related("project__cycle").get(pk=milestone.pk)
    _may_run(actor, milestone.project)
    if done_on > today:
        raise DomainError(_("实际完成日期不能晚于今天。"), code="done_future")
    if done_on < milestone.project.cycle.start:
        raise DomainError(_("实际完成日期不能早于本届开始日期。"), code="done_future")
    before = {"done_on": milestone.done_on}
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    audit_record(
        actor=actor,
        action="research_milestone_done",
        object_type="talent.milestone",
        object_id=milestone.pk,
        summary=milestone.title,
        before=before,
        after={"done_on": done_on},
    )
    return milestone


def may_upload(user: Actor, project: ResearchProject) -> bool:
    return administers(user, project.cycle.pool_id) or is_member(user, project)


@transaction.atomic
def report_upload(*, actor: Actor, project: ResearchProject, upload: Any) -> ResearchProject:
    """The group's report: a PDF of at most 20 MB, by an administrator or one of the project's
    members with their own login. It replaces the previous one (only the latest is kept; the
    audit entry records the old and new SHA-256)."""
    project = ResearchProject.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=project.pk)
    if not may_upload(actor, project):
        raise AccessDeniedError(_("只有课题组成员或管理员可以上传研究报告。"))
    if project.status == ProjectStatus.SCORED:
        raise DomainError(_("研究报告：课题已评分，不能再更换报告。"), code="report_scored")
    if upload is None:
        raise DomainError(_("研究报告：请选择文件。"), code="report_required")
    if upload.size > REPORT_MAX_BYTES:
        raise DomainError(_("研究报告：文件不能超过 20 MB。"), code="report_too_large")
    kind = sniff_upload(upload)
    if kind is None or kind[0] != "application/pdf":
        raise DomainError(_("研究报告：只接受 PDF 文件。"), code="report_type")
    digest = upload_sha256(upload)
    old_hash, old_name = project.report_sha256, project.report.name if project.report else ""
    storage = project.report.storage
    project.report.save(f"project{project.pk}.pdf", upload, save=False)
    project.report_content_type = kind[0]
    project.report_sha256 = digest
    project.report_uploaded_at = timezone.now()
    project.status = ProjectStatus.REPORTED
    project.save(update_fields=["report", "report_content_type", "report_sha256", "report_uploaded_at", "status"])
    audit_record(
        actor=actor,
        action="research_report_upload",
        object_type="talent.researchproject",
        object_id=project.pk,
        summary=project.title,
        before={"sha256": old_hash} if old_hash else None,
        after={"sha256": digest, "size": upload.size},
    )
    if old_name and old_name != project.report.name:
        # Only once the new file and the row are written: a failure above keeps the old report.
        storage.delete(old_name)
    return project


def parse_score(value: Any) -> Decimal:
    """0 to 100 inclusive, at most two decimals."""
    try:
        score = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("评分须为 0 到 100 之间的数字。"), code="bad_score") from None
    if not score.is_finite() or not SCORE_MIN <= score <= SCORE_MAX:
        raise DomainError(_("评分须为 0 到 100 之间的数字。"), code="bad_score")
    if score != score.quantize(CENT):
        raise DomainError(_("评分最多两位小数。"), code="bad_score")
    return score.quantize(CENT)


@transaction.atomic
def project_score(*, actor: Actor, project: ResearchProject, score: Any, comment: str = "") -> ResearchProject:
    """An administrator scores a project once its report is in; re-scoring is audited with the
    score before and after."""
    project = ResearchProject.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=project.pk)
    require(actor, TalentAction.ADMINISTER, project.cycle.pool_id)
    if not project.report:
        raise DomainError(_("评分：课题尚未提交研究报告，不能评分。"), code="no_report")
    value = parse_score(score)
    before = {"score": project.score, "comment": project.score_note} if project.score is not None else None
    project.score = value
    project.score_note = (comment or "").strip()
    project.scored_by = acting_user(actor)
    project.scored_at = timezone.now()
    project.status = ProjectStatus.SCORED
    project.save(update_fields=["score", "score_note", "scored_by", "scored_at", "status"])
    audit_record(
        actor=actor,
        action="research_project_rescore" if before else "research_project_score",
        object_type="talent.researchproject",
        object_id=project.pk,
        summary=f"{project.title}: {value}",
        before=before,
        after={"score": value, "comment": project.score_note},
    )
    return project


# --- summary meeting ----------------------------------------------------------------------------


def reported_projects(cycle: Cycle) -> QuerySet[ResearchProject]:
    return ResearchProject.objects.filter(cycle=cycle).exclude(report="").order_by("title", "id")


def _leaders(project_ids: Sequence[int]) -> dict[int, str]:
    return dict(
        ResearchMember.objects.filter(project_id__in=project_ids, role=ResearchRole.LEADER).values_list(
            "project_id", "cadre__name"
        )
    )


@transaction.atomic
def summary_meeting_create(
    *, actor: Actor, cycle: Cycle, title: str, starts_at: dt.datetime, venue: str
) -> SummaryMeeting:
    """The round's summary meeting; its agenda starts as one item per project with a report (in
    title order, the leader presenting, 10 minutes each) and the administrator then orders it."""
    require(actor, TalentAction.ADMINISTER, cycle.pool_id)
    title, venue = (title or "").strip(), (venue or "").strip()
    if not title:
        raise DomainError(_("请填写会议名称。"), code="meeting_title")
    if not venue:
        raise DomainError(_("请填写会议地点。"), code="meeting_venue")
    meeting = SummaryMeeting.objects.create(cycle=cycle, title=title, starts_at=starts_at, venue=venue)
    projects = list(reported_projects(cycle))
    leaders = _leaders([p.pk for p in projects])
    SummaryItem.objects.bulk_create(
        SummaryItem(
            meeting=meeting, position=i, project=p, presenter=leaders.get(p.pk, ""), duration_minutes=DEFAULT_MINUTES
        )
        for i, p in enumerate(projects, start=1)
    )
    audit_record(
        actor=actor,
        action="research_summary_create",
        object_type="talent.summarymeeting",
        object_id=meeting.pk,
        summary=title,
        after={"starts_at": starts_at.isoformat(), "venue": venue, "items": len(projects)},
    )
    return meeting


@dataclass(frozen=True)
class AgendaEntry:
    project_id: int
    position: int
    presenter: str = ""
    minutes: int = DEFAULT_MINUTES


@transaction.atomic
def summary_agenda_set(*, actor: Actor, meeting: SummaryMeeting, entries: Sequence[AgendaEntry]) -> SummaryMeeting:
    """Set the agenda: exactly one item per project of the cycle with a report, positions 1..n
    each once, a presenter (blank: the leader) and minutes (at least 1). Not once held."""
    meeting = SummaryMeeting.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=meeting.pk)
    require(actor, TalentAction.ADMINISTER, meeting.cycle.pool_id)
    if meeting.held:
        raise DomainError(_("会议已召开，议程不能再修改。"), code="meeting_held")
    expected = set(reported_projects(meeting.cycle).values_list("pk", flat=True))
    given = [e.project_id for e in entries]
    if set(given) != expected or len(given) != len(expected):
        raise DomainError(_("议程须为每个已提交报告的课题各安排一项。"), code="agenda_projects")
    if sorted(e.position for e in entries) != list(range(1, len(entries) + 1)):
        raise DomainError(_("序号须为 1 到 %(n)d，每个序号用一次。") % {"n": len(entries)}, code="agenda_positions")
    if any(e.minutes < 1 or e.minutes > 600 for e in entries):
        raise DomainError(_("时长须为 1 到 600 分钟。"), code="agenda_minutes")
    leaders = _leaders(given)
    before = list(meeting.agenda.values_list("project_id", "position", "presenter", "duration_minutes"))
    meeting.agenda.all().delete()
    SummaryItem.objects.bulk_create(
        SummaryItem(
            meeting=meeting,
            position=e.position,
            project_id=e.project_id,
            presenter=(e.presenter or "").strip()[:64] or leaders.get(e.project_id, ""),
            duration_minutes=e.minutes,
        )
        for e in entries
    )
    audit_record(
        actor=actor,
        action="research_summary_agenda",
        object_type="talent.summarymeeting",
        object_id=meeting.pk,
        summary=meeting.title,
        before={"agenda": before},
        after={"agenda": [[e.project_id, e.position, e.presenter, e.minutes] for e in entries]},
    )
    return meeting


@transaction.atomic
def summary_meeting_record(
    *, actor: Actor, meeting: SummaryMeeting, minutes: str, held: bool, now: dt.datetime | None = None
) -> SummaryMeeting:
    """Record the minutes and (optionally) mark the meeting held — not before it starts."""
    now = now or timezone.now()
    meeting = SummaryMeeting.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=meeting.pk)
    require(actor, TalentAction.ADMINISTER, meeting.cycle.pool_id)
    if held and now < meeting.starts_at:
        raise DomainError(_("会议尚未开始，不能标记为已召开。"), code="not_started")
    before = {"held": meeting.held, "minutes": meeting.minutes}
    meeting.minutes = (minutes or "").strip()
    meeting.held = held or meeting.held
    meeting.save(update_fields=["minutes", "held"])
    audit_record(
        actor=actor,
        action="research_summary_record",
        object_type="talent.summarymeeting",
        object_id=meeting.pk,
        summary=meeting.title,
        before=before,
        after={"held": meeting.held, "minutes": meeting.minutes},
    )
    return meeting
