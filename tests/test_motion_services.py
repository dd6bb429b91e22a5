"""Services of owners' motions: the frozen roll, casting (online, paper double entry, proxy), closing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.motions import services as s
from gongzhi.motions.models import Ballot, BallotVersion, MotionStatus, RollEntry
from gongzhi.motions.selectors import door_knocking, motion_recount, motion_tally, paper_mismatches
from gongzhi.places.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_roll_counts_heads_by_the_spc_interpretation(motion_world):
    m = motion_world.motion
    voters = motion_world.voters
    assert RollEntry.objects.filter(motion=m).count() == 7
    assert voters["wang"].apartments == 2
    assert voters["wang"].area == Decimal("140.00")
    assert voters["li_zhao"].display_name == "李强、赵敏"
    assert voters["developer"].apartments == 2
    assert voters["developer"].owner_key == "developer"
    assert voters["nobody"].owner_key.startswith("apartment:")
    outcome = motion_tally(m)
    assert outcome.total.area == Decimal("520.00")
    assert outcome.total.owners == 5
    assert outcome.participating.owners == 0
    assert not outcome.passed


def test_roll_is_frozen_against_registry_edits(motion_world):
    entry = RollEntry.objects.get(motion=motion_world.motion, room="202")
    entry.apartment.area = Decimal("1.00")
    entry.apartment.save()
    assert motion_tally(motion_world.motion).total.area == Decimal("520.00")


def _online(voter, choice, key, now):
    token = s.voter_session_issue(voter=voter, now=now)
    return s.ballot_cast_online(session_token=token, choice=choice, request_key=key, now=now)


def test_online_cast_is_idempotent_and_keeps_versions(motion_world):
    w = motion_world
    first = _online(w.voters["wang"], "for", "k1", w.now)
    retry = _online(w.voters["wang"], "for", "k1", w.now)
    assert first.created
    assert not retry.created
    assert retry.version.pk == first.version.pk
    changed = _online(w.voters["wang"], "against", "k2", w.now)
    assert changed.version.version == 2
    assert list(BallotVersion.objects.filter(voter=w.voters["wang"]).values_list("choice", flat=True)) == [
        "for",
        "against",
    ]
    assert set(Ballot.objects.filter(voter=w.voters["wang"]).values_list("choice", flat=True)) == {"against"}
    assert Ballot.objects.filter(voter=w.voters["wang"]).count() == 2
    with pytest.raises(DomainError):
        _online(w.voters["wang"], "for", "k2", w.now)  # key reused for another choice


def test_tally_and_recount_agree_and_pass(motion_world):
    w = motion_world
    _online(w.voters["wang"], "for", "a", w.now)  # 140
    _online(w.voters["chen"], "for", "b", w.now)  # 100
    _online(w.voters["li_zhao"], "against", "c", w.now)  # 90
    _online(w.voters["developer"], "abstain", "d", w.now)  # 140
    outcome = motion_tally(w.motion)
    assert outcome.participating.area == Decimal("470.00")
    assert outcome.participating.owners == 4
    assert outcome.quorum_met
    assert outcome.for_.area == Decimal("240.00")  # 240/470 > 1/2; 2 of 4 heads is not more than half
    assert not outcome.approved
    assert motion_recount(w.motion).as_json() == outcome.as_json()


def test_voting_closes_exactly_at_closing_time(motion_world):
    w = motion_world
    closes = w.motion.closes_at
    _online(w.voters["wang"], "for", "x", closes - dt.timedelta(microseconds=1))
    with pytest.raises(DomainError) as exc:
        _online(w.voters["chen"], "for", "y", closes)
    assert exc.value.code == "voting_closed"


def test_paper_double_entry(motion_world):
    w = motion_world
    voter = w.voters["chen"]
    r1 = s.paper_entry_add(actor=w.staff, voter=voter, choice="for", now=w.now)
    assert r1.counted is None
    assert not r1.mismatch
    with pytest.raises(DomainError):
        s.paper_entry_add(actor=w.staff, voter=voter, choice="for", now=w.now)
    r2 = s.paper_entry_add(actor=w.staff2, voter=voter, choice="against", now=w.now)
    assert r2.mismatch
    assert r2.counted is None
    assert [m.voter.pk for m in paper_mismatches(w.motion)] == [voter.pk]
    resolved = s.paper_mismatch_resolve(actor=w.staff, voter=voter, choice="for", note="核对原件", now=w.now)
    assert resolved.counted is not None
    assert resolved.counted.version.channel == "paper"
    assert paper_mismatches(w.motion) == []
    # A new sheet from the same owner is a new batch.
    s.paper_entry_add(actor=w.staff, voter=voter, choice="against", now=w.now)
    r4 = s.paper_entry_add(actor=w.staff2, voter=voter, choice="against", now=w.now)
    assert r4.counted is not None
    assert r4.counted.version.version == 2


def test_proxy_vote_keeps_the_scan(motion_world):
    w = motion_world
    scan = SimpleUploadedFile("auth.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    result = s.proxy_vote(
        actor=w.staff,
        voter=w.voters["developer"],
        choice="for",
        proxy_name="张三",
        proxy_id_last4="123X",
        scan=scan,
        request_key="p1",
        now=w.now,
    )
    assert result.version.proxy is not None
    assert result.version.proxy.scan_sha256
    bad = SimpleUploadedFile("x.txt", b"hello", content_type="text/plain")
    with pytest.raises(DomainError):
        s.proxy_vote(
            actor=w.staff,
            voter=w.voters["chen"],
            choice="for",
            proxy_name="张三",
            proxy_id_last4="",
            scan=bad,
            request_key="p2",
            now=w.now,
        )


def test_roles_that_cannot_enter_ballots(motion_world):
    w = motion_world
    for role in (Role.PROPERTY_MANAGER, Role.OWNER, Role.VENDOR, Role.SUPERVISOR, Role.DISTRICT_REGULATOR):
        with pytest.raises(AccessDeniedError):
            s.paper_entry_add(actor=w.world.users[role], voter=w.voters["chen"], choice="for", now=w.now)


def test_codes(motion_world, settings):
    from gongzhi.motions.codes import MemorySender

    settings.GONGZHI_CODE_SENDER = "gongzhi.motions.codes.MemorySender"
    MemorySender.outbox.clear()
    w = motion_world
    s.code_send(voter=w.voters["wang"], now=w.now)
    code = MemorySender.outbox[-1].message.split("为 ")[1][:6]
    with pytest.raises(DomainError):
        s.code_confirm(voter=w.voters["wang"], code="000000" if code != "000000" else "111111", now=w.now)
    token = s.code_confirm(voter=w.voters["wang"], code=code, now=w.now)
    assert s.voter_for_session(token, now=w.now).pk == w.voters["wang"].pk
    with pytest.raises(DomainError):
        s.code_send(voter=w.voters["wang"], now=w.now)  # too soon
    with pytest.raises(DomainError) as exc:
        s.code_send(voter=w.voters["nobody"], now=w.now)
    assert exc.value.code == "no_phone"


def test_close_freezes_result(motion_world):
    w = motion_world
    _online(w.voters["wang"], "for", "a", w.now)
    _online(w.voters["chen"], "for", "b", w.now)
    _online(w.voters["li_zhao"], "for", "c", w.now)
    _online(w.voters["developer"], "against", "d", w.now)
    with pytest.raises(DomainError):
        s.motion_close(actor=w.staff, motion=w.motion, now=w.now)
    result = s.motion_close(actor=w.staff, motion=w.motion, now=w.motion.closes_at)
    assert result.passed
    assert result.outcome["passed"] is True
    w.motion.refresh_from_db()
    assert w.motion.status == MotionStatus.CLOSED
    with pytest.raises(DomainError):
        _online(w.voters["nobody"], "for", "e", w.now)


def test_door_knocking_takes_largest_first(motion_world):
    w = motion_world
    visits = door_knocking(w.motion)
    assert [v.voter.area for v in visits] == sorted((v.voter.area for v in visits), reverse=True)
    # 2/3 of 520 = 346.67: wang 140 + developer 140 + chen 100 = 380 after three visits.
    assert [v.reaches_area for v in visits][:3] == [False, False, True]


def test_notice_period_and_voting_period(personas):
    from django.utils import timezone

    staff = personas.users[Role.COMMUNITY_STAFF]
    estate = personas.inside["estate"]
    now = timezone.now()
    with pytest.raises(DomainError) as exc:
        s.motion_create(
            actor=staff,
            estate=estate,
            title="t",
            question="q",
            scope_kind="estate",
            opens_at=now + dt.timedelta(days=8),
            closes_at=now + dt.timedelta(days=12),
        )
    assert exc.value.code == "bad_period"
    m = s.motion_create(
        actor=staff,
        estate=estate,
        title="t",
        question="q",
        scope_kind="estate",
        meeting_kind="regular",
        opens_at=now + dt.timedelta(days=10),
        closes_at=now + dt.timedelta(days=20),
    )
    with pytest.raises(DomainError) as exc:
        s.motion_open(actor=staff, motion=m, now=now)
    assert exc.value.code == "notice_too_short"
    outsider = f.user_with_role(Role.COMMUNITY_STAFF, community=personas.outside["community"])
    with pytest.raises(AccessDeniedError):
        s.motion_create(
            actor=outsider,
            estate=estate,
            title="t",
            question="q",
            scope_kind="estate",
            opens_at=now + dt.timedelta(days=10),
            closes_at=now + dt.timedelta(days=20),
        )


@pytest.mark.parametrize(
    ("rule", "ok"),
    [
        ({"participation": {"area": ">=2/3", "owners": ">=2/3"}, "approval": {"area": ">1/2", "owners": ">1/2"}}, True),
        ({"participation": {"area": ">2/3", "owners": ">=3/4"}, "approval": {"area": ">=3/4", "owners": ">1/2"}}, True),
        (
            {"participation": {"area": ">=1/2", "owners": ">=2/3"}, "approval": {"area": ">1/2", "owners": ">1/2"}},
            False,
        ),
        (
            {"participation": {"area": ">=2/3", "owners": ">=2/3"}, "approval": {"area": ">=1/2", "owners": ">1/2"}},
            False,
        ),
        (
            {"participation": {"area": ">=2/3", "owners": ">=2/3"}, "approval": {"area": ">1/2", "owners": ">=1/2"}},
            False,
        ),
        (
            {"participation": {"area": ">=2/3", "owners": ">=3/5"}, "approval": {"area": ">1/2", "owners": ">1/2"}},
            False,
        ),
    ],
)
def test_custom_rules_cannot_go_below_the_civil_code(personas, rule, ok):
    from django.utils import timezone

    now = timezone.now()
    kwargs = {
        "actor": personas.users[Role.COMMUNITY_STAFF],
        "estate": personas.inside["estate"],
        "title": "t",
        "question": "q",
        "scope_kind": "estate",
        "rule": rule,
        "opens_at": now + dt.timedelta(days=10),
        "closes_at": now + dt.timedelta(days=20),
    }
    if ok:
        assert s.motion_create(**kwargs).rule_preset in {"", "civil-code-ordinary"}
    else:
        with pytest.raises(DomainError) as exc:
            s.motion_create(**kwargs)
        assert exc.value.code == "rule_below_law"
