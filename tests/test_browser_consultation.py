"""A real browser (Debian's Chromium through Playwright) on an entrance's three renewal decisions,
at phone width (issue 4, "Checks"): an owner opens the voting link from their sheet, gets one code,
compares the offers on the brand motion's page, sees their own share of the funding plan, and votes
on all three (replace: 同意, brand: an option, funding: 同意), each confirmed, with no horizontal
scroll on any page."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from django.urls import reverse

from gongzhi.core.money import format_yuan as money
from gongzhi.motions import codes
from tests import factories as f
from tests.browser_support import assert_fits_the_phone
from tests.test_motion_vote_consultation import Entrance, build, sibling_in

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to be
# called from it (live_server's database setup, the fixtures) without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PHONE = {"width": 375, "height": 740}

# transaction=True: the live server runs in another thread, so the fixtures' rows must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def outbox(settings: Any) -> list[codes.SentMessage]:
    settings.GONGZHI_CODE_SENDER = "gongzhi.motions.codes.MemorySender"
    codes.MemorySender.outbox.clear()
    return codes.MemorySender.outbox


@pytest.fixture
def entrance(personas: Any) -> Entrance:
    place = f.EntranceFactory(building=personas.inside["building"], name="3单元")
    f.ElevatorFactory(entrance=place)
    return build(personas, entrance=place)


def test_owner_compares_sees_their_share_and_votes_on_all_three(
    live_server: Any, browser: Any, entrance: Entrance, outbox: list[codes.SentMessage]
) -> None:
    from playwright.sync_api import expect

    from gongzhi.motions.models import Voter

    c = entrance.consultation
    owner = entrance.owner
    brand = sibling_in(owner, c.brand_motion)
    funding = sibling_in(owner, c.funding_motion)
    errors: list[str] = []
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The link printed on the owner's sheet for the first decision (换不换).
    token = codes.voter_token(owner.pk, str(c.replace_motion.public_id))
    page.goto(live_server.url + reverse("vote_link", args=[token]))
    expect(page.locator("h1")).to_have_text(c.replace_motion.title)
    steps = page.locator("nav.consultation-steps li")
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text("一、换不换")
    expect(steps.nth(1)).to_contain_text(c.brand_motion.title)
    share = page.locator("#your-share")
    expect(share).to_contain_text("您的分摊额")
    expect(share).to_contain_text(money(entrance.shares["101"]))
    expect(share).not_to_contain_text(money(entrance.shares["102"]))  # not the neighbour's
    assert_fits_the_phone(page)

    # One code.
    page.click("#vote-action button:text('获取验证码')")
    expect(page.locator("#vote-code")).to_be_visible()
    assert [m.phone for m in outbox] == ["13900000001"]
    match = re.search(r"(\d{6})", outbox[-1].message)
    assert match, outbox[-1].message
    page.fill("#vote-code", match.group(1))
    page.click("#vote-action button:text('确认')")
    choices = page.locator("form.vote-choices button.vote-choice")
    expect(choices).to_have_text(["同意", "反对", "弃权"])
    assert_fits_the_phone(page)

    # 换不换: 同意.
    choices.filter(has_text="同意").click()
    confirmed = page.locator(".vote-confirmed")
    expect(confirmed.locator("h2")).to_have_text("表决已记录")
    expect(confirmed).to_contain_text("您的选择：同意，第 1 版")
    assert_fits_the_phone(page)

    # 换什么: straight to the choice, no new code; the offers side by side first.
    page.click("a.vote-next")
    expect(page.locator("h1")).to_have_text(c.brand_motion.title)
    table = page.locator("#offer-compare table.compare")
    expect(table).to_be_visible()
    expect(table.locator("thead th")).to_have_count(3)  # the attribute column and two options
    price = table.locator("tr.compare-price_per_elevator")
    expect(price).to_have_class(re.compile(r"\bdiffers\b"))
    expect(price.locator("td.best")).to_have_text(re.compile(r"^240,000\.00"))
    expect(table.locator("tr.compare-rated_load_kg")).to_have_class(re.compile(r"\bsame\b"))
    # The table scrolls inside its own wrapper; the page itself does not.
    wrap_scrolls = page.evaluate(
        "() => { const w = document.querySelector('#offer-compare .table-wrap'); "
        "return getComputedStyle(w).overflowX; }"
    )
    assert wrap_scrolls == "auto"
    expect(page.locator("#your-share")).to_contain_text(money(entrance.shares["201"]))
    options = page.locator("form.vote-choices button.vote-choice")
    expect(options).to_have_count(3)  # 方案1, 方案2, 弃权
    heights = options.evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert min(heights) >= 40, heights
    assert_fits_the_phone(page)
    page.click("#vote-opt2 button")
    expect(confirmed.locator("h2")).to_have_text("表决已记录")
    expect(confirmed).to_contain_text("您的选择：方案2")
    assert_fits_the_phone(page)

    # 怎么换: 同意.
    page.click("a.vote-next")
    expect(page.locator("h1")).to_have_text(c.funding_motion.title)
    expect(page.locator("#your-share .vote-plan-owners")).to_have_text(money(c.plan.owners_total))
    assert_fits_the_phone(page)
    page.locator("form.vote-choices button.vote-choice").filter(has_text="同意").click()
    expect(confirmed.locator("h2")).to_have_text("表决已记录")
    expect(confirmed).to_contain_text("您的选择：同意，第 1 版")
    expect(page.locator("nav.consultation-steps .badge.voted")).to_have_count(3)
    expect(page.locator("a.vote-next")).to_have_count(0)  # nothing left to vote on
    assert_fits_the_phone(page)

    assert len(outbox) == 1  # one code for the three decisions
    assert [Voter.objects.get(pk=v.pk).choice for v in (owner, brand, funding)] == ["for", "opt2", "for"]
    assert errors == []
    context.close()
