"""Login throttling (issue 13, item 6): django-axes with a limit per account (10) and a higher one
per client address (50) within a 15-minute cool-off, the admin site included; the branded 429 page
with the time to try again; the client address from the trusted proxy header only (core.clients).

Before this work 200 wrong passwords were followed by a successful login, on the site and the admin.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.clients import client_ip
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # tests.factories.UserFactory
ACCOUNT_LIMIT = 10
ADDRESS_LIMIT = 50
PROXY = {"GONGZHI_CLIENT_IP_HEADER": "X-Forwarded-For", "GONGZHI_TRUSTED_PROXIES": ["10.0.0.0/8"]}


def login(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_settings_are_the_documented_ones() -> None:
    assert settings.AXES_FAILURE_LIMIT == ACCOUNT_LIMIT
    assert settings.GONGZHI_LOGIN_ADDRESS_FAILURE_LIMIT == ADDRESS_LIMIT
    assert dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


def test_right_password_refused_after_ten_wrong_ones_with_the_lockout_page() -> None:
    user = f.UserFactory()
    client = Client()
    for attempt in range(1, ACCOUNT_LIMIT):
        assert login(client, user.username, f"wrong-{attempt}").status_code == 200  # the form again
    tenth = login(client, user.username, "wrong-10")
    assert tenth.status_code == 429
    right = login(client, user.username, PASSWORD)
    assert right.status_code == 429
    assert not logged_in(client)
    html = right.content.decode()
    assert "登录已暂时锁定" in html
    assert "Account locked" not in html  # not axes' bare English text
    assert '<link rel="stylesheet"' in html  # the site's page, not a bare string
    newest = AccessAttempt.objects.filter(username=user.username).latest("attempt_time").attempt_time
    until = timezone.localtime(newest + dt.timedelta(minutes=15))
    assert f"{until:%H:%M}" in html
    assert 14 * 60 < int(right["Retry-After"]) <= 15 * 60
    assert right["Cache-Control"] == "no-store"
    assert client.get(reverse("home")).status_code == 302  # still not signed in


def test_admin_login_is_throttled_alike() -> None:
    admin = f.UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    url = reverse("admin:login")
    for attempt in range(ACCOUNT_LIMIT):
        client.post(url, {"username": admin.username, "password": f"wrong-{attempt}", "next": "/admin/"})
    right = client.post(url, {"username": admin.username, "password": PASSWORD, "next": "/admin/"})
    assert right.status_code == 429
    assert "登录已暂时锁定" in right.content.decode()
    assert client.get("/admin/").status_code == 302  # to the admin's login page


def test_the_lock_holds_from_another_address_and_ends_after_the_cool_off() -> None:
    user = f.UserFactory()
    for attempt in range(ACCOUNT_LIMIT):
        login(Client(REMOTE_ADDR="198.51.100.1"), user.username, f"wrong-{attempt}")
    elsewhere = Client(REMOTE_ADDR="198.51.100.2")
    assert login(elsewhere, user.username, PASSWORD).status_code == 429  # per account, whatever the address
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))  # the clock moved on
    assert login(elsewhere, user.username, PASSWORD).status_code == 302
    assert logged_in(elsewhere)


def test_a_successful_login_resets_the_account_count() -> None:
    user = f.UserFactory()
    client = Client()
    for attempt in range(ACCOUNT_LIMIT - 1):
        login(client, user.username, f"wrong-{attempt}")
    assert login(client, user.username, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for attempt in range(ACCOUNT_LIMIT - 1):  # 18 failures in all, but only 9 since the success
        login(client, user.username, f"again-{attempt}")
    assert login(client, user.username, PASSWORD).status_code == 302
    assert logged_in(client)


def test_another_account_from_the_same_address_works_until_the_address_limit() -> None:
    victim, colleague, other = f.UserFactory(), f.UserFactory(), f.UserFactory()
    client = Client()
    for attempt in range(ACCOUNT_LIMIT):
        login(client, victim.username, f"wrong-{attempt}")
    assert login(client, victim.username, PASSWORD).status_code == 429
    office = Client()  # a colleague behind the same address is not locked out by it
    assert login(office, colleague.username, PASSWORD).status_code == 302
    office.post(reverse("logout"))
    # Spraying one password over many accounts from the address: 10 so far, 39 more stay below 50...
    for n in range(ADDRESS_LIMIT - ACCOUNT_LIMIT - 1):
        assert login(client, f"guess{n}", "123456").status_code == 200
    # ...and logging into one's own account does not clear the address's count.
    assert login(office, colleague.username, PASSWORD).status_code == 302
    office.post(reverse("logout"))
    assert login(client, "guess-last", "123456").status_code == 429  # the 50th failure
    assert login(Client(), other.username, PASSWORD).status_code == 429
    assert login(Client(REMOTE_ADDR="198.51.100.9"), other.username, PASSWORD).status_code == 302


def test_api_clients_get_json() -> None:
    user = f.UserFactory()
    client = Client()
    for attempt in range(ACCOUNT_LIMIT):
        login(client, user.username, f"wrong-{attempt}")
    response = login(client, user.username, PASSWORD, headers={"Accept": "application/json"})
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "login_locked"
    assert "登录失败次数过多" in body["detail"]
    assert body["retry_after"] == int(response["Retry-After"])


# --- the client address behind a proxy --------------------------------------------------------------


@override_settings(**PROXY)
def test_two_clients_behind_the_trusted_proxy_are_counted_apart() -> None:
    user = f.UserFactory()
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(ADDRESS_LIMIT):
        login(proxy, f"guess{n}", "123456", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert login(proxy, user.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    neighbour = login(proxy, user.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert neighbour.status_code == 302


@override_settings(**PROXY)
def test_a_forged_header_from_an_untrusted_peer_is_ignored() -> None:
    user = f.UserFactory()
    for n in range(ADDRESS_LIMIT):  # a fresh forged address with every guess
        login(Client(REMOTE_ADDR="203.0.113.5"), f"guess{n}", "123456", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    forged = login(Client(REMOTE_ADDR="203.0.113.5"), user.username, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert forged.status_code == 429


def _request(remote: str, forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client's own entry is not believed
        ("10.0.0.2", "198.51.100.7, 10.0.0.3", "198.51.100.7"),  # two proxies of ours
        ("10.0.0.2", "198.51.100.7:51234", "198.51.100.7"),
        ("10.0.0.2", "[2001:db8::7]:443", "2001:db8::7"),
        ("10.0.0.2", "::ffff:198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "not-an-address", "10.0.0.2"),
        ("10.0.0.2", "not-an-address, 10.0.0.3", "10.0.0.3"),
        ("10.0.0.2", None, "10.0.0.2"),
        ("203.0.113.5", "198.51.100.7", "203.0.113.5"),  # not from a trusted proxy: the header is ignored
    ],
)
def test_client_ip_with_a_trusted_proxy(remote: str, forwarded: str | None, expected: str) -> None:
    with override_settings(**PROXY):
        assert client_ip(_request(remote, forwarded)) == expected


def test_client_ip_ignores_the_header_unless_configured() -> None:
    with override_settings(GONGZHI_CLIENT_IP_HEADER="", GONGZHI_TRUSTED_PROXIES=["10.0.0.0/8"]):
        assert client_ip(_request("10.0.0.2", "198.51.100.7")) == "10.0.0.2"
    with override_settings(GONGZHI_CLIENT_IP_HEADER="X-Forwarded-For", GONGZHI_TRUSTED_PROXIES=[]):
        assert client_ip(_request("10.0.0.2", "198.51.100.7")) == "10.0.0.2"
    with override_settings(GONGZHI_CLIENT_IP_HEADER="X-Real-IP", GONGZHI_TRUSTED_PROXIES=["10.0.0.2"]):
        request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="198.51.100.9")
        assert client_ip(request) == "198.51.100.9"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="garbage")) == ""
