"""Request edges that protect every view: hostile bytes and an unreachable database."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


def _has_nul(raw: str) -> bool:
    return "\x00" in raw or b"\x00" in unquote_to_bytes(raw)


# A JSON escape of NUL: \u0000 preceded by an even number of backslashes (an odd number escapes the
# backslash itself, and the text then reads "\u0000" literally, which is harmless).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _json_type(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _body_has_nul(request: HttpRequest) -> bool:
    """NUL in form fields (names and values; uploaded files' names but never their contents, which
    may be binary) or anywhere in a JSON body, raw or escaped.

    Reads through Django's own caches (request.POST, request.FILES, request.body), so views read the
    same data afterwards (a form body within DATA_UPLOAD_MAX_MEMORY_SIZE is kept raw too, as Django
    does when a view reads request.body; a larger one, an upload, is streamed to its handlers as
    before). Bodies of other types and JSON bodies over that limit (which Django refuses) are left
    alone."""
    content_type = request.content_type or ""
    length = request.META.get("CONTENT_LENGTH") or "0"
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    small = length.isdigit() and (limit is None or int(length) <= limit)
    if request.method == "POST" and content_type in _FORM_TYPES:
        if small:  # cache the raw body first: a view (or the API's parser) may still read it
            request.body  # noqa: B018 - read for its side effect
        fields = request.POST
        if any("\x00" in key or any("\x00" in v for v in fields.getlist(key)) for key in fields):
            return True
        files = request.FILES
        return any("\x00" in key or any("\x00" in (f.name or "") for f in files.getlist(key)) for key in files)
    if _json_type(content_type) and small:
        body = request.body
        return b"\x00" in body or _JSON_NUL.search(body) is not None
    return False


def _refuse(request: HttpRequest) -> HttpResponse:
    message = _("请求中含有空字符（NUL），无法处理。请检查输入后重试。")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "nul_byte"}, status=400)
    return HttpResponseBadRequest(f"{message}\nBad request: NUL character.\n", content_type="text/plain; charset=utf-8")


class RefuseNulBytesMiddleware:
    """Answer 400 to a request whose path, query string, form fields or JSON body carry a NUL.

    PostgreSQL cannot store NUL in text, so such input would reach the database as a server error;
    no legitimate user types one. Uploaded files are not inspected (binary files hold NUL bytes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request.path) or _has_nul(request.META.get("QUERY_STRING", "")) or _body_has_nul(request):
            return _refuse(request)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """503 with Retry-After (JSON under /api/, the branded page elsewhere) instead of a traceback
    when a view finds the database unreachable (core.http_errors).

    Django turns an exception raised by an inner middleware into a response before it reaches
    this one; those go to handler500 (core.http_errors.server_error), which answers the same."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from gongzhi.core.http_errors import database_unavailable_response, is_database_unavailable

        if is_database_unavailable(exception):
            return database_unavailable_response(request, exception)
        return None


class DomainErrorMiddleware:
    """Map the DomainError family (core.errors) raised by an HTML view to its page, once, so views
    need not catch it: NotFoundError → the branded 404, AccessDeniedError → 403 with its message,
    any other DomainError → 400 with its message and a way back (core.http_errors.domain_error_response;
    a small fragment with the same status for htmx).

    The JSON API maps the family itself (config.api) before an exception could reach here; paths
    under /api/ are left alone all the same. A refusal raised inside `transaction.atomic` has rolled
    its block back by the time it gets here (no ATOMIC_REQUESTS: each service holds its own
    transaction). Views that keep the user's input on a form use core.forms.refusals_on instead."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from gongzhi.core.errors import DomainError
        from gongzhi.core.http_errors import domain_error_response, is_api

        if not isinstance(exception, DomainError) or is_api(request):
            return None
        return domain_error_response(request, exception)
