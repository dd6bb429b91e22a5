"""Pages of renewal progress (issue 5, item 1): a campaign's progress rolled up from each elevator's
twelve stages, one renewal's timeline with its documents, and recording a stage's progress.

parse → access check → service → render (DESIGN.md convention 2). Renewals are looked up through
delivery.selectors.access_renewals (VIEW_CAMPAIGN on the elevator's entrance), so one outside the
user's scope is a 404 that does not reveal it exists. Recording progress is RECORD_PROGRESS; a
vendor's people record only the works stages of their own vendor's renewals (rules.DeliveryAction.RECORD_STAGE,
delivery.selectors.recordable_kinds), and private documents are shown to staff of the place and the
renewal's own vendor only (delivery.selectors.visible_documents):
the page shows the edit forms only where the service would accept them, and the service still
decides (its refusal is a 403, its DomainError is shown at the form).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.actors import Actor
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.files import private_file_response
from gongzhi.core.forms import refusals_caught, refusals_flashed, refusals_on
from gongzhi.delivery import services
from gongzhi.delivery import stages as st
from gongzhi.delivery.forms_stages import OverviewFilterForm, RenewalAddForm, StageDocumentForm, StageForm
from gongzhi.delivery.models import RenewalStage, StageDocument
from gongzhi.delivery.rules import DeliveryAction
from gongzhi.delivery.selectors import Rollup, access_renewals, recordable_kinds, rollup, visible_documents
from gongzhi.elevators.models import Campaign, CampaignStatus, Elevator
from gongzhi.elevators.selectors import access_campaigns, access_elevators
from gongzhi.places.access import Action, require, user_access
from gongzhi.renewals.models import Renewal, StageKind, Vendor

PAGE_SIZE = 50
OVERDUE_LIMIT = 100  # overdue stages listed on the overview (the count says how many there are)

# What the law says at the stages it governs (delivery.stages' docstring), shown on the timeline.
LEGAL_NOTES: dict[str, Promise] = {
    st.ASSESSMENT: gettext_lazy("未因使用年限认定的电梯，按 GB/T 42615-2023《在用电梯安全评估规范》进行安全评估。"),
    st.NOTICE: gettext_lazy(
        "《特种设备安全法》第二十三条：施工单位应当在施工前将拟进行的安装、改造、修理情况书面告知"
        "负责特种设备安全监督管理的部门。"
    ),
    st.CONSTRUCTION: gettext_lazy(
        "《特种设备安全法》第四十八条：无改造、修理价值或达到报废条件的电梯应当依法报废，并办理使用登记证书注销手续。"
    ),
    st.INSPECTION: gettext_lazy(
        "《特种设备安全法》第二十五条：电梯安装、改造过程应当经特种设备检验机构监督检验；"
        "未经监督检验或者监督检验不合格的，不得交付使用。"
    ),
    st.REGISTRATION: gettext_lazy(
        "《特种设备安全法》第三十三条：应当在电梯投入使用前或者投入使用后三十日内办理使用登记，取得使用登记证书。"
    ),
}

# Which field of the stage form a service refusal belongs next to (None: the form as a whole).
_RENEWAL_ERROR_FIELDS = {
    "duplicate": "device_code",
    "wrong_subdistrict": "device_code",
    "bad_days": "works_days",
    "wrong_vendor": "vendor",
}
_DOCUMENT_ERROR_FIELDS = {
    "title_required": "title",
    "file_required": "file",
    "file_too_large": "file",
    "file_type": "file",
}


def _perm(action: Action) -> str:
    return f"places.{action.value}"


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign: Campaign = get_object_or_404(access_campaigns(request.user), pk=campaign_id)
    return campaign


def _renewal(request: HttpRequest, pk: int) -> Renewal:
    renewal: Renewal = get_object_or_404(
        access_renewals(request.user).select_related(
            "campaign", "vendor", "offer", "elevator__entrance__building__estate__community__subdistrict"
        ),
        pk=pk,
    )
    return renewal


def _stage(request: HttpRequest, pk: int) -> RenewalStage:
    stage: RenewalStage = get_object_or_404(
        RenewalStage.objects.filter(renewal__in=access_renewals(request.user)), pk=pk
    )
    return stage


def _may_add(user: Actor, campaign: Campaign) -> bool:
    """May the user add elevators to the campaign's delivery list (MANAGE_DELIVERY somewhere in
    its subdistrict: community staff add their community's elevators)?"""
    subdistricts = user_access(user).subdistricts(Action.MANAGE_DELIVERY)
    return subdistricts is None or campaign.subdistrict_id in subdistricts


# --- the campaign's progress ------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """One row of a rollup table: the group and its elevators by current stage, in the law's order."""

    group: Rollup
    stages: list[tuple[str, int]]


def _groups(groups: list[Rollup], labels: dict[str, str]) -> list[Group]:
    return [Group(g, [(labels[kind], g.by_stage[kind]) for kind in st.ORDER if g.by_stage.get(kind)]) for g in groups]


@login_required
@require_GET
def delivery_overview(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's renewal progress rolled up (campaign → community → estate → entrance), the
    renewals with filters and paging, and the overdue stages."""
    campaign = _campaign(request, campaign_id)
    today = timezone.localdate()
    renewals = access_renewals(request.user).filter(campaign=campaign)
    levels = rollup(renewals, today)
    labels = {str(k): str(v) for k, v in StageKind.choices}
    vendors = list(
        Vendor.objects.filter(renewals__campaign=campaign).distinct().order_by("name").values_list("id", "name")
    )
    form = OverviewFilterForm(
        request.GET or None, estates=[(g.key, g.label) for g in levels["estate"]], vendors=vendors
    )
    filters = form.filters()
    late = RenewalStage.objects.filter(renewal=OuterRef("pk"), planned_end__lt=today).exclude(
        status__in=list(st.FINISHED)
    )
    listing = (
        renewals.select_related("elevator__entrance__building__estate", "vendor")
        .annotate(late=Exists(late))
        .order_by("elevator__entrance__building__estate__name", "elevator__device_code")
    )
    if "estate" in filters:
        listing = listing.filter(elevator__entrance__building__estate_id=filters["estate"])
    if "stage" in filters:
        listing = listing.filter(current_stage=filters["stage"])
    if "vendor" in filters:
        listing = listing.filter(vendor_id=filters["vendor"])
    if filters.get("overdue"):
        listing = listing.filter(late=True)
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    overdue = (
        RenewalStage.objects.filter(renewal__in=renewals, planned_end__lt=today)
        .exclude(status__in=list(st.FINISHED))
        .select_related("renewal__elevator__entrance__building__estate")
        .order_by("planned_end", "renewal__elevator__device_code", "position")
    )
    overdue_rows = [
        {"stage": s, "days_late": (today - s.planned_end).days} for s in overdue[:OVERDUE_LIMIT] if s.planned_end
    ]
    query = request.GET.copy()
    query.pop("page", None)
    open_campaign = campaign.status == CampaignStatus.OPEN
    total = levels["campaign"][0] if levels["campaign"] else None
    return render(
        request,
        "delivery/stages_overview.html",
        {
            "campaign": campaign,
            "today": today,
            "total": total,
            "total_stages": _groups(levels["campaign"], labels)[0].stages if total else [],
            "communities": _groups(levels["community"], labels),
            "estates": _groups(levels["estate"], labels),
            "entrances": _groups(levels["entrance"], labels),
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "overdue_rows": overdue_rows,
            "overdue_count": len(overdue_rows) if len(overdue_rows) < OVERDUE_LIMIT else overdue.count(),
            "can_import": open_campaign and request.user.has_perm(_perm(Action.MANAGE_DELIVERY), campaign),
            "can_add": open_campaign and _may_add(request.user, campaign),
        },
    )


@login_required
@require_POST
def delivery_from_decisions(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Add a renewal for every elevator of every entrance whose owners decided on the platform."""
    campaign = _campaign(request, campaign_id)
    with refusals_flashed(request) as refused:
        created = services.renewals_from_decisions(actor=request.user, campaign=campaign)
    if not refused:
        if created:
            n = len(created)
            messages.success(
                request,
                ngettext("已按业主表决结果添加 %(n)d 部电梯。", "已按业主表决结果添加 %(n)d 部电梯。", n) % {"n": n},
            )
        else:
            messages.info(request, _("没有新的已表决电梯可添加。"))
    return HttpResponseRedirect(reverse("delivery_overview", args=[campaign.pk]))


def _elevator_for(request: HttpRequest, form: RenewalAddForm) -> Elevator | None:
    """The elevator named on the form, or None with the reason next to the device code: not found
    (or not visible to the user: the same answer), or visible but outside the user's charge."""
    code = form.cleaned_data["device_code"]
    elevator = (
        access_elevators(request.user)
        .select_related("entrance__building__estate__community__subdistrict")
        .filter(device_code=code)
        .first()
    )
    if elevator is None:
        form.add_error("device_code", _("没有找到设备代码为 %(code)s 的电梯。") % {"code": code})
        return None
    if not request.user.has_perm(_perm(Action.MANAGE_DELIVERY), elevator):
        form.add_error("device_code", _("该电梯不在您负责的范围内。"))
        return None
    return elevator


@login_required
def delivery_renewal_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Add one elevator to the campaign's delivery list (e.g. an entrance that decided on paper)."""
    campaign = _campaign(request, campaign_id)
    if not _may_add(request.user, campaign):
        raise PermissionDenied(_("您无权添加实施电梯。"))
    vendors = Vendor.objects.filter(subdistrict_id=campaign.subdistrict_id).order_by("name")
    form = RenewalAddForm(request.POST or None, vendors=vendors)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            elevator = _elevator_for(request, form)
            if elevator is not None:
                data = form.cleaned_data
                try:
                    renewal = services.renewal_create(
                        actor=request.user,
                        campaign=campaign,
                        elevator=elevator,
                        vendor=data["vendor"],
                        works_days=data["works_days"],
                        decided_on=data["decided_on"],
                    )
                except AccessDeniedError:
                    form.add_error("device_code", _("该电梯不在您负责的范围内。"))
                except DomainError as exc:
                    form.add_error(_RENEWAL_ERROR_FIELDS.get(exc.code), exc.message)
                else:
                    messages.success(request, _("已添加电梯 %(code)s。") % {"code": elevator.device_code})
                    return HttpResponseRedirect(reverse("renewal_detail", args=[renewal.pk]))
        status = 400
    return render(request, "delivery/stages_add.html", {"campaign": campaign, "form": form}, status=status)


@login_required
@require_GET
def renewal_for_elevator(request: HttpRequest, campaign_id: int, device_code: str) -> HttpResponse:
    """The elevator's renewal in the campaign (the link from the elevator's page, which knows the
    campaign and the device code but not whether the elevator is in delivery yet)."""
    campaign = _campaign(request, campaign_id)
    renewal_id = (
        access_renewals(request.user)
        .filter(campaign=campaign, elevator__device_code=device_code)
        .values_list("pk", flat=True)
        .first()
    )
    if renewal_id is None:
        messages.info(request, _("电梯 %(code)s 尚未进入本行动的实施清单。") % {"code": device_code})
        return HttpResponseRedirect(reverse("delivery_overview", args=[campaign.pk]))
    return HttpResponseRedirect(reverse("renewal_detail", args=[renewal_id]))


# --- one renewal ----------------------------------------------------------------------------------


@dataclass
class StageBlock:
    """One stage on the renewal's timeline, with its forms when the user may record it."""

    stage: RenewalStage
    overdue: bool
    days_late: int
    note: Promise | None
    documents: list[StageDocument] = field(default_factory=list)
    form: StageForm | None = None
    document_form: StageDocumentForm | None = None
    open: bool = False
    saved: bool = False


def stage_form(stage: RenewalStage, data: Any = None) -> StageForm:
    initial = {name: getattr(stage, name) for name in services.STAGE_FIELDS}
    return StageForm(data, initial=initial, auto_id=f"stage{stage.pk}-%s")


def document_form(stage: RenewalStage, data: Any = None, files: Any = None) -> StageDocumentForm:
    return StageDocumentForm(data, files, auto_id=f"doc{stage.pk}-%s")


def _detail(
    request: HttpRequest,
    renewal: Renewal,
    *,
    stage_forms: dict[int, StageForm] | None = None,
    document_forms: dict[int, StageDocumentForm] | None = None,
    saved: int | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    stages = list(renewal.stages.all())
    states = {s.kind: s.state() for s in stages}
    documents: dict[int, list[StageDocument]] = defaultdict(list)
    for document in visible_documents(request.user, renewal).select_related("uploaded_by"):
        documents[document.stage_id].append(document)
    recordable = recordable_kinds(request.user, renewal)
    stage_forms = stage_forms or {}
    document_forms = document_forms or {}
    blocks = []
    for s in stages:
        late = st.overdue(s.state(), today)
        may = s.kind in recordable
        bound_stage, bound_document = stage_forms.get(s.pk), document_forms.get(s.pk)
        blocks.append(
            StageBlock(
                stage=s,
                overdue=late,
                days_late=(today - s.planned_end).days if late and s.planned_end else 0,
                note=LEGAL_NOTES.get(s.kind),
                documents=documents[s.pk],
                form=(bound_stage if bound_stage is not None else stage_form(s)) if may else None,
                document_form=(bound_document if bound_document is not None else document_form(s)) if may else None,
                open=bound_stage is not None or bound_document is not None,
                saved=saved == s.pk,
            )
        )
    due = st.registration_due(states)
    registration = states.get(st.REGISTRATION)
    registered = registration is not None and registration.status in st.FINISHED
    outage = st.out_of_service(states, today)
    build = states.get(st.CONSTRUCTION)
    return render(
        request,
        "delivery/stages_detail.html",
        {
            "renewal": renewal,
            "campaign": renewal.campaign,
            "elevator": renewal.elevator,
            "entrance": renewal.elevator.entrance,
            "today": today,
            "blocks": blocks,
            "registration_due": due,
            "registration_late": due is not None and due < today and not registered,
            "registered": registered,
            "outage": outage,
            "outage_days": (outage[1] - outage[0]).days + 1 if outage else 0,
            "outage_actual": build is not None and build.actual_start is not None,
            "may_record": bool(recordable),
        },
        status=status,
    )


@login_required
@require_GET
def renewal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One elevator's renewal: its twelve stages as a timeline, dates, documents, and the forms to
    record progress for those who may."""
    return _detail(request, _renewal(request, pk))


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _place_stage_error(form: StageForm, exc: DomainError, today: dt.date) -> None:
    """Put the service's refusal next to the field it is about (else at the top of the form)."""
    data = form.cleaned_data
    if exc.code == "future_date":
        late = [name for name in ("actual_start", "actual_end") if data.get(name) and data[name] > today]
        if late:
            for name in late:
                form.add_error(name, exc.message)
            return
    if exc.code == "dates_reversed":
        for start, end in (("actual_start", "actual_end"), ("planned_start", "planned_end")):
            if data.get(start) and data.get(end) and data[end] < data[start]:
                form.add_error(end, exc.message)
                return
    form.add_error(None, exc.message)


@login_required
@require_POST
def stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a stage's status, dates, responsible party and notes (services.stage_update). Without
    JS: a redirect back to the stage, or the page with the refusal at the form (400). With htmx:
    the page, from which the timeline is swapped in (200 either way, so htmx swaps it)."""
    stage = _stage(request, pk)
    renewal = _renewal(request, stage.renewal_id)
    stage.renewal = renewal  # checked with the renewal as loaded above (its places selected)
    require(request.user, DeliveryAction.RECORD_STAGE, stage, _("您无权记录该阶段的进度。"))
    form = stage_form(stage, request.POST)
    htmx = _is_htmx(request)
    if form.is_valid():
        today = timezone.localdate()
        with refusals_caught() as refused:
            services.stage_update(actor=request.user, stage=stage, today=today, **form.changes())
        if refused.error is not None:
            _place_stage_error(form, refused.error, today)
        else:
            if htmx:
                return _detail(request, _renewal(request, renewal.pk), saved=stage.pk)
            messages.success(request, _("「%(stage)s」已保存。") % {"stage": stage.get_kind_display()})
            return HttpResponseRedirect(reverse("renewal_detail", args=[renewal.pk]) + f"#stage-{stage.pk}")
    return _detail(request, renewal, stage_forms={stage.pk: form}, status=200 if htmx else 400)


@login_required
@require_POST
def stage_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a photo or document to a stage (services.stage_document_add)."""
    stage = _stage(request, pk)
    renewal = _renewal(request, stage.renewal_id)
    stage.renewal = renewal  # checked with the renewal as loaded above (its places selected)
    require(request.user, DeliveryAction.RECORD_STAGE, stage, _("您无权记录该阶段的进度。"))
    form = document_form(stage, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        with refusals_on(form, _DOCUMENT_ERROR_FIELDS) as refused:
            services.stage_document_add(
                actor=request.user, stage=stage, title=data["title"], upload=data["file"], public=data["public"]
            )
        if not refused:
            messages.success(request, _("文件已上传。"))
            return HttpResponseRedirect(reverse("renewal_detail", args=[renewal.pk]) + f"#stage-{stage.pk}")
    return _detail(request, renewal, document_forms={stage.pk: form}, status=400)


@require_GET
def stage_document_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A stage document as a download. A private one only to staff of the renewal's place and its
    own vendor's people (delivery.selectors.visible_documents; others: 404, as if it did not exist;
    not logged in: the login page); a public one to anyone, as on the estate's public progress page."""
    document: StageDocument = get_object_or_404(StageDocument.objects.select_related("stage"), pk=pk)
    if not document.public:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        renewal = access_renewals(request.user).filter(pk=document.stage.renewal_id).first()
        if renewal is None or not visible_documents(request.user, renewal).filter(pk=document.pk).exists():
            raise Http404
    response: FileResponse = private_file_response(document.file, f"stage{document.stage_id}-{document.pk}")
    return response
