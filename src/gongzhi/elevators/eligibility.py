"""Eligibility and priority of elevators for renewal. Pure Python: no Django import.

Sources
-------
* Zhejiang's residential elevator renewal drive (2024-): elevators in service 15 years or more
  qualify; those in service 20 years or more go first. Both numbers are per campaign.
* Years in service are counted by calendar anniversaries. PRC Civil Code Art. 201: a period
  counted in years ends on the corresponding day of the last year; where that month has no
  corresponding day, it ends on the last day of the month. So an elevator commissioned on
  29 February reaches its anniversary on 28 February of a common year.
* Hangzhou's implementation rules: an elevator younger than the threshold whose latest safety
  assessment (GB/T 42615-2023) concludes "renew" or "modify" qualifies too ("eligible by
  assessment").

The priority score ranks elevators within a tier. Its weights are data (ScoreWeights) so a
campaign can change them, and every score comes with its factors, so staff can explain it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

DEFAULT_ELIGIBLE_YEARS = 15
DEFAULT_PRIORITY_YEARS = 20


class Tier(StrEnum):
    PRIORITY = "priority"
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"


TIER_ORDER = {Tier.PRIORITY: 0, Tier.ELIGIBLE: 1, Tier.NOT_ELIGIBLE: 2}

# Conclusions of a safety assessment under GB/T 42615-2023.
ASSESSMENT_RENEW = "renew"
ASSESSMENT_MODIFY = "modify"
ASSESSMENT_MAJOR_REPAIR = "major_repair"
ASSESSMENT_ROUTINE_REPAIR = "routine_repair"
QUALIFYING_ASSESSMENTS = frozenset({ASSESSMENT_RENEW, ASSESSMENT_MODIFY})

# Results of a periodic inspection (TSG T7001): 合格, 复检合格 (passed after rectification), 不合格.
INSPECTION_PASS = "pass"  # noqa: S105 - an inspection result, not a password
INSPECTION_PASS_AFTER_FIX = "pass_after_fix"  # noqa: S105
INSPECTION_FAIL = "fail"


def anniversary(start: dt.date, years: int) -> dt.date:
    """The day `years` years after `start` (Civil Code Art. 201: 29 Feb → 28 Feb)."""
    year = start.year + years
    try:
        return start.replace(year=year)
    except ValueError:  # 29 February in a common year: the last day of that February
        return dt.date(year, 2, 28)


def in_service_at_least(commissioned_on: dt.date, years: int, reference: dt.date) -> bool:
    """True when the elevator has served at least `years` years on `reference`."""
    return anniversary(commissioned_on, years) <= reference


def age_years(commissioned_on: dt.date, reference: dt.date) -> int:
    """Whole years in service on `reference` (0 before the first anniversary or the start)."""
    if reference < commissioned_on:
        return 0
    years = reference.year - commissioned_on.year
    if anniversary(commissioned_on, years) > reference:
        years -= 1
    return years


def latest_commissioning_date(reference: dt.date, years: int) -> dt.date:
    """The latest commissioning date that has served `years` years on `reference`.

    in_service_at_least(c, years, reference) holds exactly when c <= this date, which lets a
    database filter by tier with one comparison.
    """
    year = reference.year - years
    try:
        candidate = reference.replace(year=year)
    except ValueError:  # reference is 29 Feb, `year` is common
        candidate = dt.date(year, 2, 28)
    if candidate.month == 2 and candidate.day == 28:
        leap_day = _leap_day(year)
        if leap_day is not None and anniversary(leap_day, years) <= reference:
            return leap_day
    return candidate


def _leap_day(year: int) -> dt.date | None:
    try:
        return dt.date(year, 2, 29)
    except ValueError:
        return None


@dataclass(frozen=True)
class TierRule:
    eligible_years: int = DEFAULT_ELIGIBLE_YEARS
    priority_years: int = DEFAULT_PRIORITY_YEARS

    def __post_init__(self) -> None:
        if not 0 < self.eligible_years <= self.priority_years <= 100:
            raise ValueError("need 0 < eligible_years <= priority_years <= 100")


@dataclass(frozen=True)
class Eligibility:
    age_years: int
    tier: Tier
    by_assessment: bool = False

    @property
    def qualifies(self) -> bool:
        return self.tier is not Tier.NOT_ELIGIBLE


def classify(
    commissioned_on: dt.date,
    reference: dt.date,
    rule: TierRule = TierRule(),
    latest_assessment: str | None = None,
) -> Eligibility:
    """Tier of one elevator on `reference` under `rule` (see the module docstring)."""
    age = age_years(commissioned_on, reference)
    if in_service_at_least(commissioned_on, rule.priority_years, reference):
        return Eligibility(age, Tier.PRIORITY)
    if in_service_at_least(commissioned_on, rule.eligible_years, reference):
        return Eligibility(age, Tier.ELIGIBLE)
    if latest_assessment in QUALIFYING_ASSESSMENTS:
        return Eligibility(age, Tier.ELIGIBLE, by_assessment=True)
    return Eligibility(age, Tier.NOT_ELIGIBLE)


@dataclass(frozen=True)
class ScoreWeights:
    """Points per unit of each factor. Defaults chosen so that, within a tier, five more years
    of age weigh about as much as three faults or two entrapments in the last year."""

    per_year: Decimal = Decimal(2)
    per_fault: Decimal = Decimal(3)
    per_entrapment: Decimal = Decimal(5)  # on top of the fault itself
    inspection_fail: Decimal = Decimal(15)
    inspection_pass_after_fix: Decimal = Decimal(5)
    per_household: Decimal = Decimal("0.1")

    def as_dict(self) -> dict[str, str]:
        return {name: str(getattr(self, name)) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, object] | None) -> ScoreWeights:
        if not data:
            return cls()
        known = {k: Decimal(str(v)) for k, v in data.items() if k in cls.__dataclass_fields__}
        if any(v < 0 for v in known.values()):
            raise ValueError("weights must not be negative")
        return cls(**known)


@dataclass(frozen=True)
class Factor:
    key: str  # age | faults | entrapments | inspection | households
    value: str
    weight: Decimal
    points: Decimal


@dataclass(frozen=True)
class EligibilityScore:
    total: Decimal
    factors: tuple[Factor, ...] = field(default_factory=tuple)


POINTS = Decimal("0.1")


def priority_score(
    *,
    age: int,
    faults_12m: int,
    entrapments_12m: int,
    last_inspection: str | None,
    households: int,
    weights: ScoreWeights = ScoreWeights(),
) -> EligibilityScore:
    """The priority score and its factors. Rounded half up to 0.1 point."""
    if last_inspection == INSPECTION_FAIL:
        inspection_weight = weights.inspection_fail
    elif last_inspection == INSPECTION_PASS_AFTER_FIX:
        inspection_weight = weights.inspection_pass_after_fix
    else:
        inspection_weight = Decimal(0)
    raw = (
        Factor("age", str(age), weights.per_year, weights.per_year * age),
        Factor("faults", str(faults_12m), weights.per_fault, weights.per_fault * faults_12m),
        Factor("entrapments", str(entrapments_12m), weights.per_entrapment, weights.per_entrapment * entrapments_12m),
        Factor("inspection", last_inspection or "", inspection_weight, inspection_weight),
        Factor("households", str(households), weights.per_household, weights.per_household * households),
    )
    factors = tuple(Factor(f.key, f.value, f.weight, f.points.quantize(POINTS, rounding=ROUND_HALF_UP)) for f in raw)
    total = sum((f.points for f in factors), Decimal(0)).quantize(POINTS, rounding=ROUND_HALF_UP)
    return EligibilityScore(total, factors)


@dataclass(frozen=True)
class Ranked:
    key: str
    eligibility: Eligibility
    score: Decimal
    commissioned_on: dt.date


def rank_key(item: Ranked) -> tuple[int, Decimal, dt.date, str]:
    """Priority first, then the higher score, then the older elevator, then the code."""
    return (TIER_ORDER[item.eligibility.tier], -item.score, item.commissioned_on, item.key)


def rank(items: Iterable[Ranked]) -> list[Ranked]:
    return sorted(items, key=rank_key)


def parse_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def eligibility_report(payload: dict[str, object]) -> dict[str, list[dict[str, object]]]:
    """The `gongzhi eligibility` contract: see docs/cli.md. Raises ValueError on bad input."""
    if not isinstance(payload, dict):
        raise ValueError("input must be a JSON object")
    try:
        reference = parse_date(str(payload["reference_date"]))
    except KeyError as exc:
        raise ValueError("reference_date is missing") from exc
    except ValueError as exc:
        raise ValueError(f"reference_date is not a date (YYYY-MM-DD): {payload['reference_date']!r}") from exc
    rule = TierRule(
        eligible_years=_int_field(payload, "eligible_years", DEFAULT_ELIGIBLE_YEARS),
        priority_years=_int_field(payload, "priority_years", DEFAULT_PRIORITY_YEARS),
    )
    elevators = payload.get("elevators")
    if not isinstance(elevators, list):
        raise ValueError("elevators must be a list")
    out: list[dict[str, object]] = []
    for index, item in enumerate(elevators):
        if not isinstance(item, dict) or "device_code" not in item or "commissioned_on" not in item:
            raise ValueError(f"elevators[{index}] needs device_code and commissioned_on")
        try:
            commissioned = parse_date(str(item["commissioned_on"]))
        except ValueError as exc:
            raise ValueError(f"elevators[{index}].commissioned_on is not a date: {item['commissioned_on']!r}") from exc
        result = classify(commissioned, reference, rule)
        out.append({"device_code": item["device_code"], "age_years": result.age_years, "tier": result.tier.value})
    return {"elevators": out}


def _int_field(payload: dict[str, object], name: str, default: int) -> int:
    value = payload.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number of years")
    return value


def faults_window_start(reference: dt.date) -> dt.date:
    """Faults count when they happened after the same day one year before `reference`."""
    return anniversary(reference, -1)


def summarise_tiers(items: Sequence[Eligibility]) -> dict[str, int]:
    counts = {tier.value: 0 for tier in Tier}
    for item in items:
        counts[item.tier.value] += 1
    return counts
