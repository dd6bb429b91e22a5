"""Scripts under the Content-Security-Policy, in a real browser (Debian's Chromium through Playwright).

* The Gantt chart's tooltip (delivery/static/delivery/gantt.js) shows hostile estate, building,
  entrance and vendor names as text: hovering a bar shows `<img src=x onerror=alert(1)>` literally,
  creates no element and opens no dialog.
* The chart pages, the admin and the API docs (Swagger UI) run without a single CSP violation, tooltips
  included (ECharts writes them as HTML with style attributes).
* The print buttons (data-print, bound by assets/js/print.js instead of onclick) still print.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to be called from
# it (live_server's database setup, the fixtures) without this (as in tests/test_browser.py).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = "<img src=x onerror=alert(1)>"
START, DEADLINE = dt.date(2025, 1, 6), dt.date(2025, 6, 30)

# Before any page script: record every CSP violation the document reports, and count print() calls
# (the dialog itself would block a headless page).
INIT = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
window.__printed = 0;
window.print = function () { window.__printed += 1; };
"""


class Watch:
    """A browser page logged in as `user` (the session cookie of a Django test client), with the
    dialogs, page errors and CSP messages it meets."""

    def __init__(self, browser: Any, live_server: Any, user: Any) -> None:
        client = Client()
        client.force_login(user)
        self.base = live_server.url
        context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": self.base}])
        context.add_init_script(INIT)
        self.page = context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: self.console.append(msg.text))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None, path
        assert response.status == 200, path
        assert "Content-Security-Policy" in {k.title() for k in response.headers}, path
        self.page.wait_for_load_state("load")

    def violations(self) -> list[str]:
        seen: list[str] = self.page.evaluate("window.__violations")
        messages = [m for m in self.console if "Content Security Policy" in m or "Content-Security-Policy" in m]
        return seen + messages


def _hostile_schedule(delivery_world: Any) -> Any:
    """The delivery world's three renewals with every name that reaches the chart made hostile, solved."""
    from gongzhi.delivery import services

    dw = delivery_world
    inside = dw.world.inside
    for key in ("estate", "building", "entrance"):
        inside[key].name = HOSTILE
        inside[key].save(update_fields=["name"])
    second_entrance = dw.renewals[2].elevator.entrance
    second_entrance.name = HOSTILE + "2"
    second_entrance.save(update_fields=["name"])
    for vendor in (dw.vendor, dw.other_vendor):
        vendor.name = HOSTILE if vendor == dw.vendor else HOSTILE + "乙"
        vendor.save(update_fields=["name"])
    problem = services.schedule_problem(
        renewals=dw.renewals, start=START, deadline=DEADLINE, crews={dw.vendor.pk: 1, dw.other_vendor.pk: 1}
    )
    schedule = services.schedule_create(
        actor=dw.manager, campaign=dw.world.campaign, problem=problem, time_limit=5, name="安全测试排期"
    )
    return services.schedule_run(schedule.pk)


BAR = """() => {
  const el = document.getElementById('plan-gantt');
  const chart = echarts.getInstanceByDom(el);
  const v = chart.getOption().series[0].data[0].value;
  const p = chart.convertToPixel({xAxisIndex: 0, yAxisIndex: 0}, [(v[1] + v[2]) / 2, v[0]]);
  const r = el.getBoundingClientRect();
  return [r.left + p[0], r.top + p[1]];
}"""
TOOLTIP = """(needle) => [...document.querySelectorAll('#plan-gantt div')].find(
  d => d.textContent.includes(needle) && getComputedStyle(d).display !== 'none' && d.offsetHeight > 0) || null"""


def test_gantt_tooltip_shows_hostile_names_as_text(browser: Any, live_server: Any, delivery_world: Any) -> None:
    schedule = _hostile_schedule(delivery_world)
    assert schedule.result["status"] in ("optimal", "feasible")
    watch = Watch(browser, live_server, delivery_world.manager)
    watch.goto(reverse("schedule_detail", args=[schedule.pk]))
    watch.page.wait_for_selector("#plan-gantt canvas")
    watch.page.locator("#plan-gantt").scroll_into_view_if_needed()

    x, y = watch.page.evaluate(BAR)
    watch.page.mouse.move(x, y)
    # The tooltip's text holds the names as typed: with the names spliced in as HTML they would
    # have become <img> elements and "onerror=alert(1)" would be nowhere in the text.
    watch.page.wait_for_function(f"() => ({TOOLTIP})('onerror=alert(1)') !== null", timeout=10_000)
    tip = watch.page.evaluate_handle(f"({TOOLTIP})('onerror=alert(1)')")
    text = tip.evaluate("d => d.innerText")
    assert HOSTILE in text
    assert "单元：" in text
    assert "品牌方：" in text
    assert tip.evaluate("d => d.querySelectorAll('img, script, iframe').length") == 0
    assert watch.page.evaluate("document.querySelectorAll('#plan-gantt img').length") == 0
    watch.page.wait_for_timeout(300)  # an <img src=x> would have failed to load and fired by now
    assert watch.dialogs == []
    assert watch.errors == []
    assert watch.violations() == []


def _hover_every_chart(watch: Any) -> int:
    """Move the mouse over the middle of each ECharts canvas, so its tooltip is drawn; returns how many."""
    canvases = watch.page.locator("canvas")
    for n in range(canvases.count()):
        canvas = canvases.nth(n)
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        assert box is not None
        watch.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        watch.page.wait_for_timeout(150)
    return int(canvases.count())


def test_chart_pages_admin_and_api_docs_run_without_violations(
    browser: Any, live_server: Any, delivery_world: Any
) -> None:
    from tests.test_delivery_plan import make_schedule

    dw = delivery_world
    schedule = make_schedule(dw)
    watch = Watch(browser, live_server, dw.manager)
    charts = {
        reverse("home"): "#chart-ages canvas",
        reverse("schedule_detail", args=[schedule.pk]): "#plan-gantt canvas",
        reverse("delivery_dashboard", args=[dw.world.campaign.pk]): "[data-chart] canvas",
    }
    for path, selector in charts.items():
        watch.goto(path)
        watch.page.wait_for_selector(selector)
        assert _hover_every_chart(watch) >= 1, path
        assert watch.violations() == [], path
    # htmx is loaded with its indicator style off and no eval (base.html's htmx-config).
    assert watch.page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert watch.page.evaluate("htmx.config.allowEval") is False
    assert watch.page.evaluate("document.querySelectorAll('style:not([nonce])').length") == 0

    watch.goto("/api/docs")
    watch.page.wait_for_selector(".swagger-ui .information-container", timeout=15_000)
    assert watch.page.locator(".opblock").count() > 10  # the operations are listed
    assert watch.violations() == []

    admin = f.UserFactory(username="csp-admin", is_staff=True, is_superuser=True)
    admin_watch = Watch(browser, live_server, admin)
    for path in ("/admin/", "/admin/auth/user/", f"/admin/auth/user/{dw.manager.pk}/change/"):
        admin_watch.goto(path)
    admin_watch.page.wait_for_selector("#user_form")
    assert admin_watch.violations() == []
    assert watch.dialogs == []
    assert admin_watch.dialogs == []
    assert watch.errors == []
    assert admin_watch.errors == []


def test_print_buttons_still_print(browser: Any, live_server: Any, motion_world: Any) -> None:
    from gongzhi.meetings import services as meetings

    mw = motion_world
    inside = mw.world.inside
    meeting = meetings.meeting_create(
        actor=mw.staff,
        estate=inside["estate"],
        fields=meetings.MeetingFields(
            topic="1幢电梯更新众议事", starts_at=mw.now + dt.timedelta(days=2), venue="社区会议室"
        ),
    )
    watch = Watch(browser, live_server, mw.staff)
    pages = [
        reverse("motion_door_knocking", args=[mw.motion.pk]),
        reverse("meeting_sign_in_qr", args=[meeting.pk]),
    ]
    for path in pages:
        watch.goto(path)
        button = watch.page.locator("button[data-print]")
        assert button.count() == 1, path
        assert button.get_attribute("onclick") is None
        button.click()
        assert watch.page.evaluate("window.__printed") == 1, path
        assert watch.violations() == [], path
    assert watch.errors == []
