"""Reads of the renewal consultation, scoped to the user (DESIGN.md convention 3).

A vendor sees only its own offers (drafts included) and never another vendor's drafts; everyone
who may see a campaign sees its submitted and locked offers side by side."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.elevators.models import Campaign
from gongzhi.elevators.selectors import access_campaigns
from gongzhi.places.access import Action, estate_q, user_access
from gongzhi.renewals.models import FundingPlan, Offer, OfferStatus

PUBLIC_STATUSES = (OfferStatus.SUBMITTED, OfferStatus.LOCKED)


def access_offers(user: Any, campaign: Campaign | None = None) -> QuerySet[Offer]:
    """Submitted and locked offers of the campaigns the user sees, plus a vendor's own offers."""
    qs = Offer.objects.select_related("vendor", "campaign__subdistrict").prefetch_related("prices")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    visible = Q(campaign__in=access_campaigns(user).values("pk"), status__in=PUBLIC_STATUSES)
    if getattr(user, "pk", None) and not user_access(user).grants(Action.SUBMIT_OFFERS).empty:
        visible |= Q(vendor__members=user)
    return qs.filter(visible).distinct()


def access_plans(user: Any, action: Action = Action.VIEW_CAMPAIGN) -> QuerySet[FundingPlan]:
    q = estate_q(user, action, "entrance__building__estate", lambda entrances, _owners: Q(entrance_id__in=entrances))
    qs = FundingPlan.objects.select_related("entrance__building__estate", "offer__vendor", "campaign")
    return qs if q is None else qs.filter(q)


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
