"""Delivery of elevator renewal (issue 5): the stages of each elevator's renewal, construction
schedules computed by delivery.scheduling, documents, and notices posted to the estate.

The renewal itself (renewals.models.Renewal, with the stage names StageKind) sits a floor below, in
renewals (issue 14). The rules between stages live in delivery.stages (pure); services enforce them.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.delivery import stages as st
from gongzhi.elevators.models import Campaign
from gongzhi.places.models import Estate, Subdistrict
from gongzhi.renewals.models import Renewal, StageKind


class StageStatus(models.TextChoices):
    PENDING = st.PENDING, _("未开始")
    STARTED = st.STARTED, _("进行中")
    DONE = st.DONE, _("已完成")
    FAILED = st.FAILED, _("未通过")
    SKIPPED = st.SKIPPED, _("不适用")


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
