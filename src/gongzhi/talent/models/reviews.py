"""Re-ranking at a review (动态调整, 优进劣出), organisation nominations of candidates, and the yearly
awards (issue 7, items 3 and 4). The rule itself lives in talent/ranking.py (pure); the composite
score in talent/scoring.py (pure)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.talent.models.people import Cadre, Cycle, Organisation, TalentPool


class NominationStatus(models.TextChoices):
    PENDING = "pending", _("待评审")
    ADMITTED = "admitted", _("已入库")
    NOT_ADMITTED = "not_admitted", _("未入库")
    WITHDRAWN = "withdrawn", _("已撤回")


class Nomination(models.Model):
    """An organisation puts forward one of its people as a candidate (单位推荐). The candidate's dossier is
    the Cadre row (status CANDIDATE until admitted)."""

    pool = models.ForeignKey(TalentPool, on_delete=models.CASCADE, related_name="nominations")
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="nominations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="nominations")
    reason = models.TextField(_("推荐理由"))
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=14, choices=NominationStatus.choices, default=NominationStatus.PENDING
    )
    review = models.ForeignKey(
        "talent.RerankReview", null=True, blank=True, on_delete=models.SET_NULL, related_name="nominations"
    )

    class Meta:
        verbose_name = _("单位推荐")
        verbose_name_plural = _("单位推荐")
        ordering: ClassVar[list[str]] = ["-nominated_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["pool", "cadre"],
                condition=models.Q(status="pending"),
                name="talent_one_pending_nomination",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.cadre}"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PROPOSED = "proposed", _("已生成方案")
    CONFIRMED = "confirmed", _("已确认")
    CANCELLED = "cancelled", _("已取消")


def _weight(label: Any, default: str) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        label, max_digits=5, decimal_places=2, default=Decimal(default), validators=[MinValueValidator(0)]
    )


class RerankReview(models.Model):
    """A review (定期考评): the weights of the composite score, the snapshot of cap and threshold,
    the proposed pool (ReviewLine) and the administrator's confirmation with reasons."""

    pool = models.ForeignKey(TalentPool, on_delete=models.CASCADE, related_name="reviews")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="reviews")
    title = models.CharField(_("名称"), max_length=128)
    held_on = models.DateField(_("考评日期"))
    weight_skills = _weight(_("能力权重"), "40")
    weight_courses = _weight(_("课程权重"), "20")
    weight_appraisal = _weight(_("考核权重"), "25")
    weight_research = _weight(_("课题权重"), "15")
    cap = models.PositiveIntegerField(_("人数上限"))
    exit_below = models.DecimalField(_("退出分数线"), max_digits=6, decimal_places=2)
    status = models.CharField(_("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    proposed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("确认理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("talent review", "动态调整")
        verbose_name_plural = pgettext_lazy("talent plural", "动态调整")
        ordering: ClassVar[list[str]] = ["pool_id", "-held_on", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(weight_skills__gt=0)
                | models.Q(weight_courses__gt=0)
                | models.Q(weight_appraisal__gt=0)
                | models.Q(weight_research__gt=0),
                name="talent_review_some_weight",
            )
        ]

    def __str__(self) -> str:
        return self.title


class LineOutcome(models.TextChoices):
    STAY = "stay", _("保留")
    REMOVE = "remove", _("调出")
    ADMIT = "admit", _("调入")
    NOT_ADMITTED = "not_admitted", _("未调入")


class ReviewLine(models.Model):
    """One person's score, its explanation (components) and the proposed outcome with the reason
    in words — what the person sees."""

    review = models.ForeignKey(RerankReview, on_delete=models.CASCADE, related_name="lines")
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="review_lines")
    member = models.BooleanField(_("原在库"))
    category = models.CharField(_("类别"), max_length=64, blank=True)
    score = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2)
    components = models.JSONField(_("得分构成"), default=dict)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=14, choices=LineOutcome.choices)
    reason = models.CharField(_("原因"), max_length=255)

    class Meta:
        verbose_name = _("考评结果")
        verbose_name_plural = _("考评结果")
        ordering: ClassVar[list[str]] = ["review_id", "rank", "-score", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["review", "cadre"], name="talent_one_line_per_review")
        ]

    def __str__(self) -> str:
        return f"{self.review} {self.cadre}"


class AwardKind(models.TextChoices):
    """Selected each year (每年评选): 优秀讲师, 优秀笔杆子, 优秀学员."""

    LECTURER = "lecturer", _("优秀讲师")
    WRITER = "writer", _("优秀笔杆子")
    TRAINEE = "trainee", _("优秀学员")


class AwardDecision(models.Model):
    """The decision record for one award in one year: when, by whom, on what basis."""

    pool = models.ForeignKey(TalentPool, on_delete=models.CASCADE, related_name="award_decisions")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("奖项"), max_length=10, choices=AwardKind.choices)
    decided_on = models.DateField(_("决定日期"))
    basis = models.TextField(_("决定依据"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("评选决定")
        verbose_name_plural = _("评选决定")
        ordering: ClassVar[list[str]] = ["pool_id", "-year", "kind"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["pool", "year", "kind"], name="talent_one_award_decision")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.kind}"


class AwardNominationStatus(models.TextChoices):
    PENDING = "pending", _("待评选")
    AWARDED = "awarded", _("当选")
    NOT_AWARDED = "not_awarded", _("未当选")


class AwardNomination(models.Model):
    pool = models.ForeignKey(TalentPool, on_delete=models.CASCADE, related_name="award_nominations")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("奖项"), max_length=10, choices=AwardKind.choices)
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="award_nominations")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="award_nominations"
    )
    reason = models.TextField(_("推荐理由"))
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=AwardNominationStatus.choices, default=AwardNominationStatus.PENDING
    )
    decision = models.ForeignKey(
        AwardDecision, null=True, blank=True, on_delete=models.PROTECT, related_name="nominations"
    )

    class Meta:
        verbose_name = _("评选推荐")
        verbose_name_plural = _("评选推荐")
        ordering: ClassVar[list[str]] = ["pool_id", "-year", "kind", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["pool", "year", "kind", "cadre"], name="talent_one_award_nomination")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.kind} {self.cadre}"
