"""Deliberation meetings (议事会 / 众议事): agenda, invited participants and their sign-in,
vendors' pitches, questions from the room and the livestream, and the published minutes.

Why a meeting is on the record at all: Civil Code Art. 278 leaves the decision to the owners'
vote, but owners decide better after hearing the options argued in public. Zhejiang's 2024
renewal programme asks communities to "consult the owners fully" before the vote; the Liangzhu
众议事 (resident representatives, the owners' committee, invited supervisors, six vendors and
community staff, livestreamed) is the model. The minutes are a public notice (公示): aggregate
attendance by role, the pitches, the questions and answers and the conclusions; never a phone
number (Personal Information Protection Law Art. 6: no more personal information than needed)
and never the livestream address (it is for those in the meeting's scope).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.elevators.models import Campaign
from gongzhi.places.access import PlacePath
from gongzhi.places.models import Entrance, Estate
from gongzhi.renewals.models import Offer, Vendor

QUESTION_MAX_LENGTH = 500


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    IN_PROGRESS = "in_progress", _("进行中")
    ENDED = "ended", _("已结束")
    PUBLISHED = "published", _("纪要已公示")


class Meeting(models.Model):
    """One deliberation session about one estate (optionally some of its entrances)."""

    # Where its rows sit in the place tree (places.access.scoped, chain_of).
    access_path: ClassVar[PlacePath] = PlacePath.via_estate("estate")

    estate = models.ForeignKey(Estate, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="meetings")
    entrances = models.ManyToManyField(Entrance, verbose_name=_("涉及单元"), blank=True, related_name="meetings")
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("更新行动"), null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    topic = models.CharField(_("议题"), max_length=128)
    description = models.TextField(_("说明"), blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    duration_minutes = models.PositiveSmallIntegerField(_("时长(分钟)"), default=120, validators=[MinValueValidator(1)])
    venue = models.CharField(_("地点"), max_length=255)
    livestream_url = models.URLField(_("直播地址"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    conclusions = models.TextField(_("会议结论"), blank=True)
    motions = models.ManyToManyField("motions.Motion", verbose_name=_("相关表决"), blank=True, related_name="meetings")
    published_at = models.DateTimeField(_("纪要公示时间"), null=True, blank=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("议事会")
        verbose_name_plural = _("议事会")
        ordering: ClassVar[list[str]] = ["-starts_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(duration_minutes__gt=0), name="meeting_duration_positive"),
            models.CheckConstraint(
                condition=models.Q(status="published", published_at__isnull=False)
                | (~models.Q(status="published") & models.Q(published_at__isnull=True)),
                name="meeting_published_at_iff_published",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["estate", "starts_at"])]

    def __str__(self) -> str:
        return self.topic

    @property
    def access_anchor(self) -> Estate:
        return self.estate


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("议程"), max_length=128)
    duration_minutes = models.PositiveSmallIntegerField(_("时长(分钟)"), validators=[MinValueValidator(1)])
    presenter = models.CharField(_("主讲"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("议程")
        verbose_name_plural = _("议程")
        ordering: ClassVar[list[str]] = ["meeting_id", "position"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_unique_position"),
            models.CheckConstraint(condition=models.Q(duration_minutes__gt=0), name="agenda_duration_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class ParticipantRole(models.TextChoices):
    RESIDENT_REPRESENTATIVE = "resident_representative", _("居民代表")
    OWNERS_COMMITTEE = "owners_committee", _("业委会")
    SUPERVISOR = "supervisor", _("特约监察员")
    VENDOR = "vendor", _("品牌方")
    STAFF = "staff", _("工作人员")
    PROPERTY_MANAGER = "property_manager", _("物业服务企业")


class SignInMethod(models.TextChoices):
    ACCOUNT = "account", _("扫码签到（账号）")
    NAME_PHONE = "name_phone", _("扫码签到（姓名和手机后四位）")
    STAFF = "staff", _("工作人员登记")


class Participant(models.Model):
    """An invitation (by role) and, once they arrive, the attendance. A resident without an account
    is invited by name and phone; at the door they sign in with the name and the phone's last four
    digits. The phone is kept for that check only and is never shown on the minutes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(_("身份"), max_length=32, choices=ParticipantRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=64)
    phone = models.CharField(_("手机"), max_length=32, blank=True)
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("品牌方"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attended_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    sign_in_method = models.CharField(_("签到方式"), max_length=16, choices=SignInMethod.choices, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("参会人")
        verbose_name_plural = _("参会人")
        ordering: ClassVar[list[str]] = ["meeting_id", "role", "name", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=models.Q(user__isnull=False), name="participant_unique_user"
            ),
            models.CheckConstraint(
                condition=models.Q(role="vendor", vendor__isnull=False) | (~models.Q(role="vendor")),
                name="participant_vendor_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class Pitch(models.Model):
    """A vendor's presentation (路演) in its time slot, with its slides or video and the offer it presents."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="pitches")
    vendor = models.ForeignKey(Vendor, verbose_name=_("品牌方"), on_delete=models.PROTECT, related_name="pitches")
    order = models.PositiveSmallIntegerField(_("顺序"), validators=[MinValueValidator(1)])
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    link = models.URLField(_("演示文稿或视频链接"), max_length=500, blank=True)
    offer = models.ForeignKey(
        Offer, verbose_name=_("报价"), null=True, blank=True, on_delete=models.PROTECT, related_name="pitches"
    )

    class Meta:
        verbose_name = _("路演")
        verbose_name_plural = _("路演")
        ordering: ClassVar[list[str]] = ["meeting_id", "order"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["meeting", "order"], name="pitch_unique_order"),
            models.UniqueConstraint(fields=["meeting", "vendor"], name="pitch_unique_vendor"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="pitch_ends_after"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.vendor}"


class QuestionStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    # A question's moderation, not a vote's outcome: a context of its own in translations.
    APPROVED = "approved", pgettext_lazy("question moderation", "已通过")
    REJECTED = "rejected", pgettext_lazy("question moderation", "未通过")


class Question(models.Model):
    """A question or opinion from a viewer, moderated by staff, answered by the vendor it names."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("问题或意见"), validators=[MaxLengthValidator(QUESTION_MAX_LENGTH)])
    addressed_to = models.ForeignKey(
        Vendor, verbose_name=_("提问对象"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("审核"), max_length=16, choices=QuestionStatus.choices, default=QuestionStatus.PENDING)
    pinned = models.BooleanField(_("置顶"), default=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("回答"), blank=True, validators=[MaxLengthValidator(2000)])
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("提问")
        verbose_name_plural = _("提问")
        ordering: ClassVar[list[str]] = ["-pinned", "created_at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(pinned=False) | models.Q(status="approved"), name="question_pinned_is_approved"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["meeting", "status"]),
            models.Index(fields=["author", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.text[:40]
