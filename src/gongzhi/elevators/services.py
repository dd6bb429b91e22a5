"""Writes to the elevator registry and campaigns (DESIGN.md convention 1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import SYSTEM, Actor, acting_user
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import DomainError
from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.models import Campaign, CampaignEntry, CampaignStatus, Elevator
from gongzhi.elevators.selectors import facts_for
from gongzhi.places.access import Action, require
from gongzhi.places.models import Subdistrict

Progress = Callable[[str, int, int], None]


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


@transaction.atomic
def campaign_open(
    *,
    actor: Actor,
    subdistrict: Subdistrict,
    name: str,
    reference_date: dt.date,
    deadline: dt.date,
    eligible_years: int = elig.DEFAULT_ELIGIBLE_YEARS,
    priority_years: int = elig.DEFAULT_PRIORITY_YEARS,
    weights: dict[str, Any] | None = None,
) -> Campaign:
    """Open a campaign over a subdistrict's elevators and rank them at once."""
    require(actor, Action.MANAGE_CAMPAIGN, subdistrict)
    if not name.strip():
        raise DomainError(_("请填写行动名称。"), code="name_required")
    if deadline < reference_date:
        raise DomainError(_("截止日期不能早于基准日期。"), code="deadline_before_reference")
    if not 1 <= eligible_years <= priority_years <= 100:
        raise DomainError(_("年限须满足 1 ≤ 符合条件年限 ≤ 优先年限 ≤ 100。"), code="bad_years")
    try:
        clean_weights = elig.ScoreWeights.from_dict(weights).as_dict()
    except (ValueError, ArithmeticError) as exc:
        raise DomainError(_("优先分权重须为非负数。"), code="bad_weights") from exc
    campaign = Campaign(
        subdistrict=subdistrict,
        name=name.strip(),
        reference_date=reference_date,
        deadline=deadline,
        eligible_years=eligible_years,
        priority_years=priority_years,
        weights=clean_weights,
        created_by=acting_user(actor),
    )
    try:
        campaign.full_clean()
    except ValidationError as exc:
        raise DomainError(_validation_message(exc), code="invalid") from exc
    campaign.save()
    audit_record(
        actor=actor,
        action="campaign_open",
        object_type="campaign",
        object_id=campaign.pk,
        summary=campaign.name,
        after=snapshot(campaign),
    )
    campaign_rank(actor=actor, campaign=campaign)
    return campaign


@transaction.atomic
def campaign_rank(*, actor: Actor, campaign: Campaign, progress: Progress | None = None) -> int:
    """(Re)compute every elevator's tier, score and rank in the campaign's subdistrict.

    Replaces the campaign's entries in one transaction: readers see the old ranking or the
    new one, never a mixture. Returns the number of elevators ranked.
    """
    require(actor, Action.MANAGE_CAMPAIGN, campaign)
    if campaign.status != CampaignStatus.OPEN:
        raise DomainError(_("行动已结束，不能重新排序。"), code="campaign_closed")
    rule = campaign.tier_rule
    weights = campaign.score_weights
    ids_qs = Elevator.objects.filter(entrance__building__estate__community__subdistrict_id=campaign.subdistrict_id)
    rows = list(ids_qs.values_list("id", "device_code", "commissioned_on"))
    facts = facts_for(ids_qs.values("id"), campaign.reference_date)
    ranked: list[tuple[elig.Ranked, int, elig.EligibilityScore, Any]] = []
    for eid, code, commissioned_on in rows:
        f = facts[eid]
        result = elig.classify(commissioned_on, campaign.reference_date, rule, f.latest_assessment)
        score = elig.priority_score(
            age=result.age_years,
            faults_12m=f.faults_12m,
            entrapments_12m=f.entrapments_12m,
            last_inspection=f.last_inspection,
            households=f.households,
            weights=weights,
        )
        ranked.append((elig.Ranked(code, result, score.total, commissioned_on), eid, score, f))
    ranked.sort(key=lambda item: elig.rank_key(item[0]))
    CampaignEntry.objects.filter(campaign=campaign).delete()
    entries = [
        CampaignEntry(
            campaign=campaign,
            elevator_id=eid,
            rank=position,
            age_years=r.eligibility.age_years,
            tier=r.eligibility.tier.value,
            by_assessment=r.eligibility.by_assessment,
            score=r.score,
            faults_12m=f.faults_12m,
            entrapments_12m=f.entrapments_12m,
            households=f.households,
            factors=[
                {"key": x.key, "value": x.value, "weight": str(x.weight), "points": str(x.points)}
                for x in score.factors
            ],
        )
        for position, (r, eid, score, f) in enumerate(ranked, start=1)
    ]
    batch = 2000
    for start in range(0, len(entries), batch):
        CampaignEntry.objects.bulk_create(entries[start : start + batch])
        if progress:
            progress("rank", min(start + batch, len(entries)), len(entries))
    campaign.ranked_at = timezone.now()
    campaign.save(update_fields=["ranked_at"])
    qualifying = sum(1 for r, *_ in ranked if r.eligibility.qualifies)
    audit_record(
        actor=actor,
        action="campaign_rank",
        object_type="campaign",
        object_id=campaign.pk,
        summary=f"{len(entries)} ranked, {qualifying} qualifying",
        after={"ranked": len(entries), "qualifying": qualifying, "weights": campaign.weights},
    )
    return len(entries)


def campaigns_rerank(*, subdistrict_ids: set[int]) -> int:
    """After the registry changed, re-rank the open campaigns of the subdistricts touched."""
    n = 0
    for campaign in Campaign.objects.filter(subdistrict_id__in=subdistrict_ids, status=CampaignStatus.OPEN):
        campaign_rank(actor=SYSTEM, campaign=campaign)
        n += 1
    return n
