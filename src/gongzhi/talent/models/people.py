"""Pools, organisations, cadres and their dossiers (issue 7, items 1 and 3's memberships).

A pool (人才库) is capped ("at most 100 people", Shaoxing's "1455" system) and classified into
categories, each with an optional quota. A cadre (青年干部) has one dossier: this row plus the
records that hang from it (memberships with entry and exit, postings, honours, appraisals, skill
assessments, course records, activities attended, research, notes). Dossiers are personal data
(Personal Information Protection Law Art. 28 and 29: sensitive data on a need-to-know basis), so
who may read them is decided in talent/access.py and every reading is logged.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DEFAULT_CAP = 100


class Organisation(models.Model):
    """A cadre's employer (单位): a department, bureau or subdistrict. Its members (user accounts,
    e.g. its personnel officer) nominate candidates and see their own nominees."""

    name = models.CharField(_("单位名称"), max_length=128, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("单位联络人"), blank=True, related_name="talent_organisations"
    )

    class Meta:
        verbose_name = pgettext_lazy("talent", "单位")
        verbose_name_plural = pgettext_lazy("talent plural", "单位")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class TalentPool(models.Model):
    name = models.CharField(_("人才库名称"), max_length=128, unique=True)
    description = models.TextField(pgettext_lazy("talent description", "说明"), blank=True)
    cap = models.PositiveIntegerField(_("人数上限"), default=DEFAULT_CAP)
    # A re-rank drops everyone below this composite score ("worst out").
    exit_below = models.DecimalField(
        _("退出分数线"), max_digits=6, decimal_places=2, default=Decimal("60"), validators=[MinValueValidator(0)]
    )
    # Skill assessments use this scale (inclusive), e.g. 1–5 or 0–100.
    skill_scale_min = models.DecimalField(_("能力评分下限"), max_digits=6, decimal_places=2, default=Decimal("0"))
    skill_scale_max = models.DecimalField(_("能力评分上限"), max_digits=6, decimal_places=2, default=Decimal("100"))
    administrators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("管理员"), blank=True, related_name="talent_pools"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("人才库")
        verbose_name_plural = _("人才库")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(skill_scale_max__gt=models.F("skill_scale_min")), name="pool_skill_scale_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PoolCategory(models.Model):
    """A class of cadre in the pool (分类管理), e.g. 综合管理类, 行政执法类, 专业技术类. `quota`
    None means unlimited (the re-rank contract's "categories without a quota")."""

    pool = models.ForeignKey(TalentPool, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("类别"), max_length=64)
    quota = models.PositiveIntegerField(_("名额"), null=True, blank=True)

    class Meta:
        verbose_name = _("类别")
        verbose_name_plural = _("类别")
        ordering: ClassVar[list[str]] = ["pool_id", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["pool", "name"], name="talent_category_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CycleStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Cycle(models.Model):
    """A round of the programme (usually two years, 两年一届)."""

    pool = models.ForeignKey(TalentPool, on_delete=models.CASCADE, related_name="cycles")
    name = models.CharField(_("届次"), max_length=64)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=8, choices=CycleStatus.choices, default=CycleStatus.OPEN)

    class Meta:
        verbose_name = _("培养周期")
        verbose_name_plural = _("培养周期")
        ordering: ClassVar[list[str]] = ["pool_id", "-start"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["pool", "name"], name="talent_cycle_unique_name"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="talent_cycle_dates_order"),
        ]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class CadreStatus(models.TextChoices):
    CANDIDATE = "candidate", _("候选")
    MEMBER = "member", _("在库")
    EXITED = "exited", _("已退出")
    GRADUATED = "graduated", _("已结业")


class Cadre(models.Model):
    """One person's dossier (一人一档). `status` is kept by the services together with the
    memberships (entry and exit); `user` is the cadre's own login, if any."""

    pool = models.ForeignKey(TalentPool, on_delete=models.PROTECT, related_name="cadres")
    name = models.CharField(_("姓名"), max_length=64)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, blank=True)
    date_of_birth = models.DateField(_("出生日期"))
    organisation = models.ForeignKey(
        Organisation, verbose_name=pgettext_lazy("talent", "单位"), on_delete=models.PROTECT, related_name="cadres"
    )
    post = models.CharField(_("职务"), max_length=128, blank=True)
    category = models.ForeignKey(
        PoolCategory, verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="cadres"
    )
    education = models.CharField(_("学历"), max_length=64, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=32, blank=True)
    phone = models.CharField(_("手机"), max_length=32, blank=True)
    # A stable key for imports (工号 or the organisation's own number); unique within the pool when given.
    staff_number = models.CharField(pgettext_lazy("talent", "编号"), max_length=32, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=CadreStatus.choices, default=CadreStatus.CANDIDATE)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("本人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="talent_cadre",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("干部档案")
        verbose_name_plural = _("干部档案")
        ordering: ClassVar[list[str]] = ["pool_id", "name", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["pool", "staff_number"],
                condition=~models.Q(staff_number=""),
                name="talent_cadre_unique_staff_number",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A stay in the pool: entry date and reason, and (once left) exit date and reason. A cadre may
    leave and come back; at most one open stay at a time (database constraint)."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="memberships")
    entered_on = models.DateField(_("入库日期"))
    entry_reason = models.CharField(_("入库原因"), max_length=255)
    exited_on = models.DateField(_("出库日期"), null=True, blank=True)
    exit_reason = models.CharField(_("出库原因"), max_length=255, blank=True)
    review = models.ForeignKey(
        "talent.RerankReview", null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships_changed"
    )

    class Meta:
        verbose_name = _("入库记录")
        verbose_name_plural = _("入库记录")
        ordering: ClassVar[list[str]] = ["cadre_id", "entered_on", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["cadre"], condition=models.Q(exited_on__isnull=True), name="talent_one_open_membership"
            ),
            models.CheckConstraint(
                condition=models.Q(exited_on__isnull=True) | models.Q(exited_on__gte=models.F("entered_on")),
                name="talent_membership_dates_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.entered_on}"


class Posting(models.Model):
    """A practical posting (实践锻炼): where, as what, from when to when."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="postings")
    place = models.CharField(_("锻炼单位"), max_length=128)
    role = models.CharField(_("岗位"), max_length=128, blank=True)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("实践锻炼")
        verbose_name_plural = _("实践锻炼")
        ordering: ClassVar[list[str]] = ["cadre_id", "-start"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="talent_posting_dates_order",
            )
        ]

    def __str__(self) -> str:
        return self.place


class Honour(models.Model):
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="honours")
    title = models.CharField(_("荣誉名称"), max_length=255)
    awarded_on = models.DateField(_("获得日期"))
    awarded_by = models.CharField(_("授予单位"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("荣誉")
        verbose_name_plural = _("荣誉")
        ordering: ClassVar[list[str]] = ["cadre_id", "-awarded_on"]

    def __str__(self) -> str:
        return self.title


class AppraisalGrade(models.TextChoices):
    """年度考核等次 (公务员考核规定 Art. 7: 优秀、称职、基本称职、不称职)."""

    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("称职")
    BASICALLY_COMPETENT = "basically_competent", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")


class Appraisal(models.Model):
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="appraisals")
    year = models.PositiveSmallIntegerField(_("年度"))
    grade = models.CharField(_("考核等次"), max_length=24, choices=AppraisalGrade.choices)

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering: ClassVar[list[str]] = ["cadre_id", "-year"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["cadre", "year"], name="talent_one_appraisal_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.year}"


class Skill(models.TextChoices):
    """The five core skills (五项核心能力) of the "1455" system."""

    POLITICAL = "political", _("政治素养")
    RESEARCH = "research", _("调查研究")
    EMERGENCY = "emergency", _("应急处突")
    PUBLIC = "public", _("群众工作")
    DELIVERY = "delivery", _("抓落实")


class SkillAssessment(models.Model):
    """One assessment of one skill; all are kept (history), the latest per skill counts."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="skill_assessments")
    skill = models.CharField(_("能力"), max_length=16, choices=Skill.choices)
    score = models.DecimalField(_("评分"), max_digits=6, decimal_places=2)
    assessed_on = models.DateField(_("评估日期"))
    assessor = models.CharField(_("评估人"), max_length=64, blank=True)
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("能力评估")
        verbose_name_plural = _("能力评估")
        ordering: ClassVar[list[str]] = ["cadre_id", "skill", "-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.cadre} {self.skill} {self.assessed_on}"


class Note(models.Model):
    """An administrator's note on a dossier. Part of the whole dossier, so administrators and the
    cadre themselves see it (Personal Information Protection Law Art. 45: a person may read the
    information held on them); an organisation's view of its nominee never shows notes."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(pgettext_lazy("talent", "备注"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("talent", "备注")
        verbose_name_plural = pgettext_lazy("talent plural", "备注")
        ordering: ClassVar[list[str]] = ["cadre_id", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.cadre} #{self.pk}"
