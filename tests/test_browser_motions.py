"""A real browser (Debian's Chromium through Playwright) on an owners' motion, at phone width:
an owner votes through the personal link on the sheet (one-time code, then 同意) while a community
worker watches the tally page update itself, then two workers key a paper sheet (双人录入)."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from django.urls import reverse

from gongzhi.motions import codes
from tests.browser_support import assert_fits_the_phone

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to be
# called from it (live_server's database setup, the fixtures) without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PHONE = {"width": 375, "height": 740}
PASSWORD = "pass-word-123"
POLL_MS = 8_000  # the tally polls every 2 s: a few rounds, generous on a loaded CI machine

# transaction=True: the live server runs in another thread, so the fixtures' rows must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def outbox(settings: Any) -> list[codes.SentMessage]:
    settings.GONGZHI_CODE_SENDER = "gongzhi.motions.codes.MemorySender"
    codes.MemorySender.outbox.clear()
    return codes.MemorySender.outbox


def staff_page(browser: Any, live_server: Any, user: Any, errors: list[str]) -> Any:
    """A phone logged in as `user` (the password is set here, so the live server can check it)."""
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_owner_votes_by_link_and_staff_see_it_and_key_paper(
    live_server: Any, browser: Any, motion_world: Any, outbox: list[codes.SentMessage]
) -> None:
    from playwright.sync_api import expect

    from gongzhi.motions.models import Voter

    motion = motion_world.motion
    wang = motion_world.voters["wang"]
    errors: list[str] = []

    # The worker opens the motion first: nobody has voted yet.
    staff = staff_page(browser, live_server, motion_world.staff, errors)
    staff.goto(live_server.url + reverse("motion_detail", args=[motion.pk]))
    owners_bar = staff.locator("#tally .bar-participation-owners .bar-value")
    expect(owners_bar).to_contain_text("0 / 5 人")
    expect(staff.locator("#tally .count-for td.num").first).to_have_text("0")
    assert staff.locator("#tally[hx-trigger]").count() == 1  # polling while voting is open
    assert_fits_the_phone(staff)

    # Ms Wang opens the link printed on her sheet, on her own phone.
    owner_context = browser.new_context(viewport=PHONE, locale="zh-CN")
    owner = owner_context.new_page()
    owner.on("pageerror", lambda exc: errors.append(str(exc)))
    token = codes.voter_token(wang.pk, str(motion.public_id))
    owner.goto(live_server.url + reverse("vote_link", args=[token]))
    expect(owner.locator("h1")).to_have_text(motion.title)
    expect(owner.locator("#vote-action")).to_contain_text("138****0001")  # the phone on record, masked
    assert_fits_the_phone(owner)

    owner.click("#vote-action button:text('获取验证码')")
    expect(owner.locator("#vote-code")).to_be_visible()
    assert [m.phone for m in outbox] == ["13800000001"]
    match = re.search(r"(\d{6})", outbox[-1].message)
    assert match, outbox[-1].message
    assert_fits_the_phone(owner)

    owner.fill("#vote-code", match.group(1))
    owner.click("#vote-action button:text('确认')")
    choices = owner.locator("form.vote-choices button.vote-choice")
    expect(choices).to_have_count(3)
    expect(choices).to_have_text(["同意", "反对", "弃权"])
    heights = choices.evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert min(heights) >= 40, heights
    assert_fits_the_phone(owner)

    choices.filter(has_text="同意").click()
    confirmed = owner.locator(".vote-confirmed")
    expect(confirmed.locator("h2")).to_have_text("表决已记录")
    expect(confirmed).to_contain_text("您的选择：同意，第 1 版")
    assert_fits_the_phone(owner)
    wang.refresh_from_db()
    assert (wang.choice, wang.version) == ("for", 1)

    # The worker's page catches up by itself (htmx polls the tally), without a reload.
    expect(owners_bar).to_contain_text("1 / 5 人", timeout=POLL_MS)
    expect(staff.locator("#tally .count-for td.num").first).to_have_text("1")
    assert_fits_the_phone(staff)

    # Paper: Mr Chen's sheet (no. 3), 反对, keyed once by each of two workers.
    staff.click("nav.motion-links a:text('纸质票录入')")
    staff.wait_for_url("**/paper/")
    assert_fits_the_phone(staff)
    staff.fill("#id_number", "3")
    staff.click(".choice-buttons button:text('反对')")
    expect(staff.locator(".paper-result")).to_contain_text("已录入，等待第二人录入：第 3 号 反对")
    expect(staff.locator(".paper-result")).to_contain_text("陈刚")
    assert_fits_the_phone(staff)

    second = staff_page(browser, live_server, motion_world.staff2, errors)
    second.goto(live_server.url + reverse("motion_paper_entry", args=[motion.pk]))
    second.fill("#id_number", "3")
    second.click(".choice-buttons button:text('反对')")
    expect(second.locator(".paper-result")).to_contain_text("两次录入一致，已计票：第 3 号 反对")
    assert_fits_the_phone(second)
    assert Voter.objects.get(pk=motion_world.voters["chen"].pk).choice == "against"

    staff.goto(live_server.url + reverse("motion_detail", args=[motion.pk]))
    expect(owners_bar).to_contain_text("2 / 5 人")
    expect(staff.locator("#tally .count-against td.num").first).to_have_text("1")
    assert errors == []
    for page in (staff, second, owner):
        page.context.close()
