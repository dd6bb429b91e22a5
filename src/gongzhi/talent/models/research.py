"""Group research projects (课题研究) with milestones, a report, a score, and the round's
summary meeting where the groups report (issue 7, item 5).

The summary meeting is the talent pool's own record (agenda = one report per group), not a
gongzhi.meetings Meeting: those belong to an estate and are open to its residents, while a
cadres' report meeting belongs to no estate and its audience is the pool."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.talent.models.people import Cadre, Cycle


class ProjectStatus(models.TextChoices):
    ONGOING = "ongoing", _("进行中")
    REPORTED = "reported", _("已提交报告")
    SCORED = "scored", _("已评分")


class ResearchProject(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="research_projects")
    title = models.CharField(_("课题名称"), max_length=255)
    topic = models.TextField(_("研究内容"), blank=True)
    mentor = models.CharField(_("导师"), max_length=64, blank=True)
    mentor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导师账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="talent_mentored",
    )
    status = models.CharField(_("状态"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.ONGOING)
    report = models.FileField(_("研究报告"), upload_to="talent/reports/%Y/", blank=True)
    report_content_type = models.CharField(max_length=32, blank=True)
    report_sha256 = models.CharField(max_length=64, blank=True)
    report_uploaded_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(
        _("评分"), max_digits=5, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    score_note = models.TextField(_("评语"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("研究课题")
        verbose_name_plural = _("研究课题")
        ordering: ClassVar[list[str]] = ["cycle_id", "title"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="talent_research_score_range",
            ),
            models.UniqueConstraint(fields=["cycle", "title"], name="talent_research_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


class ResearchRole(models.TextChoices):
    LEADER = "leader", _("组长")
    MEMBER = "member", _("组员")


class ResearchMember(models.Model):
    project = models.ForeignKey(ResearchProject, on_delete=models.CASCADE, related_name="members")
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="research_memberships")
    role = models.CharField(_("分工"), max_length=8, choices=ResearchRole.choices, default=ResearchRole.MEMBER)

    class Meta:
        verbose_name = _("课题组成员")
        verbose_name_plural = _("课题组成员")
        ordering: ClassVar[list[str]] = ["project_id", "role", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["project", "cadre"], name="talent_one_research_member"),
            models.UniqueConstraint(
                fields=["project"], condition=models.Q(role="leader"), name="talent_one_research_leader"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.cadre}"


class Milestone(models.Model):
    project = models.ForeignKey(ResearchProject, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=128)
    due_on = models.DateField(_("计划完成"))
    done_on = models.DateField(_("实际完成"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("课题节点")
        verbose_name_plural = _("课题节点")
        ordering: ClassVar[list[str]] = ["project_id", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class SummaryMeeting(models.Model):
    """The round's summary meeting (成果汇报会): groups report in agenda order."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="summary_meetings")
    title = models.CharField(_("会议名称"), max_length=128)
    starts_at = models.DateTimeField(_("开始时间"))
    venue = models.CharField(_("地点"), max_length=128)
    minutes = models.TextField(_("会议纪要"), blank=True)
    held = models.BooleanField(_("已召开"), default=False)

    class Meta:
        verbose_name = _("成果汇报会")
        verbose_name_plural = _("成果汇报会")
        ordering: ClassVar[list[str]] = ["cycle_id", "-starts_at"]

    def __str__(self) -> str:
        return self.title


class SummaryItem(models.Model):
    meeting = models.ForeignKey(SummaryMeeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("序号"))
    project = models.ForeignKey(ResearchProject, on_delete=models.CASCADE, related_name="summary_items")
    presenter = models.CharField(_("汇报人"), max_length=64, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("时长(分钟)"), default=10, validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("汇报议程")
        verbose_name_plural = _("汇报议程")
        ordering: ClassVar[list[str]] = ["meeting_id", "position"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["meeting", "position"], name="talent_summary_item_position"),
            models.UniqueConstraint(fields=["meeting", "project"], name="talent_summary_item_project"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} {self.position}"
