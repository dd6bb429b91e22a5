"""Reads of the public-revenue ledgers: ledgers in the user's scope, a ledger's figures for a year
(income by source gross/costs/net, spending by category against the budget), the roll-up of many
estates, and what a statement lists. Each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.money import round_yuan
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
)
from gongzhi.places.access import Action, scoped

ZERO = books.ZERO


def access_ledgers(user: Actor, action: Action = Action.VIEW_LEDGER) -> QuerySet[Ledger]:
    """Ledgers of the estates where the user may perform `action` (owners: the estates where they
    hold an apartment)."""
    return scoped(user, action, Ledger.objects.select_related("estate__community__subdistrict"))


def access_entries(user: Actor, action: Action = Action.VIEW_LEDGER) -> QuerySet[Entry]:
    return Entry.objects.filter(ledger__in=access_ledgers(user, action).values("pk"))


@dataclass
class SourceRow:
    category: str
    label: str
    gross: Decimal = ZERO
    costs: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.gross - self.costs


@dataclass
class CategoryRow:
    category: str
    label: str
    budget: Decimal = ZERO
    committed: Decimal = ZERO  # proposed, approved or paid, not reversed
    paid: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed


@dataclass
class Overview:
    year: int
    balance: Decimal
    sources: list[SourceRow]
    categories: list[CategoryRow]
    transfers: Decimal
    years: list[int] = field(default_factory=list)

    @property
    def gross(self) -> Decimal:
        return sum((r.gross for r in self.sources), ZERO)

    @property
    def costs(self) -> Decimal:
        return sum((r.costs for r in self.sources), ZERO)

    @property
    def net(self) -> Decimal:
        return self.gross - self.costs

    @property
    def paid(self) -> Decimal:
        return sum((r.paid for r in self.categories), ZERO)


def _fen(value: Any) -> Decimal:
    return round_yuan(Decimal(value or 0))


def overview(ledger: Ledger, year: int) -> Overview:
    """The ledger's balance now and its figures for `year` (four queries): income by source (gross,
    costs, net, each less its reversals), spending by category against the budget, transfers."""
    from gongzhi.ledgers.services import balance, postings

    items = postings(ledger)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    sources: dict[str, SourceRow] = {str(c): SourceRow(c, str(EntryCategory(c).label)) for c in INCOME_SOURCES}
    transfers = ZERO
    # Income, costs and transfers by the day they take effect; reversals count against their line.
    rows = (
        Entry.objects.filter(ledger=ledger, date__range=(start, end))
        .exclude(kind=EntryKind.SPENDING)
        .values("kind", "category", "reverses__kind", "reverses__status")
        .annotate(total=Sum("amount"))
    )
    for r in rows:
        kind, sign = r["kind"], 1
        if kind == EntryKind.REVERSAL:
            kind, sign = r["reverses__kind"], -1
        total = sign * _fen(r["total"])
        if kind == EntryKind.INCOME and r["category"] in sources:
            sources[r["category"]].gross += total
        elif kind == EntryKind.COST and r["category"] in sources:
            sources[r["category"]].costs += total
        elif kind == EntryKind.TRANSFER:
            transfers += total
    categories: dict[str, CategoryRow] = {
        str(c): CategoryRow(c, str(EntryCategory(c).label)) for c in SPENDING_CATEGORIES
    }
    for b in Budget.objects.filter(ledger=ledger, year=year):
        if b.category in categories:
            categories[b.category].budget = b.amount
    spending = (
        Entry.objects.filter(ledger=ledger, kind=EntryKind.SPENDING, date__year=year, reversed=False)
        .values("category", "status")
        .annotate(total=Sum("amount"))
    )
    for r in spending:
        row = categories.get(r["category"])
        if row is not None:
            row.committed += _fen(r["total"])
            if r["status"] == SpendingStatus.PAID:
                row.paid += _fen(r["total"])
    years = sorted({p.day.year for p in items} | {year, ledger.opened_on.year})
    return Overview(year, balance(ledger, items), list(sources.values()), list(categories.values()), transfers, years)


def chart_data(o: Overview) -> dict[str, Any]:
    """What the ledger page's chart draws (numbers as floats for ECharts only; tables show Decimals)."""
    return {
        "categories": [r.label for r in o.categories],
        "budget": [float(r.budget) for r in o.categories],
        "committed": [float(r.committed) for r in o.categories],
        "paid": [float(r.paid) for r in o.categories],
        "sources": [r.label for r in o.sources],
        "gross": [float(r.gross) for r in o.sources],
        "net": [float(r.net) for r in o.sources],
        "text": {
            "budget": _("预算"),
            "committed": _("已列支"),
            "paid": _("已支付"),
            "gross": _("收入"),
            "net": _("净收益"),
        },
    }


# --- roll-up ---------------------------------------------------------------------------------------


@dataclass
class RollupRow:
    key: Any
    label: str
    income: Decimal = ZERO  # net of costs
    spending: Decimal = ZERO
    transfers: Decimal = ZERO
    balance: Decimal = ZERO  # estates only: the opening balance plus every posting
    by_category: dict[str, Decimal] = field(default_factory=dict)

    def cells(self, categories: list[str]) -> list[Decimal]:
        """The amounts by category (net income for a source, paid spending for a category), in order."""
        return [self.by_category.get(c, ZERO) for c in categories]


@dataclass
class Rollup:
    estates: list[RollupRow]
    years: list[RollupRow]
    categories: list[RollupRow]
    balance: Decimal
    estates_count: int

    @property
    def category_keys(self) -> list[str]:
        return [str(c.key) for c in self.categories]

    def year_matrix(self) -> list[tuple[str, list[Decimal]]]:
        """Each year's amounts by category (the columns of `categories`)."""
        keys = self.category_keys
        return [(row.label, row.cells(keys)) for row in self.years]


def rollup(ledgers: QuerySet[Ledger]) -> Rollup:
    """All the ledgers' net income, paid spending and transfers by estate, by year and by category,
    and their balance (three queries, whatever the number of estates or entries). Unpaid spending is
    not counted; reversals count against the line of what they undo."""
    ids = list(ledgers.values_list("pk", "estate__name", "opening_balance"))
    names = {pk: name for pk, name, _ in ids}
    by_estate = {pk: RollupRow(pk, name, balance=Decimal(opening)) for pk, name, opening in ids}
    by_year: dict[int, RollupRow] = {}
    by_cat: dict[str, RollupRow] = {
        str(c): RollupRow(c, str(EntryCategory(c).label)) for c in (*INCOME_SOURCES, *SPENDING_CATEGORIES)
    }
    balance = sum((Decimal(o) for _, _, o in ids), ZERO)
    rows = (
        Entry.objects.filter(ledger_id__in=list(names))
        .exclude(kind=EntryKind.SPENDING)
        .annotate(year=ExtractYear("date"))
        .values("ledger_id", "year", "kind", "category", "reverses__kind", "reverses__status")
        .annotate(total=Sum("amount"))
    )
    paid = (
        Entry.objects.filter(ledger_id__in=list(names), kind=EntryKind.SPENDING, status=SpendingStatus.PAID)
        .annotate(year=ExtractYear("paid_on"))
        .values("ledger_id", "year", "category")
        .annotate(total=Sum("amount"))
    )
    entries: list[tuple[int, int, str, str, Decimal]] = []
    for r in rows:
        kind, sign = r["kind"], 1
        if kind == EntryKind.REVERSAL:
            kind, sign = r["reverses__kind"], -1
            if kind == EntryKind.SPENDING and r["reverses__status"] != SpendingStatus.PAID:
                continue
        entries.append((r["ledger_id"], r["year"], kind, r["category"], sign * _fen(r["total"])))
    entries += [(r["ledger_id"], r["year"], EntryKind.SPENDING, r["category"], _fen(r["total"])) for r in paid]
    for ledger_id, year, kind, category, amount in entries:
        year_row = by_year.setdefault(year, RollupRow(year, str(year)))
        for row in (by_estate[ledger_id], year_row):
            if kind == EntryKind.INCOME:
                row.income += amount
            elif kind == EntryKind.COST:
                row.income -= amount
            elif kind == EntryKind.SPENDING:
                row.spending += amount
            elif kind == EntryKind.TRANSFER:
                row.transfers += amount
            if kind in (EntryKind.INCOME, EntryKind.SPENDING):
                row.by_category[category] = row.by_category.get(category, ZERO) + amount
            elif kind == EntryKind.COST:
                row.by_category[category] = row.by_category.get(category, ZERO) - amount
        if category in by_cat:
            cat = by_cat[category]
            if kind == EntryKind.INCOME:
                cat.income += amount
            elif kind == EntryKind.COST:
                cat.income -= amount
            elif kind == EntryKind.SPENDING:
                cat.spending += amount
        balance += books.SIGN[kind] * amount
        by_estate[ledger_id].balance += books.SIGN[kind] * amount
    return Rollup(
        estates=sorted(by_estate.values(), key=lambda r: r.label),
        years=[by_year[y] for y in sorted(by_year)],
        categories=list(by_cat.values()),
        balance=balance,
        estates_count=len(ids),
    )


def rollup_chart(r: Rollup) -> dict[str, Any]:
    return {
        "years": [row.label for row in r.years],
        "income": [float(row.income) for row in r.years],
        "spending": [float(row.spending) for row in r.years],
        "transfers": [float(row.transfers) for row in r.years],
        "text": {"income": _("净收益"), "spending": _("支出"), "transfers": _("转入维修资金")},
    }


def statement_entries(statement: Statement) -> list[Entry]:
    """The entries that took effect in the statement's period (paid spending by its payment day),
    with their vouchers (two queries)."""
    start, end = statement.period_start, statement.period_end
    return list(
        Entry.objects.filter(ledger_id=statement.ledger_id)
        .filter(
            (~Q(kind=EntryKind.SPENDING) & Q(date__range=(start, end)))
            | Q(kind=EntryKind.SPENDING, status=SpendingStatus.PAID, paid_on__range=(start, end))
        )
        .select_related("reverses")
        .prefetch_related("vouchers")
        .order_by("date", "id")
    )
