"""JSON API of the elevator registry, the dashboard, campaigns and eligibility (docs/api.md).

Parse (ninja schemas) → access check (access_* selectors; outside the scope is 404) →
service (elevators.services) → render (schemas). Domain errors become JSON in config.api.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, UploadedFile
from ninja.params import P, PathEx
from ninja.responses import Status

from gongzhi.core.errors import DomainError, NotFoundError
from gongzhi.core.schemas import MAX_ID, NO_NUL, READ_ERRORS, WRITE_ERRORS
from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.exports import XLSX_CONTENT_TYPE, campaign_workbook, workbook_file_name
from gongzhi.elevators.models import Campaign, CampaignEntry, Elevator, RegistryImport
from gongzhi.elevators.registry import access_registry_imports, registry_import_progress, registry_import_start
from gongzhi.elevators.schemas import (
    AgeBinOut,
    AssessmentOut,
    CampaignDetailOut,
    CampaignEntryOut,
    CampaignEntryPageOut,
    CampaignEntryQuery,
    CampaignExportQuery,
    CampaignIn,
    CampaignOut,
    DashboardOut,
    DashboardQuery,
    ElevatorDetailOut,
    ElevatorListQuery,
    ElevatorPageOut,
    ElevatorRowOut,
    EligibilityIn,
    EligibilityOut,
    EstateRowOut,
    ExplanationOut,
    FactorOut,
    FactsOut,
    FaultOut,
    InspectionOut,
    MonthFaultsOut,
    RankOut,
    RegistryImportOut,
    TiersOut,
)
from gongzhi.elevators.selectors import (
    access_campaign_entries,
    access_campaigns,
    access_elevators,
    campaign_entries,
    dashboard,
    explain,
    local_today,
)
from gongzhi.elevators.services import campaign_open, campaign_rank
from gongzhi.places.access import Action, subdistrict_ids_visible
from gongzhi.places.models import Subdistrict
from gongzhi.places.selectors import get_or_404

router = Router(tags=["elevators"])
campaigns_router = Router(tags=["campaigns"])
public_router = Router(tags=["eligibility"], auth=None)

Id = PathEx[int, P(ge=1, le=MAX_ID)]
DeviceCode = PathEx[str, P(min_length=1, max_length=64, pattern=NO_NUL)]
ImportId = PathEx[uuid.UUID, P()]
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


# ---- elevators ----------------------------------------------------------------------------------


@router.get("/elevators", response={200: ElevatorPageOut, **READ_ERRORS}, summary="Elevators you may see")
def elevators_list(request: HttpRequest, filters: Query[ElevatorListQuery]) -> ElevatorPageOut:
    qs = access_elevators(request.user)
    if filters.estate_id:
        qs = qs.filter(entrance__building__estate_id=filters.estate_id)
    if filters.search:
        qs = qs.filter(
            Q(device_code__icontains=filters.search)
            | Q(registration_number__icontains=filters.search)
            | Q(entrance__building__estate__name__icontains=filters.search)
        )
    count = qs.count()
    rows = qs.select_related("entrance__building__estate").order_by("device_code")[
        filters.offset : filters.offset + filters.limit
    ]
    today = local_today()
    return ElevatorPageOut(
        count=count,
        items=[
            ElevatorRowOut(
                device_code=e.device_code,
                registration_number=e.registration_number,
                commissioned_on=e.commissioned_on,
                age_years=elig.age_years(e.commissioned_on, today),
                estate_id=e.entrance.building.estate_id,
                estate_name=e.entrance.building.estate.name,
                building_name=e.entrance.building.name,
                entrance_id=e.entrance_id,
                entrance_name=e.entrance.name,
                maker=e.maker,
                model=e.model,
            )
            for e in rows
        ],
    )


@router.get(
    "/elevators/{device_code}",
    response={200: ElevatorDetailOut, **READ_ERRORS},
    summary="One elevator: facts, history and why it has its tier and score (today, default thresholds)",
)
def elevators_detail(request: HttpRequest, device_code: DeviceCode) -> ElevatorDetailOut:
    elevator: Elevator = get_or_404(
        access_elevators(request.user).select_related("entrance__building__estate"), device_code=device_code
    )
    x = explain(elevator, local_today())
    entrance = elevator.entrance
    return ElevatorDetailOut(
        device_code=elevator.device_code,
        device_code_warning=elevator.device_code_warning,
        registration_number=elevator.registration_number,
        commissioned_on=elevator.commissioned_on,
        maker=elevator.maker,
        model=elevator.model,
        rated_load_kg=elevator.rated_load_kg,
        rated_speed_mps=None if elevator.rated_speed_mps is None else str(elevator.rated_speed_mps),
        stops=elevator.stops,
        maintenance_company=elevator.maintenance_company,
        estate_id=entrance.building.estate_id,
        estate_name=entrance.building.estate.name,
        building_id=entrance.building_id,
        building_name=entrance.building.name,
        entrance_id=entrance.id,
        entrance_name=entrance.name,
        explanation=ExplanationOut(
            reference_date=x.reference,
            eligible_years=x.rule.eligible_years,
            priority_years=x.rule.priority_years,
            age_years=x.eligibility.age_years,
            tier=x.eligibility.tier.value,
            by_assessment=x.eligibility.by_assessment,
            score=str(x.score.total),
            factors=[
                FactorOut(key=f.key, value=f.value, weight=str(f.weight), points=str(f.points)) for f in x.score.factors
            ],
            facts=FactsOut(
                faults_12m=x.facts.faults_12m,
                entrapments_12m=x.facts.entrapments_12m,
                last_inspection=x.facts.last_inspection,
                latest_assessment=x.facts.latest_assessment,
                households=x.facts.households,
            ),
        ),
        faults=[
            FaultOut(
                occurred_at=r.occurred_at,
                kind=r.kind,
                people_trapped=r.people_trapped,
                hours_out_of_service=str(r.hours_out_of_service),
            )
            for r in elevator.faults.order_by("-occurred_at")[:50]
        ],
        inspections=[
            InspectionOut(inspected_on=r.inspected_on, result=r.result, inspector=r.inspector)
            for r in elevator.inspections.order_by("-inspected_on")
        ],
        assessments=[
            AssessmentOut(assessed_on=r.assessed_on, assessor=r.assessor, grade=r.grade, conclusion=r.conclusion)
            for r in elevator.assessments.order_by("-assessed_on")
        ],
    )


@router.get(
    "/dashboard",
    response={200: DashboardOut, **READ_ERRORS},
    summary="Counts over the elevators you may see (default thresholds 15/20 years)",
)
def dashboard_get(request: HttpRequest, filters: Query[DashboardQuery]) -> DashboardOut:
    d = dashboard(request.user, filters.reference_date)
    return DashboardOut(
        reference_date=d.reference,
        eligible_years=d.rule.eligible_years,
        priority_years=d.rule.priority_years,
        total=d.total,
        tiers=TiersOut(**d.tiers),
        by_assessment=d.by_assessment,
        faults_12m=d.faults_12m,
        entrapments_12m=d.entrapments_12m,
        estates=[
            EstateRowOut(
                estate_id=r.estate_id,
                estate_name=r.estate_name,
                community_name=r.community_name,
                elevators=r.elevators,
                priority=r.priority,
                eligible=r.eligible,
                not_eligible=r.not_eligible,
                faults_12m=r.faults_12m,
            )
            for r in d.estates
        ],
        age_histogram=[AgeBinOut(age_years=age, elevators=n) for age, n in d.age_histogram],
        faults_by_month=[MonthFaultsOut(month=m, faults=n) for m, n in d.faults_by_month],
    )


# ---- campaigns ----------------------------------------------------------------------------------


def _campaign_out(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "subdistrict_id": c.subdistrict_id,
        "subdistrict_name": c.subdistrict.name,
        "reference_date": c.reference_date,
        "deadline": c.deadline,
        "eligible_years": c.eligible_years,
        "priority_years": c.priority_years,
        "weights": c.score_weights.as_dict(),
        "status": c.status,
        "ranked_at": c.ranked_at,
        "created_at": c.created_at,
    }


def _tiers(entries: Any) -> TiersOut:
    counts = {row["tier"]: row["n"] for row in entries.order_by().values("tier").annotate(n=Count("id"))}
    return TiersOut(**{t.value: counts.get(t.value, 0) for t in elig.Tier})


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign: Campaign = get_or_404(access_campaigns(request.user), id=campaign_id)
    return campaign


@campaigns_router.get("/campaigns", response={200: list[CampaignOut], **READ_ERRORS}, summary="Campaigns you may see")
def campaigns_list(request: HttpRequest) -> list[CampaignOut]:
    return [CampaignOut(**_campaign_out(c)) for c in access_campaigns(request.user)]


@campaigns_router.post(
    "/campaigns",
    response={201: CampaignDetailOut, **WRITE_ERRORS},
    summary="Open a campaign over a subdistrict and rank its elevators",
)
def campaigns_create(request: HttpRequest, payload: CampaignIn) -> Status[CampaignDetailOut]:
    visible = subdistrict_ids_visible(request.user, Action.VIEW_CAMPAIGN)
    subdistrict = Subdistrict.objects.filter(id=payload.subdistrict_id).first()
    if subdistrict is None or (visible is not None and subdistrict.id not in set(visible)):
        raise NotFoundError(_("未找到，或您无权查看。"))
    weights = None
    if payload.weights is not None:
        weights = {k: str(v) for k, v in payload.weights.model_dump(exclude_none=True).items()}
    campaign = campaign_open(
        actor=request.user,
        subdistrict=subdistrict,
        name=payload.name,
        reference_date=payload.reference_date,
        deadline=payload.deadline,
        eligible_years=payload.eligible_years,
        priority_years=payload.priority_years,
        weights=weights,
    )
    campaign = _campaign(request, campaign.id)
    return Status(
        201,
        CampaignDetailOut(**_campaign_out(campaign), tiers=_tiers(access_campaign_entries(request.user, campaign))),
    )


@campaigns_router.get("/campaigns/{id}", response={200: CampaignDetailOut, **READ_ERRORS}, summary="One campaign")
def campaigns_detail(request: HttpRequest, id: Id) -> CampaignDetailOut:
    campaign = _campaign(request, id)
    return CampaignDetailOut(**_campaign_out(campaign), tiers=_tiers(access_campaign_entries(request.user, campaign)))


def _entry_out(e: CampaignEntry) -> CampaignEntryOut:
    elevator = e.elevator
    building = elevator.entrance.building
    estate = building.estate
    return CampaignEntryOut(
        rank=e.rank,
        device_code=elevator.device_code,
        registration_number=elevator.registration_number,
        estate_id=estate.id,
        estate_name=estate.name,
        community_name=estate.community.name,
        address=f"{building.name}{elevator.entrance.name}",
        commissioned_on=elevator.commissioned_on,
        age_years=e.age_years,
        tier=e.tier,  # type: ignore[arg-type]  # a Tier value, checked by the schema
        by_assessment=e.by_assessment,
        score=str(e.score),
        faults_12m=e.faults_12m,
        entrapments_12m=e.entrapments_12m,
        households=e.households,
    )


def _filtered_entries(request: HttpRequest, campaign: Campaign, f: CampaignExportQuery | CampaignEntryQuery) -> Any:
    return campaign_entries(
        request.user,
        campaign,
        tier=f.tier,
        estate_id=f.estate_id,
        search=f.search,
        min_score=f.min_score,
        qualifying_only=f.tier is None,
    )


@campaigns_router.get(
    "/campaigns/{id}/elevators",
    response={200: CampaignEntryPageOut, **READ_ERRORS},
    summary="The ranked list (qualifying elevators unless `tier` is given)",
)
def campaigns_elevators(
    request: HttpRequest,
    id: Id,
    filters: Query[CampaignEntryQuery],
) -> CampaignEntryPageOut:
    campaign = _campaign(request, id)
    qs = _filtered_entries(request, campaign, filters)
    count = qs.count()
    rows = qs[filters.offset : filters.offset + filters.limit]
    return CampaignEntryPageOut(count=count, items=[_entry_out(e) for e in rows])


@campaigns_router.post(
    "/campaigns/{id}/rank", response={200: RankOut, **WRITE_ERRORS}, summary="Rank the campaign again (now)"
)
def campaigns_rank(request: HttpRequest, id: Id) -> RankOut:
    campaign = _campaign(request, id)
    n = campaign_rank(actor=request.user, campaign=campaign)
    return RankOut(ranked=n, ranked_at=campaign.ranked_at)


@campaigns_router.get(
    "/campaigns/{id}/export.xlsx",
    response=READ_ERRORS,
    summary="The ranked list as an Excel workbook (same filters as the list, without paging)",
    openapi_extra={
        "responses": {
            200: {
                "description": "the workbook",
                "content": {XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def campaigns_export(
    request: HttpRequest,
    id: Id,
    filters: Query[CampaignExportQuery],
) -> HttpResponse:
    campaign = _campaign(request, id)
    data = campaign_workbook(campaign=campaign, entries=_filtered_entries(request, campaign, filters).iterator())
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{workbook_file_name(campaign)}"
    return response


# ---- eligibility: the pure rule, public ---------------------------------------------------------


@public_router.post(
    "/eligibility",
    response={200: EligibilityOut, 400: READ_ERRORS[422], 422: READ_ERRORS[422]},
    summary="Tier and age of elevators on a reference date (the `gongzhi eligibility` contract; no login)",
)
def eligibility_post(request: HttpRequest, payload: EligibilityIn) -> dict[str, Any]:
    data = {
        "reference_date": payload.reference_date.isoformat(),
        "eligible_years": payload.eligible_years,
        "priority_years": payload.priority_years,
        "elevators": [
            {"device_code": e.device_code, "commissioned_on": e.commissioned_on.isoformat()} for e in payload.elevators
        ],
    }
    try:
        return elig.eligibility_report(data)
    except ValueError as exc:
        raise DomainError(str(exc), code="invalid") from exc


# ---- registry imports ---------------------------------------------------------------------------


def _import_out(imp: RegistryImport) -> RegistryImportOut:
    phase, done, total = registry_import_progress(imp)
    percent = 100 if imp.status == "done" else (int(done * 100 / total) if total else 0)
    return RegistryImportOut(
        id=str(imp.id),
        file_name=imp.file_name,
        status=imp.status,  # type: ignore[arg-type]  # an ImportStatus value, checked by the schema
        phase=phase,
        done=done,
        total=total,
        percent=min(percent, 100),
        problems=imp.problems or [],
        counts=imp.counts or {},
        warnings=imp.warnings or [],
        created_at=imp.created_at,
        finished_at=imp.finished_at,
    )


@router.post(
    "/registry/imports",
    response={202: RegistryImportOut, **WRITE_ERRORS},
    summary="Upload the registry workbook (.xlsx, multipart field `file`); the import runs in the background",
    description="Poll GET /api/registry/imports/{id} for progress and the outcome "
    "(status done with counts and warnings, or refused with every problem).",
)
def registry_imports_create(request: HttpRequest, file: File[UploadedFile]) -> Status[RegistryImportOut]:
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise DomainError(_("文件过大。"), code="file_too_large")
    imp = registry_import_start(actor=request.user, data=file.read(), file_name=file.name or "registry.xlsx")
    return Status(202, _import_out(imp))


@router.get(
    "/registry/imports/{id}",
    response={200: RegistryImportOut, **READ_ERRORS},
    summary="Progress and outcome of one of your registry imports",
)
def registry_imports_detail(request: HttpRequest, id: ImportId) -> RegistryImportOut:
    imp: RegistryImport = get_or_404(access_registry_imports(request.user), id=id)
    return _import_out(imp)
