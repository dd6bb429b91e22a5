"""Figures of owners' motions (issue 3, "Figures"): the tally of a large motion, and ballot casting
over HTTP under load. See docs/motions-bench.md.

    .venv/bin/python bench/bench_motions.py --tally          # SQLite under bench/out/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench .venv/bin/python bench/bench_motions.py
    DATABASE_URL=... .venv/bin/python bench/bench_motions.py --http --duration 10   # a quick run

--tally: a motion with 200,000 apartments (about 183,000 owners: most hold one apartment, some two
or three, the developer a block) and 150,000 ballots, written with bulk inserts in the shapes the
services write (roll, voters, owners, versions, current ballots) and reused by later runs. Times
selectors.motion_tally (median) against the floor of one SQL aggregate over the same rows, and
selectors.motion_recount for information.

--http (PostgreSQL only): a fresh motion with 5,000 voters open now, one bearer session per voter,
uvicorn with two workers as a subprocess, then 100 concurrent keep-alive clients casting ballots
for --duration seconds (POST /api/vote/ballot), then the same load on GET /api/vote/ping.
Prints ballots/s, p50/p99 latency and errors, then checks that every acknowledged ballot is in the
database and that the tally equals the recount. Aim: zero errors, p99 under 200 ms.

Default: both parts (the HTTP part is skipped with a note when the database is SQLite).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import json
import logging
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PORT = 8765
AIM_P99_MS = 200.0
CHOICES = ("for", "against", "abstain")


def setup_django(*, fresh: bool) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")
    os.environ.setdefault("GONGZHI_DEBUG", "0")
    os.environ.setdefault("GONGZHI_ALLOWED_HOSTS", "127.0.0.1")
    if not os.environ.get("DATABASE_URL"):
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / "motions.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.CRITICAL)


def median_seconds(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm up (caches, the planner's statistics, compiled queries)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def places(name: str, *, apartments: int, rooms_per_entrance: int = 100) -> Any:
    """An estate with `apartments` apartments (2 entrances per building), created once."""
    from gongzhi.places.models import Apartment, Building, Community, District, Entrance, Estate, Subdistrict

    district, _ = District.objects.get_or_create(name="基准区")
    subdistrict, _ = Subdistrict.objects.get_or_create(district=district, name="基准街道")
    community, _ = Community.objects.get_or_create(subdistrict=subdistrict, name="基准社区")
    estate = Estate.objects.filter(community=community, name=name).first()
    if estate is not None:
        return estate
    estate = Estate.objects.create(community=community, name=name, address="基准路1号")
    entrances_needed = -(-apartments // rooms_per_entrance)
    buildings = Building.objects.bulk_create(
        [Building(estate=estate, name=f"{b + 1}幢", floors=25) for b in range(-(-entrances_needed // 2))],
        batch_size=2000,
    )
    entrances = Entrance.objects.bulk_create(
        [Entrance(building=buildings[e // 2], name=f"{e % 2 + 1}单元") for e in range(entrances_needed)],
        batch_size=2000,
    )
    rng = random.Random(apartments)
    batch: list[Apartment] = []
    for i in range(apartments):
        e, r = divmod(i, rooms_per_entrance)
        floor, unit = divmod(r, 4)
        area = Decimal(rng.randint(4000, 16000)) / 100
        batch.append(Apartment(entrance=entrances[e], room=f"{floor + 1}{unit + 1:02d}", floor=floor + 1, area=area))
        if len(batch) == 5000:
            Apartment.objects.bulk_create(batch)
            batch = []
    Apartment.objects.bulk_create(batch)
    return estate


# --- part (a): the tally ---------------------------------------------------------------------


@dataclass
class Group:
    """One head of the roll (SPC interpretation on building ownership, Art. 9)."""

    key: str
    apartments: list[tuple[int, Decimal, str, str, str, int]]  # pk, area, building, entrance, room, floor
    owner_ids: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    phone: str = ""
    versions: list[str] = field(default_factory=list)  # choices in order; empty: has not voted


def tally_motion(apartments: int, ballots: int, *, seed: int = 278) -> Any:
    """Find or build the tally benchmark's motion. Written straight into the tables (the services
    would take an hour for 200,000 apartments), in the same shapes as motion_open and _cast."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.motions import thresholds as th
    from gongzhi.motions.models import Ballot, BallotVersion, Motion, MotionStatus, RollEntry, ScopeKind, Voter
    from gongzhi.places.models import Apartment, Owner, OwnerKind, Ownership

    title = f"基准表决 {apartments}/{ballots}"
    motion = Motion.objects.filter(title=title, status=MotionStatus.OPEN).first()
    if motion is not None and Ballot.objects.filter(motion=motion).count() == ballots:
        return motion
    if motion is not None:
        raise SystemExit(f"{title!r} exists but is incomplete: run with --fresh (SQLite) or drop gongzhi_bench")
    rng = random.Random(seed)
    with transaction.atomic():
        estate = places(f"基准小区{apartments}", apartments=apartments)
        rows = list(
            Apartment.objects.filter(entrance__building__estate=estate)
            .order_by("entrance__building_id", "entrance_id", "floor", "room")
            .values_list("pk", "area", "entrance__building__name", "entrance__name", "room", "floor")
        )
        # Heads: the developer holds a block (one head for all of it); then buyers of three and of
        # two apartments, one in fifty apartments held by two co-owners, the rest single owners.
        developer_n = min(600, len(rows) // 100)
        threes = len(rows) // 50
        twos = len(rows) // 25
        groups = [Group("developer", rows[:developer_n])]
        i = developer_n
        for size, count in ((3, threes), (2, twos)):
            for _ in range(count):
                groups.append(Group("", rows[i : i + size]))
                i += size
        groups.extend(Group("", [row]) for row in rows[i:])
        rng.shuffle(groups)  # owners of several apartments live all over the estate
        owners: list[Owner] = [
            Owner(name="基准置业有限公司", kind=OwnerKind.DEVELOPER, id_hash=f"bench-dev-{estate.pk}")
        ]
        owner_of: list[list[int]] = []  # per group, indices into owners
        for g, group in enumerate(groups):
            if group.key == "developer":
                owner_of.append([0])
                continue
            heads = 2 if len(group.apartments) == 1 and g % 50 == 0 else 1
            owner_of.append(list(range(len(owners), len(owners) + heads)))
            for h in range(heads):
                n = len(owners)
                owners.append(
                    Owner(
                        name=f"业主{n}",
                        id_hash=hashlib.sha256(f"bench-{estate.pk}-{n}".encode()).hexdigest(),
                        id_last4=f"{n % 10000:04d}",
                        phone=f"138{n:08d}" if h == 0 else "",
                    )
                )
        Owner.objects.bulk_create(owners, batch_size=5000)
        Ownership.objects.bulk_create(
            (
                Ownership(owner=owners[o], apartment_id=apt[0])
                for group, idx in zip(groups, owner_of, strict=True)
                for o in idx
                for apt in group.apartments
            ),
            batch_size=5000,
        )
        for group, idx in zip(groups, owner_of, strict=True):
            group.owner_ids = sorted(owners[o].pk for o in idx)
            group.names = [owners[o].name for o in idx]
            group.phone = next((owners[o].phone for o in idx if owners[o].phone), "")
            if group.key != "developer":
                group.key = "owners:" + ",".join(str(pk) for pk in group.owner_ids)
        # Who voted: voters in random order until exactly `ballots` apartments carry a ballot;
        # one in ten changed their mind once.
        cast = 0
        for group in sorted(groups, key=lambda _g: rng.random()):
            if cast + len(group.apartments) > ballots:
                continue
            first = rng.choices(CHOICES, weights=(60, 25, 15))[0]
            group.versions = [first]
            if rng.random() < 0.1:
                group.versions.append(rng.choice([c for c in CHOICES if c != first]))
            cast += len(group.apartments)
            if cast == ballots:
                break
        if cast != ballots:
            raise SystemExit(f"could not place {ballots} ballots on {len(rows)} apartments")

        now = timezone.now()
        rule = th.rule_from(th.PRESET_ORDINARY)
        motion = Motion.objects.create(
            estate=estate,
            title=title,
            question="是否同意更新小区全部电梯？",
            scope_kind=ScopeKind.ESTATE,
            rule_preset=th.PRESET_ORDINARY,
            participation_area=str(rule.participation_area),
            participation_owners=str(rule.participation_owners),
            approval_area=str(rule.approval_area),
            approval_owners=str(rule.approval_owners),
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=10),
            status=MotionStatus.OPEN,
            opened_at=now - dt.timedelta(days=8),
        )
        voters = Voter.objects.bulk_create(
            (
                Voter(
                    motion=motion,
                    number=n,
                    owner_key=group.key,
                    display_name=("建设单位" if group.key == "developer" else "、".join(group.names))[:255],
                    phone=group.phone,
                    area=sum((a[1] for a in group.apartments), Decimal("0.00")),
                    apartments=len(group.apartments),
                    # The real link hash needs the voter's pk first (motion_open updates it after the
                    # insert); the bench never follows links, so a unique stand-in of the same shape.
                    token_hash=hashlib.sha256(f"bench-link:{motion.pk}:{n}".encode()).hexdigest(),
                    choice=group.versions[-1] if group.versions else "",
                    version=len(group.versions),
                )
                for n, group in enumerate(groups, start=1)
            ),
            batch_size=5000,
        )
        through = Voter.owners.through
        through.objects.bulk_create(
            (
                through(voter_id=v.pk, owner_id=o)
                for v, group in zip(voters, groups, strict=True)
                if group.key != "developer"
                for o in group.owner_ids
            ),
            batch_size=5000,
        )
        entries = RollEntry.objects.bulk_create(
            (
                RollEntry(
                    motion=motion,
                    apartment_id=pk,
                    voter=v,
                    label=f"{building}{entrance}{room}",
                    building_name=building,
                    entrance_name=entrance,
                    room=room,
                    floor=floor,
                    area=area,
                    developer_held=group.key == "developer",
                )
                for v, group in zip(voters, groups, strict=True)
                for pk, area, building, entrance, room, floor in group.apartments
            ),
            batch_size=5000,
        )
        versions = BallotVersion.objects.bulk_create(
            (
                BallotVersion(
                    voter=v,
                    version=n,
                    choice=choice,
                    channel="paper" if v.number % 20 == 0 else "online",
                    cast_at=now - dt.timedelta(hours=len(group.versions) - n),
                    request_key=uuid.UUID(int=rng.getrandbits(128)).hex,
                )
                for v, group in zip(voters, groups, strict=True)
                for n, choice in enumerate(group.versions, start=1)
            ),
            batch_size=5000,
        )
        latest = {bv.voter_id: bv for bv in versions}  # in version order: the last one wins
        Ballot.objects.bulk_create(
            (
                Ballot(
                    motion=motion,
                    roll_entry=e,
                    voter_id=e.voter_id,
                    version=latest[e.voter_id],
                    choice=latest[e.voter_id].choice,
                    channel=latest[e.voter_id].channel,
                    area=e.area,
                    cast_at=latest[e.voter_id].cast_at,
                )
                for e in entries
                if e.voter_id in latest
            ),
            batch_size=5000,
        )
    with connection.cursor() as cursor:  # planner statistics, as autovacuum would gather after a bulk load
        cursor.execute("ANALYZE")
    return motion


def run_tally(args: argparse.Namespace) -> None:
    from django.db import connection

    from gongzhi.motions import selectors
    from gongzhi.motions.models import Ballot, BallotVersion, RollEntry, Voter

    start = time.perf_counter()
    motion = tally_motion(args.apartments, args.ballots)
    print(
        f"motion: {RollEntry.objects.filter(motion=motion).count():,} apartments, "
        f"{Voter.objects.filter(motion=motion).count():,} owners, "
        f"{Ballot.objects.filter(motion=motion).count():,} ballots, "
        f"{BallotVersion.objects.filter(voter__motion=motion).count():,} versions "
        f"({time.perf_counter() - start:.1f} s to generate or find)"
    )

    def floor(table: str) -> Callable[[], Any]:
        def run() -> Any:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT SUM(area), COUNT(*) FROM {table} WHERE motion_id = %s", [motion.pk])  # noqa: S608
                return cursor.fetchone()

        return run

    tally = median_seconds(lambda: selectors.motion_tally(motion), args.runs)
    voters_floor = median_seconds(floor("motions_voter"), args.runs)
    ballots_floor = median_seconds(floor("motions_ballot"), args.runs)
    recount_runs = max(1, args.runs // 3)
    recount = median_seconds(lambda: selectors.motion_recount(motion), recount_runs)
    outcome = selectors.motion_tally(motion)
    agree = outcome.as_json() == selectors.motion_recount(motion).as_json()

    print(f"\ntally on {connection.vendor}, median of {args.runs} runs:")
    print(f"  {'motion_tally()':40} {tally:8.4f} s")
    for label, seconds in (
        ("floor: one aggregate over motions_voter", voters_floor),
        ("floor: same over motions_ballot", ballots_floor),
    ):
        print(f"  {label:40} {seconds:8.4f} s   tally / floor {tally / seconds:6.1f}")
    print(f"  {f'motion_recount() (median of {recount_runs})':40} {recount:8.4f} s")
    print(
        f"  outcome: participating {outcome.participating.area} m² / {outcome.participating.owners} owners of "
        f"{outcome.total.area} m² / {outcome.total.owners}; passed {outcome.passed}; tally == recount: {agree}"
    )
    if not agree:
        raise SystemExit("tally and recount disagree")


# --- part (b): casting over HTTP ---------------------------------------------------------------


@dataclass
class Load:
    """What the clients saw during one load run."""

    seconds: float
    client_cpu: float = 0.0  # CPU seconds the load generator itself used (it shares the machine)
    ok: int = 0
    created: int = 0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]

    def line(self, what: str) -> str:
        return (
            f"  {what:22} {self.ok / self.seconds:8.1f} /s   p50 {self.percentile(0.5):7.1f} ms   "
            f"p99 {self.percentile(0.99):7.1f} ms   errors {self.errors}   "
            f"(client CPU {self.client_cpu / self.seconds:.0%} of a core)"
            + (f" {self.statuses}" if self.statuses else "")
        )


def load(
    *,
    clients: int,
    seconds: float,
    request: Callable[[random.Random], tuple[str, str, bytes | None, dict[str, str]]],
) -> Load:
    """`clients` threads, each with one keep-alive connection, sending `request(rng)` in a loop
    until the time is up. A failed connection is counted as an error and opened again."""
    result = Load(seconds)
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client() -> None:
        rng = random.Random()  # choices only; request keys come from uuid4, never repeated across runs
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        ok = created = errors = 0
        statuses: dict[str, int] = {}
        latencies: list[float] = []
        start_line.wait()
        while time.perf_counter() < deadline[0]:
            method, path, body, headers = request(rng)
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors += 1
                statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                continue
            latencies.append((time.perf_counter() - t0) * 1000)
            if 200 <= response.status < 300:
                ok += 1
                created += response.status == 201
            else:
                errors += 1
                try:  # the domain error's code when the answer is the API's JSON, else the status alone
                    key = f"{response.status} {json.loads(data).get('code', '')}".strip()
                except (ValueError, AttributeError):
                    key = str(response.status)
                statuses[key] = statuses.get(key, 0) + 1
        conn.close()
        with lock:
            result.ok += ok
            result.created += created
            result.errors += errors
            result.latencies_ms.extend(latencies)
            for k, v in statuses.items():
                result.statuses[k] = result.statuses.get(k, 0) + v

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    cpu = time.process_time()
    deadline[0] = time.perf_counter() + seconds
    start_line.wait()
    for t in threads:
        t.join()
    result.client_cpu = time.process_time() - cpu
    return result


def http_motion(voters: int) -> tuple[Any, list[str]]:
    """A fresh motion on the HTTP estate (one owner per apartment, so one voter per apartment),
    opened through the services and voting now, and one bearer session per voter."""
    from django.db import transaction
    from django.utils import timezone

    from gongzhi.core.actors import SYSTEM
    from gongzhi.motions import services
    from gongzhi.motions.models import Voter
    from gongzhi.places.models import Apartment, Owner, Ownership

    with transaction.atomic():
        estate = places(f"基准HTTP小区{voters}", apartments=voters)
        apartments = list(
            Apartment.objects.filter(entrance__building__estate=estate, ownerships__isnull=True).values_list(
                "pk", flat=True
            )
        )
        if apartments:
            owners = Owner.objects.bulk_create(
                Owner(
                    name=f"HTTP业主{pk}",
                    id_hash=hashlib.sha256(f"bench-http-{pk}".encode()).hexdigest(),
                    phone=f"137{pk:08d}",
                )
                for pk in apartments
            )
            Ownership.objects.bulk_create(
                Ownership(owner=o, apartment_id=pk) for o, pk in zip(owners, apartments, strict=True)
            )
    now = timezone.now()
    opens = now - dt.timedelta(days=1)
    motion = services.motion_create(
        actor=SYSTEM,
        estate=estate,
        title=f"HTTP基准 {now:%Y-%m-%d %H:%M:%S}",
        question="是否同意更新电梯？",
        scope_kind="estate",
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=11),
    )
    motion = services.motion_open(actor=SYSTEM, motion=motion, now=opens - dt.timedelta(days=8))
    with transaction.atomic():
        tokens = [services.voter_session_issue(voter=v) for v in Voter.objects.filter(motion=motion)]
    return motion, tokens


def start_server(workers: int, settings: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "GONGZHI_ALLOWED_HOSTS": "127.0.0.1",
        "GONGZHI_DEBUG": "0",
        "GONGZHI_CONN_MAX_AGE": os.environ.get("GONGZHI_CONN_MAX_AGE", "0"),
        # A pool per worker process (config/settings.py): without one, connections outnumber
        # PostgreSQL's max_connections under 100 clients and requests fail.
        "GONGZHI_DB_POOL_MAX": os.environ.get("GONGZHI_DB_POOL_MAX", str(max(4, 80 // (workers + 1)))),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / "uvicorn.log").open("wb")
    command = [
        str(ROOT / ".venv" / "bin" / "uvicorn"),
        "gongzhi.config.asgi:application",
        "--workers",
        str(workers),
        "--port",
        str(PORT),
        "--host",
        "127.0.0.1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"uvicorn exited with {server.returncode}: see {OUT / 'uvicorn.log'}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/api/vote/ping")
            response = conn.getresponse()
            body = response.read()
            conn.close()
            if response.status == 200 and json.loads(body) == {"ok": True}:
                return server
        except (OSError, http.client.HTTPException, ValueError):
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit("uvicorn did not answer GET /api/vote/ping within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGINT, as Ctrl-C would: uvicorn finishes the requests in flight and stops its workers."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run_http(args: argparse.Namespace) -> None:
    from django.db import connection

    from gongzhi.motions import selectors
    from gongzhi.motions.models import BallotVersion

    if connection.vendor != "postgresql":
        print("\nHTTP part skipped: it needs PostgreSQL (set DATABASE_URL to a PostgreSQL database).")
        return
    start = time.perf_counter()
    motion, tokens = http_motion(args.voters)
    print(f"\nHTTP motion {motion.pk}: {len(tokens):,} voters with a session ({time.perf_counter() - start:.1f} s)")
    before = BallotVersion.objects.filter(voter__motion=motion).count()
    connection.close()  # the server's workers need the connections more than this process

    def ballot(rng: random.Random) -> tuple[str, str, bytes | None, dict[str, str]]:
        body = json.dumps({"choice": rng.choice(CHOICES), "request_key": uuid.uuid4().hex})
        headers = {"Authorization": f"Bearer {rng.choice(tokens)}", "Content-Type": "application/json"}
        return "POST", "/api/vote/ballot", body.encode(), headers

    def ping(_rng: random.Random) -> tuple[str, str, bytes | None, dict[str, str]]:
        return "GET", "/api/vote/ping", None, {}

    server = start_server(args.workers, args.settings)
    try:
        warm = load(clients=args.clients, seconds=args.warmup, request=ballot) if args.warmup else Load(1)
        cast = load(clients=args.clients, seconds=args.duration, request=ballot)
        baseline = load(clients=args.clients, seconds=args.duration, request=ping)
    finally:
        stop_server(server)

    print(
        f"\nHTTP on PostgreSQL, uvicorn --workers {args.workers}, {args.clients} clients, {args.duration:.0f} s each, "
        f"settings {args.settings}, GONGZHI_DB_POOL_MAX={os.environ.get('GONGZHI_DB_POOL_MAX', 'per worker')}\n"
        f"  (load generator on the same {os.cpu_count()}-core machine, competing with the server):"
    )
    print(cast.line("POST /api/vote/ballot"))
    print(baseline.line("GET /api/vote/ping"))
    ratio = (baseline.ok / baseline.seconds) / (cast.ok / cast.seconds) if cast.ok else float("nan")
    print(f"  ping / ballot throughput ratio: {ratio:.1f}")
    p99 = cast.percentile(0.99)
    print(
        f"  aim: zero errors, p99 < {AIM_P99_MS:.0f} ms: {'ok' if cast.errors == 0 and p99 < AIM_P99_MS else 'MISSED'}"
    )

    acknowledged = warm.created + cast.created
    created = BallotVersion.objects.filter(voter__motion=motion).count() - before
    outcome = selectors.motion_tally(motion)
    agree = outcome.as_json() == selectors.motion_recount(motion).as_json()
    print(
        f"  check: {acknowledged:,} ballots acknowledged with 201 (warm-up {warm.created:,}), {created:,} versions "
        f"in the database: {'ok' if created == acknowledged else 'MISMATCH'}; tally == recount: {agree}"
    )
    retries = warm.ok + cast.ok - acknowledged
    if retries:
        print(f"  note: {retries} answers were 200 (a retry), not expected with fresh request keys")
    if created != acknowledged or not agree:
        raise SystemExit("check failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tally", action="store_true", help="only the tally part")
    parser.add_argument("--http", action="store_true", help="only the HTTP part (PostgreSQL)")
    parser.add_argument("--apartments", type=int, default=200_000)
    parser.add_argument("--ballots", type=int, default=150_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--voters", type=int, default=5_000, help="HTTP part: voters of the motion")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load, per endpoint")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of casting before measuring")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--settings",
        default="gongzhi.config.settings",
        help="HTTP part: DJANGO_SETTINGS_MODULE of the server (to try e.g. a connection pool; PYTHONPATH is passed on)",
    )
    parser.add_argument("--fresh", action="store_true", help="delete the SQLite file and generate again")
    args = parser.parse_args()
    both = not args.tally and not args.http
    setup_django(fresh=args.fresh)

    from django.core.management import call_command
    from django.db import connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", interactive=False, verbosity=0)
    if args.tally or both:
        run_tally(args)
    if args.http or both:
        run_http(args)


if __name__ == "__main__":
    main()
