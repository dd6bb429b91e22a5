"""Reads of owners' motions, scoped to the user (DESIGN.md convention 3): the live tally, the
door-knocking list, paper-entry mismatches, the ballots of a closed motion."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from gongzhi.motions import thresholds as th
from gongzhi.motions.models import Choice, Motion, MotionStatus, PaperEntry, Voter
from gongzhi.motions.services import motion_rule
from gongzhi.places.access import Action, estate_q
from gongzhi.places.models import Entrance


def access_motions(user: Any, action: Action = Action.VIEW_MOTION) -> QuerySet[Motion]:
    """Motions the user may see: staff by their scope, owners those of the estates they live in."""

    def owner_q(entrances: set[int], _owners: set[int]) -> Q:
        return Q(estate_id__in=Entrance.objects.filter(id__in=entrances).values("building__estate_id"))

    q = estate_q(user, action, "estate", owner_q)
    qs = Motion.objects.select_related("estate__community__subdistrict")
    return qs if q is None else qs.filter(q)


def _figures(area: Decimal | None, owners: int | None) -> th.Figures:
    return th.Figures(area=(area or Decimal("0")).quantize(Decimal("0.01")), owners=owners or 0)


def motion_tally(motion: Motion) -> th.Outcome:
    """The tally now: two grouped queries over the voters (each voter's current choice applies to all
    of their apartments, so the voter-level sums equal the per-apartment ones), then the pure rule."""
    voters = Voter.objects.filter(motion=motion)
    total = voters.aggregate(area=Sum("area"), owners=Count("id"))
    by_choice = {
        row["choice"]: _figures(row["area"], row["owners"])
        for row in voters.exclude(choice="").values("choice").annotate(area=Sum("area"), owners=Count("id"))
    }
    zero = _figures(None, None)
    return th.evaluate(
        motion_rule(motion),
        total=_figures(total["area"], total["owners"]),
        for_=by_choice.get(Choice.FOR, zero),
        against=by_choice.get(Choice.AGAINST, zero),
        abstain=by_choice.get(Choice.ABSTAIN, zero),
    )


def motion_recount(motion: Motion) -> th.Outcome:
    """The tally recomputed from the ballot history alone (every voter's highest version), through
    the contract's pure `tally` over apartments: the independent check of `motion_tally`."""
    from gongzhi.motions.models import BallotVersion, RollEntry

    apartments = [
        th.ApartmentIn(id=str(rid), area=area, owner=str(voter_id), developer_held=False)
        for rid, area, voter_id in RollEntry.objects.filter(motion=motion).values_list("id", "area", "voter_id")
    ]
    first_entry: dict[int, str] = {}
    for a in apartments:
        first_entry.setdefault(int(a.owner), a.id)
    latest: dict[int, tuple[int, str]] = {}
    for voter_id, version, choice in BallotVersion.objects.filter(voter__motion=motion).values_list(
        "voter_id", "version", "choice"
    ):
        if voter_id not in latest or version > latest[voter_id][0]:
            latest[voter_id] = (version, choice)
    ballots = [th.BallotIn(apartment=first_entry[v], choice=c) for v, (_ver, c) in sorted(latest.items())]
    return th.tally(motion_rule(motion), apartments, ballots)


@dataclass(frozen=True)
class Visit:
    voter: Voter
    cumulative_area: Decimal
    cumulative_owners: int
    reaches_area: bool  # participation by area is met once this visit (and those before) vote
    reaches_owners: bool


def door_knocking(motion: Motion, outcome: th.Outcome | None = None, limit: int | None = None) -> list[Visit]:
    """Owners who have not voted, largest area first: any visit adds one head, so taking the largest
    areas first reaches the area threshold with the fewest visits and the headcount one no later than
    any other order (both need max(k_area, k_owners) visits). Ties: by sheet number, which follows
    building, entrance, floor and room, so a walk stays on one staircase."""
    outcome = outcome or motion_tally(motion)
    rule = motion_rule(motion)
    qs = Voter.objects.filter(motion=motion, choice="").prefetch_related("roll_entries").order_by("-area", "number")
    if limit is not None:
        qs = qs[:limit]
    visits = []
    area = outcome.participating.area
    owners = outcome.participating.owners
    for voter in qs:
        area += voter.area
        owners += 1
        visits.append(
            Visit(
                voter,
                area,
                owners,
                rule.participation_area.met(area, outcome.total.area),
                rule.participation_owners.met(owners, outcome.total.owners),
            )
        )
    return visits


@dataclass(frozen=True)
class Mismatch:
    voter: Voter
    entries: list[PaperEntry]


def paper_mismatches(motion: Motion) -> list[Mismatch]:
    """Sheets whose pending entries disagree (two or more different choices, none counted yet)."""
    pending = (
        PaperEntry.objects.filter(voter__motion=motion, counted=False)
        .select_related("voter", "entered_by")
        .order_by("voter__number", "entered_at")
    )
    by_voter: dict[int, list[PaperEntry]] = {}
    for entry in pending:
        by_voter.setdefault(entry.voter_id, []).append(entry)
    return [
        Mismatch(entries[0].voter, entries) for entries in by_voter.values() if len({e.choice for e in entries}) > 1
    ]


def paper_progress(motion: Motion) -> dict[str, int]:
    """Sheets keyed once and waiting for a second person, sheets counted, sheets in dispute."""
    pending = (
        PaperEntry.objects.filter(voter__motion=motion, counted=False)
        .values("voter_id")
        .annotate(n=Count("id"), choices=Count("choice", distinct=True))
    )
    awaiting = disputed = 0
    for row in pending:
        if row["choices"] > 1:
            disputed += 1
        else:
            awaiting += 1
    counted = PaperEntry.objects.filter(voter__motion=motion, counted=True).values("voter_id", "batch").distinct()
    return {"awaiting_second": awaiting, "counted": counted.count(), "mismatches": disputed}


def voting_open(motion: Motion, now: Any) -> bool:
    return motion.status == MotionStatus.OPEN and motion.opens_at <= now < motion.closes_at
