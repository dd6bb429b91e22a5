"""Request edges that protect every view: hostile bytes and an unreachable database."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


def _has_nul(raw: str) -> bool:
    return "\x00" in raw or b"\x00" in unquote_to_bytes(raw)


class RefuseNulBytesMiddleware:
    """Answer 400 to a request whose path, query string or form fields carry a NUL byte.

    PostgreSQL cannot store NUL in text, so such input would reach the database as a server error;
    no legitimate user types one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request.path) or _has_nul(request.META.get("QUERY_STRING", "")):
            return HttpResponseBadRequest("Bad request: NUL byte", content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Placeholder: passes requests through (filled in by the no-internals work)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
