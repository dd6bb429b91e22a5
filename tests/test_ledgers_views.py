"""Pages of the public-revenue ledgers: who sees and posts what (every persona, every page and POST),
errors at the field, the approval queue at the delegated limit, the statement notice with its QR code
and public version, the annual Excel export, the area roll-up, constant query counts, and a phone."""

from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.ledgers import services as ls
from gongzhi.ledgers.models import Entry, SpendingStatus, Statement
from gongzhi.places.models import Role
from tests import factories as f
from tests.conftest import ROLES, World
from tests.test_ledgers_services import PDF, LedgerWorld, build_ledger_world, make_motion

pytestmark = pytest.mark.django_db
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop in this thread (the phone test)

READERS = set(ROLES) - {Role.VENDOR}
RECORDERS = {Role.OWNERS_COMMITTEE, Role.PROPERTY_MANAGER}
APPROVERS = {Role.OWNERS_COMMITTEE}


@pytest.fixture
def ledger_world(personas: World) -> LedgerWorld:
    return build_ledger_world(personas)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _expected(role: str, allowed: set[str]) -> int:
    if role not in READERS:
        return 404
    return 200 if role in allowed else 403


def fill(w: LedgerWorld, n: int) -> None:
    """n incomes, costs and paid spendings in 2025 (the current year of the tests' clock is not
    assumed: pages are asked for ?year=2025)."""
    now = timezone.now()
    for i in range(n):
        day = dt.date(2025, 1 + i % 6, 1 + i % 27)
        gross = ls.income_post(actor=w.manager, ledger=w.ledger, source="parking", amount="100.00", date=day, now=now)
        ls.cost_post(actor=w.manager, income=gross, amount="10.00", date=day, now=now)
        spending = ls.spending_propose(
            actor=w.manager,
            ledger=w.ledger,
            category="environment",
            amount="20.00",
            date=day,
            description="保洁",
            now=now,
        )
        ls.spending_pay(
            actor=w.manager,
            entry=ls.spending_approve(actor=w.committee, entry=spending, now=now),
            paid_on=day,
            now=now,
        )


def detail_url(w: LedgerWorld) -> str:
    return reverse("ledger_detail", args=[w.ledger.pk]) + "?year=2025"


# --- who sees what --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_ledger_page_per_persona(ledger_world: LedgerWorld, role: str) -> None:
    w = ledger_world
    fill(w, 1)
    response = client_for(w.world.users[role]).get(detail_url(w))
    assert response.status_code == (200 if role in READERS else 404)
    if response.status_code == 200:
        html = response.content.decode()
        assert "亲亲家园" in html
        assert 'id="ledger-balance">1070.00<' in html  # 1000 + 100 − 10 − 20
        assert ("记收入" in html) == (role in RECORDERS)
        assert ('id="budget-form"' in html) == (role in APPROVERS)


def test_outsiders_get_404_and_anonymous_the_login(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    owner = f.OwnershipFactory(apartment=w.world.outside["apartment"]).owner
    outsider = f.user_with_role(Role.OWNER, owner=owner)
    assert client_for(outsider).get(detail_url(w)).status_code == 404
    assert client_for(outsider).get(reverse("ledger_detail", args=[w.outside_ledger.pk])).status_code == 200
    response = Client().get(detail_url(w))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_list_shows_only_the_ledgers_in_scope(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    html = client_for(w.world.users[Role.OWNER]).get(reverse("ledger_list")).content.decode()
    assert "亲亲家园" in html
    assert "之江花园" not in html
    assert 'id="rollup-link"' not in html
    assert 'id="rollup-link"' in client_for(w.world.users[Role.SUPERVISOR]).get(reverse("ledger_list")).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_entry_form_per_persona(ledger_world: LedgerWorld, role: str) -> None:
    w = ledger_world
    client = client_for(w.world.users[role])
    url = reverse("ledger_entry_new", args=[w.ledger.pk, "income"])
    assert client.get(url).status_code == _expected(role, RECORDERS)
    data = {"category": "advertising", "amount": "88.80", "date": "2025-03-01", "description": "电梯广告"}
    response = client.post(url, data)
    assert response.status_code == (302 if role in RECORDERS else _expected(role, RECORDERS))
    assert Entry.objects.filter(ledger=w.ledger, amount=Decimal("88.80")).exists() == (role in RECORDERS)


@pytest.mark.parametrize("role", ROLES)
def test_approval_queue_per_persona(ledger_world: LedgerWorld, role: str) -> None:
    w = ledger_world
    entry = ls.spending_propose(
        actor=w.manager,
        ledger=w.ledger,
        category="maintenance",
        amount="100.00",
        date=dt.date(2025, 3, 1),
        description="修路灯",
    )
    client = client_for(w.world.users[role])
    assert client.get(reverse("ledger_approvals", args=[w.ledger.pk])).status_code == _expected(role, RECORDERS)
    response = client.post(reverse("ledger_entry_approve", args=[entry.pk]), {"motion": ""})
    assert response.status_code == (302 if role in APPROVERS else _expected(role, APPROVERS))
    assert Entry.objects.get(pk=entry.pk).status == (
        SpendingStatus.APPROVED if role in APPROVERS else SpendingStatus.PROPOSED
    )


@pytest.mark.parametrize("role", ROLES)
def test_pay_reverse_transfer_budget_statement_posts_per_persona(ledger_world: LedgerWorld, role: str) -> None:
    w = ledger_world
    fill(w, 1)
    approved = ls.spending_approve(
        actor=w.committee,
        entry=ls.spending_propose(
            actor=w.manager,
            ledger=w.ledger,
            category="maintenance",
            amount="50.00",
            date=dt.date(2025, 3, 1),
            description="x",
        ),
    )
    income = Entry.objects.filter(ledger=w.ledger, kind="income").first()
    assert income is not None
    client = client_for(w.world.users[role])
    ok = 302 if role in RECORDERS else _expected(role, RECORDERS)
    assert client.post(reverse("ledger_entry_pay", args=[approved.pk]), {"paid_on": "2025-03-02"}).status_code == ok
    assert client.get(reverse("ledger_entry_reverse", args=[income.pk])).status_code == _expected(role, RECORDERS)
    cost = Entry.objects.get(against=income)
    post = client.post(reverse("ledger_entry_reverse", args=[cost.pk]), {"date": "2025-06-30", "reason": "录错"})
    assert post.status_code == ok
    transfer = {"period_start": "2025-01-01", "period_end": "2025-06-30", "date": "2025-07-01"}
    assert client.post(reverse("ledger_transfer", args=[w.ledger.pk]), transfer).status_code == ok
    budget = {"year": "2025", "category": "other_spending", "amount": "100"}
    assert client.post(reverse("ledger_budget", args=[w.ledger.pk]), budget).status_code == (
        302 if role in APPROVERS else _expected(role, APPROVERS)
    )
    statement = client.post(reverse("ledger_statement_create", args=[w.ledger.pk]), {"year": "2025", "quarter": "1"})
    assert statement.status_code == ok
    assert Statement.objects.filter(ledger=w.ledger).exists() == (role in RECORDERS)


# --- errors at the field and the delegated limit --------------------------------------------------------


def test_bad_amount_and_date_are_shown_at_their_fields(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    client = client_for(w.manager)
    url = reverse("ledger_entry_new", args=[w.ledger.pk, "income"])
    response = client.post(url, {"category": "parking", "amount": "-5", "date": "2025-03-01"})
    assert response.status_code == 400
    assert "金额 须大于零" in response.content.decode()
    assert 'id="id_amount-errors"' in response.content.decode()
    response = client.post(url, {"category": "parking", "amount": "5.123", "date": "2025-03-01"})
    assert "金额 最多精确到分" in response.content.decode()
    response = client.post(url, {"category": "parking", "amount": "5", "date": "2024-12-31"})
    assert 'id="id_date-errors"' in response.content.decode()
    assert "不能早于建账日期" in response.content.decode()
    spend = reverse("ledger_entry_new", args=[w.ledger.pk, "spending"])
    response = client.post(
        spend, {"category": "maintenance", "amount": "10000.01", "date": "2025-03-01", "description": "大修"}
    )
    assert "预算剩余 10000.00 元" in response.content.decode()
    assert not Entry.objects.filter(ledger=w.ledger).exists()


def test_vouchers_upload_with_the_entry_and_bad_files_are_refused(
    ledger_world: LedgerWorld, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    w = ledger_world
    client = client_for(w.manager)
    url = reverse("ledger_entry_new", args=[w.ledger.pk, "income"])
    data = {"category": "venue", "amount": "300", "date": "2025-03-01"}
    bad = client.post(url, {**data, "vouchers": [SimpleUploadedFile("x.txt", b"hello")]})
    assert bad.status_code == 400
    assert "须为 PDF、JPEG 或 PNG" in bad.content.decode()
    good = client.post(url, {**data, "vouchers": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)]})
    assert good.status_code == 302
    assert Entry.objects.get(ledger=w.ledger).vouchers.count() == 2


def test_approval_at_the_limit_and_above_needs_a_motion(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    client = client_for(w.committee)
    at = ls.spending_propose(
        actor=w.manager,
        ledger=w.ledger,
        category="renewal",
        amount="5000.00",
        date=dt.date(2025, 3, 1),
        description="a",
    )
    above = ls.spending_propose(
        actor=w.manager,
        ledger=w.ledger,
        category="renewal",
        amount="5000.01",
        date=dt.date(2025, 3, 1),
        description="b",
    )
    queue = client.get(reverse("ledger_approvals", args=[w.ledger.pk])).content.decode()
    assert f'id="approve{above.pk}-motion"' in queue
    assert f'id="approve{at.pk}-motion"' not in queue
    assert client.post(reverse("ledger_entry_approve", args=[at.pk]), {"motion": ""}).status_code == 302
    refused = client.post(reverse("ledger_entry_approve", args=[above.pk]), {"motion": ""})
    assert refused.status_code == 400
    assert "第二百七十八条" in refused.content.decode()
    motion = make_motion(w.world.inside["estate"], w.world.users[Role.COMMUNITY_STAFF], passed=True)
    assert client.post(reverse("ledger_entry_approve", args=[above.pk]), {"motion": str(motion.pk)}).status_code == 302
    assert Entry.objects.get(pk=above.pk).motion_id == motion.pk


# --- statements, export, roll-up ------------------------------------------------------------------------


def _statement(w: LedgerWorld, settings: Any, tmp_path: Any) -> Statement:
    settings.MEDIA_ROOT = tmp_path
    now = timezone.now()
    ls.income_post(
        actor=w.manager,
        ledger=w.ledger,
        source="parking",
        amount="1234.56",
        date=dt.date(2025, 2, 1),
        vouchers=[SimpleUploadedFile("停车费.pdf", PDF)],
        now=now,
    )
    return ls.statement_generate(actor=w.manager, ledger=w.ledger, year=2025, quarter=1, now=now)


def test_statement_notice_has_a_qr_code_to_the_public_version(
    ledger_world: LedgerWorld, settings: Any, tmp_path: Any
) -> None:
    w = ledger_world
    statement = _statement(w, settings, tmp_path)
    html = (
        client_for(w.world.users[Role.OWNER])
        .get(reverse("ledger_statement_notice", args=[statement.pk]))
        .content.decode()
    )
    public = reverse("ledger_statement_public", args=[statement.public_id])
    assert "<svg" in html
    assert f"http://testserver{public}" in html
    assert 'id="st-closing"><strong>2234.56<' in html
    assert (
        client_for(w.world.users[Role.VENDOR]).get(reverse("ledger_statement_notice", args=[statement.pk])).status_code
        == 404
    )
    anonymous = Client().get(public)
    assert anonymous.status_code == 200
    page = anonymous.content.decode()
    assert "停车费.pdf" in page
    assert "1234.56" in page
    assert w.manager.username not in page
    voucher = Entry.objects.get(ledger=w.ledger).vouchers.get()
    download = Client().get(reverse("ledger_statement_voucher", args=[statement.public_id, voucher.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_public_voucher_only_of_the_statements_entries(ledger_world: LedgerWorld, settings: Any, tmp_path: Any) -> None:
    w = ledger_world
    statement = _statement(w, settings, tmp_path)
    later = ls.income_post(
        actor=w.manager,
        ledger=w.ledger,
        source="venue",
        amount="1.00",
        date=dt.date(2025, 4, 1),
        vouchers=[SimpleUploadedFile("b.pdf", PDF)],
    )
    voucher = later.vouchers.get()
    assert Client().get(reverse("ledger_statement_voucher", args=[statement.public_id, voucher.pk])).status_code == 404
    assert client_for(w.world.users[Role.OWNER]).get(reverse("ledger_voucher", args=[voucher.pk])).status_code == 200
    assert client_for(w.world.users[Role.VENDOR]).get(reverse("ledger_voucher", args=[voucher.pk])).status_code == 404


def test_annual_export_has_entries_and_summary(ledger_world: LedgerWorld) -> None:
    w = ledger_world
    fill(w, 2)
    response = client_for(w.world.users[Role.SUPERVISOR]).get(reverse("ledger_export", args=[w.ledger.pk, 2025]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["分录", "汇总"]
    entries = list(wb["分录"].iter_rows(min_row=3, values_only=True))
    assert len(entries) == 6
    assert sum(Decimal(str(r[4])) for r in entries) == Decimal("260.00")
    summary = {r[0]: r[1:] for r in wb["汇总"].iter_rows(values_only=True) if r and r[0]}
    assert Decimal(str(summary["合计"][2])) == Decimal("180.00")  # net: 200 − 20
    assert Decimal(str(summary["当前余额"][0])) == Decimal("1140.00")
    assert (
        client_for(w.world.users[Role.VENDOR]).get(reverse("ledger_export", args=[w.ledger.pk, 2025])).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SUBDISTRICT_STAFF, 200),
        (Role.SUPERVISOR, 200),
        (Role.DISTRICT_REGULATOR, 200),
        (Role.COMMUNITY_STAFF, 403),
        (Role.OWNERS_COMMITTEE, 403),
        (Role.PROPERTY_MANAGER, 403),
        (Role.OWNER, 403),
        (Role.VENDOR, 403),
    ],
)
def test_rollup_at_the_subdistrict_level(ledger_world: LedgerWorld, role: str, status: int) -> None:
    w = ledger_world
    fill(w, 1)
    client = client_for(w.world.users[role])
    response = client.get(reverse("ledger_rollup"), follow=True)
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "亲亲家园" in html
        assert "之江花园" not in html
        assert 'id="rollup-balance">1070.00<' in html
    outside = client.get(reverse("ledger_rollup") + f"?subdistrict={w.world.outside['subdistrict'].pk}")
    assert outside.status_code == 403


# --- query counts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("ledger_detail", Role.OWNERS_COMMITTEE),
        ("ledger_detail", Role.OWNER),
        ("ledger_approvals", Role.OWNERS_COMMITTEE),
    ],
)
def test_query_counts_do_not_grow_with_entries(
    ledger_world: LedgerWorld, name: str, role: str, django_assert_max_num_queries: Any
) -> None:
    w = ledger_world
    client = client_for(w.world.users[role])
    url = reverse(name, args=[w.ledger.pk]) + "?year=2025"
    fill(w, 2)
    for _ in range(2):
        ls.spending_propose(
            actor=w.manager,
            ledger=w.ledger,
            category="maintenance",
            amount="1.00",
            date=dt.date(2025, 3, 1),
            description="x",
        )
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        assert client.get(url).status_code == 200
    fill(w, 10)
    for _ in range(6):
        ls.spending_propose(
            actor=w.manager,
            ledger=w.ledger,
            category="maintenance",
            amount="1.00",
            date=dt.date(2025, 3, 1),
            description="x",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_rollup_and_public_statement_query_counts(
    ledger_world: LedgerWorld, django_assert_max_num_queries: Any, settings: Any, tmp_path: Any
) -> None:
    w = ledger_world
    statement = _statement(w, settings, tmp_path)
    client = client_for(w.world.users[Role.SUBDISTRICT_STAFF])
    url = reverse("ledger_rollup") + f"?subdistrict={w.world.inside['subdistrict'].pk}"
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(6):
        assert Client().get(reverse("ledger_statement_public", args=[statement.public_id])).status_code == 200


# --- on a phone -----------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_ledger_page_and_public_statement(
    live_server: Any, browser: Any, ledger_world: LedgerWorld, settings: Any, tmp_path: Any
) -> None:
    from tests.browser_support import assert_fits_the_phone

    w = ledger_world
    fill(w, 3)
    statement = _statement(w, settings, tmp_path)
    errors: list[str] = []
    page = _phone_login(browser, live_server, w.committee, errors)
    page.goto(live_server.url + detail_url(w))
    assert page.locator("h1").inner_text().startswith("亲亲家园")
    page.wait_for_selector("[data-chart=budget] canvas")
    assert_fits_the_phone(page)
    page.goto(live_server.url + reverse("ledger_approvals", args=[w.ledger.pk]))
    assert_fits_the_phone(page)
    page.goto(live_server.url + reverse("ledger_statement_notice", args=[statement.pk]))
    assert_fits_the_phone(page)
    public = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN").new_page()
    public.goto(live_server.url + reverse("ledger_statement_public", args=[statement.public_id]))
    assert "公共收益收支公示" in public.locator("h1").inner_text()
    assert_fits_the_phone(public)
    staff = _phone_login(browser, live_server, w.world.users[Role.SUBDISTRICT_STAFF], errors)
    staff.goto(live_server.url + reverse("ledger_rollup"))
    staff.wait_for_selector("[data-chart=years] canvas")
    assert staff.locator("#rollup-estates tbody tr").count() == 1
    assert_fits_the_phone(staff)
    staff.goto(live_server.url + reverse("ledger_list"))
    assert_fits_the_phone(staff)
    assert errors == []


def _phone_login(browser: Any, live_server: Any, user: Any, errors: list[str]) -> Any:
    user.set_password("pass-word-123")
    user.save(update_fields=["password"])
    page = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN").new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass-word-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


# --- opening a ledger -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_open_a_ledger_per_persona(personas: World, role: str) -> None:
    estate = personas.inside["estate"]
    client = client_for(personas.users[role])
    url = reverse("ledger_open", args=[estate.pk])
    assert client.get(url).status_code == _expected(role, APPROVERS)
    data = {"delegated_limit": "5000", "fund_share": "10", "opening_balance": "0", "opened_on": "2025-01-01"}
    response = client.post(url, data)
    assert response.status_code == (302 if role in APPROVERS else _expected(role, APPROVERS))
    assert hasattr(type(estate).objects.get(pk=estate.pk), "ledger") == (role in APPROVERS)
    listing = client.get(reverse("ledger_list")).content.decode()
    assert 'id="unopened"' not in listing  # opened (committee) or not theirs to open


def test_open_a_ledger_refuses_bad_input_at_the_field(personas: World) -> None:
    client = client_for(personas.users[Role.OWNERS_COMMITTEE])
    assert 'id="unopened"' in client.get(reverse("ledger_list")).content.decode()
    url = reverse("ledger_open", args=[personas.inside["estate"].pk])
    data = {"delegated_limit": "5000", "fund_share": "100.01", "opening_balance": "0", "opened_on": "2025-01-01"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert 'id="id_fund_share-errors"' in response.content.decode()
    data |= {"fund_share": "100", "delegated_limit": "-1"}
    response = client.post(url, data)
    assert 'id="id_delegated_limit-errors"' in response.content.decode()
    assert "业委会审批限额 不能为负数" in response.content.decode()
    outside = reverse("ledger_open", args=[personas.outside["estate"].pk])
    assert client.get(outside).status_code == 404


def test_district_rollup_by_estate_year_and_category(ledger_world: LedgerWorld) -> None:
    """Two estates of the district: each one's balance, and 2025 by category (net income of a source,
    paid spending of a category); a reversed income and an unpaid spending do not count."""
    w = ledger_world
    fill(w, 2)  # 亲亲家园: parking 2 × (100 − 10), environment 2 × 20
    second = f.EstateFactory(community=w.world.inside["community"], name="幸福里")
    committee = f.user_with_role(Role.OWNERS_COMMITTEE, estate=second)
    ledger = ls.ledger_open(
        actor=committee,
        estate=second,
        delegated_limit="0",
        fund_share="0",
        opening_balance="50.00",
        opened_on=dt.date(2025, 1, 1),
    )
    manager = f.user_with_role(Role.PROPERTY_MANAGER, estate=second)
    ls.budget_set(actor=committee, ledger=ledger, year=2025, category="environment", amount="100")
    kept = ls.income_post(actor=manager, ledger=ledger, source="advertising", amount="300.00", date=dt.date(2025, 5, 1))
    wrong = ls.income_post(
        actor=manager, ledger=ledger, source="advertising", amount="999.00", date=dt.date(2025, 5, 1)
    )
    ls.entry_reverse(actor=manager, entry=wrong, date=dt.date(2025, 5, 2), reason="录错")
    ls.spending_propose(
        actor=manager,
        ledger=ledger,
        category="environment",
        amount="60.00",
        date=dt.date(2025, 5, 3),
        description="未支付",
    )
    assert kept.amount == Decimal("300.00")
    regulator = client_for(w.world.users[Role.DISTRICT_REGULATOR])
    response = regulator.get(reverse("ledger_rollup"), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"?district={w.world.inside['district'].pk}")
    assert 'id="rollup-balance">1490.00<' in html  # (1000 + 180 − 40) + (50 + 300)
    r = response.context["r"]
    assert {row.label: row.balance for row in r.estates} == {
        "亲亲家园": Decimal("1140.00"),
        "幸福里": Decimal("350.00"),
    }
    matrix = dict(response.context["matrix"])
    cells = dict(zip(r.category_keys, matrix["2025"], strict=True))
    assert (cells["parking"], cells["advertising"], cells["environment"]) == (
        Decimal("180.00"),
        Decimal("300.00"),
        Decimal("40.00"),
    )
    outside = regulator.get(reverse("ledger_rollup") + f"?district={w.world.outside['district'].pk}")
    assert outside.status_code == 403
