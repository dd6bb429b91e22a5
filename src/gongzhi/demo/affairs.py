"""Demo data of community affairs (issue 6): a county-scale sample in 安吉县昌硕街道.

94 fictional estates (sample data) in five communities, each with a public-revenue ledger opened a
year before `today` and a year of postings through gongzhi.ledgers.services — income by source
(parking, advertising, venue rent) per quarter with its costs, spending approved by the owners'
committee within its limit and paid, transfers to the maintenance fund, one reversal, and the
quarterly statements of every quarter that has ended — about ¥13 million of gross income in all.
Residents' suggestions in every state of the loop, a deliberation council per community with a
past session and its report, and two space-for-service agreements (one period delivered short,
one annual review due). Everything is written through the apps' services with dates relative to
`today`; only places, suggestion departments, categories and the deputy (configuration without a
service) are created directly. Deterministic for a seed and `today`.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Sum
from django.utils import timezone

from gongzhi.core.money import format_yuan, round_yuan
from gongzhi.councils import services as councils
from gongzhi.councils.models import Council, CouncilRole, OutcomeKind, OutcomeStatus, Represents
from gongzhi.ledgers import services as ledgers
from gongzhi.ledgers.models import Entry, EntryCategory, EntryKind, Ledger, Statement, quarter_bounds
from gongzhi.meetings import services as meetings
from gongzhi.places.models import Community, District, Estate, Role, RoleAssignment, Subdistrict
from gongzhi.spaces import periods
from gongzhi.spaces import services as spaces
from gongzhi.spaces.models import Agreement, Obligation, PartnerKind, Period, SpaceKind
from gongzhi.suggestions import services as sug
from gongzhi.suggestions.models import Department, Deputy, Rating, Source, Suggestion, SuggestionCategory
from gongzhi.workdays.services import current_calendar

DISTRICT = "安吉县"
SUBDISTRICT = "昌硕街道"
ANNUAL_INCOME = Decimal("13000000")  # the issue: nearly ¥13 million a year across 94 estates
ESTATE_COUNT = 94
COMMUNITIES = ("竹乡社区", "凤栖社区", "玉磬社区", "云鸿社区", "桃源社区")
_PREFIXES = (
    "竹韵",
    "凤栖",
    "溪山",
    "云鸿",
    "翠微",
    "桃源",
    "玉磬",
    "景湖",
    "安澜",
    "清风",
    "和鸣",
    "瑞丰",
    "锦绣",
    "长乐",
)
_SUFFIXES = ("花园", "家园", "雅苑", "新村", "名邸", "公寓", "小区")
# The share of each source in an estate's gross income, and the share of its costs.
SOURCES = (
    (EntryCategory.PARKING, Decimal("0.62"), Decimal("0.30")),
    (EntryCategory.ADVERTISING, Decimal("0.23"), Decimal("0.10")),
)
VENUE_SHARE = Decimal("0.15")  # venue rent: no costs
DELEGATED_LIMIT = Decimal("50000.00")

# Logins of this part of the demo (created here; listed in liangzhu.DEMO_USERS with demo="affairs").
STAFF = "changshuo-jiedao"
COMMITTEE = "changshuo-yeweihui"
MANAGER = "changshuo-wuye"
DEPARTMENT_MEMBERS = ("bumen", "bumen2")
DEPUTY = "daibiao"
RESIDENT = "jumin"
DEPARTMENTS = ("昌硕街道城市管理中队（示例）", "昌硕街道供水服务站（示例）")
CATEGORIES = (("环境卫生", 5, 1), ("市政设施", 10, 2), ("停车管理", 7, 1), ("物业服务", 5, 1))
DEPUTY_NAME = "沈国华（示例）"


def estate_names() -> list[str]:
    """94 fictional estate names (fixed whatever the seed)."""
    names = [p + s for s in _SUFFIXES for p in _PREFIXES]
    return names[:ESTATE_COUNT]


@dataclass
class AffairsSummary:
    estates: int
    income: Decimal
    statements: int
    suggestions: int
    councils: int
    agreements: int


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def load_affairs(*, seed: int, today: dt.date, users: dict[str, Any], password: str) -> Subdistrict:
    """Load the 昌硕街道 sample. `users` receives the new logins (all with `password`)."""
    rng = random.Random(f"{seed}-affairs")  # noqa: S311 - sample data, not security
    district, _ = District.objects.get_or_create(name=DISTRICT)
    subdistrict = Subdistrict.objects.create(district=district, name=SUBDISTRICT)
    communities = [Community.objects.create(subdistrict=subdistrict, name=name) for name in COMMUNITIES]
    estates = []
    for n, name in enumerate(estate_names()):
        community = communities[n % len(communities)]
        estates.append(
            Estate.objects.create(
                community=community, name=name, address=f"示例数据：安吉县昌硕街道{community.name}{name}"
            )
        )
    users.update(_users(subdistrict, estates, password))
    _ledgers(rng=rng, estates=estates, users=users, today=today)
    _suggestions(subdistrict=subdistrict, estates=estates, users=users, today=today)
    _councils(communities=communities, estates=estates, users=users, today=today)
    _spaces(communities=communities, users=users, today=today)
    return subdistrict


def _users(subdistrict: Subdistrict, estates: list[Estate], password: str) -> dict[str, Any]:
    user_model = get_user_model()
    encoded = make_password(password)
    labels = {
        STAFF: "街道工作人员",
        COMMITTEE: "业委会",
        MANAGER: "物业服务企业",
        DEPARTMENT_MEMBERS[0]: "承办部门",
        DEPARTMENT_MEMBERS[1]: "承办部门",
        DEPUTY: "人大代表",
        RESIDENT: "居民",
    }
    out = {}
    for username, label in labels.items():
        user = user_model(username=username, first_name=f"{label}（示例）", password=encoded)
        user.save()
        out[username] = user
    RoleAssignment.objects.create(user=out[STAFF], role=Role.SUBDISTRICT_STAFF, subdistrict=subdistrict)
    # The owners' committee and the property manager act per estate (places.models.RoleAssignment):
    # one demo login each, assigned to all 94 estates.
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=out[COMMITTEE], role=Role.OWNERS_COMMITTEE, estate=e) for e in estates]
        + [RoleAssignment(user=out[MANAGER], role=Role.PROPERTY_MANAGER, estate=e) for e in estates]
    )
    return out


# --- ledgers ------------------------------------------------------------------------------------------


def _ledgers(*, rng: random.Random, estates: list[Estate], users: dict[str, Any], today: dt.date) -> None:
    committee, manager = users[COMMITTEE], users[MANAGER]
    now = _at(today, 18)
    opened = today - dt.timedelta(days=365)
    # Four posting periods of ~91 days from the opening; income is posted at each period's end.
    days = [opened + dt.timedelta(days=91 * k + 90) for k in range(4)]
    days[-1] = min(days[-1], today)
    weights = [Decimal(rng.randint(40, 180)) for _ in estates]
    total_weight = sum(weights)
    for index, (estate, weight) in enumerate(zip(estates, weights, strict=True)):
        annual = ANNUAL_INCOME * weight / total_weight
        ledger = ledgers.ledger_open(
            actor=committee,
            estate=estate,
            delegated_limit=DELEGATED_LIMIT,
            fund_share=Decimal(rng.choice((10, 15, 20))),
            opening_balance=round_yuan(Decimal(rng.randint(20000, 200000))),
            opened_on=opened,
        )
        for source, share, cost_share in SOURCES:
            for day in days:
                gross = round_yuan(annual * share / 4 * Decimal(rng.randint(90, 110)) / 100)
                income = ledgers.income_post(
                    actor=manager, ledger=ledger, source=source, amount=gross, date=day, now=now,
                    description=f"{day:%Y年%m月} 前三个月{EntryCategory(source).label}收入",
                )  # fmt: skip
                ledgers.cost_post(
                    actor=manager, income=income, amount=round_yuan(gross * cost_share), date=day, now=now,
                    description="管理人员及代理费用" if source == EntryCategory.PARKING else "广告代理费",
                )  # fmt: skip
        for day in days[1::2]:  # venue rent is invoiced half-yearly
            ledgers.income_post(
                actor=manager, ledger=ledger, source=EntryCategory.VENUE, amount=round_yuan(annual * VENUE_SHARE / 2),
                date=day, now=now, description="社区用房及场地租金",
            )  # fmt: skip
        _spending(
            rng=rng, ledger=ledger, committee=committee, manager=manager, days=days, now=now, pending=index % 10 == 0
        )
        half = days[1]
        ledgers.transfer_post(actor=manager, ledger=ledger, period_start=opened, period_end=half, date=half, now=now)
        ledgers.transfer_post(
            actor=manager, ledger=ledger, period_start=half + dt.timedelta(days=1), period_end=days[-1],
            date=days[-1], now=now,
        )  # fmt: skip
        if index == 0:
            _reversal(ledger=ledger, manager=manager, day=days[-1], now=now)
        _statements(ledger=ledger, manager=manager, today=today, now=now)


def _spending(
    *,
    rng: random.Random,
    ledger: Ledger,
    committee: Any,
    manager: Any,
    days: list[dt.date],
    now: dt.datetime,
    pending: bool,
) -> None:
    """Greening paid in the second period; repairs in the fourth, paid (or, in one estate in ten,
    still awaiting the owners' committee). Both within the committee's limit and the budget."""
    plan = (
        (EntryCategory.ENVIRONMENT, days[1] - dt.timedelta(days=20), "绿化补种与修剪"),
        (EntryCategory.MAINTENANCE, days[3] - dt.timedelta(days=10), "道闸及监控维修"),
    )
    for n, (category, day, text) in enumerate(plan):
        amount = round_yuan(Decimal(rng.randint(8000, 45000)))
        ledgers.budget_set(actor=committee, ledger=ledger, year=day.year, category=category, amount=amount * 2)
        entry = ledgers.spending_propose(
            actor=manager, ledger=ledger, category=category, amount=amount, date=day, description=text, now=now
        )
        if pending and n == 1:
            continue
        ledgers.spending_approve(actor=committee, entry=entry, now=now)
        ledgers.spending_pay(actor=manager, entry=entry, paid_on=day + dt.timedelta(days=5), now=now)


def _reversal(*, ledger: Ledger, manager: Any, day: dt.date, now: dt.datetime) -> None:
    """An advertising income keyed twice, then reversed (a posted entry is never edited)."""
    wrong = ledgers.income_post(
        actor=manager, ledger=ledger, source=EntryCategory.ADVERTISING, amount=Decimal("3600.00"), date=day, now=now,
        description="电梯广告收入（重复录入）",
    )  # fmt: skip
    ledgers.entry_reverse(actor=manager, entry=wrong, date=day, reason="重复录入，予以冲销", now=now)


def _statements(*, ledger: Ledger, manager: Any, today: dt.date, now: dt.datetime) -> None:
    """The statement of every calendar quarter that has ended since the ledger was opened."""
    year, quarter = ledger.opened_on.year, (ledger.opened_on.month - 1) // 3 + 1
    while True:
        _start, end = quarter_bounds(year, quarter)
        if end >= today:
            break
        ledgers.statement_generate(actor=manager, ledger=ledger, year=year, quarter=quarter, now=now)
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


# --- suggestions --------------------------------------------------------------------------------------


def _suggestions(*, subdistrict: Subdistrict, estates: list[Estate], users: dict[str, Any], today: dt.date) -> None:
    staff, resident, deputy_user = users[STAFF], users[RESIDENT], users[DEPUTY]
    calendar = current_calendar()
    departments = []
    for name, username in zip(DEPARTMENTS, DEPARTMENT_MEMBERS, strict=True):
        department = Department.objects.create(subdistrict=subdistrict, name=name)
        department.members.add(users[username])
        departments.append(department)
    city, water = departments
    cats = {
        name: SuggestionCategory.objects.create(
            subdistrict=subdistrict, name=name, time_limit_days=days, reminder_days=remind
        )
        for name, days, remind in CATEGORIES
    }
    deputy = Deputy.objects.create(subdistrict=subdistrict, name=DEPUTY_NAME, user=deputy_user)
    bumen, bumen2 = (users[u] for u in DEPARTMENT_MEMBERS)

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    def submit(title: str, text: str, category: str, n: int, days: int) -> Suggestion:
        return sug.suggestion_submit(
            actor=resident, category=cats[category], title=title, text=text, estate=estates[n],
            place=f"{estates[n].name}", today=ago(days), calendar=calendar,
        )  # fmt: skip

    def record(title: str, text: str, category: str, n: int, days: int, source: str = Source.MEETING) -> Suggestion:
        return sug.suggestion_record(
            actor=staff, category=cats[category], title=title, text=text, source=source, estate=estates[n],
            name="居民（示例）", received_on=ago(days), today=today, calendar=calendar,
        )  # fmt: skip

    def handled(s: Suggestion, department: Department, member: Any) -> Suggestion:
        sug.suggestion_dispatch(actor=staff, suggestion=s, department=department)
        return sug.suggestion_sign(actor=member, suggestion=s)

    # Submitted, waiting for dispatch.
    submit("小区东门路灯不亮", "东门外两盏路灯连续一周不亮，夜间出行不便。", "市政设施", 1, 1)
    # Dispatched, waiting for the department to sign.
    s = record("垃圾分类亭异味严重", "3 幢旁垃圾分类亭清运不及时，夏季异味大。", "环境卫生", 2, 2)
    sug.suggestion_dispatch(actor=staff, suggestion=s, department=city)
    # Signed, in handling.
    handled(
        record("人行道地砖松动", "沿街人行道多处地砖松动，雨天溅水。", "市政设施", 3, 3, Source.HOTLINE), city, bumen
    )
    # Bounced back with a reason.
    s = record("小区内部水管漏水", "地下车库入口水管渗漏。", "市政设施", 4, 3)
    sug.suggestion_dispatch(actor=staff, suggestion=s, department=water)
    sug.suggestion_bounce(actor=bumen2, suggestion=s, reason="属小区内部共用设施，应由物业维修，非市政供水管网。")
    # Bounced, then assigned by the coordinator.
    s = record("路边停车占用消防通道", "夜间车辆占用消防通道。", "停车管理", 5, 4)
    sug.suggestion_dispatch(actor=staff, suggestion=s, department=water)
    sug.suggestion_bounce(actor=bumen2, suggestion=s, reason="不属本单位职责。")
    sug.suggestion_force(actor=staff, suggestion=s, department=city, note="由城管中队牵头处理。")
    # Answered (waiting for the rating), one of them late.
    s = handled(submit("健身器材损坏", "中心绿地两台健身器材损坏。", "市政设施", 6, 6), city, bumen)
    sug.suggestion_answer(actor=bumen, suggestion=s, answer="已联系厂家更换，预计下周完成。", today=ago(2))
    s = handled(submit("楼道堆物", "5 幢楼道长期堆放杂物。", "环境卫生", 7, 20), city, bumen)
    sug.suggestion_answer(actor=bumen, suggestion=s, answer="已督促物业清理。", today=ago(1))
    # Closed: satisfied, basically satisfied, and by the coordinator without a rating.
    for n, (rating, title) in enumerate(((Rating.SATISFIED, "停车位划线模糊"), (Rating.BASIC, "广告牌遮挡视线"))):
        s = handled(submit(title, f"{title}，请尽快处理。", "停车管理", 8 + n, 15), city, bumen)
        sug.suggestion_answer(actor=bumen, suggestion=s, answer="已处理完毕。", today=ago(10))
        sug.suggestion_rate(actor=resident, suggestion=s, rating=rating, today=ago(8), calendar=calendar)
    s = handled(record("自来水水压偏低", "高层住户早高峰水压偏低。", "市政设施", 10, 25), water, bumen2)
    sug.suggestion_answer(actor=bumen2, suggestion=s, answer="已调整加压泵站运行时段。", today=ago(18))
    sug.suggestion_close(actor=staff, suggestion=s, note="电话回访，居民未评价。")
    # Unsatisfied: reopened to the department with a new clock.
    s = handled(submit("物业保洁不到位", "公共区域保洁频次不够。", "物业服务", 11, 14), city, bumen)
    sug.suggestion_answer(actor=bumen, suggestion=s, answer="已约谈物业。", today=ago(6))
    sug.suggestion_rate(actor=resident, suggestion=s, rating=Rating.UNSATISFIED, note="没有变化。", today=ago(3))
    # Overdue: still in handling past its time limit.
    handled(record("排水沟堵塞", "雨后排水沟积水严重。", "市政设施", 12, 40, Source.HOTLINE), city, bumen)
    handled(record("非机动车乱停放", "小区门口非机动车乱停。", "停车管理", 13, 30), city, bumen)
    # Extension requested (pending) and approved.
    s = handled(record("小区围墙破损", "北侧围墙部分倒塌。", "市政设施", 14, 2), city, bumen)
    sug.extension_request(actor=bumen, suggestion=s, working_days=10, reason="需申请专项资金。", today=today)
    s = handled(record("供水管网改造", "老旧管网经常爆管。", "市政设施", 15, 3), water, bumen2)
    ext = sug.extension_request(actor=bumen2, suggestion=s, working_days=15, reason="需与施工单位协调。", today=today)
    sug.extension_decide(actor=staff, extension=ext, approve=True, today=today, calendar=calendar)
    # Escalated to a deputy, who makes it a deputy's suggestion with its own clock.
    s = record("建议增设公交站点", "小区周边两公里无公交站点，老人出行不便。", "市政设施", 16, 5, Source.RECEPTION)
    sug.suggestion_escalate(actor=staff, suggestion=s, deputy=deputy, note="代表接待日收集。")
    sug.suggestion_adopt(actor=deputy_user, suggestion=s, today=ago(1), calendar=calendar)
    # Similar suggestions merged.
    kept = record("广场舞噪音扰民", "晚间广场舞音响音量过大。", "环境卫生", 17, 4)
    twin = submit("广场舞音响太吵", "晚上九点后仍有音响。", "环境卫生", 17, 3)
    sug.suggestion_merge(actor=staff, merged=twin, kept=kept, note="同一事项。")
    sug.suggestions_remind(today=today, calendar=calendar)


# --- councils -----------------------------------------------------------------------------------------


COUNCIL_TOPICS = (
    ("小区停车收费标准调整", "停车收入用途需公开讨论。"),
    ("公共收益用于加装充电桩", "建议用公共收益建设电动自行车充电设施。"),
)


def _councils(*, communities: list[Community], estates: list[Estate], users: dict[str, Any], today: dt.date) -> None:
    staff = users[STAFF]
    names = ("周", "钱", "孙", "李", "吴")
    for n, community in enumerate(communities):
        council = councils.council_create(
            actor=staff, community=community, name=f"{community.name}“畅说昌硕事”议事会",
            established_on=today - dt.timedelta(days=400), rules="每月第二周召开，议题提前公示。",
        )  # fmt: skip
        start = today - dt.timedelta(days=400)
        roles = (
            (CouncilRole.CHAIR, Represents.OTHER),
            (CouncilRole.VICE_CHAIR, Represents.OWNERS_COMMITTEE),
            (CouncilRole.SECRETARY, Represents.OTHER),
            (CouncilRole.MEMBER, Represents.PROPERTY_MANAGER),
            (CouncilRole.MEMBER, Represents.RESIDENT),
            (CouncilRole.MEMBER, Represents.BUSINESS),
        )
        for k, (role, represents) in enumerate(roles):
            councils.member_add(
                actor=staff, council=council, name=f"{names[(n + k) % len(names)]}{'明华芳强敏'[k % 5]}（示例）",
                role=role, represents=represents, term_start=start, term_end=start + dt.timedelta(days=3 * 365),
            )  # fmt: skip
        estate = next(e for e in estates if e.community_id == community.pk)
        _council_topics(council=council, estate=estate, staff=staff, today=today, n=n)


def _council_topics(*, council: Council, estate: Estate, staff: Any, today: dt.date, n: int) -> None:
    def propose(title: str, text: str) -> Any:
        return councils.topic_propose(
            actor=staff, council=council, title=title, text=text, proposer_name="居民（示例）"
        )

    discussed = [councils.topic_accept(actor=staff, topic=propose(t, x)) for t, x in COUNCIL_TOPICS]
    session = councils.session_schedule(
        actor=staff, council=council, estate=estate, starts_at=_at(today - dt.timedelta(days=21 + n), 19),
        venue=f"{council.community.name}党群服务中心", topics=discussed,
    )  # fmt: skip
    meetings.meeting_transition(actor=staff, meeting=session.meeting, step="start")
    meetings.meeting_transition(actor=staff, meeting=session.meeting, step="end")
    report = councils.session_report(
        actor=staff,
        session=session,
        summary="到会居民代表 32 人。停车收费维持现标准，收入按季公示；充电桩方案报业委会列入年度预算。",
        outcomes=[
            councils.OutcomeEntry(reference="停车收入按季公示", kind=OutcomeKind.OTHER),
            councils.OutcomeEntry(reference="充电桩选址征求意见", kind=OutcomeKind.SUGGESTION, note="已转街道"),
        ],
    )
    first = report.outcomes.order_by("position").first()
    if first is not None:
        councils.outcome_update(actor=staff, outcome=first, status=OutcomeStatus.DONE, note="第三季度公示已张贴。")
    councils.topic_accept(actor=staff, topic=propose("楼道照明改造", "老旧楼道声控灯失灵。"))
    propose("增设快递柜", "快递堆放在门岗。")
    councils.topic_decline(
        actor=staff, topic=propose("调整物业费", "物业费偏高。"), reason="物业费调整须经业主大会表决，请向业委会提出。"
    )


# --- spaces -------------------------------------------------------------------------------------------


def _spaces(*, communities: list[Community], users: dict[str, Any], today: dt.date) -> None:
    staff = users[STAFF]
    # A young entrepreneur's café in a community room: two events a month, one month short.
    room = spaces.space_create(
        actor=staff, community=communities[0], name="竹乡社区青创空间（示例）", kind=SpaceKind.ROOM, area_m2="60",
        opening_hours="周二至周日 9:00–18:00",
    )  # fmt: skip
    cafe = spaces.partner_create(
        actor=staff, community=communities[0], name="竹里咖啡工作室（示例）", kind=PartnerKind.YOUNG_ENTREPRENEUR
    )
    start = periods.add_months(today, -5)
    first = spaces.agreement_create(
        actor=staff, space=room, partner=cafe, start=start, end=periods.add_months(start, 24) - dt.timedelta(days=1),
        obligations=[
            spaces.ObligationEntry("社区公益活动", "场", 2),
            spaces.ObligationEntry("老人免费咖啡日", "天", 4),
        ],
    )  # fmt: skip
    _deliver(first.obligations.all(), staff=staff, today=today, short_period=2)
    # A reading room lent to a social organisation: its first year is up, the review is due.
    hall = spaces.space_create(
        actor=staff, community=communities[1], name="凤栖社区共享书房（示例）", kind=SpaceKind.AREA, area_m2="120",
        opening_hours="每日 8:30–20:30",
    )  # fmt: skip
    club = spaces.partner_create(
        actor=staff, community=communities[1], name="书香公益服务社（示例）", kind=PartnerKind.SOCIAL_ORGANISATION
    )
    start = periods.add_months(today, -13)
    second = spaces.agreement_create(
        actor=staff, space=hall, partner=club, start=start, end=periods.add_months(start, 36) - dt.timedelta(days=1),
        obligations=[
            spaces.ObligationEntry("亲子阅读活动", "场", 1),
            spaces.ObligationEntry("公益讲座", "场", 1, Period.QUARTER),
        ],
    )  # fmt: skip
    _deliver(second.obligations.all(), staff=staff, today=today, short_period=None)


def _deliver(obligations: Any, *, staff: Any, today: dt.date, short_period: int | None) -> None:
    """Log the owed quantity in every ended period (the first obligation short in `short_period`)."""
    for k, obligation in enumerate(obligations.order_by("id")):
        assert isinstance(obligation, Obligation)  # noqa: S101
        agreement = obligation.agreement
        for n, (first, last, _full) in enumerate(periods.periods(agreement.start, agreement.end, obligation.period)):
            if today <= last:
                break
            qty = obligation.quantity
            if k == 0 and n == short_period:
                qty = qty / 2
            spaces.fulfilment_log(
                actor=staff, obligation=obligation, date=first + dt.timedelta(days=7), quantity_delivered=qty,
                note="活动照片已存档", today=today,
            )  # fmt: skip


# --- summary ------------------------------------------------------------------------------------------


def affairs_summary() -> AffairsSummary | None:
    """What the community-affairs sample holds, read back (None when it is not loaded)."""
    subdistrict = Subdistrict.objects.filter(district__name=DISTRICT, name=SUBDISTRICT).first()
    if subdistrict is None:
        return None
    income = Entry.objects.filter(
        ledger__estate__community__subdistrict=subdistrict, kind=EntryKind.INCOME, reversed=False
    ).aggregate(s=Sum("amount"))["s"]
    return AffairsSummary(
        estates=Estate.objects.filter(community__subdistrict=subdistrict).count(),
        income=round_yuan(Decimal(income or 0)),
        statements=Statement.objects.filter(ledger__estate__community__subdistrict=subdistrict).count(),
        suggestions=Suggestion.objects.filter(subdistrict=subdistrict).count(),
        councils=Council.objects.filter(community__subdistrict=subdistrict).count(),
        agreements=Agreement.objects.filter(space__community__subdistrict=subdistrict).count(),
    )


def affairs_lines() -> list[str]:
    """The lines `load-demo` prints about the community-affairs sample."""
    summary = affairs_summary()
    if summary is None:
        return []
    return [
        (
            f"{DISTRICT}{SUBDISTRICT}：{summary.estates} 个小区的公共收益账，"
            f"近一年收入 {format_yuan(summary.income, unit=True)}，季度公示 {summary.statements} 份"
        ),
        (
            f"社情民意 {summary.suggestions} 件（各种办理状态），议事会 {summary.councils} 个，"
            f"空间换服务协议 {summary.agreements} 份"
        ),
    ]
