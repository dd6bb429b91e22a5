"""District reporting of renewal delivery: the figures on hand-built data (outage per household,
counts by stage over time, completed against planned), the one-sheet workbook read back with
openpyxl, and the dashboard, per role."""

from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.delivery import dashboard as dash
from gongzhi.delivery import reports as r
from gongzhi.delivery import services as ds
from gongzhi.delivery import stages as st
from gongzhi.delivery import timelines as tl
from gongzhi.places.models import Role
from gongzhi.renewals.models import FundingPlan, Offer, OfferStatus
from tests import factories as f
from tests.test_delivery_public import client_for, plan_works, set_stage

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the phone test (Playwright's event loop), as elsewhere

D = dt.date


def states(decided: D | None = None, **changes: dict[str, Any]) -> dict[str, st.StageState]:
    """Twelve stages, pending unless said otherwise; those up to the decision done on `decided`."""
    out = {}
    for kind in st.ORDER:
        fields: dict[str, Any] = {}
        if decided is not None and st.ORDER.index(kind) <= st.ORDER.index(st.DECISION):
            fields = {"status": st.DONE, "actual_end": decided}
        fields.update(changes.get(kind, {}))
        out[kind] = st.StageState(kind, **fields)
    return out


DECIDED = D(2024, 12, 1)


def works(start: D, end: D, back: D, *, decided: D = DECIDED) -> dict[str, st.StageState]:
    """Construction planned from `start` to `end`, back in service planned on `back`."""
    return states(
        decided,
        construction={"planned_start": start, "planned_end": end},
        in_service={"planned_start": back, "planned_end": back},
    )


# --- pure figures -------------------------------------------------------------------------------------


def test_week_ends_are_sundays_covering_both_ends() -> None:
    assert tl.week_ends(D(2025, 1, 1), D(2025, 1, 15)) == [D(2025, 1, 5), D(2025, 1, 12), D(2025, 1, 19)]
    assert tl.week_ends(D(2025, 1, 5), D(2025, 1, 5)) == [D(2025, 1, 5)]
    long = tl.week_ends(D(2000, 1, 1), D(2025, 1, 1))
    assert len(long) == tl.MAX_WEEKS
    assert long[-1] == D(2025, 1, 5)


def test_stage_timeline_reconstructs_weekly_counts_from_actual_end_dates() -> None:
    a = states(D(2025, 1, 1), contract={"status": st.DONE, "actual_end": D(2025, 1, 8)},
               notice={"status": st.DONE, "actual_end": D(2025, 1, 10)})  # fmt: skip
    b = states(D(2025, 1, 10))
    skipped = states(D(2025, 1, 1), assessment={"status": st.SKIPPED, "actual_end": None})
    timeline = tl.stage_timeline([a, b, skipped], D(2025, 1, 15))
    assert timeline.labels == ("2025-01-05", "2025-01-12", "2025-01-19")
    assert timeline.series[st.PROPOSAL] == [1, 0, 0]  # b decided only on 10 January
    assert timeline.series[st.CONTRACT] == [2, 2, 2]  # a moves on as b arrives
    assert timeline.series[st.CONSTRUCTION] == [0, 1, 1]  # a: notice done on 10 January
    assert timeline.series[tl.DONE] == [0, 0, 0]
    assert all(sum(values) == 3 for values in zip(*timeline.series.values(), strict=True))


def test_stage_at_and_done() -> None:
    finished = states(D(2025, 1, 1), **{k: {"status": st.DONE, "actual_end": D(2025, 6, 1)} for k in st.ORDER[4:]})
    assert tl.stage_at(finished, D(2025, 5, 31)) == st.CONTRACT
    assert tl.stage_at(finished, D(2025, 6, 1)) == tl.DONE
    assert tl.stage_at(states(), D(2025, 1, 1)) == st.PROPOSAL


def test_completion_actual_against_planned_by_week() -> None:
    a = states(
        D(2025, 1, 1), in_service={"status": st.DONE, "planned_end": D(2025, 3, 1), "actual_end": D(2025, 2, 27)}
    )
    b = states(D(2025, 1, 1), in_service={"planned_end": D(2025, 3, 5)})
    c = states(D(2025, 1, 1), in_service={"planned_end": D(2025, 4, 10)})
    done = tl.completion([a, b, c], D(2025, 3, 12))
    assert done.labels[:3] == ("2025-03-02", "2025-03-09", "2025-03-16")
    assert done.labels[-1] == "2025-04-13"
    assert done.planned == [1, 2, 2, 2, 2, 2, 3]
    assert done.actual == [1, 1, 1, None, None, None, None]  # weeks not begun by 12 March have no actual
    assert tl.completion([states()], D(2025, 3, 12)) == tl.Completion((), [], [])


def test_figures_put_it_together() -> None:
    today = D(2025, 3, 12)
    started = {
        **works(D(2025, 3, 11), D(2025, 3, 20), D(2025, 3, 25)),
        st.CONSTRUCTION: st.StageState(st.CONSTRUCTION, st.STARTED, D(2025, 3, 11), D(2025, 3, 20), D(2025, 3, 11)),
    }
    items = [
        dash.Item(1, 11, 100, works(D(2025, 3, 1), D(2025, 3, 10), D(2025, 3, 16))),  # out 1-15 March
        dash.Item(2, 12, 100, started),  # out 11-24 March (started: until the day before it is back)
        dash.Item(3, 13, 200, works(D(2025, 3, 1), D(2025, 3, 2), D(2025, 3, 4))),  # out 1-3 March, alone
        dash.Item(4, 14, 300, states(D(2024, 12, 1))),  # no dates yet: not in the household figures
    ]
    fig = dash.figures(items, {100: 2, 200: 1, 300: 1}, {100: 6, 200: 4, 300: 9}, today)
    assert fig.elevators == 4
    assert fig.done == 0
    assert fig.out_now == 1  # only the started one: 1 and 3 are planned, not actually begun
    assert fig.overdue == 2  # construction of 1 and 3 past its planned end, not done
    assert fig.entrance_outages[100].none_days == 5
    assert fig.entrance_outages[200].none_days == 3
    stats = fig.outage
    assert stats.households == 10
    assert stats.entrances == 2
    assert stats.mean_none == Decimal("4.2")  # (6 × 5 + 4 × 3) / 10
    assert stats.median_none == Decimal(5)
    assert stats.max_none == 5
    assert stats.mean_some == Decimal("15.6")  # (6 × 24 + 4 × 3) / 10
    assert stats.max_some == 24
    contract = next(row for row in fig.stages if row.key == st.CONTRACT)
    assert (contract.elevators, contract.overdue) == (4, 2)
    assert sum(row.elevators for row in fig.stages) == 4
    assert fig.progress == 27  # (3 × 21 + 43.5) / 4: decided (2 + 4 + 5 + 10), one half-way through construction
    data = dash.chart_data(fig)
    assert [s["key"] for s in data["timeline"]["series"]] == [st.CONTRACT]  # only stages with elevators
    assert data["histogram"]["none"][1] == 10


def test_share_splits_to_the_fen_adding_up() -> None:
    assert [r.share(Decimal("100.01"), 2, i) for i in range(2)] == [Decimal("50.01"), Decimal("50.00")]
    assert sum(r.share(Decimal("10.00"), 3, i) for i in range(3)) == Decimal("10.00")
    assert r.share(Decimal("7.00"), 0, 0) == Decimal("7.00")


def test_natural_key_and_label() -> None:
    assert sorted(["10幢", "2幢", "1幢"], key=r.natural_key) == ["1幢", "2幢", "10幢"]
    assert r.elevator_label("1幢", "1单元", 2) == "1幢1单元 2号梯"


# --- the workbook ---------------------------------------------------------------------------------------


@pytest.fixture
def funded(delivery_world: Any) -> Any:
    """1幢1单元 (two elevators) has two plans; the latest: 265,000.00 per elevator, subsidies
    300,000.00 + 69,000.01, fund 100,000.00, public revenue 20,000.00, owners 40,999.99."""
    world = delivery_world.world
    offer = Offer.objects.create(
        campaign=world.campaign, vendor=delivery_world.vendor, brand="奥的斯", model="GeN2", rated_load_kg=1000,
        rated_speed_mps=Decimal("1.75"), warranty_years=2, delivery_days=45, installation_days=20,
        price_per_elevator=Decimal("265000.00"), status=OfferStatus.SUBMITTED,
    )  # fmt: skip
    common = {"entrance": world.inside["entrance"], "campaign": world.campaign, "offer": offer, "stops": 11}
    FundingPlan.objects.create(
        **common, elevators=2, works_cost=Decimal("999999.00"), owners_total=Decimal("1999998.00")
    )  # an older plan: not the one reported
    FundingPlan.objects.create(
        **common,
        elevators=2,
        works_cost=Decimal("265000.00"),
        subsidies=[
            {"code": "central", "name": "中央补助", "amount": "300000.00"},
            {"code": "hangzhou", "name": "杭州补助", "amount": "69000.01"},
        ],
        maintenance_fund=Decimal("100000.00"),
        public_revenue=Decimal("20000.00"),
        owners_total=Decimal("40999.99"),
    )
    return delivery_world


def read(response: Any) -> Any:
    assert response.status_code == 200
    assert response["Content-Type"] == r.XLSX_CONTENT_TYPE
    assert "attachment; filename*=UTF-8''" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 1
    return book.worksheets[0]


def table(ws: Any) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]]]:
    """Headers, and the data rows as {header: value} and {header: cell}."""
    rows = list(ws.iter_rows(min_row=r.HEADER_ROW))
    headers = [c.value for c in rows[0]]
    return (
        headers,
        [dict(zip(headers, (c.value for c in row), strict=False)) for row in rows[1:]],
        [dict(zip(headers, row, strict=False)) for row in rows[1:]],
    )


def export_url(campaign: Any) -> str:
    return reverse("delivery_export", args=[campaign.pk])


def test_export_one_sheet_with_places_stages_dates_and_funding_per_elevator(funded: Any) -> None:
    world = funded.world
    one, two, three = funded.renewals
    start = timezone.localdate() + dt.timedelta(days=30)
    plan_works(one, start, 40)
    set_stage(one, st.CONTRACT, status=st.DONE, actual_start=D(2024, 12, 10), actual_end=D(2024, 12, 20))
    set_stage(three, st.CONTRACT, planned_end=D(2025, 1, 31))  # long past: overdue
    ws = read(client_for(funded.manager).get(export_url(world.campaign)))
    assert ws.title == "实施进度"
    assert world.campaign.name in ws["A1"].value
    assert ws["A1"].font.b
    headers, rows, cells = table(ws)
    assert headers[:10] == [
        "小区",
        "楼栋",
        "单元",
        "电梯",
        "设备代码",
        "品牌方",
        "当前阶段",
        "进度(%)",
        "逾期",
        "逾期阶段",
    ]
    assert "拆除与安装\n计划开始" in headers
    assert "补助拨付\n实际完成" in headers
    assert headers[-6:] == [
        "补助：中央补助(元)",
        "补助：杭州补助(元)",
        "补助合计(元)",
        "使用维修资金(元)",
        "公共收益列支(元)",
        "业主自筹(元)",
    ]
    assert all(c.font.b for c in ws[r.HEADER_ROW])
    assert ws.freeze_panes == "F4"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$3:$3"
    assert ws.print_title_cols == "$A:$E"
    assert ws.column_dimensions["A"].width == 14
    assert len(rows) == 3
    by_code = {row["设备代码"]: row for row in rows}
    cell_by_code = {row["设备代码"].value: row for row in cells}
    first = by_code[one.elevator.device_code]
    assert (first["小区"], first["楼栋"], first["单元"]) == ("亲亲家园", "1幢", "1单元")
    assert first["电梯"] == "1幢1单元 1号梯"
    assert first["品牌方"] == "甲电梯"
    assert first["当前阶段"] == "施工告知"
    assert first["进度(%)"] == 26
    assert isinstance(first["进度(%)"], int)
    assert first["业主表决\n实际完成"] == dt.datetime(2024, 12, 1)
    assert cell_by_code[one.elevator.device_code]["业主表决\n实际完成"].number_format == r.DATE_FORMAT
    assert first["拆除与安装\n计划开始"] == dt.datetime.combine(start, dt.time())
    assert first["拆除与安装\n实际开始"] is None
    assert first["逾期"] is None
    # funding: the latest plan, split per elevator, to the fen, adding up to the plan
    second = by_code[two.elevator.device_code]
    assert first["每台工程费用(元)"] == second["每台工程费用(元)"] == 265000
    assert (first["补助：中央补助(元)"], second["补助：中央补助(元)"]) == (150000, 150000)
    assert (first["补助：杭州补助(元)"], second["补助：杭州补助(元)"]) == (34500.01, 34500)
    assert first["补助合计(元)"] == 184500.01
    assert (first["使用维修资金(元)"], first["公共收益列支(元)"]) == (50000, 10000)
    assert (first["业主自筹(元)"], second["业主自筹(元)"]) == (20500, 20499.99)
    money = cell_by_code[one.elevator.device_code]["业主自筹(元)"]
    assert money.data_type == "n"
    assert money.number_format == r.MONEY_FORMAT
    # the other entrance has no plan: empty money, its one elevator numbered 1, overdue flagged
    third = by_code[three.elevator.device_code]
    assert third["电梯"] == "1幢2单元 1号梯"
    assert third["每台工程费用(元)"] is None
    assert third["业主自筹(元)"] is None
    assert (third["逾期"], third["逾期阶段"]) == ("是", "签订合同")
    assert funded.outside_renewal.elevator.device_code not in by_code


EXPORT_ROWS = {
    Role.SUBDISTRICT_STAFF: (3, True),
    Role.COMMUNITY_STAFF: (3, True),
    Role.OWNERS_COMMITTEE: (3, True),
    Role.PROPERTY_MANAGER: (3, True),
    Role.OWNER: (2, True),  # their own entrance's elevators (the persona owns 1幢1单元 101)
    Role.VENDOR: (3, False),  # vendors see no funding plans (the owners' money)
    Role.SUPERVISOR: (3, True),
    Role.DISTRICT_REGULATOR: (3, True),
}


@pytest.mark.parametrize("role", list(EXPORT_ROWS))
def test_export_per_role(funded: Any, role: str) -> None:
    world = funded.world
    client = client_for(world.users[role])
    rows, sees_plans = EXPORT_ROWS[role]
    _headers, data, _cells = table(read(client.get(export_url(world.campaign))))
    assert len(data) == rows
    inside = [row for row in data if row["单元"] == "1单元"]
    assert all((row["业主自筹(元)"] is not None) == sees_plans for row in inside)
    assert client.get(export_url(world.other_campaign)).status_code == 404


def test_export_needs_login(delivery_world: Any) -> None:
    response = Client().get(export_url(delivery_world.world.campaign))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_export_query_count_does_not_grow(funded: Any, django_assert_max_num_queries: Any) -> None:
    world = funded.world
    client = client_for(funded.manager)
    with django_assert_max_num_queries(9):
        assert client.get(export_url(world.campaign)).status_code == 200
    _more_renewals(funded, 6)
    with django_assert_max_num_queries(9):
        response = client.get(export_url(world.campaign))
    assert len(table(read(response))[1]) == 3 + 12


def _more_renewals(delivery_world: Any, entrances: int) -> None:
    world = delivery_world.world
    for n in range(entrances):
        entrance = f.EntranceFactory(building=world.inside["building"], name=f"{n + 3}单元")
        for room in ("101", "102", "201"):
            f.ApartmentFactory(entrance=entrance, room=room)
        for _i in range(2):
            renewal = ds.renewal_create(
                actor=delivery_world.manager,
                campaign=world.campaign,
                elevator=f.ElevatorFactory(entrance=entrance),
                vendor=delivery_world.other_vendor,
                works_days=30,
                decided_on=D(2024, 12, 1),
            )
            plan_works(renewal, timezone.localdate() + dt.timedelta(days=10 * n), 30)


# --- the dashboard --------------------------------------------------------------------------------------


def dashboard_url(campaign: Any) -> str:
    return reverse("delivery_dashboard", args=[campaign.pk])


def test_dashboard_figures_from_the_campaign(delivery_world: Any) -> None:
    world = delivery_world.world
    inside = world.inside
    for room in ("102", "201", "202"):
        f.ApartmentFactory(entrance=inside["entrance"], room=room)  # 1单元: 4 households
    one, two, _three = delivery_world.renewals
    base = timezone.localdate() + dt.timedelta(days=60)
    plan_works(one, base, 20, back_after=10)  # out base .. base+28
    plan_works(two, base + dt.timedelta(days=24), 20, back_after=10)  # out from base+24: 5 days together
    response = client_for(delivery_world.manager).get(dashboard_url(world.campaign))
    assert response.status_code == 200
    fig = response.context["fig"]
    assert fig.elevators == 3
    assert fig.entrance_outages[inside["entrance"].pk].none_days == 5
    assert fig.outage.households == 4
    assert fig.outage.max_none == 5
    assert fig.outage.median_none == 5
    assert {row.key: row.elevators for row in fig.stages}[st.CONTRACT] == 3
    page = response.content.decode()
    assert 'id="delivery-chart-data"' in page
    assert "vendor/echarts.min.js" in page
    assert "delivery/report_charts.js" in page
    assert reverse("delivery_export", args=[world.campaign.pk]) in page
    assert reverse("public_estate_progress", args=[inside["estate"].pk]) in page
    assert reverse("estate_notice_create", args=[inside["estate"].pk]) in page
    assert response.context["worst"][0].none_days == 5


DASHBOARD = {
    Role.SUBDISTRICT_STAFF: (3, True),
    Role.COMMUNITY_STAFF: (3, True),
    Role.OWNERS_COMMITTEE: (3, False),
    Role.PROPERTY_MANAGER: (3, False),
    Role.OWNER: (2, False),
    Role.VENDOR: (3, False),
    Role.SUPERVISOR: (3, False),
    Role.DISTRICT_REGULATOR: (3, False),
}


@pytest.mark.parametrize(("role", "expected"), DASHBOARD.items())
def test_dashboard_per_role(delivery_world: Any, role: str, expected: tuple[int, bool]) -> None:
    world = delivery_world.world
    client = client_for(world.users[role])
    response = client.get(dashboard_url(world.campaign))
    assert response.status_code == 200
    elevators, can_post = expected
    assert response.context["fig"].elevators == elevators
    post = reverse("estate_notice_create", args=[world.inside["estate"].pk])
    assert (post in response.content.decode()) == can_post
    assert client.get(dashboard_url(world.other_campaign)).status_code == 404


def test_dashboard_needs_login(delivery_world: Any) -> None:
    response = Client().get(dashboard_url(delivery_world.world.campaign))
    assert response.status_code == 302


def test_dashboard_query_count_does_not_grow(delivery_world: Any, django_assert_max_num_queries: Any) -> None:
    client = client_for(delivery_world.world.users[Role.COMMUNITY_STAFF])
    url = dashboard_url(delivery_world.world.campaign)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    _more_renewals(delivery_world, 6)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.context["fig"].elevators == 15


# --- on a phone ------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_dashboard(live_server: Any, browser: Any, delivery_world: Any) -> None:
    """At 375 px the dashboard fits, draws its three charts, and raises no script error."""
    from tests.browser_support import assert_fits_the_phone

    one, two, _three = delivery_world.renewals
    plan_works(one, timezone.localdate() - dt.timedelta(days=20), 40)
    set_stage(one, st.CONTRACT, status=st.DONE, actual_end=timezone.localdate() - dt.timedelta(days=30))
    plan_works(two, timezone.localdate() + dt.timedelta(days=10), 40)
    user = delivery_world.manager
    user.set_password("pass-word-123")
    user.save(update_fields=["password"])
    errors: list[str] = []
    page = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN").new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass-word-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(live_server.url + dashboard_url(delivery_world.world.campaign))
    for chart in ("timeline", "completion", "histogram"):
        page.wait_for_selector(f"#chart-{chart} canvas")
    assert_fits_the_phone(page)
    assert errors == []
