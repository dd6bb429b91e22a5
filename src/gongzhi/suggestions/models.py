"""Residents' suggestions (社情民意, issue 6 part 1): departments that handle them, people's congress
deputies they may be escalated to, categories with their time limits in working days, and each
suggestion with its photos, history, and extension requests.

The loop (intake → dispatch → handling → reply → follow-up → rating) and its rules are in
suggestions.services; who sees what in suggestions.selectors.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.places.access import PlacePath
from gongzhi.places.models import Community, Estate, Subdistrict


class Department(models.Model):
    """A department (a subdistrict's office, a utility, the police station…) that handles
    suggestions dispatched to it; its members sign, bounce and answer them."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="suggestion_departments")
    name = models.CharField(_("名称"), max_length=128)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="suggestion_departments")
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("承办部门")
        verbose_name_plural = _("承办部门")
        ordering: ClassVar[list[str]] = ["subdistrict_id", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="suggestion_department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class DeputyLevel(models.TextChoices):
    DISTRICT = "district", _("区人大代表")
    CITY = "city", _("市人大代表")


class Deputy(models.Model):
    """A people's congress deputy of the subdistrict's constituency."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="deputies")
    name = models.CharField(_("姓名"), max_length=64)
    level = models.CharField(_("级别"), max_length=8, choices=DeputyLevel.choices, default=DeputyLevel.DISTRICT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="deputy_roles"
    )

    class Meta:
        verbose_name = _("人大代表")
        verbose_name_plural = _("人大代表")
        ordering: ClassVar[list[str]] = ["subdistrict_id", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"


class SuggestionCategory(models.Model):
    """A kind of suggestion with its time limit (working days after intake) and how many working
    days before the limit a reminder is recorded."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="suggestion_categories")
    name = models.CharField(_("名称"), max_length=64)
    time_limit_days = models.PositiveSmallIntegerField(
        _("办理时限(工作日)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("提前提醒(工作日)"), default=1, validators=[MaxValueValidator(30)]
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        # The table keeps the name it had as `Category` (migration 0002 renamed the model only).
        db_table = "suggestions_category"
        ordering: ClassVar[list[str]] = ["subdistrict_id", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="suggestion_category_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    RESIDENT = "resident", _("居民提交")
    MEETING = "meeting", _("议事会")
    RECEPTION = "reception", _("代表接待日")
    HOTLINE = "hotline", _("热线")
    DEPUTY = "deputy", _("代表建议")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待分派")
    DISPATCHED = "dispatched", _("待签收")
    BOUNCED = "bounced", _("已退回")
    HANDLING = "handling", _("办理中")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")


OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.DISPATCHED, Status.BOUNCED, Status.HANDLING})


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Suggestion(models.Model):
    # Where it sits (places.access.chain_of, scoped): its subdistrict, and its community and estate
    # when it concerns one. Owners see their own suggestions (selectors.access_own), not by ownership.
    access_path: ClassVar[PlacePath] = PlacePath(
        subdistrict="subdistrict", community="community", estate="estate", owners=False
    )

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="suggestions")
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.PROTECT, related_name="suggestions"
    )
    estate = models.ForeignKey(Estate, null=True, blank=True, on_delete=models.PROTECT, related_name="suggestions")
    category = models.ForeignKey(SuggestionCategory, on_delete=models.PROTECT, related_name="suggestions")
    title = models.CharField(_("标题"), max_length=100)
    text = models.TextField(_("内容"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.RESIDENT)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    submitter_name = models.CharField(_("反映人"), max_length=64, blank=True)  # personal data
    submitter_phone = models.CharField(_("联系电话"), max_length=32, blank=True)  # personal data
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="suggestions"
    )
    deputy = models.ForeignKey(Deputy, null=True, blank=True, on_delete=models.PROTECT, related_name="suggestions")
    origin = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="deputy_suggestions"
    )
    received_on = models.DateField(_("受理日期"))
    clock_from = models.DateField(_("计时起点"))  # received_on, or the day it was reopened
    due_on = models.DateField(_("办理期限"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    answer = models.TextField(_("答复内容"), blank=True)
    answered_late = models.BooleanField(_("超期答复"), default=False)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("社情民意")
        verbose_name_plural = _("社情民意")
        ordering: ClassVar[list[str]] = ["-received_on", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["subdistrict", "status", "due_on"]),
            models.Index(fields=["department", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class SuggestionPhoto(models.Model):
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="suggestions/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering: ClassVar[list[str]] = ["id"]

    def __str__(self) -> str:
        return f"{self.suggestion_id} {self.sha256[:8]}"


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交")
    RECORDED = "recorded", _("登记")
    DISPATCHED = "dispatched", _("分派")
    SIGNED = "signed", _("签收")
    BOUNCED = "bounced", _("退回")
    FORCED = "forced", _("强制指派")
    ANSWERED = "answered", _("答复")
    RATED = "rated", _("评价")
    REOPENED = "reopened", _("重新办理")
    CLOSED = "closed", _("办结")
    EXTENSION_REQUESTED = "ext_requested", _("申请延期")
    EXTENSION_APPROVED = "ext_approved", _("同意延期")
    EXTENSION_REFUSED = "ext_refused", _("不同意延期")
    ESCALATED = "escalated", _("转人大代表")
    ADOPTED = "adopted", _("转为代表建议")
    MERGED = "merged", _("合并")
    REMINDED = "reminded", _("到期提醒")


class SuggestionEvent(models.Model):
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering: ClassVar[list[str]] = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.suggestion_id} {self.kind}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("不同意")


class ExtensionRequest(models.Model):
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="extensions")
    working_days = models.PositiveSmallIntegerField(_("延期工作日"), validators=[MinValueValidator(1)])
    reason = models.TextField(_("理由"))
    status = models.CharField(max_length=8, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering: ClassVar[list[str]] = ["id"]

    def __str__(self) -> str:
        return f"{self.suggestion_id} +{self.working_days}"
