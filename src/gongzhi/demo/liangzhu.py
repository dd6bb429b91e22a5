"""The Liangzhu demo: 余杭区 → 良渚街道 → three communities → 亲亲家园 (30 elevators), 北秀蓝湾 (21),
棕榈湾 (76): 127 elevators, their buildings, entrances, apartments, owners, faults, inspections
and safety assessments, one demo user per role, one open campaign and three owners' motions
(a closed one that passed in 北秀蓝湾, one voting now in 亲亲家园, a draft in 棕榈湾).

Everything here is SAMPLE DATA, generated from a seed: the estates' names are real, the
buildings, owners, device codes and histories are invented. Identity numbers are fake but
well formed (GB 11643 check digit) and, as for real owners, only their keyed hash and last
four characters are stored.

Deterministic: the same seed gives the same registry (device codes, dates, areas, owners).
Fault and inspection histories run up to `today`, so they move with the calendar; each
elevator's history is drawn from its own seeded generator so the rest does not. The motions are
placed relative to `now` (their times move with it, nothing else does): every write goes through
the motions' services with an explicit `now=`, as if staff and owners had acted on those days.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
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
from gongzhi.motions import codes
from gongzhi.motions import services as motions
from gongzhi.motions.models import Choice, MeetingKind, Motion, MotionStatus, ScopeKind, Voter
from gongzhi.motions.thresholds import PRESET_ORDINARY
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


PHONE_SHARE = 0.8
PHONE_PREFIXES = ("135", "136", "137", "138", "139", "150", "158", "159", "186", "187", "188", "189")


def phone_number(rng: random.Random) -> str:
    """A made-up mainland mobile number (11 digits)."""
    return f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(0, 10**8):08d}"


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
class MotionSummary:
    estate: str
    title: str
    status: str
    status_label: str
    passed: bool | None  # None until the motion is closed
    public_id: str


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
    motions: list[MotionSummary] = field(default_factory=list)
    voting_username: str = ""  # the demo owner who can vote on the open motion...
    voting_path: str = ""  # ...through this personal link (path only: the host is the server's)

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


def load_liangzhu(*, seed: int = 2024, today: dt.date | None = None, now: dt.datetime | None = None) -> DemoSummary:
    """Load the Liangzhu demo once; when 良渚街道 already exists, write nothing and return its summary.

    `now` anchors the motions (default: the wall clock, or noon of `today` when only that is given,
    so a test that fixes the day gets the same motions every time); `today` defaults to its date."""
    existing = Subdistrict.objects.filter(district__name=DISTRICT, name=SUBDISTRICT).first()
    if existing is not None:
        return demo_summary(existing, created=False)
    if now is None:
        now = (
            timezone.now()
            if today is None
            else dt.datetime.combine(today, dt.time(12), tzinfo=timezone.get_current_timezone())
        )
    with transaction.atomic():
        subdistrict = _load(seed=seed, today=today or timezone.localdate(now), now=now)
    return demo_summary(subdistrict, created=True)


def _load(*, seed: int, today: dt.date, now: dt.datetime) -> Subdistrict:
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
        phones = _rng_for(seed, "phones", plan.name)  # its own generator: the registry draws stay as they were
        for owner in owners:
            number = new_person_id()
            owner.id_hash = owner_id_hash(number)
            owner.id_last4 = number[-4:]
            # Most owners have a mobile on record (they vote online); the others get paper sheets.
            owner.phone = phone_number(phones) if phones.random() < PHONE_SHARE else ""
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
    _motions(seed=seed, subdistrict=subdistrict, users=users, now=now)
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
    motion_rows = [
        MotionSummary(
            estate=m.estate.name,
            title=m.title,
            status=m.status,
            status_label=str(m.get_status_display()),
            passed=m.result.passed if m.status == MotionStatus.CLOSED else None,
            public_id=str(m.public_id),
        )
        for m in Motion.objects.filter(estate__community__subdistrict=subdistrict)
        .select_related("estate", "result")
        .order_by("opens_at", "id")
    ]
    voter, username = demo_voter(subdistrict)
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
        motions=motion_rows,
        voting_username=username if voter else "",
        voting_path=voting_path(voter) if voter else "",
    )


# ---------------------------------------------------------------------------------------------
# Owners' motions: three states of the same procedure, written through the services.

OPEN_MOTION_ESTATE = "亲亲家园"
CLOSED_MOTION_ESTATE = "北秀蓝湾"
DRAFT_MOTION_ESTATE = "棕榈湾"
VOTING_USERNAME = "yezhu"
# The open motion's participation by area: below the 2/3 quorum, so "still needed" and the
# door-knocking list have work to show.
OPEN_PARTICIPATION = Decimal("0.57")


def _motions(*, seed: int, subdistrict: Subdistrict, users: dict[str, Any], now: dt.datetime) -> None:
    base = timezone.localtime(now)
    estates = {e.name: e for e in Estate.objects.filter(community__subdistrict=subdistrict)}
    _closed_motion(seed=seed, estate=estates[CLOSED_MOTION_ESTATE], users=users, base=base)
    _open_motion(seed=seed, estate=estates[OPEN_MOTION_ESTATE], users=users, base=base)
    _draft_motion(estate=estates[DRAFT_MOTION_ESTATE], users=users, base=base)


def _day(base: dt.datetime, days: int, hour: int) -> dt.datetime:
    """`hour` o'clock (local time) on the day `days` after base's day: announced times are round."""
    return base.replace(hour=hour, minute=0, second=0, microsecond=0) + dt.timedelta(days=days)


def authorisation_pdf(voter_number: int, proxy_name_ascii: str) -> bytes:
    """A tiny valid one-page PDF standing in for a scanned, signed authorisation (委托书).

    Built in memory with a correct cross-reference table, so any PDF reader opens it."""
    text = f"Proxy authorisation (sample) - sheet {voter_number} - {proxy_name_ascii}"
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>"
        ),
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@dataclass(frozen=True)
class _Cast:
    voter: Voter
    choice: str
    channel: str  # "online", "paper", "paper-mismatch" (resolved), "proxy"
    at: dt.datetime
    changed_from: str = ""  # online only: an earlier choice this owner replaced before closing


def _cast_all(casts: list[_Cast], *, manager: Any, keyers: tuple[Any, Any], rng: random.Random, motion: Motion) -> None:
    """Record the ballots the way they would have arrived: owners online (the code step is the
    voter's own, so the demo issues the verified session directly), paper sheets keyed twice by
    two different people, a mismatch settled against the sheet, a proxy with its scan."""
    first, second = keyers
    for cast in sorted(casts, key=lambda c: (c.at, c.voter.number)):
        voter = cast.voter
        if cast.channel == "online":
            steps = [(cast.choice, cast.at)]
            if cast.changed_from:  # every version is kept; the last one counts
                steps.insert(0, (cast.changed_from, motion.opens_at + (cast.at - motion.opens_at) / 2))
            for version, (choice, at) in enumerate(steps, start=1):
                token = motions.voter_session_issue(voter=voter, now=at)
                motions.ballot_cast_online(
                    session_token=token,
                    choice=choice,
                    request_key=f"demo-{motion.pk}-{voter.number}-{version}",
                    now=at,
                )
        elif cast.channel == "proxy":
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            pdf = authorisation_pdf(voter.number, f"proxy {voter.number}")
            motions.proxy_vote(
                actor=first,
                voter=voter,
                choice=cast.choice,
                proxy_name=name,
                proxy_id_last4=f"{rng.randrange(0, 10000):04d}",
                scan=SimpleUploadedFile("委托书.pdf", pdf, content_type="application/pdf"),
                request_key=f"demo-proxy-{motion.pk}-{voter.number}",
                now=cast.at,
            )
        else:
            motions.paper_request(actor=first, voter=voter)
            later = cast.at + dt.timedelta(hours=2)
            if cast.channel == "paper-mismatch":
                misread = Choice.AGAINST if cast.choice != Choice.AGAINST else Choice.FOR
                motions.paper_entry_add(actor=first, voter=voter, choice=cast.choice, now=cast.at)
                motions.paper_entry_add(actor=second, voter=voter, choice=misread, now=later)
                motions.paper_mismatch_resolve(
                    actor=manager,
                    voter=voter,
                    choice=cast.choice,
                    note="核对纸质表决票原件：勾选项清楚，第二次录入有误。",
                    now=later + dt.timedelta(hours=1),
                )
            else:
                motions.paper_entry_add(actor=first, voter=voter, choice=cast.choice, now=cast.at)
                motions.paper_entry_add(actor=second, voter=voter, choice=cast.choice, now=later)


def _moment(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A time between start and end, leaving three hours at the end for the second paper keying."""
    minutes = int((end - start) / dt.timedelta(minutes=1)) - 240
    return start + dt.timedelta(minutes=60 + rng.randrange(0, max(minutes, 1)))


def _channels(participants: list[Voter]) -> dict[int, str]:
    """The first participant votes by proxy (the developer, when it takes part), those without a
    phone and two who asked for paper (Hangzhou 物业管理条例 Art. 20) on paper, the rest online."""
    channels: dict[int, str] = {}
    for index, voter in enumerate(participants):
        if index == 0:
            channels[voter.pk] = "proxy"
        elif index in {1, 2} or not voter.phone:
            channels[voter.pk] = "paper"
        else:
            channels[voter.pk] = "online"
    return channels


def _closed_motion(*, seed: int, estate: Estate, users: dict[str, Any], base: dt.datetime) -> Motion:
    """北秀蓝湾: one entrance voted on renewing its elevators (ordinary rule) and passed; closed three
    days ago with a 15-day objection window still running."""
    rng = _rng_for(seed, "motion", "closed")
    entrance = (
        Entrance.objects.filter(building__estate=estate)
        .select_related("building")
        .annotate(n=Count("apartments"))
        .order_by("-n", "building_id", "id")
        .first()
    )
    if entrance is None:
        raise RuntimeError(f"no entrance in {estate.name}")
    manager = users["yeweihui"]  # the owners' committee convenes the vote
    opens = _day(base, -20, 8)
    closes = _day(base, -3, 20)
    title = f"{entrance.building.name}{entrance.name}电梯更新"
    motion = motions.motion_create(
        actor=manager,
        estate=estate,
        title=title,
        question=f"是否同意更新{title[:-4]}的电梯，并按本单元业主大会确定的方案使用维修资金？",
        description="示例数据。更新方案、报价与分摊表已在单元门口公示。",
        scope_kind=ScopeKind.ENTRANCE,
        scope_entrance=entrance,
        opens_at=opens,
        closes_at=closes,
        rule=PRESET_ORDINARY,
        meeting_kind=MeetingKind.EXTRAORDINARY,
        objection_days=15,
    )
    motion = motions.motion_open(actor=manager, motion=motion, now=opens - dt.timedelta(days=8))
    voters = list(Voter.objects.filter(motion=motion).order_by("number"))
    rng.shuffle(voters)
    voters.sort(key=lambda v: v.owner_key != "developer")  # stable: the developer (if any) first
    total = sum((v.area for v in voters), Decimal(0))
    away = voters[len(voters) - len(voters) // 6 :]  # about one in six does not vote
    participants = voters[: len(voters) - len(away)]
    while away and sum((v.area for v in participants), Decimal(0)) * 4 < total * 3:
        largest = max(away, key=lambda v: (v.area, -v.number))
        away.remove(largest)
        participants.append(largest)
    choices: dict[int, str] = {
        v.pk: Choice.AGAINST if i % 7 == 3 else Choice.ABSTAIN if i % 11 == 5 else Choice.FOR
        for i, v in enumerate(participants)
    }
    _ensure_majority(participants, choices)
    channels = _channels(participants)
    paper = [v for v in participants if channels[v.pk] == "paper"]
    if paper:
        channels[paper[0].pk] = "paper-mismatch"
    # One owner changed their mind before closing (against, then for).
    changer = next((v for v in participants if channels[v.pk] == "online" and choices[v.pk] == Choice.FOR), None)
    casts = [
        _Cast(
            v,
            choices[v.pk],
            channels[v.pk],
            _moment(rng, opens, closes),
            changed_from=Choice.AGAINST if v is changer else "",
        )
        for v in participants
    ]
    _cast_all(casts, manager=manager, keyers=(manager, users["jiedao"]), rng=rng, motion=motion)
    result = motions.motion_close(actor=manager, motion=motion, now=closes + dt.timedelta(hours=2))
    if not result.passed:  # pragma: no cover - _ensure_majority makes it pass
        raise RuntimeError("the demo's closed motion should have passed")
    return motion


def _ensure_majority(participants: list[Voter], choices: dict[int, str]) -> None:
    """Make sure more than half of the participating area and heads agree (Civil Code Art. 278:
    过半数, Art. 1259: strictly more), turning the largest dissenters first, so any seed passes."""
    area = sum((v.area for v in participants), Decimal(0))
    while True:
        agree = [v for v in participants if choices[v.pk] == Choice.FOR]
        if sum((v.area for v in agree), Decimal(0)) * 2 > area and len(agree) * 2 > len(participants):
            return
        other = max((v for v in participants if choices[v.pk] != Choice.FOR), key=lambda v: (v.area, -v.number))
        choices[other.pk] = Choice.FOR


def _open_motion(*, seed: int, estate: Estate, users: dict[str, Any], base: dt.datetime) -> Motion:
    """亲亲家园: the building where the demo owner lives votes now (opened four days ago, closes in
    ten), with about 57% of the area taken part, a sheet keyed once, a mismatch waiting, and the
    demo owner not yet voted so a visitor can vote through the printed link."""
    rng = _rng_for(seed, "motion", "open")
    owner = RoleAssignment.objects.select_related("owner").get(user=users[VOTING_USERNAME], role=Role.OWNER).owner
    if owner is None:  # pragma: no cover - _users gives the owner user an owner
        raise RuntimeError("the demo owner has no owner record")
    if not owner.phone:  # the visitor confirms a code sent to the phone on record (shown on the console)
        owner.phone = phone_number(rng)
        owner.save(update_fields=["phone"])
    owned = Building.objects.filter(estate=estate, entrances__apartments__ownerships__owner=owner).values("id")
    building = (
        Building.objects.filter(id__in=owned).annotate(n=Count("entrances__apartments")).order_by("-n", "id").first()
    )
    if building is None:  # pragma: no cover
        raise RuntimeError(f"the demo owner holds nothing in {estate.name}")
    staff, keyer = users["shequ"], users["jiedao"]
    opens = _day(base, -4, 8)
    closes = _day(base, 10, 20)
    motion = motions.motion_create(
        actor=staff,
        estate=estate,
        title=f"{building.name}电梯更新",
        question=f"是否同意更新{building.name}各单元的电梯，并按公示的分摊方案使用维修资金？",
        description="示例数据。可用示例业主账号的个人表决链接体验线上表决。",
        scope_kind=ScopeKind.BUILDING,
        scope_building=building,
        opens_at=opens,
        closes_at=closes,
        rule=PRESET_ORDINARY,
        meeting_kind=MeetingKind.EXTRAORDINARY,
        objection_days=7,
    )
    motion = motions.motion_open(actor=staff, motion=motion, now=opens - dt.timedelta(days=8))
    voters = list(Voter.objects.filter(motion=motion).order_by("number"))
    mine = set(Voter.objects.filter(motion=motion, owners=owner).values_list("pk", flat=True))
    others = [v for v in voters if v.pk not in mine]
    rng.shuffle(others)
    total = sum((v.area for v in voters), Decimal(0))
    participants: list[Voter] = []
    area = Decimal(0)
    while others and area < total * OPEN_PARTICIPATION:
        voter = others.pop(0)
        participants.append(voter)
        area += voter.area
    choices: dict[int, str] = {
        v.pk: Choice.AGAINST if i % 5 == 2 else Choice.ABSTAIN if i % 9 == 4 else Choice.FOR
        for i, v in enumerate(participants)
    }
    channels = _channels(participants)
    now = base - dt.timedelta(hours=1)
    casts = [_Cast(v, choices[v.pk], channels[v.pk], _moment(rng, opens, now)) for v in participants]
    _cast_all(casts, manager=staff, keyers=(staff, keyer), rng=rng, motion=motion)
    # Paper work in progress: one sheet keyed once (needs a second person), one keyed twice differently.
    if len(others) >= 2:
        once, disputed = others[0], others[1]
        motions.paper_request(actor=staff, voter=once)
        motions.paper_entry_add(actor=staff, voter=once, choice=Choice.FOR, now=now)
        motions.paper_request(actor=staff, voter=disputed)
        motions.paper_entry_add(actor=staff, voter=disputed, choice=Choice.FOR, now=now)
        motions.paper_entry_add(actor=keyer, voter=disputed, choice=Choice.ABSTAIN, now=now)
    return motion


def _draft_motion(*, estate: Estate, users: dict[str, Any], base: dt.datetime) -> Motion:
    """棕榈湾: a draft prepared by the subdistrict for a regular assembly three weeks from now, so it
    can still be announced 15 days ahead (Hangzhou 物业管理条例 Art. 19)."""
    building = Building.objects.filter(estate=estate).order_by("id").first()
    if building is None:  # pragma: no cover
        raise RuntimeError(f"no building in {estate.name}")
    opens = _day(base, 21, 9)
    return motions.motion_create(
        actor=users["jiedao"],
        estate=estate,
        title=f"{building.name}电梯更新",
        question=f"是否同意更新{building.name}的电梯，并按公示的分摊方案使用维修资金？",
        description="示例数据。草稿：核对范围与时间后公告并冻结名册。",
        scope_kind=ScopeKind.BUILDING,
        scope_building=building,
        opens_at=opens,
        closes_at=_day(base, 35, 20),
        rule=PRESET_ORDINARY,
        meeting_kind=MeetingKind.REGULAR,
        objection_days=7,
    )


def demo_voter(subdistrict: Subdistrict) -> tuple[Voter | None, str]:
    """The demo owner's voter on the open motion (the first by sheet number), and their username."""
    assignment = (
        RoleAssignment.objects.filter(user__username=VOTING_USERNAME, role=Role.OWNER).select_related("owner").first()
    )
    if assignment is None or assignment.owner is None:
        return None, VOTING_USERNAME
    voter = (
        Voter.objects.filter(
            motion__estate__community__subdistrict=subdistrict,
            motion__estate__name=OPEN_MOTION_ESTATE,
            motion__status=MotionStatus.OPEN,
            owners=assignment.owner,
        )
        .select_related("motion")
        .order_by("motion__opens_at", "number")
        .first()
    )
    return voter, VOTING_USERNAME


def voting_path(voter: Voter) -> str:
    """The voter's personal link (derived from the secret key, never stored)."""
    token = codes.voter_token(voter.pk, str(voter.motion.public_id))
    try:
        return reverse("vote_link", args=[token])
    except NoReverseMatch:  # the voters' pages are not mounted
        return f"/v/{token}/"
