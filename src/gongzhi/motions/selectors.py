"""Reads of owners' motions, scoped to the user (DESIGN.md convention 3): the live tally (of a
question, motion_tally, or of a choice among options, choice_tally), the door-knocking list,
paper-entry mismatches, the ballots of a closed motion."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from gongzhi.motions import thresholds as th
from gongzhi.motions.models import (
    Choice,
    Motion,
    MotionKind,
    MotionOption,
    MotionStatus,
    PaperEntry,
    Voter,
    option_choice,
)
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


# --- choice motions (方案选择) ---------------------------------------------------------------------


@dataclass(frozen=True)
class OptionStanding:
    """One option of a choice motion judged on its own: those choosing it against everyone
    taking part (for_ = this option, against = all other options, abstain = abstaining)."""

    position: int
    label: str
    offer_id: int | None
    outcome: th.Outcome

    @property
    def choice(self) -> str:
        return option_choice(self.position)

    @property
    def figures(self) -> th.Figures:
        return self.outcome.for_

    @property
    def approved(self) -> bool:
        return self.outcome.approved

    @property
    def adopted(self) -> bool:
        return self.outcome.passed

    def as_json(self) -> dict[str, object]:
        return {
            "position": self.position,
            "choice": self.choice,
            "label": self.label,
            "offer": self.offer_id,
            "votes": self.figures.as_json(),
            "approved": self.approved,
            "adopted": self.adopted,
            "still_needed": self.outcome.still_needed.approval.as_json(),
        }


@dataclass(frozen=True)
class ChoiceOutcome:
    """The tally of a choice motion at one moment (see choice_tally for the rule).

    `participation_needed` is what must still take part (the same for every option); each
    option's own outcome says what more must choose it (`still_needed.approval`)."""

    rule: th.VotingRule
    total: th.Figures
    participating: th.Figures
    abstain: th.Figures
    options: tuple[OptionStanding, ...]
    quorum_met: bool
    participation_needed: th.Figures

    @property
    def adopted(self) -> OptionStanding | None:
        return next((o for o in self.options if o.adopted), None)

    @property
    def approved(self) -> bool:
        """Some option meets the approval thresholds (participation aside)."""
        return any(o.approved for o in self.options)

    @property
    def passed(self) -> bool:
        return self.adopted is not None

    def as_json(self) -> dict[str, object]:
        adopted = self.adopted
        return {
            "kind": MotionKind.CHOICE.value,
            "passed": self.passed,
            "quorum_met": self.quorum_met,
            "approved": self.approved,
            "adopted": None if adopted is None else adopted.position,
            "total": self.total.as_json(),
            "participating": self.participating.as_json(),
            "abstain": self.abstain.as_json(),
            "options": [o.as_json() for o in self.options],
            "still_needed": {"participation": self.participation_needed.as_json()},
            "rule": self.rule.as_json(),
        }


def _choice_outcome(
    rule: th.VotingRule, options: list[tuple[int, str, int | None]], outcomes: list[th.Outcome], fallback: th.Outcome
) -> ChoiceOutcome:
    """Assemble per-option outcomes (all with the same participating figures) into one result.

    At most one option can be adopted: approval needs more than half of the participating area
    and heads (a custom rule may not go below that, services._parse_rule), and two disjoint
    groups cannot both hold more than half."""
    standings = tuple(
        OptionStanding(position, label, offer_id, outcome)
        for (position, label, offer_id), outcome in zip(options, outcomes, strict=True)
    )
    base = outcomes[0] if outcomes else fallback
    adopted = [s for s in standings if s.adopted]
    if len(adopted) > 1:  # pragma: no cover - impossible under any rule services accept
        raise th.TallyInputError("more than one option meets the approval thresholds")
    return ChoiceOutcome(
        rule=rule,
        total=base.total,
        participating=base.participating,
        abstain=base.abstain,
        options=standings,
        quorum_met=base.quorum_met,
        participation_needed=base.still_needed.participation,
    )


def _options(motion: Motion) -> list[tuple[int, str, int | None]]:
    return list(
        MotionOption.objects.filter(motion=motion).order_by("position").values_list("position", "label", "offer_id")
    )


def choice_tally(motion: Motion) -> ChoiceOutcome:
    """The tally of a choice motion (方案选择, e.g. the brand of the new elevator) now.

    The rule (docs/motions-tally.md, "Choice motions"): participation is judged as for any
    motion, by area and by headcount against the totals (Civil Code Art. 278(2): at least two
    thirds of each under the presets). An option is ADOPTED when the owners choosing it meet the
    approval thresholds against the participating figures, i.e. more than half of the
    participating area AND more than half of the participating owners under the ordinary rule
    (at least three quarters under the special one), and participation is met. Everyone who took
    part counts in the base: owners choosing other options and abstaining owners alike.
    A plurality alone never adopts an option, because Art. 278 requires a majority of those
    taking part (Art. 1259: 过半数 excludes exactly one half). If no option reaches it, nothing is
    adopted and the standings are shown; staff may put the top two to a new motion.

    Each option is judged by thresholds.evaluate with for_ = that option, against = every other
    option, abstain = abstaining owners; thresholds.py stays the pure contract of a question."""
    voters = Voter.objects.filter(motion=motion)
    total_row = voters.aggregate(area=Sum("area"), owners=Count("id"))
    by_choice = {
        row["choice"]: _figures(row["area"], row["owners"])
        for row in voters.exclude(choice="").values("choice").annotate(area=Sum("area"), owners=Count("id"))
    }
    rule = motion_rule(motion)
    total = _figures(total_row["area"], total_row["owners"])
    options = _options(motion)
    zero = _figures(None, None)
    abstain = by_choice.get(Choice.ABSTAIN, zero)
    votes = [by_choice.get(option_choice(position), zero) for position, _label, _offer in options]
    outcomes = []
    for index, mine in enumerate(votes):
        others = zero
        for other_index, other in enumerate(votes):
            if other_index != index:
                others = others + other
        outcomes.append(th.evaluate(rule, total=total, for_=mine, against=others, abstain=abstain))
    fallback = th.evaluate(rule, total=total, for_=zero, against=zero, abstain=abstain)
    return _choice_outcome(rule, options, outcomes, fallback)


def motion_outcome(motion: Motion) -> th.Outcome | ChoiceOutcome:
    """The tally of any motion: motion_tally for a question, choice_tally for a choice."""
    if motion.kind == MotionKind.CHOICE:
        return choice_tally(motion)
    return motion_tally(motion)


def choice_list(motion: Motion) -> list[tuple[str, str]]:
    """The choices a motion offers, as (ballot value, label in the user's language), in order:
    同意 / 反对 / 弃权 for a question; "方案1：…", … and 弃权 for a choice."""
    if motion.kind != MotionKind.CHOICE:
        return [(str(value), str(label)) for value, label in Choice.choices]
    return [
        *(
            (option_choice(position), _("方案%(n)s：%(label)s") % {"n": position, "label": label})
            for position, label, _offer in _options(motion)
        ),
        (Choice.ABSTAIN.value, str(Choice.ABSTAIN.label)),
    ]


def motion_recount(motion: Motion) -> th.Outcome | ChoiceOutcome:
    """The tally recomputed from the ballot history alone (every voter's highest version), through
    the contract's pure `tally` over apartments: the independent check of `motion_tally` (and of
    `choice_tally`: each option is recounted as a question whose "for" is that option)."""
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
    rule = motion_rule(motion)
    if motion.kind != MotionKind.CHOICE:
        ballots = [th.BallotIn(apartment=first_entry[v], choice=c) for v, (_ver, c) in sorted(latest.items())]
        return th.tally(rule, apartments, ballots)
    options = _options(motion)

    def as_question(choice: str, mine: str) -> str:
        if choice == Choice.ABSTAIN:
            return choice
        return Choice.FOR if choice == mine else Choice.AGAINST

    outcomes = [
        th.tally(
            rule,
            apartments,
            [
                th.BallotIn(apartment=first_entry[v], choice=as_question(c, option_choice(position)))
                for v, (_ver, c) in sorted(latest.items())
            ],
        )
        for position, _label, _offer in options
    ]
    abstaining = [th.BallotIn(apartment=first_entry[v], choice=c) for v, (_ver, c) in sorted(latest.items())]
    fallback = th.tally(rule, apartments, [b for b in abstaining if b.choice == Choice.ABSTAIN])
    return _choice_outcome(rule, options, outcomes, fallback)


@dataclass(frozen=True)
class Visit:
    voter: Voter
    cumulative_area: Decimal
    cumulative_owners: int
    reaches_area: bool  # participation by area is met once this visit (and those before) vote
    reaches_owners: bool


def door_knocking(
    motion: Motion, outcome: th.Outcome | ChoiceOutcome | None = None, limit: int | None = None
) -> list[Visit]:
    """Owners who have not voted, largest area first: any visit adds one head, so taking the largest
    areas first reaches the area threshold with the fewest visits and the headcount one no later than
    any other order (both need max(k_area, k_owners) visits). Ties: by sheet number, which follows
    building, entrance, floor and room, so a walk stays on one staircase."""
    outcome = outcome or motion_outcome(motion)
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
