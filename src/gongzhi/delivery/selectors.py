"""Reads of renewal delivery: renewals in the user's scope, progress rolled up, what is public."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from gongzhi.core.actors import Actor
from gongzhi.delivery import stages as st
from gongzhi.delivery.models import RenewalStage, StageDocument
from gongzhi.elevators.models import Campaign
from gongzhi.places.access import Action, allowed_other_than, chain_of, may, scoped, user_access
from gongzhi.places.models import Role
from gongzhi.renewals.models import Renewal


def access_renewals(user: Actor, action: Action = Action.VIEW_CAMPAIGN) -> QuerySet[Renewal]:
    """Renewals on elevators whose entrance the user may act on with `action` (404 elsewhere)."""
    return scoped(user, action, Renewal.objects.all())


def _is_vendor_member(user: Actor, renewal: Renewal) -> bool:
    """Is `user` one of the people of the vendor contracted for `renewal` (one query)?"""
    from gongzhi.renewals.models import Vendor

    if renewal.vendor_id is None or getattr(user, "pk", None) is None:
        return False
    return Vendor.objects.filter(pk=renewal.vendor_id, members=user.pk).exists()


def is_place_staff(user: Actor, renewal: Renewal) -> bool:
    """Staff of the renewal's place: those who may manage delivery or record progress over its
    elevator through a role other than a vendor's (subdistrict and community staff, the estate's
    owners' committee and property manager). A grant held elsewhere, or through the vendor role,
    does not count: vendors are competitors of each other (the scope finding of issue 13)."""
    chain = chain_of(renewal.elevator)
    if chain is None:
        return False
    if user_access(user).superuser:
        return True
    return any(
        allowed_other_than(user, action, chain, Role.VENDOR)
        for action in (Action.RECORD_PROGRESS, Action.MANAGE_DELIVERY)
    )


def recordable_kinds(user: Actor, renewal: Renewal) -> frozenset[str]:
    """The stages of `renewal` the user may record: every stage for staff of the place
    (is_place_staff); the works stages (services.VENDOR_STAGES) for the people of the renewal's own
    vendor, who hold RECORD_PROGRESS over the elevator through the vendor role; none otherwise.
    services._may_record enforces exactly this; the pages use it to show only forms that would be
    accepted."""
    from gongzhi.delivery.services import VENDOR_STAGES

    if not may(user, Action.RECORD_PROGRESS, renewal.elevator):
        return frozenset()
    if is_place_staff(user, renewal):
        return frozenset(st.ORDER)
    if _is_vendor_member(user, renewal):
        return VENDOR_STAGES
    return frozenset()


def may_see_private_documents(user: Actor, renewal: Renewal) -> bool:
    """Private (不公开) stage documents, e.g. the contract, are for staff of the place and the
    renewal's own vendor only; a rival vendor, an owner or a supervisor who sees the renewal sees
    its public documents only."""
    if is_place_staff(user, renewal):
        return True
    return may(user, Action.VIEW_CAMPAIGN, renewal.elevator) and _is_vendor_member(user, renewal)


def visible_documents(user: Actor, renewal: Renewal) -> QuerySet[StageDocument]:
    """The renewal's stage documents `user` may list and download (see may_see_private_documents)."""
    qs = StageDocument.objects.filter(stage__renewal=renewal)
    return qs if may_see_private_documents(user, renewal) else qs.filter(public=True)


def decided_entrances(campaign: Campaign) -> dict[int, Any]:
    """Entrances whose owners decided through the platform: the replace motion passed and the brand
    motion adopted an option with an offer. {entrance id: Offer}. Three queries."""
    from gongzhi.motions.models import MotionStatus
    from gongzhi.renewals.models import Consultation, OptionOffer

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
    links = OptionOffer.objects.filter(option__motion_id__in=[m for m, _ in wanted]).select_related(
        "option", "offer__vendor"
    )
    for link in links:
        entrance = wanted.get((link.option.motion_id, link.option.position))
        if entrance is not None:
            out[entrance] = link.offer
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
