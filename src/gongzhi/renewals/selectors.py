"""Reads of the renewal consultation, scoped to the user (DESIGN.md convention 3).

A vendor sees only its own offers (drafts included) and never another vendor's drafts; everyone
who may see a campaign sees its submitted and locked offers side by side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.core.actors import Actor
from gongzhi.elevators.models import Campaign
from gongzhi.elevators.selectors import access_campaigns
from gongzhi.motions.hooks import OfferSummary
from gongzhi.motions.models import Motion
from gongzhi.places.access import Action, scoped, user_access
from gongzhi.renewals.models import Consultation, FundingPlan, Offer, OfferStatus, OptionOffer

PUBLIC_STATUSES = (OfferStatus.SUBMITTED, OfferStatus.LOCKED)


def access_offers(user: Actor, campaign: Campaign | None = None) -> QuerySet[Offer]:
    """Submitted and locked offers of the campaigns the user sees, plus a vendor's own offers."""
    qs = Offer.objects.select_related("vendor", "campaign__subdistrict").prefetch_related("prices")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    visible = Q(campaign__in=access_campaigns(user).values("pk"), status__in=PUBLIC_STATUSES)
    if getattr(user, "pk", None) and not user_access(user).grants(Action.SUBMIT_OFFERS).empty:
        visible |= Q(vendor__members=user)
    return qs.filter(visible).distinct()


def access_plans(user: Actor, action: Action = Action.VIEW_MOTION) -> QuerySet[FundingPlan]:
    """Plans are the owners' money: seen by those who see the entrance's votes (not vendors)."""
    return scoped(
        user, action, FundingPlan.objects.select_related("entrance__building__estate", "offer__vendor", "campaign")
    )


@dataclass(frozen=True)
class CompareRow:
    """One attribute across offers: the values, whether they differ, and which is best (if any)."""

    key: str
    values: list[Any]
    differs: bool
    best: set[int]  # indexes of the offers with the best value


# (attribute, better: "low" | "high" | None)
COMPARED: tuple[tuple[str, str | None], ...] = (
    ("price_per_elevator", "low"),
    ("rated_load_kg", "high"),
    ("rated_speed_mps", "high"),
    ("machine_room_less", None),
    ("energy_class", "low"),
    ("warranty_years", "high"),
    ("free_maintenance_years", "high"),
    ("delivery_days", "low"),
    ("installation_days", "low"),
)


def compare_offers(offers: list[Offer]) -> list[CompareRow]:
    """The side-by-side table: per attribute, whether offers differ and which are best, so a phone
    can highlight differences instead of making owners read every cell."""
    rows = []
    for key, better in COMPARED:
        values = [getattr(o, key) for o in offers]
        present = [(i, v) for i, v in enumerate(values) if v not in ("", None)]
        differs = len({v for _i, v in present}) > 1
        best: set[int] = set()
        if differs and better and present:
            target = min(v for _i, v in present) if better == "low" else max(v for _i, v in present)
            best = {i for i, v in present if v == target}
        rows.append(CompareRow(key, values, differs, best))
    return rows


def share_for(plan: FundingPlan, apartment_id: int) -> Decimal | None:
    """One apartment's share of the owners' part (the owner's look-up before voting)."""
    from gongzhi.renewals.services import plan_shares

    for apartment, amount in plan_shares(plan):
        if apartment.pk == apartment_id:
            return amount
    return None


# --- what renewals tells the vote engine (motions.hooks, registered in apps.ready) -----------------


def consultation_of(motion: Motion) -> Consultation | None:
    """The consultation (换不换, 换什么, 怎么换 of one entrance) the motion is one of, or None. One
    query, with the plan's offer and the three motions joined."""
    return (
        Consultation.objects.filter(
            Q(replace_motion_id=motion.pk) | Q(brand_motion_id=motion.pk) | Q(funding_motion_id=motion.pk)
        )
        .select_related("plan__offer__vendor", "replace_motion", "brand_motion", "funding_motion")
        .first()
    )


def consultation_motion_ids(motion: Motion) -> list[int] | None:
    """hooks.register_motion_group: the consultation's three motions in order (replace, brand,
    funding), put to the same owners together; None for a motion outside any consultation."""
    row = (
        Consultation.objects.filter(
            Q(replace_motion_id=motion.pk) | Q(brand_motion_id=motion.pk) | Q(funding_motion_id=motion.pk)
        )
        .values_list("replace_motion_id", "brand_motion_id", "funding_motion_id")
        .first()
    )
    return list(row) if row is not None else None


def option_offers_of(motion_ids: Sequence[int]) -> dict[int, OfferSummary]:
    """hooks.register_option_offers: {option pk: the offer it stands for} over the motions' options
    (one query)."""
    links = OptionOffer.objects.filter(option__motion_id__in=list(motion_ids)).select_related("offer__vendor")
    return {
        link.option_id: OfferSummary(
            id=link.offer.pk,
            campaign_id=link.offer.campaign_id,
            vendor=link.offer.vendor.name,
            brand=link.offer.brand,
            model=link.offer.model,
            price_per_elevator=link.offer.price_per_elevator,
        )
        for link in links
    }
