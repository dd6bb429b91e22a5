"""The Liangzhu demo: 余杭区 → 良渚街道 → three communities → 亲亲家园 (30 elevators), 北秀蓝湾 (21),
棕榈湾 (76): 127 elevators, their buildings, entrances, apartments, owners, faults, inspections
and safety assessments, one demo user per role, one open campaign and three owners' motions
(a closed one that passed in 北秀蓝湾, one voting now in 亲亲家园, a draft in 棕榈湾), and the
renewal consultation of issue 4: six vendors with one offer each, a deliberation meeting (众议事)
held in 亲亲家园 with its minutes published and one scheduled in 棕榈湾, and in 亲亲家园 one entrance
voting on its three decisions (换不换、换什么、怎么换) and another with only a funding plan.

Everything here is SAMPLE DATA, generated from a seed: the estates' names are real, the
buildings, owners, device codes and histories are invented. Identity numbers are fake but
well formed (GB 11643 check digit) and, as for real owners, only their keyed hash and last
four characters are stored.

Deterministic: the same seed gives the same registry (device codes, dates, areas, owners).
Fault and inspection histories run up to `today`, so they move with the calendar; each
elevator's history is drawn from its own seeded generator so the rest does not. The motions are
placed relative to `now` (their times move with it, nothing else does): every write goes through
the motions' services with an explicit `now=`, as if staff and owners had acted on those days. The
renewal data goes through the renewals and meetings services the same way (the funding plans are
judged on `today`, so the subsidies in force that day apply).
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

from gongzhi.core.actors import Actor
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
from gongzhi.elevators.registry import owner_id_hash
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
# Vendors (品牌方): fictional companies and brands (the 天干 甲乙丙丁戊己 mark them as samples):
# (company, brand, model). The demo user `vendor` works for the first.
VENDORS: tuple[tuple[str, str, str], ...] = (
    ("浙江甲星电梯有限公司", "甲星", "JX-3000"),
    ("杭州乙安电梯有限公司", "乙安", "YA-MRL10"),
    ("江苏丙达电梯有限公司", "丙达", "BD-860"),
    ("上海丁升电梯有限公司", "丁升", "DS-II"),
    ("广东戊力电梯有限公司", "戊力", "WL-S5"),
    ("浙江己通电梯有限公司", "己通", "JT-Neo"),
)
VENDOR_ORGANISATION = VENDORS[0][0]
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
    demo: str = "liangzhu"  # which part of the demo creates it ("affairs": gongzhi.demo.affairs)


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
    DemoUser("changshuo-jiedao", Role.SUBDISTRICT_STAFF, "昌硕街道", "affairs"),
    DemoUser("changshuo-yeweihui", Role.OWNERS_COMMITTEE, "昌硕街道 94 个小区", "affairs"),
    DemoUser("changshuo-wuye", Role.PROPERTY_MANAGER, "昌硕街道 94 个小区", "affairs"),
    DemoUser("bumen", "department", "昌硕街道城市管理中队", "affairs"),
    DemoUser("bumen2", "department", "昌硕街道供水服务站", "affairs"),
    DemoUser("daibiao", "deputy", "昌硕街道", "affairs"),
    DemoUser("jumin", "resident", "昌硕街道", "affairs"),
    DemoUser("rencai", "talent_admin", "市直机关青年干部人才库（示例）", "talent"),
    DemoUser("danwei", "talent_organisation", "市发改委", "talent"),
    DemoUser("ganbu", "talent_cadre", "本人档案", "talent"),
    DemoUser("jiaoshi", "talent_instructor", "群众工作方法", "talent"),
)
# Logins without a role assignment: a department's member, a deputy, a resident.
EXTRA_LABELS = {
    "admin": "系统管理员",
    "department": "承办部门",
    "deputy": "人大代表",
    "resident": "居民",
    "talent_admin": "人才库管理员",
    "talent_organisation": "单位联络人",
    "talent_cadre": "青年干部",
    "talent_instructor": "授课教师",
}


def role_label(role: str) -> str:
    return EXTRA_LABELS[role] if role in EXTRA_LABELS else str(Role(role).label)


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
    board_path: str = ""  # the campaign board: where each entrance's consultation stands
    affairs: list[str] = field(default_factory=list)  # community affairs in 昌硕街道 (gongzhi.demo.affairs)
    talent: list[str] = field(default_factory=list)  # the young cadres' talent pool (gongzhi.demo.talent)

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


def load_liangzhu(
    *, seed: int = 2024, today: dt.date | None = None, now: dt.datetime | None = None, affairs: bool = True
) -> DemoSummary:
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
        subdistrict = _load(seed=seed, today=today or timezone.localdate(now), now=now, affairs=affairs)
    return demo_summary(subdistrict, created=True)


def _load(*, seed: int, today: dt.date, now: dt.datetime, affairs: bool = True) -> Subdistrict:
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
    open_motion = _motions(seed=seed, subdistrict=subdistrict, users=users, now=now)
    _renewals(seed=seed, subdistrict=subdistrict, users=users, now=now, today=today, open_motion=open_motion)
    from gongzhi.demo.affairs import load_affairs
    from gongzhi.demo.talent import load_talent

    if affairs:  # the county-scale community-affairs sample and the talent pool (tests of the Liangzhu part skip them)
        load_affairs(seed=seed, today=today, users=users, password=DEMO_PASSWORD)
        load_talent(seed=seed, today=today, users=users, password=DEMO_PASSWORD)
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
        if spec.demo != "liangzhu":
            continue
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
    from gongzhi.demo.affairs import affairs_lines
    from gongzhi.demo.talent import talent_lines

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
        board_path=board_path(campaign) if campaign else "",
        affairs=affairs_lines(),
        talent=talent_lines(),
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


def _motions(*, seed: int, subdistrict: Subdistrict, users: dict[str, Any], now: dt.datetime) -> Motion:
    """The three motions; returns the open one (the consultation keeps out of its scope)."""
    base = timezone.localtime(now)
    estates = {e.name: e for e in Estate.objects.filter(community__subdistrict=subdistrict)}
    _closed_motion(seed=seed, estate=estates[CLOSED_MOTION_ESTATE], users=users, base=base)
    open_motion = _open_motion(seed=seed, estate=estates[OPEN_MOTION_ESTATE], users=users, base=base)
    _draft_motion(estate=estates[DRAFT_MOTION_ESTATE], users=users, base=base)
    return open_motion


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


def board_path(campaign: Campaign) -> str:
    """The campaign board's path (where each entrance's consultation stands)."""
    try:
        return reverse("campaign_board", args=[campaign.pk])
    except NoReverseMatch:  # the renewal pages are not mounted
        return ""


# ---------------------------------------------------------------------------------------------
# The renewal consultation (issue 4): vendors and offers, the deliberation meetings, funding
# plans and the three decisions of one entrance, written through the renewals and meetings
# services as the people concerned would have, on the days they would have.

DEMO_CITY = "杭州市"  # the estates are in Hangzhou: its top-up applies (renewals.funding.KNOWN_RULES)
CONFIGURED_VENDOR = 2  # 丙达 quotes by stops served as well as per elevator
SHORTLIST = 3  # offers the meeting put forward to the brand vote
MEETING_ESTATE = "亲亲家园"
UPCOMING_MEETING_ESTATE = "棕榈湾"
LIVESTREAM_BASE = "https://example.invalid"  # a reserved name (RFC 6761): nothing is ever fetched
CONSULTATION_PARTICIPATION = Decimal("0.40")  # share of the entrance's owners who have voted so far


@dataclass
class _Renewal:
    """What the later steps need from the earlier ones."""

    campaign: Campaign
    vendors: list[Any]
    offers: list[Any]
    vendor_users: list[Any]
    shortlist: list[Any] = field(default_factory=list)
    consultation_entrance: Entrance | None = None
    plan_only_entrance: Entrance | None = None


def _renewals(
    *,
    seed: int,
    subdistrict: Subdistrict,
    users: dict[str, Any],
    now: dt.datetime,
    today: dt.date,
    open_motion: Motion,
) -> None:
    from gongzhi.renewals.services import subsidy_rules_install_known

    base = timezone.localtime(now)
    subsidy_rules_install_known()  # normally done after migrating; a flushed test database lacks them
    campaign = Campaign.objects.get(subdistrict=subdistrict, name=CAMPAIGN_NAME)
    estates = {e.name: e for e in Estate.objects.filter(community__subdistrict=subdistrict)}
    data = _vendors_and_offers(seed=seed, subdistrict=subdistrict, campaign=campaign, users=users, base=base)
    data.consultation_entrance, data.plan_only_entrance = _consultation_entrances(
        estates[MEETING_ESTATE], open_motion=open_motion, users=users
    )
    # The meeting compared the six offers and put the three least expensive to the brand vote.
    data.shortlist = sorted(data.offers, key=lambda o: (o.price_per_elevator, o.vendor.name))[:SHORTLIST]
    meeting = _held_meeting(seed=seed, estate=estates[MEETING_ESTATE], data=data, users=users, base=base)
    consultation = _consultation(data=data, users=users, base=base, today=today)
    from gongzhi.meetings.services import minutes_publish

    minutes_publish(
        actor=users["shequ"],
        meeting=meeting,
        conclusions=_conclusions(data),
        motions=consultation.motions,
        now=_day(base, -13, 10),
    )
    _consultation_open(seed=seed, consultation=consultation, users=users, base=base)
    _upcoming_meeting(seed=seed, estate=estates[UPCOMING_MEETING_ESTATE], data=data, users=users, base=base)
    from gongzhi.demo.delivery import load_delivery

    # The works: every elevator except those whose owners are still deciding on the platform.
    still_deciding = [e for e in (data.consultation_entrance, data.plan_only_entrance) if e is not None]
    if open_motion.scope_entrance is not None:
        still_deciding.append(open_motion.scope_entrance)
    load_delivery(
        seed=seed,
        campaign=campaign,
        vendors=data.vendors,
        offers=data.offers,
        users=users,
        skip_entrances=still_deciding,
        skip_building_id=open_motion.scope_building_id,
        today=today,
    )


def _vendors_and_offers(
    *, seed: int, subdistrict: Subdistrict, campaign: Campaign, users: dict[str, Any], base: dt.datetime
) -> _Renewal:
    """Six vendors, each with an account (the first is the demo user `vendor`; the others' accounts
    cannot log in and exist as the authors of their offers), each submitting one offer."""
    from gongzhi.renewals.models import Vendor
    from gongzhi.renewals.services import offer_save, offer_submit

    rng = _rng_for(seed, "vendors")
    user_model = get_user_model()
    vendors: list[Any] = []
    offers: list[Any] = []
    members: list[Any] = []
    for index, (name, brand, model) in enumerate(VENDORS):
        code = credit_code(rng)
        vendor = Vendor.objects.create(
            subdistrict=subdistrict,
            name=name,
            credit_code=code,
            contact=rng.choice(SURNAMES) + "经理",
            phone=f"0571-8{rng.randrange(0, 10**7):07d}",
        )
        if index == 0:
            member = users["vendor"]
        else:
            member = user_model(username=f"vendor{index + 1}", first_name=f"{name}（示例）")
            member.set_unusable_password()
            member.save()
            RoleAssignment.objects.create(user=member, role=Role.VENDOR, subdistrict=subdistrict, organisation=name)
        vendor.members.add(member)
        orng = _rng_for(seed, "offer", name)
        prices: list[dict[str, Any]] | None = None
        if index == CONFIGURED_VENDOR:
            price = Decimal(orng.randrange(235, 286) * 1000)
            prices = [
                {"configuration": "11层站及以下", "min_stops": 2, "max_stops": 11, "price": price - 15000},
                {"configuration": "12至18层站", "min_stops": 12, "max_stops": 18, "price": price},
                {"configuration": "19层站及以上", "min_stops": 19, "max_stops": None, "price": price + 15000},
            ]
        else:
            price = Decimal(orng.randrange(220, 301) * 1000)
        warranty = orng.randint(2, 5)
        offer = offer_save(
            actor=member,
            vendor=vendor,
            campaign=campaign,
            data={
                "brand": brand,
                "model": model,
                "rated_load_kg": orng.choice((800, 1000, 1050)),
                "rated_speed_mps": orng.choice((Decimal("1.00"), Decimal("1.50"), Decimal("1.75"))),
                "machine_room_less": orng.random() < 0.5,
                "energy_class": orng.choice("ABC"),
                "warranty_years": warranty,
                "free_maintenance_years": orng.randint(1, warranty),
                "delivery_days": orng.randrange(30, 91, 5),
                "installation_days": orng.randrange(20, 46, 5),
                "price_per_elevator": price,
                "after_sales": (
                    f"示例条款：{orng.choice((12, 24))}小时响应、{orng.choice((1, 2))}小时到场；"
                    f"质保{warranty}年内免费更换非人为损坏部件；旧梯拆除与清运包含在报价内。"
                ),
            },
            prices=prices,
        )
        offers.append(offer_submit(actor=member, offer=offer, now=_day(base, -30 + index, 10)))
        vendors.append(vendor)
        members.append(member)
    return _Renewal(campaign=campaign, vendors=vendors, offers=offers, vendor_users=members)


def _consultation_entrances(estate: Estate, *, open_motion: Motion, users: dict[str, Any]) -> tuple[Entrance, Entrance]:
    """Two entrances of the estate with elevators, outside the open motion's building and where the
    demo owner holds nothing (so their personal link stays the open motion's), the largest first;
    the second from another building where there is one."""
    owner = RoleAssignment.objects.get(user=users[VOTING_USERNAME], role=Role.OWNER).owner
    qs = Entrance.objects.filter(building__estate=estate, elevators__isnull=False)
    if open_motion.scope_building_id is not None:
        qs = qs.exclude(building_id=open_motion.scope_building_id)
    candidates = list(
        qs.exclude(apartments__ownerships__owner=owner)
        .select_related("building")
        .annotate(n=Count("apartments", distinct=True))
        .order_by("-n", "building__name", "name")
    )
    if len(candidates) < 2:  # pragma: no cover - every seed leaves several
        raise RuntimeError(f"too few entrances in {estate.name}")
    first = candidates[0]
    second = next((e for e in candidates[1:] if e.building_id != first.building_id), candidates[1])
    return first, second


def _held_meeting(*, seed: int, estate: Estate, data: _Renewal, users: dict[str, Any], base: dt.datetime) -> Any:
    """亲亲家园's 众议事 two weeks ago: agenda, invitations by role, sign-in, six pitches in an order
    drawn by lot, questions from the room and the livestream (moderated, one answered by the vendor
    asked, one rejected as off-topic), then ended. The minutes are published once the motions exist."""
    from gongzhi.meetings import services as meetings
    from gongzhi.meetings.models import ParticipantRole

    rng = _rng_for(seed, "meeting", "held")
    staff = users["shequ"]
    starts = _day(base, -14, 19)
    entrances = [e for e in (data.consultation_entrance, data.plan_only_entrance) if e is not None]
    meeting = meetings.meeting_create(
        actor=staff,
        estate=estate,
        fields=meetings.MeetingFields(
            topic=f"{estate.name}老旧电梯更新众议事",
            starts_at=starts,
            venue=f"{estate.name}社区党群服务中心多功能厅（示例）",
            duration_minutes=150,
            description="示例数据。六家品牌方路演并答疑，居民代表、业委会、特约监察员、物业与社区共同议事，全程直播。",
            livestream_url=f"{LIVESTREAM_BASE}/live/qinqinjiayuan",
            entrances=entrances,
            campaign=data.campaign,
        ),
    )
    meetings.agenda_set(actor=staff, meeting=meeting, items=_agenda(pitches=len(data.vendors)))
    # Invitations: accounts where the person has one, otherwise name and phone (checked at sign-in).
    invited: list[tuple[Any, str]] = []  # (participant, how they sign in: account / phone / staff / absent)
    for username in ("shequ", "jiedao"):
        invited.append(
            (
                meetings.participant_invite(
                    actor=staff, meeting=meeting, role=ParticipantRole.STAFF, user=users[username]
                ),
                "account",
            )
        )
    invited.append(
        (
            meetings.participant_invite(
                actor=staff, meeting=meeting, role=ParticipantRole.SUPERVISOR, user=users["jianchayuan"]
            ),
            "account",
        )
    )
    invited.append(
        (
            meetings.participant_invite(
                actor=staff, meeting=meeting, role=ParticipantRole.RESIDENT_REPRESENTATIVE, user=users[VOTING_USERNAME]
            ),
            "account",
        )
    )
    # Resident representatives from the two entrances concerned (owners with a phone on record).
    representatives = list(
        Owner.objects.filter(kind=OwnerKind.PERSON, ownerships__apartment__entrance__in=entrances, phone__gt="")
        .distinct()
        .order_by("id_hash")[:5]
    )
    for index, owner in enumerate(representatives):
        how = "absent" if index == len(representatives) - 1 else "phone"
        invited.append(
            (
                meetings.participant_invite(
                    actor=staff,
                    meeting=meeting,
                    role=ParticipantRole.RESIDENT_REPRESENTATIVE,
                    name=owner.name,
                    phone=owner.phone,
                ),
                how,
            )
        )
    for index in range(2):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        invited.append(
            (
                meetings.participant_invite(
                    actor=staff,
                    meeting=meeting,
                    role=ParticipantRole.OWNERS_COMMITTEE,
                    name=name,
                    phone=phone_number(rng),
                ),
                "phone" if index == 0 else "absent",
            )
        )
    invited.append(
        (
            meetings.participant_invite(
                actor=staff,
                meeting=meeting,
                role=ParticipantRole.PROPERTY_MANAGER,
                name=rng.choice(SURNAMES) + rng.choice(GIVEN) + "（物业项目经理）",
                phone=phone_number(rng),
            ),
            "staff",
        )
    )
    for vendor, member in zip(data.vendors, data.vendor_users, strict=True):
        invited.append(
            (
                meetings.participant_invite(
                    actor=staff, meeting=meeting, role=ParticipantRole.VENDOR, user=member, vendor=vendor
                ),
                "account",
            )
        )
    _pitches(rng=rng, meeting=meeting, data=data, actor=staff, first=starts + dt.timedelta(minutes=25))
    meetings.meeting_transition(actor=staff, meeting=meeting, step="start")
    for number, (participant, how) in enumerate(invited):
        at = starts - dt.timedelta(minutes=30) + dt.timedelta(minutes=number)
        if how == "account":
            meetings.sign_in_account(meeting=meeting, user=participant.user, now=at)
        elif how == "phone":
            meetings.sign_in_by_phone(
                meeting=meeting, name=participant.name, phone_last4=participant.phone[-4:], now=at
            )
        elif how == "staff":
            meetings.attendance_mark(actor=staff, participant=participant, attended=True, now=at)
    _questions(meeting=meeting, data=data, users=users, starts=starts)
    meetings.meeting_transition(actor=staff, meeting=meeting, step="end")
    return meeting


def _agenda(*, pitches: int) -> list[Any]:
    from gongzhi.meetings.services import AgendaEntry

    return [
        AgendaEntry("开场与议程说明", 10, "社区工作人员"),
        AgendaEntry("电梯现状与更新政策解读", 15, "街道工作人员"),
        AgendaEntry(f"品牌方路演（{pitches}家，每家10分钟，顺序抽签）", 10 * pitches, "各品牌方"),
        AgendaEntry("现场与直播提问、品牌方答疑", 40, "社区工作人员主持"),
        AgendaEntry("资金方案与分摊方式说明", 15, "社区工作人员"),
        AgendaEntry("形成会议结论", 10, "居民代表、业委会"),
    ]


def _pitches(*, rng: random.Random, meeting: Any, data: _Renewal, actor: Actor, first: dt.datetime) -> None:
    """Every vendor's pitch, ten minutes each, in an order drawn by lot (抽签)."""
    from gongzhi.meetings.services import pitch_add

    order = list(range(len(data.vendors)))
    rng.shuffle(order)
    for slot, index in enumerate(order, start=1):
        starts = first + dt.timedelta(minutes=10 * (slot - 1))
        pitch_add(
            actor=actor,
            meeting=meeting,
            vendor=data.vendors[index],
            order=slot,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=10),
            link=f"{LIVESTREAM_BASE}/pitches/{meeting.pk}/{slot}.pdf",
            offer=data.offers[index],
        )


def _questions(*, meeting: Any, data: _Renewal, users: dict[str, Any], starts: dt.datetime) -> None:
    from gongzhi.meetings import services as meetings

    staff, owner, supervisor = users["shequ"], users[VOTING_USERNAME], users["jianchayuan"]
    asked = starts + dt.timedelta(minutes=25 + 10 * len(data.vendors))
    first = data.vendors[0]
    q1 = meetings.question_submit(
        actor=owner,
        meeting=meeting,
        text=f"请问{first.name}：老楼井道尺寸偏小，无机房方案能装下吗？拆装期间大约停梯多少天？",
        addressed_to=first,
        now=asked,
    )
    q2 = meetings.question_submit(
        actor=supervisor,
        meeting=meeting,
        text="补助资金什么时候到位？业主自筹部分是否需要先行垫付？",
        now=asked + dt.timedelta(minutes=2),
    )
    q3 = meetings.question_submit(
        actor=owner,
        meeting=meeting,
        text="免费维保期满以后，每年的维保费用大约多少？能否写进合同？",
        addressed_to=data.shortlist[-1].vendor,
        now=asked + dt.timedelta(minutes=4),
    )
    q4 = meetings.question_submit(
        actor=owner,
        meeting=meeting,
        text="我家楼上漏水好几天了，物业电话一直打不通，谁来管？",
        now=asked + dt.timedelta(minutes=6),
    )
    moderated = asked + dt.timedelta(minutes=8)
    meetings.question_moderate(actor=staff, question=q1, decision="pin", now=moderated)
    meetings.question_moderate(actor=staff, question=q2, decision="approve", now=moderated)
    meetings.question_moderate(actor=staff, question=q3, decision="approve", now=moderated)
    # Off-topic for this meeting: staff pass it to the property manager instead of showing it.
    meetings.question_moderate(actor=staff, question=q4, decision="reject", now=moderated)
    meetings.question_answer(
        actor=data.vendor_users[0],
        question=q1,
        text="示例回答：签约前我们会逐台测量井道；无机房机型所需井道较小，多数老楼可以安装。"
        "拆旧到验收合格约需35天，其间安排爬楼协助。",
        now=moderated + dt.timedelta(minutes=3),
    )
    meetings.question_answer(
        actor=staff,
        question=q2,
        text="示例回答：补助按规定程序在验收后拨付，资金方案中已列明各项来源；自筹部分的缴纳方式随资金方案一并表决。",
        now=moderated + dt.timedelta(minutes=5),
    )


def _conclusions(data: _Renewal) -> str:
    names = "、".join(f"{o.vendor.name}（{o.brand} {o.model}）" for o in data.shortlist)
    return (
        f"一、{len(data.vendors)}家品牌方完成路演并回答了现场与直播提问。\n"
        f"二、经居民代表、业委会与特约监察员讨论，推荐以下{len(data.shortlist)}家报价进入品牌表决：{names}。\n"
        f"三、{data.consultation_entrance}先行开展三项表决（是否更新、品牌选择、资金方案）；"
        f"{data.plan_only_entrance}的资金方案先行公示，征求意见后再发起表决。\n"
        "四、业主自筹部分未另行约定的，按专有部分面积分摊（《民法典》第二百八十三条）。\n"
        "（示例数据）"
    )


def _plan(*, actor: Actor, entrance: Entrance, offer: Any, today: dt.date, method: str = "area") -> Any:
    """A funding plan that uses some of the maintenance fund and public revenue: it first works out
    what the subsidies leave (renewals.funding, the same arithmetic as the service), then puts 40% of
    that on the fund and 10% on public revenue (whole hundreds of yuan), so the owners' part is
    positive and the plan balances whatever the seed and the date."""
    from django.db.models import Max

    from gongzhi.renewals import funding
    from gongzhi.renewals.services import active_subsidy_rules, funding_plan_create, offer_price_for

    elevators = Elevator.objects.filter(entrance=entrance).count()
    stops = int(Elevator.objects.filter(entrance=entrance).aggregate(m=Max("stops"))["m"])
    job = funding.SubsidyJob(
        elevators=elevators, stops=stops, works_cost=offer_price_for(offer, stops), on=today, city=DEMO_CITY
    )
    left = funding.funding_plan(funding.FundingInputs.for_job(job, active_subsidy_rules())).owners_remaining
    hundred = Decimal(100)
    coefficients: dict[int, Decimal] | None = None
    if method != "area":
        floors = Apartment.objects.filter(entrance=entrance).values_list("floor", flat=True).distinct()
        coefficients = {f: _floor_coefficient(f) for f in floors}
    return funding_plan_create(
        actor=actor,
        entrance=entrance,
        offer=offer,
        stops=stops,
        on=today,
        elevators=elevators,
        maintenance_fund=(left * Decimal("0.4") // hundred) * hundred,
        public_revenue=(left * Decimal("0.1") // hundred) * hundred,
        method=method,
        coefficients=coefficients,
        city=DEMO_CITY,
    )


def _floor_coefficient(floor: int) -> Decimal:
    """An editable example table (owners adopt one by their motion): the ground floor pays little,
    the next two floors somewhat less, higher floors a little more each."""
    if floor <= 1:
        return Decimal("0.20")
    if floor <= 3:
        return Decimal("0.60")
    return (Decimal(1) + Decimal("0.05") * (floor - 4)).quantize(Decimal("0.01"))


def _consultation(*, data: _Renewal, users: dict[str, Any], base: dt.datetime, today: dt.date) -> Any:
    """Funding plans for both entrances (the second by floor coefficients × area, to show the other
    method), and the first entrance's three motions from the template (drafts until announced)."""
    from gongzhi.renewals.services import consultation_create

    staff = users["shequ"]
    if data.consultation_entrance is None or data.plan_only_entrance is None:  # pragma: no cover
        raise RuntimeError("no consultation entrances")
    plan = _plan(actor=staff, entrance=data.consultation_entrance, offer=data.shortlist[0], today=today)
    _plan(actor=staff, entrance=data.plan_only_entrance, offer=data.shortlist[1], today=today, method="floor-area")
    return consultation_create(
        actor=staff,
        plan=plan,
        offers=data.shortlist,
        opens_at=_day(base, -2, 8),
        closes_at=_day(base, 12, 20),
    )


def _consultation_open(*, seed: int, consultation: Any, users: dict[str, Any], base: dt.datetime) -> None:
    """Announce the three motions ten days ago (rolls frozen, offers locked); since voting opened two
    days ago, about 40% of the entrance's owners have voted online, most on all three."""
    from gongzhi.motions.models import MotionOption
    from gongzhi.renewals.services import consultation_open

    rng = _rng_for(seed, "consultation")
    consultation_open(actor=users["shequ"], consultation=consultation, now=_day(base, -10, 9))
    replace, brand, funding_motion = consultation.motions
    options = [
        f"opt{p}"
        for p in MotionOption.objects.filter(motion=brand).order_by("position").values_list("position", flat=True)
    ]
    voters = {
        motion.pk: {v.owner_key: v for v in Voter.objects.filter(motion=motion).order_by("number")}
        for motion in (replace, brand, funding_motion)
    }
    keys = list(voters[replace.pk])
    rng.shuffle(keys)
    participants = keys[: max(3, int(len(keys) * CONSULTATION_PARTICIPATION))]
    opens, now = replace.opens_at, base - dt.timedelta(hours=1)
    for i, key in enumerate(participants):
        at = _moment(rng, opens, now)
        picks: list[tuple[Any, str]] = [(replace, Choice.AGAINST if i % 6 == 3 else Choice.FOR)]
        if i % 10 != 9:  # a few voted on the first question only, so far
            picks.append((brand, Choice.ABSTAIN if i % 8 == 5 else rng.choice(options)))
            picks.append((funding_motion, Choice.AGAINST if i % 4 == 1 else Choice.FOR))
        for step, (motion, choice) in enumerate(picks):
            voter = voters[motion.pk][key]
            when = at + dt.timedelta(minutes=step)
            token = motions.voter_session_issue(voter=voter, now=when)
            motions.ballot_cast_online(
                session_token=token, choice=choice, request_key=f"demo-{motion.pk}-{voter.number}", now=when
            )


def _upcoming_meeting(*, seed: int, estate: Estate, data: _Renewal, users: dict[str, Any], base: dt.datetime) -> None:
    """棕榈湾's first 众议事, scheduled for next week with its livestream: agenda, invitations (nobody
    has signed in yet) and the six pitches."""
    from gongzhi.meetings import services as meetings
    from gongzhi.meetings.models import ParticipantRole

    rng = _rng_for(seed, "meeting", "upcoming")
    staff = users["jiedao"]
    starts = _day(base, 6, 19)
    building = Building.objects.filter(estate=estate).order_by("id").first()
    meeting = meetings.meeting_create(
        actor=staff,
        estate=estate,
        fields=meetings.MeetingFields(
            topic=f"{estate.name}老旧电梯更新众议事（第一场）",
            starts_at=starts,
            venue=f"{estate.name}社区文化家园（示例）",
            duration_minutes=150,
            description="示例数据。欢迎业主到场或观看直播并在线提问。",
            livestream_url=f"{LIVESTREAM_BASE}/live/zonglvwan",
            entrances=list(Entrance.objects.filter(building=building).order_by("name")) if building else [],
            campaign=data.campaign,
        ),
    )
    meetings.agenda_set(actor=staff, meeting=meeting, items=_agenda(pitches=len(data.vendors)))
    meetings.participant_invite(actor=staff, meeting=meeting, role=ParticipantRole.STAFF, user=staff)
    meetings.participant_invite(actor=staff, meeting=meeting, role=ParticipantRole.PROPERTY_MANAGER, user=users["wuye"])
    meetings.participant_invite(
        actor=staff, meeting=meeting, role=ParticipantRole.SUPERVISOR, user=users["jianchayuan"]
    )
    for _ in range(3):
        meetings.participant_invite(
            actor=staff,
            meeting=meeting,
            role=ParticipantRole.RESIDENT_REPRESENTATIVE,
            name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            phone=phone_number(rng),
        )
    for vendor, member in zip(data.vendors, data.vendor_users, strict=True):
        meetings.participant_invite(
            actor=staff, meeting=meeting, role=ParticipantRole.VENDOR, user=member, vendor=vendor
        )
    _pitches(rng=rng, meeting=meeting, data=data, actor=staff, first=starts + dt.timedelta(minutes=25))
