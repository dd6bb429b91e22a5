"""Pages of the renewal consultation: vendors' offers, the side-by-side comparison owners open
before voting, and an entrance's funding plan with each apartment's share (issue 4, items 2-3).

parse → access check → service → render (DESIGN.md convention 2). Campaigns, offers, entrances and
plans are looked up through the access_* selectors, so an object outside the user's scope is a
404 that does not reveal it exists; a finer right inside the scope (writing an offer, making a
plan) is a 403. A vendor sees only its own offers and never the ballots or the plans (issue 4,
"Bad input and safety"); an offer is locked once a brand motion opens on it, and the page shows
the service's refusal rather than deciding itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.actors import RequestUser, acting_user
from gongzhi.core.files import private_file_response
from gongzhi.core.forms import refusals_flashed, refusals_on
from gongzhi.core.money import format_yuan
from gongzhi.core.params import parse_ids
from gongzhi.elevators.models import Campaign, CampaignStatus
from gongzhi.elevators.selectors import access_campaigns, access_elevators
from gongzhi.places.access import Action, user_access
from gongzhi.places.models import Entrance, Role
from gongzhi.places.selectors import access_apartments, access_entrances
from gongzhi.renewals import apportionment, services
from gongzhi.renewals.forms import (
    FLOOR_METHODS,
    FundingPlanForm,
    OfferForm,
    OfferPriceFormSet,
    price_initial,
    price_lines,
)
from gongzhi.renewals.models import ApportionMethod, FundingPlan, Offer, OfferDocument, OfferStatus, Vendor
from gongzhi.renewals.selectors import COMPARED, PUBLIC_STATUSES, access_offers, access_plans, compare_offers

_LOCKED = OfferStatus.LOCKED.value


# --- helpers ------------------------------------------------------------------------------------


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign: Campaign = get_object_or_404(access_campaigns(request.user), pk=campaign_id)
    return campaign


def _vendor_of(user: RequestUser, campaign: Campaign) -> Vendor | None:
    """The user's Vendor in the campaign's subdistrict (a vendor quotes only where it is registered)."""
    member = acting_user(user)
    if member is None:
        return None
    return Vendor.objects.filter(members=member, subdistrict_id=campaign.subdistrict_id).order_by("name").first()


def _is_member(user: RequestUser, offer: Offer) -> bool:
    member = acting_user(user)
    return member is not None and Vendor.objects.filter(pk=offer.vendor_id, members=member).exists()


def _visible_plans(user: RequestUser) -> QuerySet[FundingPlan]:
    """The plans the user may open. A vendor (an account with only the vendor role) sees none: it
    has a commercial stake in the choice and the plan names the chosen offer and the owners' part."""
    access = user_access(user)
    if not access.superuser and access.roles and access.roles <= {Role.VENDOR.value}:
        return access_plans(user).none()
    return access_plans(user)


# --- offers ---------------------------------------------------------------------------------------


@login_required
@require_GET
def offer_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A vendor's own offers (drafts included, with their actions); for everyone else who sees the
    campaign, the submitted and locked offers."""
    campaign = _campaign(request, campaign_id)
    vendor = _vendor_of(request.user, campaign)
    offers = access_offers(request.user, campaign)
    offers = offers.filter(vendor=vendor) if vendor is not None else offers.filter(status__in=PUBLIC_STATUSES)
    rows = [
        {
            "offer": offer,
            "price": format_yuan(offer.price_per_elevator),
            "prices": [(p.configuration, format_yuan(p.price)) for p in offer.prices.all()],
        }
        for offer in offers
    ]
    return render(
        request,
        "renewals/offer_list.html",
        {
            "campaign": campaign,
            "vendor": vendor,
            "offers": rows,
            "can_compare": vendor is None and len(rows) > 1,
            "locked": _LOCKED,
            "open": campaign.status == CampaignStatus.OPEN,
        },
    )


def _offer_form_page(request: HttpRequest, *, campaign: Campaign, vendor: Vendor, offer: Offer | None) -> HttpResponse:
    locked = offer is not None and offer.status == OfferStatus.LOCKED
    others = access_offers(request.user, campaign).filter(vendor=vendor)
    if offer is not None:
        others = others.exclude(pk=offer.pk)
    status = 200
    if request.method == "POST":
        form = OfferForm(request.POST, instance=offer, duplicates=others)
        formset = OfferPriceFormSet(request.POST, prefix="prices")
        if form.is_valid() and formset.is_valid():
            with refusals_on(form) as refused:
                saved = services.offer_save(
                    actor=request.user,
                    vendor=vendor,
                    campaign=campaign,
                    data=form.offer_data(),
                    prices=price_lines(formset),
                    offer=offer,
                )
                if "submit" in request.POST and saved.status in {OfferStatus.DRAFT, OfferStatus.WITHDRAWN}:
                    services.offer_submit(actor=request.user, offer=saved)
            if refused:
                status = 400
            else:
                messages.success(request, _("报价已保存。"))
                return HttpResponseRedirect(reverse("offer_list", args=[campaign.pk]))
        else:
            status = 400
    else:
        form = OfferForm(instance=offer, duplicates=others)
        formset = OfferPriceFormSet(
            prefix="prices", initial=price_initial(offer.prices.all()) if offer is not None else None
        )
    return render(
        request,
        "renewals/offer_form.html",
        {
            "campaign": campaign,
            "vendor": vendor,
            "offer": offer,
            "form": form,
            "formset": formset,
            "locked": locked,
            "locked_message": _("报价已锁定（品牌表决已开始），变更须重新发起表决。") if locked else "",
            "can_submit": offer is None or offer.status in {OfferStatus.DRAFT, OfferStatus.WITHDRAWN},
        },
        status=status,
    )


@login_required
def offer_create(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    vendor = _vendor_of(request.user, campaign)
    if vendor is None:
        raise PermissionDenied(
            _("只有本街道登记的品牌方账号可以报价。如您代表品牌方，请联系街道工作人员将您的账号加入该品牌方。")
        )
    return _offer_form_page(request, campaign=campaign, vendor=vendor, offer=None)


@login_required
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer: Offer = get_object_or_404(access_offers(request.user), pk=pk)
    if not _is_member(request.user, offer):
        raise PermissionDenied(_("只有该品牌方的账号可以编辑其报价。"))
    return _offer_form_page(request, campaign=offer.campaign, vendor=offer.vendor, offer=offer)


def _offer_action(request: HttpRequest, pk: int, call: Any, success: str) -> HttpResponse:
    offer: Offer = get_object_or_404(access_offers(request.user), pk=pk)
    with refusals_flashed(request) as refused:
        call(offer)
    if not refused:
        messages.success(request, success)
    return HttpResponseRedirect(reverse("offer_list", args=[offer.campaign_id]))


@login_required
@require_POST
def offer_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _offer_action(
        request,
        pk,
        lambda offer: services.offer_submit(actor=request.user, offer=offer),
        _("报价已提交，业主和工作人员现在可以看到。"),
    )


@login_required
@require_POST
def offer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _offer_action(
        request,
        pk,
        lambda offer: services.offer_withdraw(actor=request.user, offer=offer),
        _("报价已撤回。"),
    )


# --- the side-by-side comparison ------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    offer: int
    text: str
    best: bool


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: list[Cell]
    differs: bool


def _cell_text(key: str, value: Any) -> str:
    if value in ("", None):
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if key == "price_per_elevator":
        return format_yuan(value)
    return str(value)


def _picked(request: HttpRequest) -> set[int] | None:
    """?offers=1,2,3 (or the checkboxes' offers=1&offers=2): the offers to compare; None for all."""
    ids = set(parse_ids(request.GET.getlist("offers")))  # ASCII digits in range; the rest ignored
    return ids or None


@login_required
@require_GET
def offer_compare(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """All submitted offers of a campaign side by side on a phone: one column per offer, the
    attribute names in a sticky first column, rows whose values differ highlighted and the best
    value of each (lowest price and days, highest load, speed and years) marked."""
    campaign = _campaign(request, campaign_id)
    available = list(access_offers(request.user, campaign).filter(status__in=PUBLIC_STATUSES))
    picked = _picked(request)
    offers = [o for o in available if picked is None or o.pk in picked] or available
    labels = {key: str(getattr(Offer._meta.get_field(key), "verbose_name", key)) for key, _better in COMPARED}
    rows = [
        Row(
            key=row.key,
            label=labels[row.key],
            cells=[Cell(offers[i].pk, _cell_text(row.key, v), i in row.best) for i, v in enumerate(row.values)],
            differs=row.differs,
        )
        for row in compare_offers(offers)
    ]
    configurations = [[f"{p.configuration}：{format_yuan(p.price)}" for p in offer.prices.all()] for offer in offers]
    return render(
        request,
        "renewals/offer_compare.html",
        {
            "campaign": campaign,
            "offers": offers,
            "available": available,
            "picked": {o.pk for o in offers},
            "rows": rows,
            "configurations": configurations if any(configurations) else None,
            "any_differs": any(r.differs for r in rows),
        },
    )


# --- funding plans --------------------------------------------------------------------------------


def _entrance(request: HttpRequest, entrance_id: int) -> Entrance:
    entrance: Entrance = get_object_or_404(
        access_entrances(request.user).select_related("building__estate__community__subdistrict"), pk=entrance_id
    )
    return entrance


@login_required
def funding_plan_create(request: HttpRequest, entrance_id: int) -> HttpResponse:
    """Work out an entrance's funding plan from a submitted offer; the arithmetic and the legal
    checks are services.funding_plan_create's, whose refusal is shown on the form."""
    entrance = _entrance(request, entrance_id)
    if not request.user.has_perm(f"places.{Action.MANAGE_RENEWAL.value}", entrance):
        raise PermissionDenied(_("您无权为本单元制定资金方案。"))
    building = entrance.building
    subdistrict_id = building.estate.community.subdistrict_id
    offers = (
        access_offers(request.user)
        .filter(status__in=PUBLIC_STATUSES, campaign__subdistrict_id=subdistrict_id)
        .order_by("price_per_elevator", "vendor__name")
    )
    apartments = list(access_apartments(request.user).filter(entrance=entrance).order_by("floor", "room"))
    elevators = list(access_elevators(request.user).filter(entrance=entrance).order_by("device_code"))
    stops = next((e.stops for e in elevators if e.stops), None) or building.floors
    floors = set(range(1, building.floors + 1)) | {a.floor for a in apartments}
    defaults = apportionment.default_floor_coefficients(building.floors)
    kwargs: dict[str, Any] = {
        "offers": offers,
        "apartments": apartments,
        "floors": floors,
        "default_coefficients": defaults,
    }
    status = 200
    if request.method == "POST":
        form = FundingPlanForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            with refusals_on(form) as refused:
                plan = services.funding_plan_create(
                    actor=request.user,
                    entrance=entrance,
                    offer=data["offer"],
                    stops=data["stops"],
                    on=data["on"],
                    maintenance_fund=data["maintenance_fund"],
                    public_revenue=data["public_revenue"],
                    method=data["method"],
                    coefficients=form.coefficients(),
                    exempt=form.exempt_ids(),
                )
            if refused:
                status = 400
            else:
                messages.success(request, _("资金方案已生成。"))
                return HttpResponseRedirect(reverse("funding_plan_detail", args=[plan.pk]))
        else:
            status = 400
    else:
        form = FundingPlanForm(
            initial={"stops": stops, "on": timezone.localdate(), "method": ApportionMethod.AREA}, **kwargs
        )
    return render(
        request,
        "renewals/funding_plan_form.html",
        {
            "entrance": entrance,
            "building": building,
            "estate": building.estate,
            "form": form,
            "elevator_count": len(elevators),
            "no_offers": not offers.exists(),
        },
        status=status,
    )


@dataclass(frozen=True)
class Source:
    key: str
    name: str
    amount: Decimal
    authority: str = ""
    explanation: str = ""
    source: str = ""


@login_required
@require_GET
def funding_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the money comes from, what remains for the owners and each apartment's share of it
    (room, floor, area, share: no names, so VIEW_OWNERS is not needed). An owner's own apartments
    are highlighted so they can find their share before voting."""
    plan: FundingPlan = get_object_or_404(
        _visible_plans(request.user).select_related(
            "entrance__building__estate__community__subdistrict", "offer__vendor"
        ),
        pk=pk,
    )
    total = plan.works_cost * plan.elevators
    sources = [
        Source(
            key=f"subsidy-{line.get('code', '')}",
            name=str(line.get("name", "")),
            amount=Decimal(str(line.get("amount", "0"))),
            authority=str(line.get("authority", "")),
            explanation=str(line.get("explanation", "")),
            source=str(line.get("source", "")),
        )
        for line in plan.subsidies
    ]
    sources.append(Source("maintenance-fund", _("维修资金"), plan.maintenance_fund))
    sources.append(Source("public-revenue", _("公共收益"), plan.public_revenue))
    sources.append(Source("owners", _("业主自筹"), plan.owners_total))
    shares = services.plan_shares(plan)
    owner_ids = {a.owner_id for a in user_access(request.user).assignments if a.owner_id}
    own: set[int] = (
        set(
            access_apartments(request.user, Action.VIEW_OWNERS)
            .filter(entrance_id=plan.entrance_id, ownerships__owner_id__in=owner_ids)
            .values_list("pk", flat=True)
        )
        if owner_ids
        else set()
    )
    floor_method = plan.method in FLOOR_METHODS
    coefficients = {int(k): Decimal(v) for k, v in plan.coefficients.items()}
    exempt = {int(a) for a in plan.exempt}
    share_rows = [
        {
            "apartment": apartment,
            "amount": format_yuan(amount),
            "own": apartment.pk in own,
            "exempt": apartment.pk in exempt,
            "coefficient": coefficients.get(apartment.floor) if floor_method else None,
        }
        for apartment, amount in shares
    ]
    chart = {
        "sources": [{"name": s.name, "value": str(s.amount)} for s in sources if s.amount > 0],
        "labels": {"yuan": _("元")},
    }
    return render(
        request,
        "renewals/funding_plan_detail.html",
        {
            "plan": plan,
            "entrance": plan.entrance,
            "building": plan.entrance.building,
            "estate": plan.entrance.building.estate,
            "total": format_yuan(total),
            "works_cost": format_yuan(plan.works_cost),
            "sources": [
                {"source": s, "amount": format_yuan(s.amount), "percent": _percent(s.amount, total)} for s in sources
            ],
            "share_rows": share_rows,
            "shares_total": format_yuan(sum((amount for _a, amount in shares), Decimal("0.00"))),
            "floor_method": floor_method,
            "own_count": len(own),
            "chart": chart,
            "can_manage": request.user.has_perm(f"places.{Action.MANAGE_RENEWAL.value}", plan.entrance),
        },
    )


def _percent(part: Decimal, whole: Decimal) -> str:
    if not whole:
        return "0.0"
    return str((part * 100 / whole).quantize(Decimal("0.1")))


# --- offer documents ----------------------------------------------------------------------------


class OfferDocumentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=128)
    file = forms.FileField(label=gettext_lazy("文件（PDF、JPEG 或 PNG，≤ 10 MB）"))


@login_required
def offer_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """An offer's documents: everyone who sees the offer may download them; its vendor uploads."""
    offer: Offer = get_object_or_404(access_offers(request.user).select_related("campaign"), pk=pk)
    member = _is_member(request.user, offer)
    form = OfferDocumentForm(request.POST or None, request.FILES or None) if member else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("只有该品牌方的账号可以编辑其报价。"))
        if form.is_valid():
            with refusals_on(form) as refused:
                services.offer_document_add(
                    actor=request.user, offer=offer, title=form.cleaned_data["title"], upload=form.cleaned_data["file"]
                )
            if not refused:
                messages.success(request, _("文件已上传。"))
                return HttpResponseRedirect(reverse("offer_documents", args=[offer.pk]))
    return render(
        request,
        "renewals/offer_documents.html",
        {
            "offer": offer,
            "campaign": offer.campaign,
            "documents": offer.documents.order_by("-uploaded_at"),
            "form": form,
        },
    )


@login_required
@require_GET
def offer_document_download(request: HttpRequest, pk: int, document_id: int) -> FileResponse:
    offer: Offer = get_object_or_404(access_offers(request.user), pk=pk)
    document = get_object_or_404(OfferDocument, pk=document_id, offer=offer)
    return private_file_response(document.file, f"offer{offer.pk}-{document.pk}")
