"""Reads of renewal delivery: renewals in the user's scope, progress rolled up, what is public."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.delivery import stages as st
from gongzhi.delivery.models import Renewal, RenewalStage
from gongzhi.elevators.models import Campaign
from gongzhi.places.access import Action, estate_q


def access_renewals(user: Any, action: Action = Action.VIEW_CAMPAIGN) -> QuerySet[Renewal]:
    """Renewals on elevators whose entrance the user may act on with `action` (404 elsewhere)."""
    q = estate_q(
        user,
        action,
        "elevator__entrance__building__estate",
        lambda entrances, _owners: Q(elevator__entrance_id__in=entrances),
    )
    qs = Renewal.objects.all()
    return qs if q is None else qs.filter(q)


def decided_entrances(campaign: Campaign) -> dict[int, Any]:
    """Entrances whose owners decided through the platform: the replace motion passed and the brand
    motion adopted an option with an offer. {entrance id: Offer}. Three queries."""
    from gongzhi.motions.models import MotionOption, MotionStatus
    from gongzhi.renewals.models import Consultation

    out: dict[int, Any] = {}
    consultations = list(
        Consultation.objects.filter(
            campaign=campaign,
            replace_motion__status=MotionStatus.CLOSED,
            replace_motion__result__passed=True,
            brand_motion__status=MotionStatus.CLOSED,
            brand_motion__result__passed=True,
        ).select_related("brand_motion__result")
    )
    wanted = {(c.brand_motion_id, c.brand_motion.result.outcome.get("adopted")): c.entrance_id for c in consultations}
    options = MotionOption.objects.filter(motion_id__in=[m for m, _ in wanted]).select_related("offer__vendor")
    for option in options:
        entrance = wanted.get((option.motion_id, option.position))
        if entrance is not None and option.offer is not None:
            out[entrance] = option.offer
    return out


@dataclass
class Rollup:
    """Mean progress (percent) of a group of elevators, with counts."""

    key: Any
    label: str
    elevators: int = 0
    progress_sum: int = 0
    done: int = 0
    overdue: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)

    @property
    def progress(self) -> int:
        return round(self.progress_sum / self.elevators) if self.elevators else 0


def overdue_stage_ids(renewal_ids: list[int], today: dt.date) -> set[int]:
    """Stages past their planned end and not finished, in one query."""
    return set(
        RenewalStage.objects.filter(renewal_id__in=renewal_ids, planned_end__lt=today)
        .exclude(status__in=list(st.FINISHED))
        .values_list("id", flat=True)
    )


def rollup(renewals: QuerySet[Renewal], today: dt.date) -> dict[str, list[Rollup]]:
    """Progress by entrance, estate, community and campaign (the mean of the elevators' progress,
    each elevator's progress being the stage weights it has finished). Two queries."""
    rows = list(
        renewals.values(
            "id",
            "progress",
            "current_stage",
            "campaign_id",
            "campaign__name",
            "elevator__entrance_id",
            "elevator__entrance__name",
            "elevator__entrance__building__name",
            "elevator__entrance__building__estate_id",
            "elevator__entrance__building__estate__name",
            "elevator__entrance__building__estate__community_id",
            "elevator__entrance__building__estate__community__name",
        )
    )
    late = set(
        RenewalStage.objects.filter(renewal_id__in=[r["id"] for r in rows], planned_end__lt=today)
        .exclude(status__in=list(st.FINISHED))
        .values_list("renewal_id", flat=True)
    )
    levels: dict[str, dict[Any, Rollup]] = {"entrance": {}, "estate": {}, "community": {}, "campaign": {}}
    for r in rows:
        keys = {
            "entrance": (
                r["elevator__entrance_id"],
                (
                    f"{r['elevator__entrance__building__estate__name']} {r['elevator__entrance__building__name']}"
                    f"{r['elevator__entrance__name']}"
                ),
            ),
            "estate": (r["elevator__entrance__building__estate_id"], r["elevator__entrance__building__estate__name"]),
            "community": (
                r["elevator__entrance__building__estate__community_id"],
                r["elevator__entrance__building__estate__community__name"],
            ),
            "campaign": (r["campaign_id"], r["campaign__name"]),
        }
        for level, (key, label) in keys.items():
            group = levels[level].setdefault(key, Rollup(key, label))
            group.elevators += 1
            group.progress_sum += r["progress"]
            group.done += r["progress"] == 100
            group.overdue += r["id"] in late
            group.by_stage[r["current_stage"]] = group.by_stage.get(r["current_stage"], 0) + 1
    return {level: sorted(groups.values(), key=lambda g: g.label) for level, groups in levels.items()}
