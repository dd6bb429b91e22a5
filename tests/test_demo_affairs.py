"""The community-affairs part of the demo (gongzhi.demo.affairs, issue 6 item 6): 94 estates of
昌硕街道 with a year of public revenue (about ¥13 million), statements that reconcile, suggestions in
every state, councils, and two space-for-service agreements.

The sample is loaded alone once for this module (the Liangzhu part is tested in tests/test_demo.py,
which loads it without this sample). The determinism test comes first: it loads the sample twice in
savepoints rolled back, before the module's load exists."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from gongzhi.councils.models import Council, Outcome, OutcomeStatus, Session, Topic, TopicStatus
from gongzhi.demo.affairs import ANNUAL_INCOME, SUBDISTRICT, affairs_summary, load_affairs
from gongzhi.demo.liangzhu import DEMO_PASSWORD, DEMO_USERS
from gongzhi.ledgers import books
from gongzhi.ledgers.models import Entry, EntryKind, Ledger, SpendingStatus, Statement
from gongzhi.ledgers.services import balance, postings
from gongzhi.meetings.models import MeetingStatus
from gongzhi.places.models import Estate, Role, RoleAssignment
from gongzhi.spaces.models import Agreement
from gongzhi.spaces.selectors import obligation_statuses
from gongzhi.spaces.services import review_due
from gongzhi.suggestions.models import EventKind, ExtensionStatus, Rating, Source, Status, Suggestion
from gongzhi.suggestions.selectors import is_overdue
from tests.test_demo import TODAY, _media  # noqa: F401 - the media fixture keeps files out of var/

# demo_data: the sample data's own tests run in the SQLite pass, the demo's database (Makefile).
pytestmark = [pytest.mark.django_db, pytest.mark.demo_data]


@dataclass
class Loaded:
    summary: object
    first: tuple[str, object]  # digest and summary of a first load, made in a savepoint rolled back
    kept: tuple[str, object]  # the same of the load kept for the module


@pytest.fixture(scope="module")
def _affairs_loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[Loaded]:
    """The 昌硕 sample loaded once for the module, in a transaction rolled back at the end; before
    it, a first load with the same seed and day in a savepoint rolled back, for the determinism test
    (two loads in all)."""

    def load() -> tuple[object, tuple[str, object]]:
        assert not Estate.objects.filter(community__subdistrict__name=SUBDISTRICT).exists()
        loaded = load_affairs(seed=2024, today=TODAY, users={}, password=DEMO_PASSWORD)
        summary = affairs_summary()
        assert summary is not None
        return loaded, (affairs_digest(), summary)

    with django_db_blocker.unblock(), transaction.atomic():
        with transaction.atomic():
            _, first = load()
            transaction.set_rollback(True)
        loaded, kept = load()
        yield Loaded(loaded, first, kept)
        transaction.set_rollback(True)


@pytest.fixture
def demo(_affairs_loaded: Loaded, db: None) -> object:
    return _affairs_loaded.summary


@pytest.fixture
def affairs_loads(_affairs_loaded: Loaded, demo: object) -> Loaded:
    return _affairs_loaded


def affairs_digest() -> str:
    """Natural data only (no ids, no wall-clock times)."""
    h = hashlib.sha256()
    for row in Entry.objects.order_by("ledger__estate__name", "date", "kind", "category", "amount").values_list(
        "ledger__estate__name", "kind", "category", "amount", "date", "status", "paid_on", "reversed"
    ):
        h.update(repr(row).encode())
    for row in Suggestion.objects.order_by("title", "received_on", "source").values_list(
        "title", "status", "received_on", "due_on", "rating", "answered_late", "department__name", "source"
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


def test_affairs_deterministic_for_seed_and_today(affairs_loads: Loaded) -> None:
    """Two loads with the same seed and day, each into a database without the sample, write the
    same books and suggestions (the loads are made by the module's fixture, above)."""
    assert affairs_loads.first == affairs_loads.kept


@pytest.mark.usefixtures("demo")
def test_94_estates_in_changshuo_each_with_a_ledger() -> None:
    estates = Estate.objects.filter(
        community__subdistrict__name=SUBDISTRICT, community__subdistrict__district__name="安吉县"
    )
    assert estates.count() == 94
    assert len(set(estates.values_list("name", flat=True))) == 94
    assert all(a.startswith("示例数据") for a in estates.values_list("address", flat=True))
    ledgers = Ledger.objects.filter(estate__in=estates)
    assert ledgers.count() == 94
    assert set(ledgers.values_list("opened_on", flat=True)) == {TODAY - dt.timedelta(days=365)}


@pytest.mark.usefixtures("demo")
def test_a_year_of_income_is_about_13_million() -> None:
    entries = Entry.objects.filter(ledger__estate__community__subdistrict__name=SUBDISTRICT)
    gross = sum(entries.filter(kind=EntryKind.INCOME, reversed=False).values_list("amount", flat=True), Decimal(0))
    assert abs(gross - ANNUAL_INCOME) <= ANNUAL_INCOME * Decimal("0.05")
    summary = affairs_summary()
    assert summary is not None
    assert summary.income == gross
    # Each source of income is there, within the year, and every estate has each of them.
    for source in ("parking", "advertising", "venue"):
        assert entries.filter(kind=EntryKind.INCOME, category=source).values("ledger").distinct().count() == 94
    dates = entries.values_list("date", flat=True)
    assert min(dates) >= TODAY - dt.timedelta(days=365)
    assert max(dates) <= TODAY
    # Costs, paid and pending spending within the limit, transfers, one reversal.
    assert entries.filter(kind=EntryKind.COST).count() == 94 * 8
    spending = entries.filter(kind=EntryKind.SPENDING)
    assert spending.filter(status=SpendingStatus.PAID).count() > 94
    assert spending.filter(status=SpendingStatus.PROPOSED).exists()
    for entry in spending.select_related("ledger"):
        assert not entry.needs_motion
    assert entries.filter(kind=EntryKind.TRANSFER).count() == 94 * 2
    reversal = entries.get(kind=EntryKind.REVERSAL)
    assert reversal.reverses is not None
    assert reversal.reverses.reversed


@pytest.mark.usefixtures("demo")
def test_every_statement_reconciles() -> None:
    statements = Statement.objects.filter(ledger__estate__community__subdistrict__name=SUBDISTRICT)
    assert statements.count() == 94 * 4  # the quarters ended since 2025-11-27: 2025Q4 to 2026Q3
    for ledger in Ledger.objects.filter(estate__community__subdistrict__name=SUBDISTRICT).select_related("estate"):
        rows = list(Statement.objects.filter(ledger=ledger).order_by("period_start"))
        items = postings(ledger)
        assert rows[0].opening == ledger.opening_balance
        for before, after in itertools.pairwise(rows):
            assert after.opening == before.closing
        for s in rows:
            assert s.opening + s.income - s.costs - s.spending - s.transfers == s.closing
            fig = books.figures(ledger.opening_balance, items, s.period_start, s.period_end)
            assert (fig.opening, fig.income, fig.costs, fig.spending, fig.transfers, fig.closing) == (
                s.opening, s.income, s.costs, s.spending, s.transfers, s.closing,
            )  # fmt: skip
        assert balance(ledger, items) > 0


@pytest.mark.usefixtures("demo")
def test_suggestions_in_every_state() -> None:
    qs = Suggestion.objects.filter(subdistrict__name=SUBDISTRICT)
    assert {s for (s,) in qs.values_list("status")} == set(Status.values)
    events = {k for (k,) in qs.values_list("events__kind").distinct()}
    assert {
        EventKind.SUBMITTED, EventKind.RECORDED, EventKind.DISPATCHED, EventKind.SIGNED, EventKind.BOUNCED,
        EventKind.FORCED, EventKind.ANSWERED, EventKind.RATED, EventKind.REOPENED, EventKind.CLOSED,
        EventKind.EXTENSION_REQUESTED, EventKind.EXTENSION_APPROVED, EventKind.ESCALATED, EventKind.ADOPTED,
        EventKind.MERGED,
    } <= events  # fmt: skip
    closed = qs.filter(status=Status.CLOSED)
    assert {Rating.SATISFIED, Rating.BASIC} <= set(closed.values_list("rating", flat=True))
    reopened = qs.get(rating=Rating.UNSATISFIED)
    assert reopened.status == Status.HANDLING
    assert reopened.clock_from == TODAY - dt.timedelta(days=3)
    assert sum(is_overdue(s, TODAY) for s in qs) >= 2
    assert qs.filter(answered_late=True).exists()
    extensions = {e for (e,) in qs.values_list("extensions__status") if e}
    assert {ExtensionStatus.PENDING, ExtensionStatus.APPROVED} <= extensions
    deputy_suggestion = qs.get(source=Source.DEPUTY)
    assert deputy_suggestion.origin is not None
    assert deputy_suggestion.origin.deputy is not None
    assert deputy_suggestion.received_on == TODAY - dt.timedelta(days=1)
    merged = qs.get(merged_into__isnull=False)
    assert merged.status == Status.CLOSED
    assert qs.values("department").exclude(department=None).distinct().count() == 2
    assert qs.values("category").distinct().count() >= 3


@pytest.mark.usefixtures("demo")
def test_councils_topics_and_a_reported_session() -> None:
    councils = Council.objects.filter(community__subdistrict__name=SUBDISTRICT)
    assert councils.count() == 5
    for council in councils:
        assert council.members.count() >= 5
        statuses = set(Topic.objects.filter(council=council).values_list("status", flat=True))
        assert statuses == set(TopicStatus.values)
        session = Session.objects.select_related("meeting", "report").get(council=council)
        assert session.meeting.starts_at.date() < TODAY
        assert session.meeting.status == MeetingStatus.ENDED
        outcomes = Outcome.objects.filter(report=session.report)
        assert outcomes.count() == 2
        assert set(outcomes.values_list("status", flat=True)) == {OutcomeStatus.OPEN, OutcomeStatus.DONE}


@pytest.mark.usefixtures("demo")
def test_two_agreements_one_shortfall_one_review_due() -> None:
    agreements = list(Agreement.objects.filter(space__community__subdistrict__name=SUBDISTRICT).order_by("start"))
    assert len(agreements) == 2
    flagged = [
        (a.pk, row.start) for a in agreements for status in obligation_statuses(a, TODAY) for row in status.flagged
    ]
    assert len(flagged) == 1
    assert [review_due(a, TODAY) for a in agreements] == [True, False]
    for a in agreements:
        assert a.obligations.count() == 2
        assert all(o.fulfilments.exists() for o in a.obligations.all())


@pytest.mark.usefixtures("demo")
def test_new_logins_listed_and_scoped() -> None:
    names = {u.username for u in DEMO_USERS if u.demo == "affairs"}
    assert names == {"changshuo-jiedao", "changshuo-yeweihui", "changshuo-wuye", "bumen", "bumen2", "daibiao", "jumin"}
    for username in names:
        # Through the login page: the throttle (django-axes) needs the request.
        assert Client().post("/login/", {"username": username, "password": DEMO_PASSWORD}).status_code == 302, username
    user = get_user_model().objects.get(username="changshuo-yeweihui")
    assigned = RoleAssignment.objects.filter(user=user, role=Role.OWNERS_COMMITTEE)
    assert assigned.count() == 94
    assert {a.estate.community.subdistrict.name for a in assigned.select_related("estate__community__subdistrict")} == {
        SUBDISTRICT
    }
