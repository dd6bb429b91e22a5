"""The Liangzhu demo: counts, determinism, idempotency, tiers, owners, logins, commands, motions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
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
    authorisation_pdf,
    credit_code,
    demo_voter,
    load_liangzhu,
    resident_id,
)
from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.device_codes import device_code_warning
from gongzhi.elevators.models import Campaign, CampaignEntry, Elevator, FaultRecord, SafetyAssessment
from gongzhi.elevators.registry_import import owner_id_hash
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

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)
REFERENCE = dt.date(2024, 9, 1)
# With only `today` given, the demo's motions are placed relative to noon of that day.
ANCHOR = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True, scope="module")
def _media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The demo's proxy vote stores its authorisation scan: keep it out of var/."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("demo-media"))):
        yield


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup: None, django_db_blocker: Any, _media: None) -> Iterator[object]:
    """The demo loaded once for the module (about 4 s a load), in a transaction rolled back at the
    end. Tests that need an empty database run before it (conftest orders them first); each test
    still runs in its own savepoint, so what one test writes does not reach the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = load_liangzhu(today=TODAY)
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_loaded: object, db: None) -> object:
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
    for row in Voter.objects.order_by("motion__estate__name", "number").values_list(
        "motion__estate__name", "number", "display_name", "phone", "area", "choice", "version", "paper_requested"
    ):
        h.update(repr(row).encode())
    for row in BallotVersion.objects.order_by("voter__motion__estate__name", "voter__number", "version").values_list(
        "voter__motion__estate__name",
        "voter__number",
        "version",
        "choice",
        "channel",
        "cast_at",
        "entered_by__username",
    ):
        h.update(repr(row).encode())
    for row in PaperEntry.objects.order_by("voter__motion__estate__name", "voter__number", "id").values_list(
        "voter__motion__estate__name", "voter__number", "choice", "entered_by__username", "resolution", "counted"
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
            digests.append((registry_digest(), motions_digest()))
            # Whatever the seed, the closed motion passed and the open one still needs votes.
            assert Motion.objects.get(status=MotionStatus.CLOSED).result.passed
            assert not motion_tally(Motion.objects.get(status=MotionStatus.OPEN)).quorum_met
            transaction.set_rollback(True)
    assert digests[0] == digests[1]
    assert digests[2][0] != digests[0][0]  # the seed matters
    assert digests[2][1] != digests[0][1]


def test_idempotent(demo: object) -> None:
    def counts() -> tuple[int, ...]:
        return (
            Elevator.objects.count(),
            Apartment.objects.count(),
            Owner.objects.count(),
            Campaign.objects.count(),
            Motion.objects.count(),
            BallotVersion.objects.count(),
        )

    before = counts()
    again = load_liangzhu(today=TODAY)
    assert again.created is False
    assert counts() == before
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
    assert [(m["estate"], m["status"], m["passed"]) for m in data["motions"]] == [
        ("北秀蓝湾", "closed", True),
        ("亲亲家园", "open", None),
        ("棕榈湾", "draft", None),
    ]
    assert data["voting_username"] == "yezhu"
    assert data["voting_path"].startswith("/v/")
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "gongzhi-demo-2024" in out.getvalue()
    assert "街道工作人员" in out.getvalue()
    assert "北秀蓝湾 / " in out.getvalue()
    assert "已结束（通过）" in out.getvalue()
    assert f"业主 yezhu 的个人表决链接：{data['voting_path']}" in out.getvalue()


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
    assert "个人表决链接：http://127.0.0.1:8123/v/" in out.getvalue()  # a visitor can open it and vote
    assert settings.GONGZHI_DEMO is True


# --- owners' motions ------------------------------------------------------------------------------


def test_three_motions_in_three_states(demo: object) -> None:
    motions = {m.estate.name: m for m in Motion.objects.select_related("estate")}
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
    motion = Motion.objects.select_related("scope_building").get(estate__name="亲亲家园")
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
    open_motion = Motion.objects.get(estate__name="亲亲家园")
    assert shequ.has_perm(f"places.{Action.ENTER_BALLOTS.value}", open_motion)


def test_demo_owner_can_vote_through_the_printed_link(demo: object, settings: Settings) -> None:
    summary = load_liangzhu(today=TODAY)
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
    load_liangzhu(today=TODAY, now=now)
    open_motion = Motion.objects.get(status=MotionStatus.OPEN)
    assert voting_open(open_motion, now)
    assert timezone.localtime(open_motion.opens_at) == timezone.make_aware(dt.datetime(2031, 2, 28, 8))
    closed = Motion.objects.get(status=MotionStatus.CLOSED)
    assert closed.closed_at is not None
    assert closed.closed_at < now
