"""The tally of owners' motions (motions/thresholds.py): every boundary of Civil Code Art. 278, the
counting rules of the SPC interpretation Art. 8-9, bad input, and properties of still_needed."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gongzhi.motions import thresholds as th
from gongzhi.motions.thresholds import BallotIn, Figures, RollEntryIn, TallyInputError, Threshold

ORDINARY = th.PRESETS["civil-code-ordinary"]
SPECIAL = th.PRESETS["civil-code-special"]


def F(area: str, owners: int) -> Figures:  # noqa: N802 - a short constructor for tables
    return Figures(area=Decimal(area), owners=owners)


def ev(rule: th.VotingRule, total: Figures, for_: Figures, against: Figures, abstain: Figures | None = None) -> Any:
    return th.evaluate(rule, total=total, for_=for_, against=against, abstain=abstain or th.ZERO)


# --------------------------------------------------------------------------------------------
# Thresholds


@pytest.mark.parametrize(
    ("text", "inclusive", "fraction", "shown"),
    [
        (">=2/3", True, Fraction(2, 3), ">=2/3"),
        (">1/2", False, Fraction(1, 2), ">1/2"),
        (">=3/4", True, Fraction(3, 4), ">=3/4"),
        (">=1/1", True, Fraction(1), ">=1/1"),
        (" >= 4 / 6 ", True, Fraction(2, 3), ">=2/3"),  # spaces tolerated, fraction reduced
        (">2/4", False, Fraction(1, 2), ">1/2"),
    ],
)
def test_threshold_parse(text: str, inclusive: bool, fraction: Fraction, shown: str) -> None:
    threshold = Threshold.parse(text)
    assert threshold == Threshold(inclusive=inclusive, fraction=fraction)
    assert str(threshold) == shown
    assert Threshold.parse(str(threshold)) == threshold


@pytest.mark.parametrize(
    "text",
    [
        "2/3",
        "=2/3",
        "=>2/3",
        "<2/3",
        ">=2",
        ">=0.5",
        ">=2/0",
        ">=0/3",
        ">=4/3",
        ">1/1",
        ">=-1/2",
        "",
        ">= 2/3x",
        "≥2/3",
    ],
)
def test_threshold_parse_refuses(text: str) -> None:
    with pytest.raises(TallyInputError):
        Threshold.parse(text)


@pytest.mark.parametrize("value", [None, 2, Fraction(2, 3)])
def test_threshold_parse_refuses_non_strings(value: Any) -> None:
    with pytest.raises(TallyInputError, match="string"):
        Threshold.parse(value)


@pytest.mark.parametrize("fraction", [Fraction(0), Fraction(-1, 2), Fraction(3, 2)])
def test_threshold_constructor_refuses_fractions_out_of_range(fraction: Fraction) -> None:
    with pytest.raises(TallyInputError, match="fraction"):
        Threshold(inclusive=True, fraction=fraction)


def test_met_is_exact_on_the_boundary() -> None:
    two_thirds = Threshold.parse(">=2/3")
    half = Threshold.parse(">1/2")
    assert two_thirds.met(Decimal("200.00"), Decimal("300.00"))  # exactly 2/3: "以上" includes it
    assert not two_thirds.met(Decimal("199.99"), Decimal("300.00"))
    assert two_thirds.met(2, 3)
    assert not half.met(Decimal("100.00"), Decimal("200.00"))  # exactly half: "过半数" excludes it
    assert half.met(Decimal("100.01"), Decimal("200.00"))
    # Beyond the 28 digits of the default Decimal context: still exact.
    assert not two_thirds.met(Decimal("1.999999999999999999999999999999999"), 3)
    assert two_thirds.met(Decimal("2.000000000000000000000000000000001"), 3)


# --------------------------------------------------------------------------------------------
# Presets and rules


def test_presets_follow_civil_code_278() -> None:
    assert ORDINARY.as_json() == {
        "participation": {"area": ">=2/3", "owners": ">=2/3"},
        "approval": {"area": ">1/2", "owners": ">1/2"},
    }
    assert SPECIAL.as_json() == {
        "participation": {"area": ">=2/3", "owners": ">=2/3"},
        "approval": {"area": ">=3/4", "owners": ">=3/4"},
    }
    assert (ORDINARY.preset, SPECIAL.preset) == ("civil-code-ordinary", "civil-code-special")


def test_rule_from_preset_and_custom() -> None:
    assert th.rule_from("civil-code-special") is SPECIAL
    custom = th.rule_from(
        {"participation": {"area": ">=1/2", "owners": ">1/3"}, "approval": {"area": ">=2/3", "owners": ">1/2"}}
    )
    assert custom.preset is None
    assert custom.as_json() == {
        "participation": {"area": ">=1/2", "owners": ">1/3"},
        "approval": {"area": ">=2/3", "owners": ">1/2"},
    }
    same_as_ordinary = th.rule_from(ORDINARY.as_json())
    assert same_as_ordinary.as_json() == ORDINARY.as_json()


@pytest.mark.parametrize(
    ("spec", "names"),
    [
        ("civil-code", "unknown rule"),
        ("", "unknown rule"),
        (None, "rule"),
        (3, "rule"),
        ({"participation": {"area": ">=2/3", "owners": ">=2/3"}}, "rule.approval"),
        ({"participation": {"area": ">=2/3"}, "approval": {"area": ">1/2", "owners": ">1/2"}}, "participation.owners"),
        ({"participation": ">=2/3", "approval": {"area": ">1/2", "owners": ">1/2"}}, "rule.participation"),
        (
            {"participation": {"area": ">=2/3", "owners": "2/3"}, "approval": {"area": ">1/2", "owners": ">1/2"}},
            "rule.participation.owners",
        ),
        (
            {"participation": {"area": ">=2/3", "owners": ">=2/3"}, "approval": {"area": ">1/2", "owners": 0.5}},
            "rule.approval.owners",
        ),
        (
            {
                "participation": {"area": ">=2/3", "owners": ">=2/3"},
                "approval": {"area": ">1/2", "owners": ">1/2"},
                "preset": "x",
            },
            "preset",
        ),
        (
            {
                "participation": {"area": ">=2/3", "owners": ">=2/3", "x": 1},
                "approval": {"area": ">1/2", "owners": ">1/2"},
            },
            "'x'",
        ),
    ],
)
def test_rule_from_refuses(spec: Any, names: str) -> None:
    with pytest.raises(TallyInputError, match=names.replace(".", r"\.")):
        th.rule_from(spec)


# --------------------------------------------------------------------------------------------
# Figures


def test_figures_keep_two_decimals() -> None:
    assert Figures(area=Decimal("123.4"), owners=3).as_json() == {"area": "123.40", "owners": 3}
    assert Figures(area=Decimal(7), owners=1).as_json() == {"area": "7.00", "owners": 1}
    assert Figures(area=7, owners=1).area == Decimal("7.00")  # type: ignore[arg-type]  # ints are whole m²
    assert Figures(area=Decimal("1.2E+3"), owners=1).as_json() == {"area": "1200.00", "owners": 1}
    assert Figures(area=Decimal("5.000"), owners=1) == Figures(area=Decimal("5"), owners=1)


@pytest.mark.parametrize(
    ("area", "owners", "names"),
    [
        (Decimal("1.005"), 1, "two decimals"),
        (Decimal("-0.01"), 0, "negative"),
        (Decimal("NaN"), 0, "finite"),
        (Decimal("Infinity"), 0, "finite"),
        (Decimal("1E+12"), 1, "too large"),
        (1.5, 1, "float"),
        (True, 1, "bool"),
        (Decimal(1), -1, "negative"),
        (Decimal(1), 1.0, "integer"),
        (Decimal(1), True, "integer"),
    ],
)
def test_figures_refuse(area: Any, owners: Any, names: str) -> None:
    with pytest.raises(TallyInputError, match=names):
        Figures(area=area, owners=owners)


# --------------------------------------------------------------------------------------------
# evaluate: every boundary of each preset, area and headcount separately

TOTAL = F("300.00", 30)


@pytest.mark.parametrize("rule", [ORDINARY, SPECIAL], ids=["ordinary", "special"])
@pytest.mark.parametrize(
    ("participating", "quorum"),
    [
        (F("200.00", 20), True),  # exactly 2/3 of area and of owners: "三分之二以上" includes it
        (F("199.99", 20), False),  # one grid step short on area
        (F("200.01", 20), True),
        (F("200.00", 19), False),  # one owner short
        (F("200.00", 21), True),
        (F("300.00", 30), True),
    ],
)
def test_participation_boundaries(rule: th.VotingRule, participating: Figures, quorum: bool) -> None:
    outcome = ev(rule, TOTAL, participating, th.ZERO)  # everybody taking part agreed
    assert outcome.quorum_met is quorum
    assert outcome.approved is True
    assert outcome.passed is quorum
    assert outcome.participating == participating


@pytest.mark.parametrize(
    ("rule", "for_", "against", "approved"),
    [
        # Ordinary: more than half ("过半数") of 200.00 m² and of 20 owners. Exactly half fails.
        (ORDINARY, F("100.00", 11), F("100.00", 9), False),
        (ORDINARY, F("100.01", 11), F("99.99", 9), True),
        (ORDINARY, F("99.99", 11), F("100.01", 9), False),
        (ORDINARY, F("100.01", 10), F("99.99", 10), False),  # 10 of 20 owners is exactly half
        (ORDINARY, F("100.01", 9), F("99.99", 11), False),
        # Special: at least three quarters ("四分之三以上") of each; exactly 3/4 passes.
        (SPECIAL, F("150.00", 15), F("50.00", 5), True),
        (SPECIAL, F("149.99", 15), F("50.01", 5), False),
        (SPECIAL, F("150.01", 15), F("49.99", 5), True),
        (SPECIAL, F("150.00", 14), F("50.00", 6), False),
        (SPECIAL, F("150.00", 16), F("50.00", 4), True),
    ],
)
def test_approval_boundaries(rule: th.VotingRule, for_: Figures, against: Figures, approved: bool) -> None:
    outcome = ev(rule, TOTAL, for_, against)
    assert outcome.participating == F("200.00", 20)
    assert outcome.quorum_met is True
    assert outcome.approved is approved
    assert outcome.passed is approved


@pytest.mark.parametrize(
    ("for_", "against", "total", "quorum", "approved"),
    [
        (F("200.00", 20), F("0", 0), F("300.00", 30), True, True),  # all four met
        (F("199.99", 20), F("0", 0), F("300.00", 30), False, True),  # participation area fails alone
        (F("200.00", 19), F("0", 0), F("300.00", 30), False, True),  # participation owners fails alone
        (F("100.00", 11), F("100.00", 9), F("300.00", 30), True, False),  # approval area fails alone
        (F("100.01", 10), F("99.99", 10), F("300.00", 30), True, False),  # approval owners fails alone
    ],
)
def test_passed_needs_all_four(for_: Figures, against: Figures, total: Figures, quorum: bool, approved: bool) -> None:
    outcome = ev(ORDINARY, total, for_, against)
    assert (outcome.quorum_met, outcome.approved, outcome.passed) == (quorum, approved, quorum and approved)


def test_abstaining_take_part_but_do_not_agree() -> None:
    # 100.01 m² and 11 owners for, 99.99 m² and 9 owners abstaining: passes (abstentions are not "against")…
    outcome = ev(ORDINARY, TOTAL, F("100.01", 11), th.ZERO, F("99.99", 9))
    assert outcome.passed is True
    assert outcome.participating == F("200.00", 20)
    # …but an abstention counts in the base: 100.00 for and 100.00 abstaining is not more than half.
    outcome = ev(ORDINARY, TOTAL, F("100.00", 11), th.ZERO, F("100.00", 9))
    assert outcome.approved is False
    assert outcome.abstain == F("100.00", 9)


def test_nobody_participating_approves_nothing() -> None:
    outcome = ev(ORDINARY, TOTAL, th.ZERO, th.ZERO)
    assert (outcome.quorum_met, outcome.approved, outcome.passed) == (False, False, False)
    assert outcome.still_needed.participation == F("200.00", 20)
    assert outcome.still_needed.approval == F("0.01", 1)
    unanimity = th.rule_from(
        {"participation": {"area": ">=1/1", "owners": ">=1/1"}, "approval": {"area": ">=1/1", "owners": ">=1/1"}}
    )
    assert ev(unanimity, TOTAL, th.ZERO, th.ZERO).approved is False


@pytest.mark.parametrize(
    ("total", "for_", "against", "names"),
    [
        (F("0", 0), th.ZERO, th.ZERO, "total"),
        (F("0", 1), th.ZERO, th.ZERO, "total"),
        (F("10.00", 0), th.ZERO, th.ZERO, "total"),
        (F("10.00", 2), F("10.01", 1), th.ZERO, "exceed"),
        (F("10.00", 2), F("5.00", 1), F("5.00", 2), "exceed"),
        (F("10.00", 2), F("5.00", 0), th.ZERO, "for"),
        (F("10.00", 2), th.ZERO, F("0", 1), "against"),
    ],
)
def test_evaluate_refuses_impossible_figures(total: Figures, for_: Figures, against: Figures, names: str) -> None:
    with pytest.raises(TallyInputError, match=names):
        ev(ORDINARY, total, for_, against)


# --------------------------------------------------------------------------------------------
# still_needed, worked examples


def test_still_needed_worked_example() -> None:
    # 150.00 of 300.00 m² and 15 of 30 owners took part; 75.00 m² and 7 owners for.
    outcome = ev(ORDINARY, TOTAL, F("75.00", 7), F("75.00", 8))
    needed = outcome.still_needed
    assert needed.participation == F("50.00", 5)  # 200.00 m² and 20 owners make 2/3
    # Area: 75.00 + x > (150.00 + x) / 2  ⇔  x > 0: one grid step. Owners: 7 + x > (15 + x) / 2 ⇔ x > 1.
    assert needed.approval == F("0.01", 2)
    assert needed.as_json() == {
        "participation": {"area": "50.00", "owners": 5},
        "approval": {"area": "0.01", "owners": 2},
    }
    assert ev(ORDINARY, TOTAL, F("75.01", 9), F("75.00", 8)).approved  # adding them approves


def test_still_needed_is_zero_when_met() -> None:
    outcome = ev(SPECIAL, TOTAL, F("150.00", 15), F("50.00", 5))
    assert outcome.still_needed == th.StillNeeded(participation=th.ZERO, approval=th.ZERO)


def test_still_needed_special_and_its_cap() -> None:
    # 100.00 of 150.00 m² for: (100 + x)·4 ≥ 3·(150 + x) ⇔ x ≥ 50.00; 150.00 m² do not take part yet.
    assert ev(SPECIAL, TOTAL, F("100.00", 10), F("50.00", 5)).still_needed.approval == F("50.00", 5)
    # Nobody for, 150.00 m² against, only 10.00 m² left: x ≥ 450.00 is impossible, the cap is given.
    outcome = ev(SPECIAL, F("160.00", 16), th.ZERO, F("150.00", 15))
    assert outcome.still_needed.approval == F("10.00", 1)
    assert outcome.still_needed.participation == th.ZERO


def test_still_needed_with_unanimity_does_not_divide_by_zero() -> None:
    unanimity = th.rule_from(
        {"participation": {"area": ">=2/3", "owners": ">=2/3"}, "approval": {"area": ">=1/1", "owners": ">=1/1"}}
    )
    assert ev(unanimity, TOTAL, F("200.00", 20), th.ZERO).still_needed.approval == th.ZERO
    assert ev(unanimity, TOTAL, F("199.99", 19), F("0.01", 1)).still_needed.approval == F("100.00", 10)
    # A hand-built "more than all of it" threshold (parse refuses it) can never be met: the cap.
    never = th.VotingRule(*(Threshold(inclusive=False, fraction=Fraction(1)),) * 4)
    outcome = ev(never, TOTAL, F("200.00", 20), th.ZERO)
    assert outcome.still_needed.participation == F("100.00", 10)
    assert outcome.still_needed.approval == F("100.00", 10)
    assert outcome.passed is False


# --------------------------------------------------------------------------------------------
# tally: counting rules of the SPC interpretation Art. 8-9


def apt(id_: str, area: str, owner: str = "", developer_held: bool = False) -> RollEntryIn:
    return RollEntryIn(id=id_, area=Decimal(area), owner=owner or f"owner of {id_}", developer_held=developer_held)


def votes(*pairs: tuple[str, str]) -> list[BallotIn]:
    return [BallotIn(apartment=a, choice=c) for a, c in pairs]


def test_tally_boundary_end_to_end() -> None:
    # Three apartments of 100.00 m², three owners: two taking part is exactly 2/3 of both.
    roll = [apt("101", "100.00"), apt("102", "100.00"), apt("103", "100.00")]
    outcome = th.tally(ORDINARY, roll, votes(("101", "for"), ("102", "for")))
    assert (outcome.quorum_met, outcome.approved, outcome.passed) == (True, True, True)
    short = [apt("101", "99.99"), apt("102", "100.00"), apt("103", "100.01")]
    outcome = th.tally(ORDINARY, short, votes(("101", "for"), ("102", "for")))
    assert outcome.quorum_met is False
    assert outcome.participating == F("199.99", 2)
    assert outcome.still_needed.participation == F("0.01", 0)
    # One for and one against, both 100.00 m²: exactly half is not "过半数".
    outcome = th.tally(ORDINARY, roll, votes(("101", "for"), ("102", "against")))
    assert (outcome.quorum_met, outcome.approved) == (True, False)


def test_developer_held_apartments_count_as_one_owner() -> None:
    roll = [
        apt("101", "90.00", "甲"),
        apt("102", "90.00", "开发商A", developer_held=True),
        apt("103", "90.00", "开发商B", developer_held=True),  # another name: still the same developer
        apt("104", "90.00", "", developer_held=True),
    ]
    outcome = th.tally(ORDINARY, roll, votes(("102", "for")))
    assert outcome.total == F("360.00", 2)
    assert outcome.for_ == F("270.00", 1)  # one ballot covers all of the developer's apartments
    assert outcome.quorum_met is False  # 1 of 2 owners < 2/3, although 3/4 of the area took part
    assert outcome.still_needed.participation == F("0", 1)


def test_developer_is_not_merged_with_an_owner_of_the_same_name() -> None:
    roll = [apt("101", "90.00", "开发商"), apt("102", "90.00", "开发商", developer_held=True)]
    outcome = th.tally(ORDINARY, roll, votes(("101", "for"), ("102", "against")))
    assert outcome.total.owners == 2
    assert (outcome.for_, outcome.against) == (F("90.00", 1), F("90.00", 1))


def test_owner_of_several_apartments_counts_once_with_all_their_area() -> None:
    roll = [apt("101", "89.50", "张三"), apt("201", "120.25", "张三"), apt("301", "60.00", "李四")]
    outcome = th.tally(ORDINARY, roll, votes(("201", "against")))
    assert outcome.total == F("269.75", 2)
    assert outcome.against == F("209.75", 1)  # both of 张三's apartments, one owner
    assert outcome.participating == F("209.75", 1)
    # The same choice on both apartments is one owner, not two.
    outcome = th.tally(ORDINARY, roll, votes(("101", "for"), ("201", "for"), ("301", "for")))
    assert outcome.for_ == F("269.75", 2)


def test_later_ballot_replaces_earlier() -> None:
    roll = [apt("101", "80.00"), apt("102", "70.00")]
    outcome = th.tally(ORDINARY, roll, votes(("101", "for"), ("102", "for"), ("101", "against"), ("101", "abstain")))
    assert outcome.for_ == F("70.00", 1)
    assert outcome.against == th.ZERO
    assert outcome.abstain == F("80.00", 1)
    assert outcome.approved is False  # 70.00 of 150.00 m²


def test_owner_may_change_their_choice_on_the_apartment_they_voted_with() -> None:
    roll = [apt("101", "80.00", "张三"), apt("102", "70.00", "张三")]
    outcome = th.tally(ORDINARY, roll, votes(("101", "for"), ("101", "against")))
    assert outcome.against == F("150.00", 1)
    # Changing on both apartments, in any order, is consistent too.
    outcome = th.tally(ORDINARY, roll, votes(("101", "for"), ("102", "for"), ("102", "against"), ("101", "against")))
    assert outcome.against == F("150.00", 1)


@pytest.mark.parametrize(
    ("roll", "ballots", "names"),
    [
        (
            [apt("101", "80.00", "张三"), apt("102", "70.00", "张三")],
            [("101", "for"), ("102", "against")],
            "conflicting",
        ),
        (
            [apt("101", "80.00", "甲", developer_held=True), apt("102", "70.00", "乙", developer_held=True)],
            [("101", "for"), ("102", "abstain")],
            "conflicting",
        ),
        ([apt("101", "80.00")], [("999", "for")], "unknown apartment '999'"),
        ([apt("101", "80.00")], [("101", "yes")], "choice"),
        ([apt("101", "80.00")], [("101", "")], "choice"),
        ([apt("101", "0.00")], [], r"apartments\[0\]\.area must be positive"),
        ([apt("101", "-5.00")], [], "positive"),
        ([apt("101", "80.001")], [], "two decimals"),
        ([apt("101", "80.00"), apt("101", "70.00")], [], "duplicate apartment id '101'"),
        ([], [], "empty"),
        ([RollEntryIn(id="", area=Decimal(1), owner="甲")], [], "id"),
        ([RollEntryIn(id="101", area=Decimal(1), owner="")], [], "owner"),
        ([RollEntryIn(id="101", area=1.5, owner="甲")], [], "float"),  # type: ignore[arg-type]
    ],
)
def test_tally_refuses(roll: list[RollEntryIn], ballots: list[tuple[str, str]], names: str) -> None:
    with pytest.raises(TallyInputError, match=names):
        th.tally(ORDINARY, roll, votes(*ballots))


def test_conflict_message_names_the_owner_and_apartments() -> None:
    roll = [apt("101", "80.00", "张三"), apt("102", "70.00", "张三")]
    with pytest.raises(TallyInputError) as exc:
        th.tally(ORDINARY, roll, votes(("101", "for"), ("102", "against")))
    assert "张三" in str(exc.value)
    assert "'101'" in str(exc.value)
    assert "'102'" in str(exc.value)
    assert "\n" not in str(exc.value)


def test_outcome_as_json_has_the_contract_keys() -> None:
    roll = [apt("101", "89.5", "张三"), apt("102", "110.5", "李四"), apt("103", "100", "王五")]
    result = th.tally(SPECIAL, roll, votes(("101", "for"), ("102", "for"))).as_json()
    assert result == {
        "passed": True,
        "quorum_met": True,
        "approved": True,
        "total": {"area": "300.00", "owners": 3},
        "participating": {"area": "200.00", "owners": 2},
        "for": {"area": "200.00", "owners": 2},
        "against": {"area": "0.00", "owners": 0},
        "abstain": {"area": "0.00", "owners": 0},
        "still_needed": {"participation": {"area": "0.00", "owners": 0}, "approval": {"area": "0.00", "owners": 0}},
        "rule": SPECIAL.as_json(),
    }


# --------------------------------------------------------------------------------------------
# parse_payload

GOOD_APT = {"id": "1-101", "area": "89.50", "owner": "张三"}
GOOD_BALLOT = {"apartment": "1-101", "choice": "for"}


def payload(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"rule": "civil-code-ordinary", "apartments": [GOOD_APT], "ballots": [GOOD_BALLOT]}
    base.update(changes)
    return base


def test_parse_payload_reads_the_contract() -> None:
    rule, apartments, ballots = th.parse_payload(
        payload(
            apartments=[
                GOOD_APT,
                {"id": "1-102", "area": 90, "owner": "李四", "developer_held": False},
                {"id": "1-103", "area": Decimal("75.5"), "developer_held": True},  # owner optional for the developer
            ]
        )
    )
    assert rule is ORDINARY
    assert apartments == [
        RollEntryIn(id="1-101", area=Decimal("89.50"), owner="张三"),
        RollEntryIn(id="1-102", area=Decimal(90), owner="李四"),
        RollEntryIn(id="1-103", area=Decimal("75.5"), owner="", developer_held=True),
    ]
    assert ballots == [BallotIn(apartment="1-101", choice="for")]


@pytest.mark.parametrize(
    ("data", "names"),
    [
        ([], "input"),
        ("x", "input"),
        ({"apartments": [], "ballots": []}, "input.rule is missing"),
        ({"rule": "civil-code-ordinary", "ballots": []}, "input.apartments is missing"),
        ({"rule": "civil-code-ordinary", "apartments": []}, "input.ballots is missing"),
        (payload(extra=1), "unknown key 'extra'"),
        (payload(rule="majority"), "unknown rule"),
        (payload(apartments={}), "apartments must be a list"),
        (payload(ballots="for"), "ballots must be a list"),
        (payload(apartments=["1-101"]), r"apartments\[0\] must be an object"),
        (payload(apartments=[{"area": "1.00", "owner": "甲"}]), r"apartments\[0\]\.id is missing"),
        (payload(apartments=[{"id": "1", "owner": "甲"}]), r"apartments\[0\]\.area is missing"),
        (payload(apartments=[{"id": "1", "area": "1.00"}]), r"apartments\[0\]\.owner is missing"),
        (payload(apartments=[{"id": 1, "area": "1.00", "owner": "甲"}]), r"apartments\[0\]\.id must be a string"),
        (payload(apartments=[{"id": "1", "area": "1.00", "owner": 7}]), r"apartments\[0\]\.owner must be a string"),
        (payload(apartments=[{"id": "1", "area": 89.5, "owner": "甲"}]), "floats are inexact"),
        (payload(apartments=[{"id": "1", "area": True, "owner": "甲"}]), "area"),
        (payload(apartments=[{"id": "1", "area": "89,50", "owner": "甲"}]), "decimal number"),
        (payload(apartments=[{"id": "1", "area": "1e3", "owner": "甲"}]), "decimal number"),
        (payload(apartments=[{"id": "1", "area": " 1.00", "owner": "甲"}]), "decimal number"),
        (payload(apartments=[{"id": "1", "area": None, "owner": "甲"}]), "decimal number"),
        (payload(apartments=[{"id": "1", "area": "1", "owner": "甲", "developer_held": "no"}]), "developer_held"),
        (payload(apartments=[{"id": "1", "area": "1", "owner": "甲", "developer": True}]), "unknown key 'developer'"),
        (payload(ballots=[["1-101", "for"]]), r"ballots\[0\] must be an object"),
        (payload(ballots=[{"apartment": "1-101"}]), r"ballots\[0\]\.choice is missing"),
        (payload(ballots=[{"choice": "for"}]), r"ballots\[0\]\.apartment is missing"),
        (payload(ballots=[{"apartment": "1-101", "choice": 1}]), r"ballots\[0\]\.choice must be a string"),
        (payload(ballots=[{"apartment": 101, "choice": "for"}]), r"ballots\[0\]\.apartment must be a string"),
        (payload(ballots=[{"apartment": "1-101", "choice": "for", "at": "today"}]), "unknown key 'at'"),
    ],
)
def test_parse_payload_refuses(data: Any, names: str) -> None:
    with pytest.raises(TallyInputError, match=names):
        th.parse_payload(data)


# --------------------------------------------------------------------------------------------
# Properties

GRID = Decimal("0.01")


@st.composite
def thresholds(draw: st.DrawFn) -> Threshold:
    q = draw(st.integers(1, 12))
    p = draw(st.integers(1, q))
    inclusive = draw(st.booleans()) if p < q else True
    return Threshold(inclusive=inclusive, fraction=Fraction(p, q))


@st.composite
def situations(draw: st.DrawFn) -> tuple[th.VotingRule, Figures, Figures, Figures, Figures]:
    """A rule and aggregate figures: total, for, against, abstain (consistent by construction)."""
    rule = th.VotingRule(draw(thresholds()), draw(thresholds()), draw(thresholds()), draw(thresholds()))
    owners = draw(st.integers(1, 40))
    voters = draw(st.integers(0, owners))
    split = sorted(draw(st.lists(st.integers(0, voters), min_size=2, max_size=2)))
    heads = [split[0], split[1] - split[0], voters - split[1]]
    areas = [sum(draw(st.integers(1, 30000)) for _ in range(n)) for n in heads]
    rest = sum(draw(st.integers(1, 30000)) for _ in range(owners - voters))
    total = Figures.of(sum(areas) + rest, owners)
    for_, against, abstain = (Figures.of(a, n) for a, n in zip(areas, heads, strict=True))
    return rule, total, for_, against, abstain


@given(situations())
def test_still_needed_participation_is_the_least_that_suffices(
    s: tuple[th.VotingRule, Figures, Figures, Figures, Figures],
) -> None:
    rule, total, for_, against, abstain = s
    outcome = th.evaluate(rule, total=total, for_=for_, against=against, abstain=abstain)
    part, need = outcome.participating, outcome.still_needed.participation
    area_cap, owners_cap = total.area - part.area, total.owners - part.owners
    assert Decimal(0) <= need.area <= area_cap
    assert 0 <= need.owners <= owners_cap
    if need.area < area_cap:
        assert rule.participation_area.met(part.area + need.area, total.area)
    if need.area > 0:
        assert not rule.participation_area.met(part.area + need.area - GRID, total.area)
    if need.owners < owners_cap:
        assert rule.participation_owners.met(part.owners + need.owners, total.owners)
    if need.owners > 0:
        assert not rule.participation_owners.met(part.owners + need.owners - 1, total.owners)
    assert outcome.quorum_met == (need == th.ZERO)


@given(situations())
def test_still_needed_approval_is_the_least_that_suffices(
    s: tuple[th.VotingRule, Figures, Figures, Figures, Figures],
) -> None:
    rule, total, for_, against, abstain = s
    outcome = th.evaluate(rule, total=total, for_=for_, against=against, abstain=abstain)
    part, need = outcome.participating, outcome.still_needed.approval
    area_cap, owners_cap = total.area - part.area, total.owners - part.owners
    assert Decimal(0) <= need.area <= area_cap
    assert 0 <= need.owners <= owners_cap

    def agrees(threshold: Threshold, agreeing: Decimal | int, participating: Decimal | int) -> bool:
        return participating > 0 and threshold.met(agreeing, participating)

    if need.area < area_cap:
        assert agrees(rule.approval_area, for_.area + need.area, part.area + need.area)
    if need.area > 0:
        x = need.area - GRID
        assert not agrees(rule.approval_area, for_.area + x, part.area + x)
    if need.owners < owners_cap:
        assert agrees(rule.approval_owners, for_.owners + need.owners, part.owners + need.owners)
    if need.owners > 0:
        x_owners = need.owners - 1
        assert not agrees(rule.approval_owners, for_.owners + x_owners, part.owners + x_owners)
    if outcome.approved:
        assert need == th.ZERO


@st.composite
def rolls(draw: st.DrawFn) -> tuple[list[RollEntryIn], list[BallotIn]]:
    """A roll of apartments and a consistent ballot sequence (no owner ends with two choices)."""
    n = draw(st.integers(1, 25))
    apartments = [
        RollEntryIn(
            id=f"A{i}",
            area=Decimal(draw(st.integers(1, 20000))) * GRID,
            owner=f"O{draw(st.integers(0, 8))}",
            developer_held=draw(st.integers(0, 5)) == 0,
        )
        for i in range(n)
    ]
    by_owner: dict[str, list[str]] = {}
    for a in apartments:
        by_owner.setdefault("developer" if a.developer_held else a.owner, []).append(a.id)
    early: list[BallotIn] = []
    final: list[BallotIn] = []
    choice_or_none = st.sampled_from([*th.CHOICES, None])
    for ids in by_owner.values():
        choice = draw(choice_or_none)
        if choice is None:
            continue
        voted = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        final += [BallotIn(apartment=i, choice=choice) for i in voted]
        early += [BallotIn(apartment=i, choice=draw(st.sampled_from(th.CHOICES))) for i in voted if draw(st.booleans())]
    order = draw(st.randoms(use_true_random=False))
    order.shuffle(final)
    return apartments, early + final


RULES = st.sampled_from([ORDINARY, SPECIAL])


@given(rolls(), RULES, st.randoms(use_true_random=False))
def test_tally_does_not_depend_on_the_order_of_apartments(
    roll: tuple[list[RollEntryIn], list[BallotIn]], rule: th.VotingRule, rnd: random.Random
) -> None:
    apartments, ballots = roll
    shuffled = list(apartments)
    rnd.shuffle(shuffled)
    assert th.tally(rule, shuffled, ballots) == th.tally(rule, apartments, ballots)


def naive_aggregates(apartments: list[RollEntryIn], ballots: list[BallotIn]) -> dict[str, Figures]:
    """A second, plain reading of the counting rules, to check `tally` against."""
    last = {b.apartment: b.choice for b in ballots}

    def key(a: RollEntryIn) -> str:
        return "\0developer" if a.developer_held else a.owner

    owners = {key(a) for a in apartments}
    choice_of = {key(a): last[a.id] for a in apartments if a.id in last}
    figures = {"total": Figures(area=sum((a.area for a in apartments), Decimal(0)), owners=len(owners))}
    for choice in th.CHOICES:
        voters = {o for o, c in choice_of.items() if c == choice}
        area = sum((a.area for a in apartments if key(a) in voters), Decimal(0))
        figures[choice] = Figures(area=area, owners=len(voters))
    return figures


@given(rolls(), RULES)
def test_evaluate_on_the_aggregates_equals_tally(
    roll: tuple[list[RollEntryIn], list[BallotIn]], rule: th.VotingRule
) -> None:
    apartments, ballots = roll
    agg = naive_aggregates(apartments, ballots)
    expected = th.evaluate(rule, total=agg["total"], for_=agg["for"], against=agg["against"], abstain=agg["abstain"])
    assert th.tally(rule, apartments, ballots) == expected


@given(rolls(), RULES)
def test_tally_through_the_json_contract(roll: tuple[list[RollEntryIn], list[BallotIn]], rule: th.VotingRule) -> None:
    apartments, ballots = roll
    data = {
        "rule": rule.preset,
        "apartments": [
            {"id": a.id, "area": str(a.area), "owner": a.owner, "developer_held": a.developer_held} for a in apartments
        ],
        "ballots": [{"apartment": b.apartment, "choice": b.choice} for b in ballots],
    }
    assert th.tally(*th.parse_payload(data)) == th.tally(rule, apartments, ballots)


@given(thresholds(), st.integers(0, 10**6), st.integers(1, 10**6))
def test_met_agrees_with_fraction_comparison(threshold: Threshold, part: int, whole: int) -> None:
    assume(part <= whole)
    share = Fraction(part, whole)
    expected = share >= threshold.fraction if threshold.inclusive else share > threshold.fraction
    assert threshold.met(Decimal(part) * GRID, Decimal(whole) * GRID) is expected
    assert threshold.met(part, whole) is expected
