"""Casting from many threads at once against PostgreSQL (issue 3, "Reliability and load").

The promise: no acknowledged ballot is lost, a retried request never counts twice, every voter's
versions stay dense (1..n), each apartment has exactly one current ballot carrying the voter's
latest choice, the live tally equals a recount from the ballot history, the audit chain stays
intact, and voting closes exactly at the closing time whatever the interleaving.

Only PostgreSQL can show this: SQLite lets one writer in at a time, so threads never overlap
inside a transaction there. `make test` runs this file in its PostgreSQL pass.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from gongzhi.core.errors import DomainError
from gongzhi.motions import selectors
from gongzhi.motions import services as s
from gongzhi.motions.models import Ballot, BallotVersion, Motion, RollEntry, Voter
from gongzhi.places.models import OwnerKind, Role
from tests import factories as f

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason=(
            "SQLite serialises all writers, so concurrent casting cannot race there; "
            "this test runs in the PostgreSQL pass of make test"
        ),
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 16
CASTS_PER_THREAD = 40
CHOICES = ("for", "against", "abstain")


def _motion_with_roll(rng: random.Random, *, apartments: int) -> tuple[Motion, list[Voter], dt.datetime]:
    """An estate entrance set with `apartments` apartments whose owners exercise every headcount
    rule (SPC interpretation Art. 9): single owners, buyers of two or three apartments, co-owners,
    developer-held apartments (one head together) and apartments with no owner on record; then a
    motion on the whole estate, opened (roll frozen) as the services do it, voting now."""
    estate = f.EstateFactory(community=f.CommunityFactory(subdistrict=f.SubdistrictFactory(name="并发街道")))
    entrances = [
        f.EntranceFactory(building=f.BuildingFactory(estate=estate, name=f"{b}幢"), name="1单元") for b in range(1, 9)
    ]
    developer = f.OwnerFactory(name="某置业有限公司", kind=OwnerKind.DEVELOPER)
    apts = [
        f.ApartmentFactory(
            entrance=entrances[i % len(entrances)],
            room=f"{100 + i}",
            floor=1 + i % 11,
            area=Decimal(rng.randint(4000, 14000)) / 100,
            developer_held=i < 10,
        )
        for i in range(apartments)
    ]
    for apt in apts[:10]:
        f.OwnershipFactory(owner=developer, apartment=apt)
    i = 10
    for size in [3] * 5 + [2] * 20:  # buyers of several apartments: one head each
        owner = f.OwnerFactory(phone=f"139{i:08d}")
        for apt in apts[i : i + size]:
            f.OwnershipFactory(owner=owner, apartment=apt)
        i += size
    for apt in apts[i : i + 5]:  # co-owners: one head per apartment
        f.OwnershipFactory(apartment=apt)
        f.OwnershipFactory(apartment=apt)
    i += 5
    i += 2  # two apartments with no owner on record: one head each, keyed by the apartment
    for apt in apts[i:]:
        f.OwnershipFactory(apartment=apt)
    staff = f.user_with_role(Role.COMMUNITY_STAFF, community=estate.community)
    now = timezone.now()
    opens = now - dt.timedelta(days=1)
    motion = s.motion_create(
        actor=staff,
        estate=estate,
        title="并发表决",
        question="是否同意更新电梯？",
        scope_kind="estate",
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=11),
    )
    motion = s.motion_open(actor=staff, motion=motion, now=opens - dt.timedelta(days=8))
    return motion, list(Voter.objects.filter(motion=motion).order_by("number")), now


@dataclass(frozen=True)
class Op:
    voter_id: int
    choice: str
    request_key: str


@dataclass(frozen=True)
class Ack:
    op: Op
    version_pk: int
    version: int
    choice: str
    created: bool


def _run_threads(plans: list[list[Op]], tokens: dict[int, str], now: dt.datetime) -> tuple[list[Ack], list[Any]]:
    """Run each plan in its own thread, all starting together; collect acknowledgements and errors."""
    acks: list[Ack] = []
    errors: list[Any] = []
    lock = threading.Lock()
    start = threading.Barrier(len(plans))

    def work(plan: list[Op]) -> None:
        try:
            start.wait()
            for op in plan:
                try:
                    result = s.ballot_cast_online(
                        session_token=tokens[op.voter_id], choice=op.choice, request_key=op.request_key, now=now
                    )
                except Exception as exc:  # every failure is collected and asserted on below
                    with lock:
                        errors.append((op, exc))
                    continue
                with lock:
                    acks.append(
                        Ack(op, result.version.pk, result.version.version, result.version.choice, result.created)
                    )
        finally:
            connection.close()  # this thread's own connection: pytest-django only closes the main one

    threads = [threading.Thread(target=work, args=(plan,)) for plan in plans]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return acks, errors


def test_concurrent_casts_lose_nothing_and_count_once() -> None:
    from gongzhi.core.audit import audit_verify

    rng = random.Random(20240901)  # a reproducible plan
    motion, voters, now = _motion_with_roll(rng, apartments=200)
    assert RollEntry.objects.filter(motion=motion).count() == 200
    assert 150 <= len(voters) <= 170
    tokens = {v.pk: s.voter_session_issue(voter=v, now=now) for v in voters}
    # A fifth of the voters never vote, so the tally also has non-voters to leave out.
    casting = [v.pk for v in voters[: len(voters) * 4 // 5]]

    # The plan: random voters and choices (many voters change their mind several times), and
    # retries of earlier requests. A retry may sit in another thread's plan, so the original and
    # its retry can be in flight at the same moment.
    plans: list[list[Op]] = [[] for _ in range(THREADS)]
    sent: list[Op] = []
    for _ in range(CASTS_PER_THREAD):
        for plan in plans:
            if sent and rng.random() < 0.2:
                op = rng.choice(sent)
            else:
                op = Op(rng.choice(casting), rng.choice(CHOICES), uuid.uuid4().hex)
                sent.append(op)
            plan.append(op)
    retries = THREADS * CASTS_PER_THREAD - len(sent)
    assert retries > 50

    acks, errors = _run_threads(plans, tokens, now)

    assert errors == []
    assert len(acks) == THREADS * CASTS_PER_THREAD
    versions = list(BallotVersion.objects.filter(voter__motion=motion).values("pk", "voter_id", "version", "choice"))
    by_pk = {v["pk"]: v for v in versions}
    # (a) every acknowledged version exists, for that voter, with that choice.
    for ack in acks:
        row = by_pk.get(ack.version_pk)
        assert row is not None, ack
        assert (row["voter_id"], row["version"], row["choice"]) == (ack.op.voter_id, ack.version, ack.op.choice)
        assert ack.choice == ack.op.choice
    # (e) one version per distinct request: retries created nothing and were answered with the
    # version of the first request with that key.
    assert len(versions) == len(sent) == sum(a.created for a in acks)
    first_answer: dict[str, int] = {}
    for ack in acks:
        assert first_answer.setdefault(ack.op.request_key, ack.version_pk) == ack.version_pk
    assert set(first_answer) == {op.request_key for op in sent}
    # (b) dense versions per voter: 1..n.
    per_voter: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for v in versions:
        per_voter[v["voter_id"]].append(v)
    for rows in per_voter.values():
        rows.sort(key=lambda r: r["version"])
        assert [r["version"] for r in rows] == list(range(1, len(rows) + 1))
    # (c) one current ballot per roll entry of every voter who voted, carrying the latest choice.
    latest = {voter_id: rows[-1] for voter_id, rows in per_voter.items()}
    ballots = list(Ballot.objects.filter(motion=motion).values("roll_entry_id", "voter_id", "choice", "version_id"))
    entries = dict(RollEntry.objects.filter(motion=motion).values_list("id", "voter_id"))
    voted_entries = {e for e, voter_id in entries.items() if voter_id in latest}
    assert sorted(b["roll_entry_id"] for b in ballots) == sorted(voted_entries)
    for b in ballots:
        assert entries[b["roll_entry_id"]] == b["voter_id"]
        assert (b["choice"], b["version_id"]) == (latest[b["voter_id"]]["choice"], latest[b["voter_id"]]["pk"])
    for voter in Voter.objects.filter(motion=motion):
        top = latest.get(voter.pk)
        assert (voter.choice, voter.version) == ((top["choice"], top["version"]) if top else ("", 0))
    # (d) the live tally equals the recount from the ballot history.
    outcome = selectors.motion_tally(motion)
    assert outcome.as_json() == selectors.motion_recount(motion).as_json()
    assert outcome.participating.owners == len(latest)
    # (f) the audit chain is intact, with one entry per version.
    assert audit_verify().ok
    from gongzhi.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="ballot_cast", object_id=str(motion.pk)).count() == len(versions)


def test_casts_at_or_after_closing_are_refused_from_threads() -> None:
    rng = random.Random(7)
    motion, voters, _now = _motion_with_roll(rng, apartments=60)
    closes = motion.closes_at
    tokens = {v.pk: s.voter_session_issue(voter=v, now=closes - dt.timedelta(hours=1)) for v in voters}
    moments = [closes - dt.timedelta(microseconds=1), closes, closes + dt.timedelta(seconds=1)]
    # Every voter tries at each moment, from different threads, in a shuffled order.
    jobs = [(v.pk, at) for v in voters for at in moments]
    rng.shuffle(jobs)
    accepted: list[tuple[int, dt.datetime]] = []
    refused: list[tuple[int, dt.datetime, str]] = []
    other: list[Any] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def work(part: list[tuple[int, dt.datetime]]) -> None:
        try:
            start.wait()
            for voter_id, at in part:
                try:
                    s.ballot_cast_online(
                        session_token=tokens[voter_id], choice="for", request_key=uuid.uuid4().hex, now=at
                    )
                except DomainError as exc:
                    with lock:
                        refused.append((voter_id, at, exc.code))
                except Exception as exc:
                    with lock:
                        other.append(exc)
                else:
                    with lock:
                        accepted.append((voter_id, at))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(jobs[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert other == []
    assert sorted(accepted) == sorted((v.pk, closes - dt.timedelta(microseconds=1)) for v in voters)
    assert len(refused) == 2 * len(voters)
    assert {(at >= closes, code) for _v, at, code in refused} == {(True, "voting_closed")}
    assert not BallotVersion.objects.filter(voter__motion=motion, cast_at__gte=closes).exists()
    assert BallotVersion.objects.filter(voter__motion=motion).count() == len(voters)
    result = s.motions_close_due(now=closes)
    assert result == 1
    motion.refresh_from_db()
    assert motion.result.outcome["participating"]["owners"] == len(voters)
