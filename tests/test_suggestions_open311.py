"""The read-only Open311 GeoReport v2 endpoint: services from categories, requests with every field,
each filter, the 90-day window, masking like the public board, and bad parameters answered with an
Open311 error array."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.suggestions import services as sv
from gongzhi.suggestions.models import Suggestion, SuggestionCategory
from tests.conftest import World
from tests.test_suggestions_services import SW, make_sw

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
SERVICES = reverse("open311_services")
REQUESTS = reverse("open311_requests")


@pytest.fixture
def sw(personas: World, settings: Any, tmp_path: Any) -> SW:
    settings.MEDIA_ROOT = tmp_path
    return make_sw(personas)


def new(w: SW, **kw: Any) -> Suggestion:
    args: dict[str, Any] = {"title": "路灯不亮", "text": f"请联系{PHONE}", "place": "3幢旁", "phone": PHONE}
    args.update(kw)
    return sv.suggestion_submit(actor=w.resident, category=w.category, **args)


def answered(w: SW) -> Suggestion:
    s = new(w, title="已答复的")
    sv.suggestion_dispatch(actor=w.coordinator, suggestion=s, department=w.department)
    sv.suggestion_sign(actor=w.member, suggestion=s)
    return sv.suggestion_answer(actor=w.member, suggestion=s, answer="已修复，电话13800001111")


def get(params: dict[str, str] | None = None, url: str = REQUESTS) -> Any:
    return Client().get(url, params or {})


def assert_error(response: Any, code: int = 400) -> None:
    assert response.status_code == code
    body = response.json()
    assert isinstance(body, list)
    assert body[0]["code"] == code
    assert body[0]["description"]


def test_services(sw: SW) -> None:
    SuggestionCategory.objects.create(subdistrict=sw.category.subdistrict, name="停用类别", active=False)
    rows = get(url=SERVICES).json()
    assert [r["service_name"] for r in rows] == ["环境卫生", "环境卫生"]  # inside and outside, active only
    row = next(r for r in rows if r["service_code"] == str(sw.category.pk))
    assert row == {
        "service_code": str(sw.category.pk),
        "service_name": "环境卫生",
        "description": "环境卫生，办理时限 3 个工作日。",
        "metadata": False,
        "type": "realtime",
        "keywords": "环境卫生",
        "group": "良渚街道",
    }


def test_request_fields(sw: SW) -> None:
    s = answered(sw)
    rows = get().json()
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }
    assert row["service_request_id"] == str(s.public_id)
    assert row["status"] == "closed"
    assert row["status_notes"] == "已修复，电话138****1111"
    assert row["service_code"] == str(sw.category.pk)
    assert row["service_name"] == "环境卫生"
    assert row["description"] == "请联系139****5678"
    assert row["agency_responsible"] == "城管中队"
    assert row["address"] == "3幢旁"
    assert row["lat"] is None
    assert row["long"] is None
    assert row["media_url"] is None
    assert row["expected_datetime"].startswith(s.due_on.isoformat() + "T23:59:59")
    assert dt.datetime.fromisoformat(row["requested_datetime"]) <= dt.datetime.fromisoformat(row["updated_datetime"])
    body = get().content.decode()
    assert PHONE not in body
    assert sw.resident.username not in body


def test_open_request_and_detail(sw: SW) -> None:
    s = new(sw)
    row = get(url=reverse("open311_request", args=[str(s.public_id)])).json()[0]
    assert row["status"] == "open"
    assert row["status_notes"] == "待分派"
    assert row["agency_responsible"] is None
    assert_error(get(url=reverse("open311_request", args=["not-a-uuid"])))
    assert_error(get(url=reverse("open311_request", args=["00000000-0000-0000-0000-000000000000"])), 404)


def test_filters(sw: SW) -> None:
    a = new(sw, title="一")
    b = answered(sw)
    other = SuggestionCategory.objects.create(subdistrict=sw.category.subdistrict, name="交通")
    c = sv.suggestion_submit(actor=sw.resident, category=other, title="三", text="x")

    def ids(params: dict[str, str]) -> set[str]:
        response = get(params)
        assert response.status_code == 200
        return {r["service_request_id"] for r in response.json()}

    assert ids({}) == {str(a.public_id), str(b.public_id), str(c.public_id)}
    assert ids({"service_request_id": f"{a.public_id},{c.public_id}"}) == {str(a.public_id), str(c.public_id)}
    assert ids({"service_code": str(other.pk)}) == {str(c.public_id)}
    assert ids({"status": "closed"}) == {str(b.public_id)}
    assert ids({"status": "open"}) == {str(a.public_id), str(c.public_id)}
    assert ids({"status": "open,closed"}) == {str(a.public_id), str(b.public_id), str(c.public_id)}
    now = timezone.now()
    Suggestion.objects.filter(pk=a.pk).update(created_at=now - dt.timedelta(days=100))
    assert str(a.public_id) not in ids({})  # default: the last 90 days
    window = {
        "start_date": (now - dt.timedelta(days=120)).isoformat(),
        "end_date": (now - dt.timedelta(days=95)).isoformat(),
    }
    assert ids(window) == {str(a.public_id)}
    assert ids({"start_date": (now - dt.timedelta(days=101)).date().isoformat()}) == {str(a.public_id)}
    assert ids({"end_date": now.isoformat()}) == {str(b.public_id), str(c.public_id)}
    # the ids ignore the other parameters (GeoReport v2)
    assert ids({"service_request_id": str(a.public_id), "status": "closed"}) == {str(a.public_id)}


def test_merged_left_out(sw: SW) -> None:
    kept = new(sw)
    merged = new(sw)
    sv.suggestion_merge(actor=sw.coordinator, merged=merged, kept=kept)
    assert [r["service_request_id"] for r in get().json()] == [str(kept.public_id)]


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"end_date": "2025-13-01"},
        {"start_date": "2025-01-01T00:00:00+08:00", "end_date": "2025-06-01T00:00:00+08:00"},
        {"start_date": "2025-06-01", "end_date": "2025-05-01"},
        {"status": "pending"},
        {"status": ","},
        {"service_code": "abc"},
        {"service_request_id": "not-a-uuid"},
    ],
)
def test_bad_parameters(sw: SW, params: dict[str, str]) -> None:
    assert_error(get(params))


def test_window_boundary_90_days_accepted(sw: SW) -> None:
    assert get({"start_date": "2025-01-01T00:00:00+08:00", "end_date": "2025-04-01T00:00:00+08:00"}).status_code == 200
    assert_error(get({"start_date": "2025-01-01T00:00:00+08:00", "end_date": "2025-04-01T00:00:01+08:00"}))


def test_query_count(sw: SW, django_assert_max_num_queries: Any) -> None:
    for _ in range(3):
        answered(sw)
    with django_assert_max_num_queries(1):
        assert get().status_code == 200
    for _ in range(5):
        answered(sw)
    with django_assert_max_num_queries(1):
        assert len(get().json()) == 8
    with django_assert_max_num_queries(1):
        assert get(url=SERVICES).status_code == 200
