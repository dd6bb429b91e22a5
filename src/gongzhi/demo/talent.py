"""Demo data of the talent pool (issue 7): a city-level "Youth Striving" (青年争先) programme like
Shaoxing's "1455" system — one capped pool, four required courses, five core skills.

Pool 「市直机关青年干部人才库（示例）」 (cap 100, exit below 60, skills 0–100) in three categories with
quotas 50/30/20, 24 fictional organisations, two two-year rounds: the previous one closed (courses, research
with a held summary meeting, a confirmed review, a graduation record for everyone) and the current
one open, containing `today` (2025—2026 when today falls in it; otherwise shifted by whole rounds).
About 96 members now with courses, two rounds of skill assessments, appraisals, postings, honours,
notes, eight activities with feedback, six research projects, last year's awards decided and this
year's pending, 12 pending organisation nominations and a proposed review waiting for `rencai` to confirm.

Every person is fictional (sample data). Everything is written through the talent services (which
check and audit) with the right actor — the administrator, an organisation's contact for its nominations,
the instructor for marks, cadres and organisations for feedback; only the course rows (configuration
without a service) are created directly. Deterministic for a seed and `today`; writes nothing when
the pool exists already.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.core.actors import person
from gongzhi.talent.activities import services as act
from gongzhi.talent.awards import services as aw
from gongzhi.talent.completion import missing_required
from gongzhi.talent.courses import services as crs
from gongzhi.talent.models import (
    ActivityKind,
    AppraisalGrade,
    AwardKind,
    AwardNomination,
    Cadre,
    CompletionRule,
    Course,
    Cycle,
    CycleStatus,
    Gender,
    Graduation,
    GraduationOutcome,
    Nomination,
    NominationStatus,
    Organisation,
    PoolCategory,
    RerankReview,
    ResearchProject,
    ReviewStatus,
    Skill,
    TalentPool,
)
from gongzhi.talent.people import services as svc
from gongzhi.talent.research import services as res
from gongzhi.talent.reviews import services as rev

POOL_NAME = "市直机关青年干部人才库（示例）"
POOL_DESCRIPTION = "示例数据：仿“青年争先”“1455”体系的市直机关青年干部人才库，人员均为虚构。"
CAP = 100
EXIT_BELOW = Decimal("60")
CATEGORIES = (("综合管理类", 50), ("行政执法类", 30), ("专业技术类", 20))
ORGANISATIONS = (
    "市发改委",
    "市财政局",
    "市住建局",
    "市教育局",
    "市公安局",
    "市民政局",
    "市司法局",
    "市人力社保局",
    "市自然资源规划局",
    "市生态环境局",
    "市交通运输局",
    "市水利局",
    "市农业农村局",
    "市商务局",
    "市文化广电旅游局",
    "市卫生健康委",
    "市应急管理局",
    "市审计局",
    "市市场监管局",
    "市统计局",
    "市医保局",
    "市综合执法局",
    "市信访局",
    "市大数据局",
)
# Each: name, completion rule, minimum sessions attended, pass score.
COURSES = (
    ("理论武装", CompletionRule.ATTENDANCE, 3, None),
    ("政策法规", CompletionRule.SCORE, None, Decimal("60")),
    ("公文写作", CompletionRule.SCORE, None, Decimal("60")),
    ("群众工作方法", CompletionRule.INSTRUCTOR, None, None),
)
# Review weights (skills, courses, appraisal, research): set by the programme's committee.
WEIGHTS = (Decimal(50), Decimal(10), Decimal(30), Decimal(10))

# Logins of this part (listed in liangzhu.DEMO_USERS with demo="talent"; all with the demo password).
ADMIN = "rencai"
ORGANISATION_CONTACT = "danwei"
CADRE_LOGIN = "ganbu"
INSTRUCTOR = "jiaoshi"
ORGANISATION_OF_CONTACT = ORGANISATIONS[0]
# Unprinted logins (no usable password) that give feedback and nominate: other organisations' contacts and
# some cadres.
OTHER_CONTACT = "talent-organisation-{:02d}"
CADRE_USER = "talent-cadre-{:02d}"
CADRE_LOGINS = 16

PREVIOUS_INTAKE = (30, 18, 12)  # the previous round's first intake per category (60)
PREVIOUS_WEAK = 5  # ... of whom this many score below the line at its review
PREVIOUS_LAGGING = 3  # ... and this many miss a course (not graduated, carried over)
PREVIOUS_NOMINEES = 8
CURRENT_TARGET = (48, 29, 19)  # members now per category (96 in all)
CURRENT_WEAK = 5
PENDING_NOMINEES = 12  # 3 of them from the contact's organisation

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈任姚卢钟姜"
SINGLE = "伟芳敏静丽强磊军洋勇杰涛明超华斌浩宇欣琪晨阳凯瑶婷鑫"
GIVEN = "晓明思远可欣子涵雨桐浩然嘉怡俊杰梦瑶志强文博佳琪宇航诗雨建华晨曦一鸣若溪天佑静怡立新"
EDUCATION = ("大学本科", "大学本科", "硕士研究生", "硕士研究生", "博士研究生")
POLITICAL = ("中共党员", "中共党员", "中共党员", "中共预备党员", "共青团员")
POSTS = ("科员", "一级科员", "四级主任科员", "三级主任科员", "副科长", "科长")
SKILL_ASSESSOR = "市委组织部干部培训处（示例）"

ACTIVITIES = (
    (ActivityKind.STUDY, "学习贯彻党的二十届三中全会精神专题读书班", "市委党校", 60, 2),
    (ActivityKind.FIELD_VISIT, "“千万工程”实地考察", "新昌县、诸暨市", 120, 1),
    (ActivityKind.STUDY, "数字化改革专题讲座", "市大数据局报告厅", 170, 0),
    (ActivityKind.PRACTICE, "基层治理一线实践锻炼", "越城区各街道", 210, 30),
    (ActivityKind.TASK_FORCE, "优化营商环境攻坚专班", "市发改委", 260, 45),
    (ActivityKind.FIELD_VISIT, "枫桥经验陈列馆现场教学", "诸暨市枫桥镇", 330, 0),
    (ActivityKind.PRACTICE, "信访接待窗口轮岗", "市信访局", 400, 14),
    (ActivityKind.STUDY, "应急处突能力实训", "市应急管理局实训基地", 470, 2),
)
COMMENTS = {
    5: ("安排紧凑，收获很大。", "现场教学生动，值得推广。", "学以致用，对本职工作帮助明显。", ""),
    4: ("内容充实，建议增加互动交流环节。", "总体很好，希望多安排案例研讨。", "收获较多，时间略紧。", ""),
    3: ("内容偏理论，建议结合本单位实际。", "组织尚可，部分环节与工作冲突。", ""),
    2: ("时间安排与工作冲突较多。",),
    1: ("与岗位关联不大。",),
}
CYCLE_COMMENTS = (
    "培养计划系统完整，建议增加跨部门交流。",
    "导师指导很有帮助。",
    "课题研究锻炼了调研能力。",
    "希望实践锻炼岗位更贴近专业。",
    "",
)
PREVIOUS_PROJECTS = (
    "数字经济赋能传统产业转型路径研究",
    "城市更新中的老旧小区改造机制研究",
    "基层减负与治理效能提升研究",
    "营商环境评价指标体系优化研究",
    "新时代“枫桥经验”在城市社区的实践",
    "共同富裕背景下山区县乡村振兴研究",
    "生态环境损害赔偿制度落地研究",
    "政务服务“一网通办”体验优化研究",
    "青年人才引育留用政策评估",
    "应急管理体系和能力现代化研究",
)
CURRENT_PROJECTS = (
    "人工智能在政务服务中的应用研究",
    "县域医共体建设成效评估",
    "历史文化街区保护与活化利用研究",
    "中小企业融资难问题调研",
    "城市内涝防治与韧性城市建设研究",
    "新就业群体党建工作研究",
)
MENTORS = ("周建国（示例）", "钱丽华（示例）", "孙志远（示例）", "沈文清（示例）", "陆海平（示例）")
POSTINGS = (
    ("越城区府山街道", "党工委副书记（挂职）"),
    ("柯桥区柯岩街道", "办事处副主任（挂职）"),
    ("上虞区信访局", "接待科副科长（挂职）"),
    ("市重大项目攻坚专班", "综合组成员"),
    ("嵊州市甘霖镇", "镇长助理（挂职）"),
    ("新昌县发改局", "副局长（挂职）"),
)
HONOURS = (
    ("市级优秀共产党员", "中共绍兴市委"),
    ("防汛防台抗灾先进个人", "市防汛防台抗旱指挥部"),
    ("优秀公务员", "市人力社保局"),
    ("青年岗位能手", "共青团绍兴市委"),
)
NOTES = (
    "综合素质突出，可考虑重点岗位历练。",
    "调研报告质量高，建议参与全市重点课题。",
    "群众工作经验稍欠，建议安排基层锻炼。",
    "本人提出希望参加专班攻坚，已登记。",
    "年度考核等次偏低，需跟踪了解原因。",
)
PASS = 60


def cycle_start_year(today: dt.date) -> int:
    """The current round starts on 1 January of this year: 2025 when today falls in 2025–2026,
    else shifted by whole two-year rounds."""
    return 2025 + 2 * ((today.year - 2025) // 2)


def round_name(year: int) -> str:
    return f"{year}—{year + 1} 届"


def _pdf(title: str) -> bytes:
    """A minimal valid one-page PDF (hand-written, byte offsets computed) with an ASCII title."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources <</Font <</F1 5 0 R>>>> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@dataclass
class _Person:
    """The plan of one cadre: how strong they are (drives skills, courses and appraisals)."""

    cadre: Cadre
    weak: bool = False
    lagging: bool = False
    strong: bool = False


@dataclass
class _World:
    rng: random.Random
    today: dt.date
    pool: TalentPool
    admin: Any
    instructor: Any
    organisations: list[Organisation]
    contacts: dict[int, Any]  # organisation id → its contact login
    categories: list[PoolCategory]
    courses: list[Course]
    previous: Cycle
    current: Cycle
    names: set[str] = field(default_factory=set)
    cadre_users: list[Any] = field(default_factory=list)


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def load_talent(*, seed: int, today: dt.date, users: dict[str, Any], password: str) -> TalentPool | None:
    """Load the talent sample; None (nothing written) when the pool exists. `users` receives the
    four printed logins (all with `password`)."""
    if TalentPool.objects.filter(name=POOL_NAME).exists():
        return None
    rng = random.Random(f"{seed}-talent")  # noqa: S311 - sample data, not security
    logins = _users(password)
    users.update(logins)
    w = _setup(rng, today, logins)
    _previous_round(w)
    _current_round(w, logins[CADRE_LOGIN], logins[ORGANISATION_CONTACT])
    return w.pool


# --- set-up -----------------------------------------------------------------------------------


def _users(password: str) -> dict[str, Any]:
    user_model = get_user_model()
    encoded = make_password(password)
    labels = {
        ADMIN: "人才库管理员",
        ORGANISATION_CONTACT: "单位联络人",
        CADRE_LOGIN: "青年干部",
        INSTRUCTOR: "授课教师",
    }
    out: dict[str, Any] = {}
    for username, label in labels.items():
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(username=username, first_name=f"{label}（示例）", password=encoded)
            user.save()
        out[username] = user
    return out


def _unprinted(username: str, label: str) -> Any:
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, first_name=f"{label}（示例）", password=make_password(None))
        user.save()
    return user


def _setup(rng: random.Random, today: dt.date, logins: dict[str, Any]) -> _World:
    admin = logins[ADMIN]
    pool = TalentPool.objects.create(name=POOL_NAME, description=POOL_DESCRIPTION)  # no create service
    pool.administrators.add(admin)
    svc.pool_update(
        actor=admin,
        pool=pool,
        name=POOL_NAME,
        description=POOL_DESCRIPTION,
        cap=CAP,
        exit_below=EXIT_BELOW,
        skill_scale_min=Decimal(0),
        skill_scale_max=Decimal(100),
    )
    categories = [svc.category_save(actor=admin, pool=pool, name=n, quota=q).category for n, q in CATEGORIES]
    year = cycle_start_year(today)
    previous = svc.cycle_save(
        actor=admin, pool=pool, name=round_name(year - 2), start=dt.date(year - 2, 1, 1), end=dt.date(year - 1, 12, 31)
    )
    current = svc.cycle_save(
        actor=admin, pool=pool, name=round_name(year), start=dt.date(year, 1, 1), end=dt.date(year + 1, 12, 31)
    )
    organisations: list[Organisation] = []
    contacts: dict[int, Any] = {}
    for i, name in enumerate(ORGANISATIONS):
        contact = logins[ORGANISATION_CONTACT] if i == 0 else _unprinted(OTHER_CONTACT.format(i), f"{name}联络人")
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is None:
            organisation = svc.organisation_create(actor=admin, name=name, members=[contact])
        else:
            organisation.members.add(contact)  # an organisation of another sample: configuration, no service
        organisations.append(organisation)
        contacts[organisation.pk] = contact
    instructor = logins[INSTRUCTOR]
    course_rows = []
    for position, (name, rule, min_sessions, pass_score) in enumerate(COURSES, start=1):
        course = Course.objects.create(  # the four required courses come with the pool (no service)
            pool=pool,
            name=name,
            required=True,
            position=position,
            rule=rule,
            min_sessions=min_sessions,
            pass_score=pass_score,
        )
        if rule == CompletionRule.INSTRUCTOR:
            course.instructors.add(instructor)
        course_rows.append(course)
    return _World(
        rng, today, pool, admin, instructor, organisations, contacts, categories, course_rows, previous, current
    )


def _past(w: _World, day: dt.date) -> dt.date:
    return min(day, w.today)


def _name(w: _World) -> str:
    while True:
        i = w.rng.randrange(0, len(GIVEN) - 1, 2)
        name = w.rng.choice(SURNAMES) + (GIVEN[i : i + 2] if w.rng.random() < 0.75 else w.rng.choice(SINGLE))
        if name not in w.names:
            w.names.add(name)
            return name


def _profile_fields(w: _World, category: PoolCategory, organisation: Organisation) -> dict[str, Any]:
    age_days = w.rng.randint(26 * 365 + 30, 35 * 365 + 300)
    return {
        "name": _name(w),
        "date_of_birth": w.today - dt.timedelta(days=age_days),
        "gender": w.rng.choice((Gender.MALE, Gender.FEMALE)),
        "post": w.rng.choice(POSTS),
        "category": category,
        "education": w.rng.choice(EDUCATION),
        "political_status": w.rng.choice(POLITICAL),
        "phone": "138" + "".join(w.rng.choice("0123456789") for _ in range(8)),
    }


def _new_cadre(
    w: _World, category: PoolCategory, *, organisation: Organisation | None = None, username: str = ""
) -> Cadre:
    organisation = organisation or w.rng.choice(w.organisations)
    fields = _profile_fields(w, category, organisation)
    staff = f"SX{len(w.names):04d}"
    profile = svc.Profile(organisation=organisation, staff_number=staff, username=username, **fields)
    return svc.cadre_create(actor=w.admin, pool=w.pool, profile=profile, today=w.today)


def _enter(w: _World, people: Sequence[_Person], day: dt.date, reason: str) -> None:
    for p in people:
        svc.membership_enter(actor=w.admin, cadre=p.cadre, entered_on=day, reason=reason, today=w.today)
        p.cadre.refresh_from_db(fields=["status"])  # the service wrote through its own (locked) copy


def _skills(w: _World, people: Sequence[_Person], day: dt.date, shift: int = 0) -> None:
    """One round of the five core skills for each person (strong ~85, weak ~52, others ~75)."""
    for p in people:
        base = 52 if p.weak else 86 if p.strong else 75
        for skill in Skill.values:
            score = max(30, min(98, base + shift + w.rng.randint(-9, 9)))
            svc.skill_assess(
                actor=w.admin,
                cadre=p.cadre,
                skill=skill,
                score=Decimal(score),
                assessed_on=day,
                assessor=SKILL_ASSESSOR,
                today=w.today,
            )


def _appraisals(w: _World, people: Sequence[_Person], years: Sequence[int], *, incompetent: Cadre | None) -> None:
    for p in people:
        for year in years:
            if p.cadre == incompetent and year == years[-1]:
                grade = AppraisalGrade.INCOMPETENT
            elif p.weak:
                grade = AppraisalGrade.BASICALLY_COMPETENT
            elif p.strong:
                grade = AppraisalGrade.EXCELLENT if w.rng.random() < 0.7 else AppraisalGrade.COMPETENT
            else:
                grade = AppraisalGrade.EXCELLENT if w.rng.random() < 0.2 else AppraisalGrade.COMPETENT
            svc.appraisal_record(actor=w.admin, cadre=p.cadre, year=year, grade=grade, today=w.today)


def _courses(w: _World, cycle: Cycle, people: Sequence[_Person], first: dt.date, last: dt.date) -> None:
    """Sessions between `first` and `last`, attendance, scores and marks. Each person completes
    each course with a chance that depends on them; `last` bounds every date."""
    theory, policy, writing, public = w.courses
    span = max((last - first).days, 0)

    def day(fraction: float) -> dt.date:
        return first + dt.timedelta(days=int(span * fraction))

    chance = {theory.pk: 0.88, policy.pk: 0.82, writing.pk: 0.72, public.pk: 0.6}
    if cycle == w.previous:  # a round that ends: all but the weak and the lagging complete everything
        chance = dict.fromkeys(chance, 1.0)
    plan: dict[int, set[int]] = {}
    for p in people:
        if p.weak:
            done = {c.pk for c in w.courses if w.rng.random() < 0.4}
        elif p.lagging:
            done = {c.pk for c in w.courses} - {w.rng.choice(w.courses).pk}
        else:
            done = {c.pk for c in w.courses if w.rng.random() < chance[c.pk] or p.strong}
        plan[p.cadre.pk] = done
    topics = (
        "习近平新时代中国特色社会主义思想专题",
        "党的二十大精神解读",
        "党史学习教育",
        "全过程人民民主",
        "中国式现代化",
    )
    sessions = [
        crs.session_create(
            actor=w.admin,
            course=theory,
            cycle=cycle,
            title=t,
            held_on=day(0.1 + 0.18 * i),
            location="市委党校",
            lecturer="市委党校教研室",
        )
        for i, t in enumerate(topics)
    ]
    required = theory.min_sessions or 3
    for n, session in enumerate(sessions):
        present = set()
        for p in people:
            pk = p.cadre.pk
            # Completers attend the first `required` sessions and some of the others; the rest at
            # most `required` − 1.
            if theory.pk in plan[pk]:
                here = n < required or w.rng.random() < 0.6
            else:
                here = n < required - 1 and w.rng.random() < 0.8
            if here:
                present.add(pk)
        crs.attendance_save(actor=w.admin, session=session, present=present)
    crs.session_create(
        actor=w.admin,
        course=policy,
        cycle=cycle,
        title="依法行政与行政复议",
        held_on=day(0.3),
        location="市司法局",
        lecturer="市司法局法制科",
    )
    crs.session_create(
        actor=w.admin,
        course=writing,
        cycle=cycle,
        title="公文写作规范与调研报告",
        held_on=day(0.55),
        location="市委办公室",
        lecturer="市委办公室文电科",
    )
    crs.session_create(
        actor=w.instructor,
        course=public,
        cycle=cycle,
        title="群众工作方法与信访接待",
        held_on=day(0.45),
        location="市信访局",
        lecturer="陈卫东（示例）",
    )
    for course in (policy, writing):
        scores: dict[int, Any] = {}
        for p in people:
            pk = p.cadre.pk
            if course.pk in plan[pk]:
                scores[pk] = Decimal(w.rng.randint(62, 96) if not p.strong else w.rng.randint(82, 98))
            elif w.rng.random() < 0.7:
                scores[pk] = Decimal(w.rng.randint(41, 59))  # sat the exam and failed; else absent
        crs.results_save(actor=w.admin, course=course, cycle=cycle, scores=scores)
    for p in people:
        if public.pk in plan[p.cadre.pk]:
            crs.result_mark(actor=w.instructor, course=public, cycle=cycle, cadre=p.cadre, complete=True)


def _research(
    w: _World, cycle: Cycle, people: Sequence[_Person], titles: Sequence[str], *, reports: int, scored: int
) -> list[ResearchProject]:
    """Projects of 4–5 members each, milestones, `reports` reports uploaded and `scored` scored."""
    pool_people = [p for p in people if not p.weak]
    w.rng.shuffle(pool_people)
    projects = []
    closed = cycle == w.previous
    mid = cycle.start + dt.timedelta(days=300)
    for i, title in enumerate(titles):
        size = w.rng.randint(4, 5)
        group = [p.cadre for p in pool_people[i * 5 : i * 5 + size]]
        project = res.project_save(
            actor=w.admin,
            cycle=cycle,
            title=title,
            topic=f"围绕“{title}”开展调查研究，形成调研报告和对策建议。",
            members=group,
            leader=group[0],
            mentor=MENTORS[i % len(MENTORS)],
        )
        milestones = (
            ("开题论证", mid),
            ("中期检查", mid + dt.timedelta(days=150)),
            ("结题报告", mid + dt.timedelta(days=330)),
        )
        for m, (name, planned) in enumerate(milestones):
            due = planned
            if not closed and m == 2 and i >= reports:  # not reported yet: the last milestone is ahead
                due = max(w.today + dt.timedelta(days=20), cycle.start)
            stone = res.milestone_add(actor=w.admin, project=project, title=name, due_on=min(due, cycle.end))
            # Done unless overdue on purpose: in the open round, projects 3 and 4 miss a milestone.
            late = not closed and i in (3, 4) and m == 1
            if stone.due_on <= w.today and not late:
                done = _past(w, stone.due_on - dt.timedelta(days=w.rng.randint(0, 12)))
                res.milestone_done(actor=w.admin, milestone=stone, done_on=max(done, cycle.start), today=w.today)
        if i < reports:
            upload = SimpleUploadedFile(f"report-{i + 1}.pdf", _pdf(f"Research report {i + 1}"), "application/pdf")
            res.report_upload(actor=w.admin, project=project, upload=upload)
        if i < scored:
            res.project_score(
                actor=w.admin,
                project=project,
                score=Decimal(w.rng.randint(72, 94)),
                comment="选题紧扣中心工作，调研扎实，对策具有可操作性。",
            )
        projects.append(project)
    return projects


def _nominate(
    w: _World, count: int, categories: Sequence[PoolCategory], *, strong: int, organisation: Organisation | None = None
) -> list[_Person]:
    """`count` nominations of new candidates by their organisations' contacts (the first `strong` ones
    strong), with their skills assessed and appraisals recorded by the administrator."""
    people = []
    for i in range(count):
        nominating = organisation or w.organisations[1 + (i * 7) % (len(w.organisations) - 1)]
        category = categories[i % len(categories)]
        fields = _profile_fields(w, category, nominating)
        profile = rev.CandidateProfile(staff_number=f"SX{len(w.names):04d}", **fields)
        nomination = rev.nomination_create(
            actor=w.contacts[nominating.pk],
            pool=w.pool,
            organisation=nominating,
            reason="政治素质好，业务能力强，在重点工作中表现突出，推荐入库培养。",
            profile=profile,
            today=w.today,
        )
        people.append(_Person(nomination.cadre, strong=i < strong, weak=i >= strong))
    return people


def _confirm_reason() -> str:
    return "经青年干部培养工作领导小组会议研究，同意本次动态调整方案。"


# --- the previous round -----------------------------------------------------------------------


def _previous_round(w: _World) -> None:
    cycle = w.previous
    people: list[_Person] = []
    for category, n in zip(w.categories, PREVIOUS_INTAKE, strict=True):
        people += [_Person(_new_cadre(w, category)) for _ in range(n)]
    for p in people[:PREVIOUS_WEAK]:
        p.weak = True
    for p in people[PREVIOUS_WEAK : PREVIOUS_WEAK + PREVIOUS_LAGGING]:
        p.lagging = True
    for p in people[-12:]:
        p.strong = True
    _enter(w, people, cycle.start + dt.timedelta(days=14), "首批入库")
    end = cycle.end
    _courses(w, cycle, people, cycle.start + dt.timedelta(days=40), end - dt.timedelta(days=60))
    _skills(w, people, cycle.start + dt.timedelta(days=540))
    first_year = cycle.start.year
    _appraisals(w, people, (first_year,), incompetent=None)
    _research(w, cycle, people, PREVIOUS_PROJECTS, reports=len(PREVIOUS_PROJECTS), scored=len(PREVIOUS_PROJECTS))
    meeting = res.summary_meeting_create(
        actor=w.admin,
        cycle=cycle,
        title=f"{cycle.name}课题研究成果汇报会",
        starts_at=_at(end - dt.timedelta(days=40), 14),
        venue="市行政中心第一会议室",
    )
    res.summary_meeting_record(
        actor=w.admin,
        meeting=meeting,
        minutes="10 个课题组依次汇报，评审组现场点评并评分；优秀成果报送市委决策参考。",
        held=True,
        now=_at(end - dt.timedelta(days=40), 17),
    )
    nominees = _nominate(w, PREVIOUS_NOMINEES, w.categories, strong=5)
    _skills(w, nominees, end - dt.timedelta(days=45))
    _appraisals(w, nominees, (first_year,), incompetent=None)
    if w.today.year - 1 <= end.year:
        _awards_decided(w, w.today.year - 1, [p.cadre for p in people if not p.weak])
    review = rev.review_create(
        actor=w.admin,
        pool=w.pool,
        cycle=cycle,
        title=f"{end.year} 年度动态调整",
        held_on=end - dt.timedelta(days=20),
        weight_skills=WEIGHTS[0],
        weight_courses=WEIGHTS[1],
        weight_appraisal=WEIGHTS[2],
        weight_research=WEIGHTS[3],
    )
    rev.review_propose(actor=w.admin, review=review)
    rev.review_confirm(actor=w.admin, review=review, reason=_confirm_reason())
    members = list(rev.current_members(w.pool).order_by("name", "id"))
    missing = missing_required(cycle, [c.pk for c in members])
    for cadre in members:
        lacking = missing[cadre.pk]
        if lacking:
            names = "、".join(c.name for c in lacking)
            crs.graduation_record(
                actor=w.admin,
                cycle=cycle,
                cadre=cadre,
                outcome=GraduationOutcome.NOT_GRADUATED,
                note=f"未完成必修课程：{names}，转入下一届继续培养。",
                today=end,
            )
        else:
            crs.graduation_record(
                actor=w.admin, cycle=cycle, cadre=cadre, outcome=GraduationOutcome.GRADUATED, today=end
            )
    crs.cycle_close(actor=w.admin, cycle=cycle, today=end)


def _awards_decided(w: _World, year: int, candidates: Sequence[Cadre]) -> None:
    """All three awards of `year` nominated and decided (the decision adds the honours)."""
    picks = w.rng.sample(list(candidates), 12)
    for k, kind in enumerate(AwardKind.values):
        chosen = []
        for cadre in picks[k * 4 : k * 4 + 4]:
            n = aw.award_nominate(
                actor=w.admin, pool=w.pool, year=year, kind=kind, cadre=cadre, reason="年度表现突出，群众评价好。"
            )
            chosen.append(n)
        aw.award_decide(
            actor=w.admin,
            pool=w.pool,
            year=year,
            kind=kind,
            decided_on=dt.date(year, 12, 18),
            basis=f"{year} 年 12 月 18 日青年干部培养工作领导小组会议研究决定",
            selected=chosen[:2],
            today=w.today,
        )


# --- the current round ------------------------------------------------------------------------


def _current_round(w: _World, own_login: Any, contact: Any) -> None:
    cycle = w.current
    carried = [_Person(c) for c in rev.current_members(w.pool).select_related("category").order_by("name", "id")]
    have = {c.pk: 0 for c in w.categories}
    for p in carried:
        if p.cadre.category_id is not None:
            have[p.cadre.category_id] += 1
    w.cadre_users = [_unprinted(CADRE_USER.format(i), "学员") for i in range(1, CADRE_LOGINS + 1)]
    new: list[_Person] = []
    for category, target in zip(w.categories, CURRENT_TARGET, strict=True):
        for _ in range(target - have[category.pk]):
            k = len(new)
            username = own_login.username if k == 0 else ""
            if 1 <= k <= CADRE_LOGINS:
                username = w.cadre_users[k - 1].username
            new.append(_Person(_new_cadre(w, category, username=username)))
    for p in new[-CURRENT_WEAK:]:
        p.weak = True
    for p in new[1:15]:
        p.strong = True
    entry = cycle.start + dt.timedelta(days=9)
    _enter(w, new, _past(w, entry), f"{cycle.name}新入库")
    people = carried + new
    last = _past(w, cycle.end - dt.timedelta(days=30))
    _courses(w, cycle, people, _past(w, cycle.start + dt.timedelta(days=30)), last)
    _skills(w, people, _past(w, cycle.start + dt.timedelta(days=45)), shift=-3)
    _skills(w, people, _past(w, max(cycle.start + dt.timedelta(days=60), w.today - dt.timedelta(days=30))))
    _appraisals(w, people, (w.today.year - 2, w.today.year - 1), incompetent=new[-1].cadre)
    _dossier_entries(w, people)
    _activities(w, cycle, people, contact)
    _research(w, cycle, new[:40], CURRENT_PROJECTS, reports=3, scored=2)
    res.summary_meeting_create(
        actor=w.admin,
        cycle=cycle,
        title=f"{cycle.name}课题研究成果汇报会",
        starts_at=_at(w.today + dt.timedelta(days=21), 14),
        venue="市行政中心第一会议室",
    )
    if w.today.year - 1 >= cycle.start.year:
        _awards_decided(w, w.today.year - 1, [p.cadre for p in people if not p.weak])
    _awards_pending(w, w.today.year, [p.cadre for p in people if not p.weak])
    pending = _nominate(w, 3, w.categories, strong=2, organisation=w.organisations[0])
    pending += _nominate(w, PENDING_NOMINEES - 3, w.categories, strong=5)
    _skills(w, pending, _past(w, w.today - dt.timedelta(days=10)))
    _appraisals(w, pending, (w.today.year - 1,), incompetent=None)
    review = rev.review_create(
        actor=w.admin,
        pool=w.pool,
        cycle=cycle,
        title=f"{w.today.year} 年度动态调整",
        held_on=w.today,
        weight_skills=WEIGHTS[0],
        weight_courses=WEIGHTS[1],
        weight_appraisal=WEIGHTS[2],
        weight_research=WEIGHTS[3],
    )
    rev.review_propose(actor=w.admin, review=review)


def _dossier_entries(w: _World, people: Sequence[_Person]) -> None:
    start = w.current.start
    chosen = w.rng.sample(list(people), 18)
    for i, p in enumerate(chosen[:12]):
        place, role = POSTINGS[i % len(POSTINGS)]
        begin = _past(w, start + dt.timedelta(days=60 + 20 * i))
        end = begin + dt.timedelta(days=180)
        svc.posting_add(
            actor=w.admin,
            cadre=p.cadre,
            place=place,
            role=role,
            start=begin,
            end=end if end <= w.today else None,
            note="实践锻炼期间表现良好。",
        )
    for i, p in enumerate(chosen[6:16]):
        title, by = HONOURS[i % len(HONOURS)]
        svc.honour_add(
            actor=w.admin,
            cadre=p.cadre,
            title=title,
            awarded_on=_past(w, start - dt.timedelta(days=100 * i + 30)),
            awarded_by=by,
            today=w.today,
        )
    for i, p in enumerate(chosen[12:17]):
        svc.note_add(actor=w.admin, cadre=p.cadre, text=NOTES[i % len(NOTES)])


def _rating(w: _World) -> int:
    return w.rng.choices((1, 2, 3, 4, 5), weights=(1, 3, 18, 42, 36))[0]


def _comment(w: _World, rating: int) -> str:
    return w.rng.choice(COMMENTS[rating])


def _activities(w: _World, cycle: Cycle, people: Sequence[_Person], contact: Any) -> None:
    """Eight activities with participants; feedback from participants with a login and from their
    organisations' contacts; then feedback on the whole round."""
    with_login = [p.cadre for p in people if p.cadre.user_id is not None]
    others = [p.cadre for p in people if p.cadre.user_id is None]
    for i, (kind, title, place, offset, length) in enumerate(ACTIVITIES):
        starts = _past(w, cycle.start + dt.timedelta(days=offset))
        ends = min(starts + dt.timedelta(days=length), cycle.end)
        logged = w.rng.sample(with_login, w.rng.randint(5, 9))
        plain = w.rng.sample(others, w.rng.randint(8, 30))
        participants = sorted(logged + plain, key=lambda c: c.pk)
        if i in (0, 3, 4) and with_login[0] not in participants:  # the demo cadre took part in some
            participants.append(with_login[0])
        activity = act.activity_create(
            actor=w.admin,
            cycle=cycle,
            data=act.ActivityData(kind, f"{title}（示例）", starts, ends, place, "青年干部专题培养活动。"),
            participants=participants,
        )
        for cadre in logged:
            if cadre.user == with_login[0].user and w.rng.random() < 0.5:
                continue  # leave the demo cadre something to rate
            rating = _rating(w)
            act.feedback_give(
                actor=person(cadre.user), activity=activity, rating=rating, comment=_comment(w, rating), today=w.today
            )
        organisations = sorted({c.organisation_id for c in participants} - {w.organisations[0].pk})[:4]
        for organisation_id in organisations:
            rating = _rating(w)
            act.feedback_give(
                actor=w.contacts[organisation_id],
                activity=activity,
                rating=rating,
                comment=_comment(w, rating),
                today=w.today,
            )
    for cadre in with_login[1:]:
        act.cycle_feedback_give(
            actor=person(cadre.user),
            cycle=cycle,
            rating=_rating(w),
            comment=w.rng.choice(CYCLE_COMMENTS),
            today=w.today,
        )
    organisation_ids = sorted({c.organisation_id for c in with_login + others} - {w.organisations[0].pk})[:8]
    for organisation_id in organisation_ids:
        act.cycle_feedback_give(
            actor=w.contacts[organisation_id],
            cycle=cycle,
            rating=_rating(w),
            comment=w.rng.choice(CYCLE_COMMENTS),
            today=w.today,
        )


def _awards_pending(w: _World, year: int, candidates: Sequence[Cadre]) -> None:
    """This year's nominations: some by the administrator, some by organisations' contacts; no decision."""
    picks = w.rng.sample(list(candidates), 9)
    for i, cadre in enumerate(picks):
        kind = AwardKind.values[i % 3]
        actor = w.admin if i % 2 == 0 else w.contacts[cadre.organisation_id]
        aw.award_nominate(
            actor=actor, pool=w.pool, year=year, kind=kind, cadre=cadre, reason="本年度工作实绩突出，推荐参评。"
        )


# --- what load-demo prints --------------------------------------------------------------------


@dataclass
class TalentSummary:
    pool: str
    members: int
    by_category: list[tuple[str, int, int | None]]
    organisations: int
    pending_nominations: int
    closed_cycle: str
    graduated: int
    not_graduated: int
    open_cycle: str
    activities: int
    projects: int
    proposed_review: str
    pending_awards: int


def talent_summary() -> TalentSummary | None:
    pool = TalentPool.objects.filter(name=POOL_NAME).first()
    if pool is None:
        return None
    members = rev.current_members(pool)
    closed = Cycle.objects.filter(pool=pool, status=CycleStatus.CLOSED).order_by("-start").first()
    current = Cycle.objects.filter(pool=pool, status=CycleStatus.OPEN).order_by("-start").first()
    graduations = Graduation.objects.filter(cycle=closed) if closed else Graduation.objects.none()
    proposed = RerankReview.objects.filter(pool=pool, status=ReviewStatus.PROPOSED).first()
    return TalentSummary(
        pool=pool.name,
        members=members.count(),
        by_category=[(c.name, members.filter(category=c).count(), c.quota) for c in pool.categories.order_by("id")],
        organisations=Organisation.objects.filter(cadres__pool=pool).distinct().count(),
        pending_nominations=Nomination.objects.filter(pool=pool, status=NominationStatus.PENDING).count(),
        closed_cycle=closed.name if closed else "",
        graduated=graduations.filter(outcome=GraduationOutcome.GRADUATED).count(),
        not_graduated=graduations.filter(outcome=GraduationOutcome.NOT_GRADUATED).count(),
        open_cycle=current.name if current else "",
        activities=current.activities.count() if current else 0,
        projects=current.research_projects.count() if current else 0,
        proposed_review=proposed.title if proposed else "",
        pending_awards=AwardNomination.objects.filter(pool=pool, decision__isnull=True).count(),
    )


def talent_lines() -> list[str]:
    """The lines `load-demo` prints about the talent sample."""
    s = talent_summary()
    if s is None:
        return []
    quotas = "，".join(f"{name} {n}/{q}" if q is not None else f"{name} {n}" for name, n, q in s.by_category)
    return [
        (
            f"{s.pool}：在库 {s.members} 人（{quotas}），来自 {s.organisations} 个单位，"
            f"待评审的单位推荐 {s.pending_nominations} 人"
        ),
        f"{s.closed_cycle}已结束：结业 {s.graduated} 人，未结业 {s.not_graduated} 人",
        (
            f"{s.open_cycle}进行中：培训活动 {s.activities} 项，课题 {s.projects} 个，"
            f"待确认的动态调整“{s.proposed_review}”，待评选的年度推荐 {s.pending_awards} 人"
        ),
    ]
