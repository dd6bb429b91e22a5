"""Server time per request of the dashboard and the ranked campaign list with many elevators.

    .venv/bin/python bench/bench_pages.py                   # 100,000 elevators, SQLite under bench/out/
    .venv/bin/python bench/bench_pages.py --elevators 5000  # a quick run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench .venv/bin/python bench/bench_pages.py

The registry is generated once per database (gongzhi.demo.synthetic) and reused by later runs
with the same size; --fresh starts over. Prints median and p95 in milliseconds. Aim: < 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
AIM_MS = 300.0


def setup_django(elevators: int, *, fresh: bool) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")
    os.environ.setdefault("GONGZHI_DEBUG", "0")
    os.environ.setdefault("GONGZHI_ALLOWED_HOSTS", "testserver")
    if not os.environ.get("DATABASE_URL"):
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"pages-{elevators}.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # a failing page is reported once, below


def measure(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    fn()  # warm up (caches, compiled queries)
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--elevators", type=int, default=100_000)
    parser.add_argument("--apartments-per-entrance", type=int, default=15)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--fresh", action="store_true", help="delete the SQLite file and generate again")
    args = parser.parse_args()
    setup_django(args.elevators, fresh=args.fresh)

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.urls import NoReverseMatch, reverse

    from gongzhi.demo.synthetic import generate_registry
    from gongzhi.elevators import selectors
    from gongzhi.elevators.models import Campaign, Elevator, FaultRecord
    from gongzhi.elevators.services import campaign_open
    from gongzhi.places.models import Apartment, Role, RoleAssignment, Subdistrict

    name = f"基准街道{args.elevators}"
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", interactive=False, verbosity=0)
    start = time.perf_counter()
    generate_registry(
        elevators=args.elevators, apartments_per_entrance=args.apartments_per_entrance, subdistrict_name=name
    )
    with connection.cursor() as cursor:  # planner statistics, as autovacuum would gather after a bulk load
        cursor.execute("ANALYZE")
    subdistrict = Subdistrict.objects.get(name=name)
    in_sub = {"entrance__building__estate__community__subdistrict": subdistrict}
    print(
        f"registry: {Elevator.objects.filter(**in_sub).count():,} elevators, "
        f"{Apartment.objects.filter(**in_sub).count():,} apartments, "
        f"{FaultRecord.objects.filter(elevator__in=Elevator.objects.filter(**in_sub)).count():,} "
        f"faults ({time.perf_counter() - start:.1f} s to generate or find)"
    )
    user_model = get_user_model()
    username = f"bench-staff-{args.elevators}"
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model.objects.create_user(username=username, password="bench-only-password")  # noqa: S106
        RoleAssignment.objects.create(user=user, role=Role.SUBDISTRICT_STAFF, subdistrict=subdistrict)
    campaign = Campaign.objects.filter(subdistrict=subdistrict).first()
    if campaign is None:
        start = time.perf_counter()
        campaign = campaign_open(
            actor=user,
            subdistrict=subdistrict,
            name="基准更新行动",
            reference_date=dt.date(2024, 9, 1),
            deadline=dt.date(2025, 6, 30),
        )
        print(f"campaign_open (ranks every elevator): {time.perf_counter() - start:.1f} s")

    def fresh_user() -> Any:
        return user_model.objects.get(pk=user.pk)  # no cached access: as in a new request

    def run_dashboard() -> None:
        selectors.dashboard(fresh_user())

    def run_entries() -> None:
        rows = list(selectors.campaign_entries(fresh_user(), campaign)[:50])
        assert len(rows) == 50 or args.elevators < 200  # noqa: S101

    results: list[tuple[str, float, float]] = []
    results.append(("dashboard() selector", *measure(run_dashboard, args.runs)))
    results.append(("campaign_entries() first 50", *measure(run_entries, args.runs)))

    client = Client()
    client.force_login(user)
    pages: list[tuple[str, str]] = []
    try:
        pages.append(("page: home (dashboard)", reverse("home")))
    except NoReverseMatch:
        print("page 'home' not found: skipped")
    for kwargs in ({"pk": campaign.pk}, {"campaign_id": campaign.pk}):
        try:
            pages.append(("page: campaign_detail", reverse("campaign_detail", kwargs=kwargs)))
            break
        except NoReverseMatch:
            continue
    else:
        print("page 'campaign_detail' not found: skipped")
    # Pages render {% static %}: without DEBUG the manifest storage would need collectstatic first.
    plain_static = override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )
    plain_static.enable()
    for label, url in pages:

        def get(url: str = url) -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")

        try:
            results.append((label, *measure(get, args.runs)))
        except Exception as exc:
            print(f"{label} ({url}) failed, skipped: {type(exc).__name__}: {exc}")

    print(f"\n{args.elevators:,} elevators, {args.runs} runs each (ms):")
    print(f"{'what':36} {'median':>9} {'p95':>9}  aim < {AIM_MS:.0f}")
    for label, median, p95 in results:
        flag = "ok" if p95 < AIM_MS else "SLOW"
        print(f"{label:36} {median:9.1f} {p95:9.1f}  {flag}")


if __name__ == "__main__":
    main()
