"""Elevator registry, faults, inspections, safety assessments, campaigns and registry imports."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.elevators import eligibility as elig
from gongzhi.elevators.device_codes import device_code_warning
from gongzhi.places.access import PlacePath
from gongzhi.places.models import Entrance, Subdistrict


class Elevator(models.Model):
    # Where its rows sit in the place tree (places.access.scoped, chain_of).
    access_path: ClassVar[PlacePath] = PlacePath.via_entrance("entrance")
    device_code = models.CharField(_("设备代码"), max_length=32, unique=True)
    registration_number = models.CharField(_("使用登记证编号"), max_length=64, blank=True)
    entrance = models.ForeignKey(Entrance, on_delete=models.PROTECT, related_name="elevators")
    commissioned_on = models.DateField(_("投用日期"), db_index=True)
    maker = models.CharField(_("制造单位"), max_length=128, blank=True)
    model = models.CharField(_("型号"), max_length=64, blank=True)
    rated_load_kg = models.PositiveIntegerField(_("额定载重量(kg)"), null=True, blank=True)
    rated_speed_mps = models.DecimalField(
        _("额定速度(m/s)"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    stops = models.PositiveSmallIntegerField(_("层站数"), null=True, blank=True)
    maintenance_company = models.CharField(_("维保单位"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("电梯")
        verbose_name_plural = _("电梯")
        ordering: ClassVar[list[str]] = ["device_code"]

    def __str__(self) -> str:
        return self.device_code

    @property
    def access_anchor(self) -> Entrance:
        return self.entrance

    @property
    def device_code_warning(self) -> str | None:
        return device_code_warning(self.device_code)


class FaultKind(models.TextChoices):
    ENTRAPMENT = "entrapment", _("困人")
    DOOR = "door", _("门系统故障")
    STOPPAGE = "stoppage", _("停梯")
    LEVELLING = "levelling", _("平层不准")
    CONTROL = "control", _("控制系统故障")
    OTHER = "other", _("其他")


class FaultRecord(models.Model):
    elevator = models.ForeignKey(Elevator, on_delete=models.CASCADE, related_name="faults")
    occurred_at = models.DateTimeField(_("发生时间"))
    kind = models.CharField(_("类型"), max_length=16, choices=FaultKind.choices)
    people_trapped = models.PositiveSmallIntegerField(_("被困人数"), default=0)
    hours_out_of_service = models.DecimalField(
        _("停梯时长(小时)"),
        max_digits=7,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )

    class Meta:
        verbose_name = _("故障记录")
        verbose_name_plural = _("故障记录")
        ordering: ClassVar[list[str]] = ["-occurred_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["elevator", "occurred_at", "kind"], name="fault_unique_event"),
            models.CheckConstraint(condition=models.Q(hours_out_of_service__gte=0), name="fault_hours_non_negative"),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["elevator", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.elevator_id} {self.occurred_at:%Y-%m-%d} {self.kind}"

    @property
    def is_entrapment(self) -> bool:
        return self.people_trapped > 0 or self.kind == FaultKind.ENTRAPMENT


class InspectionResult(models.TextChoices):
    PASS = elig.INSPECTION_PASS, _("合格")
    PASS_AFTER_FIX = elig.INSPECTION_PASS_AFTER_FIX, _("复检合格")
    FAIL = elig.INSPECTION_FAIL, _("不合格")


class InspectionRecord(models.Model):
    elevator = models.ForeignKey(Elevator, on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField(_("检验日期"))
    result = models.CharField(_("结论"), max_length=16, choices=InspectionResult.choices)
    inspector = models.CharField(_("检验机构"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("定期检验")
        verbose_name_plural = _("定期检验")
        ordering: ClassVar[list[str]] = ["-inspected_on"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["elevator", "inspected_on"], name="inspection_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.elevator_id} {self.inspected_on} {self.result}"


class AssessmentConclusion(models.TextChoices):
    """Conclusions of a safety assessment under GB/T 42615-2023 (在用电梯安全评估规范)."""

    RENEW = elig.ASSESSMENT_RENEW, _("更新")
    MODIFY = elig.ASSESSMENT_MODIFY, _("改造")
    MAJOR_REPAIR = elig.ASSESSMENT_MAJOR_REPAIR, _("重大修理")
    ROUTINE_REPAIR = elig.ASSESSMENT_ROUTINE_REPAIR, _("一般修理")


class SafetyAssessment(models.Model):
    elevator = models.ForeignKey(Elevator, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("评估日期"))
    assessor = models.CharField(_("评估机构"), max_length=128)
    grade = models.CharField(_("风险等级"), max_length=16, blank=True)
    conclusion = models.CharField(_("评估结论"), max_length=16, choices=AssessmentConclusion.choices)

    class Meta:
        verbose_name = _("安全评估")
        verbose_name_plural = _("安全评估")
        ordering: ClassVar[list[str]] = ["-assessed_on"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["elevator", "assessed_on"], name="assessment_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.elevator_id} {self.assessed_on} {self.conclusion}"


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Campaign(models.Model):
    """A renewal drive over one subdistrict's elevators (更新行动)."""

    # Where its rows sit in the place tree (places.access.scoped, chain_of).
    access_path: ClassVar[PlacePath] = PlacePath(subdistrict="subdistrict")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(_("名称"), max_length=128)
    reference_date = models.DateField(_("基准日期"))
    deadline = models.DateField(_("截止日期"))
    eligible_years = models.PositiveSmallIntegerField(_("符合条件年限"), default=elig.DEFAULT_ELIGIBLE_YEARS)
    priority_years = models.PositiveSmallIntegerField(_("优先年限"), default=elig.DEFAULT_PRIORITY_YEARS)
    weights = models.JSONField(_("优先分权重"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.OPEN)
    ranked_at = models.DateTimeField(_("排序时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("更新行动")
        verbose_name_plural = _("更新行动")
        ordering: ClassVar[list[str]] = ["-reference_date", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(eligible_years__gte=1) & models.Q(priority_years__gte=models.F("eligible_years")),
                name="campaign_years_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("reference_date")), name="campaign_deadline_after_reference"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def access_anchor(self) -> Subdistrict:
        return self.subdistrict

    @property
    def tier_rule(self) -> elig.TierRule:
        return elig.TierRule(eligible_years=self.eligible_years, priority_years=self.priority_years)

    @property
    def score_weights(self) -> elig.ScoreWeights:
        return elig.ScoreWeights.from_dict(self.weights)

    @property
    def faults_since(self) -> dt.date:
        return elig.faults_window_start(self.reference_date)


class Tier(models.TextChoices):
    PRIORITY = elig.Tier.PRIORITY.value, _("优先")
    ELIGIBLE = elig.Tier.ELIGIBLE.value, _("符合条件")
    NOT_ELIGIBLE = elig.Tier.NOT_ELIGIBLE.value, _("暂不符合")


class CampaignEntry(models.Model):
    """One elevator's tier and score in a campaign, computed by campaign_rank.

    Materialised so that the ranked list of 100,000 elevators is one indexed query; recomputed
    whenever the campaign is ranked again (after an import, or on request).
    """

    # Where its rows sit in the place tree (places.access.scoped, chain_of).
    access_path: ClassVar[PlacePath] = PlacePath.via_entrance("elevator__entrance")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entries")
    elevator = models.ForeignKey(Elevator, on_delete=models.CASCADE, related_name="campaign_entries")
    rank = models.PositiveIntegerField(_("排名"))
    age_years = models.PositiveSmallIntegerField(_("梯龄(年)"))
    tier = models.CharField(_("等级"), max_length=16, choices=Tier.choices)
    by_assessment = models.BooleanField(_("经安全评估认定"), default=False)
    score = models.DecimalField(_("优先分"), max_digits=8, decimal_places=1)
    faults_12m = models.PositiveIntegerField(_("近12个月故障"))
    entrapments_12m = models.PositiveIntegerField(_("近12个月困人"))
    households = models.PositiveIntegerField(_("服务户数"))
    factors = models.JSONField(_("得分构成"), default=list)

    class Meta:
        verbose_name = _("行动电梯")
        verbose_name_plural = _("行动电梯")
        ordering: ClassVar[list[str]] = ["campaign_id", "rank"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["campaign", "elevator"], name="campaign_entry_unique"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["campaign", "rank"], name="campaign_entry_rank"),
            models.Index(fields=["campaign", "tier", "rank"], name="campaign_entry_tier_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}#{self.rank} {self.elevator_id}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    REFUSED = "refused", _("已拒绝")
    FAILED = "failed", _("出错")


class RegistryImport(models.Model):
    """One upload of the registry workbook, its progress and its outcome."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subdistrict = models.ForeignKey(Subdistrict, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(_("文件名"), max_length=255)
    file_path = models.CharField(max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("状态"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    phase = models.CharField(_("阶段"), max_length=32, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("登记册导入")
        verbose_name_plural = _("登记册导入")
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status in {ImportStatus.DONE}:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
