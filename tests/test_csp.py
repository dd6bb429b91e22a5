"""The Content-Security-Policy (django-csp, settings.CONTENT_SECURITY_POLICY) on every page type.

Templates are checked as files (no inline handler, no `javascript:` link, every <script> loads a file,
every <style> carries the response's nonce), then the rendered pages: the full demo (Liangzhu, the
county's community affairs and the talent pool) is crawled link by link as one user of every kind and
anonymously, up to a few pages of each URL name, plus the admin, the API docs and the error pages.
Every HTML response must carry the policy: scripts from this site or with the nonce (never
'unsafe-inline' or 'unsafe-eval'), no inline handler, and every inline <script>/<style> with the
header's nonce (json_script's data blocks are not scripts and need none).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import Resolver404, path, resolve, reverse

import gongzhi

SRC = Path(gongzhi.__file__).parent
TODAY = dt.date(2025, 3, 20)
PER_NAME = 3  # pages crawled per URL name (enough to meet each page type in several states)
# Pages whose links depend on the user: crawled once by every user (other names PER_NAME times in all).
HUBS = {
    "home",
    "affairs",
    "talent_home",
    "campaign_list",
    "motion_list",
    "meeting_list",
    "suggestion_inbox",
    "ledger_list",
    "council_list",
    "space_list",
}
NEVER = ("/logout/", "/i18n/", "/admin/")  # crawled separately (admin) or not pages at all
# A data block json_script writes: not executed, so CSP does not apply and no nonce is needed.
DATA_TYPES = {"application/json", "application/ld+json"}


# --- the templates, as files --------------------------------------------------------------------------


def templates() -> list[Path]:
    found = sorted(SRC.glob("**/templates/**/*.html"))
    assert len(found) > 100
    return found


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside <script>/<style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline: list[tuple[str, dict[str, str | None], str]] = []
        self._open: tuple[str, dict[str, str | None]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in ("script", "style"):
            self._open, self._text = (tag, attributes), []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag == self._open[0]:
            self.inline.append((tag, self._open[1], "".join(self._text)))
            self._open = None


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    tags.close()
    return tags


HANDLER = re.compile(r"<[a-zA-Z][^>]*\s(on[a-z]+)\s*=", re.S)


def test_no_template_has_an_inline_handler_or_a_javascript_link() -> None:
    found = []
    for template in templates():
        text = template.read_text()
        found += [f"{template.relative_to(SRC)}: {m.group(1)}=" for m in HANDLER.finditer(text)]
        found += [f"{template.relative_to(SRC)}: javascript:" for _ in re.finditer(r"javascript:", text, re.I)]
    assert found == []


def test_every_script_in_a_template_loads_a_file_and_every_style_has_the_nonce() -> None:
    inline_scripts, bare_styles = [], []
    for template in templates():
        text = template.read_text()
        for m in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in m.group(1):
                inline_scripts.append(str(template.relative_to(SRC)))
        for m in re.finditer(r"<style\b([^>]*)>", text):
            if 'nonce="{{ request.csp_nonce }}"' not in m.group(1):
                bare_styles.append(str(template.relative_to(SRC)))
    assert inline_scripts == []
    assert bare_styles == []


def test_the_print_buttons_are_bound_by_a_file_not_by_onclick() -> None:
    buttons = [t for t in templates() if "data-print" in t.read_text()]
    names = {str(t.relative_to(SRC)) for t in buttons}
    assert {
        "ledgers/templates/ledgers/statement_notice.html",
        "motions/templates/motions/motion_door_knocking.html",
        "renewals/templates/renewals/funding_plan_detail.html",
        "meetings/templates/meetings/sign_in_qr.html",
    } <= names
    base = (SRC / "templates" / "base.html").read_text()
    assert "{% static 'js/print.js' %}" in base


# --- the policy itself --------------------------------------------------------------------------------


def directives(header: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def nonce_of(policy: dict[str, list[str]]) -> str | None:
    nonces = {w[len("'nonce-") : -1] for w in policy.get("script-src", []) if w.startswith("'nonce-")}
    assert len(nonces) <= 1
    return next(iter(nonces), None)


def check_policy(response: HttpResponse, *, needs_nonce: bool = True) -> str | None:
    """The header's policy is the strict one; returns its nonce."""
    header = response.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']}: no Content-Security-Policy"
    policy = directives(header)
    scripts = policy["script-src"]
    assert "'self'" in scripts
    assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:"} & set(scripts)
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["font-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert "'unsafe-inline'" not in policy["style-src-elem"]  # <style> elements need the nonce
    nonce = nonce_of(policy)
    if needs_nonce:
        assert nonce, f"{response.request['PATH_INFO']}: no nonce in script-src"
        assert f"'nonce-{nonce}'" in policy["style-src-elem"]
    return nonce


def check_html(url: str, html: str, nonce: str | None) -> None:
    tags = parse(html)
    handlers = [(tag, name) for tag, attrs in tags.tags for name in attrs if name.startswith("on")]
    assert handlers == [], f"{url}: inline handlers {handlers}"
    links = [
        attrs.get("href") for tag, attrs in tags.tags if (attrs.get("href") or "").lower().startswith("javascript:")
    ]
    assert links == [], f"{url}: javascript: links"
    for tag, attrs, _text in tags.inline:
        if tag == "script" and (attrs.get("src") or attrs.get("type") in DATA_TYPES):
            continue
        assert nonce is not None, f"{url}: inline <{tag}> but no nonce in the header"
        assert attrs.get("nonce") == nonce, f"{url}: inline <{tag}> without the nonce"


# --- the rendered pages -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _demo(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The whole demo, loaded once for the module in a transaction rolled back at the end."""
    from gongzhi.demo.liangzhu import load_liangzhu

    with (
        override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("csp-media"))),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        summary = load_liangzhu(today=TODAY)
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo: Any, db: None) -> Any:
    return _demo


def url_name(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).url_name
    except Resolver404:
        return None


def crawl(client: Client, starts: list[str], seen: dict[str, int]) -> list[tuple[str, HttpResponse]]:
    """Breadth first over the links of HTML pages (GET only: no form is submitted), at most PER_NAME
    pages of each URL name; `seen` counts the names over every crawl of the test."""
    pages: list[tuple[str, HttpResponse]] = []
    queue, visited = deque(starts), set(starts)
    hubs: set[str] = set()
    while queue:
        url = queue.popleft()
        name = url_name(url)
        if name is None:
            continue
        if name in HUBS:  # what a hub links to depends on who looks: once for every crawl
            if name in hubs:
                continue
            hubs.add(name)
        elif seen.get(name, 0) >= PER_NAME:
            continue
        response = client.get(url)
        if response.status_code in (301, 302):  # e.g. "/" sends a talent-only login to /talent/
            target = urlsplit(urljoin(url, response["Location"]))
            local = target.path + (f"?{target.query}" if target.query else "")
            if target.netloc in ("", "testserver") and local not in visited:
                visited.add(local)
                queue.appendleft(local)
            continue
        seen[name] = seen.get(name, 0) + 1
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages.append((url, response))
        for href in re.findall(r'href="([^"#]*)', html):
            parts = urlsplit(urljoin(url, href.replace("&amp;", "&")))
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.netloc not in ("", "testserver") or local in visited:
                continue
            if parts.path.startswith(NEVER) or parts.path.endswith((".xlsx", ".pdf", ".json")):
                continue
            visited.add(local)
            queue.append(local)
    return pages


# One login of each kind (demo.liangzhu.DEMO_USERS): staff of every level, owner, vendor, supervisor,
# regulator, the county's departments, deputy and resident, and the talent pool's four roles.
CRAWLERS = [
    "jiedao",
    "shequ",
    "yeweihui",
    "yezhu",
    "vendor",
    "jianchayuan",
    "quju",
    "changshuo-jiedao",
    "bumen",
    "daibiao",
    "jumin",
    "rencai",
    "danwei",
    "ganbu",
    "jiaoshi",
]
# Page types the crawl must reach: one or more of every app, the chart pages and the printable ones.
EXPECTED = {
    "home",
    "affairs",
    "estate_detail",
    "building_detail",
    "entrance_detail",
    "elevator_detail",
    "campaign_list",
    "campaign_detail",
    "motion_list",
    "motion_detail",
    "motion_door_knocking",
    "motion_notice",
    "meeting_list",
    "meeting_detail",
    "offer_list",
    "campaign_board",
    "delivery_overview",
    "delivery_dashboard",
    "renewal_detail",
    "schedule_list",
    "schedule_detail",
    "public_estate_progress",
    "suggestion_inbox",
    "suggestion_board",
    "suggestion_dashboard",
    "suggestion_detail",
    "ledger_list",
    "ledger_detail",
    "ledger_rollup",
    "council_list",
    "council_detail",
    "space_list",
    "space_agreement",
    "talent_home",
    "talent_pool",
    "talent_cadre",
    "talent_activity",
    "talent_review",
    "talent_awards_print",
    "registry_import",
    "login",
}


def test_every_page_type_carries_the_policy_and_no_inline_code(demo: Any) -> None:
    from gongzhi.ledgers.models import Statement

    statement = Statement.objects.order_by("pk").first()
    assert statement is not None  # the demo publishes ledger statements (reached by QR code, not by link)
    seen: dict[str, int] = {}
    public = ["/login/", "/suggestions/board/", reverse("ledger_statement_public", args=[statement.public_id])]
    pages = crawl(Client(), public, seen)
    for username in CRAWLERS:
        client = Client()
        client.force_login(_user(username))
        pages += crawl(client, ["/"], seen)
    missing = EXPECTED - set(seen)
    assert missing == set(), f"the crawl did not reach {sorted(missing)}"
    assert len(pages) > 150
    print(f"CSP crawl: {len(pages)} pages of {len(seen)} URL names")  # noqa: T201 - shown with -s
    nonces = []
    for url, response in pages:
        # Our pages read the nonce (base.html's script tags). Pages kept by shared caches (the public
        # progress and statement pages) must not: one nonce would serve everyone, so they have no
        # inline code at all (check_html with no nonce refuses any). Error pages need none either.
        shared = "public" in response.get("Cache-Control", "")
        nonce = check_policy(response, needs_nonce=response.status_code == 200 and not shared)
        check_html(url, response.content.decode(), nonce)
        if shared:
            assert nonce is None, url
        elif response.status_code == 200:
            nonces.append(nonce)
    assert len(set(nonces)) == len(nonces)  # a fresh nonce for every response
    assert {"public_estate_progress", "ledger_statement_public"} <= set(seen)


def test_the_admin_runs_under_the_policy(demo: Any) -> None:
    """Django's admin has no inline script or handler: 'self' is all it needs (it reads no nonce)."""
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    user = get_user_model().objects.get(username="jiedao")
    for url in ["/admin/", "/admin/auth/user/", f"/admin/auth/user/{user.pk}/change/", "/admin/auth/user/add/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        nonce = check_policy(response, needs_nonce=False)
        check_html(url, response.content.decode(), nonce)
    anonymous = Client().get("/admin/login/")
    check_html("/admin/login/", anonymous.content.decode(), check_policy(anonymous, needs_nonce=False))


def test_the_api_docs_run_under_the_policy(demo: Any) -> None:
    """Swagger UI (django-ninja's local files) loads its settings from a data block and its code
    from files: the site-wide policy lets it run, no per-view exception is needed."""
    client = Client()
    client.force_login(_user("jiedao"))
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-init.js" in html
    check_html("/api/docs", html, check_policy(response, needs_nonce=False))
    assert client.get("/api/openapi.json").status_code == 200


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a fault for the error page")


def _failing_urls() -> ModuleType:
    """The project's URLs with one view that fails (its handler500 and friends come along)."""
    from gongzhi.config import urls as project

    module = ModuleType("csp_failing_urls")
    module.urlpatterns = [path("csp-boom/", _boom), *project.urlpatterns]  # type: ignore[attr-defined]
    for code in (400, 403, 404, 500):
        if hasattr(project, f"handler{code}"):
            setattr(module, f"handler{code}", getattr(project, f"handler{code}"))
    return module


def test_error_pages_carry_the_policy(demo: Any) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(_user("yezhu"))
    not_found = client.get("/estates/999999999/")
    assert not_found.status_code == 404
    check_html("404", not_found.content.decode(), check_policy(not_found, needs_nonce=False))
    forbidden = client.get("/ledgers/rollup/")  # an owner has no ledgers across estates
    assert forbidden.status_code in (403, 404)
    check_html("403", forbidden.content.decode(), check_policy(forbidden, needs_nonce=False))
    with override_settings(ROOT_URLCONF=_failing_urls()):
        failed = client.get("/csp-boom/")
    assert failed.status_code == 500
    check_html("500", failed.content.decode(), check_policy(failed, needs_nonce=False))
