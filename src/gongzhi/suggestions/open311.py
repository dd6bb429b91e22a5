"""A read-only Open311 GeoReport v2 endpoint (https://wiki.open311.org/GeoReport_v2) so other
systems can read the suggestions: categories as services, suggestions as service requests.

Public data only, as on the public board: no names, no phone numbers, the text, place and answer
masked (selectors.mask, i.e. gongzhi.core.masking: every text field of a request), merged
suggestions left out. Photos are private, so media_url is null;
there are no coordinates (lat/long null).

GET /open311/v2/services.json
GET /open311/v2/requests.json?service_request_id=a,b&service_code=&start_date=&end_date=&status=open,closed
    Without service_request_id the window is start_date..end_date (ISO 8601), by default the last
    90 days, at most 90 days; status "open" means not yet answered, "closed" answered or closed.
GET /open311/v2/requests/<service_request_id>.json
Bad parameters answer 400 with an Open311 error array [{"code": 400, "description": "..."}].
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.params import parse_id
from gongzhi.suggestions.models import OPEN_STATUSES, Suggestion, SuggestionCategory
from gongzhi.suggestions.selectors import mask

WINDOW = dt.timedelta(days=90)
MAX_RESULTS = 1000


class BadParameterError(Exception):
    def __init__(self, description: str, code: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.code = code


def _error(exc: BadParameterError) -> JsonResponse:
    return JsonResponse([{"code": exc.code, "description": exc.description}], status=exc.code, safe=False)


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _when(name: str, text: str) -> dt.datetime:
    problem = BadParameterError(_("参数 %(name)s 须为 ISO 8601 日期时间。") % {"name": name})
    try:  # parse_* give None for a wrong shape and raise ValueError for an impossible date
        value = parse_datetime(text)
        day = parse_date(text) if value is None and len(text) == 10 else None
    except ValueError as exc:
        raise problem from exc
    if value is None:
        if day is None:
            raise problem
        value = dt.datetime.combine(day, dt.time())
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _service(c: SuggestionCategory) -> dict[str, Any]:
    return {
        "service_code": str(c.pk),
        "service_name": c.name,
        "description": _("%(name)s，办理时限 %(n)d 个工作日。") % {"name": c.name, "n": c.time_limit_days},
        "metadata": False,
        "type": "realtime",
        "keywords": c.name,
        "group": c.subdistrict.name,
    }


def _request(s: Suggestion) -> dict[str, Any]:
    expected = timezone.make_aware(dt.datetime.combine(s.due_on, dt.time(23, 59, 59)))
    is_open = s.status in OPEN_STATUSES
    return {
        "service_request_id": str(s.public_id),
        "status": "open" if is_open else "closed",
        "status_notes": mask(s.answer) if s.answer else s.get_status_display(),
        "service_name": mask(s.category.name),
        "service_code": str(s.category_id),
        "description": mask(s.text),
        "agency_responsible": mask(s.department.name) if s.department else None,
        "service_notice": _("办理时限 %(n)d 个工作日。") % {"n": s.category.time_limit_days},
        "requested_datetime": _iso(s.created_at),
        "updated_datetime": _iso(s.updated_at),
        "expected_datetime": _iso(expected),
        "address": mask(s.place) or None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _public() -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(merged_into__isnull=True).select_related("category", "department")


@require_GET
def services(request: HttpRequest) -> JsonResponse:
    categories = (
        SuggestionCategory.objects.filter(active=True).select_related("subdistrict").order_by("subdistrict_id", "name")
    )
    return JsonResponse([_service(c) for c in categories], safe=False)


def _uuids(text: str) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise BadParameterError(_("参数 service_request_id 无效。")) from exc


def _filtered(params: Any) -> QuerySet[Suggestion]:
    qs = _public()
    ids = params.get("service_request_id", "").strip()
    if ids:  # the spec: other parameters are ignored when ids are given
        return qs.filter(public_id__in=_uuids(ids))
    code = params.get("service_code", "").strip()
    if code:
        codes = [parse_id(c) for c in code.split(",") if c.strip()]
        if not codes or None in codes:  # ASCII digits within the database's range only
            raise BadParameterError(_("参数 service_code 无效。"))
        qs = qs.filter(category_id__in=codes)
    status = params.get("status", "").strip()
    if status:
        wanted = {s.strip() for s in status.split(",") if s.strip()}
        if not wanted or wanted - {"open", "closed"}:
            raise BadParameterError(_("参数 status 须为 open 或 closed。"))
        if wanted == {"open"}:
            qs = qs.filter(status__in=list(OPEN_STATUSES))
        elif wanted == {"closed"}:
            qs = qs.exclude(status__in=list(OPEN_STATUSES))
    start_text = params.get("start_date", "").strip()
    end_text = params.get("end_date", "").strip()
    start = _when("start_date", start_text) if start_text else None
    end = _when("end_date", end_text) if end_text else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None  # noqa: S101 - set above
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start:
        raise BadParameterError(_("end_date 不能早于 start_date。"))
    if end - start > WINDOW:
        raise BadParameterError(_("查询时间范围不能超过 90 天。"))
    return qs.filter(created_at__gte=start, created_at__lte=end)


@require_GET
def requests(request: HttpRequest) -> JsonResponse:
    try:
        qs = _filtered(request.GET)
    except BadParameterError as exc:
        return _error(exc)
    rows = qs.order_by("-created_at", "-id")[:MAX_RESULTS]
    return JsonResponse([_request(s) for s in rows], safe=False)


@require_GET
def request_detail(request: HttpRequest, request_id: str) -> JsonResponse:
    try:
        s = _one(request_id)
    except BadParameterError as exc:
        return _error(exc)
    return JsonResponse([_request(s)], safe=False)


def _one(request_id: str) -> Suggestion:
    ids = _uuids(request_id)
    if len(ids) != 1:
        raise BadParameterError(_("参数 service_request_id 无效。"))
    s = _public().filter(public_id=ids[0]).first()
    if s is None:
        raise BadParameterError(_("未找到该诉求。"), code=404)
    return s
