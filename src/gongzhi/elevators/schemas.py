"""Typed shapes of the elevators' JSON API (django-ninja schemas). See docs/api.md.

The conventions every app follows (dates, decimals as strings, one error shape) and the shared
pieces (ErrorOut, PageQuery, MAX_ID, NO_NUL, READ_ERRORS, WRITE_ERRORS) are in core/schemas.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from gongzhi.core.schemas import MAX_ID, NO_NUL, PageQuery, ProblemOut

# Dates the domain rules can count with (anniversaries ± 100 years stay inside Python's calendar).
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)
ApiDate = Annotated[dt.date, Field(ge=MIN_DATE, le=MAX_DATE, description="ISO date, 1900-01-01 … 2199-12-31")]

TierName = Literal["priority", "eligible", "not_eligible"]


# ---- elevators ----------------------------------------------------------------------------------


class ElevatorBriefOut(Schema):
    device_code: str
    registration_number: str
    commissioned_on: dt.date
    maker: str
    model: str


class ElevatorListQuery(PageQuery):
    estate_id: int | None = Field(None, ge=1, le=MAX_ID)
    search: str | None = Field(
        None, max_length=64, pattern=NO_NUL, description="device code, registration number or estate name"
    )


class ElevatorRowOut(Schema):
    device_code: str
    registration_number: str
    commissioned_on: dt.date
    age_years: int = Field(description="whole years in service today")
    estate_id: int
    estate_name: str
    building_name: str
    entrance_id: int
    entrance_name: str
    maker: str
    model: str


class ElevatorPageOut(Schema):
    count: int
    items: list[ElevatorRowOut]


class FactorOut(Schema):
    key: str = Field(description="age | faults | entrapments | inspection | households")
    value: str
    weight: str
    points: str


class FactsOut(Schema):
    faults_12m: int
    entrapments_12m: int
    last_inspection: str | None
    latest_assessment: str | None
    households: int


class ExplanationOut(Schema):
    reference_date: dt.date
    eligible_years: int
    priority_years: int
    age_years: int
    tier: TierName
    by_assessment: bool
    score: str
    factors: list[FactorOut]
    facts: FactsOut


class FaultOut(Schema):
    occurred_at: dt.datetime
    kind: str
    people_trapped: int
    hours_out_of_service: str


class InspectionOut(Schema):
    inspected_on: dt.date
    result: str
    inspector: str


class AssessmentOut(Schema):
    assessed_on: dt.date
    assessor: str
    grade: str
    conclusion: str


class ElevatorDetailOut(Schema):
    device_code: str
    device_code_warning: str | None
    registration_number: str
    commissioned_on: dt.date
    maker: str
    model: str
    rated_load_kg: int | None
    rated_speed_mps: str | None
    stops: int | None
    maintenance_company: str
    estate_id: int
    estate_name: str
    building_id: int
    building_name: str
    entrance_id: int
    entrance_name: str
    explanation: ExplanationOut
    faults: list[FaultOut] = Field(description="the latest 50")
    inspections: list[InspectionOut]
    assessments: list[AssessmentOut]


# ---- dashboard ----------------------------------------------------------------------------------


class DashboardQuery(Schema):
    reference_date: ApiDate | None = None


class TiersOut(Schema):
    priority: int
    eligible: int
    not_eligible: int


class EstateRowOut(Schema):
    estate_id: int
    estate_name: str
    community_name: str
    elevators: int
    priority: int
    eligible: int
    not_eligible: int
    faults_12m: int


class AgeBinOut(Schema):
    age_years: int
    elevators: int


class MonthFaultsOut(Schema):
    month: str = Field(description="YYYY-MM")
    faults: int


class DashboardOut(Schema):
    reference_date: dt.date
    eligible_years: int
    priority_years: int
    total: int
    tiers: TiersOut
    by_assessment: int
    faults_12m: int
    entrapments_12m: int
    estates: list[EstateRowOut]
    age_histogram: list[AgeBinOut]
    faults_by_month: list[MonthFaultsOut]


# ---- campaigns ----------------------------------------------------------------------------------

Weight = Annotated[Decimal, Field(ge=0, le=10000, max_digits=12, decimal_places=4)]


class WeightsIn(Schema):
    per_year: Weight | None = None
    per_fault: Weight | None = None
    per_entrapment: Weight | None = None
    inspection_fail: Weight | None = None
    inspection_pass_after_fix: Weight | None = None
    per_household: Weight | None = None


class CampaignIn(Schema):
    name: str = Field(min_length=1, max_length=128, pattern=NO_NUL)
    subdistrict_id: int = Field(ge=1, le=MAX_ID)
    reference_date: ApiDate
    deadline: ApiDate
    eligible_years: int = Field(15, ge=1, le=100)
    priority_years: int = Field(20, ge=1, le=100)
    weights: WeightsIn | None = None


class CampaignOut(Schema):
    id: int
    name: str
    subdistrict_id: int
    subdistrict_name: str
    reference_date: dt.date
    deadline: dt.date
    eligible_years: int
    priority_years: int
    weights: dict[str, str] = Field(description="points per unit of each factor, as decimal strings")
    status: Literal["open", "closed"]
    ranked_at: dt.datetime | None
    created_at: dt.datetime


class CampaignDetailOut(CampaignOut):
    tiers: TiersOut = Field(description="elevators per tier among the rows you may see")


class CampaignEntryQuery(PageQuery):
    tier: TierName | None = Field(None, description="default: priority and eligible only")
    estate_id: int | None = Field(None, ge=1, le=MAX_ID)
    search: str | None = Field(None, max_length=64, pattern=NO_NUL)
    min_score: float | None = Field(None, ge=0, le=1_000_000)


class CampaignExportQuery(Schema):
    tier: TierName | None = None
    estate_id: int | None = Field(None, ge=1, le=MAX_ID)
    search: str | None = Field(None, max_length=64, pattern=NO_NUL)
    min_score: float | None = Field(None, ge=0, le=1_000_000)


class CampaignEntryOut(Schema):
    rank: int
    device_code: str
    registration_number: str
    estate_id: int
    estate_name: str
    community_name: str
    address: str = Field(description="building and entrance, e.g. 3幢2单元")
    commissioned_on: dt.date
    age_years: int
    tier: TierName
    by_assessment: bool
    score: str
    faults_12m: int
    entrapments_12m: int
    households: int


class CampaignEntryPageOut(Schema):
    count: int
    items: list[CampaignEntryOut]


class RankOut(Schema):
    ranked: int
    ranked_at: dt.datetime | None


# ---- eligibility (the pure contract of `gongzhi eligibility`) -----------------------------------


class EligibilityElevatorIn(Schema):
    device_code: str = Field(max_length=64, description="an opaque label, echoed back")
    commissioned_on: ApiDate


class EligibilityIn(Schema):
    reference_date: ApiDate
    elevators: list[EligibilityElevatorIn] = Field(max_length=10000)
    eligible_years: int = Field(15, ge=1, le=100)
    priority_years: int = Field(20, ge=1, le=100)


class EligibilityElevatorOut(Schema):
    device_code: str
    age_years: int
    tier: TierName


class EligibilityOut(Schema):
    elevators: list[EligibilityElevatorOut]


# ---- registry imports ---------------------------------------------------------------------------


class RegistryImportOut(Schema):
    id: str
    file_name: str
    status: Literal["queued", "running", "done", "refused", "failed"]
    phase: str
    done: int
    total: int
    percent: int
    problems: list[ProblemOut]
    counts: dict[str, dict[str, int]] = Field(description='e.g. {"elevators": {"created": 3, "updated": 1}}')
    warnings: list[ProblemOut]
    created_at: dt.datetime
    finished_at: dt.datetime | None
