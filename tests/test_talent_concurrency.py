"""Entering the pool from many threads at once against PostgreSQL: the cap ("at most 100 people")
and a category's quota hold whatever the interleaving, and every entry that was acknowledged is
there afterwards. Only PostgreSQL can show this: SQLite lets one writer in at a time."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from gongzhi.core.errors import DomainError
from gongzhi.talent.models import Cadre, CadreStatus, Membership, Organisation, PoolCategory, TalentPool
from gongzhi.talent.people import services
from tests import factories as f

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason=(
            "SQLite serialises all writers, so concurrent entries cannot race there; "
            "this test runs in the PostgreSQL pass of make test"
        ),
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8


def _race(admin: Any, cadres: list[Cadre]) -> tuple[list[int], list[str]]:
    barrier = threading.Barrier(len(cadres))
    entered: list[int] = []
    refused: list[str] = []
    lock = threading.Lock()

    def enter(cadre: Cadre) -> None:
        try:
            barrier.wait()
            services.membership_enter(
                actor=admin, cadre=cadre, entered_on=dt.date(2025, 3, 1), reason="并发入库", today=dt.date(2025, 3, 1)
            )
            with lock:
                entered.append(cadre.pk)
        except DomainError as error:
            with lock:
                refused.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=enter, args=(c,)) for c in cadres]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return entered, refused


def _world(
    name: str, *, cap: int, members: int, quota: int | None
) -> tuple[Any, TalentPool, PoolCategory, list[Cadre]]:
    admin = f.UserFactory(username=f"race-admin-{name}")
    pool = TalentPool.objects.create(name=name, cap=cap, exit_below=Decimal("60"))
    pool.administrators.add(admin)
    category = PoolCategory.objects.create(pool=pool, name="综合管理类", quota=quota)
    organisation = Organisation.objects.create(name=f"{name}单位")
    for i in range(members):
        cadre = Cadre.objects.create(
            pool=pool,
            name=f"在库{i}",
            date_of_birth=dt.date(1995, 1, 1),
            organisation=organisation,
            category=category,
            status=CadreStatus.MEMBER,
        )
        Membership.objects.create(cadre=cadre, entered_on=dt.date(2025, 1, 6), entry_reason="首批")
    candidates = [
        Cadre.objects.create(
            pool=pool, name=f"候选{i}", date_of_birth=dt.date(1996, 1, 1), organisation=organisation, category=category
        )
        for i in range(THREADS)
    ]
    return admin, pool, category, candidates


def test_the_cap_and_a_quota_hold_under_concurrent_entries() -> None:
    """One test (a transactional test empties every table afterwards, slow on PostgreSQL): first
    the last place under the cap goes to exactly one of eight, then a quota with two places left
    admits exactly two."""
    admin, pool, _category, candidates = _world("并发人才库", cap=5, members=4, quota=None)
    entered, refused = _race(admin, candidates)
    assert len(entered) == 1
    assert len(refused) == THREADS - 1
    assert all("人才库已满" in message for message in refused)
    open_stays = Membership.objects.filter(cadre__pool=pool, exited_on__isnull=True)
    assert open_stays.count() == 5
    assert open_stays.filter(cadre_id=entered[0]).exists()  # the acknowledged entry is there
    assert Cadre.objects.filter(pool=pool, status=CadreStatus.MEMBER).count() == 5

    admin, _pool, category, candidates = _world("名额人才库", cap=100, members=1, quota=3)
    entered, refused = _race(admin, candidates)
    assert len(entered) == 2
    assert len(refused) == THREADS - 2
    assert Membership.objects.filter(cadre__category=category, exited_on__isnull=True).count() == 3
    assert set(
        Membership.objects.filter(cadre_id__in=entered, exited_on__isnull=True).values_list("cadre_id", flat=True)
    ) == set(entered)
