"""The tabs of a pool's pages (pool, courses, activities and feedback, organisation nominations, reviews,
awards, research, Excel), each shown to those who may follow it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.actors import Actor
from gongzhi.talent.access import administers, organisation_ids
from gongzhi.talent.models import TalentPool


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url: str


# (key, url name, label, who sees it: "all" with access to the pool, "admin", "organisation" = administrators
# and organisation members, "teach" = administrators and the pool's course instructors)
_TABS = (
    ("pool", "talent_pool", _("人才库"), "all"),
    ("courses", "talent_courses", _("必修课程"), "teach"),
    ("activities", "talent_activities", _("培训活动"), "all"),
    ("nominations", "talent_nominations", _("单位推荐"), "organisation"),
    ("reviews", "talent_reviews", _("动态调整"), "all"),
    ("awards", "talent_awards", _("年度评选"), "all"),
    ("research", "talent_research", _("课题研究"), "all"),
    ("excel", "talent_excel", _("导入导出"), "admin"),
)


def pool_tabs(user: Actor, pool: TalentPool) -> list[Tab]:
    """The tabs the user may follow (at most two queries, cached per request with the user)."""
    from gongzhi.talent.courses.services import instructed_course_ids

    admin = administers(user, pool)
    tabs = []
    for key, name, label, who in _TABS:
        if who == "admin" and not admin:
            continue
        if who == "organisation" and not (admin or organisation_ids(user)):
            continue
        if who == "teach" and not (admin or instructed_course_ids(user, pool)):
            continue
        tabs.append(Tab(key, str(label), reverse(name, args=[pool.pk])))
    return tabs
