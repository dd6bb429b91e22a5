"""The scheduling contract (delivery/scheduling.py, issue 5 "Schedule contract"): input checks that
name the field, the rules at their boundaries (both ends inclusive, blackouts next to a job, the
window), the objective by hand, optimality against a brute force written here, validity of every
returned schedule, check_schedule's detection of each kind of fault, infeasibility suggestions that
really fix the problem, crew assignment, and the Eastman–Even–Isaacs bound."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.delivery import scheduling
from gongzhi.delivery.scheduling import (
    FEASIBLE,
    INFEASIBLE,
    MAX_CREWS,
    MAX_DAYS,
    MAX_HORIZON_DAYS,
    MAX_JOBS,
    MAX_WEIGHT,
    OPTIMAL,
    UNKNOWN,
    Placement,
    Problem,
    Result,
    ScheduleInputError,
    assign_crews,
    check_schedule,
    greedy,
    lower_bound,
    objective_of,
    parse_problem,
    parse_text,
    solve,
    suggest,
)

D = date.fromisoformat
LIMIT = 5.0  # seconds per solve: the instances here are tiny and solve in a fraction of that


def job(id_: str, days: int, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": id_, "building": "B1", "entrance": f"B1-{id_}", "vendor": "v", "days": days}
    out.update(extra)
    return out


def payload(jobs: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"start": "2025-01-01", "deadline": "2025-01-10", "crews": {"v": 1}, "jobs": jobs}
    out.update(extra)
    return out


def problem(jobs: list[dict[str, Any]], **extra: Any) -> Problem:
    return parse_problem(payload(jobs, **extra))


def spans(result: Result) -> dict[str, tuple[str, str]]:
    return {p.id: (p.start.isoformat(), p.end.isoformat()) for p in result.jobs}


# --------------------------------------------------------------------------------------------
# An independent brute force: every combination of allowed starts, the rules written out again.


def blackout_days(p: Problem) -> set[int]:
    out: set[int] = set()
    for first, last in p.blackouts:
        day = first
        while day <= last:
            out.add((day - p.start).days)
            day += timedelta(days=1)
    return out


def allowed(p: Problem) -> list[list[int]]:
    """Per job, every start offset at which it lies in the window and includes no blackout day."""
    horizon = (p.deadline - p.start).days + 1
    blocked = blackout_days(p)
    return [
        [s for s in range(horizon - j.days + 1) if not any(t in blocked for t in range(s, s + j.days))] for j in p.jobs
    ]


def brute_force(p: Problem) -> int | None:
    """The least Σ weight × (end − start + 1) over all schedules, None when there is none. Walks
    itertools.product's tree depth first, cutting a branch as soon as a day is over a limit or its
    objective cannot beat the best found (both only skip combinations that cannot win)."""
    options = allowed(p)
    jobs = p.jobs
    use: dict[tuple[str, str, int], int] = defaultdict(int)
    caps: list[list[tuple[tuple[str, str], int | None]]] = [
        [
            (("v", j.vendor), p.crews[j.vendor]),
            (("e", j.entrance), p.max_down_per_entrance),
            (("b", j.building), p.max_active_per_building),
        ]
        for j in jobs
    ]
    least_rest = [0] * (len(jobs) + 1)
    for i in range(len(jobs) - 1, -1, -1):
        first = options[i][0] if options[i] else 0
        least_rest[i] = least_rest[i + 1] + jobs[i].weight * (first + jobs[i].days)
    best: list[int | None] = [None]

    def walk(i: int, cost: int) -> None:
        found = best[0]
        if found is not None and cost + least_rest[i] >= found:
            return
        if i == len(jobs):
            best[0] = cost
            return
        j = jobs[i]
        for s in options[i]:
            days = range(s, s + j.days)
            if any(cap is not None and use[(*key, t)] >= cap for key, cap in caps[i] for t in days):
                continue
            for key, _ in caps[i]:
                for t in days:
                    use[(*key, t)] += 1
            walk(i + 1, cost + j.weight * (s + j.days))
            for key, _ in caps[i]:
                for t in days:
                    use[(*key, t)] -= 1

    walk(0, 0)
    return best[0]


def random_instance(rng: random.Random, *, max_jobs: int = 6) -> Problem:
    """3–6 jobs of 1–5 days in a window of 6–16 days, one or two vendors of one or two crews (rarely
    none), one or two buildings of up to three entrances, the limits drawn, maybe a blackout that
    may reach over either end of the window."""
    horizon = rng.randint(6, 16)
    start = date(2025, 1, 6)
    vendors = [f"v{n}" for n in range(rng.randint(1, 2))]
    crews = {v: 0 if rng.random() < 0.03 else rng.choice([1, 1, 2]) for v in vendors}
    jobs = []
    for n in range(rng.randint(min(3, max_jobs), max_jobs)):
        building = f"B{rng.randint(1, 2)}"
        jobs.append(
            {
                "id": f"E{n}",
                "building": building,
                "entrance": f"{building}-U{rng.randint(1, 3)}",
                "vendor": rng.choice(vendors),
                "days": rng.randint(1, 5),
                "weight": rng.randint(0, 9),
            }
        )
    raw: dict[str, Any] = {
        "start": start.isoformat(),
        "deadline": (start + timedelta(days=horizon - 1)).isoformat(),
        "crews": crews,
        "jobs": jobs,
        "max_down_per_entrance": rng.choice([1, 1, 2]),
    }
    if rng.random() < 0.5:
        raw["max_active_per_building"] = rng.choice([1, 2])
    if rng.random() < 0.4:
        first = rng.randint(-2, horizon)
        last = first + rng.randint(0, 2)
        raw["blackouts"] = [
            {"from": (start + timedelta(days=first)).isoformat(), "to": (start + timedelta(days=last)).isoformat()}
        ]
    return parse_problem(raw)


def assert_valid(p: Problem, result: Result) -> None:
    """A returned schedule keeps every rule, its objective is its own, its bound is below it."""
    assert result.status in (OPTIMAL, FEASIBLE)
    assert [q.id for q in result.jobs] == [j.id for j in p.jobs]
    assert check_schedule(p, result.jobs) == []
    starts = {q.id: (q.start - p.start).days for q in result.jobs}
    assert result.objective == objective_of(p, starts)
    assert result.lower_bound is not None
    assert result.lower_bound <= result.objective
    greedy_starts = greedy(p)
    if greedy_starts is not None:
        assert result.objective <= objective_of(p, greedy_starts)
    crew_of = assign_crews(p, result.jobs)
    assert set(crew_of) == {j.id for j in p.jobs}
    for j in p.jobs:
        assert 1 <= crew_of[j.id] <= p.crews[j.vendor]
    busy: set[tuple[str, int, date]] = set()
    by_id = {j.id: j for j in p.jobs}
    for q in result.jobs:
        day = q.start
        while day <= q.end:
            slot = (by_id[q.id].vendor, crew_of[q.id], day)
            assert slot not in busy, f"crew {slot} does two jobs on one day"
            busy.add(slot)
            day += timedelta(days=1)


# --------------------------------------------------------------------------------------------
# Parsing


GOOD = payload([job("E1", 3, weight=2), job("E2", 2)], blackouts=[{"from": "2025-01-08", "to": "2025-01-08"}])


def changed(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    raw: dict[str, Any] = {
        **GOOD,
        "crews": dict(GOOD["crews"]),
        "jobs": [dict(j) for j in GOOD["jobs"]],
        "blackouts": [dict(b) for b in GOOD["blackouts"]],
    }
    edit(raw)
    return raw


def drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda raw: raw.pop(key) and None


def put(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda raw: raw.__setitem__(key, value)


def put_job(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda raw: raw["jobs"][1].__setitem__(key, value)


def drop_job(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda raw: raw["jobs"][1].pop(key) and None


def put_blackout(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda raw: raw["blackouts"][0].__setitem__(key, value)


def test_good_input_parses_with_its_values() -> None:
    p = parse_problem(GOOD)
    assert (p.start, p.deadline, p.horizon) == (D("2025-01-01"), D("2025-01-10"), 10)
    assert dict(p.crews) == {"v": 1}
    assert [(j.id, j.building, j.entrance, j.vendor, j.days, j.weight) for j in p.jobs] == [
        ("E1", "B1", "B1-E1", "v", 3, 2),
        ("E2", "B1", "B1-E2", "v", 2, 1),
    ]
    assert p.blackouts == ((D("2025-01-08"), D("2025-01-08")),)
    assert p.blocked() == [False] * 7 + [True] + [False] * 2


def test_defaults() -> None:
    p = parse_problem({"start": "2025-01-01", "deadline": "2025-01-02", "crews": {"v": 1}, "jobs": [job("E1", 1)]})
    assert p.jobs[0].weight == 1
    assert p.max_down_per_entrance == 1
    assert p.max_active_per_building is None
    assert p.blackouts == ()
    # No building limit: two jobs of one building run side by side when the crews allow.
    two = problem([job("E1", 10), job("E2", 10)], crews={"v": 2})
    assert spans(solve(two, LIMIT)) == {"E1": ("2025-01-01", "2025-01-10"), "E2": ("2025-01-01", "2025-01-10")}


BAD: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("missing start", drop("start"), "no 'start'"),
    ("missing deadline", drop("deadline"), "no 'deadline'"),
    ("missing crews", drop("crews"), "no 'crews'"),
    ("missing jobs", drop("jobs"), "no 'jobs'"),
    ("unknown top-level key", put("windows", []), "unknown key 'windows'"),
    ("unknown job key", put_job("priority", 3), "jobs[1] has an unknown key 'priority'"),
    ("unknown blackout key", put_blackout("name", "春节"), "blackouts[0] has an unknown key 'name'"),
    ("blackout without to", lambda raw: raw["blackouts"][0].pop("to") and None, "blackouts[0] has no 'to'"),
    ("month 13", put("start", "2025-13-01"), "start"),
    ("no leading zeros", put("start", "2025-1-6"), "start"),
    ("date as a number", put("deadline", 20250110), "deadline"),
    ("date with a time", put("deadline", "2025-01-10T00:00"), "deadline"),
    ("ISO week date", put("start", "2025-W01-3"), "start"),
    ("bad blackout date", put_blackout("from", "2025-02-30"), "blackouts[0].from"),
    ("deadline before start", put("deadline", "2024-12-31"), "deadline 2024-12-31 is before start 2025-01-01"),
    ("crews not an object", put("crews", [1]), "crews"),
    ("crews negative", put("crews", {"v": -1}), "crews['v']"),
    ("crews a float", put("crews", {"v": 1.5}), "crews['v']"),
    ("crews too many", put("crews", {"v": MAX_CREWS + 1}), "crews['v']"),
    ("jobs not a list", put("jobs", {}), "jobs must be a list"),
    ("job not an object", put("jobs", ["E1"]), "jobs[0] must be an object"),
    ("duplicate id", put_job("id", "E1"), "jobs[1].id 'E1' appears twice"),
    ("empty id", put_job("id", " "), "jobs[1].id"),
    ("id a number", put_job("id", 2), "jobs[1].id"),
    ("missing job days", drop_job("days"), "jobs[1] has no 'days'"),
    ("missing job vendor", drop_job("vendor"), "jobs[1] has no 'vendor'"),
    ("missing job entrance", drop_job("entrance"), "jobs[1] has no 'entrance'"),
    ("missing job building", drop_job("building"), "jobs[1] has no 'building'"),
    ("vendor not in crews", put_job("vendor", "w"), "jobs[1].vendor 'w' has no entry in crews"),
    ("days 0", put_job("days", 0), "jobs[1].days"),
    ("days negative", put_job("days", -3), "jobs[1].days"),
    ("days true", put_job("days", True), "jobs[1].days"),
    ("days a float", put_job("days", 2.0), "jobs[1].days"),
    ("days a string", put_job("days", "2"), "jobs[1].days"),
    ("days null", put_job("days", None), "jobs[1].days"),
    ("days too many", put_job("days", MAX_DAYS + 1), "jobs[1].days"),
    ("weight negative", put_job("weight", -1), "jobs[1].weight"),
    ("weight a float", put_job("weight", 1.5), "jobs[1].weight"),
    ("weight too large", put_job("weight", MAX_WEIGHT + 1), "jobs[1].weight"),
    ("blackouts not a list", put("blackouts", {"from": "2025-01-08", "to": "2025-01-08"}), "blackouts"),
    ("blackout not an object", put("blackouts", ["2025-01-08"]), "blackouts[0]"),
    ("blackout to before from", put_blackout("to", "2025-01-07"), "blackouts[0]: to 2025-01-07 is before from"),
    ("max_down 0", put("max_down_per_entrance", 0), "max_down_per_entrance"),
    ("max_down a string", put("max_down_per_entrance", "1"), "max_down_per_entrance"),
    ("max_active 0", put("max_active_per_building", 0), "max_active_per_building"),
    ("max_active false", put("max_active_per_building", False), "max_active_per_building"),
    ("window too long", put("deadline", (D("2025-01-01") + timedelta(days=MAX_HORIZON_DAYS)).isoformat()), "window"),
    ("too many jobs", put("jobs", [job(f"E{n}", 1) for n in range(MAX_JOBS + 1)]), "jobs: more than"),
]


@pytest.mark.parametrize(("edit", "names"), [pytest.param(e, n, id=i) for i, e, n in BAD])
def test_malformed_input_names_the_field(edit: Callable[[dict[str, Any]], None], names: str) -> None:
    raw = changed(edit)
    with pytest.raises(ScheduleInputError) as exc:
        parse_problem(raw)
    message = str(exc.value)
    assert names in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("{not json", "not JSON"),
        ("", "not JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('"2025-01-01"', "must be a JSON object"),
        ("null", "must be a JSON object"),
        ("[" * 100_000 + "]" * 100_000, "nests too deeply"),
        ('{"start": "2025-01-01", "start": "2025-01-02", "deadline": "2025-01-10", "crews": {}, "jobs": []}', "twice"),
    ],
)
def test_not_an_object(text: str, names: str) -> None:
    with pytest.raises(ScheduleInputError) as exc:
        parse_text(text)
    assert names in str(exc.value)


def test_limits_themselves_are_accepted() -> None:
    longest = (D("2025-01-01") + timedelta(days=MAX_HORIZON_DAYS - 1)).isoformat()
    p = problem(
        [job("E1", MAX_DAYS, weight=MAX_WEIGHT), job("E2", 1, weight=0)],
        deadline=longest,
        crews={"v": MAX_CREWS},
        max_down_per_entrance=MAX_CREWS,
        max_active_per_building=MAX_CREWS,
    )
    assert p.horizon == MAX_HORIZON_DAYS
    assert p.jobs[0].days == MAX_DAYS
    assert problem([], deadline="2025-01-01").horizon == 1  # start == deadline: a one-day window


def test_vendor_with_no_jobs_and_no_jobs_at_all() -> None:
    result = solve(problem([], crews={"v": 0, "w": 3}), LIMIT)
    assert result.as_json() == {
        "status": OPTIMAL,
        "jobs": [],
        "objective": 0,
        "lower_bound": 0,
        "gap": 0.0,
        "suggestion": None,
    }


# --------------------------------------------------------------------------------------------
# The rules at their boundaries


def test_a_job_may_fill_the_window_exactly() -> None:
    result = solve(problem([job("E1", 10, weight=3)]), LIMIT)
    assert result.status == OPTIMAL
    assert spans(result) == {"E1": ("2025-01-01", "2025-01-10")}
    assert (result.objective, result.lower_bound, result.gap) == (30, 30, 0.0)


def test_one_day_longer_than_the_window_is_infeasible() -> None:
    result = solve(problem([job("E1", 11)]), LIMIT)
    assert result.status == INFEASIBLE
    assert (result.jobs, result.objective, result.lower_bound) == ([], None, None)
    assert result.suggestion is not None
    assert result.suggestion.unplaceable == ["E1"]
    assert result.suggestion.extra_crews is None  # more crews cannot make a window longer
    assert result.suggestion.earliest_deadline == D("2025-01-11")
    assert result.suggestion.earliest_deadline_proven


def test_blackout_days_next_to_a_job_are_allowed() -> None:
    # Blackout 01-04..01-05. A (3 days) ends the day before it; B (5 days) starts the day after it.
    p = problem(
        [job("A", 3, vendor="a"), job("B", 5, vendor="b")],
        crews={"a": 1, "b": 1},
        blackouts=[{"from": "2025-01-04", "to": "2025-01-05"}],
    )
    result = solve(p, LIMIT)
    assert spans(result) == {"A": ("2025-01-01", "2025-01-03"), "B": ("2025-01-06", "2025-01-10")}
    assert result.objective == 3 + 10
    assert result.status == OPTIMAL


def test_a_blackout_day_inside_a_job_is_not() -> None:
    # Free runs of 3 days before and 5 after: a 6-day job fits nowhere, a 4-day one only after.
    blackouts = [{"from": "2025-01-04", "to": "2025-01-05"}]
    result = solve(problem([job("A", 4)], blackouts=blackouts), LIMIT)
    assert spans(result) == {"A": ("2025-01-06", "2025-01-09")}
    result = solve(problem([job("A", 6)], blackouts=blackouts), LIMIT)
    assert result.status == INFEASIBLE
    assert result.suggestion is not None
    assert result.suggestion.unplaceable == ["A"]
    # One single blackout day in the middle is enough to forbid a job across it.
    result = solve(problem([job("A", 10)], blackouts=[{"from": "2025-01-05", "to": "2025-01-05"}]), LIMIT)
    assert result.status == INFEASIBLE


def test_blackouts_partly_outside_the_window() -> None:
    # The first covers 2024-12-25..2025-01-02 (two days of the window), the second 01-09..01-20.
    p = problem(
        [job("A", 6)],
        blackouts=[{"from": "2024-12-25", "to": "2025-01-02"}, {"from": "2025-01-09", "to": "2025-01-20"}],
    )
    assert p.blocked() == [True, True] + [False] * 6 + [True, True]
    result = solve(p, LIMIT)
    assert spans(result) == {"A": ("2025-01-03", "2025-01-08")}
    assert result.objective == 8
    result = solve(problem([job("A", 7)], blackouts=p_blackouts(p)), LIMIT)
    assert result.status == INFEASIBLE
    # Blackouts wholly before or after the window change nothing.
    outside = [{"from": "2024-01-01", "to": "2024-12-31"}, {"from": "2025-01-11", "to": "2025-12-31"}]
    result = solve(problem([job("A", 10)], blackouts=outside), LIMIT)
    assert spans(result) == {"A": ("2025-01-01", "2025-01-10")}


def p_blackouts(p: Problem) -> list[dict[str, str]]:
    return [{"from": a.isoformat(), "to": b.isoformat()} for a, b in p.blackouts]


def test_objective_by_hand() -> None:
    # One crew of v for A (3 days, weight 2) and B (2 days, weight 5); C (1 day, weight 1) by w.
    # B first: B ends on day 2, A on day 5 → 5×2 + 2×5 = 20; A first would give 2×3 + 5×5 = 31.
    # C ends on day 1 → 1. Total 21.
    p = problem(
        [job("A", 3, weight=2), job("B", 2, weight=5), job("C", 1, vendor="w")],
        crews={"v": 1, "w": 1},
    )
    result = solve(p, LIMIT)
    assert spans(result) == {
        "A": ("2025-01-03", "2025-01-05"),
        "B": ("2025-01-01", "2025-01-02"),
        "C": ("2025-01-01", "2025-01-01"),
    }
    assert result.objective == 21
    assert objective_of(p, {"A": 2, "B": 0, "C": 0}) == 21
    assert objective_of(p, {"A": 0, "B": 3, "C": 0}) == 32
    assert (result.status, result.lower_bound) == (OPTIMAL, 21)
    assert brute_force(p) == 21


@pytest.mark.parametrize(("crews", "ends", "objective"), [(1, {"A": 3, "B": 6}, 9), (2, {"A": 3, "B": 3}, 6)])
def test_vendor_crews(crews: int, ends: dict[str, int], objective: int) -> None:
    p = problem([job("A", 3), job("B", 3)], crews={"v": crews})
    result = solve(p, LIMIT)
    assert {q.id: (q.end - p.start).days + 1 for q in result.jobs} == ends
    assert result.objective == objective
    assert result.status == OPTIMAL


@pytest.mark.parametrize(("limit", "objective"), [(1, 9), (2, 6)])
def test_entrance_limit(limit: int, objective: int) -> None:
    # Two elevators of one entrance, by two vendors (crews are not the bottleneck).
    jobs = [job("A", 3, vendor="a", entrance="U1"), job("B", 3, vendor="b", entrance="U1")]
    p = problem(jobs, crews={"a": 1, "b": 1}, max_down_per_entrance=limit)
    result = solve(p, LIMIT)
    assert result.objective == objective
    assert check_schedule(p, result.jobs) == []
    if limit == 1:
        first, second = sorted(result.jobs, key=lambda q: q.start)
        assert second.start > first.end


@pytest.mark.parametrize(("limit", "objective"), [(None, 6), (1, 9), (2, 6)])
def test_building_limit(limit: int | None, objective: int) -> None:
    jobs = [job("A", 3, vendor="a"), job("B", 3, vendor="b")]  # one building, two entrances
    extra = {} if limit is None else {"max_active_per_building": limit}
    p = problem(jobs, crews={"a": 1, "b": 1}, **extra)
    result = solve(p, LIMIT)
    assert result.objective == objective
    assert result.status == OPTIMAL


def test_the_issue_example() -> None:
    p = parse_problem(
        {
            "start": "2025-01-06",
            "deadline": "2025-06-30",
            "crews": {"vendor-id": 2},
            "jobs": [
                {"id": "E1", "building": "B1", "entrance": "B1-U1", "vendor": "vendor-id", "days": 45, "weight": 3}
            ],
            "blackouts": [{"from": "2025-01-25", "to": "2025-02-09"}],
            "max_down_per_entrance": 1,
            "max_active_per_building": 2,
        }
    )
    # 01-06..01-24 is only 19 days: the job starts after the Spring Festival, 02-10 + 44 = 03-26,
    # the 80th day counting 01-06 as the first.
    result = solve(p, LIMIT)
    assert spans(result) == {"E1": ("2025-02-10", "2025-03-26")}
    assert (result.status, result.objective, result.lower_bound) == (OPTIMAL, 240, 240)


# --------------------------------------------------------------------------------------------
# Optimality and validity on random small instances


SEEDS = range(60)  # about 0.1 s each, solve and brute force


@pytest.fixture(scope="module")
def solved() -> list[tuple[Problem, Result, int | None]]:
    out = []
    for seed in SEEDS:
        p = random_instance(random.Random(seed))
        out.append((p, solve(p, LIMIT), brute_force(p)))
    return out


def test_random_instances_cover_both_outcomes(solved: list[tuple[Problem, Result, int | None]]) -> None:
    # The comparisons below mean something: both outcomes occur, and greedy is not always optimal.
    feasible = [(p, best) for p, _, best in solved if best is not None]
    assert 20 <= len(feasible) < len(solved)
    beaten = 0
    for p, best in feasible:
        starts = greedy(p)
        beaten += starts is None or objective_of(p, starts) > (best or 0)
    assert beaten >= 2


def test_solve_finds_what_greedy_misses() -> None:
    # One crew, 01-01..01-07 with 01-05 off: free runs of 4 days and 2 days. Greedy puts A (weight
    # 10 / 2 days first) at 01-01 and B (4 days) has no room left; the optimum does B first.
    p = problem(
        [job("A", 2, weight=10), job("B", 4, weight=4)],
        deadline="2025-01-07",
        blackouts=[{"from": "2025-01-05", "to": "2025-01-05"}],
    )
    assert greedy(p) is None
    result = solve(p, LIMIT)
    assert spans(result) == {"A": ("2025-01-06", "2025-01-07"), "B": ("2025-01-01", "2025-01-04")}
    assert (result.status, result.objective, result.lower_bound) == (OPTIMAL, 10 * 7 + 4 * 4, 86)
    assert brute_force(p) == 86


def test_solve_matches_brute_force(solved: list[tuple[Problem, Result, int | None]]) -> None:
    for p, result, best in solved:
        if best is None:
            assert result.status == INFEASIBLE, p
            assert (result.jobs, result.objective, result.lower_bound) == ([], None, None)
        else:
            assert (result.status, result.objective, result.lower_bound) == (OPTIMAL, best, best), p
            assert result.gap == 0.0


def test_every_schedule_is_valid(solved: list[tuple[Problem, Result, int | None]]) -> None:
    for p, result, best in solved:
        if best is not None:
            assert_valid(p, result)


def test_lower_bound_never_above_the_optimum(solved: list[tuple[Problem, Result, int | None]]) -> None:
    bounds = []
    for p, _, best in solved:
        if best is not None:
            bound = lower_bound(p)
            assert 0 <= bound <= best, p
            bounds.append((bound, best))
    assert any(bound > 0 for bound, _ in bounds)  # not trivially zero


def test_suggestions_fix_the_random_infeasible_instances(solved: list[tuple[Problem, Result, int | None]]) -> None:
    for p, result, best in solved:
        if best is None:
            assert result.suggestion is not None
            assert_suggestion_works(p, result)


@st.composite
def instances(draw: st.DrawFn) -> Problem:
    return random_instance(random.Random(draw(st.integers(min_value=1000, max_value=10**9))), max_jobs=5)


@settings(max_examples=25, deadline=None)
@given(instances())
def test_property_every_schedule_is_valid_and_optimal(p: Problem) -> None:
    result = solve(p, LIMIT)
    best = brute_force(p)
    if best is None:
        assert result.status == INFEASIBLE
    else:
        assert_valid(p, result)
        assert result.objective == best
        assert lower_bound(p) <= best


def test_lower_bound_by_hand() -> None:
    # Four 2-day jobs of weight 1 on one crew: 2 + 4 + 6 + 8 = 20, which EEI gives exactly.
    p = problem([job(f"E{n}", 2) for n in range(4)], deadline="2025-01-08")
    assert lower_bound(p) == 20
    # Two crews: EEI = (2+4+6+8)/2 + (2−1)/4·8 = 10 + 2 = 12, the optimum (2+2+4+4).
    two = problem([job(f"E{n}", 2) for n in range(4)], deadline="2025-01-08", crews={"v": 2})
    assert lower_bound(two) == 12
    assert solve(two, LIMIT).objective == 12
    # A blackout on the first two days: no job ends before day 4, and the bound knows it.
    late = problem([job("E1", 2)], blackouts=[{"from": "2025-01-01", "to": "2025-01-02"}])
    assert lower_bound(late) == 4


# --------------------------------------------------------------------------------------------
# check_schedule


CHECKED = problem(
    [
        job("A", 3, vendor="a", building="B1", entrance="U1"),
        job("B", 3, vendor="a", building="B1", entrance="U2"),
        job("C", 2, vendor="c", building="B1", entrance="U1"),
    ],
    crews={"a": 1, "c": 1},
    max_active_per_building=2,
    blackouts=[{"from": "2025-01-09", "to": "2025-01-09"}],
)


def place(id_: str, start: str, days: int) -> Placement:
    return Placement(id_, D(start), D(start) + timedelta(days=days - 1))


GOOD_PLACEMENTS = [place("A", "2025-01-01", 3), place("B", "2025-01-04", 3), place("C", "2025-01-04", 2)]


def test_a_good_schedule_passes() -> None:
    assert check_schedule(CHECKED, GOOD_PLACEMENTS) == []


@pytest.mark.parametrize(
    ("placements", "fault"),
    [
        (
            [place("A", "2025-01-01", 3), place("B", "2025-01-03", 3), GOOD_PLACEMENTS[2]],
            "vendor a: 2 jobs on 2025-01-03",
        ),
        ([GOOD_PLACEMENTS[0], GOOD_PLACEMENTS[1], place("C", "2025-01-03", 2)], "entrance U1: 2 jobs on 2025-01-03"),
        ([GOOD_PLACEMENTS[0], place("B", "2025-01-07", 3), GOOD_PLACEMENTS[2]], "B: includes a blackout day"),
        ([GOOD_PLACEMENTS[0], place("B", "2025-01-09", 3), GOOD_PLACEMENTS[2]], "B: outside 2025-01-01..2025-01-10"),
        ([place("A", "2024-12-31", 3), GOOD_PLACEMENTS[1], GOOD_PLACEMENTS[2]], "A: outside"),
        ([GOOD_PLACEMENTS[0], place("B", "2025-01-04", 4), GOOD_PLACEMENTS[2]], "B: lasts 4 days, not 3"),
        ([GOOD_PLACEMENTS[0], GOOD_PLACEMENTS[2]], "B: not scheduled"),
    ],
)
def test_check_schedule_finds_each_fault(placements: list[Placement], fault: str) -> None:
    faults = check_schedule(CHECKED, placements)
    assert len(faults) == 1
    assert fault in faults[0]


def test_check_schedule_finds_the_building_limit() -> None:
    p = problem(
        [job("A", 2, vendor="a"), job("B", 2, vendor="b"), job("C", 2, vendor="c")],
        crews={"a": 1, "b": 1, "c": 1},
        max_active_per_building=2,
    )
    at_once = [place(i, "2025-01-01", 2) for i in "ABC"]
    assert check_schedule(p, at_once) == ["building B1: 3 jobs on 2025-01-01, limit 2"]
    staggered = [place("A", "2025-01-01", 2), place("B", "2025-01-01", 2), place("C", "2025-01-03", 2)]
    assert check_schedule(p, staggered) == []
    # Without the limit, three at once is fine.
    free = problem([job("A", 2, vendor="a"), job("B", 2, vendor="b"), job("C", 2, vendor="c")], crews=p.crews)
    assert check_schedule(free, at_once) == []


# --------------------------------------------------------------------------------------------
# Infeasible problems and what would fix them


def assert_suggestion_works(p: Problem, result: Result) -> None:
    """earliest_deadline is feasible and, when proven, a day earlier is not; extra_crews meet the
    given deadline; unplaceable lists exactly the jobs with no blackout-free window."""
    s = result.suggestion
    assert s is not None
    assert result.status == INFEASIBLE
    options = allowed(p)
    assert s.unplaceable == [j.id for j, o in zip(p.jobs, options, strict=True) if not o]
    if any(p.crews[j.vendor] == 0 for j in p.jobs):
        assert s.earliest_deadline is None  # no deadline helps a vendor with no crew
    else:
        assert s.earliest_deadline is not None
        assert s.earliest_deadline > p.deadline
        later = p.with_deadline(s.earliest_deadline)
        assert brute_force(later) is not None
        if s.earliest_deadline_proven:
            assert brute_force(p.with_deadline(s.earliest_deadline - timedelta(days=1))) is None
    if s.extra_crews is not None:
        assert s.extra_crews
        assert all(n > 0 for n in s.extra_crews.values())
        more = {v: n + s.extra_crews.get(v, 0) for v, n in p.crews.items()}
        assert brute_force(replace(p, crews=more)) is not None
        if s.extra_crews_proven:
            for vendor in s.extra_crews:  # one crew fewer of any vendor does not do
                assert brute_force(replace(p, crews={**more, vendor: more[vendor] - 1})) is None
    elif not s.unplaceable and all(p.crews[j.vendor] > 0 for j in p.jobs):
        # Crews alone cannot help: even a crew per job fails.
        assert brute_force(replace(p, crews={v: max(1, len(p.jobs)) for v in p.crews})) is None


def test_crews_are_the_bottleneck() -> None:
    # Three 6-day jobs by one crew in 10 days: 18 days of work. Two more crews, or a deadline of 01-18.
    p = problem([job(f"E{n}", 6) for n in range(3)])
    result = solve(p, LIMIT)
    assert result.as_json()["status"] == INFEASIBLE
    assert result.as_json()["jobs"] == []
    assert result.as_json()["objective"] is None
    suggestion = result.as_json()["suggestion"]
    assert suggestion == {
        "earliest_deadline": "2025-01-18",
        "earliest_deadline_proven": True,
        "extra_crews": {"v": 2},
        "extra_crews_proven": True,
        "unplaceable": [],
    }
    assert_suggestion_works(p, result)
    assert solve(p.with_deadline(D("2025-01-18")), LIMIT).status == OPTIMAL
    assert solve(p.with_deadline(D("2025-01-17")), LIMIT).status == INFEASIBLE


def test_only_the_short_vendor_gets_more_crews() -> None:
    jobs = [job("A1", 6, vendor="a"), job("A2", 6, vendor="a"), job("B1", 6, vendor="b", entrance="U9")]
    p = problem(jobs, crews={"a": 1, "b": 1})
    result = solve(p, LIMIT)
    assert result.suggestion is not None
    assert result.suggestion.extra_crews == {"a": 1}
    assert_suggestion_works(p, result)


def test_blackout_pushes_the_earliest_deadline_past_it() -> None:
    # Two 4-day jobs, one crew, window 01-01..01-06 and a blackout 01-07..01-09: the second job
    # cannot end before 01-13 (01-10..01-13).
    p = problem(
        [job("A", 4), job("B", 4)], deadline="2025-01-06", blackouts=[{"from": "2025-01-07", "to": "2025-01-09"}]
    )
    result = solve(p, LIMIT)
    assert result.suggestion is not None
    assert result.suggestion.earliest_deadline == D("2025-01-13")
    assert result.suggestion.extra_crews == {"v": 1}
    assert_suggestion_works(p, result)


def test_entrance_limit_is_the_bottleneck_and_crews_cannot_help() -> None:
    p = problem(
        [job("A", 6, vendor="a", entrance="U1"), job("B", 6, vendor="b", entrance="U1")], crews={"a": 5, "b": 5}
    )
    result = solve(p, LIMIT)
    assert result.suggestion is not None
    assert result.suggestion.extra_crews is None
    assert result.suggestion.unplaceable == []
    assert result.suggestion.earliest_deadline == D("2025-01-12")
    assert_suggestion_works(p, result)


def test_a_job_longer_than_every_free_window() -> None:
    # Free runs of 4 days (01-01..01-04) and 5 days (01-06..01-10): a 6-day job fits in neither.
    blackouts = [{"from": "2025-01-05", "to": "2025-01-05"}]
    p = problem([job("A", 6), job("B", 2)], crews={"v": 3}, blackouts=blackouts)
    result = solve(p, LIMIT)
    assert result.suggestion is not None
    assert result.suggestion.unplaceable == ["A"]
    assert result.suggestion.extra_crews is None
    assert result.suggestion.earliest_deadline == D("2025-01-11")  # 01-06..01-11 after the blackout day
    assert_suggestion_works(p, result)


def test_a_vendor_with_no_crew() -> None:
    p = problem([job("A", 2, vendor="a"), job("B", 2, vendor="b")], crews={"a": 0, "b": 1})
    result = solve(p, LIMIT)
    assert result.status == INFEASIBLE
    assert result.suggestion is not None
    assert result.suggestion.as_json() == {
        "earliest_deadline": None,
        "earliest_deadline_proven": False,
        "extra_crews": {"a": 1},
        "extra_crews_proven": True,
        "unplaceable": [],
    }
    assert_suggestion_works(p, result)


def test_a_blackout_far_in_the_future_costs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # A blackout in 9999 is irrelevant to the window and to any deadline that would fix it: the
    # search for the earliest deadline must not walk (and allocate per entrance and building) the
    # three million days up to it (per entrance and building: gigabytes).
    horizons: list[int] = []

    def spy(p: Problem, horizon: int | None = None, priority: Any = None) -> dict[str, int] | None:
        horizons.append(p.horizon if horizon is None else horizon)
        return greedy(p, horizon, priority)

    monkeypatch.setattr(scheduling, "greedy", spy)
    jobs = [job(f"E{n}", 6, entrance=f"U{n}", building=f"B{n}") for n in range(12)]
    far = [{"from": "2025-03-02", "to": "2025-03-03"}, {"from": "9999-12-01", "to": "9999-12-31"}]
    p = problem(jobs, blackouts=far)
    s = suggest(p, LIMIT)
    # 12 jobs of 6 days one after the other from 01-01: 72 days, and the blackout of 03-02/03-03
    # pushes the jobs from the 11th on by two days (ten jobs 01-01..03-01, then 03-04..).
    assert s.earliest_deadline == D("2025-01-01") + timedelta(days=12 * 6 + 2 - 1)
    assert s.extra_crews == {"v": 11}
    assert horizons
    assert max(horizons) <= MAX_HORIZON_DAYS


def test_no_suggested_deadline_past_the_year_9999() -> None:
    p = problem([job("A", 40)], start="9999-12-01", deadline="9999-12-31")
    result = solve(p, LIMIT)  # must not overflow the date type
    assert result.status == INFEASIBLE
    assert result.suggestion is not None
    assert result.suggestion.as_json() == {
        "earliest_deadline": None,
        "earliest_deadline_proven": False,
        "extra_crews": None,
        "extra_crews_proven": False,
        "unplaceable": ["A"],
    }


# --------------------------------------------------------------------------------------------
# assign_crews


def test_assign_crews_by_hand() -> None:
    p = problem([job("A", 3), job("B", 3), job("C", 2), job("D", 4)], crews={"v": 2}, deadline="2025-01-20")
    placements = [
        place("A", "2025-01-01", 3),
        place("B", "2025-01-02", 3),
        place("C", "2025-01-04", 2),  # A's crew is free from 01-04
        place("D", "2025-01-05", 4),  # B's crew is free from 01-05
    ]
    assert check_schedule(p, placements) == []
    assert assign_crews(p, placements) == {"A": 1, "B": 2, "C": 1, "D": 2}


def test_assign_crews_on_solved_schedules(solved: list[tuple[Problem, Result, int | None]]) -> None:
    checked = 0
    for p, result, best in solved:
        if best is not None:
            crew_of = assign_crews(p, result.jobs)
            for vendor, crews in p.crews.items():
                used = {crew_of[j.id] for j in p.jobs if j.vendor == vendor}
                assert used <= set(range(1, crews + 1))
            checked += 1
    assert checked >= 20


# --------------------------------------------------------------------------------------------
# A time limit too short to finish


def campaign(jobs: int, seed: int, crews: int) -> Problem:
    """A Liangzhu-like campaign: buildings of one or two entrances of one or two elevators, one
    vendor per entrance, 20–40 days a job, the Spring Festival and the gaokao off."""
    rng = random.Random(seed)
    raw: list[dict[str, Any]] = []
    building = 0
    while len(raw) < jobs:
        building += 1
        for entrance in range(1, rng.choice([1, 2, 2]) + 1):
            vendor = rng.choice(["a", "b", "c"])
            for _ in range(rng.choice([1, 2])):
                raw.append(
                    {
                        "id": f"E{len(raw):03d}",
                        "building": f"B{building}",
                        "entrance": f"B{building}-U{entrance}",
                        "vendor": vendor,
                        "days": rng.randint(20, 40),
                        "weight": rng.randint(1, 10),
                    }
                )
    return parse_problem(
        {
            "start": "2025-01-06",
            "deadline": "2025-06-30",
            "crews": {"a": crews, "b": crews, "c": crews},
            "jobs": raw[:jobs],
            "blackouts": [{"from": "2025-01-25", "to": "2025-02-09"}, {"from": "2025-06-07", "to": "2025-06-09"}],
            "max_active_per_building": 2,
        }
    )


@pytest.mark.parametrize(("seed", "crews"), [(1, 6), (3, 6), (2, 7)])
def test_a_short_time_limit_gives_a_valid_schedule_or_unknown(seed: int, crews: int) -> None:
    # Crews so few that greedy finds no schedule: in 0.05 s the solver may or may not find one.
    p = campaign(60, seed, crews)
    assert greedy(p) is None
    result = solve(p, 0.05)
    if result.status == UNKNOWN:  # never a guess
        assert result.as_json() == {
            "status": UNKNOWN,
            "jobs": [],
            "objective": None,
            "lower_bound": None,
            "gap": None,
            "suggestion": None,
        }
    elif result.status == INFEASIBLE:
        assert result.suggestion is not None
        assert result.suggestion.earliest_deadline is None or result.suggestion.earliest_deadline > p.deadline
    else:
        assert_valid(p, result)
        assert result.gap is not None
        assert 0 <= result.gap < 1


def test_check_schedule_refuses_unknown_and_repeated_jobs() -> None:
    problem = scheduling.parse_problem(
        {
            "start": "2025-01-01",
            "deadline": "2025-01-31",
            "crews": {"v": 2},
            "jobs": [{"id": "A", "building": "B", "entrance": "U", "vendor": "v", "days": 3}],
        }
    )
    a = scheduling.Placement("A", date(2025, 1, 1), date(2025, 1, 3))
    assert scheduling.check_schedule(problem, [a]) == []
    ghost = scheduling.Placement("Z", date(2025, 1, 1), date(2025, 1, 3))
    assert scheduling.check_schedule(problem, [a, ghost]) == ["Z: not a job of this problem"]
    assert scheduling.check_schedule(problem, [a, a]) == ["A: scheduled twice"]
