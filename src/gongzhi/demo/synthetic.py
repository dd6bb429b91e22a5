"""A large synthetic registry for benchmarks (bench/bench_pages.py): SAMPLE DATA only.

Inserts with bulk_create in batches and keeps only the rows it needs in memory, so that
100,000 elevators and about a million apartments fit in a few minutes on SQLite. Owners are
not generated: the dashboard and the ranked list do not read them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal
from typing import TypeVar

from django.db import models, transaction
from django.utils import timezone

from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.models import (
    AssessmentConclusion,
    Elevator,
    FaultKind,
    FaultRecord,
    InspectionRecord,
    InspectionResult,
    SafetyAssessment,
)
from gongzhi.places.models import Apartment, Building, Community, District, Entrance, Estate, Subdistrict

ELEVATORS_PER_ESTATE = 1000
ESTATES_PER_COMMUNITY = 5
BATCH = 5000
M = TypeVar("M", bound=models.Model)

FAULT_KINDS = list(FaultKind)
INSPECTION_RESULTS = [InspectionResult.PASS, InspectionResult.PASS_AFTER_FIX, InspectionResult.FAIL]
CONCLUSIONS = list(AssessmentConclusion)


def _insert(model: type[M], rows: Iterator[M]) -> int:
    """bulk_create `rows` in batches without holding them all."""
    n = 0
    batch: list[M] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            model._default_manager.bulk_create(batch)
            n += len(batch)
            batch = []
    if batch:
        model._default_manager.bulk_create(batch)
        n += len(batch)
    return n


def generate_registry(
    *,
    elevators: int,
    apartments_per_entrance: int = 10,
    seed: int = 7,
    subdistrict_name: str = "基准街道",
    faults_per_elevator: float = 3.0,
) -> None:
    """A subdistrict with `elevators` elevators in estates of 1,000, entrances of one or two
    elevators, `apartments_per_entrance` apartments each, and faults (over three years),
    inspections (two years) and safety assessments (5% of the old ones). Does nothing when the
    subdistrict already exists."""
    if Subdistrict.objects.filter(name=subdistrict_name).exists():
        return
    rng = random.Random(seed)  # noqa: S311 - sample data, not security
    today = timezone.localdate()
    with transaction.atomic():
        district, _ = District.objects.get_or_create(name="基准区")
        subdistrict = Subdistrict.objects.create(district=district, name=subdistrict_name)
        n_estates = max(1, -(-elevators // ELEVATORS_PER_ESTATE))
        estates: list[Estate] = []
        for i in range(n_estates):
            if i % ESTATES_PER_COMMUNITY == 0:
                community = Community.objects.create(
                    subdistrict=subdistrict, name=f"基准社区{i // ESTATES_PER_COMMUNITY + 1}"
                )
            estates.append(Estate(community=community, name=f"基准小区{i + 1}"))
        Estate.objects.bulk_create(estates)

        # Buildings of two entrances; each entrance has one or two elevators.
        plan: list[tuple[int, int, int]] = []  # (estate index, building number, floors)
        entrance_lifts: list[tuple[int, int]] = []  # (building index, elevators)
        remaining_total = elevators
        for e_index in range(n_estates):
            remaining = min(ELEVATORS_PER_ESTATE, remaining_total)
            remaining_total -= remaining
            number = 0
            while remaining > 0:
                number += 1
                plan.append((e_index, number, rng.randint(6, 18)))
                for _ in range(2):
                    if remaining <= 0:
                        break
                    n = min(remaining, rng.choice((1, 2)))
                    remaining -= n
                    entrance_lifts.append((len(plan) - 1, n))
        buildings = [Building(estate=estates[e], name=f"{n}幢", floors=f) for e, n, f in plan]
        for start in range(0, len(buildings), BATCH):
            Building.objects.bulk_create(buildings[start : start + BATCH])
        entrances: list[Entrance] = []
        seen_in_building: dict[int, int] = {}
        for b_index, _n in entrance_lifts:
            seen_in_building[b_index] = seen_in_building.get(b_index, 0) + 1
            entrances.append(Entrance(building=buildings[b_index], name=f"{seen_in_building[b_index]}单元"))
        for start in range(0, len(entrances), BATCH):
            Entrance.objects.bulk_create(entrances[start : start + BATCH])

        def apartments() -> Iterator[Apartment]:
            for entrance, (b_index, _n) in zip(entrances, entrance_lifts, strict=True):
                floors = plan[b_index][2]
                for k in range(apartments_per_entrance):
                    floor = k // 2 % floors + 1
                    yield Apartment(
                        entrance=entrance,
                        room=f"{floor}{k + 1:02d}",
                        floor=floor,
                        area=Decimal(rng.randint(5000, 15000)).scaleb(-2),
                    )

        _insert(Apartment, apartments())

        lifts: list[Elevator] = []
        serial = 0
        first_day = dt.date(1996, 1, 1)
        span = (dt.date(2022, 12, 31) - first_day).days
        for entrance, (b_index, n) in zip(entrances, entrance_lifts, strict=True):
            commissioned = first_day + dt.timedelta(days=rng.randrange(span))
            for _ in range(n):
                serial += 1
                lifts.append(
                    Elevator(
                        device_code=f"3110BM{serial // 100000:03d}{commissioned.year}{serial % 100000:05d}",
                        registration_number=f"梯11浙Z{serial:06d}",
                        entrance=entrance,
                        commissioned_on=commissioned,
                        maker="基准电梯",
                        model="TKJ1000/1.75",
                        rated_load_kg=1000,
                        rated_speed_mps=Decimal("1.75"),
                        stops=plan[b_index][2],
                        maintenance_company="基准维保公司",
                    )
                )
        for start in range(0, len(lifts), BATCH):
            Elevator.objects.bulk_create(lifts[start : start + BATCH])

        tz = timezone.get_current_timezone()
        window_start = elig.anniversary(today, -3)
        window_days = (today - window_start).days

        def faults() -> Iterator[FaultRecord]:
            for lift in lifts:
                n = int(rng.expovariate(1 / faults_per_elevator)) if faults_per_elevator > 0 else 0
                used: set[dt.datetime] = set()
                for _ in range(n):
                    day = window_start + dt.timedelta(days=rng.randrange(window_days + 1))
                    when = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)), tzinfo=tz)
                    if when in used:
                        continue
                    used.add(when)
                    kind = rng.choice(FAULT_KINDS)
                    yield FaultRecord(
                        elevator=lift,
                        occurred_at=when,
                        kind=kind,
                        people_trapped=rng.randint(1, 3) if kind == FaultKind.ENTRAPMENT else 0,
                        hours_out_of_service=Decimal(rng.randint(10, 2400)).scaleb(-2),
                    )

        def inspections() -> Iterator[InspectionRecord]:
            for lift in lifts:
                for years_back in (1, 0):
                    on = elig.anniversary(lift.commissioned_on, today.year - years_back - lift.commissioned_on.year)
                    if lift.commissioned_on < on <= today:
                        result = rng.choices(INSPECTION_RESULTS, weights=(85, 11, 4))[0]
                        yield InspectionRecord(elevator=lift, inspected_on=on, result=result, inspector="基准检验机构")

        def assessments() -> Iterator[SafetyAssessment]:
            for lift in lifts:
                if rng.random() < 0.05:
                    yield SafetyAssessment(
                        elevator=lift,
                        assessed_on=today - dt.timedelta(days=rng.randrange(1, 700)),
                        assessor="基准评估机构",
                        grade=rng.choice("ABCD"),
                        conclusion=rng.choice(CONCLUSIONS),
                    )

        _insert(FaultRecord, faults())
        _insert(InspectionRecord, inspections())
        _insert(SafetyAssessment, assessments())
