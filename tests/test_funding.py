"""Subsidy rules and funding plans (renewals/funding.py): every boundary of the rules issue 4 names,
validity windows, regions, stacking, plan balancing and refusal, the stored spec, and properties."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.renewals import funding as fd
from gongzhi.renewals.funding import (
    KNOWN_RULES,
    FixedPerElevator,
    FundingInputError,
    FundingInputs,
    ShareWithCap,
    SubsidyJob,
    SubsidyRule,
    TieredByStops,
    funding_plan,
    rule_from_spec,
    subsidies_for,
)

RULES = {rule.code: rule for rule in KNOWN_RULES}
CENTRAL_2024 = RULES["central-bond-2024-2025"]
CENTRAL_2026 = RULES["central-bond-2026"]
HANGZHOU = RULES["hangzhou-top-up-2024-2027"]
NINGBO = RULES["ningbo-top-up"]

IN_2025 = dt.date(2025, 6, 1)
IN_2026 = dt.date(2026, 6, 1)


def D(text: str) -> Decimal:  # noqa: N802 - short constructor for tables
    return Decimal(text)


def job(
    *,
    cost: str = "200000.00",
    stops: int = 12,
    elevators: int = 1,
    on: dt.date = IN_2026,
    city: str | None = None,
    kind: fd.Kind = "replacement",
) -> SubsidyJob:
    return SubsidyJob(elevators=elevators, stops=stops, works_cost=D(cost), on=on, city=city, kind=kind)


def codes(lines: list[fd.SubsidyLine]) -> list[str]:
    return [line.code for line in lines]


def common(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "code": "test-rule",
        "name": "测试补助",
        "authority": "中央",
        "source": "测试",
        "valid_from": dt.date(2024, 1, 1),
        "valid_to": dt.date(2024, 12, 31),
    }
    fields.update(overrides)
    return fields


# --------------------------------------------------------------------------------------------
# The known rules, as issue 4 states them


def test_known_rules_are_in_the_stacking_order_central_first() -> None:
    assert [rule.authority for rule in KNOWN_RULES] == ["中央", "中央", "杭州市", "宁波市"]
    assert all(rule.applies_to == "replacement" for rule in KNOWN_RULES)
    assert [rule.region for rule in KNOWN_RULES] == [None, None, "杭州市", "宁波市"]


def test_known_rules_cite_the_brief_and_ningbo_flags_its_window() -> None:
    assert all("issue 4" in rule.source for rule in KNOWN_RULES)
    assert "核对" in NINGBO.source
    assert "checked against the city's document" in NINGBO.source


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        ("150000.00", "0.00"),  # "exceeds" is strict: exactly 150,000 gets nothing
        ("150000.01", "150000.00"),
        ("149999.99", "0.00"),
        ("400000.00", "150000.00"),
    ],
)
def test_central_2024_pays_only_above_the_minimum_investment(cost: str, expected: str) -> None:
    the_job = job(cost=cost, on=IN_2025)
    assert CENTRAL_2024.applies(the_job) is (expected != "0.00")
    assert CENTRAL_2024.amount(the_job) == D(expected)


def test_central_2024_is_skipped_at_exactly_the_minimum() -> None:
    assert subsidies_for(job(cost="150000.00", on=IN_2025), [CENTRAL_2024]) == []
    (line,) = subsidies_for(job(cost="150000.01", on=IN_2025), [CENTRAL_2024])
    assert line.amount == D("150000.00")
    assert "超过 150,000.00 元" in line.explanation


@pytest.mark.parametrize(
    ("stops", "expected"),
    [(2, "100000.00"), (9, "100000.00"), (10, "150000.00"), (18, "150000.00"), (19, "200000.00"), (40, "200000.00")],
)
def test_central_2026_tiers_by_stops(stops: int, expected: str) -> None:
    assert CENTRAL_2026.amount(job(cost="500000.00", stops=stops)) == D(expected)


def test_central_2026_explains_the_tier() -> None:
    (line,) = subsidies_for(job(cost="500000.00", stops=9, elevators=2), [CENTRAL_2026])
    assert line.amount == D("200000.00")
    assert "9 层站及以下" in line.explanation
    assert "× 2 台 = 200,000.00 元" in line.explanation
    (line,) = subsidies_for(job(cost="500000.00", stops=10), [CENTRAL_2026])
    assert "10–18 层站" in line.explanation


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        ("100000.00", "30000.00"),
        ("199999.99", "59999.99"),  # 59,999.997 rounded down to the fen
        ("200000.00", "60000.00"),  # the cap reached exactly: paid in full
        ("200000.01", "60000.00"),
        ("900000.00", "60000.00"),
        ("0.03", "0.00"),
    ],
)
def test_hangzhou_share_and_cap(cost: str, expected: str) -> None:
    assert HANGZHOU.amount(job(cost=cost, city="杭州市")) == D(expected)


def test_hangzhou_says_whether_the_cap_bit() -> None:
    (under,) = subsidies_for(job(cost="200000.00", city="杭州市"), [HANGZHOU])
    assert "未超过上限 60,000.00 元" in under.explanation
    (over,) = subsidies_for(job(cost="200000.04", city="杭州市"), [HANGZHOU])
    assert "超过上限 60,000.00 元，按上限计" in over.explanation


@pytest.mark.parametrize(
    ("stops", "expected"),
    [(12, "80000.00"), (13, "90000.00"), (18, "90000.00"), (19, "100000.00"), (2, "80000.00")],
)
def test_ningbo_cap_tiers_by_stops(stops: int, expected: str) -> None:
    assert NINGBO.amount(job(cost="1000000.00", stops=stops, city="宁波市")) == D(expected)


@pytest.mark.parametrize(("stops", "cap"), [(12, "80000.00"), (18, "90000.00"), (30, "100000.00")])
def test_ningbo_cap_is_inclusive(stops: int, cap: str) -> None:
    exactly = D(cap) * 2
    assert NINGBO.amount(job(cost=str(exactly), stops=stops, city="宁波市")) == D(cap)
    assert NINGBO.amount(job(cost=str(exactly - D("0.02")), stops=stops, city="宁波市")) == D(cap) - D("0.01")


# --------------------------------------------------------------------------------------------
# Validity, region, kind


@pytest.mark.parametrize(
    ("rule", "first", "last"),
    [
        (CENTRAL_2024, dt.date(2024, 1, 1), dt.date(2025, 12, 31)),
        (CENTRAL_2026, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        (HANGZHOU, dt.date(2024, 1, 1), dt.date(2027, 12, 31)),
        (NINGBO, dt.date(2024, 1, 1), dt.date(2027, 12, 31)),
    ],
)
def test_validity_window_is_inclusive_at_both_edges(rule: SubsidyRule, first: dt.date, last: dt.date) -> None:
    city = rule.region
    day = dt.timedelta(days=1)
    assert not rule.applies(job(cost="300000.00", on=first - day, city=city))
    assert rule.applies(job(cost="300000.00", on=first, city=city))
    assert rule.applies(job(cost="300000.00", on=last, city=city))
    assert not rule.applies(job(cost="300000.00", on=last + day, city=city))
    assert rule.amount(job(cost="300000.00", on=last + day, city=city)) == D("0.00")


def test_the_central_programme_changes_at_new_year_2026() -> None:
    eve = subsidies_for(job(cost="300000.00", stops=9, on=dt.date(2025, 12, 31)), KNOWN_RULES)
    day = subsidies_for(job(cost="300000.00", stops=9, on=dt.date(2026, 1, 1)), KNOWN_RULES)
    assert [(line.code, line.amount) for line in eve] == [("central-bond-2024-2025", D("150000.00"))]
    assert [(line.code, line.amount) for line in day] == [("central-bond-2026", D("100000.00"))]


@pytest.mark.parametrize(
    ("city", "expected"),
    [
        (None, ["central-bond-2026"]),
        ("杭州市", ["central-bond-2026", "hangzhou-top-up-2024-2027"]),
        ("宁波市", ["central-bond-2026", "ningbo-top-up"]),
        ("温州市", ["central-bond-2026"]),
        ("杭州", ["central-bond-2026"]),  # exact match on the city's name
    ],
)
def test_city_rules_apply_in_their_city_only(city: str | None, expected: list[str]) -> None:
    assert codes(subsidies_for(job(cost="500000.00", city=city), KNOWN_RULES)) == expected


def test_rules_for_replacement_skip_an_addition() -> None:
    assert subsidies_for(job(cost="500000.00", city="杭州市", kind="addition"), KNOWN_RULES) == []
    addition = FixedPerElevator(**common(applies_to="addition"), amount_each=D("10000"))
    the_job = job(cost="500000.00", on=dt.date(2024, 5, 1), kind="addition")
    assert [line.amount for line in subsidies_for(the_job, [addition, CENTRAL_2024])] == [D("10000.00")]


def test_open_ended_rule_applies_after_its_start() -> None:
    rule = FixedPerElevator(**common(valid_to=None), amount_each=D("1000"))
    assert rule.applies(job(on=dt.date(2099, 1, 1)))
    assert not rule.applies(job(on=dt.date(2023, 12, 31)))


# --------------------------------------------------------------------------------------------
# Stacking


def test_hangzhou_tops_up_on_top_of_central() -> None:
    lines = subsidies_for(job(cost="300000.00", stops=12, elevators=2, city="杭州市"), KNOWN_RULES)
    assert [(line.code, line.amount) for line in lines] == [
        ("central-bond-2026", D("300000.00")),
        ("hangzhou-top-up-2024-2027", D("120000.00")),
    ]
    assert not any(line.capped for line in lines)


def test_stacking_is_capped_at_the_works_cost() -> None:
    # 2026, 19 stops, 210,000 each in Ningbo: central 200,000 leaves 10,000; Ningbo alone would pay 100,000.
    lines = subsidies_for(job(cost="210000.00", stops=19, elevators=3, city="宁波市"), KNOWN_RULES)
    assert [(line.amount, line.computed) for line in lines] == [
        (D("600000.00"), D("600000.00")),
        (D("30000.00"), D("300000.00")),
    ]
    assert sum(line.amount for line in lines) == D("630000.00")
    assert lines[1].capped
    assert "超过尚未筹措的 30,000.00 元" in lines[1].explanation


def test_a_rule_after_the_cost_is_covered_pays_nothing_and_says_why() -> None:
    lines = subsidies_for(job(cost="150000.00", stops=19, city="宁波市"), KNOWN_RULES)
    assert [line.amount for line in lines] == [D("150000.00"), D("0.00")]
    assert "已全部由前面的补助覆盖" in lines[1].explanation


def test_order_decides_who_is_capped() -> None:
    the_job = job(cost="210000.00", stops=19, city="宁波市")
    central_first = subsidies_for(the_job, [CENTRAL_2026, NINGBO])
    city_first = subsidies_for(the_job, [NINGBO, CENTRAL_2026])
    assert [line.amount for line in central_first] == [D("200000.00"), D("10000.00")]
    assert [line.amount for line in city_first] == [D("100000.00"), D("110000.00")]


def test_the_same_rule_twice_is_refused() -> None:
    with pytest.raises(FundingInputError, match="重复"):
        subsidies_for(job(), [CENTRAL_2026, CENTRAL_2026])


def test_zero_works_cost_gets_zero() -> None:
    lines = subsidies_for(job(cost="0.00", city="杭州市"), KNOWN_RULES)
    assert [line.amount for line in lines] == [D("0.00"), D("0.00")]


# --------------------------------------------------------------------------------------------
# The funding plan


def test_plan_lines_add_up_to_the_cost() -> None:
    plan = FundingInputs.for_job(
        job(cost="265000.00", stops=12, elevators=2, city="杭州市"),
        KNOWN_RULES,
        maintenance_fund=D("50000.00"),
        public_revenue=D("20000.50"),
    )
    result = funding_plan(plan)
    assert [(line.source, line.amount) for line in result.lines] == [
        ("subsidy", D("300000.00")),
        ("subsidy", D("120000.00")),
        ("maintenance_fund", D("50000.00")),
        ("public_revenue", D("20000.50")),
        ("owners", D("39999.50")),
    ]
    assert result.owners_remaining == D("39999.50")
    assert sum(line.amount for line in result.lines) == result.total_cost
    assert [line.code for line in result.lines][:2] == ["central-bond-2026", "hangzhou-top-up-2024-2027"]


def test_plan_that_balances_exactly_leaves_owners_nothing() -> None:
    plan = FundingInputs(total_cost=D("100.00"), subsidies=[], maintenance_fund=D("60.00"), public_revenue=D("40.00"))
    assert funding_plan(plan).owners_remaining == D("0.00")


def test_plan_over_the_cost_is_refused_naming_the_excess() -> None:
    plan = FundingInputs(total_cost=D("100.00"), subsidies=[], maintenance_fund=D("60.00"), public_revenue=D("40.01"))
    with pytest.raises(FundingInputError) as caught:
        funding_plan(plan)
    text = str(caught.value)
    assert "100.01 元" in text
    assert "超过工程总价 100.00 元 0.01 元" in text
    # the web layer translates the msgid with its own gettext
    assert caught.value.message.render(lambda msgid: "<" + msgid + ">").startswith("<补助、维修资金")


def test_plan_refuses_subsidy_lines_above_the_cost() -> None:
    line = fd.SubsidyLine(code="x", name="x", authority="中央", source="x", amount=D("101.00"), computed=D("101.00"))
    with pytest.raises(FundingInputError, match=r"超出 1\.00 元"):
        funding_plan(FundingInputs(total_cost=D("100.00"), subsidies=[line]))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("maintenance_fund", D("-1.00"), "不能为负数"),
        ("public_revenue", D("0.001"), "精确到分"),
        ("total_cost", 100.0, "不能是 float"),
        ("maintenance_fund", D("NaN"), "有限"),
        ("total_cost", D("1E+20"), "过大"),
    ],
)
def test_plan_refuses_bad_amounts(field: str, value: object, message: str) -> None:
    values: dict[str, Any] = {"total_cost": D("100.00"), "subsidies": []}
    values[field] = value
    with pytest.raises(FundingInputError, match=message):
        funding_plan(FundingInputs(**values))


# --------------------------------------------------------------------------------------------
# Bad jobs and bad rules


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"elevators": 0}, "电梯台数"),
        ({"elevators": True}, "电梯台数"),
        ({"stops": 1}, "层站数"),
        ({"works_cost": D("-0.01")}, "不能为负数"),
        ({"works_cost": D("1.005")}, "精确到分"),
        ({"works_cost": 1.5}, "float"),
        ({"on": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}, "日期"),
        ({"kind": "repair"}, "工程类型"),
    ],
)
def test_bad_jobs_are_refused(overrides: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {"elevators": 1, "stops": 6, "works_cost": D("1.00"), "on": IN_2026}
    values.update(overrides)
    with pytest.raises(FundingInputError, match=message):
        SubsidyJob(**values)


def test_job_keeps_money_on_the_fen() -> None:
    the_job = SubsidyJob(elevators=2, stops=6, works_cost=D("150000"), on=IN_2026)
    assert str(the_job.works_cost) == "150000.00"
    assert str(the_job.total_cost) == "300000.00"
    assert SubsidyJob(elevators=1, stops=6, works_cost=7, on=IN_2026).works_cost == D("7.00")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: FixedPerElevator(**common(code="Bad Code"), amount_each=D("1")), "代码"),
        (lambda: FixedPerElevator(**common(name=" "), amount_each=D("1")), "name"),
        (lambda: FixedPerElevator(**common(valid_to=dt.date(2023, 1, 1)), amount_each=D("1")), "失效日期"),
        (lambda: FixedPerElevator(**common(applies_to="repair"), amount_each=D("1")), "工程类型"),
        (lambda: FixedPerElevator(**common(region=""), amount_each=D("1")), "地区"),
        (lambda: FixedPerElevator(**common(), amount_each=D("-1")), "不能为负数"),
        (lambda: TieredByStops(**common(), tiers=()), "非空"),
        (lambda: TieredByStops(**common(), tiers=((9, D("1")),)), "最后一档"),
        (lambda: TieredByStops(**common(), tiers=((None, D("1")), (9, D("2")))), "只有最后一档"),
        (lambda: TieredByStops(**common(), tiers=((9, D("1")), (9, D("2")), (None, D("3")))), "之间的整数"),
        (lambda: TieredByStops(**common(), tiers=((9,), (None, D("3")))), "第 1 档"),  # type: ignore[arg-type]
        (lambda: ShareWithCap(**common(), rate=D("0"), cap=D("1")), "比例"),
        (lambda: ShareWithCap(**common(), rate=D("1.01"), cap=D("1")), "比例"),
        (lambda: ShareWithCap(**common(), rate=0.3, cap=D("1")), "比例"),  # type: ignore[arg-type]
        (lambda: ShareWithCap(**common(), rate=D("0.3"), cap=D("1.001")), "精确到分"),
    ],
)
def test_bad_rules_are_refused(build: Any, message: str) -> None:
    with pytest.raises(FundingInputError, match=message):
        build()


def test_full_rate_pays_the_whole_cost() -> None:
    rule = ShareWithCap(**common(), rate=D("1"), cap=D("999999"))
    assert rule.amount(job(cost="123456.78", on=dt.date(2024, 3, 1))) == D("123456.78")


# --------------------------------------------------------------------------------------------
# The stored spec


@pytest.mark.parametrize("rule", KNOWN_RULES, ids=lambda rule: rule.code)
def test_spec_round_trip(rule: SubsidyRule) -> None:
    assert rule_from_spec(rule.as_spec()) == rule
    stored = json.loads(json.dumps(rule.as_spec(), ensure_ascii=False))  # as the database keeps it
    assert rule_from_spec(stored) == rule
    assert type(rule_from_spec(stored)) is type(rule)


def test_spec_round_trip_of_an_open_ended_fixed_rule_without_minimum() -> None:
    rule = FixedPerElevator(**common(valid_to=None, region="温州市", applies_to="addition"), amount_each=D("5"))
    spec = rule.as_spec()
    assert spec["valid_to"] is None
    assert spec["min_investment"] is None
    assert rule_from_spec(spec) == rule


def test_spec_numbers_are_strings_not_floats() -> None:
    spec = NINGBO.as_spec()
    assert spec["rate"] == "0.50"
    assert spec["cap"] == [[12, "80000.00"], [18, "90000.00"], [None, "100000.00"]]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "lottery"}, "类型"),
        ({"amount_typo": "1"}, "未知字段"),
        ({"valid_from": "2024/01/01"}, "YYYY-MM-DD"),
        ({"rate": 0.5}, "字符串"),
        ({"rate": "half"}, "不是数字"),
        ({"cap": [[12, "1"], [None]]}, r"\[最高层站数, 金额\]"),
    ],
)
def test_bad_specs_are_refused(change: dict[str, Any], message: str) -> None:
    spec = {**NINGBO.as_spec(), **change}
    with pytest.raises(FundingInputError, match=message):
        rule_from_spec(spec)


def test_spec_missing_fields_are_named() -> None:
    spec = CENTRAL_2024.as_spec()
    del spec["amount"]
    with pytest.raises(FundingInputError, match="amount"):
        rule_from_spec(spec)
    spec = CENTRAL_2026.as_spec()
    del spec["source"]
    with pytest.raises(FundingInputError, match="source"):
        rule_from_spec(spec)
    with pytest.raises(FundingInputError, match="JSON"):
        rule_from_spec([])  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Properties

cents = st.integers(min_value=0, max_value=200_000_000).map(lambda n: Decimal(n).scaleb(-2))
days = st.dates(min_value=dt.date(2023, 6, 1), max_value=dt.date(2028, 6, 1))
cities = st.sampled_from([None, "杭州市", "宁波市", "温州市"])


@given(
    cost=cents,
    stops=st.integers(min_value=2, max_value=40),
    elevators=st.integers(min_value=1, max_value=6),
    on=days,
    city=cities,
    fund_share=st.fractions(min_value=0, max_value=1),
    revenue_share=st.fractions(min_value=0, max_value=1),
)
def test_plan_sources_and_owners_add_up_to_the_cost(
    cost: Decimal, stops: int, elevators: int, on: dt.date, city: str | None, fund_share: Any, revenue_share: Any
) -> None:
    the_job = SubsidyJob(elevators=elevators, stops=stops, works_cost=cost, on=on, city=city)
    lines = subsidies_for(the_job, KNOWN_RULES)
    left = the_job.total_cost - sum((line.amount for line in lines), Decimal(0))
    assert left >= 0
    fund = (left * fund_share.numerator // fund_share.denominator).quantize(Decimal("0.01"))
    revenue = ((left - fund) * revenue_share.numerator // revenue_share.denominator).quantize(Decimal("0.01"))
    result = funding_plan(
        FundingInputs(total_cost=the_job.total_cost, subsidies=lines, maintenance_fund=fund, public_revenue=revenue)
    )
    total_sources = result.subsidies + result.maintenance_fund + result.public_revenue
    assert result.owners_remaining + total_sources == result.total_cost == the_job.total_cost
    assert sum(line.amount for line in result.lines) == result.total_cost
    assert all(line.amount >= 0 for line in result.lines)
    assert all(line.amount.as_tuple().exponent == -2 for line in result.lines)
    assert all(0 <= line.amount <= line.computed for line in lines)


@given(
    cost=cents,
    stops=st.integers(min_value=2, max_value=40),
    on=days,
    city=cities,
    extra=st.integers(min_value=1, max_value=10_000).map(lambda n: Decimal(n).scaleb(-2)),
)
def test_plan_over_the_cost_is_always_refused(
    cost: Decimal, stops: int, on: dt.date, city: str | None, extra: Decimal
) -> None:
    the_job = SubsidyJob(elevators=1, stops=stops, works_cost=cost, on=on, city=city)
    plan = FundingInputs.for_job(the_job, KNOWN_RULES)
    left = the_job.total_cost - sum((line.amount for line in plan.subsidies), Decimal(0))
    with pytest.raises(FundingInputError, match=f"{extra:,.2f} 元"):
        funding_plan(FundingInputs(total_cost=plan.total_cost, subsidies=plan.subsidies, maintenance_fund=left + extra))


@given(stops=st.integers(min_value=2, max_value=60), cost=cents)
def test_tiers_never_decrease_with_stops(stops: int, cost: Decimal) -> None:
    fewer = job(cost=str(cost), stops=stops, city="宁波市")
    more = job(cost=str(cost), stops=stops + 1, city="宁波市")
    for rule in (CENTRAL_2026, NINGBO):
        assert rule.amount(fewer) <= rule.amount(more)
