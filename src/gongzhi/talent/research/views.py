"""Pages of research projects and the summary meeting (issue 7, item 5).

parse → access check → service → render. Pools come from research.research_pools and projects
from research.access_projects (404 outside them); acting without the right gives 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.files import private_file_response
from gongzhi.core.forms import refusals_caught, refusals_flashed, refusals_on
from gongzhi.core.params import parse_id
from gongzhi.talent.access import administers
from gongzhi.talent.models import Cycle, Milestone, ResearchProject, SummaryMeeting, TalentPool
from gongzhi.talent.nav import pool_tabs
from gongzhi.talent.research import services as svc
from gongzhi.talent.research.forms import (
    AgendaForm,
    MeetingForm,
    MilestoneDoneForm,
    MilestoneForm,
    ProjectForm,
    RecordForm,
    ReportForm,
    ScoreForm,
)

_PROJECT_FIELDS = {
    "title_required": "title",
    "title_taken": "title",
    "members_required": "members",
    "members_outside": "members",
    "leader_required": "leader",
}
_MEETING_FIELDS = {"meeting_title": "title", "meeting_venue": "venue"}


def _pool(request: HttpRequest, pool_id: int) -> TalentPool:
    pool: TalentPool = get_object_or_404(svc.research_pools(request.user), pk=pool_id)
    return pool


def _cycle(request: HttpRequest, pool: TalentPool) -> Cycle | None:
    cycles = Cycle.objects.filter(pool=pool).order_by("-start")
    wanted = request.GET.get("cycle") or request.POST.get("cycle")
    if wanted:
        cycle_id = parse_id(wanted)
        if cycle_id is None:
            raise Http404
        cycle: Cycle = get_object_or_404(cycles, pk=cycle_id)
        return cycle
    return cycles.filter(status="open").first() or cycles.first()


def _project(request: HttpRequest, pk: int) -> ResearchProject:
    project: ResearchProject = get_object_or_404(
        svc.access_projects(request.user).select_related("cycle__pool", "mentor_user"), pk=pk
    )
    return project


def _admin(request: HttpRequest, pool_id: int) -> None:
    if not administers(request.user, pool_id):
        raise PermissionDenied(_("只有人才库管理员可以进行此操作。"))


def _meeting(request: HttpRequest, pk: int) -> SummaryMeeting:
    meeting: SummaryMeeting = get_object_or_404(
        SummaryMeeting.objects.select_related("cycle__pool").filter(cycle__pool__in=svc.research_pools(request.user)),
        pk=pk,
    )
    return meeting


@login_required
@require_GET
def research_list(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _pool(request, pool_id)
    cycle = _cycle(request, pool)
    today = timezone.localdate()
    rows: list[svc.ProjectRow] = []
    others: list[str] = []
    meetings: list[SummaryMeeting] = []
    if cycle is not None:
        projects, others = svc.visible_in_cycle(request.user, cycle)
        rows = svc.project_rows(projects, today)
        meetings = list(SummaryMeeting.objects.filter(cycle=cycle).order_by("starts_at"))
    context = {
        "pool": pool,
        "cycle": cycle,
        "cycles": list(Cycle.objects.filter(pool=pool).order_by("-start")),
        "rows": rows,
        "others": others,
        "meetings": meetings,
        "admin": administers(request.user, pool),
        "tabs": pool_tabs(request.user, pool),
    }
    return render(request, "talent/research_list.html", context)


def _form_page(request: HttpRequest, pool: TalentPool, form: Any, title: str, back: str) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    context = {"pool": pool, "form": form, "title": title, "back": back, "tabs": pool_tabs(request.user, pool)}
    return render(request, "talent/research_form.html", context, status=status)


def _save_project(request: HttpRequest, cycle: Cycle, project: ResearchProject | None) -> HttpResponse:
    pool = cycle.pool
    members = svc.current_members(pool).select_related("organisation").order_by("name", "id")
    initial: dict[str, Any] = {}
    if project is not None:
        leader = project.members.filter(role="leader").first()
        initial = {
            "title": project.title,
            "topic": project.topic,
            "mentor": project.mentor,
            "mentor_login": project.mentor_user.get_username() if project.mentor_user else "",
            "members": list(project.members.values_list("cadre_id", flat=True)),
            "leader": leader.cadre_id if leader else None,
        }
    form = ProjectForm(request.POST or None, initial=initial, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_on(form, _PROJECT_FIELDS) as refused:
            saved = svc.project_save(
                actor=request.user,
                cycle=cycle,
                project=project,
                title=data["title"],
                topic=data["topic"],
                mentor=data["mentor"],
                mentor_user=data["mentor_login"],
                members=list(data["members"]),
                leader=data["leader"],
            )
        if not refused:
            messages.success(request, _("课题已保存。"))
            return HttpResponseRedirect(reverse("talent_research_project", args=[saved.pk]))
    back = reverse("talent_research", args=[pool.pk]) + f"?cycle={cycle.pk}"
    title = _("新建课题") if project is None else _("编辑课题")
    return _form_page(request, pool, form, f"{title} · {cycle.name}", back)


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _pool(request, pool_id)
    _admin(request, pool.pk)
    cycle = _cycle(request, pool)
    if cycle is None:
        raise Http404
    cycle.pool = pool
    return _save_project(request, cycle, None)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _admin(request, project.cycle.pool_id)
    return _save_project(request, project.cycle, project)


def _detail(request: HttpRequest, project: ResearchProject, status: int = 200, **forms: Any) -> HttpResponse:
    today = timezone.localdate()
    pool = project.cycle.pool
    admin = administers(request.user, pool)
    runs = admin or svc.is_leader(request.user, project)
    milestones = list(project.milestones.all())
    for m in milestones:
        m.overdue = svc.is_overdue(m, today)  # type: ignore[attr-defined]
    context = {
        "pool": pool,
        "project": project,
        "members": list(project.members.select_related("cadre__organisation")),
        "milestones": milestones,
        "admin": admin,
        "runs": runs,
        "may_upload": svc.may_upload(request.user, project),
        "milestone_form": forms.get("milestone_form") or (MilestoneForm() if runs else None),
        "done_form": MilestoneDoneForm(initial={"done_on": today}),
        "report_form": forms.get("report_form") or ReportForm(),
        "score_form": forms.get("score_form")
        or ScoreForm(initial={"score": project.score, "comment": project.score_note}),
        "tabs": pool_tabs(request.user, pool),
    }
    return render(request, "talent/research_project.html", context, status=status)


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _project(request, pk))


@login_required
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        with refusals_on(form, {"milestone_title": "title"}, other="due_on") as refused:
            svc.milestone_add(actor=request.user, project=project, **form.cleaned_data)
        if not refused:
            messages.success(request, _("节点已添加。"))
            return HttpResponseRedirect(reverse("talent_research_project", args=[project.pk]))
    elif not (administers(request.user, project.cycle.pool_id) or svc.is_leader(request.user, project)):
        raise PermissionDenied(_("只有管理员或课题组长可以管理课题节点。"))
    return _detail(request, project, status=400, milestone_form=form)


@login_required
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    milestone: Milestone = get_object_or_404(
        Milestone.objects.filter(project__in=svc.access_projects(request.user)), pk=pk
    )
    project = _project(request, milestone.project_id)
    form = MilestoneDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("实际完成：请填写日期。"))
        return _detail(request, project, status=400)
    with refusals_flashed(request) as refused:
        svc.milestone_done(actor=request.user, milestone=milestone, done_on=form.cleaned_data["done_on"])
    if refused:
        return _detail(request, project, status=400)
    messages.success(request, _("节点已标记完成。"))
    return HttpResponseRedirect(reverse("talent_research_project", args=[project.pk]))


@login_required
@require_POST
def report_upload(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if not svc.may_upload(request.user, project):
        raise PermissionDenied(_("只有课题组成员或管理员可以上传研究报告。"))
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        with refusals_on(form, other="report") as refused:
            svc.report_upload(actor=request.user, project=project, upload=form.cleaned_data["report"])
        if not refused:
            messages.success(request, _("研究报告已上传。"))
            return HttpResponseRedirect(reverse("talent_research_project", args=[project.pk]))
    return _detail(request, project, status=400, report_form=form)


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    project = _project(request, pk)
    if not project.report:
        raise Http404
    return private_file_response(project.report, f"report{project.pk}")


@login_required
@require_POST
def project_score(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _admin(request, project.cycle.pool_id)
    form = ScoreForm(request.POST)
    if form.is_valid():
        with refusals_on(form, other="score") as refused:
            svc.project_score(actor=request.user, project=project, **form.cleaned_data)
        if not refused:
            messages.success(request, _("评分已保存。"))
            return HttpResponseRedirect(reverse("talent_research_project", args=[project.pk]))
    return _detail(request, project, status=400, score_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _pool(request, pool_id)
    _admin(request, pool.pk)
    cycle = _cycle(request, pool)
    if cycle is None:
        raise Http404
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, _MEETING_FIELDS) as refused:
            meeting = svc.summary_meeting_create(actor=request.user, cycle=cycle, **form.cleaned_data)
        if not refused:
            messages.success(request, _("成果汇报会已创建。"))
            return HttpResponseRedirect(reverse("talent_summary_meeting", args=[meeting.pk]))
    back = reverse("talent_research", args=[pool.pk]) + f"?cycle={cycle.pk}"
    return _form_page(request, pool, form, f"{_('新建成果汇报会')} · {cycle.name}", back)


def _meeting_page(
    request: HttpRequest, meeting: SummaryMeeting, template: str, status: int = 200, **extra: Any
) -> HttpResponse:
    pool = meeting.cycle.pool
    items = list(meeting.agenda.select_related("project").order_by("position"))
    start = meeting.starts_at
    for item in items:
        item.starts = start  # type: ignore[attr-defined]
        start = start + dt.timedelta(minutes=item.duration_minutes)
    context = {
        "pool": pool,
        "meeting": meeting,
        "items": items,
        "admin": administers(request.user, pool),
        "missing": list(svc.reported_projects(meeting.cycle).exclude(summary_items__meeting=meeting)),
        "record_form": extra.get("record_form")
        or RecordForm(initial={"minutes": meeting.minutes, "held": meeting.held}),
        "agenda_error": extra.get("agenda_error", ""),
        "tabs": pool_tabs(request.user, pool),
    }
    return render(request, template, context, status=status)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_page(request, _meeting(request, pk), "talent/research_meeting.html")


@login_required
@require_GET
def meeting_print(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_page(request, _meeting(request, pk), "talent/research_agenda_print.html")


@login_required
@require_POST
def meeting_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _admin(request, meeting.cycle.pool_id)
    form = AgendaForm(request.POST)
    if not form.is_valid():
        return _meeting_page(
            request, meeting, "talent/research_meeting.html", status=400, agenda_error=form.error_text()
        )
    with refusals_caught() as refused:
        svc.summary_agenda_set(actor=request.user, meeting=meeting, entries=form.entries())
    if refused:
        return _meeting_page(request, meeting, "talent/research_meeting.html", status=400, agenda_error=refused.message)
    messages.success(request, _("议程已保存。"))
    return HttpResponseRedirect(reverse("talent_summary_meeting", args=[meeting.pk]))


@login_required
@require_POST
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _admin(request, meeting.cycle.pool_id)
    form = RecordForm(request.POST)
    if form.is_valid():
        with refusals_on(form, other="held") as refused:
            svc.summary_meeting_record(actor=request.user, meeting=meeting, **form.cleaned_data)
        if not refused:
            messages.success(request, _("会议记录已保存。"))
            return HttpResponseRedirect(reverse("talent_summary_meeting", args=[meeting.pk]))
    return _meeting_page(request, meeting, "talent/research_meeting.html", status=400, record_form=form)
