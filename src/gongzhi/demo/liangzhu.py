"""The Liangzhu demo: 余杭区 → 良渚街道 → three communities → 亲亲家园 (30 elevators), 北秀蓝湾 (21),
棕榈湾 (76): 127 elevators, their buildings, entrances, apartments, owners, faults, inspections
and safety assessments, one demo user per role and one open campaign.

Everything here is SAMPLE DATA, generated from a seed: the estates' names are real, the
buildings, owners, device codes and histories are invented. Identity numbers are fake but
well formed (GB 11643 check digit) and, as for real owners, only their keyed hash and last
four characters are stored.

Deterministic: the same seed gives the same registry (device codes, dates, areas, owners).
Fault and inspection histories run up to `today`, so they move with the calendar; each
elevator's history is drawn from its own seeded generator so the rest does not.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from gongzhi.core.audit import audit_record
from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.models import (
    AssessmentConclusion,
    Campaign,
    Elevator,
    FaultKind,
    FaultRecord,
    InspectionRecord,
    InspectionResult,
    SafetyAssessment,
)
from gongzhi.elevators.registry_import import owner_id_hash
from gongzhi.elevators.services import campaign_open
from gongzhi.places.models import (
    Apartment,
    Building,
    Community,
    District,
    Entrance,
    Estate,
    Owner,
    OwnerKind,
    Ownership,
    Role,
    RoleAssignment,
    Subdistrict,
)

DISTRICT = "余杭区"
SUBDISTRICT = "良渚街道"
DEVELOPER_NAME = "杭州某置业有限公司"
VENDOR_ORGANISATION = "某电梯公司"
DEMO_PASSWORD = "gongzhi-demo-2024"  # demo only: printed on screen, never use outside the demo  # noqa: S105
CAMPAIGN_NAME = "良渚街道2024年住宅老旧电梯更新"
CAMPAIGN_REFERENCE = dt.date(2024, 9, 1)
CAMPAIGN_DEADLINE = dt.date(2025, 6, 30)


@dataclass(frozen=True)
class EstatePlan:
    community: str
    name: str
    address: str
    elevators: int
    phases: tuple[int, ...]  # years in which the estate's buildings entered service, oldest first


ESTATES: tuple[EstatePlan, ...] = (
    EstatePlan("亲亲家园社区", "亲亲家园", "杭州市余杭区良渚街道（示例地址）", 30, (2003, 2004, 2005, 2006)),
    EstatePlan("玉泽社区", "北秀蓝湾", "杭州市余杭区良渚街道（示例地址）", 21, (2006, 2007, 2008, 2009)),
    EstatePlan("棕榈湾社区", "棕榈湾", "杭州市余杭区良渚街道（示例地址）", 76, (2008, 2009, 2010, 2011, 2013, 2015)),
)

# Elevator makers: brand, a made-up 5-character maker code for the device code, models.
MAKERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("奥的斯", "OT001", ("GeN2-MRL", "OH5000")),
    ("三菱", "MS002", ("ELENESSA", "LEHY-II")),
    ("日立", "HT003", ("MCA", "HGP")),
    ("通力", "KN004", ("MonoSpace", "MiniSpace")),
    ("迅达", "SC005", ("3300", "5500")),
    ("西子", "XZ006", ("XO-STAR", "XO-II")),
)
MAINTENANCE_COMPANIES = (
    "杭州甲电梯工程有限公司",
    "杭州乙电梯维保有限公司",
    "浙江丙机电设备有限公司",
    "杭州丁电梯服务有限公司",
)
INSPECTOR = "杭州市特种设备检验机构（示例）"
ASSESSOR = "电梯安全评估机构（示例）"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈任姚卢钟姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文斌浩宇欣怡子轩梓涵雨佳琪晨阳俊凯瑶婷鑫淑珍海燕"
ID_AREAS = ("330110", "330106", "330105", "330102", "330108", "330109", "330681", "330282", "330522", "340102")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def resident_id(rng: random.Random) -> str:
    """A fake but well-formed 18-character resident identity number (GB 11643-1999)."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 52))
    body = f"{rng.choice(ID_AREAS)}{birth:%Y%m%d}{rng.randrange(1, 1000):03d}"
    total = sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK[total % 11]


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(rng: random.Random) -> str:
    """A fake but well-formed 18-character unified social credit code (GB 32100-2015)."""
    body = "91330110" + "".join(rng.choice(USCC_CHARS[:10]) for _ in range(8)) + rng.choice(USCC_CHARS)
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_CHARS[(31 - total % 31) % 31]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str  # a places.models.Role value, or "admin"
    scope: str  # the name of the place the role covers


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("jiedao", Role.SUBDISTRICT_STAFF, SUBDISTRICT),
    DemoUser("shequ", Role.COMMUNITY_STAFF, "亲亲家园社区"),
    DemoUser("yeweihui", Role.OWNERS_COMMITTEE, "北秀蓝湾"),
    DemoUser("wuye", Role.PROPERTY_MANAGER, "棕榈湾"),
    DemoUser("yezhu", Role.OWNER, "亲亲家园"),
    DemoUser("vendor", Role.VENDOR, SUBDISTRICT),
    DemoUser("jianchayuan", Role.SUPERVISOR, SUBDISTRICT),
    DemoUser("quju", Role.DISTRICT_REGULATOR, DISTRICT),
    DemoUser("admin", "admin", "全部"),
)


def role_label(role: str) -> str:
    return "系统管理员" if role == "admin" else str(Role(role).label)


@dataclass
class EstateSummary:
    community: str
    name: str
    buildings: int
    entrances: int
    elevators: int
    apartments: int
    owners: int


@dataclass
class Login:
    username: str
    password: str
    role: str
    role_label: str
    scope: str


@dataclass
class DemoSummary:
    created: bool  # False when the demo was already there and nothing was written
    subdistrict: str
    estates: list[EstateSummary]
    logins: list[Login]
    campaign: str
    campaign_id: int | None
    elevators: int = 0
    apartments: int = 0
    owners: int = 0
    sample_data: bool = field(default=True)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------------------------
# Plan: the whole registry as plain data first (cheap, deterministic), then bulk inserts.


@dataclass
class _EntrancePlan:
    name: str
    elevators: int


@dataclass
class _BuildingPlan:
    name: str
    floors: int
    basement: bool
    entrances: list[_EntrancePlan]
    layouts: tuple[int, int]  # area in hundredths of m² of the two apartments on a floor
    phase: int = 0


def _plan_buildings(rng: random.Random, target: int) -> list[_BuildingPlan]:
    """Buildings until their elevators add up to exactly `target`."""
    buildings: list[_BuildingPlan] = []
    remaining = target
    number = 0
    while remaining > 0:
        number += 1
        floors = rng.randint(6, 18)
        two_lift_chance = 0.7 if floors > 11 else 0.2  # 11 floors: the usual mid-rise limit
        entrances: list[_EntrancePlan] = []
        for e in range(1, 3 if rng.random() < 0.6 else 2):
            if remaining <= 0:
                break
            n = min(remaining, 2 if rng.random() < two_lift_chance else 1)
            remaining -= n
            entrances.append(_EntrancePlan(f"{e}单元", n))
        layouts = (rng.randint(5000, 12000), rng.randint(7000, 14800))
        buildings.append(_BuildingPlan(f"{number}幢", floors, rng.random() < 0.3, entrances, layouts))
    for i, b in enumerate(buildings):  # earlier buildings entered service earlier
        b.phase = i * 1_000_000 // len(buildings)
    return buildings


def _rng_for(seed: int, *parts: object) -> random.Random:
    return random.Random(f"{seed}:" + ":".join(str(p) for p in parts))  # noqa: S311 - sample data, not security


# ---------------------------------------------------------------------------------------------


def load_liangzhu(*, seed: int = 2024, today: dt.date | None = None) -> DemoSummary:
    """Load the Liangzhu demo once; when 良渚街道 already exists, write nothing and return its summary."""
    existing = Subdistrict.objects.filter(district__name=DISTRICT, name=SUBDISTRICT).first()
    if existing is not None:
        return demo_summary(existing, created=False)
    with transaction.atomic():
        subdistrict = _load(seed=seed, today=today or timezone.localdate())
    return demo_summary(subdistrict, created=True)


def _load(*, seed: int, today: dt.date) -> Subdistrict:
    rng = random.Random(seed)  # noqa: S311 - sample data, not security
    district, _ = District.objects.get_or_create(name=DISTRICT)
    subdistrict = Subdistrict.objects.create(district=district, name=SUBDISTRICT)
    used_ids: set[str] = set()

    def new_person_id() -> str:
        while True:
            number = resident_id(rng)
            if number not in used_ids:
                used_ids.add(number)
                return number

    def person_name() -> str:
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        return rng.choice(SURNAMES) + given

    developer_id = credit_code(rng)
    developer = Owner.objects.create(
        name=DEVELOPER_NAME, kind=OwnerKind.DEVELOPER, id_hash=owner_id_hash(developer_id), id_last4=developer_id[-4:]
    )
    used_codes: set[str] = set()
    elevator_rows: list[Elevator] = []
    elevator_floors: list[int] = []
    for plan in ESTATES:
        community, _ = Community.objects.get_or_create(subdistrict=subdistrict, name=plan.community)
        estate = Estate.objects.create(community=community, name=plan.name, address=plan.address)
        building_plans = _plan_buildings(rng, plan.elevators)
        buildings = Building.objects.bulk_create(
            [Building(estate=estate, name=b.name, floors=b.floors) for b in building_plans]
        )
        entrance_objs: list[tuple[Entrance, _EntrancePlan, _BuildingPlan]] = []
        for building, bp in zip(buildings, building_plans, strict=True):
            entrance_objs.extend((Entrance(building=building, name=ep.name), ep, bp) for ep in bp.entrances)
        Entrance.objects.bulk_create([e for e, _, _ in entrance_objs])

        apartments: list[Apartment] = []
        for entrance, _ep, bp in entrance_objs:
            for floor in range(1, bp.floors + 1):
                for position, layout in enumerate(bp.layouts, start=1):
                    hundredths = min(15000, layout + rng.randint(0, 200))
                    apartments.append(
                        Apartment(
                            entrance=entrance,
                            room=f"{floor}{position:02d}",
                            floor=floor,
                            area=Decimal(hundredths).scaleb(-2),
                            developer_held=rng.random() < 0.015,
                        )
                    )
        Apartment.objects.bulk_create(apartments, batch_size=1000)

        # Owners: one per apartment, some holding several, some with a co-owner (a spouse).
        owners: list[Owner] = []
        holdings: list[tuple[int, int]] = []  # (index in owners, index in apartments)
        estate_people: list[int] = []
        for index, apartment in enumerate(apartments):
            if apartment.developer_held:
                continue
            if estate_people and rng.random() < 0.05:
                holdings.append((rng.choice(estate_people), index))
            else:
                owners.append(Owner(name=person_name(), kind=OwnerKind.PERSON))
                estate_people.append(len(owners) - 1)
                holdings.append((len(owners) - 1, index))
            if rng.random() < 0.1:
                owners.append(Owner(name=person_name(), kind=OwnerKind.PERSON))
                holdings.append((len(owners) - 1, index))
        for owner in owners:
            number = new_person_id()
            owner.id_hash = owner_id_hash(number)
            owner.id_last4 = number[-4:]
        Owner.objects.bulk_create(owners, batch_size=1000)
        ownerships = [Ownership(owner=owners[o], apartment=apartments[a]) for o, a in holdings]
        ownerships += [Ownership(owner=developer, apartment=a) for a in apartments if a.developer_held]
        Ownership.objects.bulk_create(ownerships, batch_size=1000)

        # Elevators.
        building_dates = {
            bp.name: dt.date(plan.phases[bp.phase * len(plan.phases) // 1_000_000], 1, 1)
            + dt.timedelta(days=rng.randrange(0, 365))
            for bp in building_plans
        }
        for entrance, ep, bp in entrance_objs:
            commissioned = building_dates[bp.name]
            for _ in range(ep.elevators):
                maker, maker_code, models = rng.choice(MAKERS)
                made = commissioned.year - (1 if rng.random() < 0.4 else 0)
                while True:
                    code = f"3110{maker_code}{made}{rng.randrange(10000, 100000)}"
                    if code not in used_codes:
                        used_codes.add(code)
                        break
                speed = Decimal("1.00") if bp.floors <= 11 else rng.choice((Decimal("1.50"), Decimal("1.75")))
                load = rng.choice((800, 1000)) if bp.floors <= 11 else rng.choice((1000, 1050))
                elevator_rows.append(
                    Elevator(
                        device_code=code,
                        registration_number=f"梯11浙A{rng.randrange(0, 100000):05d}({commissioned.year % 100:02d})",
                        entrance=entrance,
                        commissioned_on=commissioned + dt.timedelta(days=rng.randrange(0, 10)),
                        maker=maker,
                        model=rng.choice(models),
                        rated_load_kg=load,
                        rated_speed_mps=speed,
                        stops=bp.floors + (1 if bp.basement else 0),
                        maintenance_company=rng.choice(MAINTENANCE_COMPANIES),
                    )
                )
                elevator_floors.append(bp.floors)
    Elevator.objects.bulk_create(elevator_rows)
    _histories(seed=seed, rng=rng, elevators=elevator_rows, today=today)
    users = _users(subdistrict)
    audit_record(
        actor=None,
        action="demo_load",
        object_type="subdistrict",
        object_id=subdistrict.pk,
        summary=f"示例数据 seed={seed}: {len(elevator_rows)} elevators",
    )
    campaign_open(
        actor=users["jiedao"],
        subdistrict=subdistrict,
        name=CAMPAIGN_NAME,
        reference_date=CAMPAIGN_REFERENCE,
        deadline=CAMPAIGN_DEADLINE,
    )
    return subdistrict


def _histories(*, seed: int, rng: random.Random, elevators: list[Elevator], today: dt.date) -> None:
    """Faults over the last three years, yearly inspections, and safety assessments."""
    tz = timezone.get_current_timezone()
    window_start = min(elig.anniversary(today, -3), dt.date(2023, 9, 1))
    window_days = (today - window_start).days
    faults: list[FaultRecord] = []
    inspections: list[InspectionRecord] = []
    assessments: list[SafetyAssessment] = []
    fault_kinds = [FaultKind.DOOR, FaultKind.STOPPAGE, FaultKind.LEVELLING, FaultKind.CONTROL, FaultKind.OTHER]
    for elevator in elevators:
        erng = _rng_for(seed, "history", elevator.device_code)
        age_now = elig.age_years(elevator.commissioned_on, today)
        lemon = erng.random() < 0.15  # a few elevators that keep failing
        per_year = erng.uniform(6, 16) if lemon else erng.uniform(0.0, 1.0) * (0.5 + age_now / 10)
        entrapment_share = 0.35 if lemon else 0.12
        seen: set[tuple[dt.datetime, str]] = set()
        n_faults = round(per_year * window_days / 365)
        for _ in range(n_faults):
            day = window_start + dt.timedelta(days=erng.randrange(0, window_days + 1))
            when = dt.datetime.combine(day, dt.time(erng.randrange(6, 23), erng.randrange(0, 60)), tzinfo=tz)
            trapped = erng.random() < entrapment_share
            kind = FaultKind.ENTRAPMENT if trapped else erng.choice(fault_kinds)
            if (when, kind) in seen:
                continue
            seen.add((when, kind))
            faults.append(
                FaultRecord(
                    elevator=elevator,
                    occurred_at=when,
                    kind=kind,
                    people_trapped=erng.randint(1, 4) if trapped else 0,
                    hours_out_of_service=Decimal(erng.randint(25, 4800)).scaleb(-2),
                )
            )
        # Yearly periodic inspections on the commissioning anniversary (TSG T7001).
        year = 1
        while (on := elig.anniversary(elevator.commissioned_on, year)) <= today:
            age = year
            roll = erng.random()
            fail_chance = 0.01 + 0.004 * age + (0.05 if lemon else 0)
            fix_chance = 0.05 + 0.01 * age + (0.1 if lemon else 0)
            if roll < fail_chance:
                result = InspectionResult.FAIL
            elif roll < fail_chance + fix_chance:
                result = InspectionResult.PASS_AFTER_FIX
            else:
                result = InspectionResult.PASS
            inspections.append(InspectionRecord(elevator=elevator, inspected_on=on, result=result, inspector=INSPECTOR))
            year += 1
        # Safety assessments (GB/T 42615-2023) on about a third of the elevators 15 years or older.
        age_then = elig.age_years(elevator.commissioned_on, dt.date(2024, 3, 1))
        if age_then >= elig.DEFAULT_ELIGIBLE_YEARS and erng.random() < 0.35:
            conclusion = erng.choices(
                list(AssessmentConclusion), weights=(35, 25, 20, 20) if not lemon else (60, 30, 10, 0)
            )[0]
            assessments.append(
                SafetyAssessment(
                    elevator=elevator,
                    assessed_on=dt.date(2023, 3, 1) + dt.timedelta(days=erng.randrange(0, 540)),
                    assessor=ASSESSOR,
                    grade=erng.choice("ABCD"),
                    conclusion=conclusion,
                )
            )
    # Young elevators (commissioned 2012 or later) that an assessment found due for renewal or
    # modification: shown as "eligible by assessment" (Hangzhou's rule).
    young = [e for e in elevators if e.commissioned_on.year >= 2012]
    for index, elevator in enumerate(rng.sample(young, k=min(4, len(young)))):
        assessments.append(
            SafetyAssessment(
                elevator=elevator,
                assessed_on=dt.date(2024, 4, 8) + dt.timedelta(days=7 * index),
                assessor=ASSESSOR,
                grade="D" if index % 2 == 0 else "C",
                conclusion=(
                    AssessmentConclusion.RENEW,
                    AssessmentConclusion.MODIFY,
                    AssessmentConclusion.RENEW,
                    AssessmentConclusion.ROUTINE_REPAIR,
                )[index],
            )
        )
    FaultRecord.objects.bulk_create(faults, batch_size=1000)
    InspectionRecord.objects.bulk_create(inspections, batch_size=1000)
    SafetyAssessment.objects.bulk_create(assessments, batch_size=1000)


def _users(subdistrict: Subdistrict) -> dict[str, Any]:
    """One user per role with its RoleAssignment, and an admin; all share DEMO_PASSWORD."""
    user_model = get_user_model()
    encoded = make_password(DEMO_PASSWORD)  # hashed once: eight slow hashes would slow the demo start
    estates = {e.name: e for e in Estate.objects.filter(community__subdistrict=subdistrict)}
    communities = {c.name: c for c in Community.objects.filter(subdistrict=subdistrict)}
    demo_owner = (
        Owner.objects.filter(
            kind=OwnerKind.PERSON,
            ownerships__apartment__entrance__building__estate=estates["亲亲家园"],
        )
        .annotate(n=Count("ownerships"))
        .order_by("-n", "id")
        .first()
    )
    if demo_owner is None:
        raise RuntimeError("no owner in 亲亲家园")
    users: dict[str, Any] = {}
    for spec in DEMO_USERS:
        if user_model.objects.filter(username=spec.username).exists():
            users[spec.username] = user_model.objects.get(username=spec.username)
            continue
        user = user_model(
            username=spec.username,
            first_name=f"{role_label(spec.role)}（示例）",
            is_staff=spec.role == "admin",
            is_superuser=spec.role == "admin",
            password=encoded,
        )
        user.save()
        users[spec.username] = user
        scope: dict[str, Any]
        if spec.role == "admin":
            continue
        if spec.role == Role.DISTRICT_REGULATOR:
            scope = {"district": subdistrict.district}
        elif spec.role in {Role.SUBDISTRICT_STAFF, Role.VENDOR, Role.SUPERVISOR}:
            scope = {"subdistrict": subdistrict}
        elif spec.role == Role.COMMUNITY_STAFF:
            scope = {"community": communities[spec.scope]}
        elif spec.role == Role.OWNER:
            scope = {"owner": demo_owner}
        else:
            scope = {"estate": estates[spec.scope]}
        organisation = VENDOR_ORGANISATION if spec.role == Role.VENDOR else ""
        assignment = RoleAssignment(user=user, role=spec.role, organisation=organisation, **scope)
        assignment.full_clean()
        assignment.save()
    return users


def demo_summary(subdistrict: Subdistrict, *, created: bool) -> DemoSummary:
    """Counts of what the demo holds, read back from the database."""
    estates: list[EstateSummary] = []
    for estate in Estate.objects.filter(community__subdistrict=subdistrict).select_related("community"):
        estates.append(
            EstateSummary(
                community=estate.community.name,
                name=estate.name,
                buildings=Building.objects.filter(estate=estate).count(),
                entrances=Entrance.objects.filter(building__estate=estate).count(),
                elevators=Elevator.objects.filter(entrance__building__estate=estate).count(),
                apartments=Apartment.objects.filter(entrance__building__estate=estate).count(),
                owners=Owner.objects.filter(ownerships__apartment__entrance__building__estate=estate)
                .distinct()
                .count(),
            )
        )
    order = [p.name for p in ESTATES]
    estates.sort(key=lambda e: order.index(e.name) if e.name in order else len(order))
    campaign = Campaign.objects.filter(subdistrict=subdistrict, name=CAMPAIGN_NAME).first()
    logins = [
        Login(u.username, DEMO_PASSWORD, u.role, role_label(u.role), u.scope)
        for u in DEMO_USERS
        if get_user_model().objects.filter(username=u.username).exists()
    ]
    return DemoSummary(
        created=created,
        subdistrict=subdistrict.name,
        estates=estates,
        logins=logins,
        campaign=campaign.name if campaign else "",
        campaign_id=campaign.pk if campaign else None,
        elevators=sum(e.elevators for e in estates),
        apartments=sum(e.apartments for e in estates),
        owners=Owner.objects.filter(
            ownerships__apartment__entrance__building__estate__community__subdistrict=subdistrict
        )
        .distinct()
        .count(),
    )
