"""Pages of deliberation councils: the list of councils where the user holds a role, a council's
page (members and terms, sessions, topics by status), proposing a topic (on a phone), deciding
topics, members' terms, scheduling a session and its page with the report and outcomes.

parse → access check → service → render. A council outside the communities where the user holds
a role is a 404; running it needs MANAGE_COUNCILS (403 otherwise); the services decide again."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.actors import Actor
from gongzhi.core.forms import refusals_flashed, refusals_on
from gongzhi.councils import scope, services
from gongzhi.councils.forms import (
    CouncilForm,
    DecisionForm,
    DeclineForm,
    EndTermForm,
    MemberForm,
    OutcomeForm,
    ReportForm,
    SessionForm,
    TopicForm,
)
from gongzhi.councils.models import Council, CouncilMember, Outcome, OutcomeKind, Session, Topic, TopicStatus
from gongzhi.motions.models import Motion
from gongzhi.places.access import Action, may, require
from gongzhi.places.models import Estate
from gongzhi.suggestions.models import Suggestion


def _councils(user: Actor) -> QuerySet[Council]:
    return Council.objects.select_related("community__subdistrict").filter(
        community__in=scope.visible_communities(user).values("pk")
    )


def _council(request: HttpRequest, pk: int) -> Council:
    council: Council = get_object_or_404(_councils(request.user), pk=pk)
    return council


@login_required
def council_list(request: HttpRequest) -> HttpResponse:
    communities = list(scope.visible_communities(request.user))
    councils = list(_councils(request.user).order_by("community__name", "name"))
    manageable = [c for c in communities if may(request.user, Action.MANAGE_COUNCILS, c)]
    return render(request, "councils/list.html", {"councils": councils, "manageable": manageable})


@login_required
@require_http_methods(["GET", "POST"])
def council_create(request: HttpRequest, community_id: int) -> HttpResponse:
    community = get_object_or_404(scope.visible_communities(request.user), pk=community_id)
    require(request.user, Action.MANAGE_COUNCILS, community, services.MANAGE_REFUSAL)
    form = CouncilForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, other="name") as refused:
            council = services.council_create(actor=request.user, community=community, **form.cleaned_data)
        if not refused:
            messages.success(request, _("议事会已建立。"))
            return HttpResponseRedirect(reverse("council_detail", args=[council.pk]))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "councils/form.html",
        {"form": form, "title": _("建立议事会"), "back": reverse("council_list")},
        status=status,
    )


def _detail(request: HttpRequest, council: Council, status: int = 200, **forms: Any) -> HttpResponse:
    now = timezone.now()
    members = list(council.members.order_by("-term_end", "role", "term_start", "id"))
    today = timezone.localdate()
    current = [m for m in members if m.term_end is None or m.term_end >= today]
    past = [m for m in members if m.term_end is not None and m.term_end < today]
    sessions = list(council.sessions.select_related("meeting", "report").order_by("-meeting__starts_at"))
    topics = list(council.topics.all())
    decline_errors = {pk: " ".join(f.errors.get("reason", [])) for pk, f in forms.get("decline_forms", {}).items()}
    end_errors = {pk: " ".join(f.errors.get("term_end", [])) for pk, f in forms.get("end_forms", {}).items()}
    for t in topics:
        t.decline_error = decline_errors.get(t.pk, "")  # type: ignore[attr-defined]
    for m in members:
        m.end_error = end_errors.get(m.pk, "")  # type: ignore[attr-defined]
    by_status = {value: [t for t in topics if t.status == value] for value in TopicStatus.values}
    manage = may(request.user, Action.MANAGE_COUNCILS, council.community)
    context = {
        "council": council,
        "current_members": current,
        "past_members": past,
        "upcoming": [s for s in sessions if s.meeting.starts_at >= now],
        "held": [s for s in sessions if s.meeting.starts_at < now],
        "topic_groups": [(label, by_status[value]) for value, label in TopicStatus.choices],
        "manage": manage,
        "member_form": forms.get("member_form") or MemberForm(initial={"term_start": today}),
    }
    return render(request, "councils/detail.html", context, status=status)


@login_required
def council_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _council(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def topic_propose(request: HttpRequest, pk: int) -> HttpResponse:
    council = _council(request, pk)
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, {"text_required": "text"}, other="title") as refused:
            services.topic_propose(actor=request.user, council=council, **form.cleaned_data)
        if not refused:
            messages.success(request, _("议题已提交，社区将尽快受理。"))
            return HttpResponseRedirect(reverse("council_detail", args=[council.pk]))
    status = 400 if request.method == "POST" else 200
    back = reverse("council_detail", args=[council.pk])
    return render(
        request,
        "councils/form.html",
        {"form": form, "title": _("提议题"), "council": council, "back": back},
        status=status,
    )


@login_required
@require_POST
def topic_decide(request: HttpRequest, pk: int) -> HttpResponse:
    topic: Topic = get_object_or_404(Topic.objects.filter(council__in=_councils(request.user)), pk=pk)
    council = _council(request, topic.council_id)
    require(request.user, Action.MANAGE_COUNCILS, council.community, services.MANAGE_REFUSAL)
    with refusals_flashed(request):
        decision = DecisionForm(request.POST)
        if decision.is_valid() and decision.cleaned_data["decision"] == "accept":
            services.topic_accept(actor=request.user, topic=topic)
            messages.success(request, _("议题已受理。"))
        else:
            form = DeclineForm(request.POST)
            if not form.is_valid():
                return _detail(request, council, status=400, decline_forms={topic.pk: form})
            services.topic_decline(actor=request.user, topic=topic, reason=form.cleaned_data["reason"])
            messages.success(request, _("已不予受理。"))
    return HttpResponseRedirect(reverse("council_detail", args=[council.pk]) + "#topics")


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    council = _council(request, pk)
    require(request.user, Action.MANAGE_COUNCILS, council.community, services.MANAGE_REFUSAL)
    form = MemberForm(request.POST)
    if form.is_valid():
        with refusals_on(form, {"term_reversed": "term_end"}, other="term_start") as refused:
            services.member_add(actor=request.user, council=council, **form.cleaned_data)
        if not refused:
            messages.success(request, _("成员已添加。"))
            return HttpResponseRedirect(reverse("council_detail", args=[council.pk]) + "#members")
    return _detail(request, council, status=400, member_form=form)


@login_required
@require_POST
def member_end_term(request: HttpRequest, pk: int) -> HttpResponse:
    member: CouncilMember = get_object_or_404(CouncilMember.objects.filter(council__in=_councils(request.user)), pk=pk)
    council = _council(request, member.council_id)
    require(request.user, Action.MANAGE_COUNCILS, council.community, services.MANAGE_REFUSAL)
    form = EndTermForm(request.POST)
    if form.is_valid():
        with refusals_on(form, other="term_end") as refused:
            services.member_end_term(actor=request.user, member=member, term_end=form.cleaned_data["term_end"])
        if not refused:
            messages.success(request, _("任期已结束。"))
            return HttpResponseRedirect(reverse("council_detail", args=[council.pk]) + "#members")
    return _detail(request, council, status=400, end_forms={member.pk: form})


@login_required
@require_http_methods(["GET", "POST"])
def session_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    council = _council(request, pk)
    require(request.user, Action.MANAGE_COUNCILS, council.community, services.MANAGE_REFUSAL)
    form = SessionForm(request.POST or None)
    form.fields["estate"].queryset = Estate.objects.filter(community=council.community)  # type: ignore[attr-defined]
    form.fields["topics"].queryset = council.topics.filter(  # type: ignore[attr-defined]
        status=TopicStatus.ACCEPTED, session__isnull=True
    ).order_by("created_at")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_on(form, {"bad_topic": "topics", "topics_required": "topics"}) as refused:
            session = services.session_schedule(
                actor=request.user,
                council=council,
                estate=data["estate"],
                starts_at=data["starts_at"],
                venue=data["venue"],
                topics=list(data["topics"]),
                duration_minutes=data["duration_minutes"],
            )
        if not refused:
            messages.success(request, _("会议已安排。"))
            return HttpResponseRedirect(reverse("council_session", args=[session.pk]))
    status = 400 if request.method == "POST" else 200
    back = reverse("council_detail", args=[council.pk])
    return render(
        request,
        "councils/form.html",
        {"form": form, "title": _("安排会议"), "council": council, "back": back},
        status=status,
    )


def _session(request: HttpRequest, pk: int) -> Session:
    session: Session = get_object_or_404(
        Session.objects.select_related(
            "meeting__estate__community__subdistrict", "council__community__subdistrict"
        ).filter(council__in=_councils(request.user)),
        pk=pk,
    )
    return session


def _session_page(request: HttpRequest, session: Session, status: int = 200, report_form: Any = None) -> HttpResponse:
    report = session.report if hasattr(session, "report") else None
    outcomes = list(report.outcomes.select_related("motion", "suggestion")) if report is not None else []
    manage = may(request.user, Action.MANAGE_COUNCILS, session.council.community)
    held = session.meeting.starts_at <= timezone.now()
    context = {
        "session": session,
        "council": session.council,
        "meeting": session.meeting,
        "topics": list(session.topics.all()),
        "report": report,
        "outcomes": outcomes,
        "done": sum(o.status == "done" for o in outcomes),
        "manage": manage,
        "meeting_visible": request.user.has_perm("places.view_meeting", session.meeting),
        "report_form": report_form or (ReportForm() if manage and held and report is None else None),
    }
    return render(request, "councils/session.html", context, status=status)


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_page(request, _session(request, pk))


@login_required
@require_POST
def session_report(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    require(request.user, Action.MANAGE_COUNCILS, session.council.community, services.MANAGE_REFUSAL)
    form = ReportForm(request.POST)
    if form.is_valid():
        rows = form.cleaned_data["outcomes"]
        motions = Motion.objects.in_bulk([int(ref) for kind, ref, _n in rows if kind == OutcomeKind.MOTION])
        # A suggestion given by its number links the outcome to it (its handling then shows here);
        # any other text stays a reference.
        suggestions = Suggestion.objects.in_bulk(
            [int(ref) for kind, ref, _n in rows if kind == OutcomeKind.SUGGESTION and ref.isdigit()]
        )
        entries = []
        for n, (kind, ref, note) in enumerate(rows, start=1):
            motion = motions.get(int(ref)) if kind == OutcomeKind.MOTION else None
            if kind == OutcomeKind.MOTION and motion is None:
                form.add_error("outcomes", _("第 %(n)s 行：找不到表决 %(ref)s。") % {"n": n, "ref": ref})
                return _session_page(request, session, status=400, report_form=form)
            suggestion = suggestions.get(int(ref)) if kind == OutcomeKind.SUGGESTION and ref.isdigit() else None
            if kind == OutcomeKind.SUGGESTION and ref.isdigit() and suggestion is None:
                form.add_error("outcomes", _("第 %(n)s 行：找不到建议 %(ref)s。") % {"n": n, "ref": ref})
                return _session_page(request, session, status=400, report_form=form)
            linked = motion is not None or suggestion is not None
            entries.append(
                services.OutcomeEntry("" if linked else ref, kind=kind, motion=motion, note=note, suggestion=suggestion)
            )
        with refusals_on(form, {"summary_required": "summary"}, other="outcomes") as refused:
            services.session_report(
                actor=request.user, session=session, summary=form.cleaned_data["summary"], outcomes=entries
            )
        if not refused:
            messages.success(request, _("会议报告已提交。"))
            return HttpResponseRedirect(reverse("council_session", args=[session.pk]))
    return _session_page(request, session, status=400, report_form=form)


@login_required
@require_POST
def outcome_update(request: HttpRequest, pk: int) -> HttpResponse:
    outcome: Outcome = get_object_or_404(
        Outcome.objects.select_related("report").filter(report__session__council__in=_councils(request.user)), pk=pk
    )
    session = _session(request, outcome.report.session_id)
    require(request.user, Action.MANAGE_COUNCILS, session.council.community, services.MANAGE_REFUSAL)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        with refusals_flashed(request) as refused:
            services.outcome_update(
                actor=request.user, outcome=outcome, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
        if not refused:
            messages.success(request, _("已更新。"))
    else:
        messages.error(request, _("状态无效。"))
    return HttpResponseRedirect(reverse("council_session", args=[session.pk]) + f"#outcome-{outcome.pk}")
