"""A hostile crawl of the whole site (issue 13, item 8): every URL pattern, fetched as anonymous and
as several roles, with hostile query strings and hostile POST bodies; no response may be a server
error or show a traceback.

The URL patterns are walked with get_resolver() recursively. Path parameters are filled with real
objects of a world built from the personas (a delivery world, a motion, a meeting, a suggestion, a
ledger, a council, spaces and the talent pool): the model is inferred from the parameter's name
(`estate_id`) or the path segment before it (`ledgers/<int:pk>/`), preferring the view's own app;
where no object is found, an id that exists nowhere is used.

Per pattern, the role that sees most of it (a 200 on the plain GET, else the best status) gets
every hostile query string and every hostile body; the other roles get the plain GET, one hostile
query string in rotation and an empty POST. NUL bytes must be refused with 400 at the edge.
Run with `-s` to see the counts.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import DatabaseError, models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from gongzhi.places.models import Role
from gongzhi.suggestions.views import ACTIONS
from tests.conftest import DeliveryWorld
from tests.talent_support import TalentWorld

MISSING_INT = 987_654_321
HUGE = "9" * 30
# Query parameters the pages read (request.GET and the GET filter forms), and a few API filters.
PARAMS = (
    "page", "category", "organisation", "status", "q", "cycle", "course", "year", "district", "subdistrict",
    "numbers", "offers", "from", "sort", "only", "kind", "service_code", "service_request_id",
    "start_date", "end_date", "department", "overdue", "due_soon", "estate", "community", "tier",
    "voted", "vendor", "stage", "level", "campaign_id", "estate_id", "subdistrict_id", "limit", "offset",
)  # fmt: skip


def _all(value: str) -> str:
    return "&".join(f"{p}={value}" for p in PARAMS)


# (label, query string); the NUL ones must answer 400, the others anything but a server error.
HOSTILE_QUERIES: list[tuple[str, str]] = [
    ("huge integers", _all(HUGE) + "&page=99999999999999999999999"),
    ("negative, repeated keys", _all("-1") + "&category=1&category=x&page=2&page=-1&cycle=1&cycle=" + HUGE),
    ("1e309", _all("1e309") + "&id=1e309"),
    ("unicode digits", _all(quote("²"))),
    (
        "bad utf-8, long",
        "q=%ff%fe&status=%ff&category=" + "1" * 2000 + "&page=" + "x" * 2000 + "&organisation=" + "长" * 700,
    ),
    (
        "format, other scripts",
        "format=xml&output=json&page=1.5&year=2025.0&q=" + quote("电梯🚀") + "&category=" + quote("١٢"),
    ),
]
NUL_QUERIES: list[tuple[str, str]] = [("nul value", "q=%00&category=1%002"), ("nul key", "%00=1")]

# Bodies: hostile values for the fields views read (no NUL: those answer 400 before any view):
# every field of the site's forms, and the few that views read from request.POST directly.
READ_DIRECTLY = (
    "note", "reason", "answer", "rating", "department", "deputy", "extension", "working_days", "kept",
    "approve", "decision", "number", "requested", "present", "project", "code", "choice", "request_key",
    "next", "rule", "participation_area", "participation_owners", "approval_area", "approval_owners",
    "complete", "year", "cycle", "kind",
)  # fmt: skip


def _form_fields() -> list[str]:
    import importlib
    import pkgutil

    from django import forms

    import gongzhi

    for info in pkgutil.walk_packages(gongzhi.__path__, "gongzhi."):
        if info.name.rpartition(".")[2].startswith("forms"):
            importlib.import_module(info.name)
    names: set[str] = set(READ_DIRECTLY)
    stack: list[type] = [forms.BaseForm]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("gongzhi."):
            names.update(getattr(cls, "base_fields", {}))
    return sorted(names)


FIELDS = _form_fields()
HOSTILE_BODIES: list[tuple[str, dict[str, Any]]] = [
    ("empty", {}),
    ("huge integers", dict.fromkeys(FIELDS, HUGE) | {"score-1": HUGE, "position_1": HUGE, "minutes_1": HUGE}),
    ("odd numbers, long text", {k: ["-1", "1e309", "²", "长" * 2000] for k in FIELDS} | {"score-1": "1e309"}),
]
NUL_BODY = dict.fromkeys(FIELDS, "a\x00b")

TRACEBACK = re.compile(rb"Traceback \(most recent call last\)|<title>[^<]*(Error|Exception) at /")
# Which role's view of a pattern is richest: a rendered page first, a login redirect last.
OK_STATUS_ORDER = {200: 0, 201: 0, 204: 0, 400: 1, 302: 2, 301: 2, 405: 3, 403: 4, 401: 5, 404: 6}


@dataclass
class Crawl:
    statuses: Counter[int] = field(default_factory=Counter)
    requests: int = 0
    patterns: int = 0
    urls: int = 0
    unfilled: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


# --- the world ---------------------------------------------------------------------------------------


@pytest.fixture
def crawl_world(delivery_world: DeliveryWorld, talent_world: TalentWorld, settings: Any, tmp_path: Any) -> Any:
    """Objects of most apps in the personas' scope, so path parameters hit real rows."""
    from gongzhi.councils import services as council_services
    from gongzhi.meetings import services as meeting_services
    from gongzhi.motions.services import motion_create, motion_open
    from tests.test_ledgers_services import build_ledger_world
    from tests.test_spaces_views import SpacesWorld
    from tests.test_suggestions_services import make_sw, submit
    from tests.test_talent_courses import sessions

    settings.MEDIA_ROOT = tmp_path
    w = delivery_world.world
    inside = w.inside
    community_staff = w.users[Role.COMMUNITY_STAFF]
    opens = timezone.now() - dt.timedelta(days=1)
    motion = motion_create(
        actor=community_staff,
        estate=inside["estate"],
        title="1单元电梯更新",
        question="是否同意更新1单元电梯？",
        scope_kind="entrance",
        scope_entrance=inside["entrance"],
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=11),
    )
    motion_open(actor=community_staff, motion=motion, now=opens - dt.timedelta(days=7))
    meeting_services.meeting_create(
        actor=community_staff,
        estate=inside["estate"],
        fields=meeting_services.MeetingFields(
            topic="1幢电梯更新众议事",
            starts_at=timezone.now() + dt.timedelta(hours=1),
            venue="社区党群服务中心",
            livestream_url="",
            entrances=[inside["entrance"]],
            campaign=w.campaign,
        ),
    )
    sw = make_sw(w)
    submit(sw, today=timezone.localdate())
    build_ledger_world(w)
    council_services.council_create(
        actor=community_staff, community=inside["community"], name="畅说昌硕事", established_on=dt.date(2024, 3, 1)
    )
    SpacesWorld(w)
    sessions(talent_world, 1)
    return delivery_world, talent_world, sw


# --- walking the patterns ----------------------------------------------------------------------------


@dataclass
class Pattern:
    route: str  # the pattern's text with its prefixes, for the report
    parts: list[tuple[str, str | None, str]]  # (literal, param name, converter) in order
    module: str


def _walk(resolver: URLResolver, prefix: list[tuple[str, str | None, str]], out: list[Pattern]) -> None:
    for entry in resolver.url_patterns:
        parts = prefix + _parts(entry.pattern)
        if isinstance(entry, URLResolver):
            _walk(entry, parts, out)
        elif isinstance(entry, URLPattern):
            module = getattr(entry.callback, "__module__", "") or ""
            out.append(Pattern("".join(_text(p) for p in parts), parts, module))


def _text(part: tuple[str, str | None, str]) -> str:
    literal, name, conv = part
    return literal if name is None else f"<{conv}:{name}>"


def _parts(pattern: Any) -> list[tuple[str, str | None, str]]:
    if isinstance(pattern, RoutePattern):
        out: list[tuple[str, str | None, str]] = []
        text = str(pattern._route)
        for piece in re.split(r"(<[^>]+>)", text):
            if piece.startswith("<"):
                conv, _, name = piece[1:-1].rpartition(":")
                out.append(("", name, conv or "str"))
            elif piece:
                out.append((piece, None, ""))
        return out
    assert isinstance(pattern, RegexPattern)
    regex = pattern._regex.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\.", ".")
    out = []
    for piece in re.split(r"(\(\?P<[^>]+>(?:[^()]|\([^()]*\))*\))", regex):
        m = re.match(r"\(\?P<([^>]+)>(.*)\)$", piece)
        if m:
            alternatives = m[2].split("|")
            out.append(("", m[1], "re:" + (alternatives[0] if len(alternatives) > 1 else m[2])))
        elif piece:
            out.append((piece, None, ""))
    return out


_IRREGULAR = {
    "funding-plans": "fundingplan",
    "stage-documents": "stagedocument",
    "photos": "suggestionphoto",
    "research": "researchproject",
    "proxy": "proxyauthorisation",
}


def _model_for(pattern: Pattern, index: int) -> type[models.Model] | None:
    _literal, name, _conv = pattern.parts[index]
    assert name is not None
    if name.endswith("_id") and name not in ("public_id", "import_id"):
        wanted = name.removesuffix("_id").replace("_", "")
    else:
        segments = [p[0] for p in pattern.parts[:index] if p[1] is None]
        words = [w for w in "".join(segments).split("/") if w]
        segment = words[-1] if words else ""
        if name == "import_id":
            segment = "imports"
        wanted = _IRREGULAR.get(segment) or _singular(segment).replace("-", "")
    if not wanted:
        return None
    app = pattern.module.split(".")[1] if pattern.module.startswith("gongzhi.") else None
    ours = [m for m in apps.get_models() if m.__module__.startswith("gongzhi.")]
    local = [m for m in ours if m._meta.app_label == app]
    for pool in (local, ours):
        for test in (lambda m: m.__name__.lower() == wanted, lambda m: m.__name__.lower().endswith(wanted)):
            found = [m for m in pool if test(m)]
            if found:
                return found[0]
    return None


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    return word.removesuffix("s")


_SLUGS = {"kind": ("income", "posting"), "app_label": ("places",), "url": ("nothing/",), "object_id": ("1",)}


def _fill(pattern: Pattern) -> list[str]:
    """Concrete paths for a pattern (several when a slug names an action)."""
    paths = [""]
    for index, (literal, name, conv) in enumerate(pattern.parts):
        if name is None:
            paths = [p + literal for p in paths]
            continue
        values = _values(pattern, index, name, conv)
        paths = [p + quote(str(v), safe="/") for p in paths for v in values]
    return ["/" + p.lstrip("/") for p in paths]


def _values(pattern: Pattern, index: int, name: str, conv: str) -> list[Any]:
    if name == "action":
        return sorted(ACTIONS)
    if name == "kind":
        return ["posting"] if "talent" in pattern.route else ["income", "cost", "spending"]
    if name == "token":
        from gongzhi.motions.codes import voter_token
        from gongzhi.motions.models import Voter

        voter = Voter.objects.select_related("motion").order_by("pk").first()
        return [voter_token(voter.pk, str(voter.motion.public_id)) if voter else "x" * 32, "0" * 32]
    if name == "device_code":
        from gongzhi.elevators.models import Elevator

        elevator = Elevator.objects.order_by("pk").first()
        return [elevator.device_code if elevator else "nothing"]
    if name == "year":
        return [2025, HUGE]
    if name == "request_id":
        from gongzhi.suggestions.models import Suggestion

        s = Suggestion.objects.order_by("pk").first()
        return [s.public_id if s else uuid.uuid4()]
    if conv.startswith("re:"):
        return list(_SLUGS.get(name, ("1",)))
    model = _model_for(pattern, index)
    obj = model._default_manager.order_by("pk").first() if model is not None else None
    if conv == "uuid":
        if obj is not None and hasattr(obj, "public_id"):
            return [obj.public_id]
        if obj is not None and isinstance(obj.pk, uuid.UUID):
            return [obj.pk]
        return [uuid.uuid4()]
    if obj is None:
        return [MISSING_INT]
    return [obj.pk]


# --- the crawl ---------------------------------------------------------------------------------------


def _users(delivery: DeliveryWorld, talent: TalentWorld) -> dict[str, Any]:
    users = delivery.world.users
    return {  # in order of preference when two see a pattern alike
        "subdistrict staff": users[Role.SUBDISTRICT_STAFF],
        "talent admin": talent.users["admin"],
        "owner": users[Role.OWNER],
        "vendor": users[Role.VENDOR],
        "anonymous": None,
    }


def _login(clients: dict[str, Client], users: dict[str, Any]) -> None:
    for role, user in users.items():
        clients.setdefault(role, Client(raise_request_exception=False))
        if user is not None:  # no password posted: the login throttle (axes) stays out of it
            clients[role].force_login(user, backend="django.contrib.auth.backends.ModelBackend")


def _send(
    crawl: Crawl, client: Client, method: str, url: str, role: str, body: Any = None, *, nul: bool = False
) -> int:
    crawl.requests += 1
    try:
        with transaction.atomic():
            response = client.get(url) if method == "GET" else client.post(url, body or {})
    except DatabaseError as exc:  # a view that broke the transaction: a server error all the same
        crawl.failures.append(f"{role} {method} {url[:160]}: database error {exc!r}"[:400])
        crawl.statuses[500] += 1
        return 500
    status = response.status_code
    crawl.statuses[status] += 1
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if status >= 500 or TRACEBACK.search(content[:200_000]):
        exc_info = getattr(response, "exc_info", None)
        why = repr(exc_info[1]) if exc_info else content[:200].decode(errors="replace")
        crawl.failures.append(f"{role} {method} {url[:160]} → {status}: {why}"[:400])
    elif nul and status != 400:
        crawl.failures.append(f"{role} {method} {url[:160]} with NUL → {status}, not 400")
    return status


def _sep(url: str) -> str:
    return "&" if "?" in url else "?"


def test_hostile_crawl_finds_no_server_error(crawl_world: Any) -> None:
    delivery, talent, _sw = crawl_world
    users = _users(delivery, talent)
    clients: dict[str, Client] = {}
    _login(clients, users)
    roles = list(users)
    patterns: list[Pattern] = []
    _walk(get_resolver(), [], patterns)
    crawl = Crawl(patterns=len(patterns))
    started, cpu = time.monotonic(), time.process_time()
    rotation = 0
    for pattern in patterns:
        is_admin = pattern.route.startswith("admin/")
        for path in _fill(pattern):
            crawl.urls += 1
            if str(MISSING_INT) in path:
                crawl.unfilled.append(pattern.route)
            if is_admin:  # Django's own pages: a redirect to the login for every persona
                for role in ("anonymous", "subdistrict staff"):
                    _send(crawl, clients[role], "GET", path, role)
                _label, query = HOSTILE_QUERIES[rotation % len(HOSTILE_QUERIES)]
                rotation += 1
                _send(crawl, clients["subdistrict staff"], "GET", f"{path}?{query}", "subdistrict staff")
                continue
            plain = {role: _send(crawl, clients[role], "GET", path, role) for role in roles}
            main = min(roles, key=lambda r: (OK_STATUS_ORDER.get(plain[r], 9), roles.index(r)))
            # A page that renders reads its query string: it gets every hostile one; a redirect or a
            # refusal most likely happens before, so two in rotation do.
            rendered = plain[main] == 200
            queries = (
                HOSTILE_QUERIES
                if rendered
                else [HOSTILE_QUERIES[(rotation + i) % len(HOSTILE_QUERIES)] for i in (0, 3)]
            )
            for _label, query in queries:
                _send(crawl, clients[main], "GET", f"{path}?{query}", main)
            _label, query = NUL_QUERIES[rotation % len(NUL_QUERIES)]
            _send(crawl, clients[main], "GET", f"{path}?{query}", main, nul=True)
            # Bodies where a POST may be read: a page with a form, or a POST-only URL (GET: 405).
            bodies = HOSTILE_BODIES if rendered or plain[main] == 405 else HOSTILE_BODIES[:1]
            for _label, body in bodies:
                _send(crawl, clients[main], "POST", path, main, body)
            _send(crawl, clients[main], "POST", path, main, NUL_BODY, nul=True)
            other = [r for r in roles if r != main][rotation % (len(roles) - 1)]
            _send(crawl, clients[other], "POST", path, other, {})  # one other role's empty POST, in rotation
            rotation += 1
            if path == reverse("logout"):  # it did what it says: log the personas in again
                _login(clients, users)
    # NUL in the path itself, once per app prefix.
    for path in ("/%00/", "/suggestions/%00/", "/talent/pools/1%00/", "/api/estates/%00"):
        _send(crawl, clients["subdistrict staff"], "GET", path, "subdistrict staff", nul=True)
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    print(  # noqa: T201 - the counts, shown with -s
        f"\ncrawl: {crawl.patterns} URL patterns, {crawl.urls} concrete URLs, {crawl.requests} requests "
        f"as {len(roles)} roles in {elapsed:.1f} s ({cpu:.1f} s CPU); statuses "
        + ", ".join(f"{k}: {v}" for k, v in sorted(crawl.statuses.items()))
        + f"; {len(set(crawl.unfilled))} patterns with a nonexistent id; {len(crawl.failures)} failures"
    )
    report = os.environ.get("GONGZHI_CRAWL_REPORT")
    if report:  # the full list, for whoever fixes what the crawl found
        Path(report).write_text("\n".join(crawl.failures), encoding="utf-8")
    assert crawl.patterns > 300
    assert crawl.statuses[200] > 200  # the world is real enough that many pages render
    assert not crawl.failures, "\n".join(crawl.failures[:60])
