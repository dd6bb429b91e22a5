"""Pages of residents' suggestions (issue 6, item 1): a resident submits one and follows their own;
staff work their inbox; a department works what was dispatched to it; the public board; the
dashboard.

parse → access check → service → render (DESIGN.md convention 2). A suggestion the user may not see
is a 404 (selectors.access_visible); an action the service refuses is a 403; a rule it refuses is
shown as a message on the detail page.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.actors import Actor
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.files import private_file_response
from gongzhi.core.forms import refusals_flashed, refusals_on
from gongzhi.places.access import Action, may, user_access
from gongzhi.places.models import Community
from gongzhi.suggestions import selectors as sel
from gongzhi.suggestions import services as sv
from gongzhi.suggestions.forms import (
    AnswerForm,
    DecideForm,
    DepartmentForm,
    EscalateForm,
    ExtendForm,
    InboxFilterForm,
    MergeForm,
    NoteForm,
    RateForm,
    ReasonForm,
    RecordForm,
    SubmitForm,
)
from gongzhi.suggestions.models import (
    OPEN_STATUSES,
    Department,
    Deputy,
    ExtensionRequest,
    ExtensionStatus,
    Rating,
    Status,
    Suggestion,
    SuggestionCategory,
    SuggestionPhoto,
)
from gongzhi.workdays.services import current_calendar

PAGE_SIZE = 50
_SUBMIT_FIELDS = {
    "title_required": "title",
    "text_required": "text",
    "category_inactive": "category",
    "photos_count": "photo1",
    "photo_too_large": "photo1",
    "photo_type": "photo1",
    "future_date": "received_on",
    "bad_source": "source",
    "wrong_community": "community",
    "wrong_estate": "category",
}


def _today() -> dt.date:
    return timezone.localdate()


def _visible(request: HttpRequest, public_id: uuid.UUID) -> Suggestion:
    s: Suggestion = get_object_or_404(
        sel.access_visible(request.user).select_related(
            "subdistrict", "category", "department", "deputy", "merged_into", "origin", "community", "estate"
        ),
        public_id=public_id,
    )
    return s


def _staff_subdistricts(user: Actor, action: Action) -> set[int] | None:
    return user_access(user).subdistricts(action)


def _active_categories(subdistricts: set[int] | None = None) -> QuerySet[SuggestionCategory]:
    qs = (
        SuggestionCategory.objects.filter(active=True)
        .select_related("subdistrict")
        .order_by("subdistrict__name", "name")
    )
    return qs if subdistricts is None else qs.filter(subdistrict_id__in=subdistricts)


def _query(request: HttpRequest) -> str:
    """The query string without the page number (for the pager's links)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _submit_error(form: Any, exc: DomainError) -> None:
    field = _SUBMIT_FIELDS.get(exc.code)
    form.add_error(field if field in form.fields else None, exc.message)


# --- residents ----------------------------------------------------------------------------------


@login_required
def submit(request: HttpRequest) -> HttpResponse:
    form = SubmitForm(request.POST or None, request.FILES or None, categories=_active_categories())
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, _SUBMIT_FIELDS) as refused:
            s = sv.suggestion_submit(
                actor=request.user,
                category=form.cleaned_data["category"],
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                place=form.cleaned_data["place"],
                phone=form.cleaned_data["phone"],
                photos=form.photos(),
            )
        if not refused:
            messages.success(request, _("已提交，办理期限 %(due)s。") % {"due": s.due_on.isoformat()})
            return HttpResponseRedirect(reverse("suggestion_detail", args=[s.public_id]))
    return render(request, "suggestions/submit.html", {"form": form, "title": _("我要反映")})


@login_required
def record(request: HttpRequest) -> HttpResponse:
    subdistricts = _staff_subdistricts(request.user, Action.MANAGE_SUGGESTIONS)
    if subdistricts is not None and not subdistricts:
        raise PermissionDenied
    communities = Community.objects.order_by("name")
    if subdistricts is not None:
        communities = communities.filter(subdistrict_id__in=subdistricts)
    form = RecordForm(
        request.POST or None,
        request.FILES or None,
        categories=_active_categories(subdistricts),
        communities=communities,
    )
    if request.method == "POST" and form.is_valid():
        try:
            s = sv.suggestion_record(
                actor=request.user,
                category=form.cleaned_data["category"],
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                place=form.cleaned_data["place"],
                phone=form.cleaned_data["phone"],
                source=form.cleaned_data["source"],
                name=form.cleaned_data["name"],
                received_on=form.cleaned_data["received_on"],
                community=form.cleaned_data["community"],
                photos=form.photos(),
            )
        except AccessDeniedError:
            # The user manages suggestions somewhere in these subdistricts, but not at this level.
            form.add_error("community", _("您只能登记本人负责范围内的诉求，请选择社区。"))
        except DomainError as exc:
            _submit_error(form, exc)
        else:
            messages.success(request, _("已登记。"))
            return HttpResponseRedirect(reverse("suggestion_detail", args=[s.public_id]))
    return render(request, "suggestions/submit.html", {"form": form, "title": _("登记诉求")})


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    rows = sel.access_own(request.user).select_related("category", "merged_into").order_by("-received_on", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "suggestions/mine.html", {"page": page, "today": _today()})


# --- staff and departments ----------------------------------------------------------------------


def _rows(qs: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    return qs.select_related("category", "department").order_by("due_on", "id")


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Staff: every suggestion in scope, filtered by status, category, department, overdue, due soon."""
    if not sel.has_staff_scope(request.user):
        raise PermissionDenied
    subdistricts = _staff_subdistricts(request.user, Action.VIEW_SUGGESTIONS)
    categories = list(_active_categories(subdistricts))
    departments = Department.objects.order_by("name")
    if subdistricts is not None:
        departments = departments.filter(subdistrict_id__in=subdistricts)
    form = InboxFilterForm(
        request.GET or None,
        categories=[(c.pk, c.name) for c in categories],
        departments=list(departments.values_list("id", "name")),
    )
    qs = sel.access_staff(request.user)
    today = _today()
    calendar = None
    if form.is_valid():
        d = form.cleaned_data
        if d["status"]:
            qs = qs.filter(status=d["status"])
        if d["category"]:
            qs = qs.filter(category_id=d["category"])
        if d["department"]:
            qs = qs.filter(department_id=d["department"])
        if d["overdue"]:
            qs = qs.filter(sel.overdue_q(today))
        if d["due_soon"]:
            calendar = current_calendar()
            qs = qs.filter(sel.due_soon_q(today, calendar, categories))
    page = Paginator(_rows(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "suggestions/inbox.html",
        {
            "page": page,
            "form": form,
            "today": today,
            "title": _("诉求办理"),
            "can_record": sel.has_staff_scope(request.user, Action.MANAGE_SUGGESTIONS),
            "query": _query(request),
        },
    )


@login_required
@require_GET
def department_inbox(request: HttpRequest) -> HttpResponse:
    """A department's members: only what was dispatched to their departments."""
    if not sel.department_ids(request.user):
        raise PermissionDenied
    qs = sel.access_department(request.user)
    status = request.GET.get("status")
    if status in Status.values:
        qs = qs.filter(status=status)
    page = Paginator(_rows(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "suggestions/inbox.html",
        {"page": page, "form": None, "today": _today(), "title": _("本部门诉求"), "can_record": False},
    )


@login_required
@require_GET
def deputy_inbox(request: HttpRequest) -> HttpResponse:
    """A people's congress deputy: the suggestions escalated to them and their deputy's suggestions."""
    deputies = list(Deputy.objects.filter(user_id=request.user.pk or 0).values_list("id", flat=True))
    if not deputies:
        raise PermissionDenied
    qs = Suggestion.objects.filter(deputy_id__in=deputies)
    page = Paginator(_rows(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "suggestions/inbox.html",
        {"page": page, "form": None, "today": _today(), "title": _("转给我的诉求"), "can_record": False},
    )


def _permissions(user: Actor, s: Suggestion, member: bool, staff_view: bool) -> dict[str, bool]:
    manage = may(user, Action.MANAGE_SUGGESTIONS, s)
    is_open = s.status in OPEN_STATUSES
    return {
        "dispatch": manage and s.status in (Status.SUBMITTED, Status.BOUNCED),
        "force": manage and s.status == Status.BOUNCED,
        "sign": member and s.status == Status.DISPATCHED,
        "bounce": member and s.status == Status.DISPATCHED,
        "answer": member and s.status == Status.HANDLING,
        "extend": member and s.status in (Status.DISPATCHED, Status.HANDLING) and _today() <= s.due_on,
        "decide": manage and is_open and _today() <= s.due_on,
        "rate": s.submitter_id == getattr(user, "pk", None) and s.status == Status.ANSWERED,
        "close": manage and s.status == Status.ANSWERED,
        "escalate": manage and s.status != Status.CLOSED and s.source != "deputy",
        "adopt": s.deputy is not None and s.deputy.user_id == getattr(user, "pk", None),
        "merge": manage and is_open,
        "personal": staff_view or member or s.submitter_id == getattr(user, "pk", None),
    }


@login_required
@require_GET
def detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    s = _visible(request, public_id)
    member = s.department_id is not None and s.department_id in sel.department_ids(request.user)
    staff_view = may(request.user, Action.VIEW_SUGGESTIONS, s)
    can = _permissions(request.user, s, member, staff_view)
    ctx: dict[str, Any] = {
        "s": s,
        "can": can,
        "today": _today(),
        "overdue": sel.is_overdue(s, _today()),
        "events": list(s.events.select_related("actor")),
        "photos": list(s.photos.all()) if can["personal"] else [],
        "ratings": Rating.choices,
        "answer_of": s.merged_into if s.merged_into_id else s,
    }
    if can["decide"]:
        ctx["pending"] = list(s.extensions.filter(status=ExtensionStatus.PENDING))
    if can["dispatch"] or can["force"]:
        ctx["departments"] = list(Department.objects.filter(subdistrict_id=s.subdistrict_id, active=True))
    if can["escalate"]:
        ctx["deputies"] = list(Deputy.objects.filter(subdistrict_id=s.subdistrict_id))
    if can["adopt"]:
        can["adopt"] = not s.deputy_suggestions.exists()
    if can["merge"]:
        ctx["merge_targets"] = list(
            Suggestion.objects.filter(
                subdistrict_id=s.subdistrict_id, merged_into__isnull=True, category_id=s.category_id
            )
            .exclude(pk=s.pk)
            .only("public_id", "title", "received_on")[:50]
        )
    return render(request, "suggestions/detail.html", ctx)


def _read(form: forms.Form, code: str) -> dict[str, Any]:
    """The form's cleaned data, or its first error as the refusal shown on the suggestion's page."""
    if not form.is_valid():
        raise DomainError(str(next(iter(form.errors.values()))[0]), code=code)
    return form.cleaned_data


def _act_dispatch(request: HttpRequest, s: Suggestion) -> Any:
    data = _read(DepartmentForm(request.POST, departments=Department.objects.all()), "department_required")
    return sv.suggestion_dispatch(actor=request.user, suggestion=s, department=data["department"], note=data["note"])


def _act_force(request: HttpRequest, s: Suggestion) -> Any:
    data = _read(DepartmentForm(request.POST, departments=Department.objects.all()), "department_required")
    return sv.suggestion_force(actor=request.user, suggestion=s, department=data["department"], note=data["note"])


def _act_sign(request: HttpRequest, s: Suggestion) -> Any:
    return sv.suggestion_sign(actor=request.user, suggestion=s)


def _act_bounce(request: HttpRequest, s: Suggestion) -> Any:
    data = _read(ReasonForm(request.POST), "bad_input")
    return sv.suggestion_bounce(actor=request.user, suggestion=s, reason=data["reason"])


def _act_answer(request: HttpRequest, s: Suggestion) -> Any:
    data = _read(AnswerForm(request.POST), "bad_input")
    return sv.suggestion_answer(actor=request.user, suggestion=s, answer=data["answer"])


def _act_rate(request: HttpRequest, s: Suggestion) -> Any:
    data = _read(RateForm(request.POST), "bad_input")
    return sv.suggestion_rate(actor=request.user, suggestion=s, rating=data["rating"], note=data["note"])


def _act_close(request: HttpRequest, s: Suggestion) -> Any:
    data = _read(NoteForm(request.POST), "bad_input")
    return sv.suggestion_close(actor=request.user, suggestion=s, note=data["note"])


def _act_extend(request: HttpRequest, s: Suggestion) -> Any:
    data = _read(ExtendForm(request.POST), "bad_number")
    return sv.extension_request(
        actor=request.user, suggestion=s, working_days=data["working_days"], reason=data["reason"]
    )


def _act_decide(request: HttpRequest, s: Suggestion) -> Any:
    form = DecideForm(request.POST)
    pk = form.extension_id() if form.is_valid() else None
    ext = ExtensionRequest.objects.filter(suggestion=s, pk=pk).first() if pk is not None else None
    if ext is None:
        raise Http404
    return sv.extension_decide(actor=request.user, extension=ext, approve=form.cleaned_data["approve"] == "1")


def _act_escalate(request: HttpRequest, s: Suggestion) -> Any:
    data = _read(EscalateForm(request.POST, deputies=Deputy.objects.all()), "deputy_required")
    return sv.suggestion_escalate(actor=request.user, suggestion=s, deputy=data["deputy"], note=data["note"])


def _act_adopt(request: HttpRequest, s: Suggestion) -> Any:
    return sv.suggestion_adopt(actor=request.user, suggestion=s)


def _act_merge(request: HttpRequest, s: Suggestion) -> Any:
    data = _read(MergeForm(request.POST), "kept_required")
    kept = sel.access_visible(request.user).filter(public_id=data["kept"]).first()
    if kept is None:
        raise DomainError(_("请选择保留的诉求。"), code="kept_required")
    return sv.suggestion_merge(actor=request.user, merged=s, kept=kept, note=data["note"])


ACTIONS: dict[str, Callable[[HttpRequest, Suggestion], Any]] = {
    "dispatch": _act_dispatch,
    "force": _act_force,
    "sign": _act_sign,
    "bounce": _act_bounce,
    "answer": _act_answer,
    "rate": _act_rate,
    "close": _act_close,
    "extend": _act_extend,
    "decide": _act_decide,
    "escalate": _act_escalate,
    "adopt": _act_adopt,
    "merge": _act_merge,
}


@login_required
@require_POST
def act(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponseBase:
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    s = _visible(request, public_id)
    target = s
    with refusals_flashed(request) as refused:
        result = handler(request, s)
    if not refused:
        messages.success(request, _("已保存。"))
        if isinstance(result, Suggestion) and action == "adopt":
            target = result
    return HttpResponseRedirect(reverse("suggestion_detail", args=[target.public_id]))


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    p = get_object_or_404(SuggestionPhoto.objects.select_related("suggestion__subdistrict"), pk=pk)
    s = p.suggestion
    if not sel.access_visible(request.user).filter(pk=s.pk).exists():
        raise Http404
    member = s.department_id is not None and s.department_id in sel.department_ids(request.user)
    own = s.submitter_id == request.user.pk
    if not (own or member or may(request.user, Action.VIEW_SUGGESTIONS, s)):
        raise Http404
    return private_file_response(p.file, f"suggestion-{s.public_id}-{p.pk}")


# --- public board and dashboard -----------------------------------------------------------------


@require_GET
def public_board(request: HttpRequest) -> HttpResponse:
    """No login: category, title, masked text, place, status, dates and answer; no names or phones."""
    qs = sel.board().order_by("-received_on", "-id")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    rows = [
        {
            "title": sel.mask(s.title),
            "text": sel.mask(s.text),
            "place": sel.mask(s.place),
            "category": s.category.name,
            "status": s.get_status_display(),
            "status_key": s.status,
            "received_on": s.received_on,
            "answered_on": timezone.localdate(s.answered_at) if s.answered_at else None,
            "answer": sel.mask(s.answer),
        }
        for s in page
    ]
    return render(request, "suggestions/board.html", {"page": page, "rows": rows})


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if not sel.has_staff_scope(request.user):
        raise PermissionDenied
    r = sel.rates(sel.access_staff(request.user))

    def series(rows: list[sel.Rates]) -> dict[str, Any]:
        return {
            "labels": [x.key for x in rows],
            "response": [x.response_rate for x in rows],
            "resolution": [x.resolution_rate for x in rows],
            "on_time": [x.on_time_rate for x in rows],
            "satisfaction": [x.satisfaction_rate for x in rows],
        }

    charts = {
        "department": series(r["department"]),
        "month": series(r["month"]),
        "text": {
            "response": _("响应率"),
            "resolution": _("办结率"),
            "on_time": _("按时答复率"),
            "satisfaction": _("满意率"),
        },
    }
    return render(
        request,
        "suggestions/dashboard.html",
        {"by_department": r["department"], "by_month": r["month"], "charts": charts},
    )
