"""The composite score of a review (talent.scoring, pure): examples by hand, rounding at the end
(half up), weights on one component, and properties (range, monotone, one weight = component)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.talent.scoring import ScoreInputs, SkillReading, Weights, composite

D = Decimal
SKILLS = ("政治素养", "调查研究", "应急处突", "群众工作", "抓落实")


def inputs(skills: list[str | None] | None = None, **kw: object) -> ScoreInputs:
    scores = skills if skills is not None else [None] * 5
    readings = [SkillReading(label, None if s is None else D(s)) for label, s in zip(SKILLS, scores, strict=True)]
    return ScoreInputs(skills=readings, **kw)  # type: ignore[arg-type]


def parts(score: object) -> dict[str, object]:
    return {p.component: p for p in score.parts}  # type: ignore[attr-defined]


def test_the_documented_example() -> None:
    got = composite(
        inputs(
            ["70", "75", "72.5", "70", "75"],
            courses_done=3,
            courses_required=4,
            appraisal_year=2025,
            appraisal_grade="competent",
            appraisal_label="称职",
            research_score=D("88"),
            research_title="老旧小区加装电梯",
        ),
        Weights(),
    )
    assert got.total == D("77.20")
    p = parts(got)
    assert p["skills"].value == D("72.5")  # type: ignore[attr-defined]
    assert p["courses"].value == D("75")  # type: ignore[attr-defined]
    assert p["appraisal"].value == D("80")  # type: ignore[attr-defined]
    assert p["skills"].contribution == D("29")  # type: ignore[attr-defined]
    assert p["appraisal"].text == "2025 年度考核称职"  # type: ignore[attr-defined]
    assert p["research"].text == "课题“老旧小区加装电梯”评分 88"  # type: ignore[attr-defined]
    assert sum(x.contribution for x in got.parts) == D("77.2")


def test_skills_scaled_missing_counts_zero_and_is_said() -> None:
    got = composite(
        inputs(["5", "3", None, "1", "4"], scale_min=D(1), scale_max=D(5)),
        Weights(skills=D(1), courses=D(0), appraisal=D(0), research=D(0)),
    )
    # (100 + 50 + 0 + 0 + 75) / 5 = 45
    assert got.total == D("45.00")
    text = parts(got)["skills"].text  # type: ignore[attr-defined]
    assert "应急处突 未评估，按 0 计" in text
    assert "政治素养 5 分，折合 100.00" in text


def test_out_of_scale_scores_are_clamped_and_said() -> None:
    got = composite(inputs(["120", "-5", "100", "100", "100"]), Weights(D(1), D(0), D(0), D(0)))
    assert got.total == D("80.00")  # (100 + 0 + 100 + 100 + 100) / 5
    assert "超出评分范围" in parts(got)["skills"].text  # type: ignore[attr-defined]


def test_no_required_courses_count_zero_with_the_reason() -> None:
    got = composite(inputs(courses_done=0, courses_required=0), Weights(D(0), D(1), D(0), D(0)))
    assert got.total == D("0.00")
    assert parts(got)["courses"].text == "未设置必修课程"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("grade", "points"),
    [("excellent", "100"), ("competent", "80"), ("basically_competent", "60"), ("incompetent", "0")],
)
def test_appraisal_points(grade: str, points: str) -> None:
    got = composite(inputs(appraisal_year=2024, appraisal_grade=grade), Weights(D(0), D(0), D(1), D(0)))
    assert got.total == D(points)


def test_nothing_recorded_is_zero_with_texts() -> None:
    got = composite(inputs(), Weights())
    assert got.total == D("0.00")
    p = parts(got)
    assert p["appraisal"].text == "无年度考核记录"  # type: ignore[attr-defined]
    assert p["research"].text == "无已评分课题"  # type: ignore[attr-defined]


def test_rounding_half_up_only_at_the_end() -> None:
    # research 80.005 alone → 80.01 (half up), 80.004999 → 80.00
    assert composite(inputs(research_score=D("80.005")), Weights(D(0), D(0), D(0), D(1))).total == D("80.01")
    assert composite(inputs(research_score=D("80.004999")), Weights(D(0), D(0), D(0), D(1))).total == D("80.00")
    # 2 of 3 courses (66.666…) and research 0.3, weights 1 and 1: exact (66.666… + 0.3) / 2 =
    # 33.4833… → 33.48; rounding the component first would give (66.67 + 0.3) / 2 = 33.485 → 33.49
    got = composite(
        inputs(courses_done=2, courses_required=3, research_score=D("0.3")), Weights(D(0), D(1), D(0), D(1))
    )
    assert got.total == D("33.48")
    # a total of exactly …0.005 rounds up: skills 50.025 (mean of five) alone
    got5 = composite(inputs(["50.025"] * 5), Weights(D(1), D(0), D(0), D(0)))
    assert got5.total == D("50.03")
    assert parts(got)["courses"].value != D("66.67")  # kept exact


def test_weights_must_be_non_negative_and_not_all_zero() -> None:
    with pytest.raises(ValueError, match="negative"):
        Weights(D(-1), D(1), D(1), D(1))
    with pytest.raises(ValueError, match="positive"):
        Weights(D(0), D(0), D(0), D(0))


score_values = st.decimals(min_value=0, max_value=100, places=2)
weight_values = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[ScoreInputs, Weights]:
    skills = [draw(st.one_of(st.none(), score_values)) for _ in SKILLS]
    required = draw(st.integers(0, 6))
    done = draw(st.integers(0, required))
    weights = [draw(weight_values) for _ in range(4)]
    if sum(weights) == 0:
        weights[0] = D(1)
    return (
        ScoreInputs(
            skills=[SkillReading(label, s) for label, s in zip(SKILLS, skills, strict=True)],
            courses_done=done,
            courses_required=required,
            appraisal_grade=draw(
                st.sampled_from([None, "excellent", "competent", "basically_competent", "incompetent"])
            ),
            appraisal_year=2024,
            research_score=draw(st.one_of(st.none(), score_values)),
        ),
        Weights(*weights),
    )


@given(worlds())
def test_result_is_within_0_and_100(world: tuple[ScoreInputs, Weights]) -> None:
    got = composite(*world)
    assert D(0) <= got.total <= D(100)
    assert got.total == got.total.quantize(D("0.01"))


@given(worlds(), st.decimals(min_value=0, max_value=100, places=2))
def test_monotone_in_research(world: tuple[ScoreInputs, Weights], higher: Decimal) -> None:
    base, weights = world
    low = base.research_score or D(0)
    if higher < low:
        low, higher = higher, low
    a = composite(ScoreInputs(**{**base.__dict__, "research_score": low}), weights)
    b = composite(ScoreInputs(**{**base.__dict__, "research_score": higher}), weights)
    assert a.total <= b.total


@given(worlds(), st.integers(0, 4), st.decimals(min_value=0, max_value=100, places=2))
def test_monotone_in_each_skill(world: tuple[ScoreInputs, Weights], index: int, higher: Decimal) -> None:
    base, weights = world
    low = base.skills[index].score or D(0)
    if higher < low:
        low, higher = higher, low

    def with_skill(value: Decimal) -> ScoreInputs:
        skills = list(base.skills)
        skills[index] = SkillReading(skills[index].label, value)
        return ScoreInputs(**{**base.__dict__, "skills": skills})

    assert composite(with_skill(low), weights).total <= composite(with_skill(higher), weights).total


@given(worlds(), st.integers(0, 5))
def test_monotone_in_courses(world: tuple[ScoreInputs, Weights], extra: int) -> None:
    base, weights = world
    more = min(base.courses_done + extra, base.courses_required)
    a = composite(base, weights)
    b = composite(ScoreInputs(**{**base.__dict__, "courses_done": more}), weights)
    assert a.total <= b.total


@given(
    worlds(),
    st.sampled_from(["skills", "courses", "appraisal", "research"]),
    st.decimals(min_value="0.01", max_value=100, places=2),
)
def test_one_weight_gives_the_component(world: tuple[ScoreInputs, Weights], only: str, weight: Decimal) -> None:
    base, _ = world
    weights = Weights(
        **{name: (weight if name == only else D(0)) for name in ("skills", "courses", "appraisal", "research")}
    )
    got = composite(base, weights)
    component = parts(got)[only].value  # type: ignore[attr-defined]
    assert got.total == component.quantize(D("0.01"), rounding="ROUND_HALF_UP")
