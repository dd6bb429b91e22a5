"""The talent-pool part of the demo (gongzhi.demo.talent, issue 7): a capped pool of young cadres
with a closed and an open round, courses, skills, activities with feedback, research, awards, a
confirmed and a proposed review, and four logins.

The sample is loaded alone (load_talent) once for the module with a fixed seed and day: first in a
savepoint rolled back, then for good, so that the two loads can be compared (determinism) at the
cost of two loads only."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse

from gongzhi.core.models import AuditEntry
from gongzhi.demo.liangzhu import DEMO_PASSWORD, DEMO_USERS, role_label
from gongzhi.demo.talent import (
    ADMIN,
    CADRE_LOGIN,
    INSTRUCTOR,
    ORGANISATION_CONTACT,
    ORGANISATION_OF_CONTACT,
    POOL_NAME,
    cycle_start_year,
    load_talent,
    round_name,
    talent_lines,
)
from gongzhi.talent import scoring
from gongzhi.talent.activities.services import activity_summary, cycle_summary
from gongzhi.talent.completion import completed_courses, missing_required, required_courses
from gongzhi.talent.models import (
    Appraisal,
    AppraisalGrade,
    AwardDecision,
    AwardKind,
    AwardNomination,
    AwardNominationStatus,
    Cadre,
    CourseResult,
    Cycle,
    CycleStatus,
    Feedback,
    Graduation,
    GraduationOutcome,
    LineOutcome,
    Membership,
    Milestone,
    Nomination,
    NominationStatus,
    Organisation,
    ProjectStatus,
    RerankReview,
    ResearchMember,
    ResearchProject,
    ReviewLine,
    ReviewStatus,
    Skill,
    SkillAssessment,
    SummaryMeeting,
    TalentPool,
)
from gongzhi.talent.research.services import is_overdue
from gongzhi.talent.reviews import services as rev
from tests.test_demo import TODAY, _media  # noqa: F401 - the media fixture keeps the reports out of var/

# demo_data: the sample data's own tests run in the SQLite pass, the demo's database (Makefile).
pytestmark = [pytest.mark.django_db, pytest.mark.demo_data]


def digest() -> str:
    """Natural data only (names, dates, scores, outcomes; no ids, no wall-clock times)."""
    h = hashlib.sha256()
    for rows in (
        Cadre.objects.order_by("name").values_list(
            "name", "status", "date_of_birth", "organisation__name", "category__name"
        ),
        SkillAssessment.objects.order_by("cadre__name", "skill", "assessed_on").values_list(
            "cadre__name", "skill", "score", "assessed_on"
        ),
        CourseResult.objects.order_by("course__name", "cycle__name", "cadre__name").values_list(
            "course__name", "cycle__name", "cadre__name", "score"
        ),
        ReviewLine.objects.order_by("review__title", "cadre__name").values_list(
            "review__title", "cadre__name", "score", "rank", "outcome", "reason"
        ),
        Feedback.objects.order_by("cycle__name", "activity__title", "author__username").values_list(
            "activity__title", "author__username", "rating", "comment"
        ),
        ResearchProject.objects.order_by("title").values_list("title", "status", "score"),
    ):
        for row in rows:
            h.update(repr(row).encode())
    return h.hexdigest()


@dataclass
class Loaded:
    pool: TalentPool
    first_digest: str
    digest: str


@pytest.fixture(scope="module")
def _talent_loaded(django_db_setup: None, django_db_blocker: Any, _media: None) -> Iterator[Loaded]:  # noqa: F811
    with django_db_blocker.unblock(), transaction.atomic():
        with transaction.atomic():
            assert load_talent(seed=2024, today=TODAY, users={}, password=DEMO_PASSWORD) is not None
            first = digest()
            transaction.set_rollback(True)
        assert not TalentPool.objects.filter(name=POOL_NAME).exists()
        pool = load_talent(seed=2024, today=TODAY, users={}, password=DEMO_PASSWORD)
        assert pool is not None
        yield Loaded(pool, first, digest())
        transaction.set_rollback(True)


@pytest.fixture
def demo(_talent_loaded: Loaded, db: None) -> Loaded:
    return _talent_loaded


def cycles(pool: TalentPool) -> tuple[Cycle, Cycle]:
    return (
        Cycle.objects.get(pool=pool, status=CycleStatus.CLOSED),
        Cycle.objects.get(pool=pool, status=CycleStatus.OPEN),
    )


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (dt.date(2025, 1, 1), 2025),
        (dt.date(2026, 12, 31), 2025),
        (dt.date(2027, 1, 1), 2027),
        (dt.date(2024, 12, 31), 2023),
        (dt.date(2030, 6, 1), 2029),
    ],
)
def test_current_round_contains_today(today: dt.date, year: int) -> None:
    start = cycle_start_year(today)
    assert start == year
    assert dt.date(start, 1, 1) <= today <= dt.date(start + 1, 12, 31)
    assert round_name(2025) == "2025—2026 届"


def test_deterministic_for_seed_and_today(demo: Loaded) -> None:
    assert demo.first_digest == demo.digest
    assert digest() == demo.digest


def test_pool_counts_quotas_and_nominations(demo: Loaded) -> None:
    pool = demo.pool
    assert (pool.cap, pool.exit_below, pool.skill_scale_min, pool.skill_scale_max) == (100, 60, 0, 100)
    members = rev.current_members(pool)
    assert members.count() == 96 <= pool.cap
    by_category = {c.name: (members.filter(category=c).count(), c.quota) for c in pool.categories.all()}
    assert by_category == {"综合管理类": (48, 50), "行政执法类": (29, 30), "专业技术类": (19, 20)}
    assert Organisation.objects.filter(cadres__pool=pool).distinct().count() == 24
    ages = {(TODAY - c.date_of_birth).days // 365 for c in members}
    assert min(ages) >= 26
    assert max(ages) <= 35
    pending = Nomination.objects.filter(pool=pool, status=NominationStatus.PENDING)
    assert pending.count() == 12
    danwei = get_user_model().objects.get(username=ORGANISATION_CONTACT)
    own = pending.filter(organisation__name=ORGANISATION_OF_CONTACT)
    assert own.count() == 3
    assert set(own.values_list("nominated_by", flat=True)) == {danwei.pk}
    assert Organisation.objects.get(name=ORGANISATION_OF_CONTACT).members.filter(pk=danwei.pk).exists()


def test_closed_round_graduations(demo: Loaded) -> None:
    closed, current = cycles(demo.pool)
    assert closed.name == "2023—2024 届"
    assert current.name == "2025—2026 届"
    assert current.start <= TODAY <= current.end
    # Everyone in the pool when the round closed has a graduation record in it.
    at_close = Cadre.objects.filter(
        memberships__entered_on__lte=closed.end, memberships__exited_on__isnull=True
    ) | Cadre.objects.filter(memberships__entered_on__lte=closed.end, memberships__exited_on__gte=closed.end)
    at_close_ids = set(at_close.filter(memberships__entered_on__lt=current.start).values_list("pk", flat=True))
    graduations = {g.cadre_id: g for g in Graduation.objects.filter(cycle=closed)}
    assert at_close_ids == set(graduations)
    outcomes = Counter(g.outcome for g in graduations.values())
    assert outcomes[GraduationOutcome.GRADUATED] > outcomes[GraduationOutcome.NOT_GRADUATED] > 0
    graduated = [pk for pk, g in graduations.items() if g.outcome == GraduationOutcome.GRADUATED]
    assert all(not courses for courses in missing_required(closed, graduated).values())
    for g in graduations.values():
        if g.outcome == GraduationOutcome.NOT_GRADUATED:
            assert g.note.startswith("未完成必修课程：")
            assert Membership.objects.filter(cadre_id=g.cadre_id, exited_on__isnull=True).exists()  # carried over


def test_confirmed_review_matches_memberships(demo: Loaded) -> None:
    closed, _ = cycles(demo.pool)
    review = RerankReview.objects.get(pool=demo.pool, status=ReviewStatus.CONFIRMED)
    assert review.cycle == closed
    assert review.reason
    lines = list(review.lines.all())
    counts = Counter(line.outcome for line in lines)
    assert counts[LineOutcome.REMOVE] > 0
    assert counts[LineOutcome.ADMIT] > 0
    assert counts[LineOutcome.NOT_ADMITTED] > 0
    for line in lines:
        changed = Membership.objects.filter(cadre=line.cadre, review=review)
        if line.outcome == LineOutcome.REMOVE:
            stay = changed.get()
            assert (stay.exited_on, stay.exit_reason) == (review.held_on, line.reason)
            assert float(line.score) < 60 or "名额" in line.reason
        elif line.outcome == LineOutcome.ADMIT:
            assert changed.get().entered_on == review.held_on
            assert Nomination.objects.get(cadre=line.cadre).status == NominationStatus.ADMITTED
        elif line.outcome == LineOutcome.NOT_ADMITTED:
            assert not changed.exists()
            assert Nomination.objects.get(cadre=line.cadre).status == NominationStatus.NOT_ADMITTED
        else:
            assert not changed.exists()


def recompute(review: RerankReview, cadre: Cadre) -> Decimal:
    """The composite score from the dossier, read here without the review module's reader."""
    skills = []
    for value, label in Skill.choices:
        latest = (
            SkillAssessment.objects.filter(cadre=cadre, skill=value, assessed_on__lte=review.held_on)
            .order_by("-assessed_on", "-id")
            .first()
        )
        skills.append(scoring.SkillReading(str(label), latest.score if latest else None))
    required = required_courses(review.cycle)
    done = completed_courses(review.cycle, [cadre.pk])[cadre.pk]
    appraisal = Appraisal.objects.filter(cadre=cadre, year__lte=review.held_on.year).order_by("-year").first()
    research = (
        ResearchMember.objects.filter(cadre=cadre, project__cycle=review.cycle, project__score__isnull=False)
        .order_by("-project__score")
        .first()
    )
    inputs = scoring.ScoreInputs(
        skills=skills,
        scale_min=review.pool.skill_scale_min,
        scale_max=review.pool.skill_scale_max,
        courses_done=len({c.pk for c in required} & done),
        courses_required=len(required),
        appraisal_year=appraisal.year if appraisal else None,
        appraisal_grade=appraisal.grade if appraisal else None,
        research_score=research.project.score if research else None,
        research_title=research.project.title if research else "",
    )
    weights = scoring.Weights(
        review.weight_skills, review.weight_courses, review.weight_appraisal, review.weight_research
    )
    return scoring.composite(inputs, weights).total


def test_proposed_review_scores_and_confirm(demo: Loaded) -> None:
    _, current = cycles(demo.pool)
    review = RerankReview.objects.get(pool=demo.pool, status=ReviewStatus.PROPOSED)
    assert review.cycle == current
    assert review.held_on == TODAY
    lines = {line.cadre_id: line for line in review.lines.select_related("cadre")}
    members = set(rev.current_members(demo.pool).values_list("pk", flat=True))
    pending = set(rev.pending_nominations(demo.pool).values_list("cadre_id", flat=True))
    assert set(lines) == members | pending
    assert {pk for pk, line in lines.items() if line.member} == members
    # One member with a scored project, one without, one candidate: the stored score is the real one.
    with_research = ResearchMember.objects.filter(
        project__cycle=current, project__score__isnull=False, cadre_id__in=members
    ).values_list("cadre_id", flat=True)
    picks = [with_research[0], next(pk for pk in members if pk not in set(with_research)), min(pending)]
    for pk in picks:
        assert lines[pk].score == recompute(review, lines[pk].cadre)
    outcomes = Counter(line.outcome for line in lines.values())
    assert outcomes[LineOutcome.STAY] > 80
    assert outcomes[LineOutcome.ADMIT] > 0
    assert outcomes[LineOutcome.REMOVE] > 0
    # rencai can confirm it in the demo (nothing has changed since the proposal).
    rencai = get_user_model().objects.get(username=ADMIN)
    rev.review_confirm(actor=rencai, review=review, reason="同意")
    assert rev.current_members(demo.pool).count() <= demo.pool.cap


def test_courses_matrix_worth_reading(demo: Loaded) -> None:
    _, current = cycles(demo.pool)
    members = list(rev.current_members(demo.pool).values_list("pk", flat=True))
    done = Counter(len(v) for v in completed_courses(current, members).values())
    assert sum(done[n] for n in (2, 3, 4)) >= 0.8 * len(members)
    assert done[4] < len(members)
    assert [c.name for c in required_courses(current)] == ["理论武装", "政策法规", "公文写作", "群众工作方法"]


def test_dossier_entries(demo: Loaded) -> None:
    members = rev.current_members(demo.pool)
    member_ids = list(members.values_list("pk", flat=True))
    dates = SkillAssessment.objects.filter(cadre_id__in=member_ids).values("cadre_id", "skill").distinct().count()
    assert dates == 5 * len(member_ids)
    rounds = Counter(
        SkillAssessment.objects.filter(cadre_id__in=member_ids).values_list("cadre_id", flat=True)
    )  # two rounds or more (the carried-over members have the previous round's too)
    assert min(rounds.values()) >= 10
    grades = Counter(
        Appraisal.objects.filter(cadre_id__in=member_ids, year__in=(TODAY.year - 2, TODAY.year - 1)).values_list(
            "grade", flat=True
        )
    )
    assert sum(grades.values()) == 2 * len(member_ids)
    assert grades[AppraisalGrade.INCOMPETENT] == 1
    assert 0 < grades[AppraisalGrade.BASICALLY_COMPETENT] < 15
    assert grades[AppraisalGrade.COMPETENT] + grades[AppraisalGrade.EXCELLENT] > 150
    some = Cadre.objects.filter(pk__in=member_ids)
    assert some.filter(postings__isnull=False).distinct().count() >= 10
    assert some.filter(honours__isnull=False).distinct().count() >= 10
    assert some.filter(notes__isnull=False).distinct().count() >= 3


def test_activities_have_chart_data(demo: Loaded) -> None:
    _, current = cycles(demo.pool)
    activities = list(current.activities.all())
    assert len(activities) == 8
    assert {a.kind for a in activities} == {"study", "field_visit", "practice", "task_force"}
    for activity in activities:
        summary = activity_summary(activity)
        assert summary.count > 0
        assert summary.average is not None
        assert summary.by_kind["participant"] is not None
        assert summary.by_kind["organisation"] is not None
    overall = cycle_summary(current)
    assert overall.programme.count > 0
    assert sum(overall.overall.distribution[2:]) > 0.8 * overall.overall.count  # ratings 3–5 mostly
    assert overall.overall.comments


def test_research_both_rounds(demo: Loaded) -> None:
    closed, current = cycles(demo.pool)
    previous = ResearchProject.objects.filter(cycle=closed)
    assert previous.count() == 10
    assert set(previous.values_list("status", flat=True)) == {ProjectStatus.SCORED}
    meeting = SummaryMeeting.objects.get(cycle=closed)
    assert meeting.held
    assert meeting.agenda.count() == 10
    now = current.research_projects.all()
    assert now.count() == 6
    assert Counter(now.values_list("status", flat=True)) == {
        ProjectStatus.ONGOING: 3,
        ProjectStatus.REPORTED: 1,
        ProjectStatus.SCORED: 2,
    }
    assert sum(is_overdue(m, TODAY) for m in Milestone.objects.filter(project__cycle=current)) >= 2
    upcoming = SummaryMeeting.objects.get(cycle=current)
    assert not upcoming.held
    assert upcoming.starts_at.date() > TODAY
    assert upcoming.agenda.count() == 3
    report = now.exclude(report="").first()
    assert report is not None
    with report.report.open("rb") as f:
        data = f.read()
    assert data.startswith(b"%PDF-1.4")
    assert data.rstrip().endswith(b"%%EOF")
    xref = int(data.rsplit(b"startxref", 1)[1].split()[0])
    assert data[xref : xref + 4] == b"xref"


def test_awards(demo: Loaded) -> None:
    last, this = TODAY.year - 1, TODAY.year
    decisions = AwardDecision.objects.filter(pool=demo.pool, year=last)
    assert set(decisions.values_list("kind", flat=True)) == set(AwardKind.values)
    awarded = AwardNomination.objects.filter(pool=demo.pool, year=last, status=AwardNominationStatus.AWARDED)
    assert awarded.count() == 6
    for n in awarded:
        assert n.cadre.honours.filter(title__startswith=f"{last} 年度").exists()
    pending = AwardNomination.objects.filter(pool=demo.pool, year=this)
    assert pending.count() > 0
    assert set(pending.values_list("status", flat=True)) == {AwardNominationStatus.PENDING}
    assert not AwardDecision.objects.filter(pool=demo.pool, year=this).exists()


def test_logins_open_their_pages(demo: Loaded) -> None:
    specs = [u for u in DEMO_USERS if u.demo == "talent"]
    assert {u.username for u in specs} == {ADMIN, ORGANISATION_CONTACT, CADRE_LOGIN, INSTRUCTOR}
    assert all(role_label(u.role) for u in specs)
    clients = {}
    for spec in specs:
        client = Client()
        # Through the login page: the throttle (django-axes) needs the request.
        login = client.post(reverse("login"), {"username": spec.username, "password": DEMO_PASSWORD})
        assert login.status_code == 302, spec.username
        clients[spec.username] = client
    pool = demo.pool
    assert clients[ADMIN].get(reverse("talent_pool", args=[pool.pk])).status_code == 200
    own = Cadre.objects.get(user__username=CADRE_LOGIN)
    assert own.status == "member"
    assert clients[CADRE_LOGIN].get(reverse("talent_cadre", args=[own.pk])).status_code == 200
    other = Cadre.objects.filter(pool=pool).exclude(pk=own.pk).first()
    assert other is not None
    assert clients[CADRE_LOGIN].get(reverse("talent_cadre", args=[other.pk])).status_code == 404
    assert clients[ORGANISATION_CONTACT].get(reverse("talent_nominations", args=[pool.pk])).status_code == 200
    assert clients[INSTRUCTOR].get(reverse("talent_courses", args=[pool.pk])).status_code == 200
    # The unprinted helper logins (feedback authors) cannot log in with a password.
    helpers = get_user_model().objects.filter(username__startswith="talent-")
    assert helpers.count() > 20
    assert not any(u.has_usable_password() for u in helpers)


def test_second_load_writes_nothing(demo: Loaded) -> None:
    before = (AuditEntry.objects.count(), Cadre.objects.count(), get_user_model().objects.count())
    assert load_talent(seed=2024, today=TODAY, users={}, password=DEMO_PASSWORD) is None
    assert (AuditEntry.objects.count(), Cadre.objects.count(), get_user_model().objects.count()) == before


def test_summary_lines(demo: Loaded) -> None:
    lines = talent_lines()
    assert len(lines) == 3
    assert lines[0].startswith(f"{POOL_NAME}：在库 96 人（综合管理类 48/50")
    assert "待评审的单位推荐 12 人" in lines[0]
    assert lines[1].startswith("2023—2024 届已结束：结业 ")
    assert "2025—2026 届进行中：培训活动 8 项，课题 6 个" in lines[2]
