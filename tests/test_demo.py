"""The Liangzhu demo: counts, determinism, idempotency, tiers, owners, logins, commands, motions,
and the renewal consultation (vendors, offers, meetings, funding plans, the three decisions)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Max, Min
from django.test import Client, override_settings
from django.urls import resolve
from django.utils import timezone
from pytest_django.fixtures import Settings

from gongzhi.demo.liangzhu import (
    DEMO_PASSWORD,
    DEMO_USERS,
    MAKERS,
    VENDORS,
    authorisation_pdf,
    credit_code,
    demo_voter,
    load_liangzhu,
    resident_id,
)
from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.device_codes import device_code_warning
from gongzhi.elevators.models import Campaign, CampaignEntry, Elevator, FaultRecord, SafetyAssessment
from gongzhi.elevators.registry import owner_id_hash
from gongzhi.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Pitch,
    Question,
    QuestionStatus,
)
from gongzhi.meetings.selectors import access_meetings
from gongzhi.motions import codes
from gongzhi.motions import services as motion_services
from gongzhi.motions.models import (
    Ballot,
    BallotVersion,
    Motion,
    MotionStatus,
    PaperEntry,
    ProxyAuthorisation,
    RollEntry,
    Voter,
)
from gongzhi.motions.selectors import (
    access_motions,
    door_knocking,
    motion_recount,
    motion_tally,
    paper_mismatches,
    voting_open,
)
from gongzhi.places.access import Action
from gongzhi.places.models import (
    Apartment,
    Building,
    Community,
    Estate,
    Owner,
    OwnerKind,
    Ownership,
    Role,
    RoleAssignment,
    Subdistrict,
)
from gongzhi.portal.selectors import campaign_board
from gongzhi.renewals.models import (
    Consultation,
    FundingPlan,
    Offer,
    OfferPrice,
    OfferStatus,
    OptionOffer,
    Vendor,
)
from gongzhi.renewals.selectors import access_offers, access_plans
from gongzhi.renewals.services import plan_shares

# demo_data: the sample data's own tests run in the SQLite pass, the demo's database (Makefile).
pytestmark = [pytest.mark.django_db, pytest.mark.demo_data]

TODAY = dt.date(2026, 11, 27)
REFERENCE = dt.date(2024, 9, 1)
# With only `today` given, the demo's motions are placed relative to noon of that day.
ANCHOR = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True, scope="module")
def _media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The demo's proxy vote stores its authorisation scan: keep it out of var/."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("demo-media"))):
        yield


@dataclass
class Loaded:
    """The demo kept for the module, and the digests of the loads made on the way (determinism)."""

    summary: object
    digests: dict[str, tuple[str, str, str]]


def _digests() -> tuple[str, str, str]:
    return (registry_digest(), motions_digest(), renewals_digest())


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup: None, django_db_blocker: Any, _media: None) -> Iterator[Loaded]:
    """The demo loaded once for the module, in a transaction rolled back at the end. On the way,
    for the determinism test, seed 2024 is loaded once in a savepoint rolled back and seed 1 once
    (three loads in all, each into an empty database). Tests that need an empty database run before
    it (conftest orders them first); each test still runs in its own savepoint, so what one test
    writes does not reach the next.

    (Savepoints rather than `flush`: inside the transaction PostgreSQL refuses TRUNCATE with
    deferred foreign-key checks pending.)"""
    digests: dict[str, tuple[str, str, str]] = {}
    with django_db_blocker.unblock(), transaction.atomic():
        for name, seed in (("first", 2024), ("seed 1", 1)):
            with transaction.atomic():
                assert Elevator.objects.count() == 0
                load_liangzhu(seed=seed, today=TODAY, affairs=False)
                digests[name] = _digests()
                # Whatever the seed, the closed motion passed and the open one still needs votes.
                assert Motion.objects.get(status=MotionStatus.CLOSED).result.passed
                open_motion = Motion.objects.get(status=MotionStatus.OPEN, scope_kind="building")
                assert not motion_tally(open_motion).quorum_met
                assert Consultation.objects.count() == 1
                transaction.set_rollback(True)
        assert Elevator.objects.count() == 0
        summary = load_liangzhu(today=TODAY, affairs=False)
        digests["kept"] = _digests()
        yield Loaded(summary, digests)
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_loaded: Loaded, db: None) -> object:
    return _demo_loaded.summary


@pytest.fixture
def demo_loads(_demo_loaded: Loaded, demo: object) -> Loaded:
    return _demo_loaded


def registry_digest() -> str:
    """Natural data only (no ids), so that two databases can be compared."""
    h = hashlib.sha256()
    for row in Elevator.objects.order_by("device_code").values_list(
        "device_code",
        "registration_number",
        "commissioned_on",
        "entrance__building__estate__name",
        "entrance__building__name",
        "entrance__name",
        "maker",
        "stops",
    ):
        h.update(repr(row).encode())
    for row in Apartment.objects.order_by(
        "entrance__building__estate__name", "entrance__building__name", "entrance__name", "room"
    ).values_list("entrance__building__estate__name", "entrance__building__name", "entrance__name", "room", "area"):
        h.update(repr(row).encode())
    for row in Owner.objects.order_by("id_hash").values_list("id_hash", "name"):
        h.update(repr(row).encode())
    for row in FaultRecord.objects.order_by("elevator__device_code", "occurred_at").values_list(
        "elevator__device_code", "occurred_at", "kind"
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


def motions_digest() -> str:
    """The motions, their voters and every ballot version, by natural keys only."""
    h = hashlib.sha256()
    for row in Motion.objects.order_by("estate__name", "title").values_list(
        "estate__name", "title", "status", "scope_kind", "rule_preset", "opens_at", "closes_at", "objection_days"
    ):
        h.update(repr(row).encode())
    # Several motions per estate: order by motion too, or equal sheet numbers tie (PostgreSQL then
    # returns them in any order).
    for row in Voter.objects.order_by("motion__estate__name", "motion__title", "number").values_list(
        "motion__estate__name",
        "motion__title",
        "number",
        "display_name",
        "phone",
        "area",
        "choice",
        "version",
        "paper_requested",
    ):
        h.update(repr(row).encode())
    for row in BallotVersion.objects.order_by(
        "voter__motion__estate__name", "voter__motion__title", "voter__number", "version"
    ).values_list(
        "voter__motion__estate__name",
        "voter__motion__title",
        "voter__number",
        "version",
        "choice",
        "channel",
        "cast_at",
        "entered_by__username",
    ):
        h.update(repr(row).encode())
    for row in PaperEntry.objects.order_by(
        "voter__motion__estate__name", "voter__motion__title", "voter__number", "id"
    ).values_list(
        "voter__motion__estate__name",
        "voter__motion__title",
        "voter__number",
        "choice",
        "entered_by__username",
        "resolution",
        "counted",
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


def renewals_digest() -> str:
    """Vendors, offers, funding plans and meetings with everything recorded at them, by natural keys."""
    h = hashlib.sha256()
    rows: list[Any] = [
        *Vendor.objects.order_by("name").values_list("name", "credit_code", "contact", "phone"),
        *Offer.objects.order_by("vendor__name").values_list(
            "vendor__name",
            "brand",
            "model",
            "rated_load_kg",
            "rated_speed_mps",
            "machine_room_less",
            "energy_class",
            "warranty_years",
            "free_maintenance_years",
            "delivery_days",
            "installation_days",
            "price_per_elevator",
            "status",
            "submitted_at",
            "locked_at",
        ),
        *OfferPrice.objects.order_by("offer__vendor__name", "min_stops").values_list(
            "offer__vendor__name", "configuration", "min_stops", "max_stops", "price"
        ),
        *FundingPlan.objects.order_by("entrance__building__name", "entrance__name").values_list(
            "entrance__building__name",
            "entrance__name",
            "offer__brand",
            "elevators",
            "stops",
            "works_cost",
            "subsidies",
            "maintenance_fund",
            "public_revenue",
            "owners_total",
            "method",
            "coefficients",
        ),
        *Meeting.objects.order_by("topic").values_list(
            "estate__name", "topic", "status", "starts_at", "venue", "livestream_url", "conclusions", "published_at"
        ),
        *AgendaItem.objects.order_by("meeting__topic", "position").values_list(
            "meeting__topic", "position", "title", "duration_minutes"
        ),
        *Participant.objects.order_by("meeting__topic", "role", "name").values_list(
            "meeting__topic", "role", "name", "phone", "vendor__name", "attended_at", "sign_in_method"
        ),
        *Pitch.objects.order_by("meeting__topic", "order").values_list(
            "meeting__topic", "order", "vendor__name", "starts_at", "ends_at", "offer__brand"
        ),
        *Question.objects.order_by("meeting__topic", "created_at").values_list(
            "meeting__topic", "author__username", "text", "status", "pinned", "answer", "answered_at"
        ),
    ]
    for row in rows:
        h.update(repr(row).encode())
    return h.hexdigest()


def test_counts_per_estate_and_community(demo: object) -> None:
    assert Elevator.objects.count() == 127
    by_estate = dict(
        Elevator.objects.values_list("entrance__building__estate__name")
        .annotate(n=Count("id"))
        .values_list("entrance__building__estate__name", "n")
    )
    assert by_estate == {"亲亲家园": 30, "北秀蓝湾": 21, "棕榈湾": 76}
    sub = Subdistrict.objects.get(name="良渚街道")
    assert sub.district.name == "余杭区"
    assert dict(Estate.objects.filter(community__subdistrict=sub).values_list("name", "community__name")) == {
        "亲亲家园": "亲亲家园社区",
        "北秀蓝湾": "玉泽社区",
        "棕榈湾": "棕榈湾社区",
    }
    assert set(Community.objects.filter(subdistrict=sub).values_list("name", flat=True)) == {
        "亲亲家园社区",
        "玉泽社区",
        "棕榈湾社区",
    }
    floors = Building.objects.aggregate(lo=Min("floors"), hi=Max("floors"))
    assert 6 <= floors["lo"] <= floors["hi"] <= 18
    per_entrance = Elevator.objects.values("entrance_id").annotate(n=Count("id")).values_list("n", flat=True)
    assert set(per_entrance) == {1, 2}
    assert Apartment.objects.count() > 1000  # enough to vote on


def test_summary_reports_the_counts(demo: object) -> None:
    summary = load_liangzhu(today=TODAY, affairs=False)
    assert summary.created is False
    assert [(e.name, e.elevators) for e in summary.estates] == [("亲亲家园", 30), ("北秀蓝湾", 21), ("棕榈湾", 76)]
    assert summary.elevators == 127
    assert summary.apartments == Apartment.objects.count()
    # Loaded without the 昌硕 sample (tests/test_demo_affairs.py covers it): Liangzhu's logins only.
    assert {x.username for x in summary.logins} == {u.username for u in DEMO_USERS if u.demo == "liangzhu"}


def test_device_codes_well_formed_and_made_before_commissioning(demo: object) -> None:
    for code, commissioned in Elevator.objects.values_list("device_code", "commissioned_on"):
        assert len(code) == 18
        assert code.startswith("3110")
        assert device_code_warning(code) is None
        assert int(code[9:13]) <= commissioned.year


def test_every_role_user_exists_and_logs_in(demo: object) -> None:
    user_model = get_user_model()
    for spec in (u for u in DEMO_USERS if u.demo == "liangzhu"):  # the 昌硕 logins: test_demo_affairs.py
        user = user_model.objects.get(username=spec.username)
        if spec.role == "admin":
            assert user.is_superuser
        elif spec.role in Role.values:  # per-estate roles of the 昌硕 sample: one assignment per estate
            assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == {spec.role}
        else:  # a department's member, a deputy, a resident (gongzhi.demo.affairs): no role
            assert not RoleAssignment.objects.filter(user=user).exists()
        # Through the login page: the throttle (django-axes) needs the request.
        login = Client().post("/login/", {"username": spec.username, "password": DEMO_PASSWORD})
        assert login.status_code == 302, spec.username
    assert {r for (r,) in RoleAssignment.objects.values_list("role")} == set(Role.values)
    owner_user = RoleAssignment.objects.get(role=Role.OWNER)
    assert Ownership.objects.filter(
        owner=owner_user.owner, apartment__entrance__building__estate__name="亲亲家园"
    ).exists()
    assert RoleAssignment.objects.get(role=Role.VENDOR, user__username="vendor").organisation == VENDORS[0][0]
    for assignment in RoleAssignment.objects.filter(role=Role.VENDOR).exclude(user__username="vendor"):
        assert not assignment.user.has_usable_password()  # authors of their offers, not logins


def test_determinism_across_fresh_databases(demo_loads: Loaded) -> None:
    """Two loads of seed 2024 into empty databases write the same data; seed 1 writes other data
    (the loads are made by the module's fixture, above)."""
    digests = demo_loads.digests
    assert digests["first"] == digests["kept"]
    assert digests["seed 1"][0] != digests["kept"][0]  # the seed matters
    assert digests["seed 1"][1] != digests["kept"][1]
    assert digests["seed 1"][2] != digests["kept"][2]


def test_idempotent(demo: object) -> None:
    def counts() -> tuple[int, ...]:
        return (
            Elevator.objects.count(),
            Apartment.objects.count(),
            Owner.objects.count(),
            Campaign.objects.count(),
            Motion.objects.count(),
            BallotVersion.objects.count(),
            Vendor.objects.count(),
            Offer.objects.count(),
            Meeting.objects.count(),
            FundingPlan.objects.count(),
        )

    before = counts()
    again = load_liangzhu(today=TODAY)
    assert again.created is False
    assert counts() == before
    # Liangzhu's demo users (loaded here without the 昌硕 sample), and one account per other vendor
    # (they cannot log in).
    liangzhu_users = [u for u in DEMO_USERS if u.demo == "liangzhu"]
    assert get_user_model().objects.count() == len(liangzhu_users) + len(VENDORS) - 1


def test_all_tiers_and_eligible_by_assessment_on_reference(demo: object) -> None:
    campaign = Campaign.objects.get(name="良渚街道2024年住宅老旧电梯更新")
    assert campaign.reference_date == REFERENCE
    assert campaign.deadline == dt.date(2025, 6, 30)
    tiers = set(CampaignEntry.objects.filter(campaign=campaign).values_list("tier", flat=True))
    assert tiers == {"priority", "eligible", "not_eligible"}
    by_assessment = CampaignEntry.objects.filter(campaign=campaign, by_assessment=True)
    assert by_assessment.count() >= 2
    for entry in by_assessment.select_related("elevator"):
        assert not elig.in_service_at_least(entry.elevator.commissioned_on, 15, REFERENCE)
    # Today's tiers too (the dashboard's default reference date), computed from the rules.
    today_tiers = {
        elig.classify(c, TODAY).tier.value for c in Elevator.objects.values_list("commissioned_on", flat=True)
    }
    assert today_tiers == {"priority", "eligible", "not_eligible"}
    young_renewals = SafetyAssessment.objects.filter(
        conclusion__in=elig.QUALIFYING_ASSESSMENTS, elevator__commissioned_on__year__gte=2012
    )
    assert young_renewals.count() >= 2


def test_fault_histories_differ(demo: object) -> None:
    counts = list(Elevator.objects.annotate(n=Count("faults")).values_list("n", flat=True))
    assert max(counts) >= 20
    assert sorted(counts)[len(counts) // 2] <= 8
    assert FaultRecord.objects.filter(people_trapped__gt=0).count() > 10
    latest = FaultRecord.objects.aggregate(m=Max("occurred_at"))["m"]
    assert latest.date() <= TODAY


def test_owners_co_owners_developer_and_areas(demo: object) -> None:
    several = Owner.objects.filter(kind=OwnerKind.PERSON).annotate(n=Count("ownerships")).filter(n__gte=2)
    assert several.count() >= 10
    co_owned = Apartment.objects.annotate(n=Count("ownerships")).filter(n__gte=2)
    assert co_owned.count() >= 50
    developer = Owner.objects.get(kind=OwnerKind.DEVELOPER)
    assert developer.name == "杭州某置业有限公司"
    held = Apartment.objects.filter(developer_held=True)
    assert held.exists()
    assert set(Ownership.objects.filter(apartment__in=held).values_list("owner_id", flat=True)) == {developer.id}
    assert not Apartment.objects.annotate(n=Count("ownerships")).filter(n=0).exists()
    areas = Apartment.objects.aggregate(lo=Min("area"), hi=Max("area"))
    assert Decimal(50) <= areas["lo"] <= areas["hi"] <= Decimal(150)
    assert all(len(h) == 64 and len(last4) == 4 for h, last4 in Owner.objects.values_list("id_hash", "id_last4"))


def test_fake_identity_numbers_are_well_formed() -> None:
    import random

    rng = random.Random(5)
    for _ in range(50):
        number = resident_id(rng)
        weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
        assert len(number) == 18
        assert "10X98765432"[sum(int(c) * w for c, w in zip(number[:17], weights, strict=True)) % 11] == number[17]
        code = credit_code(rng)
        assert len(code) == 18
    assert owner_id_hash(" 33011019800101123x ") == owner_id_hash("33011019800101123X")
    assert owner_id_hash("33011019800101123X") != owner_id_hash("330110198001011231")


def test_load_demo_command_json_and_table(demo: object) -> None:
    out = StringIO()
    call_command("load_demo", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["created"] is False
    assert data["elevators"] == 127
    assert data["sample_data"] is True
    assert {x["username"] for x in data["logins"]} >= {"jiedao", "admin"}
    assert [(m["estate"], m["status"], m["passed"]) for m in data["motions"]] == [
        ("北秀蓝湾", "closed", True),
        ("亲亲家园", "open", None),
        ("亲亲家园", "open", None),  # the consultation's three motions
        ("亲亲家园", "open", None),
        ("亲亲家园", "open", None),
        ("棕榈湾", "draft", None),
    ]
    assert resolve(data["board_path"]).url_name == "campaign_board"
    assert data["voting_username"] == "yezhu"
    assert data["voting_path"].startswith("/v/")
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "gongzhi-demo-2024" in out.getvalue()
    assert "街道工作人员" in out.getvalue()
    assert "北秀蓝湾 / " in out.getvalue()
    assert "已结束（通过）" in out.getvalue()
    assert f"业主 yezhu 的个人表决链接：{data['voting_path']}" in out.getvalue()
    assert f"更新协商进度看板（登录后查看）：{data['board_path']}" in out.getvalue()


def test_load_demo_refuses_an_unmigrated_database(monkeypatch: pytest.MonkeyPatch) -> None:
    from gongzhi.demo.management.commands import load_demo

    monkeypatch.setattr(load_demo, "unapplied_migrations", lambda: 3)
    with pytest.raises(CommandError, match="migrate") as info:
        call_command("load_demo")
    assert info.value.returncode == 2
    assert Elevator.objects.count() == 0


class _FakeWorker:
    def __init__(self, args: list[str], **_kwargs: object) -> None:
        self.args = args
        self.terminated = False
        started.append(self)

    def terminate(self) -> None:
        self.terminated = True

    def wait(self, timeout: float | None = None) -> int:
        return 0


started: list[_FakeWorker] = []


def test_demo_command_migrates_serves_and_stops_the_worker(
    demo: object, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    """On the database holding the demo (a second `make demo`): the command migrates (nothing to
    do), finds the demo and does not load it again, prints the logins and links, serves the site and
    stops the worker. Loading itself is what the module's fixture does, through the same function."""
    from gongzhi.demo.management.commands import demo as demo_cmd

    settings.GONGZHI_DEMO = False  # restored after the test, as is the environment below
    monkeypatch.setenv("GONGZHI_DEMO", "0")

    served: list[tuple[str, str, int]] = []

    def fake_run(app: str, *, host: str, port: int, **_kw: object) -> None:
        served.append((app, host, port))
        assert Elevator.objects.count() == 127  # loaded before serving
        raise KeyboardInterrupt

    started.clear()
    monkeypatch.setattr(demo_cmd.uvicorn, "run", fake_run)
    monkeypatch.setattr(demo_cmd.subprocess, "Popen", _FakeWorker)
    out = StringIO()
    with pytest.raises(KeyboardInterrupt):
        call_command("demo", "--port", "8123", stdout=out)
    assert served == [("gongzhi.config.asgi:application", "127.0.0.1", 8123)]
    assert len(started) == 1
    assert started[0].args[1:] == ["-m", "gongzhi.cli", "db_worker", "--no-reload"]
    assert started[0].terminated
    assert "jiedao" in out.getvalue()
    assert "示例数据已存在，未重复载入" in out.getvalue()
    assert "个人表决链接：http://127.0.0.1:8123/v/" in out.getvalue()  # a visitor can open it and vote
    assert "进度看板（登录后查看）：http://127.0.0.1:8123/campaigns/" in out.getvalue()
    assert settings.GONGZHI_DEMO is True


# --- owners' motions ------------------------------------------------------------------------------


def test_three_motions_in_three_states(demo: object) -> None:
    motions = {
        m.estate.name: m
        for m in Motion.objects.select_related("estate").filter(
            consultation_replace=None, consultation_brand=None, consultation_funding=None
        )
    }
    assert set(motions) == {"北秀蓝湾", "亲亲家园", "棕榈湾"}
    assert [motions[e].status for e in ("北秀蓝湾", "亲亲家园", "棕榈湾")] == ["closed", "open", "draft"]
    draft = motions["棕榈湾"]
    assert draft.scope_kind == "building"
    assert not Voter.objects.filter(motion=draft).exists()
    # Still announceable: a regular assembly needs 15 days' notice (Hangzhou 物业管理条例 Art. 19).
    assert draft.meeting_kind == "regular"
    assert draft.opens_at - ANCHOR >= dt.timedelta(days=15)


def test_closed_motion_passed_with_every_channel(demo: object) -> None:
    motion = Motion.objects.select_related("scope_entrance__building").get(estate__name="北秀蓝湾")
    entrance = motion.scope_entrance
    assert motion.scope_kind == "entrance"
    assert entrance is not None
    assert motion.title == f"{entrance.building.name}{entrance.name}电梯更新"
    assert motion.rule_preset == "civil-code-ordinary"
    assert motion.closes_at < ANCHOR
    result = motion.result
    assert result.passed
    assert result.outcome["passed"] is True
    assert result.objection_until is not None
    assert result.objection_until > ANCHOR
    assert result.ballots_sha256 == motion_services.ballots_digest(motion)
    recount = motion_recount(motion)
    assert recount.passed
    assert recount.participating == motion_tally(motion).participating
    # The roll is the whole entrance.
    assert RollEntry.objects.filter(motion=motion).count() == Apartment.objects.filter(entrance=entrance).count()
    channels = set(Ballot.objects.filter(motion=motion).values_list("channel", flat=True))
    assert channels == {"online", "paper", "proxy"}
    # Paper: every counted sheet keyed by two different people, one mismatch settled against the sheet.
    resolutions = PaperEntry.objects.filter(voter__motion=motion, resolution=True)
    assert resolutions.count() == 1
    assert resolutions.get().note
    resolved_key = f"paper:{resolutions.get().pk}"
    keyed = BallotVersion.objects.filter(voter__motion=motion, channel="paper").exclude(request_key=resolved_key)
    assert keyed.exists()
    for version in keyed:
        assert version.entered_by_id
        assert version.second_entered_by_id
        assert version.entered_by_id != version.second_entered_by_id
    assert paper_mismatches(motion) == []
    # Proxy: a real (tiny) PDF scan, its hash kept.
    proxy = ProxyAuthorisation.objects.get(voter__motion=motion)
    with proxy.scan.open("rb") as scan:
        content = scan.read()
    assert content.startswith(b"%PDF-1.4")
    assert content.rstrip().endswith(b"%%EOF")
    assert hashlib.sha256(content).hexdigest() == proxy.scan_sha256
    # An owner changed their vote: both versions are kept, the later one counts.
    changed = Voter.objects.get(motion=motion, version=2)
    assert list(changed.versions.values_list("choice", flat=True)) == ["against", "for"]
    assert changed.choice == "for"


def test_authorisation_pdf_has_a_valid_cross_reference_table() -> None:
    pdf = authorisation_pdf(7, "proxy 7")
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref:].startswith(b"xref\n0 6\n")
    offsets = [int(line[:10]) for line in pdf[xref:].split(b"\n")[3:8]]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(f"{number} 0 obj".encode())


def test_open_motion_voting_now_and_short_of_quorum(demo: object) -> None:
    motion = Motion.objects.select_related("scope_building").get(estate__name="亲亲家园", scope_kind="building")
    assert motion.scope_kind == "building"
    assert voting_open(motion, ANCHOR)
    assert motion.opens_at < ANCHOR
    assert dt.timedelta(days=10) <= motion.closes_at - ANCHOR <= dt.timedelta(days=11)
    outcome = motion_tally(motion)
    share = outcome.participating.area / outcome.total.area
    assert Decimal("0.55") <= share <= Decimal("0.60")
    assert not outcome.quorum_met
    assert outcome.still_needed.participation.area > 0
    visits = door_knocking(motion, outcome)
    assert visits
    assert any(v.reaches_area for v in visits)
    assert len(paper_mismatches(motion)) == 1  # waiting for someone to read the sheet
    keyed_once = (
        PaperEntry.objects.filter(voter__motion=motion, counted=False)
        .values("voter_id")
        .annotate(n=Count("id"))
        .filter(n=1)
    )
    assert keyed_once.count() == 1
    assert set(Ballot.objects.filter(motion=motion).values_list("channel", flat=True)) == {"online", "paper", "proxy"}


def test_demo_users_see_the_motions(demo: object) -> None:
    user_model = get_user_model()
    visible = {
        username: set(access_motions(user_model.objects.get(username=username)).values_list("estate__name", flat=True))
        for username in ("jiedao", "shequ", "yeweihui", "wuye", "yezhu", "vendor", "jianchayuan", "quju")
    }
    assert visible == {
        "jiedao": {"北秀蓝湾", "亲亲家园", "棕榈湾"},
        "shequ": {"亲亲家园"},
        "yeweihui": {"北秀蓝湾"},
        "wuye": {"棕榈湾"},
        "yezhu": {"亲亲家园"},
        "vendor": set(),
        "jianchayuan": {"北秀蓝湾", "亲亲家园", "棕榈湾"},
        "quju": {"北秀蓝湾", "亲亲家园", "棕榈湾"},
    }
    shequ = user_model.objects.get(username="shequ")
    open_motion = Motion.objects.get(estate__name="亲亲家园", scope_kind="building")
    assert shequ.has_perm(f"places.{Action.ENTER_BALLOTS.value}", open_motion)


def test_demo_owner_can_vote_through_the_printed_link(demo: object, settings: Settings) -> None:
    summary = load_liangzhu(today=TODAY, affairs=False)
    owner = RoleAssignment.objects.get(user__username="yezhu").owner
    voter, username = demo_voter(Subdistrict.objects.get(name="良渚街道"))
    assert voter is not None
    assert username == "yezhu"
    assert voter.motion.estate.name == "亲亲家园"
    assert voter.motion.status == MotionStatus.OPEN
    assert voter.owners.filter(pk=owner.pk).exists()
    assert Ownership.objects.filter(
        owner=owner, apartment__entrance__building=voter.motion.scope_building
    ).exists()  # yezhu owns an apartment in the open motion's scope
    assert voter.phone
    assert voter.choice == ""
    assert resolve(summary.voting_path).url_name == "vote_link"
    token = summary.voting_path.strip("/").split("/")[-1]
    assert token == codes.voter_token(voter.pk, str(voter.motion.public_id))
    assert motion_services.voter_for_link(token).pk == voter.pk
    # The whole online flow at the demo's "now".
    settings.GONGZHI_CODE_SENDER = "gongzhi.motions.codes.MemorySender"
    codes.MemorySender.outbox.clear()
    before = motion_tally(voter.motion).participating
    motion_services.code_send(voter=voter, now=ANCHOR)
    code = codes.MemorySender.outbox[-1].message.split("为 ")[1][:6]
    session = motion_services.code_confirm(voter=voter, code=code, now=ANCHOR)
    motion_services.ballot_cast_online(session_token=session, choice="for", request_key="visitor", now=ANCHOR)
    after = motion_tally(voter.motion).participating
    assert after.owners == before.owners + 1
    assert after.area == before.area + voter.area


def test_motions_follow_now(settings: Settings) -> None:
    """Only the motions' times move with `now`; nothing reads the wall clock when it is given."""
    now = timezone.make_aware(dt.datetime(2031, 3, 4, 15, 30))
    load_liangzhu(today=TODAY, now=now, affairs=False)
    open_motion = Motion.objects.get(status=MotionStatus.OPEN, scope_kind="building")
    assert voting_open(open_motion, now)
    consultation = Consultation.objects.get()
    assert all(voting_open(m, now) for m in consultation.motions)
    assert Meeting.objects.get(status=MeetingStatus.SCHEDULED).starts_at > now
    assert Meeting.objects.get(status=MeetingStatus.PUBLISHED).published_at < now
    assert timezone.localtime(open_motion.opens_at) == timezone.make_aware(dt.datetime(2031, 2, 28, 8))
    closed = Motion.objects.get(status=MotionStatus.CLOSED)
    assert closed.closed_at is not None
    assert closed.closed_at < now


# --- the renewal consultation (issue 4) -----------------------------------------------------------


def _qinqin_consultation() -> Consultation:
    return Consultation.objects.select_related(
        "entrance__building", "plan", "replace_motion", "brand_motion", "funding_motion"
    ).get(entrance__building__estate__name="亲亲家园")


def test_six_vendors_each_with_one_submitted_offer(demo: object) -> None:
    sub = Subdistrict.objects.get(name="良渚街道")
    vendors = list(Vendor.objects.filter(subdistrict=sub))
    assert sorted(v.name for v in vendors) == sorted(name for name, _brand, _model in VENDORS)
    assert all(v.name.endswith("电梯有限公司") for v in vendors)
    vendor_user = get_user_model().objects.get(username="vendor")
    assert list(Vendor.objects.filter(members=vendor_user).values_list("name", flat=True)) == [VENDORS[0][0]]
    assert all(v.members.count() == 1 for v in vendors)
    offers = list(Offer.objects.select_related("vendor", "campaign"))
    assert len(offers) == 6
    assert {o.vendor.name for o in offers} == {v.name for v in vendors}
    assert {o.status for o in offers} == {OfferStatus.SUBMITTED, OfferStatus.LOCKED}
    assert all(o.submitted_at is not None and o.submitted_at < ANCHOR for o in offers)
    assert len({o.brand for o in offers}) == 6
    assert not {o.brand for o in offers} & {maker for maker, _code, _models in MAKERS}  # fictional brands only
    assert all(o.campaign.name == "良渚街道2024年住宅老旧电梯更新" for o in offers)
    for offer in offers:
        assert Decimal(220_000) <= offer.price_per_elevator <= Decimal(300_000)
        assert 2 <= offer.warranty_years <= 5
        assert 1 <= offer.free_maintenance_years <= offer.warranty_years
    configured = Offer.objects.filter(prices__isnull=False).distinct()
    assert configured.count() == 1
    lines = list(OfferPrice.objects.filter(offer=configured.get()).order_by("min_stops"))
    assert [(x.min_stops, x.max_stops) for x in lines] == [(2, 11), (12, 18), (19, None)]
    assert all(Decimal(220_000) <= x.price <= Decimal(300_000) for x in lines)
    assert lines[0].price < lines[1].price < lines[2].price


def test_held_meeting_with_pitches_questions_and_published_minutes(demo: object) -> None:
    meeting = Meeting.objects.get(estate__name="亲亲家园")
    assert meeting.status == MeetingStatus.PUBLISHED
    assert meeting.starts_at + dt.timedelta(minutes=meeting.duration_minutes) < meeting.published_at < ANCHOR
    assert meeting.livestream_url.startswith("https://example.invalid/")
    assert meeting.conclusions
    assert sum(a.duration_minutes for a in meeting.agenda.all()) == meeting.duration_minutes
    participants = list(meeting.participants.all())
    assert {p.role for p in participants} == set(ParticipantRole.values)
    signed_in = [p for p in participants if p.attended_at is not None]
    assert 0 < len(signed_in) < len(participants)  # some invited did not come
    assert {p.sign_in_method for p in signed_in} == {"account", "name_phone", "staff"}
    assert all(p.attended_at < meeting.starts_at + dt.timedelta(minutes=30) for p in signed_in)
    pitches = list(Pitch.objects.filter(meeting=meeting).select_related("vendor", "offer").order_by("order"))
    assert [p.order for p in pitches] == [1, 2, 3, 4, 5, 6]
    assert {p.vendor.name for p in pitches} == {name for name, _b, _m in VENDORS}
    assert all(p.offer is not None and p.offer.vendor_id == p.vendor_id for p in pitches)
    assert all(a.ends_at == b.starts_at for a, b in itertools.pairwise(pitches))
    assert all(p.link.startswith("https://example.invalid/") for p in pitches)
    questions = list(Question.objects.filter(meeting=meeting).select_related("answered_by", "addressed_to"))
    statuses = [q.status for q in questions]
    assert statuses.count(QuestionStatus.APPROVED) >= 2
    assert statuses.count(QuestionStatus.REJECTED) == 1
    assert QuestionStatus.PENDING not in statuses
    by_vendor = [q for q in questions if q.answer and q.addressed_to is not None]
    assert len(by_vendor) == 1
    assert by_vendor[0].addressed_to.members.filter(pk=by_vendor[0].answered_by.pk).exists()
    rejected = next(q for q in questions if q.status == QuestionStatus.REJECTED)
    assert not rejected.answer
    assert not rejected.pinned
    # The minutes link the consultation's three motions.
    consultation = _qinqin_consultation()
    assert set(meeting.motions.values_list("pk", flat=True)) == {m.pk for m in consultation.motions}
    assert set(meeting.entrances.all()) == {consultation.entrance, FundingPlan.objects.get(consultations=None).entrance}


def test_upcoming_meeting_scheduled_with_livestream(demo: object) -> None:
    meeting = Meeting.objects.get(estate__name="棕榈湾")
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.published_at is None
    assert dt.timedelta(days=5) < meeting.starts_at - ANCHOR < dt.timedelta(days=7)
    assert meeting.livestream_url == "https://example.invalid/live/zonglvwan"
    assert meeting.agenda.count() == 6
    assert meeting.pitches.count() == 6
    assert meeting.participants.count() > 6
    assert not meeting.participants.filter(attended_at__isnull=False).exists()
    assert not meeting.questions.exists()


def test_consultation_voting_now_with_frozen_rolls_and_locked_offers(demo: object) -> None:
    consultation = _qinqin_consultation()
    entrance = consultation.entrance
    assert entrance.elevators.exists()
    open_motion = Motion.objects.get(estate__name="亲亲家园", scope_kind="building")
    assert entrance.building_id != open_motion.scope_building_id  # outside the open motion's scope
    apartments = Apartment.objects.filter(entrance=entrance).count()
    for motion in consultation.motions:
        assert motion.status == MotionStatus.OPEN
        assert motion.scope_kind == "entrance"
        assert motion.scope_entrance_id == entrance.pk
        assert voting_open(motion, ANCHOR)
        assert RollEntry.objects.filter(motion=motion).count() == apartments
        assert Ballot.objects.filter(motion=motion).exists()
    assert consultation.brand_motion.kind == "choice"
    assert consultation.replace_motion.rule_preset == "civil-code-ordinary"
    assert consultation.funding_motion.rule_preset == "civil-code-special"  # owners pay: Art. 278(1)(6)
    offered = Offer.objects.filter(
        pk__in=OptionOffer.objects.filter(option__motion=consultation.brand_motion).values("offer")
    )
    assert offered.count() == 3
    assert set(offered.values_list("status", flat=True)) == {OfferStatus.LOCKED}
    assert all(o.locked_at is not None and o.locked_at < consultation.replace_motion.opens_at for o in offered)
    assert set(Offer.objects.exclude(pk__in=offered).values_list("status", flat=True)) == {OfferStatus.SUBMITTED}
    assert consultation.plan.offer in offered
    brand_choices = set(Ballot.objects.filter(motion=consultation.brand_motion).values_list("choice", flat=True))
    assert brand_choices & {"opt1", "opt2", "opt3"}
    # The second entrance has only a funding plan.
    plan_only = FundingPlan.objects.get(consultations=None)
    assert plan_only.entrance != entrance
    assert plan_only.entrance.building.estate.name == "亲亲家园"
    assert not Consultation.objects.filter(entrance=plan_only.entrance).exists()


def test_funding_plans_balance_and_apportion_exactly(demo: object) -> None:
    plans = list(FundingPlan.objects.select_related("offer"))
    assert len(plans) == 2
    assert {p.method for p in plans} == {"area", "floor-area"}
    for plan in plans:
        subsidies = sum((Decimal(x["amount"]) for x in plan.subsidies), Decimal(0))
        assert subsidies > 0
        assert plan.works_cost * plan.elevators == (
            subsidies + plan.maintenance_fund + plan.public_revenue + plan.owners_total
        )
        assert plan.owners_total > 0
        assert plan.maintenance_fund > 0
        shares = plan_shares(plan)
        assert len(shares) == Apartment.objects.filter(entrance=plan.entrance).count()
        assert sum((amount for _apartment, amount in shares), Decimal(0)) == plan.owners_total
        assert all(amount == amount.quantize(Decimal("0.01")) for _apartment, amount in shares)


def test_board_shows_the_consultation_and_the_plan_only_entrance(demo: object) -> None:
    summary = load_liangzhu(today=TODAY, affairs=False)
    jiedao = get_user_model().objects.get(username="jiedao")
    campaign = Campaign.objects.get(name="良渚街道2024年住宅老旧电梯更新")
    rows = campaign_board(jiedao, campaign)
    started = [r for r in rows if r.consultation_id is not None]
    assert len(started) == 1
    assert [m.status for m in started[0].motions if m is not None] == ["open", "open", "open"]
    assert all(m is not None and m.participation and m.participation > 0 for m in started[0].motions)
    assert len(rows) > 1  # the other entrances with elevators: not started
    client = Client()
    client.force_login(jiedao)
    response = client.get(summary.board_path)
    assert response.status_code == 200
    assert str(_qinqin_consultation().entrance) in response.content.decode()


def test_demo_users_see_what_their_roles_allow(demo: object) -> None:
    users = {u.username: u for u in get_user_model().objects.all()}
    vendor = users["vendor"]
    own = Offer.objects.get(vendor__members=vendor)
    assert not access_motions(vendor).exists()
    assert not access_plans(vendor).exists()
    assert own in access_offers(vendor)
    assert set(access_offers(vendor).values_list("status", flat=True)) <= {OfferStatus.SUBMITTED, OfferStatus.LOCKED}
    assert set(access_meetings(vendor).values_list("estate__name", flat=True)) == {"亲亲家园", "棕榈湾"}
    client = Client()
    client.force_login(vendor)
    consultation = _qinqin_consultation()
    assert client.get(f"/consultations/{consultation.pk}/").status_code == 404
    assert client.get(f"/funding-plans/{consultation.plan.pk}/").status_code == 404
    # The owner sees the meetings of their estate, not the plans of entrances where they own nothing.
    assert set(access_meetings(users["yezhu"]).values_list("estate__name", flat=True)) == {"亲亲家园"}
    assert not access_plans(users["yezhu"]).exists()
    assert set(access_meetings(users["wuye"]).values_list("estate__name", flat=True)) == {"棕榈湾"}
    held, upcoming = Meeting.objects.get(estate__name="亲亲家园"), Meeting.objects.get(estate__name="棕榈湾")
    client.force_login(users["yezhu"])
    page = client.get(f"/meetings/{held.pk}/")
    assert page.status_code == 200
    assert held.livestream_url in page.content.decode()
    assert client.get(f"/meetings/{upcoming.pk}/").status_code == 404
    # The published minutes are a public notice: the answers, never the livestream address.
    notice = Client().get(f"/notices/meetings/{held.public_id}/")
    assert notice.status_code == 200
    assert "示例回答" in notice.content.decode()
    assert "example.invalid" not in notice.content.decode()
    # Community staff and the supervisor see both plans; the supervisor cannot manage them.
    for username in ("shequ", "jianchayuan", "jiedao"):
        assert access_plans(users[username]).count() == 2, username
    assert access_plans(users["jianchayuan"], Action.MANAGE_RENEWAL).count() == 0
    assert access_plans(users["yeweihui"]).count() == 0  # 北秀蓝湾's committee
