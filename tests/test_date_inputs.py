"""Date and time inputs show their value in the ISO form the browser's picker reads, in Chinese too.

Django writes a date's initial value in the active language's first input format: "2026/12/07" in
Chinese, which an <input type="date"> does not accept, so the field showed empty (the ledger forms)
and a datetime-local showed "2026/12/15 08:00" as nothing (the consultation form). Every form uses
core.widgets' inputs, which write ISO 8601 whatever the language."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.test_consultation import setup  # noqa: F401 - the fixture
from tests.test_consultation_views import _client
from tests.test_ledgers_views import LedgerWorld, client_for, ledger_world  # noqa: F401 - the fixture

SRC = Path(__file__).resolve().parents[1] / "src" / "gongzhi"
HAND_MADE = re.compile(r"forms\.Date(?:Time)?Input\(|[\"']datetime-local[\"']|[\"']type[\"']\s*:\s*[\"']date[\"']")


def _inputs(html: str, *names: str) -> dict[str, str]:
    found = {}
    for name in names:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
        assert tag is not None, name
        value = re.search(r'value="([^"]*)"', tag.group(0))
        found[name] = value.group(1) if value else ""
    return found


def test_no_form_builds_a_date_input_by_hand() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sorted(SRC.rglob("*.py"))
        if path.relative_to(SRC).as_posix() != "core/widgets.py" and "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if HAND_MADE.search(line)
    ]
    assert offenders == []


def test_the_scan_would_see_one() -> None:
    assert HAND_MADE.search('DATE = forms.DateInput(attrs={"type": "date"})')
    assert HAND_MADE.search('widget=forms.DateTimeInput(attrs={"type": "datetime-local"})')


@pytest.mark.django_db
def test_ledger_entry_date_is_iso_in_chinese(ledger_world: LedgerWorld) -> None:  # noqa: F811
    w = ledger_world
    url = reverse("ledger_entry_new", args=[w.ledger.pk, "income"])
    html = client_for(w.manager).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", _inputs(html, "date")["date"])


@pytest.mark.django_db
def test_consultation_times_are_iso_in_chinese_and_kept_after_an_error(setup) -> None:  # noqa: F811
    _personas, entrance, offers, plan, staff = setup
    client = _client(staff)
    url = reverse("consultation_create", args=[entrance.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for value in _inputs(html, "opens_at", "closes_at").values():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value), value
    opens = (timezone.localtime() + dt.timedelta(days=8)).strftime("%Y-%m-%dT%H:%M")
    closes = (timezone.localtime() + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    data = {"plan": plan.pk, "offers": [offers[0].pk], "opens_at": opens, "closes_at": closes}
    refused = client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "品牌表决至少需要两个报价" in refused
    assert _inputs(refused, "opens_at", "closes_at") == {"opens_at": opens, "closes_at": closes}
