"""When a course is complete (issue 7, item 2), and which required courses a cadre still lacks.

A course is completed in a cycle by its rule:
- ATTENDANCE: present at no fewer than `min_sessions` of the course's sessions in that cycle;
- SCORE: an assessment score of at least `pass_score` (the boundary passes);
- INSTRUCTOR: marked complete by one of the course's instructors (or an administrator).

A cycle cannot close a cadre's record as graduated while any required course of the pool is
incomplete (courses.graduation_record enforces it with missing_required)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count

from gongzhi.talent.models import Attendance, CompletionRule, Course, CourseResult, Cycle


@dataclass(frozen=True)
class Rule:
    rule: str
    min_sessions: int | None
    pass_score: Decimal | None


def is_complete(rule: Rule, *, attended: int, score: Decimal | None, marked: bool) -> bool:
    """Pure: one course, one cadre."""
    if rule.rule == CompletionRule.ATTENDANCE:
        return rule.min_sessions is not None and attended >= rule.min_sessions
    if rule.rule == CompletionRule.SCORE:
        return rule.pass_score is not None and score is not None and score >= rule.pass_score
    if rule.rule == CompletionRule.INSTRUCTOR:
        return marked
    raise ValueError(rule.rule)


def completed_courses(cycle: Cycle, cadre_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each cadre id, the ids of the pool's courses they completed in `cycle` (three queries)."""
    ids = list(cadre_ids)
    out: dict[int, set[int]] = {i: set() for i in ids}
    if not ids:
        return out
    courses = {c.pk: c for c in Course.objects.filter(pool_id=cycle.pool_id)}
    attended: dict[tuple[int, int], int] = defaultdict(int)
    for row in (
        Attendance.objects.filter(session__cycle=cycle, cadre_id__in=ids, present=True)
        .values("cadre_id", "session__course_id")
        .annotate(n=Count("id"))
    ):
        attended[(row["cadre_id"], row["session__course_id"])] = row["n"]
    results = {
        (r.cadre_id, r.course_id): r
        for r in CourseResult.objects.filter(cycle=cycle, cadre_id__in=ids, course_id__in=list(courses))
    }
    for cadre_id in ids:
        for course_id, course in courses.items():
            result = results.get((cadre_id, course_id))
            if is_complete(
                Rule(course.rule, course.min_sessions, course.pass_score),
                attended=attended[(cadre_id, course_id)],
                score=result.score if result else None,
                marked=bool(result and result.marked_complete_at),
            ):
                out[cadre_id].add(course_id)
    return out


def required_courses(cycle: Cycle) -> list[Course]:
    return list(Course.objects.filter(pool_id=cycle.pool_id, required=True).order_by("position", "id"))


def missing_required(cycle: Cycle, cadre_ids: Iterable[int]) -> dict[int, list[Course]]:
    """For each cadre id, the required courses not yet complete in `cycle`, in course order."""
    ids = list(cadre_ids)
    done = completed_courses(cycle, ids)
    required = required_courses(cycle)
    return {i: [c for c in required if c.pk not in done[i]] for i in ids}
