"""Server errors and an unreachable database, answered without internals.

* An unreachable database (OperationalError, InterfaceError, a pool that hands out no connection
  in time) is not a bug of the page: it gets 503 with Retry-After so clients and proxies retry,
  JSON under /api/ and the branded 503 page elsewhere (core.middleware.DatabaseUnavailableMiddleware
  for errors raised by views, `server_error` for those raised elsewhere, config.api for the API).
* Any other server error gets the branded 500 page, or {"detail", "code"} JSON under /api/
  (the API's error shape, config.api), never a traceback and never Django's English "Server Error".

Both pages render without the database and without the request's context processors: the
database may be the very thing that failed.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger("gongzhi.errors")

RETRY_AFTER_SECONDS = 30


def _unavailable_types() -> tuple[type[BaseException], ...]:
    types: list[type[BaseException]] = [OperationalError, InterfaceError]
    try:
        from psycopg_pool import PoolTimeout
    except ImportError:  # pragma: no cover - psycopg[pool] is a dependency; SQLite-only installs may lack it
        pass
    else:
        types.append(PoolTimeout)
    return tuple(types)


DATABASE_UNAVAILABLE = _unavailable_types()


def is_database_unavailable(exc: BaseException | None) -> bool:
    """The exception, or one it was raised from (`raise … from`), says the database cannot be reached."""
    for _depth in range(5):
        if exc is None:
            return False
        if isinstance(exc, DATABASE_UNAVAILABLE):
            return True
        exc = exc.__cause__
    return False


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _page(template: str, status: int) -> HttpResponse:
    # No request: no context processors (they may query), no user, no CSRF token.
    return HttpResponse(loader.render_to_string(template), status=status, content_type="text/html; charset=utf-8")


def database_unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    logger.error(
        "Database unavailable (%s) on %s %s: %s",
        type(exc).__name__,
        request.method,
        request.path,
        str(exc).strip().splitlines()[0] if str(exc).strip() else "",
    )
    response: HttpResponse
    if is_api(request):
        response = JsonResponse(
            {"detail": _("数据库暂时无法连接，请稍后再试。"), "code": "database_unavailable"}, status=503
        )
    else:
        response = _page("503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error_body() -> dict[str, str]:
    return {"detail": _("服务器出错了，请稍后再试。"), "code": "server_error"}


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500 (config.urls). Called while the exception is being handled, so it can tell an
    unreachable database (503) from a bug (500); Django has already logged the latter."""
    exc = sys.exc_info()[1]
    if exc is not None and is_database_unavailable(exc):
        return database_unavailable_response(request, exc)
    if is_api(request):
        return JsonResponse(server_error_body(), status=500)
    return _page("500.html", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the branded 403 (JSON under /api/) instead of Django's English page.

    The usual cause for a real person is a form left open until its token went stale, or a browser
    that refuses cookies: say so, and never echo Django's technical reason."""
    message = _("页面已过期或浏览器没有保存 Cookie，操作没有完成。请刷新页面后重新提交。")
    if is_api(request):
        return JsonResponse({"detail": message, "code": "csrf_failed"}, status=403)
    body = loader.render_to_string("403.html", {"exception": message}, request=None)
    return HttpResponse(body, status=403, content_type="text/html; charset=utf-8")
