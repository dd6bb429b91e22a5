"""The official calendar as editable data: public holidays and make-up working days per date."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.workdays import calendar as cal


class DayKind(models.TextChoices):
    HOLIDAY = cal.HOLIDAY, _("放假")
    WORKDAY = cal.WORKDAY, _("调休上班")


class CalendarDay(models.Model):
    """A day that differs from the week: a holiday on a weekday or a make-up working day on a weekend
    (or any day named in the year's arrangement)."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering: ClassVar[list[str]] = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose official arrangement has been entered (so its weekdays can be trusted)."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("依据"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("年度安排")
        verbose_name_plural = _("年度安排")
        ordering: ClassVar[list[str]] = ["year"]

    def __str__(self) -> str:
        return str(self.year)
