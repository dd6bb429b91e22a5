"""Talent pool pages (home, pool, settings, cadres, dossier): the permission table of every page and
POST for every role, the dossier's sections by access level (an organisation never sees notes), the view log,
errors at the field, filters and paging, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditEntry
from gongzhi.talent.models import (
    Appraisal,
    Cadre,
    CadreStatus,
    Cycle,
    Honour,
    Note,
    Organisation,
    PoolCategory,
    Posting,
    SkillAssessment,
)
from gongzhi.talent.people import services as s
from tests.talent_support import TalentWorld, make_cadre

pytestmark = pytest.mark.django_db

ROLES = (
    "admin",
    "other_admin",
    "cadre",
    "organisation_a",
    "organisation_b",
    "instructor",
    "outsider",
    "anonymous",
    "superuser",
)


def client_for(tw: TalentWorld, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(tw.users[role])
    return client


def expect(ok: int, **overrides: int) -> dict[str, int]:
    """A row of the permission table: `ok` for the pool's administrator and the superuser."""
    row = {
        "admin": ok,
        "other_admin": 404,
        "cadre": 404,
        "organisation_a": 404,
        "organisation_b": 404,
        "instructor": 404,
        "outsider": 404,
        "anonymous": 302,
        "superuser": ok,
    }
    row.update(overrides)
    return row


# Pool-level admin pages: organisations and the cadre see the pool (403), others do not (404).
POOL_ADMIN = {"cadre": 403, "organisation_a": 403, "organisation_b": 403}
TODAY = timezone.localdate()
D = TODAY.isoformat()

Args = Callable[[TalentWorld], list[Any]]
Data = Callable[[TalentWorld], dict[str, Any]] | None


def _pool(tw: TalentWorld) -> list[Any]:
    return [tw.pool.pk]


def _cadre(key: str) -> Args:
    return lambda tw: [tw.cadres[key].pk]


def _pool_data(tw: TalentWorld) -> dict[str, Any]:
    return {"name": tw.pool.name, "cap": "90", "exit_below": "60", "skill_scale_min": "0", "skill_scale_max": "100"}


def _cadre_data(tw: TalentWorld) -> dict[str, Any]:
    return {"name": "陈新", "date_of_birth": "1996-05-01", "organisation": tw.organisations["a"].pk, "gender": "female"}


PAGES: list[tuple[str, str, Args, Data, dict[str, int]]] = [
    ("talent_home", "GET", lambda tw: [], None, expect(200, **dict.fromkeys(ROLES[1:-2], 200))),
    ("talent_pool", "GET", _pool, None, expect(200, cadre=200, organisation_a=200, organisation_b=200)),
    ("talent_pool_edit", "GET", _pool, None, expect(200, **POOL_ADMIN)),
    ("talent_pool_edit", "POST", _pool, _pool_data, expect(303, **POOL_ADMIN)),
    ("talent_category_create", "GET", _pool, None, expect(200, **POOL_ADMIN)),
    (
        "talent_category_create",
        "POST",
        _pool,
        lambda tw: {"name": "专业技术类", "quota": "5"},
        expect(303, **POOL_ADMIN),
    ),
    ("talent_category_edit", "GET", lambda tw: [tw.categories["general"].pk], None, expect(200, **POOL_ADMIN)),
    (
        "talent_category_edit",
        "POST",
        lambda tw: [tw.categories["general"].pk],
        lambda tw: {"name": "综合类", "quota": ""},
        expect(303, **POOL_ADMIN),
    ),
    ("talent_cycle_create", "GET", _pool, None, expect(200, **POOL_ADMIN)),
    (
        "talent_cycle_create",
        "POST",
        _pool,
        lambda tw: {"name": "2027—2028 届", "start": "2027-01-01", "end": "2028-12-31"},
        expect(303, **POOL_ADMIN),
    ),
    ("talent_cycle_edit", "GET", lambda tw: [tw.cycle.pk], None, expect(200, **POOL_ADMIN)),
    (
        "talent_cycle_edit",
        "POST",
        lambda tw: [tw.cycle.pk],
        lambda tw: {"name": "第一届", "start": "2025-01-01", "end": "2026-12-31"},
        expect(303, **POOL_ADMIN),
    ),
    ("talent_organisation_create", "GET", _pool, None, expect(200, **POOL_ADMIN)),
    (
        "talent_organisation_create",
        "POST",
        _pool,
        lambda tw: {"name": "市教育局", "members": ""},
        expect(303, **POOL_ADMIN),
    ),
    ("talent_cadre_create", "GET", _pool, None, expect(200, **POOL_ADMIN)),
    ("talent_cadre_create", "POST", _pool, _cadre_data, expect(303, **POOL_ADMIN)),
    # dossiers: the cadre's own, an organisation's nominee, someone else's
    ("talent_cadre", "GET", _cadre("self"), None, expect(200, cadre=200)),
    ("talent_cadre", "GET", _cadre("nominee"), None, expect(200, organisation_a=200)),
    ("talent_cadre", "GET", _cadre("other"), None, expect(200)),
    ("talent_cadre_edit", "GET", _cadre("nominee"), None, expect(200, organisation_a=403)),
    ("talent_cadre_edit", "POST", _cadre("nominee"), _cadre_data, expect(303, organisation_a=403)),
    ("talent_cadre_edit", "GET", _cadre("self"), None, expect(200, cadre=403)),
    ("talent_membership_enter", "GET", _cadre("nominee"), None, expect(200, organisation_a=403)),
    (
        "talent_membership_enter",
        "POST",
        _cadre("nominee"),
        lambda tw: {"entered_on": D, "reason": "考察合格"},
        expect(303, organisation_a=403),
    ),
    ("talent_membership_exit", "GET", _cadre("self"), None, expect(200, cadre=403)),
    (
        "talent_membership_exit",
        "POST",
        _cadre("self"),
        lambda tw: {"exited_on": D, "reason": "调离"},
        expect(303, cadre=403),
    ),
]
ENTRY_DATA: dict[str, dict[str, str]] = {
    "posting": {"place": "信访局", "role": "科员", "start": D},
    "honour": {"title": "优秀共产党员", "awarded_on": D},
    "appraisal": {"year": str(TODAY.year - 1), "grade": "excellent"},
    "skill": {"skill": "research", "score": "88.5", "assessed_on": D},
    "note": {"text": "表现突出"},
}


def _entry_args(key: str, kind: str) -> Args:
    return lambda tw: [tw.cadres[key].pk, kind]


def _const(data: dict[str, str]) -> Callable[[TalentWorld], dict[str, Any]]:
    return lambda tw: dict(data)


for _kind, _data in ENTRY_DATA.items():
    PAGES.append(("talent_entry_add", "GET", _entry_args("nominee", _kind), None, expect(200, organisation_a=403)))
    PAGES.append(
        ("talent_entry_add", "POST", _entry_args("nominee", _kind), _const(_data), expect(303, organisation_a=403))
    )
    PAGES.append(("talent_entry_add", "GET", _entry_args("self", _kind), None, expect(200, cadre=403)))

CASES = [
    pytest.param(name, method, args, data, role, row[role], id=f"{name}-{method}-{i}-{role}")
    for i, (name, method, args, data, row) in enumerate(PAGES)
    for role in ROLES
]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 303),
        ("superuser", 403),
        ("cadre", 403),
        ("organisation_a", 404),
        ("other_admin", 404),
        ("anonymous", 302),
    ],
)
def test_note_delete_table(talent_world: TalentWorld, role: str, status: int) -> None:
    tw = talent_world
    note = s.note_add(actor=tw.users["admin"], cadre=tw.cadres["self"], text="只给管理员看")
    response = client_for(tw, role).post(reverse("talent_note_delete", args=[note.pk]))
    assert response.status_code == status
    assert Note.objects.filter(pk=note.pk).exists() == (status != 303)


def test_unknown_entry_kind_is_404(talent_world: TalentWorld) -> None:
    url = reverse("talent_entry_add", args=[talent_world.cadres["self"].pk, "salary"])
    assert client_for(talent_world, "admin").get(url).status_code == 404


# --- what the posts did ---------------------------------------------------------------------------------


def test_entry_posts_write_and_redirect_to_the_dossier(talent_world: TalentWorld) -> None:
    tw = talent_world
    client = client_for(tw, "admin")
    cadre = tw.cadres["nominee"]
    for kind, data in ENTRY_DATA.items():
        response = client.post(reverse("talent_entry_add", args=[cadre.pk, kind]), data)
        assert response.status_code == 303
        assert response["Location"] == reverse("talent_cadre", args=[cadre.pk])
    assert Posting.objects.filter(cadre=cadre).count() == 1
    assert Honour.objects.filter(cadre=cadre).count() == 1
    assert Appraisal.objects.get(cadre=cadre).grade == "excellent"
    assert SkillAssessment.objects.get(cadre=cadre).score == Decimal("88.5")
    assert Note.objects.get(cadre=cadre).author == tw.users["admin"]


def test_cadre_create_redirects_to_the_new_dossier(talent_world: TalentWorld) -> None:
    tw = talent_world
    response = client_for(tw, "admin").post(reverse("talent_cadre_create", args=[tw.pool.pk]), _cadre_data(tw))
    cadre = Cadre.objects.get(name="陈新")
    assert response["Location"] == reverse("talent_cadre", args=[cadre.pk])
    assert cadre.status == CadreStatus.CANDIDATE


# --- errors at the field --------------------------------------------------------------------------------


def test_duplicate_staff_number_is_a_field_error(talent_world: TalentWorld) -> None:
    tw = talent_world
    Cadre.objects.filter(pk=tw.cadres["other"].pk).update(staff_number="A-7")
    response = client_for(tw, "admin").post(
        reverse("talent_cadre_create", args=[tw.pool.pk]), {**_cadre_data(tw), "staff_number": "A-7"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["staff_number"] == ["编号“A-7”在本人才库已被使用。"]
    assert not Cadre.objects.filter(name="陈新").exists()


def test_pool_full_is_shown_on_the_entry_form(talent_world: TalentWorld) -> None:
    tw = talent_world
    tw.pool.cap = 2
    tw.pool.save()
    response = client_for(tw, "admin").post(
        reverse("talent_membership_enter", args=[tw.cadres["nominee"].pk]), {"entered_on": D, "reason": "考察合格"}
    )
    assert response.status_code == 400
    assert "人才库已满（上限 2 人）" in response.content.decode()


def test_skill_score_outside_scale_is_a_field_error(talent_world: TalentWorld) -> None:
    tw = talent_world
    data = {**ENTRY_DATA["skill"], "score": "100.01"}
    response = client_for(tw, "admin").post(reverse("talent_entry_add", args=[tw.cadres["other"].pk, "skill"]), data)
    assert response.status_code == 400
    assert response.context["form"].errors["score"] == ["评分须在 0 至 100 之间（含）。"]
    assert not SkillAssessment.objects.exists()


def test_scale_narrowing_error_on_the_settings_page(talent_world: TalentWorld) -> None:
    tw = talent_world
    s.skill_assess(actor=tw.users["admin"], cadre=tw.cadres["other"], skill="public", score="90", assessed_on=TODAY)
    response = client_for(tw, "admin").post(
        reverse("talent_pool_edit", args=[tw.pool.pk]), {**_pool_data(tw), "skill_scale_max": "5"}
    )
    assert response.status_code == 400
    assert "已有 1 条能力评估" in str(response.context["form"].errors["skill_scale_min"])


def test_category_quota_warning_shown_after_saving(talent_world: TalentWorld) -> None:
    tw = talent_world
    response = client_for(tw, "admin").post(
        reverse("talent_category_edit", args=[tw.categories["general"].pk]),
        {"name": "综合管理类", "quota": "0"},
        follow=True,
    )
    assert "现有在库 1 人" in response.content.decode()
    assert PoolCategory.objects.get(pk=tw.categories["general"].pk).quota == 0


# --- home -----------------------------------------------------------------------------------------------


def test_home_per_role(talent_world: TalentWorld) -> None:
    tw = talent_world
    admin = client_for(tw, "admin").get(reverse("talent_home")).content.decode()
    assert f'id="pool-{tw.pool.pk}"' in admin
    assert "在库 2 人 / 上限 100 人" in admin
    assert "另一个人才库" not in admin
    mine = client_for(tw, "cadre").get(reverse("talent_home")).content.decode()
    assert reverse("talent_cadre", args=[tw.cadres["self"].pk]) in mine
    assert "我的档案" in mine
    assert "在库 2 人" not in mine
    organisation = client_for(tw, "organisation_a").get(reverse("talent_home")).content.decode()
    assert reverse("talent_cadre", args=[tw.cadres["nominee"].pk]) in organisation
    assert "李思远" in organisation
    nobody = client_for(tw, "outsider").get(reverse("talent_home")).content.decode()
    assert 'id="no-pool"' in nobody


# --- pool page ------------------------------------------------------------------------------------------


def test_pool_page_admin_sees_members_by_category_others_never(talent_world: TalentWorld) -> None:
    tw = talent_world
    admin = client_for(tw, "admin").get(reverse("talent_pool", args=[tw.pool.pk])).content.decode()
    assert "王可" in admin
    assert "张晓明" in admin
    assert 'id="cap-use" value="2" max="100"' in admin
    assert "1 / 2" in admin  # 行政执法类: 1 member of a quota of 2
    assert "李思远" in admin  # a pending candidate
    organisation = client_for(tw, "organisation_a").get(reverse("talent_pool", args=[tw.pool.pk])).content.decode()
    assert "王可" not in organisation
    assert "张晓明" not in organisation
    assert "李思远" in organisation
    assert 'id="members"' not in organisation
    own = client_for(tw, "cadre").get(reverse("talent_pool", args=[tw.pool.pk])).content.decode()
    assert "张晓明" in own
    assert "王可" not in own


def test_pool_page_filters(talent_world: TalentWorld) -> None:
    tw = talent_world
    client = client_for(tw, "admin")
    url = reverse("talent_pool", args=[tw.pool.pk])

    def names(**params: Any) -> set[str]:
        page = client.get(url, params).context["page"]
        return {c.name for c in page.object_list}

    assert names() == {"张晓明", "王可"}  # members by default
    assert names(status="") == {"张晓明", "王可", "李思远"}
    assert names(status="candidate") == {"李思远"}
    assert names(category=str(tw.categories["enforcement"].pk)) == {"王可"}
    assert names(organisation=str(tw.organisations["a"].pk)) == {"张晓明"}
    assert names(unit=str(tw.organisations["a"].pk)) == {"张晓明"}  # links kept from before the rename
    assert names(q="晓明") == {"张晓明"}


def test_pool_page_pages_by_fifty(talent_world: TalentWorld) -> None:
    tw = talent_world
    for i in range(55):
        make_cadre(tw.pool, tw.organisations["b"], f"成员{i:02d}", member=True, category=tw.categories["general"])
    client = client_for(tw, "admin")
    first = client.get(reverse("talent_pool", args=[tw.pool.pk]))
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("talent_pool", args=[tw.pool.pk]), {"page": "2", "status": "member"})
    assert len(second.context["page"].object_list) == 7


@pytest.mark.parametrize("n", [3, 30])
def test_pool_page_queries_flat(talent_world: TalentWorld, django_assert_max_num_queries: Any, n: int) -> None:
    tw = talent_world
    for i in range(n):
        cadre = make_cadre(
            tw.pool, tw.organisations["b"], f"成员{i:02d}", member=True, category=tw.categories["general"]
        )
        if i % 3 == 0:
            from gongzhi.talent.models import Nomination

            Nomination.objects.create(pool=tw.pool, cadre=cadre, organisation=tw.organisations["b"], reason="推荐")
    client = client_for(tw, "admin")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("talent_pool", args=[tw.pool.pk]), {"status": ""})
    assert response.status_code == 200


# --- the dossier ----------------------------------------------------------------------------------------


def test_dossier_sections_by_access_level(talent_world: TalentWorld) -> None:
    tw = talent_world
    admin = tw.users["admin"]
    nominee = tw.cadres["nominee"]
    s.note_add(actor=admin, cadre=nominee, text="内部备注文字")
    s.skill_assess(actor=admin, cadre=nominee, skill="delivery", score="77.5", assessed_on=TODAY)
    url = reverse("talent_cadre", args=[nominee.pk])
    as_admin = client_for(tw, "admin").get(url).content.decode()
    assert "内部备注文字" in as_admin
    assert 'id="viewers"' in as_admin
    assert 'id="keeper-actions"' in as_admin
    assert "77.5" in as_admin
    as_organisation = client_for(tw, "organisation_a").get(url).content.decode()
    assert "内部备注文字" not in as_organisation
    assert 'id="notes"' not in as_organisation
    assert 'id="viewers"' not in as_organisation
    assert 'id="keeper-actions"' not in as_organisation
    assert 'id="nominee-view"' in as_organisation
    assert "77.5" in as_organisation  # everything else is shown


def test_the_cadre_sees_their_whole_dossier_but_not_the_viewer_log(talent_world: TalentWorld) -> None:
    tw = talent_world
    s.note_add(actor=tw.users["admin"], cadre=tw.cadres["self"], text="本人可见备注")
    body = client_for(tw, "cadre").get(reverse("talent_cadre", args=[tw.cadres["self"].pk])).content.decode()
    assert "本人可见备注" in body
    assert 'id="viewers"' not in body
    assert 'id="keeper-actions"' not in body


def test_every_view_of_a_dossier_is_logged_with_the_viewer(talent_world: TalentWorld) -> None:
    tw = talent_world
    url = reverse("talent_cadre", args=[tw.cadres["nominee"].pk])
    client_for(tw, "organisation_a").get(url)
    client_for(tw, "admin").get(url)
    client_for(tw, "admin").get(url)
    client_for(tw, "organisation_b").get(url)  # 404: not logged
    entries = list(
        AuditEntry.objects.filter(action="dossier_viewed", object_id=str(tw.cadres["nominee"].pk)).order_by("seq")
    )
    assert [e.actor for e in entries] == [tw.users["organisation_a"], tw.users["admin"], tw.users["admin"]]
    body = client_for(tw, "admin").get(url).content.decode()
    assert body.count("talent-organisation_a") >= 1  # who viewed, shown to administrators


def test_dossier_shows_review_results_of_confirmed_reviews_to_the_cadre(talent_world: TalentWorld) -> None:
    from gongzhi.talent.models import RerankReview, ReviewLine

    tw = talent_world
    draft = RerankReview.objects.create(
        pool=tw.pool, cycle=tw.cycle, title="草稿考评", held_on=TODAY, cap=100, exit_below=Decimal("60")
    )
    done = RerankReview.objects.create(
        pool=tw.pool,
        cycle=tw.cycle,
        title="年度考评",
        held_on=TODAY,
        cap=100,
        exit_below=Decimal("60"),
        status="confirmed",
    )
    for review in (draft, done):
        ReviewLine.objects.create(
            review=review,
            cadre=tw.cadres["self"],
            member=True,
            score=Decimal("81"),
            outcome="stay",
            reason="得分高于分数线",
        )
    url = reverse("talent_cadre", args=[tw.cadres["self"].pk])
    own = client_for(tw, "cadre").get(url).content.decode()
    assert "年度考评" in own
    assert "草稿考评" not in own
    assert "草稿考评" in client_for(tw, "admin").get(url).content.decode()


def _fill_dossier(tw: TalentWorld, cadre: Cadre, n: int) -> None:
    from gongzhi.talent.models import (
        Activity,
        AwardNomination,
        CourseResult,
        ResearchMember,
        ResearchProject,
    )

    admin = tw.users["admin"]
    for i in range(n):
        Posting.objects.create(cadre=cadre, place=f"锻炼{i}", start=dt.date(2024, 1, 1))
        Honour.objects.create(cadre=cadre, title=f"荣誉{i}", awarded_on=dt.date(2024, 1, 1))
        Appraisal.objects.create(cadre=cadre, year=1990 + i, grade="competent")
        SkillAssessment.objects.create(
            cadre=cadre, skill="political", score=Decimal(i), assessed_on=dt.date(2024, 1, 1)
        )
        Note.objects.create(cadre=cadre, text=f"备注{i}", author=admin)
        activity = Activity.objects.create(
            cycle=tw.cycle, kind="study", title=f"活动{i}", starts_on=dt.date(2025, 2, 1), ends_on=dt.date(2025, 2, 1)
        )
        activity.participants.add(cadre)
        project = ResearchProject.objects.create(cycle=tw.cycle, title=f"课题{i}")
        ResearchMember.objects.create(project=project, cadre=cadre)
        AwardNomination.objects.create(pool=tw.pool, year=2000 + i, kind="trainee", cadre=cadre, reason="好")
    for year in (2000, 2001):  # more cycles: the course section is per cycle
        s.cycle_save(actor=admin, pool=tw.pool, name=f"届{year}", start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    for course in tw.courses:
        CourseResult.objects.create(course=course, cycle=tw.cycle, cadre=cadre, score=Decimal("70"))


@pytest.mark.parametrize("n", [3, 30])
def test_dossier_queries_flat(talent_world: TalentWorld, django_assert_max_num_queries: Any, n: int) -> None:
    tw = talent_world
    _fill_dossier(tw, tw.cadres["self"], n)
    client = client_for(tw, "admin")
    with django_assert_max_num_queries(34):
        response = client.get(reverse("talent_cadre", args=[tw.cadres["self"].pk]))
    assert response.status_code == 200
    assert response.content.decode().count("<li>") >= 6 * n


def test_dossier_course_records_use_completion(talent_world: TalentWorld) -> None:
    from gongzhi.talent.models import CourseResult

    tw = talent_world
    cadre = tw.cadres["self"]
    CourseResult.objects.create(
        course=tw.courses[1], cycle=tw.cycle, cadre=cadre, score=Decimal("60")
    )  # pass: boundary
    CourseResult.objects.create(course=tw.courses[2], cycle=tw.cycle, cadre=cadre, score=Decimal("59.99"))
    response = client_for(tw, "admin").get(reverse("talent_cadre", args=[cadre.pk]))
    lines = {line.course.name: line.complete for line in response.context["d"].courses[0].lines}
    assert lines == {"理论武装": False, "政策法规": True, "公文写作": False, "群众工作方法": False}
    assert "已完成 1 / 4 门" in response.content.decode()


def test_radar_data_on_the_pools_scale(talent_world: TalentWorld) -> None:
    tw = talent_world
    s.skill_assess(
        actor=tw.users["admin"],
        cadre=tw.cadres["self"],
        skill="political",
        score="70",
        assessed_on=TODAY - dt.timedelta(days=9),
    )
    s.skill_assess(actor=tw.users["admin"], cadre=tw.cadres["self"], skill="political", score="85.5", assessed_on=TODAY)
    response = client_for(tw, "cadre").get(reverse("talent_cadre", args=[tw.cadres["self"].pk]))
    radar = response.context["radar"]
    assert radar["scores"] == ["85.50", None, None, None, None]  # the latest counts
    assert radar["max"] == "100.00"
    body = response.content.decode()
    assert 'id="skill-radar-data"' in body
    assert "talent/dossier.js" in body
    assert body.count("<tr><td>") >= 2  # the history table holds both


def test_no_organisations_or_cycles_leak_between_pools(talent_world: TalentWorld) -> None:
    tw = talent_world
    foreign_cycle = Cycle.objects.create(
        pool=tw.other_pool, name="外届", start=dt.date(2025, 1, 1), end=dt.date(2026, 1, 1)
    )
    assert client_for(tw, "admin").get(reverse("talent_cycle_edit", args=[foreign_cycle.pk])).status_code == 404
    assert client_for(tw, "other_admin").get(reverse("talent_cycle_edit", args=[foreign_cycle.pk])).status_code == 200
    assert Organisation.objects.filter(name="外市某局").exists()


def test_every_talent_model_is_in_the_admin(talent_world: TalentWorld) -> None:
    from django.apps import apps
    from django.contrib import admin

    client = client_for(talent_world, "superuser")
    for model in apps.get_app_config("talent").get_models():
        assert model in admin.site._registry, model.__name__
        name = model._meta.model_name
        assert client.get(reverse(f"admin:talent_{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:talent_talentpool_change", args=[talent_world.pool.pk])).status_code == 200
    assert client.get(reverse("admin:talent_cadre_change", args=[talent_world.cadres["self"].pk])).status_code == 200


def test_the_old_address_of_the_organisation_page_redirects(talent_world: TalentWorld) -> None:
    """Before 推荐单位 was `Organisation` in code the page was …/units/new/; bookmarks still work."""
    response = client_for(talent_world, "admin").get(f"/talent/pools/{talent_world.pool.pk}/units/new/")
    assert response.status_code == 301
    assert response["Location"] == reverse("talent_organisation_create", args=[talent_world.pool.pk])
