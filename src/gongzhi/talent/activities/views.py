"""Pages of training activities and feedback: a cycle's activities (each user sees those they may:
administrators all, a cadre those attended, an organisation those its cadres attended), creating and editing
an activity with its participants, an activity's page with the feedback form (participants and
their organisations) and, for administrators, its summary; feedback on the whole cycle; the cycle's
summary with charts and the same figures as tables.

parse → access check → service → render. A pool outside talent.access.access_pools → 404; an
activity of a visible pool the user did not attend (nor their organisation's cadres) → 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.forms import refusals_on
from gongzhi.talent.access import access_pools, administers
from gongzhi.talent.activities import services as svc
from gongzhi.talent.activities.forms import ActivityForm, FeedbackForm
from gongzhi.talent.courses.services import default_cycle
from gongzhi.talent.models import (
    Activity,
    Cadre,
    CadreStatus,
    Cycle,
    CycleStatus,
    Feedback,
    RespondentKind,
    TalentPool,
)
from gongzhi.talent.nav import pool_tabs

_ACTIVITY_FIELDS = {
    "bad_kind": "kind",
    "title_required": "title",
    "dates_reversed": "ends_on",
    "bad_date": "starts_on",
    "bad_participant": "participants",
    "cycle_closed": "cycle",
}
_FEEDBACK_FIELDS = {"bad_rating": "rating", "comment_too_long": "comment"}


def _pool(request: HttpRequest, pool_id: int) -> TalentPool:
    pool: TalentPool = get_object_or_404(access_pools(request.user), pk=pool_id)
    return pool


def _admin(request: HttpRequest, pool: TalentPool | int) -> None:
    if not administers(request.user, pool):
        raise PermissionDenied(_("只有人才库管理员可以进行此操作。"))


def _activity(request: HttpRequest, activity_id: int) -> Activity:
    activity = get_object_or_404(Activity.objects.select_related("cycle__pool"), pk=activity_id)
    if not access_pools(request.user).filter(pk=activity.cycle.pool_id).exists():
        raise Http404
    if not svc.access_activities(request.user).filter(pk=activity.pk).exists():
        raise PermissionDenied(_("您没有参加本活动。"))
    return activity


def _cycle(request: HttpRequest, cycle_id: int) -> Cycle:
    cycle = get_object_or_404(Cycle.objects.select_related("pool"), pk=cycle_id)
    if not access_pools(request.user).filter(pk=cycle.pool_id).exists():
        raise Http404
    return cycle


def _list_url(activity_or_cycle: Activity | Cycle) -> str:
    cycle = activity_or_cycle.cycle if isinstance(activity_or_cycle, Activity) else activity_or_cycle
    return f"{reverse('talent_activities', args=[cycle.pool_id])}?cycle={cycle.pk}"


def _list_page(request: HttpRequest, pool: TalentPool, cycle: Cycle | None, form: Any = None) -> HttpResponse:
    admin = administers(request.user, pool)
    activities: list[Activity] = []
    if cycle is not None:
        activities = list(
            svc.with_figures(svc.access_activities(request.user).filter(cycle=cycle)).order_by("-starts_on", "-id")
        )
    for a in activities:
        a.average = svc.round2(a.avg_rating)  # type: ignore[attr-defined]
    respondent = svc.cycle_respondent(request.user, cycle) if cycle else None
    given = None
    if respondent and cycle:
        given = Feedback.objects.filter(cycle=cycle, activity__isnull=True, author_id=request.user.pk).first()
    context = {
        "pool": pool,
        "tabs": pool_tabs(request.user, pool),
        "admin": admin,
        "cycles": Cycle.objects.filter(pool=pool).order_by("-start"),
        "cycle": cycle,
        "activities": activities,
        "respondent": respondent,
        "given": given,
        "form": form or (FeedbackForm() if respondent and not given else None),
    }
    return render(request, "talent/activity_list.html", context, status=400 if form is not None else 200)


@login_required
@require_GET
def activity_list(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _pool(request, pool_id)
    return _list_page(request, pool, default_cycle(pool, request.GET.get("cycle")))


def _form(request: HttpRequest, pool: TalentPool, activity: Activity | None) -> ActivityForm:
    initial: dict[str, Any] = {"cycle": default_cycle(pool, request.GET.get("cycle"))}
    if activity is not None:
        initial = {
            "cycle": activity.cycle,
            "kind": activity.kind,
            "title": activity.title,
            "starts_on": activity.starts_on,
            "ends_on": activity.ends_on,
            "location": activity.location,
            "description": activity.description,
            "participants": list(activity.participants.all()),
        }
    form = ActivityForm(request.POST or None, initial=initial)
    members = Cadre.objects.filter(pool=pool, status=CadreStatus.MEMBER)
    if activity is not None:
        members = Cadre.objects.filter(pk__in=members.values("pk")) | activity.participants.all()
        form.fields["cycle"].disabled = True
        form.fields["cycle"].queryset = Cycle.objects.filter(pk=activity.cycle_id)  # type: ignore[attr-defined]
    else:
        form.fields["cycle"].queryset = Cycle.objects.filter(  # type: ignore[attr-defined]
            pool=pool, status=CycleStatus.OPEN
        )
    form.fields["participants"].queryset = members.distinct().order_by("name", "id")  # type: ignore[attr-defined]
    return form


def _data(form: ActivityForm) -> svc.ActivityData:
    d = form.cleaned_data
    return svc.ActivityData(
        kind=d["kind"],
        title=d["title"],
        starts_on=d["starts_on"],
        ends_on=d["ends_on"],
        location=d["location"],
        description=d["description"],
    )


def _form_page(request: HttpRequest, pool: TalentPool, form: ActivityForm, title: str, back: str) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    context = {"pool": pool, "tabs": pool_tabs(request.user, pool), "form": form, "title": title, "back": back}
    return render(request, "talent/activity_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = _pool(request, pool_id)
    _admin(request, pool)
    form = _form(request, pool, None)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, _ACTIVITY_FIELDS) as refused:
            activity = svc.activity_create(
                actor=request.user,
                cycle=form.cleaned_data["cycle"],
                data=_data(form),
                participants=list(form.cleaned_data["participants"]),
            )
        if not refused:
            messages.success(request, _("培训活动已添加。"))
            return HttpResponseRedirect(reverse("talent_activity", args=[activity.pk]), status=303)
    return _form_page(request, pool, form, _("添加培训活动"), reverse("talent_activities", args=[pool.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = _activity(request, activity_id)
    pool = activity.cycle.pool
    _admin(request, pool)
    form = _form(request, pool, activity)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, _ACTIVITY_FIELDS) as refused:
            svc.activity_update(
                actor=request.user,
                activity=activity,
                data=_data(form),
                participants=list(form.cleaned_data["participants"]),
            )
        if not refused:
            messages.success(request, _("培训活动已保存。"))
            return HttpResponseRedirect(reverse("talent_activity", args=[activity.pk]), status=303)
    return _form_page(request, pool, form, _("编辑培训活动"), reverse("talent_activity", args=[activity.pk]))


def _chart_distribution(summary: svc.Summary) -> dict[str, Any]:
    return {
        "kind": "distribution",
        "labels": [_("%(n)d 分") % {"n": n} for n in svc.RATINGS],
        "values": summary.distribution,
        "name": pgettext("talent", "人数"),
    }


def _detail_page(request: HttpRequest, activity: Activity, form: FeedbackForm | None = None) -> HttpResponse:
    pool = activity.cycle.pool
    admin = administers(request.user, pool)
    respondent = svc.activity_respondent(request.user, activity)
    mine = Feedback.objects.filter(activity=activity, author_id=request.user.pk).first()
    summary = svc.activity_summary(activity) if admin else None
    context = {
        "pool": pool,
        "tabs": pool_tabs(request.user, pool),
        "activity": activity,
        "admin": admin,
        "participants": list(activity.participants.select_related("organisation").order_by("name")) if admin else [],
        "n_participants": activity.participants.count(),
        "respondent": respondent,
        "as_organisation": respondent is not None and respondent.kind == RespondentKind.ORGANISATION,
        "mine": mine,
        "form": form or (FeedbackForm() if respondent and not mine else None),
        "summary": summary,
        "chart": _chart_distribution(summary) if summary else None,
        "back": _list_url(activity),
    }
    return render(request, "talent/activity_detail.html", context, status=400 if form is not None else 200)


@login_required
@require_GET
def activity_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    return _detail_page(request, _activity(request, activity_id))


@login_required
@require_POST
def feedback(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = _activity(request, activity_id)
    if svc.activity_respondent(request.user, activity) is None:
        raise PermissionDenied(_("只有参加人员及其所在单位可以评价本活动。"))
    form = FeedbackForm(request.POST)
    if form.is_valid():
        with refusals_on(form, _FEEDBACK_FIELDS) as refused:
            svc.feedback_give(actor=request.user, activity=activity, **form.cleaned_data)
        if not refused:
            messages.success(request, _("感谢您的评价。"))
            return HttpResponseRedirect(reverse("talent_activity", args=[activity.pk]), status=303)
    return _detail_page(request, activity, form)


@login_required
@require_POST
def cycle_feedback(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    if svc.cycle_respondent(request.user, cycle) is None:
        raise PermissionDenied(_("只有本周期学员及其所在单位可以评价本周期。"))
    form = FeedbackForm(request.POST)
    if form.is_valid():
        with refusals_on(form, _FEEDBACK_FIELDS) as refused:
            svc.cycle_feedback_give(actor=request.user, cycle=cycle, **form.cleaned_data)
        if not refused:
            messages.success(request, _("感谢您的评价。"))
            return HttpResponseRedirect(_list_url(cycle), status=303)
    return _list_page(request, cycle.pool, cycle, form)


@login_required
@require_GET
def feedback_summary(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    _admin(request, cycle.pool_id)
    summary = svc.cycle_summary(cycle)
    chart = {
        "kind": "averages",
        "labels": [f"{line.activity.starts_on:%Y-%m-%d} {line.activity.title}" for line in summary.lines],
        "series": [
            {
                "name": _("平均分"),
                "values": [
                    str(line.summary.average) if line.summary.average is not None else None for line in summary.lines
                ],
            },
            {
                "name": _("学员评分"),
                "values": [_opt(line.summary.by_kind[RespondentKind.PARTICIPANT]) for line in summary.lines],
            },
            {
                "name": _("单位评分"),
                "values": [_opt(line.summary.by_kind[RespondentKind.ORGANISATION]) for line in summary.lines],
            },
        ],
    }
    context = {
        "pool": cycle.pool,
        "tabs": pool_tabs(request.user, cycle.pool),
        "cycle": cycle,
        "summary": summary,
        "chart": chart,
        "programme_chart": _chart_distribution(summary.programme),
        "back": _list_url(cycle),
    }
    return render(request, "talent/feedback_summary.html", context)


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)
