"""Reads of the elevator registry and campaigns, scoped to the user (DESIGN.md convention 3)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from gongzhi.core.actors import Actor
from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.models import (
    Campaign,
    CampaignEntry,
    Elevator,
    FaultKind,
    FaultRecord,
    InspectionRecord,
    SafetyAssessment,
)
from gongzhi.places.access import Action, scoped, user_access
from gongzhi.places.models import Apartment


def local_today() -> dt.date:
    return timezone.localdate()


def access_elevators(user: Actor, action: Action = Action.VIEW_REGISTRY) -> QuerySet[Elevator]:
    return scoped(user, action, Elevator.objects.all())


def access_campaigns(user: Actor, action: Action = Action.VIEW_CAMPAIGN) -> QuerySet[Campaign]:
    """Campaigns of the subdistricts where the user holds `action` at any level."""
    return scoped(user, action, Campaign.objects.select_related("subdistrict"))


def access_campaign_entries(user: Actor, campaign: Campaign) -> QuerySet[CampaignEntry]:
    """The campaign's entries the user may see: a community's staff see their community's only."""
    g = user_access(user).grants(Action.VIEW_CAMPAIGN)
    if g.everything or campaign.subdistrict_id in g.subdistrict_ids:
        # The whole subdistrict is in scope: no five-table join just to filter nothing out.
        return CampaignEntry.objects.filter(campaign=campaign)
    if g.district_ids and campaign.subdistrict.district_id in g.district_ids:
        return CampaignEntry.objects.filter(campaign=campaign)
    return scoped(user, Action.VIEW_CAMPAIGN, CampaignEntry.objects.filter(campaign=campaign))


@dataclass(frozen=True)
class Facts:
    """What the priority score needs to know of one elevator on a reference date."""

    faults_12m: int = 0
    entrapments_12m: int = 0
    last_inspection: str | None = None
    latest_assessment: str | None = None
    households: int = 0


def _window(reference: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """(start, end) of the 12 months up to and including `reference`, in local time."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(elig.faults_window_start(reference), dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(reference + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def facts_for(elevator_ids: Iterable[int] | QuerySet[Any], reference: dt.date) -> dict[int, Facts]:
    """Facts of many elevators with a fixed number of grouped queries (no N+1).

    `elevator_ids` may be a queryset of ids (kept as a subquery) or a list.
    """
    start, end = _window(reference)
    faults: dict[int, tuple[int, int]] = {}
    fault_rows = (
        FaultRecord.objects.filter(elevator_id__in=elevator_ids, occurred_at__gte=start, occurred_at__lt=end)
        .values("elevator_id")
        .annotate(
            n=Count("id"),
            trapped=Count("id", filter=Q(people_trapped__gt=0) | Q(kind=FaultKind.ENTRAPMENT)),
        )
    )
    for row in fault_rows:
        faults[row["elevator_id"]] = (row["n"], row["trapped"])
    inspections: dict[int, str] = {}
    for eid, result in (
        InspectionRecord.objects.filter(elevator_id__in=elevator_ids, inspected_on__lte=reference)
        .order_by("elevator_id", "inspected_on")
        .values_list("elevator_id", "result")
    ):
        inspections[eid] = result  # the last one wins
    assessments: dict[int, str] = {}
    for eid, conclusion in (
        SafetyAssessment.objects.filter(elevator_id__in=elevator_ids, assessed_on__lte=reference)
        .order_by("elevator_id", "assessed_on")
        .values_list("elevator_id", "conclusion")
    ):
        assessments[eid] = conclusion
    households_by_entrance = dict(
        Apartment.objects.filter(entrance__elevators__id__in=elevator_ids)
        .values("entrance_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("entrance_id", "n")
    )
    out: dict[int, Facts] = {}
    for eid, entrance_id in Elevator.objects.filter(id__in=elevator_ids).values_list("id", "entrance_id"):
        n, trapped = faults.get(eid, (0, 0))
        out[eid] = Facts(
            faults_12m=n,
            entrapments_12m=trapped,
            last_inspection=inspections.get(eid),
            latest_assessment=assessments.get(eid),
            households=households_by_entrance.get(entrance_id, 0),
        )
    return out


@dataclass(frozen=True)
class Explanation:
    reference: dt.date
    rule: elig.TierRule
    eligibility: elig.Eligibility
    score: elig.EligibilityScore
    facts: Facts


def explain(
    elevator: Elevator,
    reference: dt.date,
    rule: elig.TierRule | None = None,
    weights: elig.ScoreWeights | None = None,
) -> Explanation:
    """Why this elevator has its tier and score on `reference` (its page shows this)."""
    rule = rule or elig.TierRule()
    facts = facts_for([elevator.id], reference)[elevator.id]
    result = elig.classify(elevator.commissioned_on, reference, rule, facts.latest_assessment)
    score = elig.priority_score(
        age=result.age_years,
        faults_12m=facts.faults_12m,
        entrapments_12m=facts.entrapments_12m,
        last_inspection=facts.last_inspection,
        households=facts.households,
        weights=weights or elig.ScoreWeights(),
    )
    return Explanation(reference, rule, result, score, facts)


@dataclass
class EstateRow:
    estate_id: int
    estate_name: str
    community_name: str
    elevators: int
    priority: int
    eligible: int
    not_eligible: int
    faults_12m: int


@dataclass
class Dashboard:
    reference: dt.date
    rule: elig.TierRule
    total: int
    tiers: dict[str, int]
    by_assessment: int
    faults_12m: int
    entrapments_12m: int
    estates: list[EstateRow]
    age_histogram: list[tuple[int, int]]  # (age in whole years, elevators)
    faults_by_month: list[tuple[str, int]]  # ("2024-09", faults)


def dashboard(user: Actor, reference: dt.date | None = None, rule: elig.TierRule | None = None) -> Dashboard:
    """Counts for the subdistrict dashboard, over the elevators the user may see.

    A fixed handful of aggregate queries whatever the number of elevators: tiers are counted
    in SQL by comparing commissioning dates with elig.latest_commissioning_date().
    """
    reference = reference or local_today()
    rule = rule or elig.TierRule()
    elevators = access_elevators(user)
    c_priority = elig.latest_commissioning_date(reference, rule.priority_years)
    c_eligible = elig.latest_commissioning_date(reference, rule.eligible_years)
    latest_assessment = Subquery(
        SafetyAssessment.objects.filter(elevator_id=OuterRef("pk"), assessed_on__lte=reference)
        .order_by("-assessed_on")
        .values("conclusion")[:1]
    )
    young = Q(commissioned_on__gt=c_eligible)
    by_assessment_ids = (
        elevators.filter(young, assessments__isnull=False)
        .annotate(latest=latest_assessment)
        .filter(latest__in=elig.QUALIFYING_ASSESSMENTS)
        .values_list("id", flat=True)
    )
    by_assessment = set(by_assessment_ids)
    start, end = _window(reference)
    rows = (
        elevators.values(
            estate_id=F("entrance__building__estate_id"),
            estate_name=F("entrance__building__estate__name"),
            community_name=F("entrance__building__estate__community__name"),
        )
        .annotate(
            n=Count("id"),
            priority=Count("id", filter=Q(commissioned_on__lte=c_priority)),
            eligible=Count("id", filter=Q(commissioned_on__gt=c_priority, commissioned_on__lte=c_eligible)),
        )
        .order_by("estate_name")
    )
    # All fault figures in ONE grouped query: per estate, the total, the entrapments and one
    # conditional count per local calendar month (boundaries computed here, not per row).
    months = _months_back(reference, 12)
    tz = timezone.get_current_timezone()
    month_bounds: list[tuple[str, dt.datetime, dt.datetime]] = []
    for m in months:
        year, month = int(m[:4]), int(m[5:])
        m_start = dt.datetime(year, month, 1, tzinfo=tz)
        m_end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
        month_bounds.append((m, max(m_start, start), min(m_end, end)))
    month_counts = {
        f"m{i}": Count("id", filter=Q(occurred_at__gte=lo, occurred_at__lt=hi))
        for i, (_m, lo, hi) in enumerate(month_bounds)
    }
    fault_estates = (
        FaultRecord.objects.filter(elevator__in=elevators, occurred_at__gte=start, occurred_at__lt=end)
        .values("elevator__entrance__building__estate_id")
        .annotate(
            n=Count("id"),
            trapped=Count("id", filter=Q(people_trapped__gt=0) | Q(kind=FaultKind.ENTRAPMENT)),
            **month_counts,
        )
    )
    faults_by_estate: dict[int, int] = {}
    faults_total = {"n": 0, "trapped": 0}
    by_month: dict[str, int] = defaultdict(int)
    for frow in fault_estates:
        faults_by_estate[frow["elevator__entrance__building__estate_id"]] = frow["n"]
        faults_total["n"] += frow["n"]
        faults_total["trapped"] += frow["trapped"]
        for i, (m, _lo, _hi) in enumerate(month_bounds):
            by_month[m] += frow[f"m{i}"]
    by_assessment_by_estate: Counter[int] = (
        Counter(Elevator.objects.filter(id__in=by_assessment).values_list("entrance__building__estate_id", flat=True))
        if by_assessment
        else Counter()
    )
    estates: list[EstateRow] = []
    for row in rows:
        extra = by_assessment_by_estate.get(row["estate_id"], 0)
        eligible = row["eligible"] + extra
        estates.append(
            EstateRow(
                estate_id=row["estate_id"],
                estate_name=row["estate_name"],
                community_name=row["community_name"],
                elevators=row["n"],
                priority=row["priority"],
                eligible=eligible,
                not_eligible=row["n"] - row["priority"] - eligible,
                faults_12m=faults_by_estate.get(row["estate_id"], 0),
            )
        )
    histogram: Counter[int] = Counter()
    for commissioned_on, n in (
        elevators.values("commissioned_on").annotate(n=Count("id")).values_list("commissioned_on", "n")
    ):
        histogram[elig.age_years(commissioned_on, reference)] += n
    total = sum(r.elevators for r in estates)
    tiers = {
        elig.Tier.PRIORITY.value: sum(r.priority for r in estates),
        elig.Tier.ELIGIBLE.value: sum(r.eligible for r in estates),
        elig.Tier.NOT_ELIGIBLE.value: sum(r.not_eligible for r in estates),
    }
    max_age = max(histogram) if histogram else 0
    return Dashboard(
        reference=reference,
        rule=rule,
        total=total,
        tiers=tiers,
        by_assessment=len(by_assessment),
        faults_12m=faults_total["n"] or 0,
        entrapments_12m=faults_total["trapped"] or 0,
        estates=estates,
        age_histogram=[(age, histogram.get(age, 0)) for age in range(max_age + 1)],
        faults_by_month=[(m, by_month.get(m, 0)) for m in months],
    )


def _months_back(reference: dt.date, n: int) -> list[str]:
    year, month = reference.year, reference.month
    out: list[str] = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(out))


def campaign_entries(
    user: Actor,
    campaign: Campaign,
    *,
    tier: str | None = None,
    estate_id: int | None = None,
    search: str | None = None,
    min_score: float | None = None,
    qualifying_only: bool = True,
) -> QuerySet[CampaignEntry]:
    """The ranked list, filtered. Rows come with elevator, entrance, building and estate loaded."""
    qs = access_campaign_entries(user, campaign)
    if qualifying_only:
        qs = qs.exclude(tier=elig.Tier.NOT_ELIGIBLE.value)
    if tier:
        qs = qs.filter(tier=tier)
    if estate_id:
        qs = qs.filter(elevator__entrance__building__estate_id=estate_id)
    if search:
        qs = qs.filter(
            Q(elevator__device_code__icontains=search)
            | Q(elevator__registration_number__icontains=search)
            | Q(elevator__entrance__building__estate__name__icontains=search)
        )
    if min_score is not None:
        qs = qs.filter(score__gte=min_score)
    return qs.select_related("elevator__entrance__building__estate__community").order_by("rank")
