"""Reads of the portal: the campaign board, where each entrance's consultation stands.

The board brings together a deliberation meeting (meetings), the consultation and its three
decisions (renewals) and the participation in each vote (motions), so it is read on the top floor;
renewals, below meetings, does not read meetings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy

from gongzhi.core.actors import Actor
from gongzhi.elevators.models import Campaign
from gongzhi.meetings.models import Meeting, MeetingStatus
from gongzhi.motions.models import MotionStatus, Voter
from gongzhi.places.selectors import access_entrances
from gongzhi.renewals.models import Consultation

STATUS_LABELS = {
    "draft": gettext_lazy("草稿"),
    "open": gettext_lazy("表决中"),
    "passed": gettext_lazy("通过"),
    "failed": gettext_lazy("未通过"),
    "cancelled": gettext_lazy("已撤销"),
}


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


def campaign_board(user: Actor, campaign: Campaign) -> list[BoardRow]:
    """Per estate and entrance with a registered elevator: whether a deliberation meeting about it has
    been held and the state of its three decisions, in a fixed number of queries (entrances,
    meetings, consultations with their motions and results, voter sums)."""
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
