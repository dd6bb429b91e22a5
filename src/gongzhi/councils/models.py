"""Deliberation councils (议事会, e.g. Anji Changshuo's regular "畅说昌硕事" sessions): a standing
council of a community, its members and their terms, topics residents propose, sessions (each a
deliberation meeting of gongzhi.meetings) and the report that closes a session with outcomes
followed until done.

Why topics are declined only with a reason and outcomes are followed to the end: the 2015 opinion
of the General Offices of the CPC Central Committee and the State Council on community
consultation (《关于加强城乡社区协商的意见》) asks that consultation outcomes be adopted, carried
out and reported back to residents; a resident whose topic is not taken up is owed the reason."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.places.models import Community


class Council(models.Model):
    community = models.ForeignKey(Community, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="councils")
    name = models.CharField(_("名称"), max_length=128)
    established_on = models.DateField(_("成立日期"))
    rules = models.TextField(_("议事规则"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("议事会")
        verbose_name_plural = _("议事会")
        ordering: ClassVar[list[str]] = ["community_id", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["community", "name"], name="council_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CouncilRole(models.TextChoices):
    CHAIR = "chair", _("主任")
    VICE_CHAIR = "vice_chair", _("副主任")
    MEMBER = "member", _("成员")
    SECRETARY = "secretary", _("秘书")


class Represents(models.TextChoices):
    RESIDENT = "resident", _("居民")
    OWNERS_COMMITTEE = "owners_committee", _("业委会")
    PROPERTY_MANAGER = "property_manager", _("物业服务企业")
    BUSINESS = "business", _("商户")
    DEPUTY = "deputy", _("人大代表")
    OTHER = "other", _("其他")


class CouncilMember(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(_("职务"), max_length=16, choices=CouncilRole.choices, default=CouncilRole.MEMBER)
    represents = models.CharField(_("代表"), max_length=24, choices=Represents.choices, default=Represents.RESIDENT)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("议事会成员")
        verbose_name_plural = _("议事会成员")
        ordering: ClassVar[list[str]] = ["council_id", "role", "term_start", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(term_end__isnull=True) | models.Q(term_end__gte=models.F("term_start")),
                name="council_member_term_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    DECLINED = "declined", _("不予受理")
    DISCUSSED = "discussed", _("已议")


class Session(models.Model):
    """One sitting of the council. Its date, place and agenda are those of its deliberation
    meeting (gongzhi.meetings), created through meetings.services when the session is scheduled."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="sessions")
    meeting = models.OneToOneField(
        "meetings.Meeting", verbose_name=_("议事会议"), on_delete=models.PROTECT, related_name="council_session"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("议事会会议")
        verbose_name_plural = _("议事会会议")
        ordering: ClassVar[list[str]] = ["-id"]

    def __str__(self) -> str:
        return f"{self.council} {self.meeting.starts_at:%Y-%m-%d}"


class Topic(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="topics")
    proposer_name = models.CharField(_("提议人"), max_length=64)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("议题"), max_length=128)
    text = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=16, choices=TopicStatus.choices, default=TopicStatus.PROPOSED)
    reason = models.TextField(_("不予受理理由"), blank=True)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="topics", verbose_name=_("会议")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(reason=""), name="topic_declined_has_reason"
            )
        ]

    def __str__(self) -> str:
        return self.title


class SessionReport(models.Model):
    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="report")
    summary = models.TextField(_("会议纪要"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会议报告")
        verbose_name_plural = _("会议报告")

    def __str__(self) -> str:
        return str(self.session)


class OutcomeKind(models.TextChoices):
    SUGGESTION = "suggestion", _("建议")
    MOTION = "motion", _("表决")
    OTHER = "other", _("其他")


class OutcomeStatus(models.TextChoices):
    OPEN = "open", _("跟进中")
    DONE = "done", _("已办结")


class Outcome(models.Model):
    """What a session decided to do, followed until done: a residents' suggestion it raised (linked,
    so its handling shows here), an owners' motion, or anything else."""

    report = models.ForeignKey(SessionReport, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("类型"), max_length=16, choices=OutcomeKind.choices, default=OutcomeKind.OTHER)
    reference = models.CharField(_("事项"), max_length=255)
    motion = models.ForeignKey(
        "motions.Motion", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("表决")
    )
    suggestion = models.ForeignKey(
        "suggestions.Suggestion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="council_outcomes",
        verbose_name=_("建议"),
    )
    status = models.CharField(_("状态"), max_length=8, choices=OutcomeStatus.choices, default=OutcomeStatus.OPEN)
    note = models.TextField(_("备注"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("会议成果")
        verbose_name_plural = _("会议成果")
        ordering: ClassVar[list[str]] = ["report_id", "position"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["report", "position"], name="outcome_unique_position")
        ]

    def __str__(self) -> str:
        return self.reference
