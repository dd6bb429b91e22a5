"""Construction schedules for elevator renewal: which elevator is replaced when, by which vendor's
crew, so that every job ends by the deadline and the weighted completion is as small as it can be.

The contract (issue 5, docs/renewal-delivery.md) — `gongzhi schedule [--time-limit S] FILE.json`:

Input  {"start": "2025-01-06", "deadline": "2025-06-30", "crews": {"vendor-id": 2},
        "jobs": [{"id": "E1", "building": "B1", "entrance": "B1-U1", "vendor": "vendor-id",
                  "days": 45, "weight": 3}],
        "blackouts": [{"from": "2025-01-25", "to": "2025-02-09"}],
        "max_down_per_entrance": 1, "max_active_per_building": 2}
Output {"status": "optimal" | "feasible" | "infeasible", "jobs": [{"id", "start", "end"}],
        "objective": n, "lower_bound": n, "gap": x, "suggestion": … | null}

Rules, exactly as the contract states them:

* A job occupies `days` consecutive calendar days from its start to its end, both inclusive, uses one
  crew of its vendor throughout and may not include a blackout day (Spring Festival, exams: days on
  which no elevator may be out of service for works).
* On any day a vendor runs at most its crews, an entrance has at most `max_down_per_entrance` jobs
  (default 1: an entrance never loses all its elevators when it has two, and an entrance with one
  elevator has it back before the next job), and a building at most `max_active_per_building` jobs
  (no limit when absent) — the noise and dust limit.
* Every job lies within [start, deadline].
* Objective: the sum over jobs of weight × (days from `start` to the job's end, counting both ends).
  Weights come from the campaign's priority score, so the oldest and most failure-prone elevators
  are replaced first.

`lower_bound` is a proven bound on the best objective: the larger of CP-SAT's own bound and the
Eastman–Even–Isaacs bound for parallel identical machines (each vendor's crews, each building's
limit, each entrance's limit is such a relaxation), and never above `objective`. `status` is
`optimal` when the two meet. When no schedule exists the suggestion says what would fix it: the
earliest deadline that can be met with the given crews, and the fewest extra crews per vendor that
meet the given deadline (null when crews alone cannot, e.g. a job longer than any window free of
blackouts). When the time limit ends before any schedule is found and none is proven impossible,
status is `unknown` (never a guess).

Bad input raises ScheduleInputError (a ValueError) naming the field; the command exits 2.
The solver is Google OR-Tools' CP-SAT (DESIGN.md stack table).
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NoReturn

OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"
UNKNOWN = "unknown"

DEFAULT_TIME_LIMIT = 10.0
MAX_JOBS = 20_000
MAX_HORIZON_DAYS = 3_660
MAX_DAYS = 3_660
MAX_WEIGHT = 1_000_000
MAX_CREWS = 10_000


class ScheduleInputError(ValueError):
    """Malformed schedule input; the message names the field and fits on one line."""


@dataclass(frozen=True)
class ScheduleJob:
    """One renewal as the scheduler sees it (排期作业): a "job" of the contract's input."""

    id: str
    building: str
    entrance: str
    vendor: str
    days: int
    weight: int


@dataclass(frozen=True)
class Problem:
    start: date
    deadline: date
    crews: Mapping[str, int]
    jobs: tuple[ScheduleJob, ...]
    blackouts: tuple[tuple[date, date], ...] = ()
    max_down_per_entrance: int = 1
    max_active_per_building: int | None = None

    @property
    def horizon(self) -> int:
        """Days in [start, deadline], both inclusive."""
        return (self.deadline - self.start).days + 1

    def blocked(self, horizon: int | None = None) -> list[bool]:
        """For each day offset from `start`, whether it is a blackout day."""
        days = self.horizon if horizon is None else horizon
        out = [False] * days
        for first, last in self.blackouts:
            lo = max(0, (first - self.start).days)
            hi = min(days - 1, (last - self.start).days)
            for t in range(lo, hi + 1):
                out[t] = True
        return out

    def with_deadline(self, deadline: date) -> Problem:
        return Problem(
            self.start,
            deadline,
            self.crews,
            self.jobs,
            self.blackouts,
            self.max_down_per_entrance,
            self.max_active_per_building,
        )


@dataclass(frozen=True)
class Placement:
    id: str
    start: date
    end: date

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass
class ScheduleRemedy:
    """What would make an impossible schedule possible (in JSON: the result's "suggestion"; not the
    suggestions app's Suggestion, 社情民意)."""

    earliest_deadline: date | None = None
    earliest_deadline_proven: bool = False
    extra_crews: dict[str, int] | None = None
    extra_crews_proven: bool = False
    unplaceable: list[str] = field(default_factory=list)  # jobs longer than any blackout-free window

    def as_json(self) -> dict[str, Any]:
        return {
            "earliest_deadline": self.earliest_deadline.isoformat() if self.earliest_deadline else None,
            "earliest_deadline_proven": self.earliest_deadline_proven,
            "extra_crews": self.extra_crews,
            "extra_crews_proven": self.extra_crews_proven,
            "unplaceable": self.unplaceable,
        }


@dataclass
class Result:
    status: str
    jobs: list[Placement]
    objective: int | None
    lower_bound: int | None
    suggestion: ScheduleRemedy | None = None
    seconds: float = 0.0
    greedy_objective: int | None = None

    @property
    def gap(self) -> float | None:
        """(objective − lower_bound) / objective: 0 when proven optimal."""
        if self.objective is None or self.lower_bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return (self.objective - self.lower_bound) / self.objective

    def as_json(self) -> dict[str, Any]:
        gap = self.gap
        return {
            "status": self.status,
            "jobs": [p.as_json() for p in self.jobs],
            "objective": self.objective,
            "lower_bound": self.lower_bound,
            "gap": None if gap is None else round(gap, 6),
            "suggestion": self.suggestion.as_json() if self.suggestion else None,
        }


# --------------------------------------------------------------------------------------------
# Input


def _fail(message: str) -> NoReturn:
    raise ScheduleInputError(message)


def _keys(obj: Mapping[str, Any], what: str, required: Iterable[str], optional: Iterable[str] = ()) -> None:
    allowed = set(required) | set(optional)
    for key in required:
        if key not in obj:
            _fail(f"{what} has no {key!r}")
    extra = sorted(k for k in obj if k not in allowed)
    if extra:
        _fail(f"{what} has an unknown key {extra[0]!r}")


def _date(value: Any, what: str) -> date:
    if not isinstance(value, str):
        _fail(f"{what} must be a date written YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        _fail(f"{what} is not a date written YYYY-MM-DD: {value!r}")
    if parsed.isoformat() != value:  # fromisoformat also takes 20250106, 2025-W02-1 and the like
        _fail(f"{what} is not a date written YYYY-MM-DD: {value!r}")
    return parsed


def _int(value: Any, what: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(f"{what} must be a whole number")
    if not lo <= value <= hi:
        _fail(f"{what} must be between {lo} and {hi}, not {value}")
    return int(value)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(f"{what} must be a non-empty string")
    if len(value) > 200:
        _fail(f"{what} is longer than 200 characters")
    return value


def parse_problem(payload: Any) -> Problem:
    """Check the contract's input and return a Problem; ScheduleInputError names the first fault."""
    if not isinstance(payload, dict):
        _fail("the input must be a JSON object")
    _keys(
        payload,
        "the input",
        ("start", "deadline", "crews", "jobs"),
        ("blackouts", "max_down_per_entrance", "max_active_per_building"),
    )
    start = _date(payload["start"], "start")
    deadline = _date(payload["deadline"], "deadline")
    if deadline < start:
        _fail(f"deadline {deadline.isoformat()} is before start {start.isoformat()}")
    if (deadline - start).days + 1 > MAX_HORIZON_DAYS:
        _fail(f"the window from start to deadline is longer than {MAX_HORIZON_DAYS} days")
    crews_in = payload["crews"]
    if not isinstance(crews_in, dict):
        _fail("crews must be an object of vendor id → number of crews")
    crews = {_text(k, "crews key"): _int(v, f"crews[{k!r}]", 0, MAX_CREWS) for k, v in crews_in.items()}
    jobs_in = payload["jobs"]
    if not isinstance(jobs_in, list):
        _fail("jobs must be a list")
    if len(jobs_in) > MAX_JOBS:
        _fail(f"jobs: more than {MAX_JOBS} jobs")
    jobs: list[ScheduleJob] = []
    seen: set[str] = set()
    for i, raw in enumerate(jobs_in):
        what = f"jobs[{i}]"
        if not isinstance(raw, dict):
            _fail(f"{what} must be an object")
        _keys(raw, what, ("id", "building", "entrance", "vendor", "days"), ("weight",))
        job_id = _text(raw["id"], f"{what}.id")
        if job_id in seen:
            _fail(f"{what}.id {job_id!r} appears twice")
        seen.add(job_id)
        vendor = _text(raw["vendor"], f"{what}.vendor")
        if vendor not in crews:
            _fail(f"{what}.vendor {vendor!r} has no entry in crews")
        jobs.append(
            ScheduleJob(
                id=job_id,
                building=_text(raw["building"], f"{what}.building"),
                entrance=_text(raw["entrance"], f"{what}.entrance"),
                vendor=vendor,
                days=_int(raw["days"], f"{what}.days", 1, MAX_DAYS),
                weight=_int(raw.get("weight", 1), f"{what}.weight", 0, MAX_WEIGHT),
            )
        )
    blackouts_in = payload.get("blackouts", [])
    if not isinstance(blackouts_in, list):
        _fail("blackouts must be a list")
    blackouts: list[tuple[date, date]] = []
    for i, raw in enumerate(blackouts_in):
        what = f"blackouts[{i}]"
        if not isinstance(raw, dict):
            _fail(f"{what} must be an object with from and to")
        _keys(raw, what, ("from", "to"))
        first, last = _date(raw["from"], f"{what}.from"), _date(raw["to"], f"{what}.to")
        if last < first:
            _fail(f"{what}: to {last.isoformat()} is before from {first.isoformat()}")
        blackouts.append((first, last))
    max_down = _int(payload.get("max_down_per_entrance", 1), "max_down_per_entrance", 1, MAX_CREWS)
    max_active_raw = payload.get("max_active_per_building")
    max_active = None if max_active_raw is None else _int(max_active_raw, "max_active_per_building", 1, MAX_CREWS)
    return Problem(start, deadline, crews, tuple(jobs), tuple(blackouts), max_down, max_active)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            _fail(f"not accepted: the key {key!r} appears twice in one object")
        out[key] = value
    return out


def parse_text(text: str) -> Problem:
    try:
        payload = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ScheduleInputError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise ScheduleInputError("not accepted: the JSON nests too deeply") from exc
    return parse_problem(payload)


# --------------------------------------------------------------------------------------------
# Shared helpers


def allowed_starts(days: int, blocked: Sequence[bool]) -> list[tuple[int, int]]:
    """Maximal intervals [lo, hi] of start offsets at which a job of `days` days fits without a
    blackout day and within the horizon."""
    horizon = len(blocked)
    out: list[tuple[int, int]] = []
    run_start = None
    free_run = 0
    # A start s is allowed when days s..s+days-1 are all free: walk the free runs.
    for t in range(horizon + 1):
        if t < horizon and not blocked[t]:
            if run_start is None:
                run_start = t
            free_run += 1
            continue
        if run_start is not None and free_run >= days:
            out.append((run_start, run_start + free_run - days))
        run_start = None
        free_run = 0
    return out


def _capacity_groups(problem: Problem) -> list[tuple[list[int], int]]:
    """(job indexes, capacity) per vendor, entrance and building, only where the limit can bind."""
    groups: list[tuple[list[int], int]] = []
    by_vendor: dict[str, list[int]] = defaultdict(list)
    by_entrance: dict[str, list[int]] = defaultdict(list)
    by_building: dict[str, list[int]] = defaultdict(list)
    for i, job in enumerate(problem.jobs):
        by_vendor[job.vendor].append(i)
        by_entrance[job.entrance].append(i)
        by_building[job.building].append(i)
    for vendor, members in by_vendor.items():
        groups.append((members, problem.crews[vendor]))
    for members in by_entrance.values():
        if len(members) > problem.max_down_per_entrance:
            groups.append((members, problem.max_down_per_entrance))
    if problem.max_active_per_building is not None:
        for members in by_building.values():
            if len(members) > problem.max_active_per_building:
                groups.append((members, problem.max_active_per_building))
    return groups


def objective_of(problem: Problem, starts: Mapping[str, int]) -> int:
    return sum(job.weight * (starts[job.id] + job.days) for job in problem.jobs)


def check_schedule(problem: Problem, placements: Iterable[Placement]) -> list[str]:
    """Every rule a schedule breaks, in words (empty when it keeps them all). Used by the tests and
    before a schedule edited by hand is accepted."""
    faults: list[str] = []
    by_id: dict[str, Placement] = {}
    known = {job.id for job in problem.jobs}
    for p in placements:
        if p.id not in known:
            faults.append(f"{p.id}: not a job of this problem")
        elif p.id in by_id:
            faults.append(f"{p.id}: scheduled twice")
        by_id[p.id] = p
    placement: Placement | None
    blocked = problem.blocked()
    horizon = problem.horizon
    usage: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * horizon)
    for job in problem.jobs:
        placement = by_id.get(job.id)
        if placement is None:
            faults.append(f"{job.id}: not scheduled")
            continue
        s, e = (placement.start - problem.start).days, (placement.end - problem.start).days
        if e - s + 1 != job.days:
            faults.append(f"{job.id}: lasts {e - s + 1} days, not {job.days}")
        if s < 0 or e >= horizon:
            faults.append(f"{job.id}: outside {problem.start.isoformat()}..{problem.deadline.isoformat()}")
            continue
        if any(blocked[t] for t in range(s, e + 1)):
            faults.append(f"{job.id}: includes a blackout day")
        for t in range(s, e + 1):
            usage[("vendor", job.vendor)][t] += 1
            usage[("entrance", job.entrance)][t] += 1
            usage[("building", job.building)][t] += 1
    for (kind, key), days in usage.items():
        if kind == "vendor":
            cap: int | None = problem.crews[key]
        elif kind == "entrance":
            cap = problem.max_down_per_entrance
        else:
            cap = problem.max_active_per_building
        if cap is None:
            continue
        for t, used in enumerate(days):
            if used > cap:
                day = problem.start + timedelta(days=t)
                faults.append(f"{kind} {key}: {used} jobs on {day.isoformat()}, limit {cap}")
                break
    return faults


# --------------------------------------------------------------------------------------------
# Greedy list schedule (the benchmark's yardstick and the solver's first hint)


def greedy(
    problem: Problem, horizon: int | None = None, priority: Mapping[str, float] | None = None
) -> dict[str, int] | None:
    """Jobs in order of weight / days (highest first, then id), each at its earliest start that
    keeps every limit. Returns start offsets, or None when some job finds no room by the deadline
    (`horizon` days from start). `priority` (lowest first) replaces the order, e.g. the LP's mean
    start days."""
    if priority is None:
        order = sorted(problem.jobs, key=lambda j: (-j.weight / j.days, j.id))
    else:
        order = sorted(problem.jobs, key=lambda j: (priority[j.id], -j.weight / j.days, j.id))
    starts, _ = _list_schedule(problem, order, problem.horizon if horizon is None else horizon)
    return starts


def _list_schedule(
    problem: Problem, order: Sequence[ScheduleJob], days_total: int
) -> tuple[dict[str, int] | None, int]:
    """Place jobs in `order`, each at its earliest start that keeps every limit. Returns the starts,
    or None and the position in `order` of the first job that found no room."""
    blocked = problem.blocked(days_total)
    vendor_use: dict[str, list[int]] = defaultdict(lambda: [0] * days_total)
    entrance_use: dict[str, list[int]] = defaultdict(lambda: [0] * days_total)
    building_use: dict[str, list[int]] = defaultdict(lambda: [0] * days_total)
    starts: dict[str, int] = {}
    cap_b = problem.max_active_per_building
    e_cap = problem.max_down_per_entrance
    for position, job in enumerate(order):
        v_use = vendor_use[job.vendor]
        e_use = entrance_use[job.entrance]
        b_use = building_use[job.building]
        v_cap = problem.crews[job.vendor]
        found = None
        free_run = 0
        for t in range(days_total):
            full = blocked[t] or v_use[t] >= v_cap or e_use[t] >= e_cap or (cap_b is not None and b_use[t] >= cap_b)
            free_run = 0 if full else free_run + 1
            if free_run == job.days:
                found = t - job.days + 1
                break
        if found is None:
            return None, position
        for t in range(found, found + job.days):
            v_use[t] += 1
            e_use[t] += 1
            b_use[t] += 1
        starts[job.id] = found
    return starts, len(order)


def repaired_greedy(
    problem: Problem, priority: Mapping[str, float], time_limit: float, rounds: int = 1000, reach: int = 3
) -> dict[str, int] | None:
    """The list schedule in `priority` order, made to meet the deadline by moving each job that finds
    no room to just before the jobs it could not get past (squeaky wheel), for a few rounds."""
    began = time.monotonic()
    order = sorted(problem.jobs, key=lambda j: (priority[j.id], -j.weight / j.days, j.id))
    for _ in range(rounds):
        starts, failed = _list_schedule(problem, order, problem.horizon)
        if starts is not None:
            return starts
        if time.monotonic() - began > time_limit:
            return None
        job = order.pop(failed)
        # Move it ahead of the jobs of its vendor, entrance and building placed in the last stretch.
        back = failed
        seen = 0
        while back > 0 and seen < reach:
            back -= 1
            other = order[back]
            if other.vendor == job.vendor or other.entrance == job.entrance or other.building == job.building:
                seen += 1
        order.insert(back, job)
    return None


# --------------------------------------------------------------------------------------------
# Lower bounds


def _eei_bound(jobs: Sequence[ScheduleJob], machines: int, release: Mapping[str, int]) -> int:
    """A lower bound on Σ w·C over `jobs` on `machines` identical parallel machines.

    Eastman, Even & Isaacs (1964): OPT ≥ (1/m)·Σ_j w_j·Σ_{k ≤ j} p_k (jobs in Smith's order, w/p
    highest first) + (m−1)/(2m)·Σ_j w_j·p_j. A job cannot end before its earliest allowed start plus
    its days, so Σ w·(r + p) is a bound too, and no job of the group starts before the earliest r,
    so the first bound holds from there (+ r_min·Σ w). The larger is returned (rounded up: the
    objective is whole). Blackouts, deadlines and the other limits only make the real schedule worse.
    """
    if not jobs:
        return 0
    trivial = sum(j.weight * (release[j.id] + j.days) for j in jobs)
    if machines <= 0:
        return trivial
    # No job of the group starts before the earliest release: shift the origin there.
    shift = min(release[j.id] for j in jobs) * sum(j.weight for j in jobs)
    order = sorted(jobs, key=lambda j: -j.weight / j.days)
    acc = 0
    first = 0
    for j in order:
        acc += j.days
        first += j.weight * acc
    second = sum(j.weight * j.days for j in jobs)
    # Exact rational arithmetic, then ceiling.
    numerator = 2 * first + (machines - 1) * second
    eei = shift + -(-numerator // (2 * machines))
    return max(trivial, eei)


def lower_bound(problem: Problem) -> int:
    """The best of the relaxations: per vendor (crews as machines), per building (its limit), per
    entrance (its limit) — each job counted once within a relaxation."""
    blocked = problem.blocked()
    release: dict[str, int] = {}
    for job in problem.jobs:
        windows = allowed_starts(job.days, blocked)
        release[job.id] = windows[0][0] if windows else 0
    by: dict[str, dict[str, list[ScheduleJob]]] = {"vendor": defaultdict(list), "entrance": defaultdict(list)}
    by["building"] = defaultdict(list)
    for job in problem.jobs:
        by["vendor"][job.vendor].append(job)
        by["entrance"][job.entrance].append(job)
        by["building"][job.building].append(job)
    vendor_lb = sum(_eei_bound(js, problem.crews[v], release) for v, js in by["vendor"].items())
    entrance_lb = sum(_eei_bound(js, problem.max_down_per_entrance, release) for js in by["entrance"].values())
    cap_b = problem.max_active_per_building
    building_lb = sum(_eei_bound(js, cap_b if cap_b else len(js), release) for js in by["building"].values())
    return max(vendor_lb, entrance_lb, building_lb)


# Up to this many jobs × days the LP is solved exactly by simplex (GLOP, well under a second for
# Liangzhu); above it by first-order PDLP to 1e-4 (seconds for 1,000 jobs, where simplex takes minutes).
LP_EXACT_CELLS = 60_000


def lp_relaxation(problem: Problem, time_limit: float) -> tuple[int, dict[str, float]] | None:
    """The time-indexed LP relaxation (GLOP): each job's start spread over its allowed days, every
    limit kept on every day in fractions. Its optimum is a proven lower bound (usually within a
    fraction of a percent of the best schedule, far tighter than the machine bounds), and each
    job's mean start is a good order for the list schedule. Written with cumulative variables
    z[j][s] = P(job j starts on or before day s), so a day's load is z[t] − z[t − days] (two terms
    per job and day). None when it is too large or not solved to optimality in time.
    """
    from ortools.linear_solver import pywraplp

    horizon = problem.horizon
    large = len(problem.jobs) * horizon > LP_EXACT_CELLS
    solver = pywraplp.Solver.CreateSolver("PDLP" if large else "GLOP")
    if solver is None:  # pragma: no cover - both ship with OR-Tools
        return None
    if large:
        solver.SetSolverSpecificParametersAsString(
            "termination_criteria { simple_optimality_criteria { eps_optimal_relative: 1e-3 } }"
        )
    solver.SetTimeLimit(max(1, int(time_limit * 1000)))
    blocked = problem.blocked()
    inf = solver.infinity()
    objective = solver.Objective()
    constant = 0.0
    # z[j][s]: a variable, or the constants 0.0 / 1.0, for s in 0..last; beyond last it is 1.
    zs: list[list[Any]] = []
    windows_cache: dict[int, list[tuple[int, int]]] = {}
    for job in problem.jobs:
        if job.days not in windows_cache:
            windows_cache[job.days] = allowed_starts(job.days, blocked)
        windows = windows_cache[job.days]
        if not windows:
            return None
        allowed = {s for lo, hi in windows for s in range(lo, hi + 1)}
        first, last = windows[0][0], windows[-1][1]
        row: list[Any] = []
        previous: Any = 0.0
        counts: dict[int, int] = defaultdict(int)
        variables: dict[int, Any] = {}
        for s in range(last + 1):
            if s < first:
                row.append(0.0)
            elif s == last:
                row.append(1.0)
            elif s in allowed:
                v = solver.NumVar(0.0, 1.0, "")
                if not isinstance(previous, float):
                    c = solver.Constraint(0.0, inf)
                    c.SetCoefficient(v, 1.0)
                    c.SetCoefficient(previous, -1.0)
                variables[v.index()] = v
                previous = v
                row.append(v)
            else:
                row.append(previous)
        # E[start] = Σ_{s < last} (1 − z[s]) = last − Σ_{s < last} z[s]
        constant += job.weight * (job.days + last)
        for s in range(last):
            z = row[s]
            if not isinstance(z, float):
                counts[z.index()] += 1
        for index, n in counts.items():
            objective.SetCoefficient(variables[index], -job.weight * n)
        zs.append(row)
    objective.SetMinimization()

    def z_at(i: int, s: int) -> Any:
        if s < 0:
            return 0.0
        row = zs[i]
        return row[s] if s < len(row) else 1.0

    groups = _capacity_groups(problem)
    rows: list[tuple[int, int, Any]] = []
    for g, (members, cap) in enumerate(groups):
        if cap >= len(members):
            continue
        for t in range(horizon):
            coefficients: dict[int, float] = defaultdict(float)
            handles: dict[int, Any] = {}
            bound = float(cap)
            for i in members:
                for z, sign in ((z_at(i, t), 1.0), (z_at(i, t - problem.jobs[i].days), -1.0)):
                    if isinstance(z, float):
                        bound -= sign * z
                    else:
                        coefficients[z.index()] += sign
                        handles[z.index()] = z
            terms = {k: c for k, c in coefficients.items() if c}
            if not terms:
                continue
            c = solver.Constraint(-inf, bound)
            for k, coefficient in terms.items():
                c.SetCoefficient(handles[k], coefficient)
            rows.append((g, t, c))
    code = solver.Solve()
    if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE) and not large:
        return None
    # PDLP stopped by the time limit still holds prices and a rough solution; the Lagrangian bound
    # below is valid for any prices, so they are used as they are.
    means: dict[str, float] = {}
    for job, row in zip(problem.jobs, zs, strict=True):
        means[job.id] = sum(1.0 - (z if isinstance(z, float) else z.solution_value()) for z in row[:-1])
    # Whatever the LP solver's accuracy, its day prices give a valid bound (Lagrangian duality).
    prices: dict[tuple[int, int], float] = {}
    for g, t, c in rows:
        price = -c.dual_value()
        if price > 1e-9:
            prices[(g, t)] = price
    return lagrangian_bound(problem, groups, prices), means


def lagrangian_bound(
    problem: Problem, groups: Sequence[tuple[list[int], int]], prices: Mapping[tuple[int, int], float]
) -> int:
    """A proven lower bound from any non-negative prices on the limits' days (Lagrangian relaxation):
    each job alone picks its cheapest allowed start, paying weight × end plus the prices of the days
    it occupies in each of its groups; minus every price × the limit. Valid for any prices, so an
    approximate LP solution still yields an exact, rigorous bound (computed in exact arithmetic
    after the prices are rounded down to multiples of 1/1024)."""
    from fractions import Fraction

    horizon = problem.horizon
    blocked = problem.blocked()
    scale = 1024
    member_groups: dict[int, list[int]] = defaultdict(list)
    prefix: dict[int, list[int]] = {}
    total = 0
    for g, (members, cap) in enumerate(groups):
        day_prices = [math.floor(prices.get((g, t), 0.0) * scale) for t in range(horizon)]
        if not any(day_prices):
            continue
        acc = [0]
        for p in day_prices:
            acc.append(acc[-1] + p)
        prefix[g] = acc
        total -= cap * acc[-1]
        for i in members:
            member_groups[i].append(g)
    windows_cache: dict[int, list[tuple[int, int]]] = {}
    for i, job in enumerate(problem.jobs):
        if job.days not in windows_cache:
            windows_cache[job.days] = allowed_starts(job.days, blocked)
        best = None
        for lo, hi in windows_cache[job.days]:
            for s in range(lo, hi + 1):
                cost = job.weight * (s + job.days) * scale
                for g in member_groups.get(i, ()):
                    acc = prefix[g]
                    cost += acc[s + job.days] - acc[s]
                if best is None or cost < best:
                    best = cost
        if best is None:
            return 0
        total += best
    return math.ceil(Fraction(total, scale))


# --------------------------------------------------------------------------------------------
# CP-SAT


def _workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def _build(problem: Problem, horizon: int, extra_capacity: bool = False) -> tuple[Any, list[Any], dict[str, Any]]:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    blocked = problem.blocked(horizon)
    starts: list[Any] = []
    intervals: list[Any] = []
    domains: dict[int, list[tuple[int, int]]] = {}
    for job in problem.jobs:
        if job.days not in domains:
            domains[job.days] = allowed_starts(job.days, blocked)
        windows = domains[job.days]
        domain = cp_model.Domain.from_intervals([[lo, hi] for lo, hi in windows])
        s = model.new_int_var_from_domain(domain, f"s_{job.id}")
        starts.append(s)
        intervals.append(model.new_fixed_size_interval_var(s, job.days, f"i_{job.id}"))
    extra: dict[str, Any] = {}
    by_vendor: dict[str, list[int]] = defaultdict(list)
    for i, job in enumerate(problem.jobs):
        by_vendor[job.vendor].append(i)
    for vendor, members in by_vendor.items():
        ivs = [intervals[i] for i in members]
        crews = problem.crews[vendor]
        if extra_capacity:
            capacity = model.new_int_var(crews, max(crews, len(members)), f"crews_{vendor}")
            extra[vendor] = capacity
            model.add_cumulative(ivs, [1] * len(ivs), capacity)
        elif crews == 1:
            model.add_no_overlap(ivs)
        elif crews < len(members):
            model.add_cumulative(ivs, [1] * len(ivs), crews)
    for members, cap in _capacity_groups(problem)[len(by_vendor) :]:
        ivs = [intervals[i] for i in members]
        if cap == 1:
            model.add_no_overlap(ivs)
        else:
            model.add_cumulative(ivs, [1] * len(ivs), cap)
    return model, starts, extra


def _solver(time_limit: float, workers: int | None = None) -> Any:
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = workers or _workers()
    solver.parameters.random_seed = 20250106
    return solver


def _unplaceable(problem: Problem, horizon: int) -> list[str]:
    blocked = problem.blocked(horizon)
    cache: dict[int, bool] = {}
    out = []
    for job in problem.jobs:
        if job.days not in cache:
            cache[job.days] = bool(allowed_starts(job.days, blocked))
        if not cache[job.days]:
            out.append(job.id)
    return out


def _components(problem: Problem) -> list[list[int]]:
    """Jobs linked through a shared building or entrance: without the vendors' crews, each such
    group (one building, usually) is scheduled independently of the others."""
    parent = list(range(len(problem.jobs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for i, job in enumerate(problem.jobs):
        for key in (("b", job.building), ("e", job.entrance)):
            if key in first:
                parent[find(i)] = find(first[key])
            else:
                first[key] = i
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(problem.jobs)):
        groups[find(i)].append(i)
    return list(groups.values())


@dataclass
class _Sites:
    bound: int
    starts: dict[str, int] | None  # each site's best schedule, crews ignored
    infeasible: bool  # some site has no schedule even with unlimited crews


def _site_relaxation(problem: Problem, time_limit: float) -> _Sites:
    """Relax the vendors' crews: the problem falls apart into buildings, each small enough to solve
    exactly. The sum of their optima (or proven bounds) is a lower bound of the whole; when their
    union happens to fit the crews it is an optimal schedule."""
    from ortools.sat.python import cp_model

    comps = _components(problem)
    began = time.monotonic()
    bound = 0
    starts: dict[str, int] | None = {}
    for n, members in enumerate(comps):
        jobs = tuple(problem.jobs[i] for i in members)
        sub = Problem(
            problem.start,
            problem.deadline,
            {j.vendor: len(jobs) for j in jobs},
            jobs,
            problem.blackouts,
            problem.max_down_per_entrance,
            problem.max_active_per_building,
        )
        remaining = time_limit - (time.monotonic() - began)
        if remaining <= 0:  # out of time: the rest count with the trivial bound Σ w·d
            bound += sum(j.weight * j.days for j in jobs)
            starts = None
            continue
        model, svars, _ = _build(sub, sub.horizon)
        model.minimize(sum(j.weight * (s + j.days) for j, s in zip(jobs, svars, strict=True)))
        solver = _solver(max(0.01, remaining / (len(comps) - n)), workers=1)
        code = solver.solve(model)
        if code == cp_model.INFEASIBLE:
            return _Sites(0, None, True)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            bound += (
                int(solver.objective_value)
                if code == cp_model.OPTIMAL
                else math.ceil(solver.best_objective_bound - 1e-9)
            )
            if starts is not None:
                starts.update({j.id: int(solver.value(s)) for j, s in zip(jobs, svars, strict=True)})
        else:
            bound += sum(j.weight * j.days for j in jobs)
            starts = None
    return _Sites(bound, starts, False)


def solve(problem: Problem, time_limit: float = DEFAULT_TIME_LIMIT) -> Result:
    """The schedule minimising Σ weight × completion day; see the module docstring.

    Steps: jobs that fit nowhere make the problem infeasible at once; the buildings are solved
    alone with crews ignored (a lower bound, and often the answer); the greedy list schedule and
    the buildings' schedules are given to CP-SAT as hints; the best schedule found is returned with
    the best proven bound. Never worse than greedy.
    """
    from ortools.sat.python import cp_model

    began = time.monotonic()
    if not problem.jobs:
        return Result(OPTIMAL, [], 0, 0, None, time.monotonic() - began, 0)
    horizon = problem.horizon
    hopeless = _unplaceable(problem, horizon) or [j.id for j in problem.jobs if problem.crews[j.vendor] == 0]
    greedy_starts = None if hopeless else greedy(problem)
    greedy_obj = None if greedy_starts is None else objective_of(problem, greedy_starts)
    candidates: list[dict[str, int]] = [greedy_starts] if greedy_starts is not None else []
    bound = 0
    status_code = cp_model.UNKNOWN
    if hopeless:
        status_code = cp_model.INFEASIBLE
    else:
        sites = _site_relaxation(problem, time_limit / 4)
        if sites.infeasible:
            status_code = cp_model.INFEASIBLE
        else:
            bound = max(sites.bound, lower_bound(problem))
            lp = lp_relaxation(problem, time_limit * 0.4)
            late_hint = None
            if lp is not None:
                bound = max(bound, lp[0])
                guided = greedy(problem, priority=lp[1])
                if guided is None:
                    budget = max(0.5, (time_limit - (time.monotonic() - began)) / 2)
                    for reach in (3, 30, 100):
                        guided = repaired_greedy(problem, lp[1], budget / 3, reach=reach)
                        if guided is not None:
                            break
                if guided is not None:
                    candidates.append(guided)
                else:
                    # The LP's order misses the deadline with a list schedule; past the deadline it
                    # still shows CP-SAT where to look (the hint need not be feasible).
                    late_hint = greedy(problem, horizon * 2, priority=lp[1])
            if sites.starts is not None and not check_schedule(problem, _placements(problem, sites.starts)):
                candidates.append(sites.starts)  # every building at its own optimum, and the crews suffice
            if not candidates or min(objective_of(problem, c) for c in candidates) > bound:
                model, starts, _ = _build(problem, horizon)
                const = sum(j.weight * j.days for j in problem.jobs)
                weighted = sum(j.weight * s for j, s in zip(problem.jobs, starts, strict=True))
                model.minimize(weighted)
                model.add(weighted >= bound - const)  # proven above: lets CP-SAT stop once it meets it
                hint = (
                    min(candidates, key=lambda c: objective_of(problem, c))
                    if candidates
                    else (late_hint or sites.starts)
                )
                if hint is not None:
                    for job, s in zip(problem.jobs, starts, strict=True):
                        model.add_hint(s, hint[job.id])
                solver = _solver(time_limit - (time.monotonic() - began))
                status_code = solver.solve(model)
                if status_code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    found = {job.id: int(solver.value(s)) for job, s in zip(problem.jobs, starts, strict=True)}
                    candidates.append(found)
                    solver_bound = math.ceil(solver.best_objective_bound - 1e-9) + const
                    if status_code == cp_model.OPTIMAL:
                        solver_bound = objective_of(problem, found)
                    bound = max(bound, solver_bound)
    if candidates:
        best = min(candidates, key=lambda c: objective_of(problem, c))
        objective = objective_of(problem, best)
        proven = min(bound, objective)
        status = OPTIMAL if proven == objective else FEASIBLE
        return Result(status, _placements(problem, best), objective, proven, None, time.monotonic() - began, greedy_obj)
    if status_code != cp_model.INFEASIBLE:
        return Result(UNKNOWN, [], None, None, None, time.monotonic() - began, greedy_obj)
    suggestion = suggest(problem, time_limit)
    return Result(INFEASIBLE, [], None, None, suggestion, time.monotonic() - began, greedy_obj)


def _placements(problem: Problem, starts: Mapping[str, int]) -> list[Placement]:
    return [
        Placement(
            j.id,
            problem.start + timedelta(days=starts[j.id]),
            problem.start + timedelta(days=starts[j.id] + j.days - 1),
        )
        for j in problem.jobs
    ]


def suggest(problem: Problem, time_limit: float = DEFAULT_TIME_LIMIT) -> ScheduleRemedy:
    """For a problem with no schedule: the earliest deadline the given crews can meet, and the fewest
    extra crews per vendor that meet the given deadline (None when more crews cannot help)."""
    from ortools.sat.python import cp_model

    out = ScheduleRemedy(unplaceable=_unplaceable(problem, problem.horizon))
    # An upper bound on the makespan: greedy with unlimited room after the last blackout.
    last_blackout = max(((b - problem.start).days for _, b in problem.blackouts), default=0)
    longest = max(j.days for j in problem.jobs)
    room = max(problem.horizon, last_blackout + 1) + sum(j.days for j in problem.jobs) + longest
    # No further than the longest window the input accepts (nor past 9999-12-31): a blackout in
    # 9999 or thousands of jobs must not make greedy walk, and keep per entrance, 10⁵–10⁶ days.
    room = min(room, MAX_HORIZON_DAYS, (date.max - problem.start).days + 1)
    fixable = all(problem.crews[j.vendor] > 0 for j in problem.jobs)
    if fixable:
        upper = greedy(problem, room)
        if upper is not None:
            makespan_ub = max(upper[j.id] + j.days for j in problem.jobs)
            model, starts, _ = _build(problem, makespan_ub)
            end = model.new_int_var(0, makespan_ub, "makespan")
            for job, s in zip(problem.jobs, starts, strict=True):
                model.add(end >= s + job.days)
                model.add_hint(s, upper[job.id])
            model.minimize(end)
            solver = _solver(time_limit / 2)
            code = solver.solve(model)
            if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                makespan = int(solver.value(end))
                out.earliest_deadline = problem.start + timedelta(days=makespan - 1)
                out.earliest_deadline_proven = code == cp_model.OPTIMAL
            else:
                out.earliest_deadline = problem.start + timedelta(days=makespan_ub - 1)
    if not out.unplaceable:
        model, _, extra = _build(problem, problem.horizon, extra_capacity=True)
        model.minimize(sum(cap - problem.crews[v] for v, cap in extra.items()))
        solver = _solver(time_limit / 2)
        code = solver.solve(model)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            more = {v: int(solver.value(cap)) - problem.crews[v] for v, cap in sorted(extra.items())}
            out.extra_crews = {v: n for v, n in more.items() if n > 0}
            out.extra_crews_proven = code == cp_model.OPTIMAL
    return out


def run(text: str, time_limit: float = DEFAULT_TIME_LIMIT) -> dict[str, Any]:
    """The command's whole work: parse (ScheduleInputError on bad input), solve, return JSON."""
    return solve(parse_text(text), time_limit).as_json()


def assign_crews(problem: Problem, placements: Iterable[Placement]) -> dict[str, int]:
    """Which crew of its vendor does each job (1-based), for the Gantt chart by crew: jobs in order
    of start take the lowest-numbered crew free that day. A schedule that keeps the crew limit
    never needs more than the vendor's crews (interval graphs are perfectly colourable)."""
    vendor_of = {j.id: j.vendor for j in problem.jobs}
    free_from: dict[str, list[date]] = defaultdict(list)  # per vendor: the day each crew is next free
    out: dict[str, int] = {}
    for p in sorted(placements, key=lambda p: (p.start, p.id)):
        crews = free_from[vendor_of[p.id]]
        for n, free in enumerate(crews):
            if free <= p.start:
                crews[n] = p.end + timedelta(days=1)
                out[p.id] = n + 1
                break
        else:
            crews.append(p.end + timedelta(days=1))
            out[p.id] = len(crews)
    return out
