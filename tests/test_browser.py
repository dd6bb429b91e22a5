"""A real browser (Debian's Chromium through Playwright) on the Liangzhu demo, at phone width:
log in, see the dashboard's charts, drill down estate → building → entrance → elevator, open
the campaign and download its workbook."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.browser_support import assert_fits_the_phone

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to be
# called from it (live_server's database setup, the demo loader) without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PHONE = {"width": 375, "height": 812}
HEADERS = ["排名", "小区", "地址", "设备代码", "使用登记证编号", "投用日期", "梯龄(年)", "等级", "优先分"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_drills_down_and_downloads_the_workbook(live_server: Any, browser: Any, tmp_path: Path) -> None:
    from gongzhi.demo.liangzhu import DEMO_PASSWORD, load_liangzhu

    summary = load_liangzhu(affairs=False)  # Liangzhu alone: the 昌硕 sample is not on these pages
    assert summary.elevators == 127
    context = browser.new_context(viewport=PHONE, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.fill("#id_username", "jiedao")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # The dashboard: big numbers and three charts drawn by ECharts on canvases.
    page.wait_for_selector("#chart-ages canvas")
    page.wait_for_selector("#chart-faults canvas")
    page.wait_for_selector("#chart-tiers canvas")
    assert page.locator(".stat-n").first.inner_text() == "127"
    canvas_width = page.eval_on_selector("#chart-ages canvas", "c => c.getBoundingClientRect().width")
    assert 200 < canvas_width <= PHONE["width"]
    assert_fits_the_phone(page)
    page.screenshot(path="/tmp/dashboard-375.png", full_page=True)  # noqa: S108 - for a human to look at

    # Drill down: estate → building → entrance → elevator.
    page.click("table a:text('亲亲家园')")
    page.wait_for_selector("h1:text('亲亲家园')")
    assert_fits_the_phone(page)
    page.locator("table a[href*='/buildings/']").first.click()
    page.wait_for_selector("h2 a[href*='/entrances/']")
    assert_fits_the_phone(page)
    page.locator("h2 a[href*='/entrances/']").first.click()
    page.wait_for_selector("h2:text('房屋')")
    assert_fits_the_phone(page)
    page.locator("table a[href*='/elevators/']").first.click()
    page.wait_for_selector("text=优先分")
    assert page.locator(".breadcrumbs a").count() == 4  # overview, estate, building, entrance
    assert "《民法典》第201条" in page.content()
    assert_fits_the_phone(page)

    # The campaign: ranked list, then the workbook.
    page.click("header a[href='/campaigns/']")
    page.locator("table a[href*='/campaigns/']").first.click()
    page.wait_for_selector("table.ranked")
    assert_fits_the_phone(page)
    # Filter (htmx swaps the list in place and keeps the URL shareable), then download that list.
    page.select_option("#id_tier", "priority")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**tier=priority**")
    page.wait_for_function("document.querySelector('#export-link').href.includes('tier=priority')")
    tiers = set(page.locator("table.ranked .badge[class*='tier-']").evaluate_all("els => els.map(e => e.className)"))
    assert tiers == {"badge tier-priority"}
    shown = page.locator("table.ranked tbody tr").count()
    with page.expect_download() as download_info:
        page.click("#export-link")
    download = download_info.value
    target = tmp_path / "campaign.xlsx"
    download.save_as(target)
    wb = load_workbook(io.BytesIO(target.read_bytes()), read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    header = next(r for r in rows if r and r[0] == "排名")
    assert header[: len(HEADERS)] == HEADERS
    data = [r for r in rows[rows.index(header) + 1 :] if r and isinstance(r[0], int)]
    assert len(data) == shown  # fewer than one page of priority elevators in the demo
    assert {r[HEADERS.index("等级")] for r in data} == {"优先"}
    assert errors == []
    context.close()


def test_english_interface_in_the_browser(live_server: Any, browser: Any) -> None:
    from django.contrib.auth import get_user_model

    from gongzhi.places.models import Role
    from tests import factories as f

    user = f.user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=f.SubdistrictFactory())
    assert get_user_model().objects.filter(pk=user.pk).exists()
    # A Chinese browser: the page starts in Chinese and the switch turns it to English.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    assert page.inner_text("h1") == "登录共治"
    page.click("form.lang-switch button")
    page.wait_for_selector("form.lang-switch button:text('中文')")
    assert page.inner_text("h1") == "Log in to Gongzhi"
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass-word-123")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "Elevator overview"
    context.close()
