"""Pages of the required courses: the courses with their rules, sessions and the progress matrix of
a cycle; editing a rule and adding an elective; adding a session and keeping its attendance sheet;
entering scores for many cadres at once and marking completion; graduation and closing a cycle.

parse → access check → service → render. A pool is looked up among those the user has anything to
do with (talent.access.access_pools, or a course they teach): 404 outside; visible but not allowed
to act (a cadre, an organisation, an instructor of another course) → 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.forms import refusals_caught, refusals_on
from gongzhi.core.params import parse_id
from gongzhi.talent.access import access_pools, administers
from gongzhi.talent.completion import missing_required
from gongzhi.talent.courses import services as svc
from gongzhi.talent.courses.forms import CourseForm, GraduationForm, ResultMarkForm, ScoresForm, SessionForm
from gongzhi.talent.models import (
    Attendance,
    Cadre,
    CompletionRule,
    Course,
    CourseResult,
    CourseSession,
    Cycle,
    CycleStatus,
    Graduation,
    TalentPool,
)
from gongzhi.talent.nav import pool_tabs

_COURSE_FIELDS = {
    "name_required": "name",
    "duplicate_name": "name",
    "bad_rule": "rule",
    "bad_min_sessions": "min_sessions",
    "bad_pass_score": "pass_score",
}
_SESSION_FIELDS = {"bad_cycle": "cycle", "cycle_closed": "cycle", "title_required": "title", "bad_date": "held_on"}
_GRADUATION_FIELDS = {"note_required": "note", "bad_outcome": "outcome", "missing_courses": "outcome"}


def _visible_pool(request: HttpRequest, pool_id: int) -> TalentPool:
    """A pool the user has anything to do with, or one of whose courses they teach; else 404."""
    user = request.user
    pool = TalentPool.objects.filter(pk=pool_id).first()
    if pool is None:
        raise Http404
    if access_pools(user).filter(pk=pool.pk).exists() or svc.instructed_course_ids(user, pool):
        return pool
    raise Http404


def _admin(request: HttpRequest, pool: TalentPool | int) -> None:
    if not administers(request.user, pool):
        raise PermissionDenied(_("只有人才库管理员可以进行此操作。"))


def _course(request: HttpRequest, course_id: int) -> Course:
    course = get_object_or_404(Course.objects.select_related("pool"), pk=course_id)
    _visible_pool(request, course.pool_id)
    if not svc.may_teach(request.user, course):
        raise PermissionDenied(_("只有本课程的授课教师或人才库管理员可以进行此操作。"))
    return course


def _cycle(request: HttpRequest, cycle_id: int) -> Cycle:
    cycle = get_object_or_404(Cycle.objects.select_related("pool"), pk=cycle_id)
    _visible_pool(request, cycle.pool_id)
    return cycle


def _list_url(pool_id: int, cycle: Cycle | None = None) -> str:
    url = reverse("talent_courses", args=[pool_id])
    return f"{url}?cycle={cycle.pk}" if cycle else url


@login_required
@require_GET
def course_list(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _visible_pool(request, pool_id)
    admin = administers(request.user, pool)
    courses = list(svc.visible_courses(request.user, pool).prefetch_related("instructors"))
    if not admin and not courses:
        raise PermissionDenied(_("只有人才库管理员和授课教师可以查看课程。"))
    cycles = list(Cycle.objects.filter(pool=pool).order_by("-start"))
    cycle = svc.default_cycle(pool, request.GET.get("cycle"))
    sessions: dict[int, list[CourseSession]] = {c.pk: [] for c in courses}
    rows: list[svc.ProgressRow] = []
    required = [c for c in courses if c.required]
    if cycle is not None:
        for s in CourseSession.objects.filter(cycle=cycle, course__in=courses).order_by("held_on", "id"):
            sessions[s.course_id].append(s)
        rows = svc.progress(cycle, required, list(svc.cycle_members(cycle)))
    for c in courses:
        c.cycle_sessions = sessions[c.pk]  # type: ignore[attr-defined]
    context = {
        "pool": pool,
        "tabs": pool_tabs(request.user, pool),
        "admin": admin,
        "cycles": cycles,
        "cycle": cycle,
        "courses": courses,
        "required": required,
        "rows": rows,
        "complete_count": sum(1 for r in rows if r.complete),
    }
    return render(request, "talent/course_list.html", context)


def _form_page(
    request: HttpRequest, pool: TalentPool, form: Any, title: str, back: str, subtitle: str = ""
) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    context = {
        "pool": pool,
        "tabs": pool_tabs(request.user, pool),
        "form": form,
        "title": title,
        "back": back,
        "subtitle": subtitle,
    }
    return render(request, "talent/course_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _visible_pool(request, pool_id)
    _admin(request, pool)
    form = CourseForm(request.POST or None, initial={"rule": CompletionRule.ATTENDANCE, "min_sessions": 1})
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, _COURSE_FIELDS) as refused:
            svc.course_create(actor=request.user, pool=pool, **form.cleaned_data)
        if not refused:
            messages.success(request, _("选修课程已添加。"))
            return HttpResponseRedirect(_list_url(pool.pk), status=303)
    return _form_page(request, pool, form, _("添加选修课程"), _list_url(pool.pk), pool.name)


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_object_or_404(Course.objects.select_related("pool"), pk=course_id)
    pool = _visible_pool(request, course.pool_id)
    _admin(request, pool)
    initial = {
        "name": course.name,
        "rule": course.rule,
        "min_sessions": course.min_sessions,
        "pass_score": svc.number(course.pass_score),
        "instructors": ", ".join(u.get_username() for u in course.instructors.all()),
    }
    form = CourseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, _COURSE_FIELDS) as refused:
            svc.course_update(actor=request.user, course=course, **form.cleaned_data)
        if not refused:
            messages.success(request, _("课程已保存。"))
            return HttpResponseRedirect(_list_url(pool.pk), status=303)
    return _form_page(request, pool, form, _("编辑课程"), _list_url(pool.pk), course.name)


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _visible_pool(request, pool_id)
    courses = svc.visible_courses(request.user, pool)
    if not courses.exists():
        raise PermissionDenied(_("只有人才库管理员和授课教师可以添加课程场次。"))
    cycle = svc.default_cycle(pool, request.GET.get("cycle"))
    form = SessionForm(request.POST or None, initial={"cycle": cycle, "course": request.GET.get("course")})
    form.fields["course"].queryset = courses  # type: ignore[attr-defined]
    form.fields["cycle"].queryset = Cycle.objects.filter(pool=pool, status=CycleStatus.OPEN)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, _SESSION_FIELDS) as refused:
            session = svc.session_create(actor=request.user, **form.cleaned_data)
        if not refused:
            messages.success(request, _("课程场次已添加。"))
            return HttpResponseRedirect(reverse("talent_attendance", args=[session.pk]), status=303)
    return _form_page(request, pool, form, _("添加课程场次"), _list_url(pool.pk, cycle), pool.name)


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(CourseSession.objects.select_related("course__pool", "cycle"), pk=session_id)
    course = _course(request, session.course_id)
    members = list(svc.cycle_members(session.cycle))
    error = ""
    if request.method == "POST":
        ids = [parse_id(v) for v in request.POST.getlist("present")]  # ASCII digits in range only
        present = {pk for pk in ids if pk is not None}
        if None in ids:
            present, error = set(), _("出勤名单有误。")
        if not error:
            with refusals_caught() as refused:
                counts = svc.attendance_save(actor=request.user, session=session, present=present)
            if refused:
                error = refused.message
            else:
                messages.success(request, _("出勤已保存：出勤 %(present)d 人，缺勤 %(absent)d 人。") % counts)
                return HttpResponseRedirect(_list_url(course.pool_id, session.cycle), status=303)
        checked = present
    else:
        checked = set(Attendance.objects.filter(session=session, present=True).values_list("cadre_id", flat=True))
    context = {
        "pool": course.pool,
        "tabs": pool_tabs(request.user, course.pool),
        "session": session,
        "course": course,
        "members": [(m, m.pk in checked) for m in members],
        "error": error,
        "closed": session.cycle.status != CycleStatus.OPEN,
        "back": _list_url(course.pool_id, session.cycle),
    }
    return render(request, "talent/course_attendance.html", context, status=400 if error else 200)


def _results_page(
    request: HttpRequest,
    course: Course,
    cycle: Cycle,
    *,
    posted: dict[int, str] | None = None,
    row_errors: dict[int, str] | None = None,
    error: str = "",
) -> HttpResponse:
    members = list(svc.cycle_members(cycle))
    results = {
        r.cadre_id: r
        for r in CourseResult.objects.filter(course=course, cycle=cycle).select_related("marked_complete_by")
    }
    row_errors = row_errors or {}
    rows = []
    for m in members:
        result = results.get(m.pk)
        value = posted.get(m.pk, "") if posted is not None else svc.number(result.score if result else None)
        rows.append({"cadre": m, "result": result, "value": value, "error": row_errors.get(m.pk, "")})
    context = {
        "pool": course.pool,
        "tabs": pool_tabs(request.user, course.pool),
        "course": course,
        "cycle": cycle,
        "cycles": Cycle.objects.filter(pool_id=course.pool_id).order_by("-start"),
        "rows": rows,
        "error": error,
        "instructor_rule": course.rule == CompletionRule.INSTRUCTOR,
        "closed": cycle.status != CycleStatus.OPEN,
        "back": _list_url(course.pool_id, cycle),
    }
    return render(request, "talent/course_results.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def results(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course(request, course_id)
    cycle = svc.default_cycle(course.pool, request.GET.get("cycle"))
    if cycle is None:
        raise Http404
    if request.method == "GET":
        return _results_page(request, course, cycle)
    form = ScoresForm(request.POST, members=list(svc.cycle_members(cycle).values_list("pk", flat=True)))
    posted = form.posted()
    if not form.is_valid():
        row_errors = form.row_errors()
        return _results_page(
            request,
            course,
            cycle,
            posted=posted,
            row_errors=row_errors,
            error=_("成绩未保存：有 %(n)d 行填写有误，请修改后重新提交。") % {"n": len(row_errors)},
        )
    with refusals_caught() as refused:
        n = svc.results_save(actor=request.user, course=course, cycle=cycle, scores=posted)
    if refused:
        rows = refused.error.rows if isinstance(refused.error, svc.ResultsRefusedError) else None
        return _results_page(request, course, cycle, posted=posted, row_errors=rows, error=refused.message)
    messages.success(request, _("成绩已保存（%(n)d 条变更）。") % {"n": n})
    return HttpResponseRedirect(f"{reverse('talent_results', args=[course.pk])}?cycle={cycle.pk}", status=303)


@login_required
@require_POST
def result_mark(request: HttpRequest, course_id: int, cycle_id: int, cadre_id: int) -> HttpResponse:
    course = _course(request, course_id)
    cycle = get_object_or_404(Cycle, pk=cycle_id, pool_id=course.pool_id)
    cadre = get_object_or_404(Cadre, pk=cadre_id, pool_id=course.pool_id)
    form = ResultMarkForm(request.POST)
    if not form.is_valid():
        return _results_page(
            request, course, cycle, error=" ".join(str(e) for errors in form.errors.values() for e in errors)
        )
    complete = form.cleaned_data["complete"] == "1"
    with refusals_caught() as refused:
        svc.result_mark(
            actor=request.user,
            course=course,
            cycle=cycle,
            cadre=cadre,
            complete=complete,
            note=form.cleaned_data["note"],
        )
    if refused:
        return _results_page(request, course, cycle, error=refused.message)
    messages.success(
        request,
        (_("已认定 %(name)s 完成本课程。") if complete else _("已撤销 %(name)s 的完成认定。")) % {"name": cadre.name},
    )
    return HttpResponseRedirect(f"{reverse('talent_results', args=[course.pk])}?cycle={cycle.pk}", status=303)


def _graduation_page(
    request: HttpRequest, cycle: Cycle, *, failed: tuple[int, GraduationForm] | None = None, error: str = ""
) -> HttpResponse:
    members = list(svc.cycle_members(cycle))
    missing = missing_required(cycle, [m.pk for m in members])
    records = {g.cadre_id: g for g in Graduation.objects.filter(cycle=cycle).select_related("decided_by")}
    rows = []
    for m in members:
        form = None
        if m.pk not in records and cycle.status == CycleStatus.OPEN:
            form = failed[1] if failed and failed[0] == m.pk else GraduationForm(initial={"cadre": m.pk})
        rows.append({"cadre": m, "missing": missing[m.pk], "record": records.get(m.pk), "form": form})
    context = {
        "pool": cycle.pool,
        "tabs": pool_tabs(request.user, cycle.pool),
        "cycle": cycle,
        "rows": rows,
        "pending": sum(1 for r in rows if r["record"] is None),
        "error": error,
        "open": cycle.status == CycleStatus.OPEN,
    }
    status = 400 if (failed or error) else 200
    return render(request, "talent/course_graduation.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def graduation(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    _admin(request, cycle.pool_id)
    if request.method == "GET":
        return _graduation_page(request, cycle)
    form = GraduationForm(request.POST)
    form.fields["cadre"].queryset = svc.cycle_members(cycle)  # type: ignore[attr-defined]
    if not form.is_valid():
        return _graduation_page(request, cycle, error=_("请选择学员和结论。"))
    cadre = form.cleaned_data["cadre"]
    with refusals_on(form, _GRADUATION_FIELDS) as refused:
        svc.graduation_record(
            actor=request.user,
            cycle=cycle,
            cadre=cadre,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    if refused:
        return _graduation_page(request, cycle, failed=(cadre.pk, form))
    messages.success(request, _("%(name)s 的结业记录已保存。") % {"name": cadre.name})
    return HttpResponseRedirect(reverse("talent_graduation", args=[cycle.pk]), status=303)


@login_required
@require_POST
def cycle_close(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    _admin(request, cycle.pool_id)
    with refusals_caught() as refused:
        svc.cycle_close(actor=request.user, cycle=cycle)
    if refused:
        return _graduation_page(request, cycle, error=refused.message)
    messages.success(request, _("培养周期已结束。"))
    return HttpResponseRedirect(reverse("talent_graduation", args=[cycle.pk]), status=303)
