"""The composite score of a review (综合得分, issue 7 item 3); pure Python, no database.

Four components, each from 0 to 100:

- **skills** (能力): for each of the five core skills, the latest assessment on or before the
  review date (by assessed_on, then id — chosen by the caller), scaled to 0–100 as
  ``(score − scale_min) / (scale_max − scale_min) × 100`` (a score outside the pool's scale is
  clamped to 0 or 100 and the explanation says so). A skill never assessed counts 0 and the
  explanation says so. The component is the mean of the five.
- **courses** (课程): required courses completed in the review's cycle ÷ required courses × 100.
  With no required course set up the component is **0** ("未设置必修课程"), not 100: a pool that
  has no courses should give this component weight 0 rather than hand everyone full marks.
- **appraisal** (考核): the latest annual appraisal with year ≤ the review date's year
  (公务员考核规定 Art. 7 grades): 优秀 100, 称职 80, 基本称职 60, 不称职 0; none → 0
  ("无年度考核记录").
- **research** (课题): the highest score (0–100) of the scored research projects of the review's
  cycle in which the cadre is a member; none → 0.

Composite = Σ(wᵢ·cᵢ) / Σwᵢ with the review's non-negative weights (not all zero; 40/20/25/15 by
default), computed in Decimal and rounded **half up to 0.01 only at the end**; components and
contributions (wᵢ·cᵢ / Σwᵢ) are kept exact for the explanation and displayed to 2 places.

Example (weights 40/20/25/15, Σ = 100): skills 72.5, courses 3 of 4 = 75, appraisal 称职 = 80,
research 88 → (40·72.5 + 20·75 + 25·80 + 15·88) / 100 = (2900 + 1500 + 2000 + 1320) / 100 = 77.20.

The explanation is a list of parts (component, value, weight, contribution, text). Texts are
Chinese msgids with %-parameters (``template`` and ``params``) so a page can show them translated;
``text`` is the Chinese rendering stored with a review line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
SKILL_COUNT = 5

#: 年度考核等次 → points (the keys are AppraisalGrade values).
APPRAISAL_POINTS: dict[str, Decimal] = {
    "excellent": Decimal(100),
    "competent": Decimal(80),
    "basically_competent": Decimal(60),
    "incompetent": Decimal(0),
}

COMPONENTS = ("skills", "courses", "appraisal", "research")


def gettext_noop(message: str) -> str:
    """Marks a msgid for extraction (makemessages) without importing Django."""
    return message


LABELS = {
    "skills": gettext_noop("核心能力"),
    "courses": gettext_noop("必修课程"),
    "appraisal": gettext_noop("年度考核"),
    "research": gettext_noop("课题研究"),
}
T_SKILL = gettext_noop("%(skill)s %(score)s 分，折合 %(scaled)s")
T_SKILL_CLAMPED = gettext_noop("%(skill)s %(score)s 分，超出评分范围，按 %(scaled)s 计")
T_SKILL_NONE = gettext_noop("%(skill)s 未评估，按 0 计")
T_SKILLS = gettext_noop("五项能力平均 %(value)s（%(details)s）")
T_COURSES = gettext_noop("完成必修课程 %(done)s/%(required)s 门")
T_COURSES_NONE = gettext_noop("未设置必修课程")
T_APPRAISAL = gettext_noop("%(year)s 年度考核%(grade)s")
T_APPRAISAL_NONE = gettext_noop("无年度考核记录")
T_RESEARCH = gettext_noop("课题“%(title)s”评分 %(score)s")
T_RESEARCH_NONE = gettext_noop("无已评分课题")


def two(value: Decimal) -> str:
    """A figure for display: half up to 2 places."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class SkillReading:
    """The latest assessment of one skill (score None: never assessed)."""

    label: str
    score: Decimal | None = None


@dataclass(frozen=True)
class ScoreInputs:
    skills: Sequence[SkillReading]
    scale_min: Decimal = ZERO
    scale_max: Decimal = HUNDRED
    courses_done: int = 0
    courses_required: int = 0
    appraisal_year: int | None = None
    appraisal_grade: str | None = None  # an AppraisalGrade value
    appraisal_label: str = ""  # the grade's display name, e.g. 称职
    research_score: Decimal | None = None
    research_title: str = ""


@dataclass(frozen=True)
class Weights:
    skills: Decimal = Decimal(40)
    courses: Decimal = Decimal(20)
    appraisal: Decimal = Decimal(25)
    research: Decimal = Decimal(15)

    def __post_init__(self) -> None:
        values = [self.skills, self.courses, self.appraisal, self.research]
        if any(w < 0 for w in values):
            raise ValueError("weights must not be negative")
        if sum(values) <= 0:
            raise ValueError("at least one weight must be positive")

    def of(self, component: str) -> Decimal:
        value: Decimal = getattr(self, component)
        return value

    @property
    def total(self) -> Decimal:
        return self.skills + self.courses + self.appraisal + self.research


@dataclass(frozen=True)
class Part:
    component: str
    value: Decimal  # exact, 0–100
    weight: Decimal
    contribution: Decimal  # exact: weight × value / Σ weights
    template: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.template % self.params if self.params else self.template

    def as_json(self) -> dict[str, Any]:
        """What a ReviewLine keeps (exact figures as strings, never floats)."""
        return {
            "component": self.component,
            "label": LABELS[self.component],
            "value": str(self.value),
            "weight": str(self.weight),
            "contribution": str(self.contribution),
            "text": self.text,
            "template": self.template,
            "params": dict(self.params),
        }


@dataclass(frozen=True)
class Score:
    total: Decimal  # rounded half up to 0.01
    parts: list[Part]

    def as_json(self) -> list[dict[str, Any]]:
        return [p.as_json() for p in self.parts]


def _clamp(value: Decimal) -> Decimal:
    return min(max(value, ZERO), HUNDRED)


def skills_component(inputs: ScoreInputs) -> tuple[Decimal, str, dict[str, str]]:
    if inputs.scale_max <= inputs.scale_min:
        raise ValueError("the skill scale must have max > min")
    span = inputs.scale_max - inputs.scale_min
    total = ZERO
    details = []
    readings = list(inputs.skills)[:SKILL_COUNT]
    for reading in readings:
        if reading.score is None:
            details.append(T_SKILL_NONE % {"skill": reading.label})
            continue
        raw = (reading.score - inputs.scale_min) / span * HUNDRED
        scaled = _clamp(raw)
        template = T_SKILL if raw == scaled else T_SKILL_CLAMPED
        details.append(template % {"skill": reading.label, "score": str(reading.score), "scaled": two(scaled)})
        total += scaled
    value = total / SKILL_COUNT  # missing skills (also fewer than five readings) count 0
    return value, T_SKILLS, {"value": two(value), "details": "；".join(details)}


def courses_component(inputs: ScoreInputs) -> tuple[Decimal, str, dict[str, str]]:
    if inputs.courses_required <= 0:
        return ZERO, T_COURSES_NONE, {}
    done = min(max(inputs.courses_done, 0), inputs.courses_required)
    value = Decimal(done) / Decimal(inputs.courses_required) * HUNDRED
    return value, T_COURSES, {"done": str(done), "required": str(inputs.courses_required)}


def appraisal_component(inputs: ScoreInputs) -> tuple[Decimal, str, dict[str, str]]:
    if inputs.appraisal_grade is None:
        return ZERO, T_APPRAISAL_NONE, {}
    value = APPRAISAL_POINTS[inputs.appraisal_grade]
    label = inputs.appraisal_label or inputs.appraisal_grade
    return value, T_APPRAISAL, {"year": str(inputs.appraisal_year or ""), "grade": label}


def research_component(inputs: ScoreInputs) -> tuple[Decimal, str, dict[str, str]]:
    if inputs.research_score is None:
        return ZERO, T_RESEARCH_NONE, {}
    value = _clamp(inputs.research_score)
    return value, T_RESEARCH, {"title": inputs.research_title, "score": str(inputs.research_score)}


def composite(inputs: ScoreInputs, weights: Weights) -> Score:
    """The composite score and its explanation, as in the module docstring."""
    found = {
        "skills": skills_component(inputs),
        "courses": courses_component(inputs),
        "appraisal": appraisal_component(inputs),
        "research": research_component(inputs),
    }
    total_weight = weights.total
    parts = []
    weighted = ZERO
    for name in COMPONENTS:
        value, template, params = found[name]
        weight = weights.of(name)
        weighted += weight * value
        parts.append(Part(name, value, weight, weight * value / total_weight, template, params))
    total = (weighted / total_weight).quantize(CENT, rounding=ROUND_HALF_UP)
    return Score(total=total, parts=parts)
