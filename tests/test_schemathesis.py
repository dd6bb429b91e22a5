"""Schemathesis over the API's own OpenAPI document, in-process (WSGI), as subdistrict staff.

Every operation is called with generated data (a bounded number of examples each); a response
fails the run when it is a server error (5xx), has a status the document does not list, a
content type it does not declare, or a body outside its schema.

Deliberately left out:
* POST /api/registry/imports: the upload is a workbook that runs an import; fuzzing it only
  produces "not a workbook" refusals and files on disk. tests/test_api.py covers it.
* The positive_data_acceptance / negative_data_rejection / ignored_auth checks: domain rules
  (a deadline before the reference date, a campaign already closed, a subdistrict the user may
  not manage) rightly answer 400/403/404 to data the schema alone allows, and auth and CSRF
  are covered in tests/test_api.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gongzhi.core.actors import SYSTEM
from gongzhi.elevators.services import campaign_rank
from gongzhi.places.models import Role
from tests import factories as f

CSRF = "abcdefghijklmnopqrstuvwxyzABCDEF"


@schemathesis.check
def status_code_conformance_or_nul_refusal(ctx: Any, response: Any, case: Any) -> bool | None:
    """The documented statuses, or the 400 {"code": "nul_byte"} that any request with a NUL byte
    gets at the edge (core.middleware.RefuseNulBytesMiddleware), before the operation runs. The
    generator sometimes puts a NUL in a string despite the pattern that forbids it."""
    if response.status_code == 400 and b'"code": "nul_byte"' in response.content:
        return None
    return status_code_conformance(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance_or_nul_refusal,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def session_cookies(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """A small registry in one subdistrict, and a logged-in subdistrict staff member.

    Committed, because the app is called as a WSGI application whose request_finished handler may
    close the connection; inside a test transaction that would lose the data on PostgreSQL. Built
    once for the module, with database access open for the module's tests, which run in autocommit
    (they are not marked django_db) and check answers, not counts: what the generated requests write
    stays until the module ends, when the database is emptied once (as pytest-django's
    transactional_db does after each test; on PostgreSQL that TRUNCATE of every table took about
    a second per test)."""
    with django_db_blocker.unblock():
        try:
            yield _committed_world()
        finally:
            call_command("flush", interactive=False, verbosity=0)


def _committed_world() -> dict[str, str]:
    sub = f.SubdistrictFactory()
    estate = f.EstateFactory(community=f.CommunityFactory(subdistrict=sub), name="亲亲家园")
    entrance = f.EntranceFactory(building=f.BuildingFactory(estate=estate))
    for i in range(4):
        f.OwnershipFactory(apartment=f.ApartmentFactory(entrance=entrance, room=f"{i + 1}01", floor=i + 1))
    for year in (2002, 2007, 2012, 2016):
        elevator = f.ElevatorFactory(entrance=entrance, commissioned_on=dt.date(year, 3, 1))
        f.FaultRecordFactory(elevator=elevator)
        f.InspectionRecordFactory(elevator=elevator)
    f.SafetyAssessmentFactory(elevator=elevator)
    campaign = f.CampaignFactory(subdistrict=sub)
    campaign_rank(actor=SYSTEM, campaign=campaign)
    user = f.user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=sub)
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}


# Loaded eagerly (one request to the app, no database): schemathesis' lazy from_fixture loader
# does not work with pytest 9 (it sets the removed Function._nodeid).
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application()).exclude(
    path="/api/registry/imports", method="POST"
)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema(case: Any, session_cookies: dict[str, str]) -> None:
    # The WSGI app is called directly, so its request_finished signal would close the test's
    # database connection (it is inside a transaction); Django's own test client detaches the
    # same handler for the same reason.
    request_finished.disconnect(close_old_connections)
    try:
        _call(case, session_cookies)
    finally:
        request_finished.connect(close_old_connections)


def _call(case: Any, session_cookies: dict[str, str]) -> None:
    case.call_and_validate(cookies=session_cookies, headers={"X-CSRFToken": CSRF}, checks=CHECKS)


# --- hostile values outside the schema: NUL bytes and huge integers (issue 13, item 8) -------------------
# The document bounds every integer (at most 2**63 - 1) and forbids NUL in strings, so generated data
# never carries them; these cases put them in each operation's path, query and JSON body explicitly.
# A NUL must be refused with the JSON 400 {"code": "nul_byte"} at the edge; anything else may be
# refused as the operation likes (404, 422, ...), but never with a server error.

HUGE = 10**30
HOSTILE = {
    "nul": "a\x00b",
    "huge": HUGE,
    "huge text": str(HUGE),
    "negative": -1,
    "odd number": "1e309",
}


def _body_fields(operation: Any) -> list[str]:
    for body in operation.body:
        if body.media_type == "application/json":
            return list(body.resolved_schema.get("properties", {}))
    return []


def _hostile_cases(operation: Any, value: Any) -> list[Any]:
    """One case with the value in every path parameter, one in every query parameter, one in every
    field of the JSON body (those that exist)."""
    params = list(operation.iter_parameters())
    path = {p.name: value for p in params if p.location.value == "path"}
    query = {p.name: value for p in params if p.location.value == "query"}
    fields = _body_fields(operation)
    ok_path = {p.name: 1 for p in params if p.location.value == "path"}
    cases = []
    if path:
        cases.append(operation.Case(path_parameters=path))
    if query:
        cases.append(operation.Case(path_parameters=ok_path, query=query))
    if fields:
        body = dict.fromkeys(fields, value)
        cases.append(operation.Case(path_parameters=ok_path, body=body, media_type="application/json"))
    return cases


def test_api_survives_nul_and_huge_integers(session_cookies: dict[str, str]) -> None:
    request_finished.disconnect(close_old_connections)
    calls = 0
    try:
        for kind, value in HOSTILE.items():
            for result in schema.get_all_operations():
                for case in _hostile_cases(result.ok(), value):
                    response = case.call(cookies=session_cookies, headers={"X-CSRFToken": CSRF})
                    calls += 1
                    label = f"{case.method} {case.formatted_path} {kind}"
                    assert response.status_code < 500, f"{label}: {response.status_code} {response.text[:300]}"
                    if kind == "nul":
                        assert response.status_code == 400, f"{label}: {response.status_code}"
                        assert response.json()["code"] == "nul_byte", label
    finally:
        request_finished.connect(close_old_connections)
    assert calls >= 5 * 30, calls  # every operation with a parameter or a body, with each value
