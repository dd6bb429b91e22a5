"""Reads of the talent pool's people and dossiers: the home page's pools, the pool page's lists and
counts, and the dossier's sections. Everything a view shows goes through talent.access first;
these functions take an already-visible pool or cadre and decide what part of it to show.

Query counts do not grow with the rows (each section is one query, select_related where a row
points elsewhere), so a pool of 100 and a dossier with years of history stay fast."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from gongzhi.core.actors import Actor
from gongzhi.core.models import AuditEntry
from gongzhi.core.params import parse_id
from gongzhi.talent.access import (
    DossierAccess,
    access_cadres,
    access_pools,
    administered_pool_ids,
    organisation_ids,
    signed_in,
)
from gongzhi.talent.completion import completed_courses
from gongzhi.talent.models import (
    Activity,
    Appraisal,
    Attendance,
    AwardNomination,
    Cadre,
    CadreStatus,
    Course,
    CourseResult,
    Cycle,
    Honour,
    Membership,
    Nomination,
    NominationStatus,
    Note,
    PoolCategory,
    Posting,
    ResearchMember,
    ReviewLine,
    ReviewStatus,
    Skill,
    SkillAssessment,
    TalentPool,
)

PAGE_SIZE = 50
VIEWERS_SHOWN = 20

# --- home ---------------------------------------------------------------------------------------------


@dataclass
class HomePool:
    pool: TalentPool
    admin: bool
    members: int = 0
    nominees: list[Nomination] = field(default_factory=list)


def home_pools(user: Actor) -> list[HomePool]:
    """The user's pools with what they do there (three queries whatever the number of pools)."""
    admin_ids = administered_pool_ids(user)
    superuser = bool(getattr(user, "is_superuser", False))
    pools = list(
        access_pools(user).annotate(
            n_members=Count("cadres__memberships", filter=Q(cadres__memberships__exited_on=None))
        )
    )
    out = {p.pk: HomePool(p, superuser or p.pk in admin_ids, p.n_members) for p in pools}
    organisations = organisation_ids(user)
    if organisations:
        for n in (
            Nomination.objects.filter(organisation_id__in=organisations, pool_id__in=list(out))
            .select_related("cadre", "organisation")
            .order_by("-nominated_at", "-id")
        ):
            out[n.pool_id].nominees.append(n)
    return list(out.values())


def own_cadre(user: Actor) -> Cadre | None:
    person = signed_in(user)
    if person is None:
        return None
    return Cadre.objects.filter(user_id=person.pk).select_related("pool").first()


# --- pool page ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryUse:
    category: PoolCategory
    members: int

    @property
    def over(self) -> bool:
        return self.category.quota is not None and self.members > self.category.quota

    @property
    def full(self) -> bool:
        return self.category.quota is not None and self.members >= self.category.quota


@dataclass
class PoolSummary:
    members: int
    cap: int
    categories: list[CategoryUse]
    uncategorised: int
    exited: int
    graduated: int
    candidates: int


def pool_summary(pool: TalentPool) -> PoolSummary:
    """Counts of the pool page: members (open stays) per category against its quota, the cap use,
    and how many exited or graduated. Two queries."""
    per_category: dict[int | None, int] = defaultdict(int)
    status_counts: dict[str, int] = defaultdict(int)
    for row in (
        Cadre.objects.filter(pool=pool)
        .values("category_id", "status")
        .annotate(open=Count("memberships", filter=Q(memberships__exited_on=None)))
    ):
        per_category[row["category_id"]] += row["open"]
        status_counts[row["status"]] += 1
    categories = [CategoryUse(c, per_category.get(c.pk, 0)) for c in PoolCategory.objects.filter(pool=pool)]
    return PoolSummary(
        members=sum(per_category.values()),
        cap=pool.cap,
        categories=categories,
        uncategorised=per_category.get(None, 0),
        exited=status_counts[CadreStatus.EXITED],
        graduated=status_counts[CadreStatus.GRADUATED],
        candidates=status_counts[CadreStatus.CANDIDATE],
    )


def pool_cadres(
    pool: TalentPool, *, category: str = "", organisation: str = "", status: str = "", q: str = ""
) -> QuerySet[Cadre]:
    """The administrators' list: cadres of the pool, filtered, grouped by category (ordered so)."""
    qs = Cadre.objects.filter(pool=pool).select_related("organisation", "category")
    if category == "none":
        qs = qs.filter(category__isnull=True)
    elif (category_id := parse_id(category)) is not None:  # else ignored, as an unknown status is
        qs = qs.filter(category_id=category_id)
    if (organisation_id := parse_id(organisation)) is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if status in CadreStatus.values:
        qs = qs.filter(status=status)
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(staff_number__icontains=q.strip()))
    return qs.order_by("category__name", "name", "id")


def pending_nominations(pool: TalentPool) -> QuerySet[Nomination]:
    return (
        Nomination.objects.filter(pool=pool, status=NominationStatus.PENDING)
        .select_related("cadre", "organisation")
        .order_by("nominated_at", "id")
    )


def visible_in_pool(user: Actor, pool: TalentPool) -> list[Cadre]:
    """For those who do not administer the pool: the dossiers of it they may open (their own and
    their organisation's nominees) — never the member list."""
    return list(access_cadres(user).filter(pool=pool).select_related("organisation").order_by("name", "id"))


# --- dossier ------------------------------------------------------------------------------------------


@dataclass
class CourseLine:
    course: Course
    attended: int
    score: Decimal | None
    marked: bool
    complete: bool


@dataclass
class CycleCourses:
    cycle: Cycle
    lines: list[CourseLine]

    @property
    def done(self) -> int:
        return sum(1 for line in self.lines if line.complete)


@dataclass
class Dossier:
    cadre: Cadre
    access: DossierAccess
    memberships: list[Membership]
    courses: list[CycleCourses]
    latest_skills: list[tuple[str, SkillAssessment | None]]
    skills: list[SkillAssessment]
    appraisals: list[Appraisal]
    activities: list[Activity]
    postings: list[Posting]
    honours: list[Honour]
    research: list[ResearchMember]
    review_lines: list[ReviewLine]
    award_nominations: list[AwardNomination]
    nominations: list[Nomination]
    notes: list[Note] | None  # None: not shown at this access level
    viewers: list[AuditEntry] | None  # administrators only


def _courses(cadre: Cadre) -> list[CycleCourses]:
    """Per cycle of the pool (newest first): each course's attendance, score, mark and whether it
    is complete (talent.completion decides, read only)."""
    cycles = list(Cycle.objects.filter(pool_id=cadre.pool_id).order_by("-start"))
    courses = list(Course.objects.filter(pool_id=cadre.pool_id).order_by("position", "id"))
    if not cycles or not courses:
        return []
    attended: dict[tuple[int, int], int] = defaultdict(int)
    for row in (
        Attendance.objects.filter(cadre=cadre, present=True)
        .values("session__cycle_id", "session__course_id")
        .annotate(n=Count("id"))
    ):
        attended[(row["session__cycle_id"], row["session__course_id"])] = row["n"]
    results = {(r.cycle_id, r.course_id): r for r in CourseResult.objects.filter(cadre=cadre)}
    out = []
    for cycle in cycles:
        done = completed_courses(cycle, [cadre.pk])[cadre.pk]
        lines = []
        for course in courses:
            result = results.get((cycle.pk, course.pk))
            lines.append(
                CourseLine(
                    course=course,
                    attended=attended[(cycle.pk, course.pk)],
                    score=result.score if result else None,
                    marked=bool(result and result.marked_complete_at),
                    complete=course.pk in done,
                )
            )
        out.append(CycleCourses(cycle, lines))
    return out


def dossier_viewers(cadre: Cadre) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(action="dossier_viewed", object_type="talent.cadre", object_id=str(cadre.pk))
        .select_related("actor")
        .order_by("-seq")[:VIEWERS_SHOWN]
    )


def dossier(cadre: Cadre, access: DossierAccess, *, admin: bool) -> Dossier:
    """The sections of a dossier as `access` allows: notes only with WHOLE access (administrators
    and the cadre), never in an organisation's NOMINEE view; the viewer log for administrators only; review
    results of confirmed reviews only, unless the viewer administers the pool (a draft re-rank is
    not yet a decision about anyone)."""
    if access == DossierAccess.NONE:
        raise ValueError("dossier() needs some access")
    skills = list(SkillAssessment.objects.filter(cadre=cadre).order_by("skill", "-assessed_on", "-id"))
    latest: dict[str, SkillAssessment] = {}
    for s in skills:
        latest.setdefault(s.skill, s)
    lines = ReviewLine.objects.filter(cadre=cadre).select_related("review").order_by("-review__held_on", "-id")
    if not admin:
        lines = lines.filter(review__status=ReviewStatus.CONFIRMED)
    return Dossier(
        cadre=cadre,
        access=access,
        memberships=list(Membership.objects.filter(cadre=cadre).order_by("entered_on", "id")),
        courses=_courses(cadre),
        latest_skills=[(str(label), latest.get(value)) for value, label in Skill.choices],
        skills=sorted(skills, key=lambda s: (s.assessed_on, s.pk), reverse=True),
        appraisals=list(Appraisal.objects.filter(cadre=cadre).order_by("-year")),
        activities=list(cadre.activities.select_related("cycle").order_by("-starts_on", "-id")),
        postings=list(Posting.objects.filter(cadre=cadre).order_by("-start", "-id")),
        honours=list(Honour.objects.filter(cadre=cadre).order_by("-awarded_on", "-id")),
        research=list(
            ResearchMember.objects.filter(cadre=cadre).select_related("project__cycle").order_by("-project__id")
        ),
        review_lines=list(lines),
        award_nominations=list(
            AwardNomination.objects.filter(cadre=cadre).select_related("decision").order_by("-year", "kind")
        ),
        nominations=list(
            Nomination.objects.filter(cadre=cadre).select_related("organisation").order_by("-nominated_at")
        ),
        notes=list(Note.objects.filter(cadre=cadre).select_related("author").order_by("-created_at", "-id"))
        if access == DossierAccess.WHOLE
        else None,
        viewers=dossier_viewers(cadre) if admin else None,
    )


def radar(d: Dossier, pool: TalentPool) -> dict[str, Any]:
    """The radar chart's data: the five skills' latest scores on the pool's scale (strings, never
    floats; the script turns them into numbers for drawing only)."""
    return {
        "min": str(pool.skill_scale_min),
        "max": str(pool.skill_scale_max),
        "skills": [label for label, _ in d.latest_skills],
        "scores": [str(a.score) if a else None for _, a in d.latest_skills],
    }
