"""The tally of an owners' motion: who took part, who agreed, and whether it passed. Pure Python.

No Django import, so the rule is fast to test and easy to read (DESIGN.md, "Layout"); the motion
models, the live tally and `gongzhi tally` all call it. Messages of TallyInputError are English:
the CLI prints them, and the web layer maps them to its own Chinese DomainError.

Legal sources
-------------
* PRC Civil Code Art. 278(2): a joint decision of the owners needs owners holding **at least
  two thirds** (三分之二以上) of the exclusive area AND **at least two thirds** of the owners by
  headcount to take part in the vote. Matters of items 6-8 of Art. 278(1) (raising the
  maintenance fund; rebuilding or reconstructing the building and its facilities; changing the
  use of common parts or running a business on them) need **at least three quarters** (四分之三以上)
  of the participating area AND of the participating owners to agree; every other matter needs
  **more than half** (过半数) of each. Using the maintenance fund is item 5: an ordinary matter.
* Civil Code Art. 1259: "以上" includes the number itself, "超过" does not; "过半数" is "超过半数",
  so exactly one half is not enough. Hence `>=` for "以上" and `>` for "过半数".
* Interpretation of the Supreme People's Court on disputes over building ownership by
  compartments (法释〔2009〕7号, amended by 法释〔2020〕17号), Art. 8: the area is the exclusive area
  registered in the real-estate register (failing that, the surveyed area, then the area of the
  sales contract); Art. 9: the headcount is one per exclusive part, except that all apartments
  the developer has not sold, or sold but not delivered, count as ONE owner, and one buyer of
  several exclusive parts counts as ONE owner.

Areas are square metres with two decimals (the register's precision). All arithmetic is on
integers (hundredths of a square metre, headcounts) or Fractions, never floats, so a figure that
sits exactly on a threshold is judged exactly as the law says.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation, Overflow
from fractions import Fraction
from typing import Final

CHOICES: Final = ("for", "against", "abstain")
PRESET_ORDINARY: Final = "civil-code-ordinary"
PRESET_SPECIAL: Final = "civil-code-special"

_GRID: Final = 100  # hundredths of a square metre per square metre
_AREA_DIGITS: Final = 12  # an area (or a sum of areas) below 10^12 m²: anything larger is a typo
_AREA_LIMIT: Final = 10**_AREA_DIGITS
_CENT: Final = Decimal("0.01")
# Enough digits for any area below _AREA_LIMIT with two decimals; a coefficient that would not fit
# traps (InvalidOperation) instead of being rounded. Only quantize may round, and that is checked.
_EXACT: Final = Context(prec=40, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, Overflow])


class TallyInputError(ValueError):
    """Bad input to the tally. The message (English, one line) names what is wrong."""


# --------------------------------------------------------------------------------------------
# Exact numbers


def _hundredths(value: object, what: str) -> int:
    """An area as an exact whole number of hundredths of a m² (0.01 m² is the register's grid).

    Accepts Decimal and int only: a float is refused because it cannot say 89.50 exactly. The
    Decimal operations run in a private context (not the calling thread's, whose precision may be
    anything); the one rounding step, quantize, is checked by an exact comparison, and areas are
    bounded so that 1E+999999999 cannot exhaust memory.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TallyInputError(f"{what} must be a Decimal or an integer, not {type(value).__name__}")
    if isinstance(value, int):
        if abs(value) >= _AREA_LIMIT:
            raise TallyInputError(f"{what} is too large: {value}")
        return value * _GRID
    if not value.is_finite():
        raise TallyInputError(f"{what} must be a finite number, not {value}")
    try:
        on_grid = value.quantize(_CENT, context=_EXACT)
    except InvalidOperation:  # more digits than _EXACT holds: far beyond _AREA_LIMIT
        raise TallyInputError(f"{what} is too large: {value}") from None
    if on_grid != value:  # an exact comparison: quantize rounded away a third decimal
        raise TallyInputError(f"{what} must have at most two decimals (0.01 m²), not {value}")
    if on_grid and on_grid.adjusted() >= _AREA_DIGITS:
        raise TallyInputError(f"{what} is too large: {value}")
    return int(on_grid.scaleb(2, context=_EXACT))


def _area(hundredths: int) -> Decimal:
    """Hundredths of a m² as a Decimal with exactly two decimals (built from text: exact)."""
    sign = "-" if hundredths < 0 else ""
    whole, cents = divmod(abs(hundredths), _GRID)
    return Decimal(f"{sign}{whole}.{cents:02d}")


def _ceil_div(a: int, b: int) -> int:
    """Ceiling of a / b for b > 0, exact for any integers."""
    return -(-a // b)


# --------------------------------------------------------------------------------------------
# Thresholds and rules

_THRESHOLD = re.compile(r"\s*(>=|>)\s*(\d{1,9})\s*/\s*(\d{1,9})\s*", re.ASCII)


@dataclass(frozen=True)
class Threshold:
    """A share that must be reached: `>= p/q` ("p/q 以上") or `> p/q` ("超过 p/q", e.g. 过半数).

    Art. 1259 Civil Code decides which: "以上" includes the number (inclusive), "过半数" does not.
    """

    inclusive: bool
    fraction: Fraction

    def __post_init__(self) -> None:
        if not isinstance(self.fraction, Fraction):
            raise TallyInputError(f"threshold fraction must be a Fraction, not {type(self.fraction).__name__}")
        if not 0 < self.fraction <= 1:
            raise TallyInputError(f"threshold fraction must be above 0 and at most 1, not {self.fraction}")

    @classmethod
    def parse(cls, text: str) -> Threshold:
        """Read ">=2/3", ">1/2", ">=3/4", ">=1/1" (spaces tolerated; the fraction is reduced).

        ">1/1" is refused: no share can exceed the whole, so such a vote could never pass.
        """
        if not isinstance(text, str):
            raise TallyInputError(f"a threshold must be a string such as '>=2/3', not {type(text).__name__}")
        match = _THRESHOLD.fullmatch(text)
        if match is None:
            raise TallyInputError(f"a threshold is '>=' or '>' followed by a fraction such as 2/3, not {text!r}")
        operator, numerator, denominator = match.groups()
        if int(denominator) == 0:
            raise TallyInputError(f"threshold {text!r} divides by zero")
        fraction = Fraction(int(numerator), int(denominator))
        if not 0 < fraction <= 1:
            raise TallyInputError(f"threshold {text!r} must be a fraction above 0 and at most 1")
        if operator == ">" and fraction == 1:
            raise TallyInputError(f"threshold {text!r} can never be met (no share exceeds the whole)")
        return cls(inclusive=operator == ">=", fraction=fraction)

    def met(self, part: Decimal | int, whole: Decimal | int) -> bool:
        """part / whole reaches the threshold, decided exactly: part·q (>= or >) p·whole.

        Written without division, so a whole of 0 is allowed (0 >= 0 holds for `>=`); callers
        that need "somebody took part" check that themselves (see `evaluate`).
        """
        left = Fraction(part) * self.fraction.denominator
        right = Fraction(whole) * self.fraction.numerator
        return left >= right if self.inclusive else left > right

    def smallest_part(self, whole: int) -> int:
        """The smallest whole number `part` with met(part, whole), for whole >= 0."""
        p, q = self.fraction.numerator, self.fraction.denominator
        if self.inclusive:
            return _ceil_div(p * whole, q)
        return p * whole // q + 1

    def __str__(self) -> str:
        return f"{'>=' if self.inclusive else '>'}{self.fraction.numerator}/{self.fraction.denominator}"


@dataclass(frozen=True)
class VotingRule:
    """Participation and approval thresholds, each by area and by headcount (Civil Code Art. 278).

    Participation compares the participating figures with the totals of the motion's roll;
    approval compares the agreeing figures with the participating ones. All four must be met.
    """

    participation_area: Threshold
    participation_owners: Threshold
    approval_area: Threshold
    approval_owners: Threshold
    preset: str | None = None

    def as_json(self) -> dict[str, dict[str, str]]:
        return {
            "participation": {"area": str(self.participation_area), "owners": str(self.participation_owners)},
            "approval": {"area": str(self.approval_area), "owners": str(self.approval_owners)},
        }


_TWO_THIRDS = Threshold(inclusive=True, fraction=Fraction(2, 3))  # 三分之二以上
_MORE_THAN_HALF = Threshold(inclusive=False, fraction=Fraction(1, 2))  # 过半数
_THREE_QUARTERS = Threshold(inclusive=True, fraction=Fraction(3, 4))  # 四分之三以上

PRESETS: Final[dict[str, VotingRule]] = {
    # Art. 278(2), last sentence: every matter not in items 6-8 of Art. 278(1).
    PRESET_ORDINARY: VotingRule(_TWO_THIRDS, _TWO_THIRDS, _MORE_THAN_HALF, _MORE_THAN_HALF, PRESET_ORDINARY),
    # Art. 278(2), second sentence: items 6-8 (raise the maintenance fund, rebuild, change the use of common parts).
    PRESET_SPECIAL: VotingRule(_TWO_THIRDS, _TWO_THIRDS, _THREE_QUARTERS, _THREE_QUARTERS, PRESET_SPECIAL),
}


def _exact_keys(value: object, keys: tuple[str, ...], what: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise TallyInputError(f"{what} must be an object with keys {', '.join(keys)}")
    missing = [k for k in keys if k not in value]
    if missing:
        raise TallyInputError(f"{what}.{missing[0]} is missing")
    extra = sorted(str(k) for k in value if k not in keys)
    if extra:
        raise TallyInputError(f"{what} has an unknown key {extra[0]!r}")
    return value


def _threshold_at(value: object, what: str) -> Threshold:
    try:
        return Threshold.parse(value)  # type: ignore[arg-type]  # parse checks the type itself
    except TallyInputError as exc:
        raise TallyInputError(f"{what}: {exc}") from exc


def rule_from(spec: object) -> VotingRule:
    """A preset name, or the custom object {"participation": {"area", "owners"}, "approval": {…}}.

    Custom thresholds are taken as given. The law's are minimums for the owners' assembly; whether
    a motion may use weaker ones (a mere consultation) is for the motion's caller to decide.
    """
    if isinstance(spec, VotingRule):
        return spec
    if isinstance(spec, str):
        if spec not in PRESETS:
            raise TallyInputError(f"unknown rule {spec!r} (known: {', '.join(PRESETS)})")
        return PRESETS[spec]
    if not isinstance(spec, Mapping):
        raise TallyInputError("rule must be a preset name or an object with participation and approval")
    rule = _exact_keys(spec, ("participation", "approval"), "rule")
    participation = _exact_keys(rule["participation"], ("area", "owners"), "rule.participation")
    approval = _exact_keys(rule["approval"], ("area", "owners"), "rule.approval")
    return VotingRule(
        participation_area=_threshold_at(participation["area"], "rule.participation.area"),
        participation_owners=_threshold_at(participation["owners"], "rule.participation.owners"),
        approval_area=_threshold_at(approval["area"], "rule.approval.area"),
        approval_owners=_threshold_at(approval["owners"], "rule.approval.owners"),
    )


# --------------------------------------------------------------------------------------------
# Figures and outcomes


@dataclass(frozen=True)
class Figures:
    """An area (m², a multiple of 0.01, SPC interpretation Art. 8) and a headcount (Art. 9).

    The area is kept with exactly two decimals; an int area is taken as whole m². A float, a
    negative figure or a finer area is refused (TallyInputError), so every Figures is exact.
    """

    area: Decimal
    owners: int

    def __post_init__(self) -> None:
        hundredths = _hundredths(self.area, "area")
        if hundredths < 0:
            raise TallyInputError(f"area must not be negative, not {self.area}")
        if isinstance(self.owners, bool) or not isinstance(self.owners, int):
            raise TallyInputError(f"owners must be an integer, not {type(self.owners).__name__}")
        if self.owners < 0:
            raise TallyInputError(f"owners must not be negative, not {self.owners}")
        object.__setattr__(self, "area", _area(hundredths))

    @classmethod
    def of(cls, hundredths: int, owners: int) -> Figures:
        return cls(area=_area(hundredths), owners=owners)

    @property
    def hundredths(self) -> int:
        """The area in hundredths of a m² (an exact int)."""
        return _hundredths(self.area, "area")

    def __add__(self, other: Figures) -> Figures:
        return Figures.of(self.hundredths + other.hundredths, self.owners + other.owners)

    def as_json(self) -> dict[str, str | int]:
        return {"area": str(self.area), "owners": self.owners}


ZERO: Final = Figures(area=Decimal("0.00"), owners=0)


@dataclass(frozen=True)
class StillNeeded:
    """What is still missing, per measure, as lower bounds (see docs/motions-tally.md).

    participation: more area / owners that must take part to meet the participation thresholds.
    approval: more agreeing area / owners needed, counting them as new participants who vote for.
    Each is 0 when its threshold is met, and never more than the non-participating remainder.
    """

    participation: Figures
    approval: Figures

    def as_json(self) -> dict[str, dict[str, str | int]]:
        return {"participation": self.participation.as_json(), "approval": self.approval.as_json()}


@dataclass(frozen=True)
class Tally:
    """The computed tally (计票) of a motion at one moment. `approved` is the approval test alone,
    `passed` needs both the participation (quorum) and the approval thresholds."""

    rule: VotingRule
    total: Figures
    participating: Figures
    for_: Figures
    against: Figures
    abstain: Figures
    quorum_met: bool
    approved: bool
    passed: bool
    still_needed: StillNeeded

    def as_json(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "quorum_met": self.quorum_met,
            "approved": self.approved,
            "total": self.total.as_json(),
            "participating": self.participating.as_json(),
            "for": self.for_.as_json(),
            "against": self.against.as_json(),
            "abstain": self.abstain.as_json(),
            "still_needed": self.still_needed.as_json(),
            "rule": self.rule.as_json(),
        }


def _participation_needed(threshold: Threshold, participating: int, total: int) -> int:
    """Smallest a >= 0 with met(participating + a, total), at most total - participating."""
    need = max(0, threshold.smallest_part(total) - participating)
    return min(need, total - participating)


def _approval_needed(threshold: Threshold, agreeing: int, participating: int, cap: int) -> int:
    """Smallest x >= 0 with met(agreeing + x, participating + x) and somebody taking part, at most cap.

    (F + x)·q ≥ p·(P + x)  ⇔  x·(q − p) ≥ p·P − F·q   (strict: >). For p < q the left side grows
    with x, so the smallest x is a ceiling (strict: floor + 1). For p = q (a unanimity rule) x does
    not help: either everybody taking part agreed already, or no number of new votes suffices,
    and the cap is returned rather than dividing by zero.
    """
    p, q = threshold.fraction.numerator, threshold.fraction.denominator
    gap = p * participating - agreeing * q
    need: int | None
    if p < q:
        need = max(0, _ceil_div(gap, q - p) if threshold.inclusive else gap // (q - p) + 1)
    else:
        need = 0 if threshold.met(agreeing, participating) else None
    if need is not None and participating + need == 0:
        need = 1  # nobody takes part yet: one grid step of agreeing participants is the least
    return cap if need is None else min(need, cap)


def _check_consistent(figures: Figures, what: str) -> None:
    if (figures.owners == 0) != (figures.hundredths == 0):
        raise TallyInputError(f"{what}: area and owners must be both zero or both positive")


def evaluate(rule: VotingRule, *, total: Figures, for_: Figures, against: Figures, abstain: Figures) -> Tally:
    """Judge aggregate figures against a rule (Civil Code Art. 278, Art. 1259).

    participating = for + against + abstain: abstaining owners take part but do not agree.
    Participation compares with the totals, approval with the participating figures; if nobody
    takes part nothing is approved. Owners who do not vote are never counted as agreeing.
    """
    if total.hundredths <= 0 or total.owners < 1:
        raise TallyInputError("total area must be above 0 and total owners at least 1")
    for figures, what in ((for_, "for"), (against, "against"), (abstain, "abstain")):
        _check_consistent(figures, what)
    participating = for_ + against + abstain
    if participating.hundredths > total.hundredths or participating.owners > total.owners:
        raise TallyInputError("participating figures exceed the totals")

    t_area, t_owners = total.hundredths, total.owners
    p_area, p_owners = participating.hundredths, participating.owners
    f_area, f_owners = for_.hundredths, for_.owners

    quorum_met = rule.participation_area.met(p_area, t_area) and rule.participation_owners.met(p_owners, t_owners)
    approved = p_owners > 0 and rule.approval_area.met(f_area, p_area) and rule.approval_owners.met(f_owners, p_owners)
    still_needed = StillNeeded(
        participation=Figures.of(
            _participation_needed(rule.participation_area, p_area, t_area),
            _participation_needed(rule.participation_owners, p_owners, t_owners),
        ),
        approval=Figures.of(
            _approval_needed(rule.approval_area, f_area, p_area, t_area - p_area),
            _approval_needed(rule.approval_owners, f_owners, p_owners, t_owners - p_owners),
        ),
    )
    return Tally(
        rule=rule,
        total=total,
        participating=participating,
        for_=for_,
        against=against,
        abstain=abstain,
        quorum_met=quorum_met,
        approved=approved,
        passed=quorum_met and approved,
        still_needed=still_needed,
    )


# --------------------------------------------------------------------------------------------
# From apartments and ballots


@dataclass(frozen=True)
class RollEntryIn:
    """One exclusive part on the motion's roll (a RollEntry as the tally sees it): its registered
    area and its owner.

    developer_held marks an apartment the developer has not sold or not delivered; all of them
    together count as one owner whatever their `owner` field says (SPC interpretation Art. 9).
    """

    id: str
    area: Decimal
    owner: str
    developer_held: bool = False


@dataclass(frozen=True)
class BallotIn:
    """One recorded choice for one apartment: "for", "against" or "abstain"."""

    apartment: str
    choice: str


@dataclass
class _Owner:
    hundredths: int = 0
    choice: str | None = None
    decided_by: str = ""


def _owner_label(key: str | None) -> str:
    return "the developer" if key is None else repr(key)


def tally(rule: VotingRule, apartments: Sequence[RollEntryIn], ballots: Sequence[BallotIn]) -> Tally:
    """Count the ballots on a roll of apartments (the contract of docs/motions-tally.md).

    * Ballots apply in order; a later ballot for an apartment replaces the earlier one.
    * Owners are counted once each by `owner`; all developer-held apartments are one owner
      (SPC interpretation Art. 9). An owner with a ballot takes part with the area of all their
      apartments on the roll, and their choice covers all of it (one owner, one decision).
    * Two different final choices of one owner, an unknown apartment or choice, a duplicate
      apartment id, or an area that is not positive are bad input (TallyInputError).

    Owners are keyed by their `owner` string, and the developer by None, so no owner's name can
    collide with the developer. Messages are built only on the error path (rolls run to 10^5).
    """
    owners: dict[str | None, _Owner] = {}
    owner_of: dict[str, str | None] = {}
    total_hundredths = 0
    for index, apartment in enumerate(apartments):
        apartment_id = apartment.id
        if not isinstance(apartment_id, str) or not apartment_id:
            raise TallyInputError(f"apartments[{index}].id must be a non-empty string")
        if apartment_id in owner_of:
            raise TallyInputError(f"apartments[{index}]: duplicate apartment id {apartment_id!r}")
        hundredths = _hundredths(apartment.area, f"apartments[{index}].area")
        if hundredths <= 0:
            raise TallyInputError(f"apartments[{index}].area must be positive, not {apartment.area}")
        key: str | None = None
        if not apartment.developer_held:
            key = apartment.owner
            if not isinstance(key, str) or not key:
                raise TallyInputError(f"apartments[{index}].owner must be a non-empty string")
        owner = owners.get(key)
        if owner is None:
            owner = owners[key] = _Owner()
        owner.hundredths += hundredths
        owner_of[apartment_id] = key
        total_hundredths += hundredths

    if not owners:
        raise TallyInputError("apartments is empty: a motion needs at least one apartment")

    final: dict[str, str] = {}
    for index, ballot in enumerate(ballots):
        if ballot.choice not in CHOICES:
            raise TallyInputError(f"ballots[{index}].choice must be one of {', '.join(CHOICES)}, not {ballot.choice!r}")
        if ballot.apartment not in owner_of:
            raise TallyInputError(f"ballots[{index}]: unknown apartment {ballot.apartment!r}")
        final[ballot.apartment] = ballot.choice

    for apartment_id, choice in final.items():
        key = owner_of[apartment_id]
        owner = owners[key]
        if owner.choice is not None and owner.choice != choice:
            raise TallyInputError(
                f"owner {_owner_label(key)} has conflicting choices: {owner.choice!r} on apartment "
                f"{owner.decided_by!r}, {choice!r} on apartment {apartment_id!r}"
            )
        owner.choice = choice
        owner.decided_by = apartment_id

    buckets = {choice: [0, 0] for choice in CHOICES}
    for owner in owners.values():
        if owner.choice is not None:
            bucket = buckets[owner.choice]
            bucket[0] += owner.hundredths
            bucket[1] += 1

    return evaluate(
        rule,
        total=Figures.of(total_hundredths, len(owners)),
        for_=Figures.of(*buckets["for"]),
        against=Figures.of(*buckets["against"]),
        abstain=Figures.of(*buckets["abstain"]),
    )


# --------------------------------------------------------------------------------------------
# The JSON contract

_DECIMAL_TEXT = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)
_TOP_KEYS: Final = ("rule", "apartments", "ballots")
_APARTMENT_KEYS: Final = frozenset({"id", "area", "owner", "developer_held"})
_BALLOT_KEYS: Final = frozenset({"apartment", "choice"})


def _list_at(payload: Mapping[str, object], key: str) -> list[object]:
    value = payload[key]
    if not isinstance(value, list):
        raise TallyInputError(f"{key} must be a list")
    return value


def _object_at(item: object, what: str, allowed: frozenset[str], required: tuple[str, ...]) -> Mapping[str, object]:
    if not isinstance(item, Mapping):
        raise TallyInputError(f"{what} must be an object")
    for key in required:
        if key not in item:
            raise TallyInputError(f"{what}.{key} is missing")
    extra = sorted(str(k) for k in item if k not in allowed)
    if extra:
        raise TallyInputError(f"{what} has an unknown key {extra[0]!r}")
    return item


def _string_at(item: Mapping[str, object], key: str, what: str) -> str:
    value = item[key]
    if not isinstance(value, str):
        raise TallyInputError(f"{what}.{key} must be a string")
    return value


def _area_at(value: object, what: str) -> Decimal:
    """An area given as a string ("89.50"), an integer, or an exact Decimal.

    A float is refused: 89.1 as a binary float is not 89.1. The CLI reads JSON numbers with
    their exact decimal text (json parse_float=Decimal), so `89.5` unquoted is accepted there.
    """
    if isinstance(value, bool | float):
        raise TallyInputError(f'{what} must be a string such as "89.50" (floats are inexact), not {value!r}')
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value):
        return Decimal(value)
    raise TallyInputError(f'{what} must be a decimal number such as "89.50", not {value!r}')


def parse_payload(payload: object) -> tuple[VotingRule, list[RollEntryIn], list[BallotIn]]:
    """Check the shape of the contract's JSON and read it (docs/motions-tally.md).

    Unknown keys are refused rather than ignored: a misspelt "developer_held" would otherwise
    silently change the headcount, and so the legal result.
    """
    top = _exact_keys(payload, _TOP_KEYS, "input")
    rule = rule_from(top["rule"])

    apartments: list[RollEntryIn] = []
    for index, raw in enumerate(_list_at(top, "apartments")):
        what = f"apartments[{index}]"
        developer_held = raw.get("developer_held", False) if isinstance(raw, Mapping) else False
        required = ("id", "area") if developer_held is True else ("id", "area", "owner")
        item = _object_at(raw, what, _APARTMENT_KEYS, required)
        if not isinstance(developer_held, bool):
            raise TallyInputError(f"{what}.developer_held must be true or false")
        apartments.append(
            RollEntryIn(
                id=_string_at(item, "id", what),
                area=_area_at(item["area"], f"{what}.area"),
                owner=_string_at(item, "owner", what) if "owner" in item else "",
                developer_held=developer_held,
            )
        )

    ballots: list[BallotIn] = []
    for index, raw in enumerate(_list_at(top, "ballots")):
        what = f"ballots[{index}]"
        item = _object_at(raw, what, _BALLOT_KEYS, ("apartment", "choice"))
        ballots.append(BallotIn(apartment=_string_at(item, "apartment", what), choice=_string_at(item, "choice", what)))
    return rule, apartments, ballots
