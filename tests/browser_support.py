"""Shared by the browser tests: Debian's Chromium through Playwright, and the phone checks.

The `browser` fixture is made available to every test through tests/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE_WIDTH = 375


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        reason = "Chromium is not installed (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("GONGZHI_REQUIRE_BROWSER"):
            pytest.fail(reason)
        # Skipped only on a developer machine without Debian's chromium package: the test needs a
        # real browser and cannot stand in for one. CI sets GONGZHI_REQUIRE_BROWSER, so there it fails.
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def assert_fits_the_phone(page: Any) -> None:
    """No horizontal page scroll at 375 px: wide tables scroll inside their own wrapper."""
    if os.environ.get("GONGZHI_SCREENSHOTS"):  # a picture of every page, for a human to look at
        name = page.url.split("//", 1)[1].split("/", 1)[1].strip("/").replace("/", "-") or "home"
        page.screenshot(path=f"{os.environ['GONGZHI_SCREENSHOTS']}/{name}.png", full_page=True)
    # A click on a link returns once the navigation has started; measuring while the new document is
    # being committed finds no documentElement. Callers wait for the new URL, and this waits for its load.
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide"
    small = page.evaluate(
        """() => [...document.querySelectorAll('main a[role=button], main button, header button, header a')]
              .filter(e => e.offsetParent !== null)
              .map(e => [e.textContent.trim(), e.getBoundingClientRect().height])
              .filter(([, h]) => h < 40)"""
    )
    assert small == [], f"tap targets under 40px on {page.url}: {small}"
