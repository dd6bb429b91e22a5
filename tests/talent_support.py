"""A small talent-pool world for the talent tests: one pool with two categories (one with a quota),
an open two-year cycle, the four required courses, two organisations, and one user per kind of access.

    tw = talent_world  (fixture)
    tw.users: admin, other_admin (of another pool), cadre (owns tw.cadres["self"]), organisation_a (member
              of organisation A, which nominated tw.cadres["nominee"]), organisation_b (member of organisation B),
              instructor (of course 1), outsider (a login with nothing here), superuser
    tw.cadres: self (member, organisation A, category 综合管理类), nominee (candidate from organisation A, pending
               nomination by organisation A), other (member, organisation B, category 行政执法类),
               foreign (member of the other pool)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from gongzhi.talent.models import (
    Cadre,
    CadreStatus,
    CompletionRule,
    Course,
    Cycle,
    Membership,
    Nomination,
    Organisation,
    PoolCategory,
    TalentPool,
)
from tests import factories as f

COURSES = (
    ("理论武装", CompletionRule.ATTENDANCE, {"min_sessions": 2}),
    ("政策法规", CompletionRule.SCORE, {"pass_score": Decimal("60")}),
    ("公文写作", CompletionRule.SCORE, {"pass_score": Decimal("60")}),
    ("群众工作方法", CompletionRule.INSTRUCTOR, {}),
)


@dataclass
class TalentWorld:
    pool: TalentPool
    other_pool: TalentPool
    cycle: Cycle
    categories: dict[str, PoolCategory] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    cadres: dict[str, Cadre] = field(default_factory=dict)
    courses: list[Course] = field(default_factory=list)


def make_cadre(
    pool: TalentPool,
    organisation: Organisation,
    name: str,
    *,
    member: bool,
    category: PoolCategory | None = None,
    **kw: Any,
) -> Cadre:
    cadre = Cadre.objects.create(
        pool=pool,
        name=name,
        date_of_birth=kw.pop("date_of_birth", dt.date(1995, 3, 1)),
        organisation=organisation,
        category=category,
        status=CadreStatus.MEMBER if member else CadreStatus.CANDIDATE,
        **kw,
    )
    if member:
        Membership.objects.create(cadre=cadre, entered_on=dt.date(2025, 1, 6), entry_reason="首批入库")
    return cadre


@pytest.fixture
def talent_world(db: None) -> TalentWorld:
    return build_talent_world()


def build_talent_world() -> TalentWorld:
    """The talent tests' world (also built once per module by tests that only read it)."""
    pool = TalentPool.objects.create(name="市直机关青年干部人才库", cap=100, exit_below=Decimal("60"))
    other_pool = TalentPool.objects.create(name="另一个人才库")
    cycle = Cycle.objects.create(pool=pool, name="2025—2026 届", start=dt.date(2025, 1, 1), end=dt.date(2026, 12, 31))
    tw = TalentWorld(pool=pool, other_pool=other_pool, cycle=cycle)
    tw.categories["general"] = PoolCategory.objects.create(pool=pool, name="综合管理类")
    tw.categories["enforcement"] = PoolCategory.objects.create(pool=pool, name="行政执法类", quota=2)
    tw.organisations["a"] = Organisation.objects.create(name="市发改委")
    tw.organisations["b"] = Organisation.objects.create(name="市住建局")
    for name in ("admin", "other_admin", "cadre", "organisation_a", "organisation_b", "instructor", "outsider"):
        tw.users[name] = f.UserFactory(username=f"talent-{name}")
    tw.users["superuser"] = f.UserFactory(username="talent-superuser", is_superuser=True, is_staff=True)
    pool.administrators.add(tw.users["admin"])
    other_pool.administrators.add(tw.users["other_admin"])
    tw.organisations["a"].members.add(tw.users["organisation_a"])
    tw.organisations["b"].members.add(tw.users["organisation_b"])
    tw.cadres["self"] = make_cadre(
        pool, tw.organisations["a"], "张晓明", member=True, category=tw.categories["general"], user=tw.users["cadre"]
    )
    tw.cadres["nominee"] = make_cadre(
        pool, tw.organisations["a"], "李思远", member=False, category=tw.categories["general"]
    )
    Nomination.objects.create(
        pool=pool,
        cadre=tw.cadres["nominee"],
        organisation=tw.organisations["a"],
        reason="业务骨干",
        nominated_by=tw.users["organisation_a"],
    )
    tw.cadres["other"] = make_cadre(
        pool, tw.organisations["b"], "王可", member=True, category=tw.categories["enforcement"]
    )
    other_organisation = Organisation.objects.create(name="外市某局")
    tw.cadres["foreign"] = make_cadre(other_pool, other_organisation, "赵一", member=True)
    for i, (name, rule, extra) in enumerate(COURSES, start=1):
        tw.courses.append(Course.objects.create(pool=pool, name=name, required=True, position=i, rule=rule, **extra))
    tw.courses[3].instructors.add(tw.users["instructor"])
    return tw
