"""The four required courses (四门必修课), their sessions and completion rules; training
activities with attendance; graduation at the end of a cycle (issue 7, item 2)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.talent.models.people import Cadre, Cycle, TalentPool

REQUIRED_COURSES = 4


class CompletionRule(models.TextChoices):
    """How a course is completed: enough sessions attended, a passing assessment score, or marked
    complete by one of its instructors."""

    ATTENDANCE = "attendance", _("出勤达标")
    SCORE = "score", _("考核成绩")
    INSTRUCTOR = "instructor", _("教师认定")


class Course(models.Model):
    pool = models.ForeignKey(TalentPool, on_delete=models.CASCADE, related_name="courses")
    name = models.CharField(_("课程名称"), max_length=128)
    required = models.BooleanField(_("必修"), default=True)
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    rule = models.CharField(_("结业条件"), max_length=12, choices=CompletionRule.choices)
    # ATTENDANCE: at least this many of the cycle's sessions attended.
    min_sessions = models.PositiveSmallIntegerField(_("最少出勤次数"), null=True, blank=True)
    # SCORE: at least this assessment score (0–100).
    pass_score = models.DecimalField(_("及格分"), max_digits=5, decimal_places=2, null=True, blank=True)
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("授课教师"), blank=True, related_name="talent_courses"
    )

    class Meta:
        verbose_name = pgettext_lazy("talent plural", "课程")
        verbose_name_plural = _("课程")
        ordering: ClassVar[list[str]] = ["pool_id", "position", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["pool", "name"], name="talent_course_unique_name"),
            models.CheckConstraint(
                condition=~models.Q(rule="attendance") | models.Q(min_sessions__gte=1),
                name="talent_course_attendance_needs_min",
            ),
            models.CheckConstraint(
                condition=~models.Q(rule="score") | models.Q(pass_score__isnull=False),
                name="talent_course_score_needs_pass",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CourseSession(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="course_sessions")
    title = models.CharField(pgettext_lazy("talent course session", "课题"), max_length=255)
    held_on = models.DateField(_("日期"))
    location = models.CharField(_("地点"), max_length=128, blank=True)
    lecturer = models.CharField(_("主讲人"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("课程场次")
        verbose_name_plural = _("课程场次")
        ordering: ClassVar[list[str]] = ["course_id", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.course} {self.held_on}"


class Attendance(models.Model):
    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="attendance")
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("出勤"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["session", "cadre"], name="talent_one_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.cadre}"


class CourseResult(models.Model):
    """A cadre's assessment score and/or an instructor's completion mark for a course in a cycle."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="results")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="course_results")
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="course_results")
    score = models.DecimalField(
        _("考核成绩"), max_digits=5, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    marked_complete_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_complete_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("课程成绩")
        verbose_name_plural = _("课程成绩")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["course", "cycle", "cadre"], name="talent_one_course_result"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="talent_course_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.cadre}"


class GraduationOutcome(models.TextChoices):
    GRADUATED = "graduated", pgettext_lazy("talent outcome", "结业")
    NOT_GRADUATED = "not_graduated", _("未结业")


class Graduation(models.Model):
    """How a cycle closed a cadre's record. GRADUATED only when every required course is complete
    (the service refuses otherwise and names the missing courses)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="graduations")
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="graduations")
    outcome = models.CharField(pgettext_lazy("talent", "结论"), max_length=16, choices=GraduationOutcome.choices)
    decided_on = models.DateField(_("日期"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("结业记录")
        verbose_name_plural = _("结业记录")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["cycle", "cadre"], name="talent_one_graduation")
        ]

    def __str__(self) -> str:
        return f"{self.cycle} {self.cadre}"


class ActivityKind(models.TextChoices):
    STUDY = "study", _("专题学习")
    FIELD_VISIT = "field_visit", _("实地考察")
    PRACTICE = "practice", _("实践锻炼")
    TASK_FORCE = "task_force", _("专班攻坚")
    OTHER = "other", _("其他")


class Activity(models.Model):
    """A training activity of a cycle; participants are recorded, feedback is collected after it."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("类型"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("活动名称"), max_length=255)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    location = models.CharField(_("地点"), max_length=128, blank=True)
    description = models.TextField(pgettext_lazy("talent description", "说明"), blank=True)
    participants = models.ManyToManyField(Cadre, verbose_name=_("参加人员"), blank=True, related_name="activities")

    class Meta:
        verbose_name = _("培训活动")
        verbose_name_plural = _("培训活动")
        ordering: ClassVar[list[str]] = ["cycle_id", "-starts_on", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="talent_activity_dates_order"
            )
        ]

    def __str__(self) -> str:
        return self.title


class RespondentKind(models.TextChoices):
    PARTICIPANT = "participant", _("学员")
    ORGANISATION = "organisation", _("所在单位")


class Feedback(models.Model):
    """A rating (1–5) and comment after an activity, or on the whole cycle (activity empty). One
    per person per activity (and per cycle); an organisation answers through one of its members."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="feedback")
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    respondent = models.CharField(_("评价人"), max_length=12, choices=RespondentKind.choices)
    organisation = models.ForeignKey(
        "talent.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(pgettext_lazy("talent feedback", "评分"))
    comment = models.TextField(_("意见建议"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("培训反馈")
        verbose_name_plural = _("培训反馈")
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="talent_feedback_rating"),
            models.UniqueConstraint(
                fields=["activity", "author"],
                condition=models.Q(activity__isnull=False),
                name="talent_one_feedback_per_activity",
            ),
            models.UniqueConstraint(
                fields=["cycle", "author"],
                condition=models.Q(activity__isnull=True),
                name="talent_one_feedback_per_cycle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity or self.cycle} {self.rating}"
