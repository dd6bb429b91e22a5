"""Spaces for services (空间换服务): a community lends a room or an area to a partner (young
entrepreneurs, a social organisation, a business) who pays in kind — events, hours of service,
meals — under an agreement reviewed every year (AgreementReview). What was delivered is logged
against each obligation as a Fulfilment with evidence, and the shortfall per period is what was
owed less what was delivered."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.places.models import Community


class SpaceKind(models.TextChoices):
    ROOM = "room", _("房间")
    AREA = "area", _("场地")


class Space(models.Model):
    community = models.ForeignKey(Community, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="spaces")
    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=8, choices=SpaceKind.choices, default=SpaceKind.ROOM)
    area_m2 = models.DecimalField(_("面积(平方米)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    opening_hours = models.TextField(_("开放时间"), blank=True)

    class Meta:
        verbose_name = _("空间")
        verbose_name_plural = _("空间")
        ordering: ClassVar[list[str]] = ["community_id", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["community", "name"], name="space_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class PartnerKind(models.TextChoices):
    YOUNG_ENTREPRENEUR = "young_entrepreneur", _("青年创业者")
    SOCIAL_ORGANISATION = "social_organisation", _("社会组织")
    BUSINESS = "business", _("商户")


class Partner(models.Model):
    """Who uses a space and pays in kind. Registered by a community (its staff see it); its members
    (user accounts) log deliveries of their own agreements."""

    community = models.ForeignKey(Community, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=24, choices=PartnerKind.choices)
    contact = models.CharField(_("联系方式"), max_length=128, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("成员"), blank=True, related_name="space_partners"
    )

    class Meta:
        verbose_name = _("合作方")
        verbose_name_plural = _("合作方")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", _("履约中")
    ENDED = "ended", _("已终止")


class Agreement(models.Model):
    space = models.ForeignKey(Space, verbose_name=_("空间"), on_delete=models.PROTECT, related_name="agreements")
    partner = models.ForeignKey(Partner, verbose_name=_("合作方"), on_delete=models.PROTECT, related_name="agreements")
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    review_on = models.DateField(_("年度评估日期"))
    status = models.CharField(_("状态"), max_length=8, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("空间换服务协议")
        verbose_name_plural = _("空间换服务协议")
        ordering: ClassVar[list[str]] = ["-start", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="agreement_dates_order")
        ]

    def __str__(self) -> str:
        return f"{self.space} · {self.partner}"


class Period(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


class Obligation(models.Model):
    """What the partner owes in kind per period, e.g. 2 events a month, 40 hours a quarter."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="obligations")
    description = models.CharField(_("服务内容"), max_length=255)
    unit = models.CharField(_("单位"), max_length=32)
    quantity = models.DecimalField(_("每期数量"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    period = models.CharField(_("周期"), max_length=8, choices=Period.choices, default=Period.MONTH)

    class Meta:
        verbose_name = _("服务义务")
        verbose_name_plural = _("服务义务")
        ordering: ClassVar[list[str]] = ["agreement_id", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="obligation_quantity_positive")
        ]

    def __str__(self) -> str:
        return self.description


class Fulfilment(models.Model):
    """Services delivered against an obligation (履约记录), with evidence. Not `Delivery`: that word is
    the renewal works' app (GLOSSARY.md)."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="fulfilments")
    date = models.DateField(_("日期"))
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2)
    note = models.TextField(_("说明"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        # The table keeps the name it had as `Delivery` (migration 0002 renamed the model only).
        db_table = "spaces_delivery"
        ordering: ClassVar[list[str]] = ["-date", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="delivery_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.obligation} {self.date}"


class Evidence(models.Model):
    """A photo or document proving a delivery (PDF, JPEG or PNG), served only to those who may see
    the agreement."""

    delivery = models.ForeignKey(Fulfilment, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to="spaces/%Y/%m/")
    content_type = models.CharField(max_length=32)
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering: ClassVar[list[str]] = ["delivery_id", "id"]

    def __str__(self) -> str:
        return f"{self.delivery} #{self.pk}"


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", _("继续")
    ADJUST = "adjust", _("调整")
    END = "end", _("终止")


class AgreementReview(models.Model):
    """The yearly review of an agreement (年度评估): continue, adjust or end."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reviews")
    date = models.DateField(_("评估日期"))
    outcome = models.CharField(_("评估结论"), max_length=8, choices=ReviewOutcome.choices)
    note = models.TextField(_("说明"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("年度评估")
        verbose_name_plural = _("年度评估")
        # The table keeps the name it had as `Review` (migration 0002 renamed the model only).
        db_table = "spaces_review"
        ordering: ClassVar[list[str]] = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.agreement} {self.date}"
