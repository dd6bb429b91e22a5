"""Reads of owners' motions, scoped to the user (DESIGN.md convention 3): the live tally (of a
question, motion_tally, or of a choice among options, choice_tally), the door-knocking list,
paper-entry mismatches, the ballots of a closed motion; and the reads the services share: a
motion's rule and valid choices, the apartments in its scope, the voter behind a personal link or
a session, the same owner's voters in sibling motions, the digest of the ballots at closing."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.errors import AccessDeniedError, NotFoundError
from gongzhi.motions import codes, hooks
from gongzhi.motions import thresholds as th
from gongzhi.motions.models import (
    Ballot,
    Choice,
    Motion,
    MotionKind,
    MotionOption,
    MotionStatus,
    PaperEntry,
    ScopeKind,
    Voter,
    VoterSession,
    option_choice,
)
from gongzhi.places.access import Action, scoped
from gongzhi.places.models import Apartment


def access_motions(user: Actor, action: Action = Action.VIEW_MOTION) -> QuerySet[Motion]:
    """Motions the user may see: staff by their scope, owners those of the estates they live in."""
    return scoped(user, action, Motion.objects.select_related("estate__community__subdistrict"))


def motion_rule(motion: Motion) -> th.VotingRule:
    return th.rule_from(
        {
            "participation": {"area": motion.participation_area, "owners": motion.participation_owners},
            "approval": {"area": motion.approval_area, "owners": motion.approval_owners},
        }
        if not motion.rule_preset
        else motion.rule_preset
    )


def _figures(area: Decimal | None, owners: int | None) -> th.Figures:
    return th.Figures(area=(area or Decimal("0")).quantize(Decimal("0.01")), owners=owners or 0)


def motion_tally(motion: Motion) -> th.Tally:
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
    outcome: th.Tally

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
    rule: th.VotingRule, options: list[tuple[int, str, int | None]], outcomes: list[th.Tally], fallback: th.Tally
) -> ChoiceOutcome:
    """Assemble per-option outcomes (all with the same participating figures) into one result.

    At most one option can be adopted: approval needs more than half of the participating area
    and heads (a custom rule may not go below that, services.lifecycle._parse_rule), and two disjoint
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


@dataclass(frozen=True)
class OptionShown:
    """An option as the pages and the API show it, with the offer it stands for, if any."""

    pk: int
    position: int
    label: str
    offer: hooks.OfferSummary | None

    @property
    def choice(self) -> str:
        return option_choice(self.position)


def options_shown(motion: Motion) -> list[OptionShown]:
    """A choice motion's options in order, each with its offer (hooks.option_offers): two queries;
    [] for a question (no query)."""
    if motion.kind != MotionKind.CHOICE:
        return []
    rows = list(MotionOption.objects.filter(motion=motion).order_by("position").values_list("pk", "position", "label"))
    offers = hooks.option_offers([motion.pk]) if rows else {}
    return [OptionShown(pk, position, label, offers.get(pk)) for pk, position, label in rows]


def _options(motion: Motion, *, offers: bool = True) -> list[tuple[int, str, int | None]]:
    """(position, label, the id of the offer it stands for or None) in order: the offer through
    hooks.option_offers (one more query, skipped with offers=False)."""
    rows = list(MotionOption.objects.filter(motion=motion).order_by("position").values_list("pk", "position", "label"))
    linked = hooks.option_offers([motion.pk]) if offers and rows else {}
    return [(position, label, linked[pk].id if pk in linked else None) for pk, position, label in rows]


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


def motion_outcome(motion: Motion) -> th.Tally | ChoiceOutcome:
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
            for position, label, _offer in _options(motion, offers=False)
        ),
        (Choice.ABSTAIN.value, str(Choice.ABSTAIN.label)),
    ]


def motion_recount(motion: Motion) -> th.Tally | ChoiceOutcome:
    """The tally recomputed from the ballot history alone (every voter's highest version), through
    the contract's pure `tally` over apartments: the independent check of `motion_tally` (and of
    `choice_tally`: each option is recounted as a question whose "for" is that option)."""
    from gongzhi.motions.models import BallotVersion, RollEntry

    apartments = [
        th.RollEntryIn(id=str(rid), area=area, owner=str(voter_id), developer_held=False)
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
    motion: Motion, outcome: th.Tally | ChoiceOutcome | None = None, limit: int | None = None
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


# --- the roll, the choices and the ballots (also read by the services) -------------------------


def valid_choices(motion: Motion) -> list[str]:
    """The ballot values a motion accepts: for / against / abstain for a question; "opt<n>" for
    each option, or abstain, for a choice (abstaining owners take part but choose nothing,
    Civil Code Art. 278). A question costs no query (the casting hot path)."""
    if motion.kind != MotionKind.CHOICE:
        return list(Choice.values)
    positions = MotionOption.objects.filter(motion_id=motion.pk).order_by("position").values_list("position", flat=True)
    return [*(option_choice(p) for p in positions), Choice.ABSTAIN.value]


def scope_apartments(motion: Motion) -> Any:
    """The apartments a motion is put to, from the live registry (before the roll is frozen)."""
    qs = Apartment.objects.all()
    if motion.scope_kind == ScopeKind.ENTRANCE:
        return qs.filter(entrance_id=motion.scope_entrance_id or 0)
    if motion.scope_kind == ScopeKind.BUILDING:
        return qs.filter(entrance__building_id=motion.scope_building_id or 0)
    if motion.scope_kind == ScopeKind.APARTMENTS:
        return qs.filter(id__in=motion.scope_apartments.values("id"))
    return qs.filter(entrance__building__estate_id=motion.estate_id)


def ballots_digest(motion: Motion) -> str:
    """SHA-256 over the per-apartment ballots at closing, printed on the notice so the published
    workbook can be checked against the frozen result."""
    digest = hashlib.sha256()
    rows = (
        Ballot.objects.filter(motion=motion)
        .order_by("roll_entry_id")
        .values_list("roll_entry_id", "choice", "channel", "version__version")
    )
    for row in rows.iterator(chunk_size=5000):
        digest.update(("|".join(str(x) for x in row) + "\n").encode())
    return digest.hexdigest()


# --- voters' links and sessions --------------------------------------------------------------


def voter_for_session(session_token: str, *, now: dt.datetime | None = None) -> Voter:
    return voter_for_session_hash(codes.sha256_hex(session_token), now=now)


def voter_for_session_hash(token_hash: str, *, now: dt.datetime | None = None) -> Voter:
    """The voter of a valid session, looked up by the token's SHA-256 (what VoterSession stores)."""
    now = now if now is not None else timezone.now()
    session = (
        VoterSession.objects.select_related("voter__motion").filter(token_hash=token_hash, expires_at__gt=now).first()
    )
    if session is None:
        raise AccessDeniedError(_("验证已过期，请重新获取验证码。"), code="session_expired")
    return session.voter


def voter_for_link(token: str) -> Voter:
    voter = Voter.objects.select_related("motion__estate").filter(token_hash=codes.sha256_hex(token)).first()
    if voter is None:
        raise NotFoundError(_("链接无效。"))
    return voter


def sibling_voters(voter: Voter, *, group: Sequence[int] | None = None) -> list[Voter]:
    """The same owner (the same owner_key: one head, SPC interpretation Art. 9) in the other
    motions put together with the voter's (hooks.motion_group: renewals' consultation, the
    entrance's replace, brand and funding motions, in that order); [] when the motion is in no
    group. Such motions are opened together over the same apartments, so an owner has one voter in
    each (two queries; one when the caller passes the `group` it already knows)."""
    order = list(group) if group is not None else hooks.motion_group(voter.motion)
    others = [pk for pk in order if pk != voter.motion_id]
    if not others:
        return []
    siblings = Voter.objects.filter(motion_id__in=others, owner_key=voter.owner_key).select_related("motion")
    return sorted(siblings, key=lambda v: order.index(v.motion_id))
