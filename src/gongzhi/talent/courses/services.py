"""The four required courses (四门必修课) of a cycle, their sessions, attendance and results, and
graduation at the end of the cycle (issue 7, item 2: "a cycle cannot close a cadre's record as
graduated without them").

Who may do what: a pool's administrators run everything; a course's instructors (Course.instructors)
see their own courses, add their sessions, keep their attendance, enter their scores and mark a
cadre complete for an INSTRUCTOR-rule course (issue 7: "marked complete by an instructor"). An
instructor of another course is refused (403).

A cycle's members are the pool's cadres in the pool now (status MEMBER) while the cycle is open,
and in any case those who got a graduation record in it (so a graduated cadre stays on the
cycle's pages after leaving the pool, and a closed cycle keeps its list).

Services follow DESIGN.md convention 1: keyword-only, permission first, Chinese DomainError naming
the field, write, audit last, one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, acting_user
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import DomainError
from gongzhi.places.access import may, require
from gongzhi.talent.access import TalentAction, administers, signed_in
from gongzhi.talent.completion import Rule, is_complete, missing_required
from gongzhi.talent.models import (
    Attendance,
    Cadre,
    CadreStatus,
    CompletionRule,
    Course,
    CourseResult,
    CourseSession,
    Cycle,
    CycleStatus,
    Graduation,
    GraduationOutcome,
    Membership,
    TalentPool,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SCORE_MIN, SCORE_MAX = Decimal("0"), Decimal("100")
CENT = Decimal("0.01")
GRADUATION_EXIT_REASON = "结业"


# --- reading ------------------------------------------------------------------------------------


def instructed_course_ids(user: Actor, pool: TalentPool | None = None) -> set[int]:
    """The courses the user teaches (of one pool, if given)."""
    person = signed_in(user)
    if person is None:
        return set()
    qs = Course.objects.filter(instructors=person)
    if pool is not None:
        qs = qs.filter(pool=pool)
    return set(qs.values_list("id", flat=True))


def visible_courses(user: Actor, pool: TalentPool) -> QuerySet[Course]:
    """Administrators see all of the pool's courses, instructors their own, others none."""
    qs = Course.objects.filter(pool=pool).order_by("position", "id")
    if administers(user, pool):
        return qs
    return qs.filter(pk__in=instructed_course_ids(user, pool))


def may_teach(user: Actor, course: Course) -> bool:
    """May the user keep this course's sessions, attendance and results?"""
    return may(user, TalentAction.TEACH, course)


def cycle_members(cycle: Cycle) -> QuerySet[Cadre]:
    """The cadres a cycle's courses and graduation are about (see the module docstring)."""
    q = Q(graduations__cycle=cycle)
    if cycle.status == CycleStatus.OPEN:
        q |= Q(status=CadreStatus.MEMBER)
    ids = Cadre.objects.filter(q, pool_id=cycle.pool_id).values("pk")
    return Cadre.objects.filter(pk__in=ids).select_related("organisation").order_by("name", "id")


def default_cycle(pool: TalentPool, cycle_id: Any = None) -> Cycle | None:
    """The cycle asked for (`?cycle=`), else the open one (latest start), else the latest."""
    cycles = Cycle.objects.filter(pool=pool)
    if cycle_id not in (None, ""):
        try:
            return cycles.filter(pk=int(cycle_id)).first()
        except (TypeError, ValueError):
            return None
    return cycles.filter(status=CycleStatus.OPEN).order_by("-start").first() or cycles.order_by("-start").first()


@dataclass(frozen=True)
class Cell:
    """One cadre × one course: complete or not, and what is missing in words."""

    done: bool
    text: str


@dataclass
class ProgressRow:
    cadre: Cadre
    cells: list[Cell] = field(default_factory=list)
    complete: bool = False


def _missing_text(course: Course, attended: int, result: CourseResult | None) -> str:
    if course.rule == CompletionRule.ATTENDANCE:
        return _("出勤 %(n)d/%(min)d") % {"n": attended, "min": course.min_sessions or 0}
    if course.rule == CompletionRule.SCORE:
        if result is None or result.score is None:
            return _("无成绩")
        return _("成绩 %(score)s < %(pass)s") % {"score": number(result.score), "pass": number(course.pass_score)}
    return _("待教师认定")


def number(value: Decimal | None) -> str:
    """58.00 → "58", 59.50 → "59.5" (never 5.8E+1)."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def progress(cycle: Cycle, courses: Sequence[Course], cadres: Sequence[Cadre]) -> list[ProgressRow]:
    """The progress matrix cadre × course of a cycle, in two queries whatever the number of cadres.

    Completion itself is completion.is_complete, the one rule used by graduation too."""
    ids = [c.pk for c in cadres]
    course_ids = [c.pk for c in courses]
    attended: dict[tuple[int, int], int] = defaultdict(int)
    results: dict[tuple[int, int], CourseResult] = {}
    if ids and course_ids:
        for agg in (
            Attendance.objects.filter(
                session__cycle=cycle, session__course_id__in=course_ids, cadre_id__in=ids, present=True
            )
            .values("cadre_id", "session__course_id")
            .annotate(n=Count("id"))
        ):
            attended[(agg["cadre_id"], agg["session__course_id"])] = agg["n"]
        for r in CourseResult.objects.filter(cycle=cycle, cadre_id__in=ids, course_id__in=course_ids):
            results[(r.cadre_id, r.course_id)] = r
    rows: list[ProgressRow] = []
    for cadre in cadres:
        row = ProgressRow(cadre=cadre)
        for course in courses:
            result = results.get((cadre.pk, course.pk))
            n = attended[(cadre.pk, course.pk)]
            done = is_complete(
                Rule(course.rule, course.min_sessions, course.pass_score),
                attended=n,
                score=result.score if result else None,
                marked=bool(result and result.marked_complete_at),
            )
            row.cells.append(Cell(done=done, text="" if done else _missing_text(course, n, result)))
        row.complete = all(cell.done for cell in row.cells)
        rows.append(row)
    return rows


# --- helpers of the writes ----------------------------------------------------------------------


def _check_open(cycle: Cycle) -> None:
    if cycle.status != CycleStatus.OPEN:
        raise DomainError(_("该培养周期已结束，不能再修改。"), code="cycle_closed")


def _locked_cycle(cycle: Cycle) -> Cycle:
    locked: Cycle = Cycle.objects.select_for_update(of=("self",)).get(pk=cycle.pk)
    return locked


def parse_score(value: Any, *, who: str = "") -> Decimal | None:
    """A score of 0–100 with at most two decimals; blank is None (clears). Chinese errors that name
    the field (and the cadre, in bulk entry)."""
    prefix = f"{who}：" if who else ""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        score = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(prefix + _("考核成绩须为数字。"), code="bad_score") from None
    if not score.is_finite() or score < SCORE_MIN or score > SCORE_MAX:
        raise DomainError(prefix + _("考核成绩须在 0 到 100 之间。"), code="bad_score")
    if score != score.quantize(CENT):
        raise DomainError(prefix + _("考核成绩最多两位小数。"), code="bad_score")
    return score.quantize(CENT)


def _check_rule(rule: str, min_sessions: int | None, pass_score: Any) -> Decimal | None:
    if rule not in CompletionRule.values:
        raise DomainError(_("请选择结业条件。"), code="bad_rule")
    if min_sessions is not None and min_sessions < 1:
        raise DomainError(_("最少出勤次数须至少为 1。"), code="bad_min_sessions")
    if rule == CompletionRule.ATTENDANCE and min_sessions is None:
        raise DomainError(_("按出勤结业的课程须填写最少出勤次数（至少 1 次）。"), code="bad_min_sessions")
    try:
        score = parse_score(pass_score)
    except DomainError:
        raise DomainError(_("及格分须为 0 到 100 之间的数，最多两位小数。"), code="bad_pass_score") from None
    if rule == CompletionRule.SCORE and score is None:
        raise DomainError(_("按成绩结业的课程须填写及格分。"), code="bad_pass_score")
    return score


# --- courses ------------------------------------------------------------------------------------


@transaction.atomic
def course_update(
    *,
    actor: Actor,
    course: Course,
    name: str,
    rule: str,
    min_sessions: int | None = None,
    pass_score: Any = None,
    instructors: Sequence[User] = (),
) -> Course:
    """Change a course's name, rule and instructors. Attendance and results already recorded are
    kept as they are (a rule change only changes what they count for)."""
    require(actor, TalentAction.ADMINISTER, course.pool_id)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写课程名称。"), code="name_required")
    score = _check_rule(rule, min_sessions, pass_score)
    course = Course.objects.select_for_update(of=("self",)).get(pk=course.pk)
    if Course.objects.filter(pool_id=course.pool_id, name=name).exclude(pk=course.pk).exists():
        raise DomainError(_("本人才库已有同名课程。"), code="duplicate_name")
    before = {
        "name": course.name,
        "rule": course.rule,
        "min_sessions": course.min_sessions,
        "pass_score": course.pass_score,
        "instructors": sorted(course.instructors.values_list("pk", flat=True)),
    }
    course.name, course.rule, course.min_sessions, course.pass_score = name, rule, min_sessions, score
    course.full_clean()
    course.save()
    course.instructors.set(list(instructors))
    audit_record(
        actor=actor,
        action="talent_course_update",
        object_type="talent.course",
        object_id=course.pk,
        summary=name,
        before=before,
        after={
            "name": name,
            "rule": rule,
            "min_sessions": min_sessions,
            "pass_score": score,
            "instructors": sorted(u.pk for u in instructors),
        },
    )
    return course


@transaction.atomic
def course_create(
    *,
    actor: Actor,
    pool: TalentPool,
    name: str,
    rule: str,
    min_sessions: int | None = None,
    pass_score: Any = None,
    instructors: Sequence[User] = (),
) -> Course:
    """Add an elective course (选修课): the four required courses come with the pool; electives
    are recorded the same way but never hold up graduation."""
    require(actor, TalentAction.ADMINISTER, pool.pk)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写课程名称。"), code="name_required")
    score = _check_rule(rule, min_sessions, pass_score)
    if Course.objects.filter(pool=pool, name=name).exists():
        raise DomainError(_("本人才库已有同名课程。"), code="duplicate_name")
    last = Course.objects.filter(pool=pool).order_by("-position").values_list("position", flat=True).first()
    course = Course(
        pool=pool,
        name=name,
        required=False,
        position=(last or 0) + 1,
        rule=rule,
        min_sessions=min_sessions,
        pass_score=score,
    )
    course.full_clean()
    course.save()
    course.instructors.set(list(instructors))
    audit_record(
        actor=actor,
        action="talent_course_create",
        object_type="talent.course",
        object_id=course.pk,
        summary=name,
        after={"rule": rule, "min_sessions": min_sessions, "pass_score": score, "required": False},
    )
    return course


# --- sessions and attendance --------------------------------------------------------------------


@transaction.atomic
def session_create(
    *,
    actor: Actor,
    course: Course,
    cycle: Cycle,
    title: str,
    held_on: dt.date,
    location: str = "",
    lecturer: str = "",
) -> CourseSession:
    """A session of a course in a cycle, on a day within the cycle."""
    require(actor, TalentAction.TEACH, course)
    if cycle.pool_id != course.pool_id:
        raise DomainError(_("培养周期不属于本人才库。"), code="bad_cycle")
    cycle = _locked_cycle(cycle)
    _check_open(cycle)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写课题。"), code="title_required")
    if not cycle.start <= held_on <= cycle.end:
        raise DomainError(
            _("日期须在培养周期内（%(start)s 至 %(end)s）。") % {"start": cycle.start, "end": cycle.end},
            code="bad_date",
        )
    session = CourseSession.objects.create(
        course=course,
        cycle=cycle,
        title=title,
        held_on=held_on,
        location=(location or "").strip(),
        lecturer=(lecturer or "").strip(),
    )
    audit_record(
        actor=actor,
        action="talent_session_create",
        object_type="talent.coursesession",
        object_id=session.pk,
        summary=f"{course.name} {held_on} {title}",
        after={"course": course.pk, "cycle": cycle.pk, "held_on": held_on},
    )
    return session


@transaction.atomic
def attendance_save(*, actor: Actor, session: CourseSession, present: Collection[int]) -> dict[str, int]:
    """Save a session's whole attendance sheet at once: every member of the cycle is recorded as
    present (their id in `present`) or absent. Saving again updates the sheet. Returns the counts."""
    course = session.course
    require(actor, TalentAction.TEACH, course)
    cycle = _locked_cycle(session.cycle)
    _check_open(cycle)
    members = {c.pk: c for c in cycle_members(cycle)}
    strangers = set(present) - set(members)
    if strangers:
        raise DomainError(_("出勤名单中有不属于本周期的人员。"), code="bad_cadre")
    existing = {a.cadre_id: a for a in Attendance.objects.select_for_update(of=("self",)).filter(session=session)}
    before = sorted(cid for cid, a in existing.items() if a.present)
    user = acting_user(actor)
    new, changed = [], []
    for cadre_id in members:
        here = cadre_id in present
        row = existing.get(cadre_id)
        if row is None:
            new.append(Attendance(session=session, cadre_id=cadre_id, present=here, recorded_by=user))
        elif row.present != here:
            row.present, row.recorded_by = here, user
            changed.append(row)
    Attendance.objects.bulk_create(new)
    Attendance.objects.bulk_update(changed, ["present", "recorded_by"])
    after = sorted(cid for cid in members if cid in present)
    audit_record(
        actor=actor,
        action="talent_attendance_save",
        object_type="talent.coursesession",
        object_id=session.pk,
        summary=f"{course.name} {session.held_on}: {len(after)}/{len(members)}",
        before={"present": before},
        after={"present": after},
    )
    return {"present": len(after), "absent": len(members) - len(after)}


# --- results ------------------------------------------------------------------------------------


class ResultsRefusedError(DomainError):
    """A bulk score entry refused as a whole; `rows` maps cadre id → the Chinese message."""

    def __init__(self, rows: dict[int, str]) -> None:
        super().__init__(_("成绩未保存：有 %(n)d 行填写有误，请修改后重新提交。") % {"n": len(rows)}, code="bad_rows")
        self.rows = rows


@transaction.atomic
def results_save(*, actor: Actor, course: Course, cycle: Cycle, scores: Mapping[int, Any]) -> int:
    """Enter the assessment scores of many cadres at once (cadre id → text; blank clears). All rows
    are checked first and nothing is written if any is wrong (errors by row, naming the cadre and
    the field). Returns the number of results changed."""
    require(actor, TalentAction.TEACH, course)
    if cycle.pool_id != course.pool_id:
        raise DomainError(_("培养周期不属于本人才库。"), code="bad_cycle")
    cycle = _locked_cycle(cycle)
    _check_open(cycle)
    members = {c.pk: c for c in cycle_members(cycle)}
    errors: dict[int, str] = {}
    parsed: dict[int, Decimal | None] = {}
    for cadre_id, raw in scores.items():
        cadre = members.get(cadre_id)
        if cadre is None:
            errors[cadre_id] = _("第 %(id)s 号人员不属于本周期。") % {"id": cadre_id}
            continue
        try:
            parsed[cadre_id] = parse_score(raw, who=cadre.name)
        except DomainError as exc:
            errors[cadre_id] = exc.message
    if errors:
        raise ResultsRefusedError(errors)
    existing = {
        r.cadre_id: r
        for r in CourseResult.objects.select_for_update(of=("self",)).filter(
            course=course, cycle=cycle, cadre_id__in=list(parsed)
        )
    }
    changes: dict[str, list[Any]] = {}
    new, changed = [], []
    for cadre_id, score in parsed.items():
        row = existing.get(cadre_id)
        if row is None:
            if score is None:
                continue
            new.append(CourseResult(course=course, cycle=cycle, cadre_id=cadre_id, score=score))
            changes[str(cadre_id)] = [None, score]
        elif row.score != score:
            changes[str(cadre_id)] = [row.score, score]
            row.score = score
            changed.append(row)
    CourseResult.objects.bulk_create(new)
    CourseResult.objects.bulk_update(changed, ["score"])
    if changes:
        audit_record(
            actor=actor,
            action="talent_results_save",
            object_type="talent.course",
            object_id=course.pk,
            summary=f"{course.name} {cycle.name}: {len(changes)}",
            after={"cycle": cycle.pk, "scores": changes},
        )
    return len(changes)


@transaction.atomic
def result_mark(
    *, actor: Actor, course: Course, cycle: Cycle, cadre: Cadre, complete: bool, note: str = ""
) -> CourseResult:
    """Mark a cadre complete for an INSTRUCTOR-rule course (or undo the mark): by one of the
    course's instructors or an administrator, audited either way."""
    require(actor, TalentAction.TEACH, course)
    if course.rule != CompletionRule.INSTRUCTOR:
        raise DomainError(_("只有“教师认定”的课程可以认定完成。"), code="not_instructor_rule")
    if cycle.pool_id != course.pool_id:
        raise DomainError(_("培养周期不属于本人才库。"), code="bad_cycle")
    cycle = _locked_cycle(cycle)
    _check_open(cycle)
    if not cycle_members(cycle).filter(pk=cadre.pk).exists():
        raise DomainError(_("%(name)s 不属于本周期。") % {"name": cadre.name}, code="bad_cadre")
    result, _created = CourseResult.objects.select_for_update(of=("self",)).get_or_create(
        course=course, cycle=cycle, cadre=cadre
    )
    was = result.marked_complete_at is not None
    if complete:
        result.marked_complete_by, result.marked_complete_at = acting_user(actor), timezone.now()
    else:
        result.marked_complete_by, result.marked_complete_at = None, None
    if note.strip():
        result.note = note.strip()
    result.save()
    audit_record(
        actor=actor,
        action="talent_result_mark" if complete else "talent_result_unmark",
        object_type="talent.courseresult",
        object_id=result.pk,
        summary=f"{course.name} {cadre.name}",
        before={"marked": was},
        after={"marked": complete, "note": result.note},
    )
    return result


# --- graduation ---------------------------------------------------------------------------------


@transaction.atomic
def graduation_record(
    *,
    actor: Actor,
    cycle: Cycle,
    cadre: Cadre,
    outcome: str,
    note: str = "",
    today: dt.date | None = None,
) -> Graduation:
    """Close a cadre's record in a cycle. "结业" (GRADUATED) needs every required course of the pool
    complete (issue 7, item 2) — otherwise refused, naming the missing courses — and sets the
    cadre's status to GRADUATED and closes their open stay in the pool (exit reason "结业").
    "未结业" is always allowed, with a note saying why."""
    today = today or timezone.localdate()
    require(actor, TalentAction.ADMINISTER, cycle.pool_id)
    TalentPool.objects.select_for_update().get(pk=cycle.pool_id)  # membership changes run one at a time
    cycle = _locked_cycle(cycle)
    _check_open(cycle)
    if outcome not in GraduationOutcome.values:
        raise DomainError(_("请选择结论。"), code="bad_outcome")
    cadre = Cadre.objects.select_for_update(of=("self",)).get(pk=cadre.pk)
    if cadre.pool_id != cycle.pool_id or cadre.status != CadreStatus.MEMBER:
        raise DomainError(_("%(name)s 不是本周期的在库学员。") % {"name": cadre.name}, code="bad_cadre")
    if Graduation.objects.filter(cycle=cycle, cadre=cadre).exists():
        raise DomainError(_("%(name)s 已有结业记录。") % {"name": cadre.name}, code="duplicate")
    note = (note or "").strip()
    if outcome == GraduationOutcome.NOT_GRADUATED and not note:
        raise DomainError(_("未结业须填写说明。"), code="note_required")
    if outcome == GraduationOutcome.GRADUATED:
        missing = missing_required(cycle, [cadre.pk])[cadre.pk]
        if missing:
            raise DomainError(
                _("%(name)s 尚未完成必修课程：%(courses)s，不能结业。")
                % {"name": cadre.name, "courses": "、".join(c.name for c in missing)},
                code="missing_courses",
            )
        stay = Membership.objects.select_for_update(of=("self",)).filter(cadre=cadre, exited_on__isnull=True).first()
        if stay is not None:
            if today < stay.entered_on:
                raise DomainError(_("结业日期不能早于入库日期。"), code="bad_date")
            stay.exited_on, stay.exit_reason = today, GRADUATION_EXIT_REASON
            stay.save(update_fields=["exited_on", "exit_reason"])
        cadre.status = CadreStatus.GRADUATED
        cadre.save(update_fields=["status"])
    graduation = Graduation.objects.create(
        cycle=cycle, cadre=cadre, outcome=outcome, decided_on=today, decided_by=acting_user(actor), note=note
    )
    audit_record(
        actor=actor,
        action="talent_graduation_record",
        object_type="talent.graduation",
        object_id=graduation.pk,
        summary=f"{cycle.name} {cadre.name} {outcome}",
        before={"status": CadreStatus.MEMBER},
        after={"outcome": outcome, "status": cadre.status, "note": note, "decided_on": today},
    )
    return graduation


@transaction.atomic
def cycle_close(*, actor: Actor, cycle: Cycle, today: dt.date | None = None) -> Cycle:
    """Close a cycle once every member has a graduation record (结业 or 未结业); after that no
    attendance, result or graduation can be recorded in it."""
    today = today or timezone.localdate()
    require(actor, TalentAction.ADMINISTER, cycle.pool_id)
    cycle = _locked_cycle(cycle)
    _check_open(cycle)
    pending = list(
        Cadre.objects.filter(pool_id=cycle.pool_id, status=CadreStatus.MEMBER)
        .exclude(graduations__cycle=cycle)
        .order_by("name", "id")
        .values_list("name", flat=True)
    )
    if pending:
        shown = "、".join(pending[:5]) + ("等" if len(pending) > 5 else "")
        raise DomainError(
            _("还有 %(n)d 人没有结业记录（%(names)s），不能结束本周期。") % {"n": len(pending), "names": shown},
            code="pending_graduations",
        )
    cycle.status = CycleStatus.CLOSED
    cycle.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="talent_cycle_close",
        object_type="talent.cycle",
        object_id=cycle.pk,
        summary=cycle.name,
        before={"status": CycleStatus.OPEN},
        after={"status": CycleStatus.CLOSED, "closed_on": today},
    )
    return cycle
