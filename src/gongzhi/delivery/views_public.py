"""The estate's public progress page (no login), its public documents, the staff form that posts a
notice to it, and district reporting: the campaign's delivery workbook and dashboard.

The public page is for residents reading a QR code in the stairwell: each elevator's stage and
dates, and above all when their entrance will have no working elevator. It shows only what is
public by design: places, device codes, vendors' names, stages and dates, public documents, the
estate's notices and published vote results. Never an owner, a phone number, a price, a stage's
responsible person or notes, or a private document (Personal Information Protection Law Art. 6:
no more personal information than the purpose needs). It reads no session and sets no cookie, so
a shared cache may keep it for a few minutes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_safe

from gongzhi.core.files import private_file_response
from gongzhi.core.forms import refusals_on
from gongzhi.delivery import dashboard, outages, reports, services, timelines
from gongzhi.delivery import stages as st
from gongzhi.delivery.models import EstateNotice, RenewalStage, StageDocument
from gongzhi.elevators.models import Campaign
from gongzhi.elevators.selectors import access_campaigns
from gongzhi.places.access import Action, may
from gongzhi.places.models import Entrance, Estate
from gongzhi.places.selectors import access_estates
from gongzhi.renewals.models import Renewal, StageKind

PUBLIC_MAX_AGE = 300  # seconds a shared cache may keep the public page
DOCUMENT_MAX_AGE = 3600
NOTICES_SHOWN = 50
MOTIONS_SHOWN = 20
WORST_ENTRANCES = 10


# --------------------------------------------------------------------------------------------
# The public progress page


@dataclass(frozen=True)
class Dates:
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None


def _dates(stage: RenewalStage | None) -> Dates:
    if stage is None:
        return Dates()
    return Dates(stage.planned_start, stage.planned_end, stage.actual_start, stage.actual_end)


@dataclass(frozen=True)
class ElevatorRow:
    """One elevator's renewal as residents see it (no responsible person, notes or price)."""

    label: str
    device_code: str
    vendor: str
    stage: str
    done: bool
    progress: int
    construction: Dates
    back: Dates  # back in service (恢复使用)
    out: outages.Span | None
    out_planned: bool  # the out-of-service dates are planned (construction not started)
    out_now: bool
    overdue: bool


@dataclass
class EntranceBlock:
    entrance_id: int
    name: str
    elevators: int
    rows: list[ElevatorRow] = field(default_factory=list)
    outage: outages.Outage = field(default_factory=outages.Outage)
    none_now: bool = False  # no working elevator today (all its elevators actually out)
    none_days: int = 0


@dataclass
class CampaignBlock:
    campaign: Campaign
    entrances: list[EntranceBlock] = field(default_factory=list)
    progress: int = 0
    elevators: int = 0
    done: int = 0


@dataclass(frozen=True)
class DocumentRow:
    pk: int
    title: str
    stage: str
    elevator: str
    uploaded_on: dt.date


def estate_progress(estate: Estate, today: dt.date) -> dict[str, Any]:
    """What the public page shows. Six queries, whatever the number of renewals, documents and
    notices."""
    from gongzhi.motions.models import Motion, MotionStatus

    entrance_ids = Entrance.objects.filter(building__estate=estate).values("id")
    numbers, elevators = reports.elevator_numbers(entrance_ids)
    renewals = list(
        Renewal.objects.filter(elevator__entrance__building__estate=estate)
        .select_related("campaign", "vendor", "elevator__entrance__building")
        .prefetch_related(Prefetch("stages", queryset=RenewalStage.objects.only(*reports.STAGE_FIELDS)))
    )
    renewals.sort(
        key=lambda r: (
            -r.campaign.reference_date.toordinal(),
            -r.campaign_id,
            reports.natural_key(r.elevator.entrance.building.name),
            reports.natural_key(r.elevator.entrance.name),
            r.elevator.device_code,
        )
    )
    campaigns: dict[int, CampaignBlock] = {}
    blocks: dict[tuple[int, int], EntranceBlock] = {}
    spans: dict[tuple[int, int], dict[int, list[outages.Span]]] = defaultdict(dict)
    progress: dict[int, int] = defaultdict(int)
    for renewal in renewals:
        elevator = renewal.elevator
        entrance = elevator.entrance
        stages = {s.kind: s for s in renewal.stages.all()}
        states = {kind: s.state() for kind, s in stages.items()}
        span = st.out_of_service(states, today)
        key = timelines.stage_at(states, dt.date.max)
        build = stages.get(st.CONSTRUCTION)
        row = ElevatorRow(
            label=reports.elevator_label(entrance.building.name, entrance.name, numbers.get(elevator.pk, 1)),
            device_code=elevator.device_code,
            vendor=renewal.vendor.name if renewal.vendor else "",
            stage=dashboard.stage_label(key),
            done=key == timelines.DONE,
            progress=st.progress(states.values()),
            construction=_dates(build),
            back=_dates(stages.get(st.IN_SERVICE)),
            out=span,
            out_planned=build is None or build.actual_start is None,
            out_now=timelines.out_today(states, span, today),
            overdue=any(st.overdue(s, today) for s in states.values()),
        )
        block = campaigns.setdefault(renewal.campaign_id, CampaignBlock(renewal.campaign))
        block.elevators += 1
        block.done += row.done
        progress[renewal.campaign_id] += row.progress
        place = (renewal.campaign_id, entrance.pk)
        if place not in blocks:
            blocks[place] = EntranceBlock(
                entrance.pk, f"{entrance.building.name}{entrance.name}", elevators.get(entrance.pk, 1)
            )
            block.entrances.append(blocks[place])
        blocks[place].rows.append(row)
        if span is not None:
            spans[place].setdefault(elevator.pk, []).append(span)
    for place, entrance_block in blocks.items():
        outage = outages.entrance_outage(spans.get(place, {}), entrance_block.elevators)
        entrance_block.outage = outage
        entrance_block.none_days = outage.none_days
        entrance_block.none_now = sum(row.out_now for row in entrance_block.rows) >= entrance_block.elevators
    for campaign_id, block in campaigns.items():
        block.progress = round(progress[campaign_id] / block.elevators) if block.elevators else 0

    documents = [
        DocumentRow(
            d.pk,
            d.title,
            str(StageKind(d.stage.kind).label),
            reports.elevator_label(
                d.stage.renewal.elevator.entrance.building.name,
                d.stage.renewal.elevator.entrance.name,
                numbers.get(d.stage.renewal.elevator_id, 1),
            ),
            timezone.localdate(d.uploaded_at),
        )
        for d in StageDocument.objects.filter(public=True, stage__renewal__elevator__entrance__building__estate=estate)
        .select_related("stage__renewal__elevator__entrance__building")
        .only(
            "id", "title", "uploaded_at", "stage__kind", "stage__renewal__elevator_id",
            "stage__renewal__elevator__entrance__name", "stage__renewal__elevator__entrance__building__name",
        )
        .order_by("-uploaded_at", "-id")
    ]  # fmt: skip
    notices = list(EstateNotice.objects.filter(estate=estate).only("id", "title", "body", "posted_at")[:NOTICES_SHOWN])
    motions = list(
        Motion.objects.filter(estate=estate, status=MotionStatus.CLOSED, result__isnull=False)
        .only("id", "public_id", "title", "closes_at")
        .order_by("-closes_at", "-id")[:MOTIONS_SHOWN]
    )  # deliberately public: a published result notice is public by law and by design (motions.views_notice)
    return {
        "campaigns": list(campaigns.values()),
        "documents": documents,
        "notices": notices,
        "motions": motions,
    }


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def public_estate_progress(request: HttpRequest, estate_id: int) -> HttpResponse:
    """电梯更新进度: public, no login (the estate is public; only public things are shown)."""
    estate = get_object_or_404(Estate.objects.select_related("community__subdistrict"), pk=estate_id)
    today = timezone.localdate()
    context = {"estate": estate, "today": today, **estate_progress(estate, today)}
    return render(request, "delivery/public_estate.html", context)


@require_safe
@cache_control(public=True, max_age=DOCUMENT_MAX_AGE)
def public_stage_document(request: HttpRequest, document_id: int) -> FileResponse:
    """A public stage document as a download; 404 for one that is not public."""
    document = StageDocument.objects.filter(pk=document_id, public=True).first()
    if document is None:
        raise Http404(_("文件不存在或未公开。"))
    stem = "".join(c for c in document.title if c not in '/\\:*?"<>|').strip() or f"document-{document.pk}"
    response = private_file_response(document.file, stem)
    response["Cache-Control"] = f"public, max-age={DOCUMENT_MAX_AGE}"
    return response


# --------------------------------------------------------------------------------------------
# Posting a notice (staff)


class NoticeForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("更新行动"), queryset=Campaign.objects.none(), empty_label=None
    )
    title = forms.CharField(label=gettext_lazy("标题"), max_length=128)
    body = forms.CharField(
        label=gettext_lazy("内容"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("将显示在小区的公开进度页上，请勿填写个人信息。"),
    )

    def __init__(self, *args: Any, campaigns: QuerySet[Campaign], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]


@login_required
def estate_notice_create(request: HttpRequest, estate_id: int) -> HttpResponse:
    """发布施工公告: staff with MANAGE_DELIVERY on the estate (404 outside the user's scope, 403 for
    those who may see the estate but not post)."""
    estate = get_object_or_404(access_estates(request.user).select_related("community__subdistrict"), pk=estate_id)
    if not may(request.user, Action.MANAGE_DELIVERY, estate):
        raise PermissionDenied
    campaigns = access_campaigns(request.user).filter(subdistrict_id=estate.community.subdistrict_id)
    form = NoticeForm(request.POST or None, campaigns=campaigns, initial={"campaign": campaigns.first()})
    if request.method == "POST" and form.is_valid():
        with refusals_on(form) as refused:
            notice = services.notice_post(
                actor=request.user,
                estate=estate,
                campaign=form.cleaned_data["campaign"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        if not refused:
            url = reverse("public_estate_progress", args=[estate.pk])
            return HttpResponseRedirect(f"{url}#notice-{notice.pk}")
    return render(request, "delivery/public_notice_form.html", {"estate": estate, "form": form})


# --------------------------------------------------------------------------------------------
# District reporting


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign: Campaign = get_object_or_404(access_campaigns(request.user), pk=campaign_id)
    return campaign


@login_required
@require_GET
def delivery_export(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's delivery in one sheet (reports.delivery_workbook)."""
    campaign = _campaign(request, campaign_id)
    today = timezone.localdate()
    data = reports.delivery_workbook(user=request.user, campaign=campaign, today=today)
    response = HttpResponse(data, content_type=reports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{reports.workbook_file_name(campaign, today)}"
    return response


@dataclass
class EstateRow:
    estate: Estate
    elevators: int = 0
    done: int = 0
    progress_sum: int = 0
    can_post: bool = False

    @property
    def progress(self) -> int:
        return round(self.progress_sum / self.elevators) if self.elevators else 0


@dataclass(frozen=True)
class EntranceOutageRow:
    label: str
    households: int
    none_days: int
    some_days: int
    none: tuple[outages.Span, ...]


@login_required
@require_GET
def delivery_dashboard(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """实施看板: counts by stage over time, completed against planned, outage per household, counts
    by stage; for the renewals of the campaign the user may see."""
    campaign = _campaign(request, campaign_id)
    today = timezone.localdate()
    loaded = reports.load_campaign(request.user, campaign, households=True)
    fig = dashboard.figures(loaded.items(), loaded.elevators, loaded.households, today)
    estates: dict[int, EstateRow] = {}
    entrance_names: dict[int, str] = {}
    for renewal in loaded.renewals:
        entrance = renewal.elevator.entrance
        estate = entrance.building.estate
        row = estates.get(estate.pk)
        if row is None:
            row = estates[estate.pk] = EstateRow(estate, can_post=may(request.user, Action.MANAGE_DELIVERY, estate))
        progress = st.progress(loaded.states(renewal).values())
        row.elevators += 1
        row.done += progress == 100
        row.progress_sum += progress
        entrance_names[entrance.pk] = f"{estate.name} {entrance.building.name}{entrance.name}"
    worst = sorted(
        (
            EntranceOutageRow(
                entrance_names.get(entrance_id, ""),
                loaded.households.get(entrance_id, 0),
                outage.none_days,
                outage.some_days,
                outage.none,
            )
            for entrance_id, outage in fig.entrance_outages.items()
        ),
        key=lambda r: (-r.none_days, -r.some_days, r.label),
    )[:WORST_ENTRANCES]
    context = {
        "campaign": campaign,
        "today": today,
        "fig": fig,
        "estates": list(estates.values()),
        "worst": worst,
        "charts": dashboard.chart_data(fig),
    }
    return render(request, "delivery/report_dashboard.html", context)
