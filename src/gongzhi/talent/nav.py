"""The tabs of a pool's pages (pool, courses, activities and feedback, reviews, awards,
research, Excel), each shown to those who may follow it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.talent.access import administers
from gongzhi.talent.models import Pool


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url: str


# (key, url name, label, administrators only)
_TABS = (
    ("pool", "talent_pool", _("人才库"), False),
    ("courses", "talent_courses", _("必修课程"), True),
    ("activities", "talent_activities", _("培训活动"), False),
    ("reviews", "talent_reviews", _("动态调整"), False),
    ("awards", "talent_awards", _("年度评选"), False),
    ("research", "talent_research", _("课题研究"), False),
    ("excel", "talent_excel", _("导入导出"), True),
)


def pool_tabs(user: Any, pool: Pool) -> list[Tab]:
    admin = administers(user, pool)
    tabs = []
    for key, name, label, admin_only in _TABS:
        if admin_only and not admin:
            continue
        try:
            url = reverse(name, args=[pool.pk])
        except NoReverseMatch:  # the area's pages are not installed
            continue
        tabs.append(Tab(key, str(label), url))
    return tabs
