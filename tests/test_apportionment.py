"""Apportionment (renewals/apportionment.py): each method, exemption, largest-remainder rounding with
ties by input order, bad input, and properties: the shares sum exactly to the amount, each is within
one fen of its exact share, and the order of input matters only for ties."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.renewals.apportionment import (
    DEFAULT_FLOOR_COEFFICIENTS,
    METHODS,
    ApartmentIn,
    ApportionInputError,
    Share,
    apportion,
    apportion_json,
    default_floor_coefficients,
    exact_shares,
    parse_payload,
)

D = Decimal


def apt(id_: str, floor: int = 1, area: str = "89.50") -> ApartmentIn:
    return ApartmentIn(id=id_, floor=floor, area=D(area))


def amounts(shares: list[Share]) -> list[str]:
    return [str(share.amount) for share in shares]


# --------------------------------------------------------------------------------------------
# Each method, by hand


def test_area_is_proportional_to_area() -> None:
    # 1000.00 over 50 + 150 m²: exactly 250.00 and 750.00, nothing to round.
    shares = apportion(D("1000.00"), "area", [apt("a", area="50.00"), apt("b", area="150.00")])
    assert shares == [Share("a", D("250.00")), Share("b", D("750.00"))]


def test_largest_remainder_gets_the_fen_not_the_first() -> None:
    # 10.00 over areas 1 and 2: exact 3.333… and 6.666…; rounded down 3.33 + 6.66 = 9.99, and the
    # left-over fen goes to the larger remainder (0.666… fen beats 0.333… fen): b, not a.
    shares = apportion(D("10.00"), "area", [apt("a", area="1.00"), apt("b", area="2.00")])
    assert amounts(shares) == ["3.33", "6.67"]


def test_equal_splits_per_apartment_ties_to_the_first() -> None:
    shares = apportion(D("100.00"), "equal", [apt("a", area="10"), apt("b", area="200"), apt("c", area="0")])
    # Areas do not matter; 100.00 / 3 = 33.333…: all three remainders tie, the first takes the fen.
    assert amounts(shares) == ["33.34", "33.33", "33.33"]


def test_floor_uses_the_coefficient_of_the_floor_only() -> None:
    coefficients = {1: D("0"), 2: D("0.3"), 3: D("0.4")}
    apartments = [apt("101", 1, "89.50"), apt("201", 2, "89.50"), apt("301", 3, "10.00")]
    shares = apportion(D("700.00"), "floor", apartments, coefficients)
    # weights 0, 0.3, 0.4 of 0.7: 0, 300.00, 400.00 whatever the areas.
    assert amounts(shares) == ["0.00", "300.00", "400.00"]


def test_floor_area_multiplies_coefficient_and_area() -> None:
    coefficients = {1: D("0"), 2: D("0.3"), 3: D("0.4")}
    apartments = [apt("1-101", 1, "89.50"), apt("1-201", 2, "89.50"), apt("1-301", 3, "75.25")]
    shares = apportion(D("265000.00"), "floor-area", apartments, coefficients, exempt={"1-101"})
    # weights 26.85 and 30.10 of 56.95: exact 124938.5425… and 140061.4574…; the fen left over after
    # rounding down goes to the larger remainder (0.74 fen against 0.25 fen).
    assert amounts(shares) == ["0.00", "124938.54", "140061.46"]
    exact = exact_shares(D("265000.00"), "floor-area", apartments, coefficients, exempt={"1-101"})
    assert exact == [Fraction(0), Fraction(265000 * 2685, 5695), Fraction(265000 * 3010, 5695)]


def test_shares_have_two_decimals_and_keep_input_order() -> None:
    shares = apportion(D(30), "equal", [apt("z"), apt("a"), apt("m")])
    assert [s.apartment for s in shares] == ["z", "a", "m"]
    assert all(s.amount.as_tuple().exponent == -2 for s in shares)
    assert amounts(shares) == ["10.00", "10.00", "10.00"]


def test_ties_go_to_the_first_in_input_in_either_order() -> None:
    forward = apportion(D("0.02"), "equal", [apt("a"), apt("b"), apt("c")])
    backward = apportion(D("0.02"), "equal", [apt("c"), apt("b"), apt("a")])
    assert amounts(forward) == ["0.01", "0.01", "0.00"]
    assert amounts(backward) == ["0.01", "0.01", "0.00"]  # now c and b, the first two, take them


def test_exempt_apartments_pay_nothing_and_stay_in_the_output() -> None:
    apartments = [apt("101", 1, "50.00"), apt("201", 2, "50.00"), apt("301", 3, "100.00")]
    shares = apportion(D("0.03"), "area", apartments, exempt=["101"])
    # 0.03 over 50 + 100 m²: exact 0.01 and 0.02; the exempt apartment pays exactly 0.00.
    assert amounts(shares) == ["0.00", "0.01", "0.02"]


def test_an_exempt_floor_needs_no_coefficient() -> None:
    # The ground floor is exempt by the owners' motion and the table starts at floor 2: fine.
    apartments = [apt("101", 1), apt("201", 2), apt("301", 3)]
    shares = apportion(D("90.00"), "floor", apartments, {2: D("1"), 3: D("2")}, exempt={"101"})
    assert amounts(shares) == ["0.00", "30.00", "60.00"]


def test_coefficients_are_not_needed_for_area_and_equal() -> None:
    apartments = [apt("a", 7), apt("b", 8)]
    assert amounts(apportion(D("2.00"), "area", apartments, {1: D("5")})) == ["1.00", "1.00"]
    assert amounts(apportion(D("2.00"), "equal", apartments, None)) == ["1.00", "1.00"]


def test_zero_amount_gives_zero_shares() -> None:
    shares = apportion(D("0"), "area", [apt("a"), apt("b")])
    assert amounts(shares) == ["0.00", "0.00"]
    assert apportion_json({"amount": "0.00", "apartments": [{"id": "a", "floor": 1, "area": "1"}]}) == {
        "shares": [{"apartment": "a", "amount": "0.00"}],
        "total": "0.00",
    }


def test_one_fen_and_the_largest_amount() -> None:
    assert amounts(apportion(D("0.01"), "equal", [apt("a"), apt("b")])) == ["0.01", "0.00"]
    biggest = D("999999999999.99")
    shares = apportion(biggest, "area", [apt("a", area="1.00"), apt("b", area="2.00")])
    assert amounts(shares) == ["333333333333.33", "666666666666.66"]
    with pytest.raises(ApportionInputError, match="too large"):
        apportion(D("1000000000000.00"), "area", [apt("a")])


def test_a_zero_area_pays_nothing_by_area() -> None:
    assert amounts(apportion(D("5.00"), "area", [apt("a", area="0.00"), apt("b", area="0.01")])) == ["0.00", "5.00"]


def test_whole_numbers_are_accepted_as_amount_and_area() -> None:
    shares = apportion(3, "area", [ApartmentIn("a", 1, 1), ApartmentIn("b", 1, 2)])  # type: ignore[arg-type]
    assert amounts(shares) == ["1.00", "2.00"]


def test_default_floor_coefficients() -> None:
    assert default_floor_coefficients(6) == {
        1: D("0"),
        2: D("0.3"),
        3: D("0.4"),
        4: D("0.5"),
        5: D("0.6"),
        6: D("0.7"),
    }
    assert dict(DEFAULT_FLOOR_COEFFICIENTS) == default_floor_coefficients(6)
    assert default_floor_coefficients(1) == {1: D("0")}
    tall = default_floor_coefficients(18)
    assert list(tall) == list(range(1, 19))
    assert tall[18] == D("1.9")
    assert all(tall[n] < tall[n + 1] for n in range(1, 18))  # rising per floor


def test_default_table_is_read_only_and_copies_are_editable() -> None:
    with pytest.raises(TypeError):
        DEFAULT_FLOOR_COEFFICIENTS[2] = D("9")  # type: ignore[index]
    table = default_floor_coefficients(6)
    table[2] = D("0.25")  # an owners' motion may change it
    assert default_floor_coefficients(6)[2] == D("0.3")
    assert DEFAULT_FLOOR_COEFFICIENTS[2] == D("0.3")
    shares = apportion(D("100.00"), "floor", [apt("201", 2), apt("601", 6)], table)
    assert amounts(shares) == ["26.32", "73.68"]  # 0.25 and 0.7 of 0.95


@pytest.mark.parametrize("floors", [0, -1, 201, True, 6.0])
def test_default_floor_coefficients_bad_height(floors: Any) -> None:
    with pytest.raises(ApportionInputError, match="floors must be"):
        default_floor_coefficients(floors)


# --------------------------------------------------------------------------------------------
# Bad input of the Python interface

TWO = [apt("a", 1), apt("b", 2)]


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"amount": D("1.001")}, "amount must be a whole number of fen"),
        ({"amount": D("0.005")}, "amount must be a whole number of fen"),
        ({"amount": D("-0.01")}, "amount must not be negative"),
        ({"amount": D("NaN")}, "finite"),
        ({"amount": D("Infinity")}, "finite"),
        ({"amount": D("1E+999999999")}, "amount is too large"),
        ({"amount": D("1E-999999999")}, "whole number of fen"),
        ({"amount": 1.5}, "amount must be a Decimal or an integer, not float"),
        ({"amount": "1.50"}, "not str"),
        ({"amount": True}, "not bool"),
        ({"method": "floors"}, "unknown method 'floors' (known: area, equal, floor, floor-area)"),
        ({"method": ""}, "unknown method"),
        ({"apartments": []}, "apartments is empty"),
        ({"apartments": [apt("a"), apt("a")]}, "apartments[1]: duplicate apartment id 'a'"),
        ({"apartments": [apt("")]}, "apartments[0].id must be a non-empty string"),
        ({"apartments": [apt("a", area="-89.50")]}, "apartments[0].area must not be negative"),
        ({"apartments": [apt("a", area="89.505")]}, "apartments[0].area must be a whole number of 0.01 m²"),
        ({"apartments": [apt("a", area="1E+12")]}, "too large"),
        ({"apartments": [ApartmentIn("a", 1.0, D(1))]}, "apartments[0].floor must be an integer"),  # type: ignore[arg-type]
        ({"apartments": [apt("a", 1000)]}, "apartments[0].floor must be between"),
        ({"apartments": [{"id": "a", "floor": 1, "area": "1"}]}, "must be an ApartmentIn"),
        (
            {"method": "floor", "coefficients": {1: D("0.3")}},
            "apartments[1] ('b'): floor 2 is missing from coefficients",
        ),
        ({"method": "floor-area", "coefficients": None}, "floor 1 is missing from coefficients"),
        ({"coefficients": {1: D("0"), 2: D("-0.1")}}, "coefficients[2] must not be negative"),
        ({"coefficients": {2: D("0.1234567890123")}}, "coefficients[2] must be given with at most 12 decimals"),
        ({"coefficients": {2: D("1E+6")}}, "coefficients[2] is too large"),
        ({"coefficients": {"2": D("0.3")}}, "a floor of coefficients must be an integer"),
        ({"coefficients": {2: 0.3}}, "not float"),
        ({"exempt": ["c"]}, "exempt apartment 'c' is not among the apartments"),
        ({"exempt": "a"}, "exempt must be a collection of apartment ids"),
        ({"exempt": ["a", "b"]}, "total weight is zero"),
        ({"apartments": [apt("a", area="0"), apt("b", area="0.00")]}, "total weight is zero under method 'area'"),
        ({"method": "floor", "coefficients": {1: D("0"), 2: D("0.000")}}, "total weight is zero under method 'floor'"),
    ],
)
def test_bad_input_is_refused(kwargs: dict[str, Any], names: str) -> None:
    arguments: dict[str, Any] = {"amount": D("100.00"), "method": "area", "apartments": TWO, **kwargs}
    with pytest.raises(ApportionInputError) as exc:
        apportion(**arguments)
    assert names in str(exc.value)
    assert "\n" not in str(exc.value)
    with pytest.raises(ApportionInputError):  # exact_shares checks the same
        exact_shares(**arguments)


def test_the_error_is_a_value_error() -> None:
    assert issubclass(ApportionInputError, ValueError)


# --------------------------------------------------------------------------------------------
# The JSON contract

EXAMPLE = {
    "amount": "265000.00",
    "method": "floor-area",
    "coefficients": {"1": "0", "2": "0.3", "3": "0.4"},
    "exempt": ["1-101"],
    "apartments": [
        {"id": "1-101", "floor": 1, "area": "89.50"},
        {"id": "1-201", "floor": 2, "area": "89.50"},
        {"id": "1-301", "floor": 3, "area": "75.25"},
    ],
}


def test_parse_payload_reads_every_field() -> None:
    amount, method, apartments, coefficients, exempt = parse_payload(EXAMPLE)
    assert amount == D("265000.00")
    assert method == "floor-area"
    assert apartments[2] == ApartmentIn(id="1-301", floor=3, area=D("75.25"))
    assert coefficients == {1: D("0"), 2: D("0.3"), 3: D("0.4")}
    assert exempt == {"1-101"}


def test_parse_payload_defaults_to_area_without_coefficients_or_exemption() -> None:
    amount, method, apartments, coefficients, exempt = parse_payload(
        {"amount": 100, "apartments": [{"id": "a", "floor": -1, "area": 12}]}
    )
    assert (amount, method, coefficients, exempt) == (D(100), "area", {}, set())
    assert apartments == [ApartmentIn(id="a", floor=-1, area=D(12))]


def test_apportion_json_output() -> None:
    assert apportion_json(EXAMPLE) == {
        "shares": [
            {"apartment": "1-101", "amount": "0.00"},
            {"apartment": "1-201", "amount": "124938.54"},
            {"apartment": "1-301", "amount": "140061.46"},
        ],
        "total": "265000.00",
    }
    assert apportion_json({**EXAMPLE, "amount": "265000"})["total"] == "265000.00"


def with_apartment(**fields: Any) -> dict[str, Any]:
    return {**EXAMPLE, "apartments": [*EXAMPLE["apartments"], {"id": "1-401", "floor": 3, "area": "60.00", **fields}]}


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        ([1, 2], "input must be an object"),
        ({"apartments": []}, "input.amount is missing"),
        ({"amount": "1.00"}, "input.apartments is missing"),
        ({**EXAMPLE, "methode": "area"}, "input has an unknown key 'methode'"),
        ({**EXAMPLE, "amount": 1.5}, "floats are inexact"),
        ({**EXAMPLE, "amount": "1e3"}, "amount must be a decimal number"),
        ({**EXAMPLE, "amount": "¥100"}, "amount must be a decimal number"),
        ({**EXAMPLE, "amount": "-5.00"}, "amount must not be negative"),
        ({**EXAMPLE, "amount": "0.001"}, "amount must be a whole number of fen"),
        ({**EXAMPLE, "method": 3}, "method must be a string"),
        ({**EXAMPLE, "method": "by-area"}, "unknown method 'by-area'"),
        ({**EXAMPLE, "coefficients": [["1", "0"]]}, "coefficients must be an object"),
        ({**EXAMPLE, "coefficients": {"first": "0"}}, "'first' is not a floor number"),
        ({**EXAMPLE, "coefficients": {"01": "0"}}, "'01' is not a floor number"),
        ({**EXAMPLE, "coefficients": {"1": "0", "2": "-0.3", "3": "0.4"}}, "coefficients[2] must not be negative"),
        ({**EXAMPLE, "coefficients": {"1": "0", "2": "0.3"}}, "floor 3 is missing from coefficients"),
        ({**EXAMPLE, "exempt": "1-101"}, "exempt must be a list"),
        ({**EXAMPLE, "exempt": [101]}, "exempt[0] must be an apartment id"),
        ({**EXAMPLE, "exempt": ["9-999"]}, "exempt apartment '9-999' is not among the apartments"),
        ({**EXAMPLE, "apartments": {}}, "apartments must be a list"),
        ({**EXAMPLE, "apartments": []}, "apartments is empty"),
        ({**EXAMPLE, "apartments": ["1-101"]}, "apartments[0] must be an object"),
        (with_apartment(id="1-201"), "apartments[3]: duplicate apartment id '1-201'"),
        (with_apartment(id=401), "apartments[3].id must be a string"),
        (with_apartment(floor="3"), "apartments[3].floor must be an integer"),
        (with_apartment(floor=True), "apartments[3].floor must be an integer"),
        (with_apartment(area="-60.00"), "apartments[3].area must not be negative"),
        (with_apartment(area="60.001"), "apartments[3].area must be a whole number of 0.01 m²"),
        (with_apartment(owner="张三"), "apartments[3] has an unknown key 'owner'"),
        ({**EXAMPLE, "apartments": [{"id": "a", "area": "1"}]}, "apartments[0].floor is missing"),
        ({**EXAMPLE, "exempt": ["1-101", "1-201", "1-301"]}, "total weight is zero"),
    ],
)
def test_bad_payload_is_refused(payload: Any, names: str) -> None:
    with pytest.raises(ApportionInputError) as exc:
        apportion_json(payload)
    assert names in str(exc.value)


# --------------------------------------------------------------------------------------------
# Properties


@dataclass(frozen=True)
class Case:
    amount: Decimal
    method: str
    apartments: list[ApartmentIn]
    coefficients: dict[int, Decimal]
    exempt: set[str]


def exact(case: Case) -> list[Fraction]:
    """The exact shares, computed here independently of the module: amount × weight / total."""
    weights: list[Fraction] = []
    for a in case.apartments:
        if a.id in case.exempt:
            weights.append(Fraction(0))
        elif case.method == "area":
            weights.append(Fraction(a.area))
        elif case.method == "equal":
            weights.append(Fraction(1))
        elif case.method == "floor":
            weights.append(Fraction(case.coefficients[a.floor]))
        else:
            weights.append(Fraction(case.coefficients[a.floor]) * Fraction(a.area))
    total = sum(weights, Fraction(0))
    return [Fraction(case.amount) * w / total for w in weights]


FLOORS = range(1, 7)
# Few distinct areas and coefficients so that exact shares often tie.
areas = st.one_of(
    st.sampled_from(["0.00", "60.00", "75.25", "89.50", "120.00"]),
    st.integers(min_value=0, max_value=10**7).map(lambda h: str(Decimal(h).scaleb(-2))),
).map(Decimal)
coefficient_values = st.one_of(
    st.sampled_from(["0", "0.3", "0.5", "1"]),
    st.integers(min_value=0, max_value=10**6).map(lambda n: str(Decimal(n).scaleb(-3))),
).map(Decimal)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    method = draw(st.sampled_from(METHODS))
    count = draw(st.integers(min_value=1, max_value=25))
    apartments = [ApartmentIn(id=f"{n}", floor=draw(st.sampled_from(FLOORS)), area=draw(areas)) for n in range(count)]
    coefficients = {floor: draw(coefficient_values) for floor in FLOORS}
    exempt = {a.id for a in apartments if draw(st.booleans()) and draw(st.booleans())}
    # At least one apartment must weigh something: give the first non-exempt one a positive weight.
    bearing = [i for i, a in enumerate(apartments) if a.id not in exempt]
    if not bearing:
        exempt.discard(apartments[0].id)
        bearing = [0]
    first = apartments[bearing[0]]
    apartments[bearing[0]] = ApartmentIn(id=first.id, floor=first.floor, area=first.area or D("1.00"))
    coefficients[first.floor] = coefficients[first.floor] or D("0.1")
    fen = draw(st.one_of(st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=10**14 - 1)))
    return Case(Decimal(fen).scaleb(-2), method, apartments, coefficients, exempt)


def run(case: Case, apartments: list[ApartmentIn] | None = None) -> list[Share]:
    return apportion(case.amount, case.method, apartments or case.apartments, case.coefficients, case.exempt)


@given(cases())
def test_shares_sum_exactly_and_each_is_within_one_fen(case: Case) -> None:
    shares = run(case)
    assert [s.apartment for s in shares] == [a.id for a in case.apartments]
    assert sum(s.amount for s in shares) == case.amount
    for share, exact_share in zip(shares, exact(case), strict=True):
        assert share.amount >= 0
        assert share.amount.as_tuple().exponent == -2
        assert abs(Fraction(share.amount) - exact_share) < Fraction(1, 100)
    assert exact_shares(case.amount, case.method, case.apartments, case.coefficients, case.exempt) == exact(case)
    for share, a in zip(shares, case.apartments, strict=True):
        if a.id in case.exempt:
            assert share.amount == 0


@given(cases())
def test_more_weight_never_pays_less(case: Case) -> None:
    shares = run(case)
    exact_list = exact(case)
    for i in range(len(shares)):
        for j in range(i + 1, len(shares)):
            if exact_list[i] > exact_list[j]:
                assert shares[i].amount >= shares[j].amount
            elif exact_list[i] == exact_list[j]:  # a tie: the first in input gets the fen, if any
                assert shares[i].amount - shares[j].amount in (D("0.00"), D("0.01"))


def fen_parts(case: Case) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    """Each apartment's exact share rounded down to the fen, and the remainder in fen (0 ≤ r < 1)."""
    down: dict[str, Fraction] = {}
    remainder: dict[str, Fraction] = {}
    for a, value in zip(case.apartments, exact(case), strict=True):
        fen = value * 100
        whole = fen.numerator // fen.denominator
        down[a.id] = Fraction(whole, 100)
        remainder[a.id] = fen - whole
    return down, remainder


def check_largest_remainder(order: list[ApartmentIn], shares: Mapping[str, Decimal], case: Case) -> None:
    """The fen left over went to the largest remainders, and within equal remainders to the first in `order`."""
    down, remainder = fen_parts(case)
    receivers = {i for i in shares if Fraction(shares[i]) != down[i]}
    assert all(Fraction(shares[i]) - down[i] == Fraction(1, 100) for i in receivers)
    others = set(shares) - receivers
    if receivers and others:
        assert min(remainder[i] for i in receivers) >= max(remainder[i] for i in others)
    for r in set(remainder.values()):
        same = [a.id for a in order if remainder[a.id] == r]
        got = [i for i in same if i in receivers]
        assert got == same[: len(got)]


@given(cases(), st.randoms(use_true_random=False))
def test_input_order_matters_only_for_ties(case: Case, rnd: Any) -> None:
    permuted = list(case.apartments)
    rnd.shuffle(permuted)
    before = {s.apartment: s.amount for s in run(case)}
    after_list = run(case, permuted)
    assert [s.apartment for s in after_list] == [a.id for a in permuted]
    after = {s.apartment: s.amount for s in after_list}
    check_largest_remainder(case.apartments, before, case)
    check_largest_remainder(permuted, after, case)
    _, remainder = fen_parts(case)
    changed = {i for i in before if before[i] != after[i]}
    if changed:
        # Every apartment whose share changed has one same remainder, shared by at least two apartments.
        assert len({remainder[i] for i in changed}) == 1
        (r,) = {remainder[i] for i in changed}
        assert sum(1 for value in remainder.values() if value == r) >= 2
