"""Estates' public-revenue ledgers (公共收益, issue 6 part 4).

Civil Code Art. 282: income from the common parts of an estate, after the reasonable costs of
earning it, belongs to the owners together. Art. 281: the building's maintenance fund belongs to
the owners; a configurable share of the net public revenue is transferred to it. Art. 943: the
property manager regularly discloses the use of common parts and the income to the owners (the
quarterly Statement, printed with a QR code to its public online version). Art. 278: spending above
the limit the owners delegated to their committee needs the owners' decision (a passed Motion).

An Entry is never edited after posting: a correction is a new reversal entry (services.entry_reverse);
Entry.save refuses to rewrite a posted entry's money, kind, category, date or ledger.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from gongzhi.places.access import PlacePath
from gongzhi.places.models import Estate

ZERO = Decimal("0.00")


class EntryKind(models.TextChoices):
    INCOME = "income", _("收入")
    COST = "cost", _("成本")
    SPENDING = "spending", _("支出")
    TRANSFER = "transfer", _("转入维修资金")
    REVERSAL = "reversal", _("冲销")


class EntryCategory(models.TextChoices):
    """What an entry is about (收支类别): an income source, a spending category (budgets are kept
    by these) or the transfer to the maintenance fund. Qualified so it is not confused with
    suggestions.SuggestionCategory (GLOSSARY.md: one name per class)."""

    # Sources of income (and of the costs against them).
    PARKING = "parking", _("停车")
    ADVERTISING = "advertising", _("广告")
    VENUE = "venue", _("场地租赁")
    OTHER_INCOME = "other_income", _("其他收入")
    # Spending categories.
    ENVIRONMENT = "environment", _("环境")
    MAINTENANCE = "maintenance", _("维修养护")
    RENEWAL = "renewal", _("设施更新")
    OTHER_SPENDING = "other_spending", _("其他支出")
    # Transfers.
    MAINTENANCE_FUND = "maintenance_fund", _("维修资金")


INCOME_SOURCES = (EntryCategory.PARKING, EntryCategory.ADVERTISING, EntryCategory.VENUE, EntryCategory.OTHER_INCOME)
SPENDING_CATEGORIES = (
    EntryCategory.ENVIRONMENT,
    EntryCategory.MAINTENANCE,
    EntryCategory.RENEWAL,
    EntryCategory.OTHER_SPENDING,
)


class SpendingStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    APPROVED = "approved", _("已批准")
    PAID = "paid", _("已支付")


class Ledger(models.Model):
    """One estate's public-revenue ledger: its opening balance and date, the limit of spending the
    owners delegated to their committee (above it: an owners' motion, Civil Code Art. 278), and the
    share of net income transferred to the maintenance fund (Art. 281)."""

    # Where its rows sit in the place tree (places.access.scoped, chain_of).
    access_path: ClassVar[PlacePath] = PlacePath.via_estate("estate")

    estate = models.OneToOneField(Estate, on_delete=models.PROTECT, related_name="ledger")
    delegated_limit = models.DecimalField(
        _("业委会审批限额(元)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    fund_share = models.DecimalField(
        _("转入维修资金比例(%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))],
    )
    opening_balance = models.DecimalField(_("期初余额(元)"), max_digits=14, decimal_places=2, default=ZERO)
    opened_on = models.DateField(_("建账日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("公共收益账")
        verbose_name_plural = _("公共收益账")
        ordering: ClassVar[list[str]] = ["estate__name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(delegated_limit__gte=0), name="ledger_limit_nonnegative"),
            models.CheckConstraint(condition=Q(fund_share__gte=0, fund_share__lte=100), name="ledger_share_percent"),
        ]

    def __str__(self) -> str:
        return str(self.estate)

    @property
    def access_anchor(self) -> Estate:
        return self.estate


class Budget(models.Model):
    """The approved amount of a spending category for a year (the owners' annual budget)."""

    ledger = models.ForeignKey(Ledger, on_delete=models.CASCADE, related_name="budgets")
    year = models.PositiveSmallIntegerField(_("年度"))
    category = models.CharField(_("支出类别"), max_length=16, choices=EntryCategory.choices)
    amount = models.DecimalField(_("预算金额(元)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("预算")
        verbose_name_plural = _("预算")
        ordering: ClassVar[list[str]] = ["ledger_id", "year", "category"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["ledger", "year", "category"], name="budget_unique_category"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.ledger} {self.year} {self.get_category_display()}"

    @property
    def access_anchor(self) -> Estate:
        return self.ledger.estate


# Fields fixed at posting: Entry.save refuses to write them again.
FROZEN_FIELDS = ("ledger", "kind", "category", "amount", "date", "description", "reverses", "against")
MUTABLE_FIELDS = frozenset(
    {"status", "reversed", "motion", "approved_by", "approved_at", "paid_on", "paid_by", "paid_at"}
)


class Entry(models.Model):
    """One posting. Income is gross; costs are posted against an income (net = gross − costs);
    spending goes proposed → approved → paid; transfers move the share of a period's net income to
    the maintenance fund; a reversal undoes another entry (which is marked reversed)."""

    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("类型"), max_length=12, choices=EntryKind.choices)
    category = models.CharField(_("来源/类别"), max_length=16, choices=EntryCategory.choices)
    amount = models.DecimalField(_("金额(元)"), max_digits=14, decimal_places=2)
    date = models.DateField(_("日期"))
    description = models.CharField(_("摘要"), max_length=200, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(_("记账时间"))
    against = models.ForeignKey(
        "self", verbose_name=_("对应收入"), null=True, blank=True, on_delete=models.PROTECT, related_name="costs"
    )
    reverses = models.ForeignKey(
        "self", verbose_name=_("冲销分录"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    reversed = models.BooleanField(_("已冲销"), default=False)
    period_start = models.DateField(_("所属期起"), null=True, blank=True)
    period_end = models.DateField(_("所属期止"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=SpendingStatus.choices, blank=True)
    motion = models.ForeignKey(
        "motions.Motion", verbose_name=_("业主表决"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    paid_on = models.DateField(_("支付日期"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField(_("支付记录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        ordering: ClassVar[list[str]] = ["-date", "-id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["ledger", "kind", "date"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="entry_amount_positive"),
            # A reversal names the entry it undoes, and only a reversal does.
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False) | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="entry_reversal_names_original",
            ),
            # Only spending has a status (proposed, approved, paid).
            models.CheckConstraint(
                condition=(Q(kind="spending") & ~Q(status="")) | (~Q(kind="spending") & Q(status="")),
                name="entry_status_only_spending",
            ),
            # An entry is reversed at most once.
            models.UniqueConstraint(fields=["reverses"], name="entry_reversed_once"),
            # One live transfer per period.
            models.UniqueConstraint(
                fields=["ledger", "period_start", "period_end"],
                condition=Q(kind="transfer", reversed=False),
                name="entry_one_transfer_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.date}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Never edit a posted entry: once saved, only its workflow fields (status, approval, payment,
        reversed flag) may be written, and only through `update_fields`."""
        if self.pk is not None and not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= MUTABLE_FIELDS:
                msg = "A posted ledger entry is never edited; post a reversal instead."
                raise ValueError(msg)
        super().save(*args, **kwargs)

    @property
    def access_anchor(self) -> Estate:
        return self.ledger.estate

    @property
    def needs_motion(self) -> bool:
        return self.kind == EntryKind.SPENDING and self.amount > self.ledger.delegated_limit


def voucher_path(instance: Voucher, filename: str) -> str:
    return f"ledgers/{instance.entry.ledger_id}/{uuid.uuid4().hex}.bin"


class Voucher(models.Model):
    """A voucher of an entry (invoice, receipt, contract): PDF, JPEG or PNG, kept with its SHA-256.
    Listed on the public statement (Civil Code Art. 943: disclosure to the owners)."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="vouchers")
    file = models.FileField(_("凭证"), upload_to=voucher_path)
    name = models.CharField(_("文件名"), max_length=128)
    content_type = models.CharField(max_length=32)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("凭证")
        verbose_name_plural = _("凭证")
        ordering: ClassVar[list[str]] = ["entry_id", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def access_anchor(self) -> Estate:
        return self.entry.ledger.estate


class Statement(models.Model):
    """A quarterly statement of the ledger (收支公示): it always reconciles,
    opening + income − costs − spending − transfers = closing."""

    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="statements")
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    opening = models.DecimalField(_("期初余额"), max_digits=14, decimal_places=2)
    income = models.DecimalField(_("收入"), max_digits=14, decimal_places=2)
    costs = models.DecimalField(_("成本"), max_digits=14, decimal_places=2)
    spending = models.DecimalField(_("支出"), max_digits=14, decimal_places=2)
    transfers = models.DecimalField(_("转入维修资金"), max_digits=14, decimal_places=2)
    closing = models.DecimalField(_("期末余额"), max_digits=14, decimal_places=2)
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("收支公示")
        verbose_name_plural = _("收支公示")
        ordering: ClassVar[list[str]] = ["ledger_id", "-period_start"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["ledger", "period_start"], name="statement_unique_period"),
            models.CheckConstraint(
                # Rounded to the fen: SQLite computes with binary floats.
                condition=Q(
                    closing=Round(
                        models.F("opening")
                        + models.F("income")
                        - models.F("costs")
                        - models.F("spending")
                        - models.F("transfers"),
                        2,
                    )
                ),
                name="statement_reconciles",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ledger} {self.label}"

    @property
    def access_anchor(self) -> Estate:
        return self.ledger.estate

    @property
    def label(self) -> str:
        return f"{self.period_start.year}Q{(self.period_start.month - 1) // 3 + 1}"

    @property
    def net_income(self) -> Decimal:
        return self.income - self.costs


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    return quarter_bounds(day.year, (day.month - 1) // 3 + 1)
