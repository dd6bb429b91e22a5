"""The JSON API: one NinjaAPI, its routers, session authentication and one error mapping.

* OpenAPI document: /api/openapi.json; interactive docs (Swagger UI): /api/docs, with Swagger
  UI's files served locally from django-ninja's own static files (no CDN; needs "ninja" in
  INSTALLED_APPS, which is what makes ninja render its local template).
* Authentication: Django's session (log in through the site); unsafe methods need the CSRF
  token in the X-CSRFToken header. Only POST /api/eligibility (pure calculation) is public.
* Errors: every DomainError (core.errors) becomes {"detail": message, "code": code} with the
  error's status; an ImportRefusedError adds "problems": [{sheet, row, column, message}]. An
  unreachable database is 503 {"code": "database_unavailable"} with Retry-After; any other
  unexpected error is 500 {"code": "server_error"} (logged), never a traceback, also with DEBUG on.
"""

from __future__ import annotations

import logging

from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.security import django_auth

from gongzhi.core.errors import DomainError, ImportRefusedError
from gongzhi.core.http_errors import database_unavailable_response, is_database_unavailable, server_error_body
from gongzhi.elevators.api import campaigns_router, public_router
from gongzhi.elevators.api import router as elevators_router
from gongzhi.elevators.api_places import router as entrances_router
from gongzhi.meetings.api import router as meetings_router
from gongzhi.motions.api import router as motions_router
from gongzhi.motions.api import voter_router
from gongzhi.places.api import router as places_router

api = NinjaAPI(
    title="Gongzhi API",
    version="1",
    description=(
        "共治 Gongzhi: places, the elevator registry, campaigns and eligibility. "
        "Log in through the site (session cookie); send the CSRF token in X-CSRFToken on POST. "
        "Dates are ISO 8601; decimals are strings. See docs/api.md."
    ),
    urls_namespace="api",
    auth=django_auth,
    docs=Swagger(settings={"validatorUrl": None}),  # no call to validator.swagger.io
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_router("", places_router)
api.add_router("", entrances_router)  # GET /api/entrances/{id}: places with their elevators
api.add_router("", elevators_router)
api.add_router("", campaigns_router)
api.add_router("", public_router)
api.add_router("", motions_router)
api.add_router("", voter_router)
api.add_router("", meetings_router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body: dict[str, object] = {"detail": exc.message, "code": exc.code}
    if isinstance(exc, ImportRefusedError):
        body["problems"] = [p.as_dict() for p in exc.problems]
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(Exception)
def unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything else: ninja would re-raise it (an HTML page from Django) or, with DEBUG on, answer
    the traceback as text. The API answers JSON in its own error shape instead."""
    if is_database_unavailable(exc):
        return database_unavailable_response(request, exc)
    logging.getLogger("django.request").error(
        "Internal Server Error: %s", request.path, exc_info=exc, extra={"status_code": 500, "request": request}
    )
    got_request_exception.send(sender=None, request=request)  # error reporters (and the test client) see it
    return api.create_response(request, server_error_body(), status=500)
