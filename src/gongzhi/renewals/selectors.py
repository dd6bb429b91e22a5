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


def access_plans(user: Any, action: Action = Action.VIEW_MOTION) -> QuerySet[FundingPlan]:
    """Plans are the owners' money: seen by those who see the entrance's votes (not vendors)."""
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


@dataclass(frozen=True)
class BoardMotion:
    motion_id: int
    status: str  # draft / open / passed / failed / cancelled
    participation: Decimal | None  # share of the area that has voted (0..1), None before the roll is frozen

    @property
    def participation_percent(self) -> int:
        return int((self.participation or 0) * 100)

    @property
    def label(self) -> str:
        from gongzhi.renewals.views_board import STATUS_LABELS

        return str(STATUS_LABELS.get(self.status, self.status))


@dataclass(frozen=True)
class BoardRow:
    """One entrance on the campaign board: where its consultation stands."""

    estate: str
    entrance: Any
    meeting_held: bool  # a deliberation meeting about the entrance (or its whole estate) has ended
    consultation_id: int | None
    replace: BoardMotion | None
    brand: BoardMotion | None
    funding: BoardMotion | None

    @property
    def motions(self) -> list[BoardMotion | None]:
        return [self.replace, self.brand, self.funding]


def campaign_board(user: Any, campaign: Campaign) -> list[BoardRow]:
    """Per estate and entrance with a registered elevator: whether a deliberation meeting about it has
    been held and the state of its three decisions, in a fixed number of queries (entrances,
    meetings, consultations with their motions and results, voter sums)."""
    from django.db.models import Sum

    from gongzhi.motions.models import MotionStatus, Voter
    from gongzhi.places.selectors import access_entrances
    from gongzhi.renewals.models import Consultation

    entrances = list(
        access_entrances(user)
        .filter(building__estate__community__subdistrict_id=campaign.subdistrict_id, elevators__isnull=False)
        .select_related("building__estate")
        .distinct()
        .order_by("building__estate__name", "building__name", "name")
    )
    consultations = {
        c.entrance_id: c
        for c in Consultation.objects.filter(campaign=campaign, entrance__in=entrances)
        .select_related("replace_motion__result", "brand_motion__result", "funding_motion__result")
        .order_by("created_at")
    }
    from gongzhi.meetings.models import Meeting, MeetingStatus

    held = Meeting.objects.filter(
        estate_id__in={e.building.estate_id for e in entrances},
        status__in=[MeetingStatus.ENDED, MeetingStatus.PUBLISHED],
    ).filter(Q(campaign=campaign) | Q(campaign__isnull=True))
    whole_estates: set[int] = set()
    held_entrances: set[int] = set()
    for meeting_estate, entrance_id in held.values_list("estate_id", "entrances"):
        if entrance_id is None:
            whole_estates.add(meeting_estate)
        else:
            held_entrances.add(entrance_id)
    motion_ids = [m.pk for c in consultations.values() for m in c.motions]
    totals: dict[int, list[Decimal]] = {}
    for row in (
        Voter.objects.filter(motion_id__in=motion_ids)
        .values("motion_id", "choice")
        .annotate(area=Sum("area"))
        .order_by()
    ):
        entry = totals.setdefault(row["motion_id"], [Decimal(0), Decimal(0)])
        entry[1] += row["area"]
        if row["choice"]:
            entry[0] += row["area"]

    def state(motion: Any) -> BoardMotion:
        status = str(motion.status)
        if status == MotionStatus.CLOSED:
            result = getattr(motion, "result", None)
            status = "passed" if result is not None and result.passed else "failed"
        voted, total = totals.get(motion.pk, [Decimal(0), Decimal(0)])
        return BoardMotion(motion.pk, status, (voted / total) if total else None)

    rows = []
    for entrance in entrances:
        c = consultations.get(entrance.pk)
        rows.append(
            BoardRow(
                entrance.building.estate.name,
                entrance,
                entrance.building.estate_id in whole_estates or entrance.pk in held_entrances,
                c.pk if c else None,
                state(c.replace_motion) if c else None,
                state(c.brand_motion) if c else None,
                state(c.funding_motion) if c else None,
            )
        )
    return rows
