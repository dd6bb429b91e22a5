"""Regression tests for defects found in the review of the talent pool (issue 7): a research
project of another pool edited through a cycle of one's own pool, a review cap above the pool's
cap, a review confirmed before its date (exits and entries dated in the future), and a report
replacement that lost the previous report when the write failed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.core.errors import DomainError
from gongzhi.talent.models import (
    CadreStatus,
    Cycle,
    Membership,
    ResearchMember,
    ResearchProject,
    ReviewStatus,
)
from gongzhi.talent.research import services as research
from gongzhi.talent.reviews import services as reviews
from tests.talent_support import TalentWorld

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _pdf(body: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile("r.pdf", body, content_type="application/pdf")


# --- research: a project of another pool -------------------------------------------------------------


def test_project_save_refuses_a_project_of_another_pool(talent_world: TalentWorld) -> None:
    tw = talent_world
    other_cycle = Cycle.objects.create(
        pool=tw.other_pool, name="外库一届", start=dt.date(2025, 1, 1), end=dt.date(2026, 12, 31)
    )
    foreign = research.project_save(
        actor=tw.users["other_admin"],
        cycle=other_cycle,
        title="外库课题",
        members=[tw.cadres["foreign"]],
        leader=tw.cadres["foreign"],
    )
    with pytest.raises(DomainError) as exc:
        research.project_save(
            actor=tw.users["admin"],  # administers tw.pool, not the other pool
            cycle=tw.cycle,
            project=foreign,
            title="被改的课题",
            members=[tw.cadres["self"]],
            leader=tw.cadres["self"],
        )
    assert exc.value.code == "bad_cycle"
    foreign.refresh_from_db()
    assert foreign.title == "外库课题"
    assert list(ResearchMember.objects.filter(project=foreign).values_list("cadre_id", flat=True)) == [
        tw.cadres["foreign"].pk
    ]


# --- reviews: the cap and the date ----------------------------------------------------------------


def test_review_cap_cannot_exceed_the_pools_cap(talent_world: TalentWorld) -> None:
    tw = talent_world
    kwargs: dict[str, Any] = {
        "actor": tw.users["admin"],
        "pool": tw.pool,
        "cycle": tw.cycle,
        "title": "年度调整",
        "held_on": dt.date(2025, 12, 20),
    }
    with pytest.raises(DomainError, match="不能超过本人才库的上限") as exc:
        reviews.review_create(cap=tw.pool.cap + 1, **kwargs)
    assert exc.value.code == "bad_cap"
    assert reviews.review_create(cap=tw.pool.cap, **kwargs).cap == tw.pool.cap  # the pool's cap itself is fine


def test_review_cannot_be_confirmed_before_its_date(talent_world: TalentWorld) -> None:
    tw = talent_world
    review = reviews.review_create(
        actor=tw.users["admin"],
        pool=tw.pool,
        cycle=tw.cycle,
        title="下月调整",
        held_on=dt.date(2025, 12, 20),
        exit_below=Decimal("50"),  # everyone scores 0: members removed
    )
    reviews.review_propose(actor=tw.users["admin"], review=review)
    with pytest.raises(DomainError, match="还未到") as exc:
        reviews.review_confirm(actor=tw.users["admin"], review=review, reason="会议决定", today=dt.date(2025, 12, 19))
    assert exc.value.code == "future_date"
    review.refresh_from_db()
    assert review.status == ReviewStatus.PROPOSED
    assert tw.cadres["self"].memberships.filter(exited_on__isnull=True).exists()
    # on the day itself it goes through
    reviews.review_confirm(actor=tw.users["admin"], review=review, reason="会议决定", today=dt.date(2025, 12, 20))
    stay = Membership.objects.get(cadre=tw.cadres["self"])
    assert stay.exited_on == dt.date(2025, 12, 20)
    tw.cadres["self"].refresh_from_db()
    assert tw.cadres["self"].status == CadreStatus.EXITED


# --- research: replacing a report -------------------------------------------------------------------


def test_failed_report_replacement_keeps_the_previous_report(
    talent_world: TalentWorld, settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tw = talent_world
    settings.MEDIA_ROOT = tmp_path
    project = research.project_save(
        actor=tw.users["admin"], cycle=tw.cycle, title="课题", members=[tw.cadres["self"]], leader=tw.cadres["self"]
    )
    project = research.report_upload(actor=tw.users["admin"], project=project, upload=_pdf())
    first_name = project.report.name

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(research, "audit_record", broken)
    with pytest.raises(RuntimeError):
        research.report_upload(actor=tw.users["admin"], project=project, upload=_pdf(PDF + b"% second\n"))
    stored = ResearchProject.objects.get(pk=project.pk)
    assert stored.report.name == first_name
    assert stored.report.storage.exists(first_name)  # the report the row points to is still there
    with stored.report.open("rb") as fh:
        assert fh.read() == PDF


# --- follow-ups of the review ----------------------------------------------------------------------


def _profile(cadre: Any, **changes: Any) -> Any:
    from gongzhi.talent.people.services import Profile

    values = {
        "name": cadre.name,
        "date_of_birth": cadre.date_of_birth,
        "organisation": cadre.organisation,
        "category": cadre.category,
        "staff_number": cadre.staff_number,
    }
    return Profile(**(values | changes))


def test_a_member_cannot_be_moved_into_a_full_category(talent_world: TalentWorld) -> None:
    """行政执法类 has quota 2 and one member (王可): the first move fills it, the second is refused
    with nothing changed; a candidate may be put in a full category (the quota counts members)."""
    from gongzhi.talent.models import Cadre
    from gongzhi.talent.people import services

    tw = talent_world
    admin, full = tw.users["admin"], tw.categories["enforcement"]
    services.cadre_update(actor=admin, cadre=tw.cadres["self"], profile=_profile(tw.cadres["self"], category=full))
    assert Cadre.objects.get(pk=tw.cadres["self"].pk).category_id == full.pk
    third = services.cadre_create(
        actor=admin,
        pool=tw.pool,
        profile=_profile(tw.cadres["other"], name="第三人", category=tw.categories["general"], staff_number="T3"),
    )
    services.membership_enter(actor=admin, cadre=third, entered_on=dt.date(2025, 2, 1), reason="入库")
    with pytest.raises(DomainError) as refused:
        services.cadre_update(actor=admin, cadre=third, profile=_profile(third, category=full))
    assert refused.value.code == "category_full"
    assert "名额已满（2 人）" in str(refused.value)
    assert Cadre.objects.get(pk=third.pk).category_id == tw.categories["general"].pk
    nominee = tw.cadres["nominee"]  # a candidate
    services.cadre_update(actor=admin, cadre=nominee, profile=_profile(nominee, category=full))
    assert Cadre.objects.get(pk=nominee.pk).category_id == full.pk


def test_an_activity_of_a_closed_cycle_cannot_be_edited(talent_world: TalentWorld) -> None:
    from gongzhi.talent.activities import services as activities
    from gongzhi.talent.models import Activity, CycleStatus

    tw = talent_world
    data = activities.ActivityData(
        kind="study", title="专题学习", starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 3, 1)
    )
    activity = activities.activity_create(actor=tw.users["admin"], cycle=tw.cycle, data=data)
    Cycle.objects.filter(pk=tw.cycle.pk).update(status=CycleStatus.CLOSED)
    renamed = activities.ActivityData(
        kind="study", title="改名", starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 3, 1)
    )
    with pytest.raises(DomainError) as refused:
        activities.activity_update(actor=tw.users["admin"], activity=activity, data=renamed)
    assert refused.value.code == "cycle_closed"
    assert Activity.objects.get(pk=activity.pk).title == "专题学习"


def test_the_pool_roster_export_is_on_record(talent_world: TalentWorld, client: Any) -> None:
    from django.urls import reverse

    from gongzhi.core.models import AuditEntry

    tw = talent_world
    client.force_login(tw.users["admin"])
    response = client.get(reverse("talent_export_pool", args=[tw.pool.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="talent_pool_exported").get()
    assert entry.actor_id == tw.users["admin"].pk
    assert entry.object_id == str(tw.pool.pk)


def test_home_gives_a_cadre_the_pools_pages(talent_world: TalentWorld, client: Any) -> None:
    """A cadre's home card links to what they may follow in their pool (activities, reviews, awards,
    research), not to the administrators' pages (courses, Excel)."""
    from django.urls import reverse

    tw = talent_world
    client.force_login(tw.users["cadre"])
    page = client.get(reverse("talent_home")).content.decode()
    for name in ("talent_activities", "talent_reviews", "talent_awards", "talent_research"):
        assert f'href="{reverse(name, args=[tw.pool.pk])}"' in page, name
    for name in ("talent_courses", "talent_excel", "talent_nominations"):
        assert f'href="{reverse(name, args=[tw.pool.pk])}"' not in page, name
