"""Server errors and an unreachable database, answered without internals.

* An unreachable database (OperationalError, InterfaceError, a pool that hands out no connection
  in time) is not a bug of the page: it gets 503 with Retry-After so clients and proxies retry,
  JSON under /api/ and the branded 503 page elsewhere (core.middleware.DatabaseUnavailableMiddleware
  for errors raised by views, `server_error` for those raised elsewhere, config.api for the API).
* A refusal of the domain (core.errors.DomainError) that a view lets through gets the branded
  404, 403 or 400 page with its message (`domain_error_response`, through
  core.middleware.DomainErrorMiddleware); the API maps the same family itself (config.api).
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
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

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


def _same_site_referer(request: HttpRequest) -> str:
    """The page the user came from, when it is one of ours (for the 400 page's way back)."""
    referer = str(request.META.get("HTTP_REFERER", ""))
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def domain_error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A DomainError (core.errors) that reached the edge of an HTML view, answered once
    (core.middleware.DomainErrorMiddleware): NotFoundError the branded 404 page, AccessDeniedError
    the 403 page with its message, any other refusal the 400 page with its message and a way back.

    The message is already translated (services raise it through gettext). htmx requests get a
    small fragment with the message and the same status: htmx 2 does not swap 4xx responses (its
    default responseHandling), so the page stays as it is, as it did before."""
    status = exc.status if exc.status in (400, 403, 404) else 400
    logger.info("%s (%s) on %s %s", type(exc).__name__, exc.code, request.method, request.path)
    message = _("您要找的页面不存在，或者您无权查看。请检查网址，或从首页重新进入。") if status == 404 else exc.message
    if request.headers.get("HX-Request") == "true":
        body = format_html('<p class="error" role="alert" data-code="{}">{}</p>', exc.code, message)
        response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    else:
        context = {"exception": message, "back": _same_site_referer(request) if status == 400 else ""}
        # As the other error pages: no request, so no context processors (and no query) while rendering.
        response = HttpResponse(
            loader.render_to_string(f"{status}.html", context), status=status, content_type="text/html; charset=utf-8"
        )
    patch_vary_headers(response, ["HX-Request"])
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the branded 403 (JSON under /api/) instead of Django's English page.

    The usual cause for a real person is a form left open until its token went stale, or a browser
    that refuses cookies: say so, and never echo Django's technical reason."""
    message = _("页面已过期或浏览器没有保存 Cookie，操作没有完成。请刷新页面后重新提交。")
    if is_api(request):
        return JsonResponse({"detail": message, "code": "csrf_failed"}, status=403)
    body = loader.render_to_string("403.html", {"exception": message}, request=None)
    return HttpResponse(body, status=403, content_type="text/html; charset=utf-8")
