"""Talent pool people and dossiers (services): who may write (administrators of the pool, never
the cadre on their own dossier), the cap and quota exactly reached vs one below, the skill scale's
ends and one cent outside, dates, staff numbers, narrowing a scale past recorded scores; every write
audited and nothing half-written on a refusal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.talent.models import (
    Appraisal,
    Cadre,
    CadreStatus,
    Cycle,
    Honour,
    Membership,
    Note,
    Organisation,
    PoolCategory,
    Posting,
    SkillAssessment,
)
from gongzhi.talent.people import services as s
from tests.talent_support import TalentWorld, make_cadre

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 30)


def profile(tw: TalentWorld, **kw: object) -> s.Profile:
    data: dict[str, object] = {
        "name": "陈新",
        "date_of_birth": dt.date(1996, 5, 1),
        "organisation": tw.organisations["a"],
    }
    data.update(kw)
    return s.Profile(**data)  # type: ignore[arg-type]


def audits(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def enter(tw: TalentWorld, cadre: Cadre, **kw: object) -> Membership:
    args: dict[str, object] = {"entered_on": dt.date(2025, 3, 1), "reason": "考察合格", "today": TODAY}
    args.update(kw)
    return s.membership_enter(actor=tw.users["admin"], cadre=cadre, **args)  # type: ignore[arg-type]


# --- permissions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["other_admin", "cadre", "organisation_a", "organisation_b", "instructor", "outsider"])
def test_only_the_pools_administrators_write(talent_world: TalentWorld, role: str) -> None:
    tw = talent_world
    actor = tw.users[role]
    with pytest.raises(AccessDeniedError):
        s.cadre_create(actor=actor, pool=tw.pool, profile=profile(tw))
    with pytest.raises(AccessDeniedError):
        s.note_add(actor=actor, cadre=tw.cadres["other"], text="x")
    with pytest.raises(AccessDeniedError):
        s.category_save(actor=actor, pool=tw.pool, name="新类", quota=None)
    assert not Cadre.objects.filter(name="陈新").exists()
    assert not Note.objects.exists()


def test_superuser_writes(talent_world: TalentWorld) -> None:
    cadre = s.cadre_create(actor=talent_world.users["superuser"], pool=talent_world.pool, profile=profile(talent_world))
    assert cadre.status == CadreStatus.CANDIDATE


def test_the_cadre_may_not_edit_their_own_dossier_even_as_administrator(talent_world: TalentWorld) -> None:
    tw = talent_world
    tw.pool.administrators.add(tw.users["cadre"])
    with pytest.raises(AccessDeniedError, match="本人不能修改自己的档案"):
        s.honour_add(actor=tw.users["cadre"], cadre=tw.cadres["self"], title="先进", awarded_on=TODAY, today=TODAY)
    assert not Honour.objects.exists()
    # …but may keep the dossiers of others in the pool
    s.honour_add(actor=tw.users["cadre"], cadre=tw.cadres["other"], title="先进", awarded_on=TODAY, today=TODAY)


# --- pool settings, categories, cycles, organisations -----------------------------------------------------------


def pool_args(tw: TalentWorld, **kw: object) -> dict[str, object]:
    args: dict[str, object] = {
        "name": tw.pool.name,
        "description": "",
        "cap": 100,
        "exit_below": Decimal("60"),
        "skill_scale_min": Decimal("0"),
        "skill_scale_max": Decimal("100"),
    }
    args.update(kw)
    return args


def test_pool_update_audits_before_and_after(talent_world: TalentWorld) -> None:
    tw = talent_world
    s.pool_update(actor=tw.users["admin"], pool=tw.pool, **pool_args(tw, cap=80, description="说明"))  # type: ignore[arg-type]
    tw.pool.refresh_from_db()
    assert tw.pool.cap == 80
    entry = AuditEntry.objects.get(action="talent_pool_update")
    assert entry.before is not None
    assert entry.before["cap"] == 100
    assert entry.after is not None
    assert entry.after["cap"] == 80


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"skill_scale_min": Decimal("5"), "skill_scale_max": Decimal("5")}, "bad_scale_max"),
        ({"cap": 0}, "bad_cap"),
        ({"name": " "}, "name_required"),
        ({"exit_below": Decimal("-1")}, "bad_exit_below"),
        ({"name": "另一个人才库"}, "name_taken"),
    ],
)
def test_pool_update_refusals(talent_world: TalentWorld, kw: dict[str, object], code: str) -> None:
    tw = talent_world
    with pytest.raises(DomainError) as exc:
        s.pool_update(actor=tw.users["admin"], pool=tw.pool, **pool_args(tw, **kw))  # type: ignore[arg-type]
    assert exc.value.code == code
    tw.pool.refresh_from_db()
    assert tw.pool.cap == 100
    assert audits("talent_pool_update") == 0


def test_narrowing_the_scale_past_recorded_scores_is_refused_naming_how_many(talent_world: TalentWorld) -> None:
    tw = talent_world
    for score in ("90", "95", "40"):
        s.skill_assess(
            actor=tw.users["admin"],
            cadre=tw.cadres["other"],
            skill="research",
            score=score,
            assessed_on=TODAY,
            today=TODAY,
        )
    with pytest.raises(DomainError, match="已有 2 条能力评估") as exc:
        s.pool_update(actor=tw.users["admin"], pool=tw.pool, **pool_args(tw, skill_scale_max=Decimal("89.99")))  # type: ignore[arg-type]
    assert exc.value.code == "scale_excludes"
    with pytest.raises(DomainError, match="已有 1 条"):
        s.pool_update(actor=tw.users["admin"], pool=tw.pool, **pool_args(tw, skill_scale_min=Decimal("40.01")))  # type: ignore[arg-type]
    # exactly at the recorded extremes is fine (inclusive)
    s.pool_update(
        actor=tw.users["admin"],
        pool=tw.pool,
        **pool_args(tw, skill_scale_min=Decimal("40"), skill_scale_max=Decimal("95")),  # type: ignore[arg-type]
    )
    tw.pool.refresh_from_db()
    assert (tw.pool.skill_scale_min, tw.pool.skill_scale_max) == (Decimal("40"), Decimal("95"))


def test_category_quota_below_members_is_saved_with_a_warning(talent_world: TalentWorld) -> None:
    tw = talent_world
    general = tw.categories["general"]  # one member (self)
    saved = s.category_save(actor=tw.users["admin"], pool=tw.pool, category=general, name="综合管理类", quota=1)
    assert saved.warning is None  # exactly at the members: no warning
    saved = s.category_save(actor=tw.users["admin"], pool=tw.pool, category=general, name="综合管理类", quota=0)
    assert saved.warning is not None
    assert "现有在库 1 人" in saved.warning
    general.refresh_from_db()
    assert general.quota == 0
    assert audits("talent_category_save") == 2


def test_category_names_unique_in_the_pool(talent_world: TalentWorld) -> None:
    tw = talent_world
    with pytest.raises(DomainError, match="同名类别"):
        s.category_save(actor=tw.users["admin"], pool=tw.pool, name="行政执法类", quota=None)
    new = s.category_save(actor=tw.users["admin"], pool=tw.pool, name="专业技术类", quota=None).category
    assert new.pool == tw.pool
    # the other pool may use the same name
    s.category_save(actor=tw.users["other_admin"], pool=tw.other_pool, name="专业技术类", quota=3)
    with pytest.raises(DomainError, match="不属于本人才库"):
        s.category_save(
            actor=tw.users["admin"],
            pool=tw.pool,
            category=PoolCategory.objects.get(pool=tw.other_pool),
            name="x",
            quota=1,
        )


def test_cycle_dates_and_names(talent_world: TalentWorld) -> None:
    tw = talent_world
    admin = tw.users["admin"]
    with pytest.raises(DomainError, match="结束日期须晚于开始日期") as exc:
        s.cycle_save(actor=admin, pool=tw.pool, name="2027—2028 届", start=dt.date(2027, 1, 1), end=dt.date(2027, 1, 1))
    assert exc.value.code == "dates_reversed"
    with pytest.raises(DomainError, match="同名届次"):
        s.cycle_save(
            actor=admin, pool=tw.pool, name="2025—2026 届", start=dt.date(2027, 1, 1), end=dt.date(2028, 12, 31)
        )
    one_day = s.cycle_save(actor=admin, pool=tw.pool, name="短期", start=dt.date(2027, 1, 1), end=dt.date(2027, 1, 2))
    assert one_day.end - one_day.start == dt.timedelta(days=1)  # two years usual, not enforced
    edited = s.cycle_save(
        actor=admin,
        pool=tw.pool,
        cycle=tw.cycle,
        name="2025—2026 届",
        start=dt.date(2025, 1, 1),
        end=dt.date(2027, 6, 30),
    )
    assert edited.end == dt.date(2027, 6, 30)
    assert Cycle.objects.filter(pool=tw.pool).count() == 2


def test_organisation_create_by_any_pool_administrator(talent_world: TalentWorld) -> None:
    tw = talent_world
    organisation = s.organisation_create(actor=tw.users["other_admin"], name="市教育局", members=[tw.users["outsider"]])
    assert list(organisation.members.all()) == [tw.users["outsider"]]
    with pytest.raises(DomainError, match="已有同名单位"):
        s.organisation_create(actor=tw.users["admin"], name="市教育局")
    with pytest.raises(AccessDeniedError):
        s.organisation_create(actor=tw.users["organisation_a"], name="市卫健委")
    assert not Organisation.objects.filter(name="市卫健委").exists()


# --- cadres ---------------------------------------------------------------------------------------------


def test_cadre_create_and_update(talent_world: TalentWorld) -> None:
    tw = talent_world
    cadre = s.cadre_create(
        actor=tw.users["admin"],
        pool=tw.pool,
        profile=profile(tw, staff_number="A-001", category=tw.categories["general"], username="talent-outsider"),
    )
    assert cadre.user == tw.users["outsider"]
    assert cadre.status == CadreStatus.CANDIDATE
    s.cadre_update(actor=tw.users["admin"], cadre=cadre, profile=profile(tw, name="陈新新", staff_number="A-001"))
    cadre.refresh_from_db()
    assert cadre.name == "陈新新"
    assert cadre.user is None
    entry = AuditEntry.objects.get(action="talent_cadre_update")
    assert entry.before is not None
    assert entry.before["name"] == "陈新"


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"staff_number": "DUP"}, "staff_number_taken"),
        ({"username": "nobody"}, "bad_username"),
        ({"username": "talent-cadre"}, "username_taken"),
        ({"date_of_birth": TODAY + dt.timedelta(days=1)}, "bad_dob"),
        ({"name": ""}, "name_required"),
    ],
)
def test_cadre_refusals(talent_world: TalentWorld, kw: dict[str, object], code: str) -> None:
    tw = talent_world
    Cadre.objects.filter(pk=tw.cadres["other"].pk).update(staff_number="DUP")
    before = Cadre.objects.count()
    with pytest.raises(DomainError) as exc:
        s.cadre_create(actor=tw.users["admin"], pool=tw.pool, profile=profile(tw, **kw), today=TODAY)
    assert exc.value.code == code
    assert Cadre.objects.count() == before
    assert audits("talent_cadre_create") == 0


def test_staff_number_unique_per_pool_only_and_category_of_the_same_pool(talent_world: TalentWorld) -> None:
    tw = talent_world
    Cadre.objects.filter(pk=tw.cadres["foreign"].pk).update(staff_number="X1")
    s.cadre_create(actor=tw.users["admin"], pool=tw.pool, profile=profile(tw, staff_number="X1"))
    foreign_category = PoolCategory.objects.create(pool=tw.other_pool, name="外类")
    with pytest.raises(DomainError, match="类别须为本人才库的类别"):
        s.cadre_create(actor=tw.users["admin"], pool=tw.pool, profile=profile(tw, category=foreign_category))


# --- memberships ----------------------------------------------------------------------------------------


def fill(tw: TalentWorld, n: int, category: PoolCategory | None = None) -> None:
    for i in range(n):
        make_cadre(tw.pool, tw.organisations["b"], f"填充{i}", member=True, category=category)


def test_cap_one_below_admits_and_exactly_reached_refuses(talent_world: TalentWorld) -> None:
    tw = talent_world
    tw.pool.cap = 4  # members now: self, other → 2
    tw.pool.save()
    fill(tw, 1)  # 3 of 4: one below the cap
    enter(tw, tw.cadres["nominee"])
    tw.cadres["nominee"].refresh_from_db()
    assert tw.cadres["nominee"].status == CadreStatus.MEMBER
    late = make_cadre(tw.pool, tw.organisations["a"], "迟到", member=False)
    with pytest.raises(DomainError, match=r"人才库已满（上限 4 人）") as exc:
        enter(tw, late)
    assert exc.value.code == "pool_full"
    late.refresh_from_db()
    assert late.status == CadreStatus.CANDIDATE
    assert not late.memberships.exists()
    assert audits("talent_membership_enter") == 1


def test_category_quota_reached_refuses(talent_world: TalentWorld) -> None:
    tw = talent_world
    enforcement = tw.categories["enforcement"]  # quota 2, one member (other)
    first = make_cadre(tw.pool, tw.organisations["a"], "执法一", member=False, category=enforcement)
    enter(tw, first)  # 2 of 2 now
    second = make_cadre(tw.pool, tw.organisations["a"], "执法二", member=False, category=enforcement)
    with pytest.raises(DomainError, match="类别“行政执法类”名额已满（2 人）") as exc:
        enter(tw, second)
    assert exc.value.code == "category_full"
    # a category without quota is unlimited
    enter(tw, make_cadre(tw.pool, tw.organisations["a"], "综合", member=False, category=tw.categories["general"]))


def test_already_in_and_dates(talent_world: TalentWorld) -> None:
    tw = talent_world
    with pytest.raises(DomainError, match="已在库中"):
        enter(tw, tw.cadres["self"])
    with pytest.raises(DomainError, match="不能晚于今天"):
        enter(tw, tw.cadres["nominee"], entered_on=TODAY + dt.timedelta(days=1))
    with pytest.raises(DomainError, match="请填写入库原因"):
        enter(tw, tw.cadres["nominee"], reason="  ")
    enter(tw, tw.cadres["nominee"], entered_on=TODAY)  # today itself is fine


def test_exit_dates_reason_and_history(talent_world: TalentWorld) -> None:
    tw = talent_world
    admin, cadre = tw.users["admin"], tw.cadres["other"]  # entered 2025-01-06
    with pytest.raises(DomainError, match="出库日期不能早于入库日期"):
        s.membership_exit(actor=admin, cadre=cadre, exited_on=dt.date(2025, 1, 5), reason="调离", today=TODAY)
    with pytest.raises(DomainError, match="请填写出库原因"):
        s.membership_exit(actor=admin, cadre=cadre, exited_on=dt.date(2025, 1, 6), reason="", today=TODAY)
    s.membership_exit(actor=admin, cadre=cadre, exited_on=dt.date(2025, 1, 6), reason="调离", today=TODAY)
    cadre.refresh_from_db()
    assert cadre.status == CadreStatus.EXITED
    with pytest.raises(DomainError, match="当前不在库中"):
        s.membership_exit(actor=admin, cadre=cadre, exited_on=TODAY, reason="再退", today=TODAY)
    with pytest.raises(DomainError, match="入库日期不能早于上次出库日期"):
        enter(tw, cadre, entered_on=dt.date(2025, 1, 5))
    enter(tw, cadre, entered_on=dt.date(2025, 1, 6))  # back the same day
    stays = list(cadre.memberships.order_by("id").values_list("entered_on", "exited_on", "exit_reason"))
    assert stays == [(dt.date(2025, 1, 6), dt.date(2025, 1, 6), "调离"), (dt.date(2025, 1, 6), None, "")]
    cadre.refresh_from_db()
    assert cadre.status == CadreStatus.MEMBER
    exit_entry = AuditEntry.objects.get(action="talent_membership_exit")
    assert exit_entry.before == {"status": "member"}


def test_exited_members_free_their_place(talent_world: TalentWorld) -> None:
    tw = talent_world
    tw.pool.cap = 2
    tw.pool.save()
    with pytest.raises(DomainError, match="人才库已满"):
        enter(tw, tw.cadres["nominee"])
    s.membership_exit(actor=tw.users["admin"], cadre=tw.cadres["other"], exited_on=TODAY, reason="调离", today=TODAY)
    enter(tw, tw.cadres["nominee"])


# --- dossier entries ------------------------------------------------------------------------------------


def assess(tw: TalentWorld, score: str, **kw: object) -> SkillAssessment:
    args: dict[str, object] = {"skill": "political", "assessed_on": TODAY, "today": TODAY}
    args.update(kw)
    return s.skill_assess(actor=tw.users["admin"], cadre=tw.cadres["self"], score=score, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize("score", ["1", "5", "3.25"])
def test_skill_scores_inside_the_scale_inclusive(talent_world: TalentWorld, score: str) -> None:
    tw = talent_world
    tw.pool.skill_scale_min, tw.pool.skill_scale_max = Decimal("1"), Decimal("5")
    tw.pool.save()
    assert assess(tw, score).score == Decimal(score)
    assert audits("talent_skill_assess") == 1


@pytest.mark.parametrize("score", ["0.99", "5.01", "abc", "3.001"])
def test_skill_scores_outside_the_scale_refused(talent_world: TalentWorld, score: str) -> None:
    tw = talent_world
    tw.pool.skill_scale_min, tw.pool.skill_scale_max = Decimal("1"), Decimal("5")
    tw.pool.save()
    with pytest.raises(DomainError) as exc:
        assess(tw, score)
    assert exc.value.code == "bad_score"
    assert "评分" in exc.value.message
    assert not SkillAssessment.objects.exists()


def test_skill_date_and_kind(talent_world: TalentWorld) -> None:
    tw = talent_world
    with pytest.raises(DomainError, match="评估日期不能晚于今天"):
        assess(tw, "80", assessed_on=TODAY + dt.timedelta(days=1))
    with pytest.raises(DomainError, match="请选择能力项"):
        assess(tw, "80", skill="charisma")
    assess(tw, "70", assessed_on=TODAY - dt.timedelta(days=30))
    assess(tw, "80")
    assert SkillAssessment.objects.filter(cadre=tw.cadres["self"]).count() == 2  # history kept


def test_appraisal_one_per_year_changed_with_before(talent_world: TalentWorld) -> None:
    tw = talent_world
    admin, cadre = tw.users["admin"], tw.cadres["self"]
    s.appraisal_record(actor=admin, cadre=cadre, year=2024, grade="competent", today=TODAY)
    s.appraisal_record(actor=admin, cadre=cadre, year=2024, grade="excellent", today=TODAY)
    assert list(Appraisal.objects.filter(cadre=cadre).values_list("year", "grade")) == [(2024, "excellent")]
    last = AuditEntry.objects.filter(action="talent_appraisal_record").order_by("-seq").first()
    assert last is not None
    assert last.before is not None
    assert last.before["grade"] == "competent"
    with pytest.raises(DomainError, match="请选择考核等次"):
        s.appraisal_record(actor=admin, cadre=cadre, year=2024, grade="great", today=TODAY)
    with pytest.raises(DomainError, match="年度须在"):
        s.appraisal_record(actor=admin, cadre=cadre, year=2026, grade="competent", today=TODAY)
    s.appraisal_record(actor=admin, cadre=cadre, year=2025, grade="competent", today=TODAY)  # this year is fine


def test_posting_honour_note(talent_world: TalentWorld) -> None:
    tw = talent_world
    admin, cadre = tw.users["admin"], tw.cadres["self"]
    with pytest.raises(DomainError, match="结束日期不能早于开始日期"):
        s.posting_add(actor=admin, cadre=cadre, place="信访局", start=TODAY, end=TODAY - dt.timedelta(days=1))
    s.posting_add(actor=admin, cadre=cadre, place="信访局", start=TODAY, end=TODAY)
    assert Posting.objects.count() == 1
    with pytest.raises(DomainError, match="获得日期不能晚于今天"):
        s.honour_add(actor=admin, cadre=cadre, title="先进", awarded_on=TODAY + dt.timedelta(days=1), today=TODAY)
    s.honour_add(actor=admin, cadre=cadre, title="先进", awarded_on=TODAY, today=TODAY)
    with pytest.raises(DomainError, match="请填写备注"):
        s.note_add(actor=admin, cadre=cadre, text=" ")
    note = s.note_add(actor=admin, cadre=cadre, text="表现突出")
    assert note.author == admin
    assert {a for a in AuditEntry.objects.values_list("action", flat=True) if a.startswith("talent_")} >= {
        "talent_posting_add",
        "talent_honour_add",
        "talent_note_add",
    }


def test_notes_deleted_only_by_their_author(talent_world: TalentWorld) -> None:
    tw = talent_world
    second_admin = tw.users["instructor"]
    tw.pool.administrators.add(second_admin)
    note = s.note_add(actor=tw.users["admin"], cadre=tw.cadres["other"], text="备注一")
    with pytest.raises(AccessDeniedError, match="只能删除自己写的备注"):
        s.note_delete(actor=second_admin, note=note)
    s.note_delete(actor=tw.users["admin"], note=note)
    assert not Note.objects.exists()
    entry = AuditEntry.objects.get(action="talent_note_delete")
    assert entry.before is not None
    assert entry.before["text"] == "备注一"
