"""The Liangzhu demo: counts, determinism, idempotency, tiers, owners, logins, commands."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Max, Min
from django.test import Client
from pytest_django.fixtures import Settings

from gongzhi.demo.liangzhu import (
    DEMO_PASSWORD,
    DEMO_USERS,
    credit_code,
    load_liangzhu,
    resident_id,
)
from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.device_codes import device_code_warning
from gongzhi.elevators.models import Campaign, CampaignEntry, Elevator, FaultRecord, SafetyAssessment
from gongzhi.elevators.registry_import import owner_id_hash
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

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)
REFERENCE = dt.date(2024, 9, 1)


@pytest.fixture
def demo() -> object:
    return load_liangzhu(today=TODAY)


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
    assert dict(Estate.objects.values_list("name", "community__name")) == {
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
    summary = load_liangzhu(today=TODAY)
    assert summary.created is False
    assert [(e.name, e.elevators) for e in summary.estates] == [("亲亲家园", 30), ("北秀蓝湾", 21), ("棕榈湾", 76)]
    assert summary.elevators == 127
    assert summary.apartments == Apartment.objects.count()
    assert {x.username for x in summary.logins} == {u.username for u in DEMO_USERS}


def test_device_codes_well_formed_and_made_before_commissioning(demo: object) -> None:
    for code, commissioned in Elevator.objects.values_list("device_code", "commissioned_on"):
        assert len(code) == 18
        assert code.startswith("3110")
        assert device_code_warning(code) is None
        assert int(code[9:13]) <= commissioned.year


def test_every_role_user_exists_and_logs_in(demo: object) -> None:
    user_model = get_user_model()
    for spec in DEMO_USERS:
        user = user_model.objects.get(username=spec.username)
        if spec.role == "admin":
            assert user.is_superuser
        else:
            assignment = RoleAssignment.objects.get(user=user)
            assert assignment.role == spec.role
        assert Client().login(username=spec.username, password=DEMO_PASSWORD), spec.username
    assert {r for (r,) in RoleAssignment.objects.values_list("role")} == set(Role.values)
    owner_user = RoleAssignment.objects.get(role=Role.OWNER)
    assert Ownership.objects.filter(
        owner=owner_user.owner, apartment__entrance__building__estate__name="亲亲家园"
    ).exists()
    assert RoleAssignment.objects.get(role=Role.VENDOR).organisation == "某电梯公司"


def test_determinism_across_fresh_databases() -> None:
    """Each load runs in a savepoint that is rolled back, so each starts from an empty database.

    (Not `flush`: inside the test's transaction PostgreSQL refuses TRUNCATE with deferred
    foreign-key checks pending.)"""
    digests = []
    for seed in (2024, 2024, 1):
        with transaction.atomic():
            assert Elevator.objects.count() == 0
            load_liangzhu(seed=seed, today=TODAY)
            digests.append(registry_digest())
            transaction.set_rollback(True)
    assert digests[0] == digests[1]
    assert digests[2] != digests[0]  # the seed matters


def test_idempotent(demo: object) -> None:
    counts = (Elevator.objects.count(), Apartment.objects.count(), Owner.objects.count(), Campaign.objects.count())
    again = load_liangzhu(today=TODAY)
    assert again.created is False
    assert (Elevator.objects.count(), Apartment.objects.count(), Owner.objects.count(), Campaign.objects.count()) == (
        counts
    )
    assert get_user_model().objects.count() == len(DEMO_USERS)


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
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "gongzhi-demo-2024" in out.getvalue()
    assert "街道工作人员" in out.getvalue()


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


def test_demo_command_migrates_loads_serves_and_stops_the_worker(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
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
    assert settings.GONGZHI_DEMO is True
