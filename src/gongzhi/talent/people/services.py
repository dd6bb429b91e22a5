"""Writes of the talent pool's people and dossiers (issue 7, item 1): pool settings, categories,
cycles (create and edit; closing a cycle is talent.courses'), organisations, cadres, memberships (entry
and exit) and the entries of a dossier (postings, honours, appraisals, skill assessments, notes).

DESIGN.md convention 1: keyword-only, permission first (a pool's administrators, see
talent.access.administers), then the rules with a Chinese DomainError naming the field, then the
write, then one audit entry — all in one transaction.

A cadre never edits their own dossier, even when they also administer the pool: a dossier is a
record kept *about* a person by the organisation (the brief: "the cadre may not edit their own"),
not a profile the person curates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongzhi.core.actors import Actor, acting_user
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.places.access import require
from gongzhi.talent.access import TalentAction, administered_pool_ids
from gongzhi.talent.models import (
    Appraisal,
    AppraisalGrade,
    Cadre,
    CadreStatus,
    Cycle,
    Gender,
    Honour,
    Membership,
    Note,
    Organisation,
    PoolCategory,
    Posting,
    Skill,
    SkillAssessment,
    TalentPool,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CENT = Decimal("0.01")
MAX_DECIMAL = Decimal("10000")  # max_digits=6, decimal_places=2
MIN_YEAR, MAX_YEAR = 1950, 2100


# --- helpers --------------------------------------------------------------------------------------


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _text(value: Any) -> str:
    return str(value or "").strip()


def _filled(value: Any, field: str, code: str) -> str:
    text = _text(value)
    if not text:
        raise DomainError(_("请填写%(f)s。") % {"f": field}, code=code)
    return text


def _decimal(value: Any, field: str, code: str) -> Decimal:
    """A number with at most two decimals (the fields are max_digits=6, decimal_places=2)."""
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(f)s须为数字。") % {"f": field}, code=code) from None
    if not d.is_finite():
        raise DomainError(_("%(f)s须为数字。") % {"f": field}, code=code)
    if d != d.quantize(CENT):
        raise DomainError(_("%(f)s最多两位小数。") % {"f": field}, code=code)
    if abs(d) >= MAX_DECIMAL:
        raise DomainError(_("%(f)s过大。") % {"f": field}, code=code)
    return d


def plain(d: Decimal) -> str:
    """A decimal for messages: 100.00 → "100", 3.50 → "3.5" (never "1E+2")."""
    return f"{d.normalize():f}"


def _not_future(day: dt.date, field: str, code: str, today: dt.date | None) -> None:
    if day > _today(today):
        raise DomainError(_("%(f)s不能晚于今天。") % {"f": field}, code=code)


def _cadre_snapshot(cadre: Cadre) -> dict[str, Any]:
    return snapshot(cadre)


# --- pools, categories, cycles, organisations -------------------------------------------------------------


@transaction.atomic
def pool_update(
    *,
    actor: Actor,
    pool: TalentPool,
    name: str,
    description: str = "",
    cap: int,
    exit_below: Any,
    skill_scale_min: Any,
    skill_scale_max: Any,
) -> TalentPool:
    """Change a pool's settings. The skill scale may be widened freely but not narrowed past
    assessments already recorded (their scores would fall outside the scale they were given on)."""
    pool = TalentPool.objects.select_for_update().get(pk=pool.pk)
    require(actor, TalentAction.ADMINISTER, pool)
    before = snapshot(pool)
    name = _filled(name, _("人才库名称"), "name_required")
    if TalentPool.objects.filter(name=name).exclude(pk=pool.pk).exists():
        raise DomainError(_("已有同名人才库。"), code="name_taken")
    if cap is None or int(cap) < 1:
        raise DomainError(_("人数上限须至少为 1 人。"), code="bad_cap")
    threshold = _decimal(exit_below, _("退出分数线"), "bad_exit_below")
    if threshold < 0:
        raise DomainError(_("退出分数线不能为负数。"), code="bad_exit_below")
    low = _decimal(skill_scale_min, _("能力评分下限"), "bad_scale_min")
    high = _decimal(skill_scale_max, _("能力评分上限"), "bad_scale_max")
    if high <= low:
        raise DomainError(_("能力评分上限须大于下限。"), code="bad_scale_max")
    outside = SkillAssessment.objects.filter(cadre__pool=pool).filter(Q(score__lt=low) | Q(score__gt=high)).count()
    if outside:
        raise DomainError(
            _("已有 %(n)d 条能力评估的评分超出新的评分范围（%(low)s–%(high)s），不能这样缩小评分范围。")
            % {"n": outside, "low": plain(low), "high": plain(high)},
            code="scale_excludes",
        )
    pool.name, pool.description, pool.cap = name, _text(description), int(cap)
    pool.exit_below, pool.skill_scale_min, pool.skill_scale_max = threshold, low, high
    pool.full_clean()
    pool.save()
    audit_record(
        actor=actor,
        action="talent_pool_update",
        object_type="talent.pool",
        object_id=pool.pk,
        summary=name,
        before=before,
        after=snapshot(pool),
    )
    return pool


@dataclass(frozen=True)
class CategorySaved:
    category: PoolCategory
    warning: str | None  # a quota below the category's current members is allowed, but said


@transaction.atomic
def category_save(
    *, actor: Actor, pool: TalentPool, name: str, quota: int | None, category: PoolCategory | None = None
) -> CategorySaved:
    """Add a category to a pool or change one. A quota lower than the members the category has now
    is allowed (the next re-rank brings it down, issue 7 "best in, worst out") but warned about."""
    require(actor, TalentAction.ADMINISTER, pool)
    if category is not None:
        category = PoolCategory.objects.select_for_update().get(pk=category.pk)
        if category.pool_id != pool.pk:
            raise DomainError(_("该类别不属于本人才库。"), code="bad_category")
    name = _filled(name, _("类别名称"), "name_required")
    if quota is not None and int(quota) < 0:
        raise DomainError(_("名额不能为负数。"), code="bad_quota")
    clash = PoolCategory.objects.filter(pool=pool, name=name)
    if category is not None:
        clash = clash.exclude(pk=category.pk)
    if clash.exists():
        raise DomainError(_("本人才库已有同名类别。"), code="name_taken")
    before = snapshot(category) if category is not None else None
    if category is None:
        category = PoolCategory(pool=pool)
    category.name, category.quota = name, None if quota is None else int(quota)
    category.full_clean()
    category.save()
    warning = None
    if category.quota is not None:
        members = Membership.objects.filter(cadre__category=category, exited_on__isnull=True).count()
        if members > category.quota:
            warning = _("类别“%(c)s”现有在库 %(n)d 人，已超过新名额 %(q)d 人，下次动态调整时将按名额调整。") % {
                "c": name,
                "n": members,
                "q": category.quota,
            }
    audit_record(
        actor=actor,
        action="talent_category_save",
        object_type="talent.category",
        object_id=category.pk,
        summary=f"{pool.name} {name}",
        before=before,
        after=snapshot(category),
    )
    return CategorySaved(category, warning)


@transaction.atomic
def cycle_save(
    *, actor: Actor, pool: TalentPool, name: str, start: dt.date, end: dt.date, cycle: Cycle | None = None
) -> Cycle:
    """Add or edit a round (届). Two years is usual (两年一届) but not enforced: a round may be cut
    short or extended by the committee."""
    require(actor, TalentAction.ADMINISTER, pool)
    if cycle is not None:
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.pool_id != pool.pk:
            raise DomainError(_("该届次不属于本人才库。"), code="bad_cycle")
    name = _filled(name, _("届次名称"), "name_required")
    if start is None or end is None:
        raise DomainError(_("请填写开始和结束日期。"), code="dates_required")
    if end <= start:
        raise DomainError(_("结束日期须晚于开始日期。"), code="dates_reversed")
    clash = Cycle.objects.filter(pool=pool, name=name)
    if cycle is not None:
        clash = clash.exclude(pk=cycle.pk)
    if clash.exists():
        raise DomainError(_("本人才库已有同名届次。"), code="name_taken")
    before = snapshot(cycle) if cycle is not None else None
    if cycle is None:
        cycle = Cycle(pool=pool)
    cycle.name, cycle.start, cycle.end = name, start, end
    cycle.full_clean()
    cycle.save()
    audit_record(
        actor=actor,
        action="talent_cycle_save",
        object_type="talent.cycle",
        object_id=cycle.pk,
        summary=f"{pool.name} {name}",
        before=before,
        after=snapshot(cycle),
    )
    return cycle


@transaction.atomic
def organisation_create(*, actor: Actor, name: str, members: Sequence[User] = ()) -> Organisation:
    """An organisation (单位) is shared by every pool, so any pool administrator may add one."""
    if not (getattr(actor, "is_superuser", False) or administered_pool_ids(actor)):
        raise AccessDeniedError(_("只有人才库管理员可以登记单位。"))
    name = _filled(name, _("单位名称"), "name_required")
    if Organisation.objects.filter(name=name).exists():
        raise DomainError(_("已有同名单位。"), code="name_taken")
    organisation = Organisation.objects.create(name=name)
    organisation.members.set(list(members))
    audit_record(
        actor=actor,
        action="talent_unit_create",  # the audit names kept from before the glossary's 推荐单位 = Organisation
        object_type="talent.unit",
        object_id=organisation.pk,
        summary=name,
        after={"members": [m.pk for m in members]},
    )
    return organisation


# --- cadres -----------------------------------------------------------------------------------------


@dataclass
class Profile:
    """A cadre's profile as entered (the form's cleaned data)."""

    name: str
    date_of_birth: dt.date
    organisation: Organisation
    gender: str = ""
    post: str = ""
    category: PoolCategory | None = None
    education: str = ""
    political_status: str = ""
    phone: str = ""
    staff_number: str = ""
    username: str = ""


def _apply_profile(cadre: Cadre, pool: TalentPool, profile: Profile, today: dt.date | None) -> None:
    name = _filled(profile.name, _("姓名"), "name_required")
    if profile.date_of_birth is None:
        raise DomainError(_("请填写出生日期。"), code="bad_dob")
    _not_future(profile.date_of_birth, _("出生日期"), "bad_dob", today)
    if profile.gender and profile.gender not in Gender.values:
        raise DomainError(_("请选择性别。"), code="bad_gender")
    if profile.category is not None and profile.category.pool_id != pool.pk:
        raise DomainError(_("类别须为本人才库的类别。"), code="bad_category")
    staff_number = _text(profile.staff_number)
    if staff_number:
        clash = Cadre.objects.filter(pool=pool, staff_number=staff_number)
        if cadre.pk:
            clash = clash.exclude(pk=cadre.pk)
        if clash.exists():
            raise DomainError(_("编号“%(n)s”在本人才库已被使用。") % {"n": staff_number}, code="staff_number_taken")
    user = None
    username = _text(profile.username)
    if username:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise DomainError(_("找不到账号“%(u)s”。") % {"u": username}, code="bad_username")
        taken = Cadre.objects.filter(user=user)
        if cadre.pk:
            taken = taken.exclude(pk=cadre.pk)
        if taken.exists():
            raise DomainError(_("账号“%(u)s”已关联其他干部档案。") % {"u": username}, code="username_taken")
    cadre.name = name
    cadre.date_of_birth = profile.date_of_birth
    cadre.organisation = profile.organisation
    cadre.gender = profile.gender or ""
    cadre.post = _text(profile.post)
    cadre.category = profile.category
    cadre.education = _text(profile.education)
    cadre.political_status = _text(profile.political_status)
    cadre.phone = _text(profile.phone)
    cadre.staff_number = staff_number
    cadre.user = user


@transaction.atomic
def cadre_create(*, actor: Actor, pool: TalentPool, profile: Profile, today: dt.date | None = None) -> Cadre:
    """A new dossier, as a candidate: entering the pool is a separate act (membership_enter)."""
    require(actor, TalentAction.ADMINISTER, pool)
    cadre = Cadre(pool=pool, status=CadreStatus.CANDIDATE)
    _apply_profile(cadre, pool, profile, today)
    cadre.full_clean()
    cadre.save()
    audit_record(
        actor=actor,
        action="talent_cadre_create",
        object_type="talent.cadre",
        object_id=cadre.pk,
        summary=f"{pool.name} {cadre.name}",
        after=_cadre_snapshot(cadre),
    )
    return cadre


@transaction.atomic
def cadre_update(*, actor: Actor, cadre: Cadre, profile: Profile, today: dt.date | None = None) -> Cadre:
    """Edit a dossier's profile. Moving a member into another category is refused when that category
    has reached its quota, as entering would be (the pool row is locked, as for every entry)."""
    TalentPool.objects.select_for_update().get(pk=cadre.pool_id)
    cadre = Cadre.objects.select_for_update(of=("self",)).select_related("pool").get(pk=cadre.pk)
    require(actor, TalentAction.KEEP_DOSSIER, cadre)
    before = _cadre_snapshot(cadre)
    old_category = cadre.category_id
    _apply_profile(cadre, cadre.pool, profile, today)
    category = cadre.category
    if (
        category is not None
        and category.pk != old_category
        and category.quota is not None
        and Membership.objects.filter(cadre=cadre, exited_on__isnull=True).exists()
        and Membership.objects.filter(cadre__category=category, exited_on__isnull=True).count() >= category.quota
    ):
        raise DomainError(
            _("类别“%(c)s”名额已满（%(q)d 人）。") % {"c": category.name, "q": category.quota},
            code="category_full",
        )
    cadre.full_clean()
    cadre.save()
    audit_record(
        actor=actor,
        action="talent_cadre_update",
        object_type="talent.cadre",
        object_id=cadre.pk,
        summary=cadre.name,
        before=before,
        after=_cadre_snapshot(cadre),
    )
    return cadre


# --- memberships ------------------------------------------------------------------------------------


def pool_member_count(pool: TalentPool | int) -> int:
    """Members now: open stays (the status follows them, but the stays are the record)."""
    pool_id = pool.pk if isinstance(pool, TalentPool) else pool
    return Membership.objects.filter(cadre__pool_id=pool_id, exited_on__isnull=True).count()


@transaction.atomic
def membership_enter(
    *, actor: Actor, cadre: Cadre, entered_on: dt.date, reason: str, today: dt.date | None = None
) -> Membership:
    """Enter a cadre into their pool. Refused when the pool holds `cap` members already (at most 100
    people, the "1455" system), when the cadre's category has reached its quota, or when the cadre
    is in already. The pool row is locked so two entries at once cannot both take the last place."""
    pool = TalentPool.objects.select_for_update().get(pk=cadre.pool_id)
    cadre = Cadre.objects.select_for_update(of=("self",)).select_related("category").get(pk=cadre.pk)
    require(actor, TalentAction.KEEP_DOSSIER, cadre)
    reason = _filled(reason, _("入库原因"), "reason_required")
    if entered_on is None:
        raise DomainError(_("请填写入库日期。"), code="bad_date")
    _not_future(entered_on, _("入库日期"), "bad_date", today)
    if Membership.objects.filter(cadre=cadre, exited_on__isnull=True).exists():
        raise DomainError(_("%(n)s已在库中。") % {"n": cadre.name}, code="already_member")
    last = Membership.objects.filter(cadre=cadre).order_by("-exited_on").first()
    if last is not None and last.exited_on is not None and entered_on < last.exited_on:
        raise DomainError(
            _("入库日期不能早于上次出库日期（%(d)s）。") % {"d": last.exited_on.isoformat()}, code="bad_date"
        )
    if pool_member_count(pool) >= pool.cap:
        raise DomainError(_("人才库已满（上限 %(n)d 人）。") % {"n": pool.cap}, code="pool_full")
    category = cadre.category
    if category is not None and category.quota is not None:
        in_category = Membership.objects.filter(cadre__category=category, exited_on__isnull=True).count()
        if in_category >= category.quota:
            raise DomainError(
                _("类别“%(c)s”名额已满（%(q)d 人）。") % {"c": category.name, "q": category.quota},
                code="category_full",
            )
    membership = Membership.objects.create(cadre=cadre, entered_on=entered_on, entry_reason=reason)
    before_status = cadre.status
    cadre.status = CadreStatus.MEMBER
    cadre.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="talent_membership_enter",
        object_type="talent.cadre",
        object_id=cadre.pk,
        summary=f"{cadre.name} {entered_on.isoformat()}",
        before={"status": before_status},
        after={"status": cadre.status, "entered_on": entered_on, "reason": reason, "membership": membership.pk},
    )
    return membership


@transaction.atomic
def membership_exit(
    *, actor: Actor, cadre: Cadre, exited_on: dt.date, reason: str, today: dt.date | None = None
) -> Membership:
    """Close the cadre's open stay. The exit date may be the entry date but not earlier; the reason
    is required (everyone sees why they are out, issue 7 item 3). Locks the pool row first, like
    every change of the pool's membership (entry, re-rank, graduation, import), so they run one at a time."""
    TalentPool.objects.select_for_update().get(pk=cadre.pool_id)
    cadre = Cadre.objects.select_for_update(of=("self",)).get(pk=cadre.pk)
    require(actor, TalentAction.KEEP_DOSSIER, cadre)
    membership = Membership.objects.select_for_update().filter(cadre=cadre, exited_on__isnull=True).first()
    if membership is None:
        raise DomainError(_("%(n)s当前不在库中。") % {"n": cadre.name}, code="not_member")
    reason = _filled(reason, _("出库原因"), "reason_required")
    if exited_on is None:
        raise DomainError(_("请填写出库日期。"), code="bad_date")
    _not_future(exited_on, _("出库日期"), "bad_date", today)
    if exited_on < membership.entered_on:
        raise DomainError(
            _("出库日期不能早于入库日期（%(d)s）。") % {"d": membership.entered_on.isoformat()}, code="bad_date"
        )
    membership.exited_on, membership.exit_reason = exited_on, reason
    membership.save(update_fields=["exited_on", "exit_reason"])
    before_status = cadre.status
    cadre.status = CadreStatus.EXITED
    cadre.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="talent_membership_exit",
        object_type="talent.cadre",
        object_id=cadre.pk,
        summary=f"{cadre.name} {exited_on.isoformat()}",
        before={"status": before_status},
        after={"status": cadre.status, "exited_on": exited_on, "reason": reason, "membership": membership.pk},
    )
    return membership


# --- dossier entries --------------------------------------------------------------------------------


def _locked_cadre(actor: Actor, cadre: Cadre) -> Cadre:
    locked = Cadre.objects.select_for_update(of=("self",)).select_related("pool").get(pk=cadre.pk)
    require(actor, TalentAction.KEEP_DOSSIER, locked)
    return locked


def _entry_audit(actor: Actor, action: str, obj: Any, cadre: Cadre, before: dict[str, Any] | None = None) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=f"talent.{obj._meta.model_name}",
        object_id=obj.pk,
        summary=f"{cadre.name}: {obj}",
        before=before,
        after=snapshot(obj),
    )


@transaction.atomic
def posting_add(
    *,
    actor: Actor,
    cadre: Cadre,
    place: str,
    start: dt.date,
    role: str = "",
    end: dt.date | None = None,
    note: str = "",
) -> Posting:
    cadre = _locked_cadre(actor, cadre)
    place = _filled(place, _("锻炼单位"), "place_required")
    if start is None:
        raise DomainError(_("请填写开始日期。"), code="bad_start")
    if end is not None and end < start:
        raise DomainError(_("结束日期不能早于开始日期。"), code="bad_end")
    posting = Posting.objects.create(cadre=cadre, place=place, role=_text(role), start=start, end=end, note=_text(note))
    _entry_audit(actor, "talent_posting_add", posting, cadre)
    return posting


@transaction.atomic
def honour_add(
    *, actor: Actor, cadre: Cadre, title: str, awarded_on: dt.date, awarded_by: str = "", today: dt.date | None = None
) -> Honour:
    cadre = _locked_cadre(actor, cadre)
    title = _filled(title, _("荣誉名称"), "title_required")
    if awarded_on is None:
        raise DomainError(_("请填写获得日期。"), code="bad_date")
    _not_future(awarded_on, _("获得日期"), "bad_date", today)
    honour = Honour.objects.create(cadre=cadre, title=title, awarded_on=awarded_on, awarded_by=_text(awarded_by))
    _entry_audit(actor, "talent_honour_add", honour, cadre)
    return honour


@transaction.atomic
def appraisal_record(*, actor: Actor, cadre: Cadre, year: int, grade: str, today: dt.date | None = None) -> Appraisal:
    """Record or change the year's grade (one per year, 公务员考核规定 Art. 7 grades). A change keeps
    the old grade in the audit entry's `before`."""
    cadre = _locked_cadre(actor, cadre)
    if grade not in AppraisalGrade.values:
        raise DomainError(_("请选择考核等次。"), code="bad_grade")
    if year is None or not MIN_YEAR <= int(year) <= _today(today).year:
        raise DomainError(
            _("年度须在 %(a)d 至 %(b)d 之间。") % {"a": MIN_YEAR, "b": _today(today).year}, code="bad_year"
        )
    appraisal = Appraisal.objects.select_for_update().filter(cadre=cadre, year=int(year)).first()
    before = snapshot(appraisal) if appraisal is not None else None
    if appraisal is None:
        appraisal = Appraisal.objects.create(cadre=cadre, year=int(year), grade=grade)
    else:
        appraisal.grade = grade
        appraisal.save(update_fields=["grade"])
    _entry_audit(actor, "talent_appraisal_record", appraisal, cadre, before)
    return appraisal


@transaction.atomic
def skill_assess(
    *,
    actor: Actor,
    cadre: Cadre,
    skill: str,
    score: Any,
    assessed_on: dt.date,
    assessor: str = "",
    note: str = "",
    today: dt.date | None = None,
) -> SkillAssessment:
    """One assessment of one of the five core skills, on the pool's scale (both ends included).
    Earlier assessments stay (history); the latest per skill is the current one."""
    cadre = _locked_cadre(actor, cadre)
    if skill not in Skill.values:
        raise DomainError(_("请选择能力项。"), code="bad_skill")
    value = _decimal(score, _("评分"), "bad_score")
    pool = cadre.pool
    if not pool.skill_scale_min <= value <= pool.skill_scale_max:
        raise DomainError(
            _("评分须在 %(low)s 至 %(high)s 之间（含）。")
            % {"low": plain(pool.skill_scale_min), "high": plain(pool.skill_scale_max)},
            code="bad_score",
        )
    if assessed_on is None:
        raise DomainError(_("请填写评估日期。"), code="bad_date")
    _not_future(assessed_on, _("评估日期"), "bad_date", today)
    assessment = SkillAssessment.objects.create(
        cadre=cadre,
        skill=skill,
        score=value,
        assessed_on=assessed_on,
        assessor=_text(assessor),
        note=_text(note),
        recorded_by=acting_user(actor),
    )
    _entry_audit(actor, "talent_skill_assess", assessment, cadre)
    return assessment


@transaction.atomic
def note_add(*, actor: Actor, cadre: Cadre, text: str) -> Note:
    cadre = _locked_cadre(actor, cadre)
    text = _filled(text, pgettext("talent", "备注"), "text_required")
    note = Note.objects.create(cadre=cadre, text=text, author=acting_user(actor))
    _entry_audit(actor, "talent_note_add", note, cadre)
    return note


@transaction.atomic
def note_delete(*, actor: Actor, note: Note) -> None:
    """Only the note's author deletes it (and only while still an administrator of the pool); the
    audit entry keeps its text."""
    note = Note.objects.select_for_update(of=("self",)).select_related("cadre").get(pk=note.pk)
    require(actor, TalentAction.ADMINISTER, note.cadre.pool_id)
    if note.author_id is None or note.author_id != getattr(actor, "pk", None):
        raise AccessDeniedError(_("只能删除自己写的备注。"))
    before = snapshot(note)
    pk = note.pk
    note.delete()
    audit_record(
        actor=actor,
        action="talent_note_delete",
        object_type="talent.note",
        object_id=pk,
        summary=f"{note.cadre.name}: #{pk}",
        before=before,
    )
