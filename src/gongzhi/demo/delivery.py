"""Demo data of renewal delivery (issue 5): Liangzhu's elevators in the works.

Every elevator of the campaign outside the entrances still deciding on the platform is a renewal
decided on paper before the platform (with one of the six vendors per entrance, its offer's
installation days), a construction schedule solved with the real solver and accepted, and progress
recorded through the services up to `today`: some elevators back in service, some under
construction, one inspection failed and redone, a few stages overdue, the rest waiting. Dates are
relative to `today`, so the demo always shows works in progress.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import Q

from gongzhi.delivery import stages as st
from gongzhi.delivery.models import RenewalStage, ScheduleStatus
from gongzhi.delivery.services import (
    notice_post,
    renewal_create,
    schedule_accept,
    schedule_create,
    schedule_problem,
    schedule_run,
    stage_document_add,
    stage_update,
)
from gongzhi.elevators.models import Campaign, Elevator
from gongzhi.places.models import Entrance, Estate
from gongzhi.renewals.models import Renewal

# Spring Festival (农历正月初一) by year: the week before to the week after is a blackout.
SPRING_FESTIVAL = {
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}
WINDOW_BEFORE = 100  # the works started this many days before `today`
WINDOW_AFTER = 170  # and must end this many days after
SCHEDULE_SECONDS = 3


def blackouts_between(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Spring Festival periods (seven days before to eight after New Year's day) and the gaokao
    (7–9 June) that touch [first, last]."""
    out: list[tuple[dt.date, dt.date]] = []
    for year in range(first.year, last.year + 1):
        periods = [(dt.date(year, 6, 7), dt.date(year, 6, 9))]
        if year in SPRING_FESTIVAL:
            new_year = SPRING_FESTIVAL[year]
            periods.insert(0, (new_year - dt.timedelta(days=7), new_year + dt.timedelta(days=8)))
        out.extend(p for p in periods if p[1] >= first and p[0] <= last)
    return out


def _pdf(text: str) -> Any:
    """A small PDF upload (the receipt of a construction notice, as sample data)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = (
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
        f"% {text}\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    ).encode()
    return SimpleUploadedFile("notice.pdf", body, content_type="application/pdf")


def load_delivery(
    *,
    seed: int,
    campaign: Campaign,
    vendors: list[Any],
    offers: list[Any],
    users: dict[str, Any],
    skip_entrances: list[Entrance],
    skip_building_id: int | None,
    today: dt.date,
) -> list[Renewal]:
    rng = random.Random(f"{seed}-delivery")  # noqa: S311 - sample data, not security
    manager = users["jiedao"]
    offer_of = {o.vendor_id: o for o in offers}
    elevators = list(
        Elevator.objects.filter(entrance__building__estate__community__subdistrict=campaign.subdistrict)
        .exclude(entrance__in=skip_entrances)
        .exclude(Q(entrance__building_id=skip_building_id) if skip_building_id else Q(pk__in=[]))
        .select_related("entrance__building__estate__community")
        .order_by("entrance__building__estate__name", "entrance__building__name", "entrance__name", "device_code")
    )
    vendor_of: dict[int, Any] = {}
    renewals = []
    for elevator in elevators:
        entrance_id = elevator.entrance_id
        if entrance_id not in vendor_of:
            vendor_of[entrance_id] = rng.choice(vendors)
        vendor = vendor_of[entrance_id]
        renewals.append(
            renewal_create(
                actor=manager,
                campaign=campaign,
                elevator=elevator,
                offer=offer_of[vendor.pk],
                works_days=offer_of[vendor.pk].installation_days + rng.randint(0, 5),
                decided_on=today - dt.timedelta(days=WINDOW_BEFORE + rng.randint(20, 60)),
            )
        )
    start = today - dt.timedelta(days=WINDOW_BEFORE)
    deadline = today + dt.timedelta(days=WINDOW_AFTER)
    work: dict[int, int] = {}
    for r in renewals:
        if r.vendor_id is not None:
            work[r.vendor_id] = work.get(r.vendor_id, 0) + (r.works_days or 30)
    # Crews each vendor commits: enough for about 60 % use of the window.
    crews = {v.pk: max(2, -(-work.get(v.pk, 0) * 10 // ((deadline - start).days * 6))) for v in vendors}
    problem = schedule_problem(
        renewals=renewals,
        start=start,
        deadline=deadline,
        crews={v: n for v, n in crews.items() if v in work},
        blackouts=blackouts_between(start, deadline),
        max_down_per_entrance=1,
        max_active_per_building=2,
    )
    schedule = schedule_create(
        actor=manager, campaign=campaign, problem=problem, time_limit=SCHEDULE_SECONDS, name="示例：主体施工排程"
    )
    schedule = schedule_run(schedule.pk)
    if schedule.status == ScheduleStatus.DONE and (schedule.result or {}).get("status") in ("optimal", "feasible"):
        schedule_accept(actor=manager, schedule=schedule)
        _progress(rng=rng, renewals=renewals, users=users, today=today)
    _notices(campaign=campaign, users=users, today=today, start=start, deadline=deadline)
    return renewals


def _progress(*, rng: random.Random, renewals: list[Renewal], users: dict[str, Any], today: dt.date) -> None:
    """Record what would have happened by `today` if the works ran to plan, with a few slips."""
    manager = users["jiedao"]
    failed_once = False
    stages = RenewalStage.objects.filter(renewal__in=renewals).select_related("renewal__elevator")
    by_renewal: dict[int, dict[str, RenewalStage]] = {}
    for s in stages:
        by_renewal.setdefault(s.renewal_id, {})[s.kind] = s
    for renewal in renewals:
        kinds = by_renewal[renewal.pk]

        def record(kind: str, kinds: dict[str, RenewalStage] = kinds, **changes: Any) -> None:
            stage_update(actor=manager, stage=kinds[kind], today=today, **changes)

        record(st.CONTRACT, status=st.DONE, actual_end=kinds[st.DECISION].actual_end, responsible="业委会、品牌方")
        notice = kinds[st.NOTICE]
        if notice.planned_end is None or notice.planned_start is None or notice.planned_start > today:
            continue
        record(st.NOTICE, status=st.DONE, actual_start=notice.planned_start, actual_end=min(notice.planned_end, today))
        if rng.random() < 0.15:
            stage_document_add(
                actor=manager,
                stage=kinds[st.NOTICE],
                title="特种设备安装改造维修告知书（回执）",
                upload=_pdf(f"notice {renewal.elevator.device_code}"),
                public=True,
            )
        build = kinds[st.CONSTRUCTION]
        if build.planned_start is None or build.planned_end is None or build.planned_start > today:
            continue
        record(st.CONSTRUCTION, status=st.STARTED, actual_start=build.planned_start, responsible="品牌方施工队")
        slip = rng.choice((0, 0, 0, 1, 2, 4))
        if build.planned_end + dt.timedelta(days=slip) >= today:
            continue
        record(st.CONSTRUCTION, status=st.DONE, actual_end=build.planned_end + dt.timedelta(days=slip))
        finished = build.planned_end + dt.timedelta(days=slip + 5)
        if finished >= today:
            record(st.INSPECTION, status=st.STARTED, actual_start=build.planned_end + dt.timedelta(days=slip + 1))
            continue
        if not failed_once:
            # One elevator failed its first inspection (a door interlock); it is redone a week later.
            failed_once = True
            record(
                st.INSPECTION,
                status=st.FAILED,
                actual_start=build.planned_end + dt.timedelta(days=slip + 1),
                notes="首次监督检验：层门锁紧装置不合格，整改后复检。",
                responsible="杭州市特种设备检测研究院",
            )
            continue
        record(
            st.INSPECTION,
            status=st.DONE,
            actual_start=build.planned_end + dt.timedelta(days=slip + 1),
            actual_end=finished,
            responsible="杭州市特种设备检测研究院",
        )
        back = finished + dt.timedelta(days=2)
        if back >= today:
            continue
        record(st.MAINTENANCE, status=st.DONE, actual_start=back, actual_end=back, responsible="物业、维保单位")
        record(st.IN_SERVICE, status=st.DONE, actual_start=back, actual_end=back)
        registered = back + dt.timedelta(days=rng.randint(5, 20))
        if registered < today:
            record(st.REGISTRATION, status=st.DONE, actual_start=back, actual_end=registered, responsible="使用单位")


def _notices(*, campaign: Campaign, users: dict[str, Any], today: dt.date, start: dt.date, deadline: dt.date) -> None:
    for estate in Estate.objects.filter(community__subdistrict=campaign.subdistrict).order_by("name"):
        notice_post(
            actor=users["jiedao"],
            estate=estate,
            campaign=campaign,
            title=f"{estate.name}电梯更新施工公告",
            body=(
                f"各位业主：本小区电梯更新工程计划于{start:%Y年%m月%d日}至{deadline:%Y年%m月%d日}分批施工，"
                "同一单元同一时间最多停用一台电梯，同一楼栋最多两个单元同时施工；春节和高考期间不施工。"
                "各单元的停梯日期见本页。施工期间请注意安全，如有疑问请联系社区或物业。（示例数据）"
            ),
        )
