"""Public-revenue ledgers (issue 6 part 4): every rule at its boundary — the delegated limit
(Civil Code Art. 278), budgets, net income and the maintenance-fund share (Art. 281-282, rounded half
up to the fen), reversals, never-edit, dates, and statements that always reconcile (Art. 943)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.ledgers import books
from gongzhi.ledgers import services as ls
from gongzhi.ledgers.models import Entry, EntryKind, Ledger, SpendingStatus, Statement
from gongzhi.places.models import Role
from tests.conftest import World

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
D = Decimal
NOW = timezone.make_aware(dt.datetime(2025, 12, 20, 10, 0))
OPENED = dt.date(2025, 1, 1)


@dataclass
class LedgerWorld:
    world: World
    ledger: Ledger
    committee: Any
    manager: Any
    outside_ledger: Ledger


def make_motion(estate: Any, staff: Any, *, passed: bool | None) -> Any:
    """A motion of `estate`: closed and passed (True), closed and failed (False), or still open (None)."""
    from gongzhi.motions.models import Motion, MotionResult, MotionStatus
    from gongzhi.motions.services import motion_create

    opens = timezone.now() - dt.timedelta(days=30)
    motion = motion_create(
        actor=staff,
        estate=estate,
        title="公共收益支出",
        question="是否同意动用公共收益更新监控系统？",
        scope_kind="estate",
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=10),
    )
    if passed is None:
        Motion.objects.filter(pk=motion.pk).update(status=MotionStatus.OPEN)
    else:
        Motion.objects.filter(pk=motion.pk).update(status=MotionStatus.CLOSED)
        MotionResult.objects.create(
            motion=motion,
            outcome={},
            passed=passed,
            computed_at=opens + dt.timedelta(days=10),
            published_at=opens + dt.timedelta(days=10),
            ballots_sha256="0" * 64,
        )
    return Motion.objects.get(pk=motion.pk)


def open_ledger(world: World, places: dict[str, Any], actor: Any | None = None) -> Ledger:
    from tests import factories as f

    actor = actor or f.user_with_role(Role.OWNERS_COMMITTEE, estate=places["estate"])
    return ls.ledger_open(
        actor=actor,
        estate=places["estate"],
        delegated_limit="5000.00",
        fund_share="10",
        opening_balance="1000.00",
        opened_on=OPENED,
    )


@pytest.fixture
def ledger_world(personas: World) -> LedgerWorld:
    return build_ledger_world(personas)


def build_ledger_world(personas: World) -> LedgerWorld:
    """亲亲家园's ledger (opened 2025-01-01 with ¥1,000.00, committee limit ¥5,000.00, 10% to the
    maintenance fund) with 2025 budgets (environment 20,000, maintenance 10,000, renewal 50,000),
    and 之江花园's ledger outside every persona's scope."""
    committee = personas.users[Role.OWNERS_COMMITTEE]
    ledger = open_ledger(personas, personas.inside, committee)
    for category, amount in (("environment", "20000.00"), ("maintenance", "10000.00"), ("renewal", "50000.00")):
        ls.budget_set(actor=committee, ledger=ledger, year=2025, category=category, amount=amount)
    outside = open_ledger(personas, personas.outside)
    return LedgerWorld(personas, ledger, committee, personas.users[Role.PROPERTY_MANAGER], outside)


def income(w: LedgerWorld, amount: str = "3000.00", day: dt.date = dt.date(2025, 2, 10), **kw: Any) -> Entry:
    return ls.income_post(actor=w.manager, ledger=w.ledger, source="parking", amount=amount, date=day, now=NOW, **kw)


def spend(w: LedgerWorld, amount: str, day: dt.date = dt.date(2025, 3, 1), category: str = "renewal") -> Entry:
    return ls.spending_propose(
        actor=w.manager, ledger=w.ledger, category=category, amount=amount, date=day, description="更换监控", now=NOW
    )


# --- money and dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1.00", "金额 须大于零"),
        ("0", "金额 须大于零"),
        ("0.00", "金额 须大于零"),
        ("1.001", "金额 最多精确到分"),
        ("abc", "金额 不是金额"),
        ("NaN", "金额 不是金额"),
        ("", "请填写金额"),
    ],
)
def test_bad_amounts_are_refused_naming_the_field(ledger_world: LedgerWorld, value: str, message: str) -> None:
    with pytest.raises(DomainError) as exc:
        income(ledger_world, value)
    assert message in exc.value.message
    assert not Entry.objects.filter(ledger=ledger_world.ledger).exists()


def test_smallest_amount_one_fen_is_accepted(ledger_world: LedgerWorld) -> None:
    assert income(ledger_world, "0.01").amount == D("0.01")


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (dt.date(2024, 12, 31), "日期 不能早于建账日期 2025-01-01"),
        (dt.date(2025, 12, 21), "日期 不能晚于今天"),
        (None, "请填写日期"),
    ],
)
def test_dates_outside_the_ledger_are_refused(ledger_world: LedgerWorld, day: Any, message: str) -> None:
    with pytest.raises(DomainError) as exc:
        income(ledger_world, day=day)
    assert message in exc.value.message


def test_date_boundaries_opening_day_and_today_are_accepted(ledger_world: LedgerWorld) -> None:
    assert income(ledger_world, day=OPENED).date == OPENED
    assert income(ledger_world, day=NOW.date()).date == NOW.date()


def test_posting_into_a_published_quarter_is_refused(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    ls.statement_generate(actor=w.manager, ledger=w.ledger, year=2025, quarter=1, now=NOW)
    with pytest.raises(DomainError, match="已出具公示"):
        income(w, day=dt.date(2025, 3, 31))
    assert income(w, day=dt.date(2025, 4, 1)).date == dt.date(2025, 4, 1)


# --- permissions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [Role.SUBDISTRICT_STAFF, Role.COMMUNITY_STAFF, Role.OWNER, Role.VENDOR, Role.SUPERVISOR, Role.DISTRICT_REGULATOR],
)
def test_only_committee_and_manager_post(ledger_world: LedgerWorld, role: str) -> None:
    with pytest.raises(AccessDeniedError):
        ls.income_post(
            actor=ledger_world.world.users[role],
            ledger=ledger_world.ledger,
            source="parking",
            amount="1.00",
            date=dt.date(2025, 2, 1),
            now=NOW,
        )


def test_manager_may_not_approve_spending_nor_post_in_another_estate(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    entry = spend(w, "100.00")
    with pytest.raises(AccessDeniedError):
        ls.spending_approve(actor=w.manager, entry=entry, now=NOW)
    with pytest.raises(AccessDeniedError):
        ls.income_post(actor=w.manager, ledger=w.outside_ledger, source="parking", amount="1.00", date=OPENED, now=NOW)


# --- income, costs, net ---------------------------------------------------------------------------------


def test_costs_against_income_give_net_and_may_not_exceed_it(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    gross = income(w, "3000.00")
    ls.cost_post(actor=w.manager, income=gross, amount="1000.00", date=dt.date(2025, 2, 11), now=NOW)
    ls.cost_post(actor=w.manager, income=gross, amount="2000.00", date=dt.date(2025, 2, 11), now=NOW)  # = gross
    with pytest.raises(DomainError, match=r"已记成本 3000\.00"):
        ls.cost_post(actor=w.manager, income=gross, amount="0.01", date=dt.date(2025, 2, 11), now=NOW)
    fig = books.figures(w.ledger.opening_balance, ls.postings(w.ledger), OPENED, dt.date(2025, 3, 31))
    assert (fig.income, fig.costs, fig.net_income) == (D("3000.00"), D("3000.00"), D("0.00"))
    with pytest.raises(DomainError, match="早于对应收入"):
        ls.cost_post(actor=w.manager, income=income(w, "10.00"), amount="1.00", date=dt.date(2025, 2, 9), now=NOW)


def test_vouchers_are_kept_and_bad_ones_refuse_the_whole_posting(
    ledger_world: LedgerWorld, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    w = ledger_world
    entry = income(w, vouchers=[SimpleUploadedFile("发票.pdf", PDF)])
    voucher = entry.vouchers.get()
    assert (voucher.name, voucher.content_type, len(voucher.sha256)) == ("发票.pdf", "application/pdf", 64)
    with pytest.raises(DomainError, match="须为 PDF、JPEG 或 PNG"):
        income(w, vouchers=[SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.exe", b"MZ\x90\x00")])
    assert Entry.objects.filter(ledger=w.ledger).count() == 1


# --- budgets and spending -------------------------------------------------------------------------------


def test_spending_up_to_the_remaining_budget_and_not_one_fen_more(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    spend(w, "6000.00", category="maintenance")
    assert spend(w, "4000.00", category="maintenance").status == SpendingStatus.PROPOSED  # exactly the rest
    with pytest.raises(DomainError) as exc:
        spend(w, "0.01", category="maintenance")
    assert "预算剩余 0.00 元" in exc.value.message
    assert "维修养护" in exc.value.message
    with pytest.raises(DomainError, match=r"预算剩余 0\.00"):
        spend(w, "1.00", category="other_spending")  # no budget at all


def test_reversed_spending_frees_its_budget(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    entry = spend(w, "10000.00", category="maintenance")
    ls.entry_reverse(actor=w.manager, entry=entry, date=dt.date(2025, 3, 2), reason="重复录入", now=NOW)
    assert spend(w, "10000.00", category="maintenance").amount == D("10000.00")


def test_budget_cannot_be_cut_below_what_is_committed(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    spend(w, "3000.00", category="maintenance")
    with pytest.raises(DomainError, match=r"已列支的 3000\.00"):
        ls.budget_set(actor=w.committee, ledger=w.ledger, year=2025, category="maintenance", amount="2999.99")
    assert ls.budget_set(
        actor=w.committee, ledger=w.ledger, year=2025, category="maintenance", amount="3000"
    ).amount == D("3000.00")


def test_limit_exactly_the_committee_approves_without_a_motion(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    entry = ls.spending_approve(actor=w.committee, entry=spend(w, "5000.00"), now=NOW)
    assert entry.status == SpendingStatus.APPROVED
    assert entry.approved_by == w.committee
    paid = ls.spending_pay(actor=w.manager, entry=entry, paid_on=dt.date(2025, 3, 5), now=NOW)
    assert (paid.status, paid.paid_on) == (SpendingStatus.PAID, dt.date(2025, 3, 5))


def test_one_fen_above_the_limit_needs_a_passed_motion_of_the_estate(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    staff = w.world.users[Role.COMMUNITY_STAFF]
    entry = spend(w, "5000.01")
    with pytest.raises(DomainError) as exc:
        ls.spending_approve(actor=w.committee, entry=entry, now=NOW)
    assert "第二百七十八条" in exc.value.message
    failed = make_motion(w.world.inside["estate"], staff, passed=False)
    with pytest.raises(DomainError, match="尚未通过"):
        ls.spending_approve(actor=w.committee, entry=entry, motion=failed, now=NOW)
    still_open = make_motion(w.world.inside["estate"], staff, passed=None)
    with pytest.raises(DomainError, match="尚未通过"):
        ls.spending_approve(actor=w.committee, entry=entry, motion=still_open, now=NOW)
    from tests import factories as f

    outside_staff = f.user_with_role(Role.COMMUNITY_STAFF, community=w.world.outside["community"])
    other = make_motion(w.world.outside["estate"], outside_staff, passed=True)
    with pytest.raises(DomainError, match="不属于本小区"):
        ls.spending_approve(actor=w.committee, entry=entry, motion=other, now=NOW)
    assert Entry.objects.get(pk=entry.pk).status == SpendingStatus.PROPOSED
    passed = make_motion(w.world.inside["estate"], staff, passed=True)
    approved = ls.spending_approve(actor=w.committee, entry=entry, motion=passed, now=NOW)
    assert (approved.status, approved.motion_id) == (SpendingStatus.APPROVED, passed.pk)
    assert ls.spending_pay(actor=w.manager, entry=approved, paid_on=dt.date(2025, 3, 2), now=NOW).status == "paid"


def test_payment_rechecks_the_motion_and_needs_approval(ledger_world: LedgerWorld) -> None:
    from gongzhi.motions.models import MotionResult

    w = ledger_world
    proposed = spend(w, "100.00")
    with pytest.raises(DomainError, match="只能支付已批准"):
        ls.spending_pay(actor=w.manager, entry=proposed, paid_on=dt.date(2025, 3, 2), now=NOW)
    motion = make_motion(w.world.inside["estate"], w.world.users[Role.COMMUNITY_STAFF], passed=True)
    entry = ls.spending_approve(actor=w.committee, entry=spend(w, "9000.00"), motion=motion, now=NOW)
    MotionResult.objects.filter(motion=motion).update(passed=False)  # e.g. annulled after an objection
    with pytest.raises(DomainError, match="尚未通过"):
        ls.spending_pay(actor=w.manager, entry=entry, paid_on=dt.date(2025, 3, 2), now=NOW)
    with pytest.raises(DomainError, match="支付日期 不能早于支出日期"):
        ls.spending_pay(
            actor=w.manager,
            entry=ls.spending_approve(actor=w.committee, entry=proposed, now=NOW),
            paid_on=dt.date(2025, 2, 28),
            now=NOW,
        )


# --- the maintenance fund -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("net", "share", "expected"),
    [
        ("0.05", "10", "0.01"),  # 0.005 → half up
        ("0.04", "10", "0.00"),  # 0.004 → down
        ("100.05", "10", "10.01"),  # 10.005 → up
        ("100.04", "10", "10.00"),
        ("1000.00", "100", "1000.00"),
        ("1000.00", "0", "0.00"),
        ("-5.00", "10", "0.00"),
        ("333.33", "33.33", "111.10"),  # 111.098889
    ],
)
def test_fund_share_rounds_half_up_to_the_fen(net: str, share: str, expected: str) -> None:
    assert books.fund_transfer(D(net), D(share)) == D(expected)


def test_transfer_of_a_quarter_once(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    gross = income(w, "1000.05")
    ls.cost_post(actor=w.manager, income=gross, amount="900.00", date=dt.date(2025, 2, 12), now=NOW)
    q1 = (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    transfer = ls.transfer_post(
        actor=w.manager, ledger=w.ledger, period_start=q1[0], period_end=q1[1], date=dt.date(2025, 4, 2), now=NOW
    )
    assert (transfer.kind, transfer.amount) == (EntryKind.TRANSFER, D("10.01"))  # 10% of 100.05 = 10.005
    with pytest.raises(DomainError, match="已转入维修资金"):
        ls.transfer_post(
            actor=w.manager, ledger=w.ledger, period_start=q1[0], period_end=q1[1], date=dt.date(2025, 4, 2), now=NOW
        )
    ls.entry_reverse(actor=w.manager, entry=transfer, date=dt.date(2025, 4, 3), reason="比例有误", now=NOW)
    again = ls.transfer_post(
        actor=w.manager, ledger=w.ledger, period_start=q1[0], period_end=q1[1], date=dt.date(2025, 4, 3), now=NOW
    )
    assert again.amount == D("10.01")
    with pytest.raises(DomainError, match="没有可转入"):
        ls.transfer_post(
            actor=w.manager,
            ledger=w.ledger,
            period_start=dt.date(2025, 4, 1),
            period_end=dt.date(2025, 6, 30),
            date=dt.date(2025, 7, 1),
            now=NOW,
        )
    with pytest.raises(DomainError, match="日期 不能早于所属期止"):
        ls.transfer_post(
            actor=w.manager,
            ledger=w.ledger,
            period_start=dt.date(2025, 2, 1),
            period_end=dt.date(2025, 2, 28),
            date=dt.date(2025, 2, 27),
            now=NOW,
        )


# --- reversal and never-edit ----------------------------------------------------------------------------


def test_reversal_undoes_once_and_is_not_reversed_itself(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    entry = income(w, "500.00")
    before = ls.balance(w.ledger)
    reversal = ls.entry_reverse(actor=w.manager, entry=entry, date=dt.date(2025, 2, 11), reason="金额录错", now=NOW)
    assert (reversal.kind, reversal.amount, reversal.reverses_id) == (EntryKind.REVERSAL, D("500.00"), entry.pk)
    assert Entry.objects.get(pk=entry.pk).reversed
    assert ls.balance(w.ledger) == before - D("500.00")
    with pytest.raises(DomainError, match="已冲销"):
        ls.entry_reverse(actor=w.manager, entry=entry, date=dt.date(2025, 2, 11), reason="再冲", now=NOW)
    with pytest.raises(DomainError, match="冲销分录不能再冲销"):
        ls.entry_reverse(actor=w.manager, entry=reversal, date=dt.date(2025, 2, 11), reason="再冲", now=NOW)
    with pytest.raises(DomainError, match="请填写冲销原因"):
        ls.entry_reverse(actor=w.manager, entry=income(w), date=dt.date(2025, 2, 11), reason=" ", now=NOW)
    assert AuditEntry.objects.filter(action="ledger_reversal", object_id=str(reversal.pk)).exists()


def test_income_with_costs_is_reversed_after_its_costs(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    gross = income(w, "500.00")
    cost = ls.cost_post(actor=w.manager, income=gross, amount="50.00", date=dt.date(2025, 2, 10), now=NOW)
    with pytest.raises(DomainError, match="请先冲销"):
        ls.entry_reverse(actor=w.manager, entry=gross, date=dt.date(2025, 2, 11), reason="错", now=NOW)
    ls.entry_reverse(actor=w.manager, entry=cost, date=dt.date(2025, 2, 11), reason="错", now=NOW)
    ls.entry_reverse(actor=w.manager, entry=gross, date=dt.date(2025, 2, 11), reason="错", now=NOW)
    assert ls.balance(w.ledger) == D("1000.00")


def test_reversing_paid_spending_restores_the_balance_unpaid_changes_nothing(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    paid = ls.spending_pay(
        actor=w.manager,
        entry=ls.spending_approve(actor=w.committee, entry=spend(w, "300.00"), now=NOW),
        paid_on=dt.date(2025, 3, 3),
        now=NOW,
    )
    assert ls.balance(w.ledger) == D("700.00")
    unpaid = spend(w, "200.00")
    ls.entry_reverse(actor=w.manager, entry=unpaid, date=dt.date(2025, 3, 3), reason="撤回", now=NOW)
    assert ls.balance(w.ledger) == D("700.00")
    with pytest.raises(DomainError, match="冲销日期 不能早于原分录的日期 2025-03-03"):
        ls.entry_reverse(actor=w.manager, entry=paid, date=dt.date(2025, 3, 2), reason="退款", now=NOW)
    ls.entry_reverse(actor=w.manager, entry=paid, date=dt.date(2025, 3, 4), reason="退款", now=NOW)
    assert ls.balance(w.ledger) == D("1000.00")
    with pytest.raises(DomainError, match="只能批准待审批"):
        ls.spending_approve(actor=w.committee, entry=unpaid, now=NOW)


def test_a_posted_entry_is_never_edited(ledger_world: LedgerWorld) -> None:
    entry = income(ledger_world, "500.00")
    entry.amount = D("5.00")
    with pytest.raises(ValueError, match="never edited"):
        entry.save()
    with pytest.raises(ValueError, match="never edited"):
        entry.save(update_fields=["amount"])
    # Around the model too: the database refuses (trigger), the amount stays.
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(amount=D("5.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(description="改过")
    assert Entry.objects.get(pk=entry.pk).amount == D("500.00")
    Entry.objects.filter(pk=entry.pk).update(reversed=False)  # workflow columns stay writable


def test_database_refuses_non_positive_amounts(ledger_world: LedgerWorld) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            ledger=ledger_world.ledger, kind="income", category="parking", amount=D("0.00"), date=OPENED, posted_at=NOW
        )


# --- statements -----------------------------------------------------------------------------------------


def test_statement_of_a_quarter(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    gross = income(w, "3000.00")
    ls.cost_post(actor=w.manager, income=gross, amount="500.00", date=dt.date(2025, 2, 11), now=NOW)
    ls.spending_pay(
        actor=w.manager,
        entry=ls.spending_approve(actor=w.committee, entry=spend(w, "800.00"), now=NOW),
        paid_on=dt.date(2025, 4, 2),  # paid in Q2: not in Q1's spending
        now=NOW,
    )
    q1 = ls.statement_generate(actor=w.manager, ledger=w.ledger, year=2025, quarter=1, now=NOW)
    assert (q1.opening, q1.income, q1.costs, q1.spending, q1.transfers, q1.closing) == (
        D("1000.00"),
        D("3000.00"),
        D("500.00"),
        D("0.00"),
        D("0.00"),
        D("3500.00"),
    )
    q2 = ls.statement_generate(actor=w.manager, ledger=w.ledger, year=2025, quarter=2, now=NOW)
    assert (q2.opening, q2.spending, q2.closing) == (D("3500.00"), D("800.00"), D("2700.00"))
    with pytest.raises(DomainError, match="已出具"):
        ls.statement_generate(actor=w.manager, ledger=w.ledger, year=2025, quarter=1, now=NOW)
    with pytest.raises(DomainError, match="尚未结束"):
        ls.statement_generate(actor=w.manager, ledger=w.ledger, year=2025, quarter=4, now=NOW)
    with pytest.raises(DomainError, match="早于建账日期"):
        ls.statement_generate(actor=w.manager, ledger=w.ledger, year=2024, quarter=4, now=NOW)
    with pytest.raises(AccessDeniedError):
        ls.statement_generate(actor=w.world.users[Role.OWNER], ledger=w.ledger, year=2025, quarter=3, now=NOW)


def test_quarter_four_ends_on_new_years_eve() -> None:
    from gongzhi.ledgers.models import quarter_bounds

    assert quarter_bounds(2025, 4) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert quarter_bounds(2024, 1) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))


KINDS = hs.sampled_from(["income", "cost", "spending_paid", "spending_unpaid", "transfer", "reverse"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ops=hs.lists(
        hs.tuples(KINDS, hs.integers(min_value=1, max_value=500_000), hs.integers(min_value=0, max_value=360)),
        max_size=25,
    )
)
def test_statements_always_reconcile(personas: World, ops: list[tuple[str, int, int]]) -> None:
    """Random postings through the services over 2025: each quarter's statement reconciles, each
    closing is the next opening, and the last closing is the balance."""
    from gongzhi.ledgers.models import Budget, Voucher

    # Hypothesis runs the examples in one database transaction: start each from no ledger.
    Voucher.objects.all().delete()
    Statement.objects.all().delete()
    for kind in ("reversal", "cost"):  # the entries others point at (PROTECT) go last
        Entry.objects.filter(kind=kind).delete()
    for model in (Entry, Budget, Ledger):
        model.objects.all().delete()
    committee = personas.users[Role.OWNERS_COMMITTEE]
    manager = personas.users[Role.PROPERTY_MANAGER]
    ledger = open_ledger(personas, personas.inside, committee)
    for category in ("environment", "maintenance"):
        ls.budget_set(actor=committee, ledger=ledger, year=2025, category=category, amount="10000000")
    now = timezone.make_aware(dt.datetime(2026, 1, 5, 9, 0))
    posted: list[Entry] = []
    for kind, fen, offset in ops:
        amount = D(fen) / 100
        day = OPENED + dt.timedelta(days=offset)
        try:
            if kind == "income":
                posted.append(
                    ls.income_post(actor=manager, ledger=ledger, source="venue", amount=amount, date=day, now=now)
                )
            elif kind == "cost":
                incomes = [e for e in posted if e.kind == "income" and e.date <= day]
                if incomes:
                    posted.append(ls.cost_post(actor=manager, income=incomes[-1], amount=amount, date=day, now=now))
            elif kind.startswith("spending"):
                entry = ls.spending_propose(
                    actor=manager,
                    ledger=ledger,
                    category="environment",
                    amount=amount,
                    date=day,
                    description="x",
                    now=now,
                )
                if kind == "spending_paid":
                    motion = None
                    if entry.needs_motion:
                        motion = make_motion(
                            personas.inside["estate"], personas.users[Role.COMMUNITY_STAFF], passed=True
                        )
                    entry = ls.spending_approve(actor=committee, entry=entry, motion=motion, now=now)
                    entry = ls.spending_pay(actor=manager, entry=entry, paid_on=day, now=now)
                posted.append(entry)
            elif kind == "transfer":
                posted.append(
                    ls.transfer_post(
                        actor=manager, ledger=ledger, period_start=OPENED, period_end=day, date=day, now=now
                    )
                )
            elif posted:
                target = posted[fen % len(posted)]
                latest = max(day, target.paid_on or target.date)
                posted.append(ls.entry_reverse(actor=manager, entry=target, date=latest, reason="更正", now=now))
        except DomainError:
            continue  # refused postings (over income, nothing to transfer, already reversed…) write nothing
    statements = [
        ls.statement_generate(actor=manager, ledger=ledger, year=2025, quarter=q, now=now) for q in (1, 2, 3, 4)
    ]
    opening = ledger.opening_balance
    for s in statements:
        assert s.opening == opening
        assert s.closing == s.opening + s.income - s.costs - s.spending - s.transfers
        opening = s.closing
    assert statements[-1].closing == ls.balance(ledger)
    assert sum(s.income - s.costs for s in statements) == sum(
        (e.amount for e in Entry.objects.filter(ledger=ledger, kind="income")), D(0)
    ) - sum((e.amount for e in Entry.objects.filter(ledger=ledger, kind="cost")), D(0)) - sum(
        (e.amount for e in Entry.objects.filter(ledger=ledger, kind="reversal", reverses__kind="income")), D(0)
    ) + sum((e.amount for e in Entry.objects.filter(ledger=ledger, kind="reversal", reverses__kind="cost")), D(0))


def test_a_motion_linked_below_the_limit_must_be_passed_too_and_approval_is_audited(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    entry = spend(w, "100.00")
    failed = make_motion(w.world.inside["estate"], w.world.users[Role.COMMUNITY_STAFF], passed=False)
    with pytest.raises(DomainError, match="尚未通过"):
        ls.spending_approve(actor=w.committee, entry=entry, motion=failed, now=NOW)
    ls.spending_approve(actor=w.committee, entry=entry, now=NOW)
    audit = AuditEntry.objects.get(action="spending_approve", object_id=str(entry.pk))
    assert audit.after == {"status": "approved", "motion": None}
