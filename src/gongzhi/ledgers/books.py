"""The arithmetic of a public-revenue ledger, without Django: what each posting does to the balance,
a period's figures, and the share transferred to the maintenance fund.

Kept pure so the reconciliation (opening + income − costs − spending − transfers = closing) can be
tested as a property on random postings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from gongzhi.core.money import round_yuan

ZERO = Decimal("0.00")

INCOME, COST, SPENDING, TRANSFER, REVERSAL = "income", "cost", "spending", "transfer", "reversal"
LINES = (INCOME, COST, SPENDING, TRANSFER)
SIGN = {INCOME: 1, COST: -1, SPENDING: -1, TRANSFER: -1}


@dataclass(frozen=True)
class BookPosting:
    """What a posting does to the books: the line it counts on (for a reversal, the line of the entry
    it undoes), the amount (negative for a reversal) and the day it takes effect (a spending: the day
    it is paid; unpaid spending is not in the books, so neither is the reversal of one)."""

    line: str
    amount: Decimal
    day: dt.date


@dataclass(frozen=True)
class PeriodFigures:
    opening: Decimal
    income: Decimal
    costs: Decimal
    spending: Decimal
    transfers: Decimal

    @property
    def net_income(self) -> Decimal:
        return self.income - self.costs

    @property
    def closing(self) -> Decimal:
        return self.opening + self.income - self.costs - self.spending - self.transfers


def effect(posting: BookPosting) -> Decimal:
    """The signed change of the balance."""
    return SIGN[posting.line] * posting.amount


def figures(opening_balance: Decimal, postings: Iterable[BookPosting], start: dt.date, end: dt.date) -> PeriodFigures:
    """The figures of the period [start, end]: the opening is the ledger's opening balance plus
    everything that took effect before `start`; each line sums what took effect within it."""
    opening = opening_balance
    lines = dict.fromkeys(LINES, ZERO)
    for p in postings:
        if p.day < start:
            opening += effect(p)
        elif p.day <= end:
            lines[p.line] += p.amount
    return PeriodFigures(opening, lines[INCOME], lines[COST], lines[SPENDING], lines[TRANSFER])


def fund_transfer(net_income: Decimal, share_percent: Decimal) -> Decimal:
    """The share of a period's net income transferred to the maintenance fund (Civil Code Art. 281),
    to the fen, rounding half up (四舍五入, core.money.round_yuan): the rule of the Accounting Standards
    for Business Enterprises and of banks' ledgers in China, so the figure matches what a bank or an
    auditor computes by hand. Nothing is transferred from a period with no net income."""
    if net_income <= 0 or share_percent <= 0:
        return ZERO
    return round_yuan(net_income * share_percent / Decimal(100))
