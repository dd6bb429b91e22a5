"""The three decisions per entrance created from the template (renewals.services.consultation_create /
consultation_open) and the maintenance fund's balances. The campaign board, which also reads the
deliberation meetings, is in gongzhi.portal (the floor above)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.forms import refusals_flashed, refusals_on
from gongzhi.core.params import IdMultipleChoiceField
from gongzhi.core.widgets import DATETIME_LOCAL_FORMATS, DateInput, DateTimeLocalInput
from gongzhi.places.access import Action
from gongzhi.places.selectors import access_entrances
from gongzhi.renewals import services
from gongzhi.renewals.models import Consultation, FundingPlan, Offer
from gongzhi.renewals.selectors import PUBLIC_STATUSES, access_plans


class ConsultationForm(forms.Form):
    plan = forms.ModelChoiceField(label=gettext_lazy("资金方案"), queryset=FundingPlan.objects.none())
    offers = IdMultipleChoiceField(
        label=gettext_lazy("品牌表决的报价"), queryset=Offer.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    opens_at = forms.DateTimeField(
        label=gettext_lazy("表决开始"), widget=DateTimeLocalInput(), input_formats=DATETIME_LOCAL_FORMATS
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("表决截止"), widget=DateTimeLocalInput(), input_formats=DATETIME_LOCAL_FORMATS
    )

    def __init__(self, *args: Any, plans: Any, offers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
        self.fields["offers"].queryset = offers  # type: ignore[attr-defined]


@login_required
def consultation_create(request: HttpRequest, entrance_id: int) -> HttpResponse:
    entrance = get_object_or_404(
        access_entrances(request.user, Action.MANAGE_RENEWAL).select_related("building__estate__community"),
        pk=entrance_id,
    )
    plans = access_plans(request.user, Action.MANAGE_RENEWAL).filter(entrance=entrance)
    offers = Offer.objects.filter(
        campaign__subdistrict_id=entrance.building.estate.community.subdistrict_id, status__in=PUBLIC_STATUSES
    ).select_related("vendor")
    now = timezone.localtime()
    initial = {
        "opens_at": (now + dt.timedelta(days=8)).replace(hour=8, minute=0, second=0, microsecond=0),
        "closes_at": (now + dt.timedelta(days=22)).replace(hour=20, minute=0, second=0, microsecond=0),
    }
    form = ConsultationForm(request.POST or None, initial=initial, plans=plans, offers=offers)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form) as refused:
            consultation = services.consultation_create(
                actor=request.user,
                plan=form.cleaned_data["plan"],
                offers=list(form.cleaned_data["offers"]),
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
            )
        if not refused:
            messages.success(request, _("已按模板创建三项表决（草稿）。"))
            return HttpResponseRedirect(reverse("consultation_detail", args=[consultation.pk]))
    return render(request, "renewals/consultation_form.html", {"entrance": entrance, "form": form})


def _consultation(request: HttpRequest, pk: int) -> Consultation:
    entrances = access_entrances(request.user, Action.VIEW_MOTION)
    consultation: Consultation = get_object_or_404(
        Consultation.objects.select_related(
            "entrance__building__estate",
            "campaign",
            "plan__offer__vendor",
            "replace_motion",
            "brand_motion",
            "funding_motion",
        ).filter(entrance__in=entrances),
        pk=pk,
    )
    return consultation


@login_required
@require_GET
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    can_manage = request.user.has_perm(f"places.{Action.MANAGE_RENEWAL.value}", consultation.entrance)
    return render(
        request,
        "renewals/consultation_detail.html",
        {"c": consultation, "can_manage": can_manage, "draft": consultation.replace_motion.status == "draft"},
    )


@login_required
@require_POST
def consultation_open(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    if not request.user.has_perm(f"places.{Action.MANAGE_RENEWAL.value}", consultation.entrance):
        raise PermissionDenied
    with refusals_flashed(request) as refused:
        services.consultation_open(actor=request.user, consultation=consultation)
    if not refused:
        messages.success(request, _("三项表决已公告，名册已冻结，参与表决的报价已锁定。"))
    return HttpResponseRedirect(reverse("consultation_detail", args=[consultation.pk]))


class FundBalanceForm(forms.Form):
    balance = forms.DecimalField(label=gettext_lazy("余额(元)"), max_digits=14, decimal_places=2, min_value=0)
    as_of = forms.DateField(label=gettext_lazy("截至日期"), widget=DateInput())
    source = forms.CharField(label=gettext_lazy("来源（如：维修资金管理中心对账单）"), max_length=255, required=False)


@login_required
def fund_balance(request: HttpRequest, entrance_id: int) -> HttpResponse:
    """The entrance's maintenance fund balances as reported; a funding plan uses no more than the latest."""
    entrance = get_object_or_404(
        access_entrances(request.user, Action.MANAGE_RENEWAL).select_related("building__estate"), pk=entrance_id
    )
    form = FundBalanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_on(form) as refused:
            services.fund_balance_record(
                actor=request.user,
                entrance=entrance,
                balance=form.cleaned_data["balance"],
                as_of=form.cleaned_data["as_of"],
                source=form.cleaned_data["source"],
            )
        if not refused:
            messages.success(request, _("维修资金余额已登记。"))
            return HttpResponseRedirect(reverse("fund_balance", args=[entrance.pk]))
    return render(
        request,
        "renewals/fund_balance.html",
        {"entrance": entrance, "form": form, "balances": entrance.fund_balances.select_related("recorded_by")[:50]},
    )
