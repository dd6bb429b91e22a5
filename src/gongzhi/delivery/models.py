"""Delivery of elevator renewal (issue 5): each elevator's renewal and its stages, construction
schedules computed by renewals.scheduling, documents, and notices posted to the estate.

The stage list and the rules between stages live in delivery.stages (pure); services enforce them.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.delivery import stages as st
from gongzhi.elevators.models import Campaign, Elevator
from gongzhi.places.models import Estate, Subdistrict


class StageKind(models.TextChoices):
    PROPOSAL = st.PROPOSAL, pgettext_lazy("renewal stage", "提出申请")
    ASSESSMENT = st.ASSESSMENT, pgettext_lazy("renewal stage", "安全评估")
    PLAN = st.PLAN, pgettext_lazy("renewal stage", "更新方案")
    DECISION = st.DECISION, pgettext_lazy("renewal stage", "业主表决")
    CONTRACT = st.CONTRACT, pgettext_lazy("renewal stage", "签订合同")
    NOTICE = st.NOTICE, pgettext_lazy("renewal stage", "施工告知")
    CONSTRUCTION = st.CONSTRUCTION, pgettext_lazy("renewal stage", "拆除与安装")
    INSPECTION = st.INSPECTION, pgettext_lazy("renewal stage", "监督检验")
    REGISTRATION = st.REGISTRATION, pgettext_lazy("renewal stage", "使用登记")
    MAINTENANCE = st.MAINTENANCE, pgettext_lazy("renewal stage", "维保移交")
    IN_SERVICE = st.IN_SERVICE, pgettext_lazy("renewal stage", "恢复使用")
    SUBSIDY = st.SUBSIDY, pgettext_lazy("renewal stage", "补助拨付")


class StageStatus(models.TextChoices):
    PENDING = st.PENDING, _("未开始")
    STARTED = st.STARTED, _("进行中")
    DONE = st.DONE, _("已完成")
    FAILED = st.FAILED, _("未通过")
    SKIPPED = st.SKIPPED, _("不适用")


class Renewal(models.Model):
    """One elevator's renewal in a campaign: who replaces it (the contracted vendor and offer) and
    how many days the works take. Created when its entrance's owners have decided."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="renewals")
    elevator = models.ForeignKey(Elevator, on_delete=models.PROTECT, related_name="renewals")
    vendor = models.ForeignKey(
        "renewals.Vendor", null=True, blank=True, on_delete=models.PROTECT, related_name="renewals"
    )
    offer = models.ForeignKey("renewals.Offer", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    works_days = models.PositiveSmallIntegerField(
        _("施工工期(天)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    current_stage = models.CharField(_("当前阶段"), max_length=16, choices=StageKind.choices, default=st.PROPOSAL)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
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


class RenewalStage(models.Model):
    renewal = models.ForeignKey(Renewal, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(_("阶段"), max_length=16, choices=StageKind.choices)
    position = models.PositiveSmallIntegerField(_("序号"))
    status = models.CharField(_("状态"), max_length=8, choices=StageStatus.choices, default=st.PENDING)
    planned_start = models.DateField(_("计划开始"), null=True, blank=True)
    planned_end = models.DateField(_("计划完成"), null=True, blank=True)
    actual_start = models.DateField(_("实际开始"), null=True, blank=True)
    actual_end = models.DateField(_("实际完成"), null=True, blank=True)
    responsible = models.CharField(_("责任方"), max_length=128, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("更新阶段")
        verbose_name_plural = _("更新阶段")
        ordering: ClassVar[list[str]] = ["renewal_id", "position"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["renewal", "kind"], name="stage_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.renewal} {self.get_kind_display()}"

    @property
    def access_anchor(self) -> models.Model:
        return self.renewal.elevator.entrance

    def state(self) -> st.StageState:
        return st.StageState(
            self.kind, self.status, self.planned_start, self.planned_end, self.actual_start, self.actual_end
        )


class StageDocument(models.Model):
    """A photo or document attached to a stage (notice receipt, inspection report, registration
    certificate, site photos). Public ones appear on the estate's progress page."""

    stage = models.ForeignKey(RenewalStage, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("标题"), max_length=128)
    file = models.FileField(_("文件"), upload_to="stages/%Y/%m/")
    content_type = models.CharField(max_length=32)
    sha256 = models.CharField(max_length=64)
    public = models.BooleanField(_("公开"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("阶段文件")
        verbose_name_plural = _("阶段文件")
        ordering: ClassVar[list[str]] = ["stage_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class ScheduleStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("求解中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("出错")


class ConstructionSchedule(models.Model):
    """One run of the construction planner: its input in the scheduling contract's form, the
    solver's answer, and whether staff accepted it (which sets the planned stage dates)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="schedules")
    name = models.CharField(_("名称"), max_length=128, blank=True)
    problem = models.JSONField(_("输入"))
    time_limit = models.PositiveSmallIntegerField(_("求解时限(秒)"), default=10)
    status = models.CharField(_("状态"), max_length=8, choices=ScheduleStatus.choices, default=ScheduleStatus.QUEUED)
    result = models.JSONField(_("结果"), null=True, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(_("采用时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("施工排程")
        verbose_name_plural = _("施工排程")
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return self.name or str(self.pk)

    @property
    def access_anchor(self) -> Subdistrict:
        return self.campaign.subdistrict


class EstateNotice(models.Model):
    """A notice posted to an estate about the works (施工公告): shown on its public progress page."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="delivery_notices")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="estate_notices")
    title = models.CharField(_("标题"), max_length=128)
    body = models.TextField(_("内容"))
    posted_at = models.DateTimeField(_("发布时间"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("施工公告")
        verbose_name_plural = _("施工公告")
        ordering: ClassVar[list[str]] = ["-posted_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def access_anchor(self) -> Estate:
        return self.estate
