"""Renewal consultation per entrance: vendors and their offers, subsidy rules stored as data, and
the funding plan that says what remains for the owners and each apartment's share; and each
elevator's Renewal once its owners have decided (its stages are the works, in delivery).

Money is Decimal to the fen in the database (DESIGN.md convention 4). The arithmetic lives in
the pure modules renewals.funding (subsidies, plan balance) and renewals.apportionment (shares).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.elevators.models import Campaign, Elevator
from gongzhi.places.access import PlacePath
from gongzhi.places.models import Entrance, Subdistrict


class Vendor(models.Model):
    """An elevator maker or installer (品牌方) that pitches and quotes in a subdistrict's campaigns."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="vendors")
    name = models.CharField(_("名称"), max_length=128)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact = models.CharField(_("联系人"), max_length=64, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="vendors")

    class Meta:
        verbose_name = _("品牌方")
        verbose_name_plural = _("品牌方")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="vendor_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def access_anchor(self) -> Subdistrict:
        return self.subdistrict


class EnergyClass(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    LOCKED = "locked", _("已锁定")
    WITHDRAWN = "withdrawn", _("已撤回")


class Offer(models.Model):
    """A vendor's priced offer (报价) for a campaign. Locked once a brand motion opens on it: a
    change after that needs a new motion, so owners vote on what they were shown."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="offers")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="offers")
    brand = models.CharField(_("品牌"), max_length=64)
    model = models.CharField(_("型号"), max_length=64)
    rated_load_kg = models.PositiveIntegerField(_("额定载重(kg)"), validators=[MinValueValidator(1)])
    rated_speed_mps = models.DecimalField(_("额定速度(m/s)"), max_digits=4, decimal_places=2)
    machine_room_less = models.BooleanField(_("无机房"), default=False)
    energy_class = models.CharField(_("能效等级"), max_length=1, choices=EnergyClass.choices, blank=True)
    warranty_years = models.PositiveSmallIntegerField(_("质保(年)"))
    free_maintenance_years = models.PositiveSmallIntegerField(_("免费维保(年)"), default=0)
    delivery_days = models.PositiveSmallIntegerField(_("供货周期(天)"))
    installation_days = models.PositiveSmallIntegerField(_("安装工期(天)"), validators=[MinValueValidator(1)])
    price_per_elevator = models.DecimalField(_("每台价格(元)"), max_digits=12, decimal_places=2)
    after_sales = models.TextField(_("售后条款"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("报价")
        verbose_name_plural = _("报价")
        ordering: ClassVar[list[str]] = ["campaign_id", "vendor__name", "brand", "model"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["campaign", "vendor", "brand", "model"], name="offer_unique_model"),
            models.CheckConstraint(condition=models.Q(price_per_elevator__gt=0), name="offer_price_positive"),
            models.CheckConstraint(condition=models.Q(rated_speed_mps__gt=0), name="offer_speed_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.brand} {self.model}"

    @property
    def access_anchor(self) -> Subdistrict:
        return self.campaign.subdistrict


class OfferPrice(models.Model):
    """A price for one configuration (e.g. by stops served), beside the per-elevator price."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="prices")
    configuration = models.CharField(_("配置"), max_length=128)
    min_stops = models.PositiveSmallIntegerField(_("最少层站"), null=True, blank=True)
    max_stops = models.PositiveSmallIntegerField(_("最多层站"), null=True, blank=True)
    price = models.DecimalField(_("价格(元)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("配置价格")
        verbose_name_plural = _("配置价格")
        ordering: ClassVar[list[str]] = ["offer_id", "min_stops", "configuration"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="offer_price_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.offer} {self.configuration}"


class OfferDocument(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("标题"), max_length=128)
    file = models.FileField(_("文件"), upload_to="offers/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("报价文件")
        verbose_name_plural = _("报价文件")

    def __str__(self) -> str:
        return self.title


class SubsidyRule(models.Model):
    """A subsidy stored as data (renewals.funding.rule_from_spec reads `spec`), so a new year's or
    a new city's rule is a row, not a release."""

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    spec = models.JSONField(_("规则"))
    active = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=100)

    class Meta:
        verbose_name = _("补助规则")
        verbose_name_plural = _("补助规则")
        ordering: ClassVar[list[str]] = ["position", "code"]

    def __str__(self) -> str:
        return str(self.spec.get("name") or self.code)


class ApportionMethod(models.TextChoices):
    """Civil Code Art. 283: without an agreement, costs are split by exclusive area."""

    AREA = "area", _("按建筑面积")
    EQUAL = "equal", _("按户均摊")
    FLOOR = "floor", _("按楼层系数")
    FLOOR_AREA = "floor-area", _("按楼层系数×面积")


class FundingPlan(models.Model):
    """How one entrance pays for its renewal (怎么换): the chosen offer's price, subsidies, the
    maintenance fund, public revenue, and what remains for the owners, split by `method`."""

    # Where its rows sit in the place tree (places.access.scoped, chain_of).
    access_path: ClassVar[PlacePath] = PlacePath.via_entrance("entrance")

    entrance = models.ForeignKey(Entrance, on_delete=models.PROTECT, related_name="funding_plans")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="funding_plans")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="funding_plans")
    elevators = models.PositiveSmallIntegerField(_("电梯台数"), validators=[MinValueValidator(1)])
    stops = models.PositiveSmallIntegerField(_("层站数"), validators=[MinValueValidator(2)])
    works_cost = models.DecimalField(_("每台工程费用(元)"), max_digits=12, decimal_places=2)
    maintenance_fund = models.DecimalField(_("使用维修资金(元)"), max_digits=12, decimal_places=2, default=0)
    public_revenue = models.DecimalField(_("公共收益列支(元)"), max_digits=12, decimal_places=2, default=0)
    subsidies = models.JSONField(_("补助明细"), default=list)
    owners_total = models.DecimalField(_("业主自筹(元)"), max_digits=12, decimal_places=2)
    method = models.CharField(
        _("分摊方式"), max_length=16, choices=ApportionMethod.choices, default=ApportionMethod.AREA
    )
    coefficients = models.JSONField(_("楼层系数"), default=dict, blank=True)
    exempt = models.JSONField(_("免摊房屋"), default=list, blank=True)
    # Frozen when the plan is put to the owners' vote: {apartment id: "share"}, so a registry edit
    # during voting cannot change what each owner was shown.
    frozen_shares = models.JSONField(_("冻结的分摊额"), default=dict, blank=True)
    frozen_at = models.DateTimeField(_("分摊冻结时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("资金方案")
        verbose_name_plural = _("资金方案")
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(works_cost__gt=0), name="plan_cost_positive"),
            models.CheckConstraint(
                condition=models.Q(maintenance_fund__gte=0, public_revenue__gte=0, owners_total__gte=0),
                name="plan_sources_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entrance} {self.offer}"

    @property
    def access_anchor(self) -> Entrance:
        return self.entrance


class Consultation(models.Model):
    """The three decisions of one entrance (换不换, 换什么, 怎么换) put to its owners together: replace
    or not, which offer, and the funding plan with its apportionment — each an owners' motion."""

    entrance = models.ForeignKey(Entrance, on_delete=models.PROTECT, related_name="consultations")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="consultations")
    plan = models.ForeignKey(FundingPlan, on_delete=models.PROTECT, related_name="consultations")
    replace_motion = models.OneToOneField(
        "motions.Motion", on_delete=models.PROTECT, related_name="consultation_replace"
    )
    brand_motion = models.OneToOneField("motions.Motion", on_delete=models.PROTECT, related_name="consultation_brand")
    funding_motion = models.OneToOneField(
        "motions.Motion", on_delete=models.PROTECT, related_name="consultation_funding"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("协商表决")
        verbose_name_plural = _("协商表决")
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.entrance} {self.campaign}"

    @property
    def access_anchor(self) -> Entrance:
        return self.entrance

    @property
    def motions(self) -> list[models.Model]:
        return [self.replace_motion, self.brand_motion, self.funding_motion]


class OptionOffer(models.Model):
    """The offer an option of a choice motion stands for (方案所对应的报价), e.g. one vendor's offer in
    an entrance's brand vote. Renewals keeps the link so that the vote engine knows options, not
    offers (issue 14: motions sit below renewals). An offer put to a vote cannot be deleted, and it
    is locked when the motion opens (services.offers_lock_for_motion): owners vote on what they
    were shown."""

    option = models.OneToOneField("motions.MotionOption", on_delete=models.CASCADE, related_name="offer_link")
    offer = models.ForeignKey(Offer, verbose_name=_("报价"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("方案报价")
        verbose_name_plural = _("方案报价")

    def __str__(self) -> str:
        return f"{self.option} → {self.offer}"


class MaintenanceFundBalance(models.Model):
    """The balance of an entrance's housing special maintenance fund (维修资金) on a date, as the
    fund's custodian reported it. A funding plan may use no more than the latest balance."""

    entrance = models.ForeignKey(Entrance, on_delete=models.PROTECT, related_name="fund_balances")
    balance = models.DecimalField(_("余额(元)"), max_digits=14, decimal_places=2)
    as_of = models.DateField(_("截至日期"))
    source = models.CharField(_("来源"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("维修资金余额")
        verbose_name_plural = _("维修资金余额")
        ordering: ClassVar[list[str]] = ["-as_of", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="fund_balance_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.entrance} {self.balance} ({self.as_of})"

    @property
    def access_anchor(self) -> Entrance:
        return self.entrance


class StageKind(models.TextChoices):
    """The twelve stages of one elevator's renewal, in order. The values are delivery.stages' names
    (its ORDER; tests/test_delivery_stages.py checks the two agree): delivery keeps the stages and
    the rules between them, and renewals, a floor below, cannot import it."""

    PROPOSAL = "proposal", pgettext_lazy("renewal stage", "提出申请")
    ASSESSMENT = "assessment", pgettext_lazy("renewal stage", "安全评估")
    PLAN = "plan", pgettext_lazy("renewal stage", "更新方案")
    DECISION = "decision", pgettext_lazy("renewal stage", "业主表决")
    CONTRACT = "contract", pgettext_lazy("renewal stage", "签订合同")
    NOTICE = "notice", pgettext_lazy("renewal stage", "施工告知")
    CONSTRUCTION = "construction", pgettext_lazy("renewal stage", "拆除与安装")
    INSPECTION = "inspection", pgettext_lazy("renewal stage", "监督检验")
    REGISTRATION = "registration", pgettext_lazy("renewal stage", "使用登记")
    MAINTENANCE = "maintenance", pgettext_lazy("renewal stage", "维保移交")
    IN_SERVICE = "in_service", pgettext_lazy("renewal stage", "恢复使用")
    SUBSIDY = "subsidy", pgettext_lazy("renewal stage", "补助拨付")


class Renewal(models.Model):
    """One elevator's renewal in a campaign (更新改造), from the owners' decision to the subsidy paid:
    who replaces it (the contracted vendor and offer) and how many days the works take. Created when
    its entrance's owners have decided. Its stages, schedules and notices are the works, in delivery
    (delivery.models.RenewalStage points here); `current_stage` and `progress` are their summary."""

    # Where its rows sit in the place tree (places.access.scoped, chain_of).
    access_path: ClassVar[PlacePath] = PlacePath.via_entrance("elevator__entrance")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="renewals")
    elevator = models.ForeignKey(Elevator, on_delete=models.PROTECT, related_name="renewals")
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.PROTECT, related_name="renewals")
    offer = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    works_days = models.PositiveSmallIntegerField(
        _("施工工期(天)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    current_stage = models.CharField(
        _("当前阶段"), max_length=16, choices=StageKind.choices, default=StageKind.PROPOSAL
    )
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The model moved here from delivery (issue 14) in Django's state only: the table keeps its
        # name. Renaming it would gain nothing and rewrite every foreign key that points at it.
        db_table = "delivery_renewal"
        verbose_name = _("电梯更新")
        verbose_name_plural = _("电梯更新")
        ordering: ClassVar[list[str]] = ["campaign_id", "elevator__device_code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["campaign", "elevator"], name="renewal_unique_elevator")
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["campaign", "current_stage"])]

    def __str__(self) -> str:
        return f"{self.elevator} ({self.campaign})"

    @property
    def access_anchor(self) -> models.Model:
        return self.elevator.entrance
