"""Writes of the public-revenue ledgers (DESIGN.md convention 1): every write checks the actor's
action on the ledger, runs in one transaction and appends one audit entry.

- Civil Code Art. 282: income of the common parts after reasonable costs belongs to the owners
  together — income is posted gross and its costs against it, net = gross − costs.
- Art. 281: a configured share of a period's net income is transferred to the maintenance fund.
- Art. 278: spending above the limit the owners delegated to their committee needs the owners'
  decision — a PASSED owners' motion of the same estate (closed, result passed) before approval and
  again before payment; at or below the limit the owners' committee approves (APPROVE_SPENDING).
- Art. 943: the property manager discloses regularly — the quarterly statement (statement_generate).

A posted entry is never edited: a correction is a reversal (entry_reverse). Entries may not be dated
before the ledger was opened, in the future, or in a quarter whose statement was already published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import DomainError
from gongzhi.core.files import sniff_upload, upload_sha256
from gongzhi.core.money import LIMIT as MONEY_LIMIT
from gongzhi.core.money import MoneyError, is_fen_exact, parse_yuan, round_yuan
from gongzhi.ledgers import books
from gongzhi.ledgers.models import (
    INCOME_SOURCES,
    SPENDING_CATEGORIES,
    Budget,
    Entry,
    EntryCategory,
    EntryKind,
    Ledger,
    SpendingStatus,
    Statement,
    Voucher,
    quarter_bounds,
)
from gongzhi.motions.models import MotionStatus
from gongzhi.places.access import Action, require
from gongzhi.places.models import Estate

VOUCHER_MAX_BYTES = 10 * 1024 * 1024
VOUCHERS_MAX = 10


def money(value: Any, label: str, *, zero: bool = False, code: str = "bad_money") -> Decimal:
    """A positive amount to the fen (zero allowed with `zero`), else a Chinese error naming the field
    (with `code`, so a form can put it next to that field). Text is read by core.money.parse_yuan."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(_("请填写%(field)s。") % {"field": label}, code=code)
    if isinstance(value, str):
        try:
            amount = parse_yuan(value, exact=True, allow_negative=True)
        except MoneyError as exc:
            if exc.code == "not_fen":
                raise DomainError(_("%(field)s 最多精确到分（两位小数）。") % {"field": label}, code=code) from exc
            if exc.code == "too_large":
                raise DomainError(_("%(field)s 过大。") % {"field": label}, code=code) from exc
            raise DomainError(_("%(field)s 不是金额。") % {"field": label}, code=code) from exc
    elif isinstance(value, Decimal | int) and not isinstance(value, bool) and Decimal(value).is_finite():
        amount = Decimal(value)
    else:
        raise DomainError(_("%(field)s 不是金额。") % {"field": label}, code=code)
    if amount < 0 and zero:
        raise DomainError(_("%(field)s 不能为负数。") % {"field": label}, code=code)
    if amount <= 0 and not zero:
        raise DomainError(_("%(field)s 须大于零。") % {"field": label}, code=code)
    if amount >= MONEY_LIMIT:
        raise DomainError(_("%(field)s 过大。") % {"field": label}, code=code)
    if not is_fen_exact(amount):
        raise DomainError(_("%(field)s 最多精确到分（两位小数）。") % {"field": label}, code=code)
    return round_yuan(amount)


def stated_until(ledger: Ledger) -> dt.date | None:
    """The end of the last quarter with a published statement (nothing may be dated up to it)."""
    return Statement.objects.filter(ledger=ledger).order_by("-period_end").values_list("period_end", flat=True).first()


def _date(ledger: Ledger, day: Any, label: str, today: dt.date) -> dt.date:
    if not isinstance(day, dt.date):
        raise DomainError(_("请填写%(field)s。") % {"field": label}, code="bad_date")
    if day < ledger.opened_on:
        raise DomainError(
            _("%(field)s 不能早于建账日期 %(d)s。") % {"field": label, "d": ledger.opened_on.isoformat()},
            code="bad_date",
        )
    if day > today:
        raise DomainError(_("%(field)s 不能晚于今天。") % {"field": label}, code="bad_date")
    closed = stated_until(ledger)
    if closed is not None and day <= closed:
        raise DomainError(
            _("%(field)s 所在期间已出具公示（截至 %(d)s），请以更正分录记入本期。")
            % {"field": label, "d": closed.isoformat()},
            code="bad_date",
        )
    return day


def _check_vouchers(uploads: Sequence[Any]) -> list[tuple[Any, str, str]]:
    """(upload, content type, sha256) of each voucher, refused as a whole if one is bad."""
    if len(uploads) > VOUCHERS_MAX:
        raise DomainError(_("凭证最多 %(n)d 个文件。") % {"n": VOUCHERS_MAX}, code="vouchers")
    out = []
    for upload in uploads:
        name = getattr(upload, "name", "") or ""
        if not upload or not upload.size:
            raise DomainError(_("凭证「%(name)s」是空文件。") % {"name": name}, code="vouchers")
        if upload.size > VOUCHER_MAX_BYTES:
            raise DomainError(_("凭证「%(name)s」超过 10 MB。") % {"name": name}, code="vouchers")
        kind = sniff_upload(upload)
        if kind is None:
            raise DomainError(_("凭证「%(name)s」须为 PDF、JPEG 或 PNG。") % {"name": name}, code="vouchers")
        out.append((upload, kind[0], upload_sha256(upload)))
    return out


def _save_vouchers(entry: Entry, checked: list[tuple[Any, str, str]]) -> None:
    for upload, content_type, sha256 in checked:
        voucher = Voucher(entry=entry, name=str(upload.name)[:128], content_type=content_type, sha256=sha256)
        voucher.file.save("voucher.bin", upload, save=False)
        voucher.save()


def _ledger_locked(ledger: Ledger) -> Ledger:
    """The ledger row, locked for the rest of the transaction (postings of one ledger serialise)."""
    return Ledger.objects.select_for_update().select_related("estate__community__subdistrict").get(pk=ledger.pk)


def _post(
    *,
    actor: Actor,
    ledger: Ledger,
    kind: str,
    category: str,
    amount: Decimal,
    day: dt.date,
    description: str,
    checked: list[tuple[Any, str, str]],
    now: dt.datetime,
    **extra: Any,
) -> Entry:
    entry = Entry.objects.create(
        ledger=ledger,
        kind=kind,
        category=category,
        amount=amount,
        date=day,
        description=description.strip()[:200],
        posted_by=acting_user(actor),
        posted_at=now,
        **extra,
    )
    _save_vouchers(entry, checked)
    audit_record(
        actor=actor,
        action=f"ledger_{kind}",
        object_type="ledgers.entry",
        object_id=entry.pk,
        summary=f"{ledger.estate.name} {entry.get_kind_display()} {entry.get_category_display()} {amount}",
        after={"amount": str(amount), "date": day.isoformat(), "category": category, "vouchers": len(checked)},
    )
    return entry


# --- ledgers and budgets ---------------------------------------------------------------------------


def ledger_open(
    *,
    actor: Actor,
    estate: Estate,
    delegated_limit: Any,
    fund_share: Any,
    opening_balance: Any,
    opened_on: dt.date,
) -> Ledger:
    """Open an estate's ledger (the owners' committee, APPROVE_SPENDING on the estate)."""
    require(actor, Action.APPROVE_SPENDING, estate)
    limit = money(delegated_limit, _("业委会审批限额"), zero=True, code="bad_limit")
    share = money(fund_share, _("转入维修资金比例"), zero=True, code="bad_share")
    if share > 100:
        raise DomainError(_("转入维修资金比例 须在 0 至 100 之间。"), code="bad_share")
    opening = money(opening_balance, _("期初余额"), zero=True, code="bad_opening")
    if not isinstance(opened_on, dt.date):
        raise DomainError(_("请填写建账日期。"), code="bad_date")
    with transaction.atomic():
        if Ledger.objects.filter(estate=estate).exists():
            raise DomainError(_("该小区已建账。"), code="duplicate")
        ledger = Ledger.objects.create(
            estate=estate, delegated_limit=limit, fund_share=share, opening_balance=opening, opened_on=opened_on
        )
        audit_record(
            actor=actor,
            action="ledger_open",
            object_type="ledgers.ledger",
            object_id=ledger.pk,
            summary=estate.name,
            after={
                "limit": str(limit),
                "share": str(share),
                "opening": str(opening),
                "opened_on": opened_on.isoformat(),
            },
        )
    return ledger


def budget_set(*, actor: Actor, ledger: Ledger, year: int, category: str, amount: Any) -> Budget:
    """Set the approved amount of a spending category for a year (APPROVE_SPENDING). A budget may
    not be cut below what is already committed (proposed, approved or paid) in that category."""
    require(actor, Action.APPROVE_SPENDING, ledger)
    if category not in SPENDING_CATEGORIES:
        raise DomainError(_("支出类别无效。"), code="bad_category")
    if not 2000 <= int(year) <= 2100:
        raise DomainError(_("年度无效。"), code="bad_year")
    value = money(amount, _("预算金额"), zero=True)
    with transaction.atomic():
        ledger = _ledger_locked(ledger)
        committed = _committed(ledger, int(year), category)
        if value < committed:
            raise DomainError(
                _("预算金额 不能少于已列支的 %(c)s 元。") % {"c": committed},
                code="budget_below_committed",
            )
        budget, created = Budget.objects.get_or_create(
            ledger=ledger, year=int(year), category=category, defaults={"amount": value}
        )
        before = {"amount": None if created else str(budget.amount)}
        budget.amount = value
        budget.save(update_fields=["amount"])
        audit_record(
            actor=actor,
            action="budget_set",
            object_type="ledgers.budget",
            object_id=budget.pk,
            summary=f"{ledger.estate.name} {year} {budget.get_category_display()}",
            before=before,
            after={"amount": str(value)},
        )
    return budget


def _committed(ledger: Ledger, year: int, category: str) -> Decimal:
    return _sum(
        Entry.objects.filter(ledger=ledger, kind=EntryKind.SPENDING, category=category, date__year=year, reversed=False)
    )


def _sum(qs: Any) -> Decimal:
    """The sum of the amounts, to the fen (SQLite returns sums without their scale)."""
    total = qs.aggregate(s=Sum("amount"))["s"]
    return round_yuan(Decimal(total or 0))


def budget_remaining(ledger: Ledger, year: int, category: str) -> Decimal:
    budget = Budget.objects.filter(ledger=ledger, year=year, category=category).values_list("amount", flat=True).first()
    return round_yuan(Decimal(budget or 0)) - _committed(ledger, year, category)


# --- income and costs ------------------------------------------------------------------------------


def income_post(
    *,
    actor: Actor,
    ledger: Ledger,
    source: str,
    amount: Any,
    date: Any,
    description: str = "",
    vouchers: Sequence[Any] = (),
    now: dt.datetime | None = None,
) -> Entry:
    """Post income of a common part, gross (Civil Code Art. 282), by source."""
    require(actor, Action.RECORD_LEDGER, ledger)
    if source not in INCOME_SOURCES:
        raise DomainError(_("收入来源无效。"), code="bad_category")
    now = now or timezone.now()
    value = money(amount, _("金额"))
    checked = _check_vouchers(vouchers)
    with transaction.atomic():
        ledger = _ledger_locked(ledger)
        day = _date(ledger, date, _("日期"), timezone.localdate(now))
        return _post(
            actor=actor, ledger=ledger, kind=EntryKind.INCOME, category=source, amount=value, day=day,
            description=description, checked=checked, now=now,
        )  # fmt: skip


def cost_post(
    *,
    actor: Actor,
    income: Entry,
    amount: Any,
    date: Any,
    description: str = "",
    vouchers: Sequence[Any] = (),
    now: dt.datetime | None = None,
) -> Entry:
    """Post a reasonable cost of earning an income (Art. 282: what the owners own is the income
    after it). The costs of an income may not exceed it."""
    require(actor, Action.RECORD_LEDGER, income)
    if income.kind != EntryKind.INCOME or income.reversed:
        raise DomainError(_("成本须对应一笔未冲销的收入。"), code="bad_income")
    now = now or timezone.now()
    value = money(amount, _("金额"))
    checked = _check_vouchers(vouchers)
    with transaction.atomic():
        ledger = _ledger_locked(income.ledger)
        day = _date(ledger, date, _("日期"), timezone.localdate(now))
        if day < income.date:
            raise DomainError(
                _("日期 不能早于对应收入的日期 %(d)s。") % {"d": income.date.isoformat()}, code="bad_date"
            )
        costs = _sum(Entry.objects.filter(against=income, reversed=False))
        if costs + value > income.amount:
            raise DomainError(
                _("金额 超出：该笔收入 %(g)s 元，已记成本 %(c)s 元。") % {"g": income.amount, "c": costs},
                code="cost_exceeds_income",
            )
        return _post(
            actor=actor, ledger=ledger, kind=EntryKind.COST, category=income.category, amount=value, day=day,
            description=description, checked=checked, now=now, against=income,
        )  # fmt: skip


# --- spending --------------------------------------------------------------------------------------


def spending_propose(
    *,
    actor: Actor,
    ledger: Ledger,
    category: str,
    amount: Any,
    date: Any,
    description: str = "",
    vouchers: Sequence[Any] = (),
    now: dt.datetime | None = None,
) -> Entry:
    """Propose spending in a budget category; refused above what remains of that year's budget."""
    require(actor, Action.RECORD_LEDGER, ledger)
    if category not in SPENDING_CATEGORIES:
        raise DomainError(_("支出类别无效。"), code="bad_category")
    now = now or timezone.now()
    value = money(amount, _("金额"))
    if not description.strip():
        raise DomainError(_("请填写支出摘要（用途）。"), code="description_required")
    checked = _check_vouchers(vouchers)
    with transaction.atomic():
        ledger = _ledger_locked(ledger)
        day = _date(ledger, date, _("日期"), timezone.localdate(now))
        remaining = budget_remaining(ledger, day.year, category)
        if value > remaining:
            raise DomainError(
                _("金额 超出预算：%(year)d 年「%(cat)s」预算剩余 %(r)s 元。")
                % {"year": day.year, "cat": EntryCategory(category).label, "r": max(remaining, books.ZERO)},
                code="over_budget",
            )
        return _post(
            actor=actor, ledger=ledger, kind=EntryKind.SPENDING, category=category, amount=value, day=day,
            description=description, checked=checked, now=now, status=SpendingStatus.PROPOSED,
        )  # fmt: skip


def _check_motion(entry: Entry, motion: Any) -> None:
    """Civil Code Art. 278: spending above the delegated limit needs the owners' decision — a
    passed motion of this estate."""
    if motion is None:
        raise DomainError(
            _("该笔支出 %(a)s 元超过业委会审批限额 %(l)s 元，须经业主大会表决通过（《民法典》第二百七十八条）。")
            % {"a": entry.amount, "l": entry.ledger.delegated_limit},
            code="motion_required",
        )
    if motion.estate_id != entry.ledger.estate_id:
        raise DomainError(_("所选表决不属于本小区。"), code="motion_other_estate")
    result = getattr(motion, "result", None) if motion.status == MotionStatus.CLOSED else None
    if result is None or not result.passed:
        raise DomainError(_("所选表决尚未通过，不能据此支出。"), code="motion_not_passed")


def spending_approve(*, actor: Actor, entry: Entry, motion: Any = None, now: dt.datetime | None = None) -> Entry:
    """Approve proposed spending: at or below the delegated limit the owners' committee approves;
    above it only with a passed owners' motion of the estate linked (Civil Code Art. 278)."""
    require(actor, Action.APPROVE_SPENDING, entry)
    now = now or timezone.now()
    with transaction.atomic():
        _ledger_locked(entry.ledger)
        entry = Entry.objects.select_related("ledger__estate").get(pk=entry.pk)
        if entry.kind != EntryKind.SPENDING or entry.status != SpendingStatus.PROPOSED or entry.reversed:
            raise DomainError(_("只能批准待审批的支出。"), code="not_proposed")
        if entry.needs_motion or motion is not None:  # a linked motion must be a passed one of the estate
            _check_motion(entry, motion)
        entry.status = SpendingStatus.APPROVED
        entry.motion = motion
        entry.approved_by = acting_user(actor)
        entry.approved_at = now
        entry.save(update_fields=["status", "motion", "approved_by", "approved_at"])
        audit_record(
            actor=actor,
            action="spending_approve",
            object_type="ledgers.entry",
            object_id=entry.pk,
            summary=f"{entry.ledger.estate.name} {entry.amount}",
            before={"status": SpendingStatus.PROPOSED},
            after={"status": SpendingStatus.APPROVED, "motion": getattr(motion, "pk", None)},
        )
    return entry


def spending_pay(*, actor: Actor, entry: Entry, paid_on: Any, now: dt.datetime | None = None) -> Entry:
    """Record the payment of approved spending (RECORD_LEDGER). Above the delegated limit the
    linked motion is checked again (it must still be a passed motion of the estate)."""
    require(actor, Action.RECORD_LEDGER, entry)
    now = now or timezone.now()
    with transaction.atomic():
        ledger = _ledger_locked(entry.ledger)
        entry = Entry.objects.select_related("ledger__estate", "motion__result").get(pk=entry.pk)
        if entry.kind != EntryKind.SPENDING or entry.status != SpendingStatus.APPROVED or entry.reversed:
            raise DomainError(_("只能支付已批准的支出。"), code="not_approved")
        if entry.needs_motion:
            _check_motion(entry, entry.motion)
        day = _date(ledger, paid_on, _("支付日期"), timezone.localdate(now))
        if day < entry.date:
            raise DomainError(_("支付日期 不能早于支出日期 %(d)s。") % {"d": entry.date.isoformat()}, code="bad_date")
        entry.status = SpendingStatus.PAID
        entry.paid_on = day
        entry.paid_by = acting_user(actor)
        entry.paid_at = now
        entry.save(update_fields=["status", "paid_on", "paid_by", "paid_at"])
        audit_record(
            actor=actor,
            action="spending_pay",
            object_type="ledgers.entry",
            object_id=entry.pk,
            summary=f"{ledger.estate.name} {entry.amount}",
            before={"status": SpendingStatus.APPROVED},
            after={"status": SpendingStatus.PAID, "paid_on": day.isoformat()},
        )
    return entry


# --- transfers to the maintenance fund --------------------------------------------------------------


def transfer_post(
    *,
    actor: Actor,
    ledger: Ledger,
    period_start: Any,
    period_end: Any,
    date: Any,
    now: dt.datetime | None = None,
) -> Entry:
    """Transfer the configured share of the period's net income (gross − costs) to the maintenance
    fund (Civil Code Art. 281), to the fen with ROUND_HALF_UP (books.fund_transfer). One live
    transfer per period."""
    require(actor, Action.RECORD_LEDGER, ledger)
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        ledger = _ledger_locked(ledger)
        for value, label in ((period_start, _("所属期起")), (period_end, _("所属期止"))):
            if not isinstance(value, dt.date):
                raise DomainError(_("请填写%(field)s。") % {"field": label}, code="bad_date")
        if period_start < ledger.opened_on:
            raise DomainError(
                _("所属期起 不能早于建账日期 %(d)s。") % {"d": ledger.opened_on.isoformat()}, code="bad_date"
            )
        if period_end < period_start:
            raise DomainError(_("所属期止 不能早于所属期起。"), code="bad_date")
        day = _date(ledger, date, _("日期"), today)
        if day < period_end:
            raise DomainError(_("日期 不能早于所属期止。"), code="bad_date")
        fig = books.figures(ledger.opening_balance, postings(ledger), period_start, period_end)
        amount = books.fund_transfer(fig.net_income, ledger.fund_share)
        if amount <= 0:
            raise DomainError(_("该期间没有可转入维修资金的净收益。"), code="nothing_to_transfer")
        try:
            with transaction.atomic():
                return _post(
                    actor=actor, ledger=ledger, kind=EntryKind.TRANSFER, category=EntryCategory.MAINTENANCE_FUND,
                    amount=amount, day=day, now=now, checked=[],
                    description=_("%(s)s 至 %(e)s 净收益 %(n)s 元的 %(p)s%%")
                    % {"s": period_start.isoformat(), "e": period_end.isoformat(), "n": fig.net_income,
                       "p": ledger.fund_share},
                    period_start=period_start, period_end=period_end,
                )  # fmt: skip
        except IntegrityError as exc:
            raise DomainError(_("该期间已转入维修资金。"), code="duplicate_transfer") from exc


# --- reversals -------------------------------------------------------------------------------------


def entry_reverse(*, actor: Actor, entry: Entry, date: Any, reason: str, now: dt.datetime | None = None) -> Entry:
    """Correct a posted entry by a new reversal entry with the opposite effect (the original is
    marked reversed, never edited). A reversal is not itself reversed, an entry is reversed once,
    and an income with live costs is reversed after its costs."""
    require(actor, Action.RECORD_LEDGER, entry)
    now = now or timezone.now()
    if not reason.strip():
        raise DomainError(_("请填写冲销原因。"), code="reason_required")
    with transaction.atomic():
        ledger = _ledger_locked(entry.ledger)
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        if entry.kind == EntryKind.REVERSAL:
            raise DomainError(_("冲销分录不能再冲销。"), code="reverse_reversal")
        if entry.reversed:
            raise DomainError(_("该分录已冲销。"), code="already_reversed")
        if entry.kind == EntryKind.INCOME and Entry.objects.filter(against=entry, reversed=False).exists():
            raise DomainError(_("请先冲销该笔收入的成本。"), code="has_costs")
        day = _date(ledger, date, _("冲销日期"), timezone.localdate(now))
        effective = entry.paid_on if entry.kind == EntryKind.SPENDING and entry.paid_on else entry.date
        if day < effective:
            raise DomainError(
                _("冲销日期 不能早于原分录的日期 %(d)s。") % {"d": effective.isoformat()}, code="bad_date"
            )
        entry.reversed = True
        entry.save(update_fields=["reversed"])
        return _post(
            actor=actor, ledger=ledger, kind=EntryKind.REVERSAL, category=entry.category, amount=entry.amount,
            day=day, description=reason, checked=[], now=now, reverses=entry,
        )  # fmt: skip


# --- statements ------------------------------------------------------------------------------------


def postings(ledger: Ledger, until: dt.date | None = None) -> list[books.BookPosting]:
    """What every entry of the ledger does to the books (one query). Unpaid spending is not in the
    books; paid spending takes effect on its payment day; a reversal takes effect on its own day
    with the line of the entry it undoes (nothing for the reversal of unpaid spending)."""
    qs = Entry.objects.filter(ledger=ledger)
    if until is not None:
        qs = qs.filter(date__lte=until)
    out = []
    rows = qs.values_list("kind", "amount", "date", "status", "paid_on", "reverses__kind", "reverses__status")
    for kind, amount, day, status, paid_on, original_kind, original_status in rows:
        if kind == EntryKind.REVERSAL:
            if original_kind == EntryKind.SPENDING and original_status != SpendingStatus.PAID:
                continue
            out.append(books.BookPosting(original_kind, -amount, day))
        elif kind == EntryKind.SPENDING:
            if status == SpendingStatus.PAID and paid_on is not None:
                out.append(books.BookPosting(kind, amount, paid_on))
        else:
            out.append(books.BookPosting(kind, amount, day))
    return out


def statement_generate(
    *, actor: Actor, ledger: Ledger, year: int, quarter: int, now: dt.datetime | None = None
) -> Statement:
    """Generate the quarterly statement (Civil Code Art. 943) once the quarter has ended. Its figures
    reconcile by construction and by a database check; once published, the quarter is closed to
    new postings (corrections go into the current period)."""
    require(actor, Action.RECORD_LEDGER, ledger)
    now = now or timezone.now()
    if quarter not in (1, 2, 3, 4):
        raise DomainError(_("季度须为 1 至 4。"), code="bad_quarter")
    try:
        start, end = quarter_bounds(int(year), quarter)
    except ValueError as exc:
        raise DomainError(_("年度无效。"), code="bad_year") from exc
    if end >= timezone.localdate(now):
        raise DomainError(_("该季度尚未结束，不能出具公示。"), code="quarter_open")
    with transaction.atomic():
        ledger = _ledger_locked(ledger)
        if end < ledger.opened_on:
            raise DomainError(_("该季度早于建账日期。"), code="before_opening")
        if Statement.objects.filter(ledger=ledger, period_start=start).exists():
            raise DomainError(_("该季度的公示已出具。"), code="duplicate")
        fig = books.figures(ledger.opening_balance, postings(ledger), start, end)
        statement = Statement.objects.create(
            ledger=ledger,
            period_start=start,
            period_end=end,
            opening=fig.opening,
            income=fig.income,
            costs=fig.costs,
            spending=fig.spending,
            transfers=fig.transfers,
            closing=fig.closing,
            generated_at=now,
            generated_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            action="statement_generate",
            object_type="ledgers.statement",
            object_id=statement.pk,
            summary=f"{ledger.estate.name} {statement.label}",
            after={"opening": str(fig.opening), "closing": str(fig.closing)},
        )
    return statement


def balance(ledger: Ledger, entries: Iterable[books.BookPosting] | None = None) -> Decimal:
    """The ledger's balance now: the opening balance plus every posting's effect."""
    items = postings(ledger) if entries is None else entries
    return ledger.opening_balance + sum((books.effect(p) for p in items), books.ZERO)
