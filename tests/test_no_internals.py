"""No page shows internals (issue 13, item 7): debug off by default, branded error pages, 503 with
Retry-After when the database is unreachable, the pool on by default under PostgreSQL, warnings
and refusals for the development secrets, the hash key hidden from debug pages, no-store on
private pages, voter sessions hashed in the Django session, and the console sender that prints."""

from __future__ import annotations

import copy
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.checks import Warning as CheckWarning
from django.db import OperationalError, connections
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse
from django.views.debug import SafeExceptionReporterFilter

from gongzhi.config.api import api
from gongzhi.config.settings import DEV_OWNER_ID_HASH_KEY, DEV_SECRET_KEY
from gongzhi.core.checks import (
    DEV_HASH_KEY_ID,
    DEV_SECRET_KEY_ID,
    development_secrets_check,
    log_development_secrets,
)
from gongzhi.core.http_errors import RETRY_AFTER_SECONDS, is_database_unavailable, server_error
from gongzhi.motions import codes
from gongzhi.motions.models import Voter, VoterSession
from gongzhi.motions.views_vote import SESSION_KEY
from gongzhi.places.models import Role

INTERNALS = ("Traceback", "OperationalError", 'File "', "django.db", "settings.py", "Server Error (500)")


def assert_no_internals(text: str) -> None:
    for marker in INTERNALS:
        assert marker not in text, f"{marker!r} shown: {text[:400]}"


# --- settings read in a fresh process (the environment decides them at import) --------------------


def settings_in_subprocess(env: dict[str, str], module: str = "gongzhi.config.settings") -> dict[str, Any]:
    script = (
        f"import json, importlib; s = importlib.import_module({module!r}); "
        "db = s.DATABASES['default']; "
        "print(json.dumps({'DEBUG': s.DEBUG, 'pool': db.get('OPTIONS', {}).get('pool'), "
        "'hash_key': s.OWNER_ID_HASH_KEY, 'has_old_name': hasattr(s, 'OWNER_ID_PEPPER')}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_") and k != "DATABASE_URL"}
    done = subprocess.run(  # noqa: S603 - our own settings module
        [sys.executable, "-c", script], env={**clean, **env}, capture_output=True, text=True, check=False, timeout=60
    )
    if done.returncode != 0:
        return {"error": done.stderr}
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_debug_is_off_unless_gongzhi_debug_is_set():
    assert settings_in_subprocess({})["DEBUG"] is False
    assert settings_in_subprocess({"GONGZHI_DEBUG": "1"})["DEBUG"] is True
    assert settings_in_subprocess({"GONGZHI_DEBUG": "0"})["DEBUG"] is False


def test_the_pool_is_on_by_default_under_postgresql_and_zero_turns_it_off():
    url = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/gongzhi"}
    assert settings_in_subprocess(url)["pool"] == {"min_size": 2, "max_size": 10, "timeout": 30}
    assert settings_in_subprocess({**url, "GONGZHI_DB_POOL_MAX": "4"})["pool"]["max_size"] == 4
    assert settings_in_subprocess({**url, "GONGZHI_DB_POOL_MAX": "0"})["pool"] is None
    assert settings_in_subprocess({})["pool"] is None  # SQLite has no pool


def test_the_hash_key_keeps_its_environment_variable_under_a_name_debug_pages_hide():
    found = settings_in_subprocess({"GONGZHI_OWNER_ID_PEPPER": "pepper-from-env"})
    assert found["hash_key"] == "pepper-from-env"
    assert found["has_old_name"] is False


def test_debug_pages_and_error_reports_hide_the_hash_key(settings):
    safe = SafeExceptionReporterFilter().get_safe_settings()
    assert settings.OWNER_ID_HASH_KEY not in repr(safe)  # under no name at all
    assert safe["OWNER_ID_HASH_KEY"] == SafeExceptionReporterFilter.cleansed_substitute


PRODUCTION_ENV = {
    "GONGZHI_SECRET_KEY": "x" * 60,
    "GONGZHI_OWNER_ID_PEPPER": "a-real-random-pepper",
    "GONGZHI_ALLOWED_HOSTS": "gongzhi.example",
}


def test_production_settings_refuse_the_development_secrets():
    production = "gongzhi.config.production"
    assert "error" not in settings_in_subprocess(PRODUCTION_ENV, production)
    padded = {**PRODUCTION_ENV, "GONGZHI_SECRET_KEY": DEV_SECRET_KEY + "-padded-to-more-than-fifty-chars"}
    assert len(padded["GONGZHI_SECRET_KEY"]) >= 50
    refused = settings_in_subprocess(padded, production)
    assert "ImproperlyConfigured" in refused["error"]
    assert "GONGZHI_SECRET_KEY" in refused["error"]
    refused = settings_in_subprocess({**PRODUCTION_ENV, "GONGZHI_OWNER_ID_PEPPER": DEV_OWNER_ID_HASH_KEY}, production)
    assert "GONGZHI_OWNER_ID_PEPPER" in refused["error"]


def test_the_development_secrets_are_warned_about(settings):
    settings.SECRET_KEY = DEV_SECRET_KEY
    settings.OWNER_ID_HASH_KEY = DEV_OWNER_ID_HASH_KEY
    found = development_secrets_check()
    assert [m.id for m in found] == [DEV_SECRET_KEY_ID, DEV_HASH_KEY_ID]
    assert all(isinstance(m, CheckWarning) for m in found)
    settings.SECRET_KEY = "k" * 60
    settings.OWNER_ID_HASH_KEY = "a-real-random-pepper"
    assert development_secrets_check() == []


def test_gongzhi_check_deploy_prints_the_warning_with_the_development_key():
    # The development settings fail other deploy checks (no HTTPS cookies, …): only the warning matters here.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GONGZHI_", "DJANGO_")) and k != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "gongzhi.cli", "check", "--deploy"],
        check=False,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert DEV_SECRET_KEY_ID in done.stderr + done.stdout
    assert DEV_HASH_KEY_ID in done.stderr + done.stdout


# --- error pages ---------------------------------------------------------------------------------


def test_handler500_is_the_branded_one():
    assert get_resolver().resolve_error_handler(500) is server_error
    assert server_error.__module__ == "gongzhi.core.http_errors"


def _raise_and_answer(path: str) -> Any:
    try:
        raise ValueError("internal detail 42")  # noqa: TRY301 - the handler runs while an error is handled
    except ValueError:
        return server_error(RequestFactory().get(path))


def test_a_server_error_gets_the_branded_page_in_both_languages():
    response = _raise_and_answer("/estates/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错了" in html
    assert "Server error. Please try again later." in html  # no request language may be known
    assert 'href="/"' in html
    assert "css/gongzhi.css" in html
    assert "internal detail 42" not in html
    assert_no_internals(html)


def test_a_server_error_under_api_is_json():
    response = _raise_and_answer("/api/motions/1")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"detail": "服务器出错了，请稍后再试。", "code": "server_error"}


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_api_error_is_json_even_with_debug_on(settings, debug):
    settings.DEBUG = debug
    request = RequestFactory().post("/api/vote/ballot")
    try:
        raise KeyError("internal detail 42")  # noqa: TRY301
    except KeyError as exc:
        response = api.on_exception(request, exc)
    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": "服务器出错了，请稍后再试。", "code": "server_error"}
    assert_no_internals(response.content.decode())


@pytest.mark.django_db
def test_the_not_found_page_is_branded_and_leads_home(client, personas):
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    html = missing.content.decode()
    assert "页面不存在" in html
    assert 'href="/"' in html
    assert "Not Found" not in html
    client.force_login(personas.users[Role.VENDOR])
    client.cookies["django_language"] = "en"
    english = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 404
    assert '<html lang="en">' in english.content.decode()


@pytest.mark.django_db
def test_the_forbidden_page_is_branded_and_says_why(client, talent_world):
    client.force_login(talent_world.users["cadre"])  # may read their own dossier, not edit it
    response = client.get(reverse("talent_entry_add", args=[talent_world.cadres["self"].pk, "note"]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html
    assert "只有人才库管理员可以修改档案。" in html
    assert 'href="/"' in html
    assert "403 Forbidden" not in html


def test_bad_request_page_is_branded(client):
    response = client.get("/", HTTP_HOST="evil.example")  # not in ALLOWED_HOSTS: Django answers 400
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


# --- an unreachable database -----------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # nothing listens there any more


@pytest.fixture
def database_down(db: None) -> Iterator[None]:
    """The default connection replaced by one to a database that cannot be reached (a closed port
    on PostgreSQL, a file in a missing directory on SQLite): every query raises OperationalError as
    it would when the server is down. The test's own connection is put back afterwards."""
    original = connections["default"]
    broken_settings = copy.deepcopy(original.settings_dict)
    broken_settings["OPTIONS"].pop("pool", None)
    if original.vendor == "postgresql":
        broken_settings.update({"HOST": "127.0.0.1", "PORT": str(_closed_port())})
        broken_settings["OPTIONS"]["connect_timeout"] = 2
    else:
        broken_settings["NAME"] = "/nonexistent-gongzhi-dir/down.sqlite3"
    broken = type(original)(broken_settings, alias="default")
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = original


def assert_unavailable_page(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    html = response.content.decode()
    assert "服务暂时不可用" in html
    assert 'href="/"' in html
    assert_no_internals(html)


@pytest.mark.parametrize("debug", [False, True])
def test_a_public_page_with_the_database_down_gets_the_503_page(settings, database_down, debug):
    settings.DEBUG = debug
    client = Client()
    assert_unavailable_page(client.get(reverse("suggestion_board")))
    assert_unavailable_page(client.get(reverse("vote_link", args=["a" * 32])))


@pytest.mark.parametrize("debug", [False, True])
def test_the_ballot_api_with_the_database_down_answers_json_503(settings, database_down, debug):
    settings.DEBUG = debug
    response = Client().post(
        "/api/vote/ballot",
        data={"choice": "for", "request_key": "k" * 16},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer " + "t" * 40,
    )
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "数据库暂时无法连接，请稍后再试。", "code": "database_unavailable"}
    assert_no_internals(response.content.decode())


def test_an_unreachable_database_outside_a_view_gets_503_too(database_down):
    """Errors raised by a middleware reach handler500 while the exception is handled."""
    for path, is_json in (("/suggestions/board/", False), ("/api/motions", True)):
        try:
            connections["default"].ensure_connection()
        except OperationalError:
            response = server_error(RequestFactory().get(path))
        assert response.status_code == 503
        assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert ("application/json" in response["Content-Type"]) is is_json
        assert_no_internals(response.content.decode())


def test_a_pool_timeout_counts_as_an_unreachable_database():
    from psycopg_pool import PoolTimeout

    assert is_database_unavailable(PoolTimeout("couldn't get a connection after 30.00 sec"))
    assert not is_database_unavailable(ValueError("x"))


# --- no-store on private pages -------------------------------------------------------------------


def assert_no_store(response: Any) -> None:
    assert response.status_code == 200
    cache = response.get("Cache-Control", "")
    assert "no-store" in cache, cache
    assert "private" in cache, cache


@pytest.mark.django_db
def test_dossier_pages_are_not_stored(client, talent_world):
    client.force_login(talent_world.users["admin"])
    cadre = talent_world.cadres["self"]
    assert_no_store(client.get(reverse("talent_cadre", args=[cadre.pk])))
    assert_no_store(client.get(reverse("talent_cadre_edit", args=[cadre.pk])))
    assert_no_store(client.get(reverse("talent_entry_add", args=[cadre.pk, "note"])))
    assert_no_store(client.get(reverse("talent_cadre_create", args=[talent_world.pool.pk])))


@pytest.mark.django_db
def test_the_voters_and_door_knocking_lists_are_not_stored(client, motion_world):
    client.force_login(motion_world.staff)
    assert_no_store(client.get(reverse("motion_door_knocking", args=[motion_world.motion.pk])))
    assert_no_store(client.get(reverse("motion_voters", args=[motion_world.motion.pk])))


# --- the voting page: hashed sessions and the console sender -----------------------------------------


def _link_token(voter: Voter) -> str:
    return codes.voter_token(voter.pk, str(voter.motion.public_id))


def _code_from(text: str) -> str:
    match = re.search(r"验证码为 (\d{6})", text)
    assert match, text
    return match.group(1)


@pytest.mark.django_db
def test_the_console_sender_prints_the_code_and_the_owner_can_vote_with_it(settings, capsys, motion_world):
    settings.GONGZHI_CODE_SENDER = "gongzhi.motions.codes.ConsoleSender"
    wang = motion_world.voters["wang"]
    token = _link_token(wang)
    client = Client()
    capsys.readouterr()
    client.post(reverse("vote_code_send", args=[token]))
    printed = capsys.readouterr().out
    assert "13800000001" in printed
    confirmed = client.post(reverse("vote_code_confirm", args=[token]), {"code": _code_from(printed)}, follow=True)
    html = confirmed.content.decode()
    assert "验证成功" in html
    assert_no_store(confirmed)  # the ballot page once verified
    key = re.search(r'name="request_key" value="([0-9a-f]{32})"', html)
    assert key
    done = client.post(reverse("vote_cast", args=[token]), {"choice": "for", "request_key": key.group(1)})
    assert "表决已记录" in done.content.decode()
    wang.refresh_from_db()
    assert wang.choice == "for"


@pytest.fixture
def issued_tokens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every session token issued, recorded on its way out of the real generator."""
    issued: list[str] = []
    real = codes.new_session_token

    def recording() -> str:
        token = real()
        issued.append(token)
        return token

    monkeypatch.setattr(codes, "new_session_token", recording)
    return issued


def _session_rows() -> list[tuple[str, str]]:
    return [(row.session_data, json.dumps(row.get_decoded())) for row in Session.objects.all()]


@pytest.mark.django_db
def test_the_django_session_holds_only_hashes_of_voter_sessions(settings, motion_world, issued_tokens):
    settings.GONGZHI_CODE_SENDER = "gongzhi.motions.codes.MemorySender"
    codes.MemorySender.outbox.clear()
    wang = motion_world.voters["wang"]
    token = _link_token(wang)
    client = Client()
    client.post(reverse("vote_code_send", args=[token]))
    client.post(reverse("vote_code_confirm", args=[token]), {"code": _code_from(codes.MemorySender.outbox[-1].message)})
    assert len(issued_tokens) == 1
    raw = issued_tokens[0]
    rows = _session_rows()
    assert rows
    for data, decoded in rows:
        assert raw not in data
        assert raw not in decoded
    held = client.session[SESSION_KEY]
    assert held == {str(wang.pk): codes.sha256_hex(raw)}
    assert VoterSession.objects.filter(voter=wang, token_hash=held[str(wang.pk)]).exists()

    # Voting still works across requests, and changes are kept.
    for choice in ("against", "for"):
        page = client.get(reverse("vote_link", args=[token])).content.decode()
        key = re.search(r'name="request_key" value="([0-9a-f]{32})"', page)
        assert key, "still verified on a later request"
        done = client.post(reverse("vote_cast", args=[token]), {"choice": choice, "request_key": key.group(1)})
        assert "表决已记录" in done.content.decode()
    wang.refresh_from_db()
    assert (wang.choice, wang.version) == ("for", 2)


@pytest.mark.django_db
def test_sibling_motions_share_the_hashed_verification(settings, personas, issued_tokens):
    from tests import factories as f
    from tests.test_motion_vote_consultation import build, cast, confirm_code, sibling_in

    settings.GONGZHI_CODE_SENDER = "gongzhi.motions.codes.MemorySender"
    codes.MemorySender.outbox.clear()
    place = f.EntranceFactory(building=personas.inside["building"], name="3单元")
    f.ElevatorFactory(entrance=place)
    entrance = build(personas, entrance=place)
    c = entrance.consultation
    owner = entrance.owner
    brand = sibling_in(owner, c.brand_motion)
    funding = sibling_in(owner, c.funding_motion)
    client = Client()
    confirm_code(client, owner, codes.MemorySender.outbox)
    assert len(issued_tokens) == 3
    held = client.session[SESSION_KEY]
    assert set(held) == {str(owner.pk), str(brand.pk), str(funding.pk)}
    assert set(held.values()) == {codes.sha256_hex(t) for t in issued_tokens}
    for data, decoded in _session_rows():
        for raw in issued_tokens:
            assert raw not in data
            assert raw not in decoded
    cast(client, owner, "for")
    cast(client, brand, "opt2")
    cast(client, funding, "for")
    assert [Voter.objects.get(pk=v.pk).choice for v in (owner, brand, funding)] == ["for", "opt2", "for"]
    assert len(codes.MemorySender.outbox) == 1


def test_the_command_line_tools_stay_quiet_with_the_development_key():
    """Their stderr carries one line on bad input (docs/cli.md): no system-check warning before it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GONGZHI_", "DJANGO_")) and k != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "gongzhi.cli", "due-date", "--start", "yesterday", "--working-days", "3"],
        check=False,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert DEV_SECRET_KEY_ID not in done.stderr


def test_the_web_application_logs_the_warning_when_it_starts(settings, caplog):
    settings.SECRET_KEY = DEV_SECRET_KEY
    with caplog.at_level("WARNING", logger="gongzhi.security"):
        log_development_secrets()
    assert DEV_SECRET_KEY_ID in caplog.text
