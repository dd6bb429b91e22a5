"""Pages of spaces for services: the spaces of each community with their current agreement and
its flags, adding spaces and partners, an agreement's page (obligations, deliveries and the
shortfall per period as a chart and a table, reviews), logging a delivery on a phone (a partner's
members, for their own agreements) and the annual review.

parse → access check → service → render. Agreements are looked up through
selectors.access_agreements (404 outside it); managing needs MANAGE_SPACES (403 otherwise)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.files import private_file_response
from gongzhi.core.forms import refusals_on
from gongzhi.councils import scope
from gongzhi.places.access import Action, may, require
from gongzhi.spaces import periods, services
from gongzhi.spaces.forms import AgreementForm, AgreementReviewForm, FulfilmentForm, PartnerForm, SpaceForm
from gongzhi.spaces.models import Agreement, AgreementStatus, Evidence, Fulfilment, Partner, Space
from gongzhi.spaces.rules import SpaceAction
from gongzhi.spaces.selectors import access_agreements, access_spaces, obligation_statuses

_DELIVERY_FIELDS = {
    "bad_date": "date",
    "future_date": "date",
    "bad_quantity": "quantity",
    "file_required": "evidence",
    "file_too_large": "evidence",
    "file_type": "evidence",
}
_AGREEMENT_FIELDS = {"dates_reversed": "end", "term_too_long": "end", "bad_review_on": "review_on", "overlap": "start"}


def _agreement(request: HttpRequest, pk: int) -> Agreement:
    agreement: Agreement = get_object_or_404(
        access_agreements(request.user).select_related("space__community__subdistrict", "partner"), pk=pk
    )
    return agreement


def _counts(agreements: list[Agreement], today: dt.date) -> dict[int, int]:
    """Short periods per agreement, in two queries for all of them."""
    from gongzhi.spaces.models import Obligation

    obligations = list(Obligation.objects.filter(agreement__in=agreements))
    got: dict[int, list[tuple[dt.date, Any]]] = {o.pk: [] for o in obligations}
    for oid, day, qty in Fulfilment.objects.filter(obligation__in=obligations).values_list(
        "obligation_id", "date", "quantity"
    ):
        got[oid].append((day, qty))
    by_id = {a.pk: a for a in agreements}
    out: dict[int, int] = dict.fromkeys(by_id, 0)
    for o in obligations:
        a = by_id[o.agreement_id]
        rows = periods.shortfall(a.start, a.end, o.period, o.quantity, got[o.pk], today)
        out[a.pk] += sum(r.short for r in rows)
    return out


@login_required
def space_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    spaces = list(access_spaces(request.user).select_related("community").order_by("community__name", "name"))
    agreements = list(
        access_agreements(request.user)
        .filter(space__in=spaces, status=AgreementStatus.ACTIVE)
        .select_related("partner")
        .order_by("start")
    )
    short = _counts(agreements, today)
    current: dict[int, list[Agreement]] = {}
    for a in agreements:
        a.short_periods = short[a.pk]  # type: ignore[attr-defined]
        a.review_is_due = services.review_due(a, today)  # type: ignore[attr-defined]
        current.setdefault(a.space_id, []).append(a)
    groups: dict[int, dict[str, Any]] = {}
    for space in spaces:
        space.current = current.get(space.pk, [])  # type: ignore[attr-defined]
        groups.setdefault(space.community_id, {"community": space.community, "spaces": []})["spaces"].append(space)
    manageable = list(scope.visible_communities(request.user, Action.MANAGE_SPACES))
    return render(request, "spaces/list.html", {"groups": list(groups.values()), "manageable": manageable})


def _form_page(request: HttpRequest, form: Any, title: str, back: str, subtitle: str = "") -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    return render(
        request, "spaces/form.html", {"form": form, "title": title, "back": back, "subtitle": subtitle}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def space_create(request: HttpRequest, community_id: int) -> HttpResponse:
    community = get_object_or_404(scope.visible_communities(request.user), pk=community_id)
    require(request.user, Action.MANAGE_SPACES, community, services.MANAGE_REFUSAL)
    form = SpaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, {"bad_quantity": "area_m2"}, other="name") as refused:
            services.space_create(actor=request.user, community=community, **form.cleaned_data)
        if not refused:
            messages.success(request, _("空间已登记。"))
            return HttpResponseRedirect(reverse("space_list"))
    return _form_page(request, form, _("登记空间"), reverse("space_list"), community.name)


@login_required
@require_http_methods(["GET", "POST"])
def partner_create(request: HttpRequest, community_id: int) -> HttpResponse:
    community = get_object_or_404(scope.visible_communities(request.user), pk=community_id)
    require(request.user, Action.MANAGE_SPACES, community, services.MANAGE_REFUSAL)
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form, other="name") as refused:
            services.partner_create(actor=request.user, community=community, **form.cleaned_data)
        if not refused:
            messages.success(request, _("合作方已登记。"))
            return HttpResponseRedirect(reverse("space_list"))
    return _form_page(request, form, _("登记合作方"), reverse("space_list"), community.name)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest, space_id: int) -> HttpResponse:
    space: Space = get_object_or_404(access_spaces(request.user).select_related("community__subdistrict"), pk=space_id)
    require(request.user, Action.MANAGE_SPACES, space.community, services.MANAGE_REFUSAL)
    form = AgreementForm(request.POST or None)
    form.fields["partner"].queryset = Partner.objects.filter(community=space.community)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_on(form, _AGREEMENT_FIELDS, other="obligations") as refused:
            agreement = services.agreement_create(actor=request.user, space=space, **data)
        if not refused:
            messages.success(request, _("协议已登记。"))
            return HttpResponseRedirect(reverse("space_agreement", args=[agreement.pk]))
    return _form_page(request, form, _("登记协议"), reverse("space_list"), space.name)


def _chart(statuses: list[Any]) -> dict[str, Any]:
    items = [
        {
            "title": f"{st.obligation.description}（{st.obligation.unit}）",
            "periods": [f"{r.start:%Y-%m-%d}" for r in st.rows],
            "owed": [str(r.owed) for r in st.rows],
            "delivered": [str(r.delivered) for r in st.rows],
            "short": [r.short for r in st.rows],
        }
        for st in statuses
    ]
    return {"labels": {"owed": _("应提供"), "delivered": _("已提供")}, "items": items}


def _page(request: HttpRequest, agreement: Agreement, status: int = 200, review_form: Any = None) -> HttpResponse:
    today = timezone.localdate()
    statuses = obligation_statuses(agreement, today)
    deliveries = list(
        Fulfilment.objects.filter(obligation__agreement=agreement)
        .select_related("obligation", "logged_by")
        .prefetch_related("evidence")
    )
    manage = may(request.user, Action.MANAGE_SPACES, agreement.space.community)
    context = {
        "agreement": agreement,
        "statuses": statuses,
        "chart": _chart(statuses),
        "deliveries": deliveries,
        "reviews": list(agreement.reviews.select_related("reviewed_by")),
        "review_due": services.review_due(agreement, today),
        "manage": manage,
        "may_log": agreement.status == AgreementStatus.ACTIVE
        and may(request.user, SpaceAction.LOG_FULFILMENT, agreement),
        "review_form": review_form
        or (
            AgreementReviewForm(initial={"date": today})
            if manage and agreement.status == AgreementStatus.ACTIVE
            else None
        ),
        "flagged": sum(len(st.flagged) for st in statuses),
    }
    return render(request, "spaces/agreement.html", context, status=status)


@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _agreement(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def fulfilment_log(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    require(request.user, SpaceAction.LOG_FULFILMENT, agreement)
    form = FulfilmentForm(request.POST or None, request.FILES or None, initial={"date": timezone.localdate()})
    form.fields["obligation"].queryset = agreement.obligations.all()  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_on(form, _DELIVERY_FIELDS) as refused:
            services.fulfilment_log(
                actor=request.user,
                obligation=data["obligation"],
                date=data["date"],
                quantity_delivered=data["quantity"],
                note=data["note"],
                files=data["evidence"],
            )
        if not refused:
            messages.success(request, _("服务已登记。"))
            return HttpResponseRedirect(reverse("space_agreement", args=[agreement.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "spaces/delivery_form.html", {"form": form, "agreement": agreement}, status=status)


@login_required
@require_POST
def review_record(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    require(request.user, Action.MANAGE_SPACES, agreement.space.community, services.MANAGE_REFUSAL)
    form = AgreementReviewForm(request.POST)
    if form.is_valid():
        with refusals_on(form, {"note_required": "note"}, other="date") as refused:
            services.review_record(actor=request.user, agreement=agreement, **form.cleaned_data)
        if not refused:
            messages.success(request, _("评估已记录。"))
            return HttpResponseRedirect(reverse("space_agreement", args=[agreement.pk]))
    return _page(request, agreement, status=400, review_form=form)


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence: Evidence = get_object_or_404(
        Evidence.objects.filter(delivery__obligation__agreement__in=access_agreements(request.user)), pk=pk
    )
    return private_file_response(evidence.file, f"delivery{evidence.delivery_id}-{evidence.pk}")
