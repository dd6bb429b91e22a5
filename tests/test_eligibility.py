"""The eligibility contract (elevators/eligibility.py) at every boundary, and its properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.device_codes import device_code_warning

D = dt.date


@pytest.mark.parametrize(
    ("commissioned", "reference", "age", "tier"),
    [
        (D(2009, 9, 1), D(2024, 9, 1), 15, "eligible"),  # exactly 15 years: "以上" includes the day
        (D(2009, 9, 2), D(2024, 9, 1), 14, "not_eligible"),  # one day short
        (D(2004, 9, 1), D(2024, 9, 1), 20, "priority"),  # exactly 20 years
        (D(2004, 9, 2), D(2024, 9, 1), 19, "eligible"),  # one day short of 20
        (D(2003, 1, 1), D(2024, 9, 1), 21, "priority"),
        (D(2024, 9, 1), D(2024, 9, 1), 0, "not_eligible"),
        (D(2030, 1, 1), D(2024, 9, 1), 0, "not_eligible"),  # not yet in service
        # Civil Code Art. 201: an anniversary on 29 Feb falls on 28 Feb in a common year.
        (D(2004, 2, 29), D(2024, 2, 28), 19, "eligible"),  # 2024 is a leap year: anniversary 29 Feb
        (D(2004, 2, 29), D(2024, 2, 29), 20, "priority"),
        (D(2004, 2, 29), D(2019, 2, 28), 15, "eligible"),  # 2019 is common: 28 Feb completes the year
        (D(2004, 2, 29), D(2019, 2, 27), 14, "not_eligible"),
        (D(2004, 2, 28), D(2019, 2, 28), 15, "eligible"),
        (D(2004, 3, 1), D(2019, 2, 28), 14, "not_eligible"),
    ],
)
def test_tier_boundaries(commissioned: dt.date, reference: dt.date, age: int, tier: str) -> None:
    result = elig.classify(commissioned, reference)
    assert result.age_years == age
    assert result.tier.value == tier
    assert result.by_assessment is False


def test_thresholds_are_configurable() -> None:
    rule = elig.TierRule(eligible_years=10, priority_years=12)
    assert elig.classify(D(2012, 9, 1), D(2024, 9, 1), rule).tier is elig.Tier.PRIORITY
    assert elig.classify(D(2013, 9, 1), D(2024, 9, 1), rule).tier is elig.Tier.ELIGIBLE
    assert elig.classify(D(2014, 9, 2), D(2024, 9, 1), rule).tier is elig.Tier.NOT_ELIGIBLE


@pytest.mark.parametrize(("eligible", "priority"), [(0, 20), (16, 15), (15, 101), (-1, 5)])
def test_bad_thresholds_refused(eligible: int, priority: int) -> None:
    with pytest.raises(ValueError, match="eligible_years"):
        elig.TierRule(eligible_years=eligible, priority_years=priority)


@pytest.mark.parametrize(
    ("conclusion", "tier", "by_assessment"),
    [
        ("renew", "eligible", True),
        ("modify", "eligible", True),
        ("major_repair", "not_eligible", False),
        ("routine_repair", "not_eligible", False),
        (None, "not_eligible", False),
    ],
)
def test_young_elevator_eligible_by_assessment(conclusion: str | None, tier: str, by_assessment: bool) -> None:
    result = elig.classify(D(2015, 1, 1), D(2024, 9, 1), latest_assessment=conclusion)
    assert result.tier.value == tier
    assert result.by_assessment is by_assessment
    assert result.age_years == 9


def test_old_elevator_keeps_age_tier_whatever_the_assessment() -> None:
    result = elig.classify(D(2003, 1, 1), D(2024, 9, 1), latest_assessment="routine_repair")
    assert result.tier is elig.Tier.PRIORITY
    assert result.by_assessment is False


dates = st.dates(min_value=D(1950, 1, 1), max_value=D(2090, 12, 31))


@given(commissioned=dates, reference=dates, years=st.integers(min_value=1, max_value=40))
def test_age_agrees_with_anniversary_rule(commissioned: dt.date, reference: dt.date, years: int) -> None:
    """age_years >= N exactly when the N-th anniversary is on or before the reference."""
    if reference < commissioned:
        assert elig.age_years(commissioned, reference) == 0
        return
    assert (elig.age_years(commissioned, reference) >= years) == elig.in_service_at_least(
        commissioned, years, reference
    )


@given(reference=dates, years=st.integers(min_value=1, max_value=40), offset=st.integers(-800, 800))
def test_latest_commissioning_date_is_the_exact_cutoff(reference: dt.date, years: int, offset: int) -> None:
    """The SQL filter `commissioned_on <= cutoff` gives the same answer as the rule itself."""
    cutoff = elig.latest_commissioning_date(reference, years)
    assert elig.in_service_at_least(cutoff, years, reference)
    assert not elig.in_service_at_least(cutoff + dt.timedelta(days=1), years, reference)
    candidate = cutoff + dt.timedelta(days=offset)
    assert (candidate <= cutoff) == elig.in_service_at_least(candidate, years, reference)


def test_cutoff_on_leap_boundaries() -> None:
    # Reference 28 Feb 2023 (common year): commissioned 29 Feb 2008 has its 15th anniversary on 28 Feb 2023.
    assert elig.latest_commissioning_date(D(2023, 2, 28), 15) == D(2008, 2, 29)
    # Reference 29 Feb 2024: 15 years back is 2009, a common year: 28 Feb 2009.
    assert elig.latest_commissioning_date(D(2024, 2, 29), 15) == D(2009, 2, 28)
    assert elig.latest_commissioning_date(D(2024, 2, 28), 16) == D(2008, 2, 28)


def test_score_factors_and_rounding() -> None:
    score = elig.priority_score(age=21, faults_12m=4, entrapments_12m=1, last_inspection="fail", households=37)
    points = {f.key: f.points for f in score.factors}
    assert points == {
        "age": Decimal("42.0"),
        "faults": Decimal("12.0"),
        "entrapments": Decimal("5.0"),
        "inspection": Decimal("15.0"),
        "households": Decimal("3.7"),
    }
    assert score.total == Decimal("77.7")


def test_score_inspection_levels_and_custom_weights() -> None:
    weights = elig.ScoreWeights.from_dict({"per_year": "1", "per_household": "0.05", "unknown": "9"})
    base = elig.priority_score(
        age=10, faults_12m=0, entrapments_12m=0, last_inspection=None, households=3, weights=weights
    )
    fixed = elig.priority_score(
        age=10, faults_12m=0, entrapments_12m=0, last_inspection="pass_after_fix", households=3, weights=weights
    )
    assert base.total == Decimal("10.2")  # 10 + 0.15 rounded half up
    assert fixed.total - base.total == Decimal("5.0")
    with pytest.raises(ValueError, match="negative"):
        elig.ScoreWeights.from_dict({"per_fault": "-1"})


def test_rank_orders_tier_then_score_then_age() -> None:
    e = elig.Eligibility
    items = [
        elig.Ranked("c", e(16, elig.Tier.ELIGIBLE), Decimal(90), D(2008, 1, 1)),
        elig.Ranked("a", e(21, elig.Tier.PRIORITY), Decimal(50), D(2003, 1, 1)),
        elig.Ranked("b", e(22, elig.Tier.PRIORITY), Decimal(50), D(2002, 1, 1)),
        elig.Ranked("d", e(23, elig.Tier.PRIORITY), Decimal(60), D(2001, 6, 1)),
    ]
    assert [i.key for i in elig.rank(items)] == ["d", "b", "a", "c"]


def test_report_contract_keeps_input_order() -> None:
    out = elig.eligibility_report(
        {
            "reference_date": "2024-09-01",
            "elevators": [
                {"device_code": "Z", "commissioned_on": "2014-01-01"},
                {"device_code": "A", "commissioned_on": "2009-09-01"},
                {"device_code": "M", "commissioned_on": "2004-09-01"},
            ],
        }
    )
    assert out == {
        "elevators": [
            {"device_code": "Z", "age_years": 10, "tier": "not_eligible"},
            {"device_code": "A", "age_years": 15, "tier": "eligible"},
            {"device_code": "M", "age_years": 20, "tier": "priority"},
        ]
    }


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "reference_date"),
        ({"reference_date": "2024-13-01", "elevators": []}, "reference_date"),
        ({"reference_date": "2024-09-01"}, "elevators"),
        ({"reference_date": "2024-09-01", "elevators": [{"device_code": "x"}]}, r"elevators\[0\]"),
        (
            {"reference_date": "2024-09-01", "elevators": [{"device_code": "x", "commissioned_on": "1/2/3"}]},
            "commissioned_on",
        ),
        ({"reference_date": "2024-09-01", "elevators": [], "eligible_years": "15"}, "eligible_years"),
    ],
)
def test_report_refuses_bad_input(payload: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        elig.eligibility_report(payload)


@pytest.mark.parametrize(
    ("code", "warning"),
    [
        ("311033001200500001", None),  # TSG 08: type 3110, maker 33001, year 2005, serial 00001
        ("3110 3300 1200 5000 01", None),  # spaces are ignored
        ("31103300A200500001", None),  # makers' codes may hold letters
        ("12345678901234567890", None),  # older 20-digit codes
        ("311033001180000001", "bad_year"),
        ("3110-330012005", "unknown_form"),
        ("", "unknown_form"),
    ],
)
def test_device_code_forms(code: str, warning: str | None) -> None:
    assert device_code_warning(code) == warning
