"""Bad input never gives a server error (issue 13, item 8): numbers checked before queries
(core.params), NUL refused at the edge (core.middleware.RefuseNulBytesMiddleware), the suggestion
actions read through forms. The hostile crawl of every page is tests/test_crawl.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongzhi.core.params import MAX_BIGINT, IdMultipleChoiceField, parse_id, parse_ids, parse_int
from gongzhi.places.models import Role
from gongzhi.suggestions import services as sv
from gongzhi.suggestions.models import Status, Suggestion
from gongzhi.talent.models import Cadre, PoolCategory
from tests.conftest import World
from tests.talent_support import TalentWorld
from tests.test_suggestions_services import SW, make_sw

HUGE = "9" * 30
NUL_MESSAGE = "请求中含有空字符（NUL）"


def client_for(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# --- core.params ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        ("0", None),
        ("-1", None),
        ("+7", 7),
        ("", None),
        (None, None),
        (True, None),
        ("²", None),  # str.isdigit() says yes, int() says no
        ("١٢", None),  # Arabic-Indic digits: int() would read 12
        ("1e309", None),
        ("1.0", None),
        ("0x10", None),
        (str(MAX_BIGINT), MAX_BIGINT),
        (str(MAX_BIGINT + 1), None),
        (HUGE, None),
        ("1\x002", None),
    ],
)
def test_parse_id(value: object, expected: int | None) -> None:
    assert parse_id(value) == expected


def test_parse_int_bounds_and_ids() -> None:
    assert parse_int("-5") == -5
    assert parse_int("-5", minimum=0) is None
    assert parse_int("2101", minimum=2000, maximum=2100) is None
    assert parse_int("2100", minimum=2000, maximum=2100) == 2100
    assert parse_ids(["1,2", "x", HUGE, "2, 3", "²"]) == [1, 2, 3]


def test_id_multiple_choice_field_refuses_huge_ids_before_the_query(db: None, talent_world: TalentWorld) -> None:
    field = IdMultipleChoiceField(queryset=Cadre.objects.all())
    cadre = talent_world.cadres["self"]
    assert list(field.clean([str(cadre.pk)])) == [cadre]
    for bad in (HUGE, "²", "-1"):
        with pytest.raises(ValidationError, match="不是一个有效的值"):
            field.clean([str(cadre.pk), bad])


# --- huge and odd integers in filters (SQLite: "Python int too large to convert to SQLite INTEGER") ----


@pytest.mark.parametrize("category", [HUGE, "²", "-1", "1e309"])
def test_talent_pool_filter_with_a_bad_category_is_ignored(talent_world: TalentWorld, category: str) -> None:
    client = client_for(talent_world.users["admin"])
    url = reverse("talent_pool", args=[talent_world.pool.pk])
    response = client.get(url, {"category": category, "organisation": HUGE})
    assert response.status_code == 200
    # ignored, as an unknown status is: every member of the pool is listed
    assert talent_world.cadres["self"].name in response.content.decode()
    assert talent_world.cadres["other"].name in response.content.decode()


@pytest.mark.parametrize("code", [HUGE, "²", "1,²", f"1,{MAX_BIGINT + 1}", ",", "-1"])
def test_open311_bad_service_code_is_a_400_in_open311_form(db: None, code: str) -> None:
    response = Client(raise_request_exception=False).get(reverse("open311_requests"), {"service_code": code})
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "参数 service_code 无效。"}]


def test_open311_good_service_code_still_filters(personas: World) -> None:
    sw = make_sw(personas)
    sv.suggestion_submit(actor=sw.resident, category=sw.category, title="路灯不亮", text="3幢门口路灯坏了")
    url = reverse("open311_requests")
    assert len(Client().get(url, {"service_code": f"{sw.category.pk}"}).json()) == 1
    assert Client().get(url, {"service_code": f"{sw.outside_category.pk}"}).json() == []


def test_offer_compare_ignores_odd_offer_ids(personas: World) -> None:
    assert personas.campaign is not None
    client = client_for(personas.users[Role.SUBDISTRICT_STAFF])
    url = reverse("offer_compare", args=[personas.campaign.pk])
    for offers in ("²", HUGE, "1,²,-1"):
        assert client.get(url, {"offers": offers}).status_code == 200


@pytest.mark.parametrize("year", ["²", HUGE, "1e309"])
def test_talent_awards_odd_year_is_not_found(talent_world: TalentWorld, year: str) -> None:
    client = client_for(talent_world.users["admin"])
    response = client.get(reverse("talent_awards", args=[talent_world.pool.pk]), {"year": year})
    assert response.status_code == 404


def test_talent_category_huge_quota_is_a_field_error(talent_world: TalentWorld) -> None:
    client = client_for(talent_world.users["admin"])
    url = reverse("talent_category_create", args=[talent_world.pool.pk])
    response = client.post(url, {"name": "专业技术类", "quota": HUGE})
    assert response.status_code in (200, 400)
    body = response.content.decode()
    assert "确保该值小于或等于" in body
    assert "专业技术类" in body  # the input is kept
    assert not PoolCategory.objects.filter(pool=talent_world.pool, name="专业技术类").exists()


def test_talent_activity_with_a_huge_participant_id_is_a_field_error(talent_world: TalentWorld) -> None:
    client = client_for(talent_world.users["admin"])
    url = reverse("talent_activity_create", args=[talent_world.pool.pk])
    response = client.post(url, {"cycle": talent_world.cycle.pk, "title": "走访", "participants": [HUGE]})
    assert response.status_code in (200, 400)
    assert "不是一个有效的值" in response.content.decode()


# --- NUL at the edge ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/suggestions/board/?q=%00", "/suggestions/board/?%00=1", "/suggestions/%00/", "/talent/pools/1%00/"]
)
def test_nul_in_path_or_query_is_refused(db: None, url: str) -> None:
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert NUL_MESSAGE in response.content.decode()


def test_nul_under_api_is_refused_as_json(db: None) -> None:
    response = Client(raise_request_exception=False).get("/api/estates?q=%00")
    assert response.status_code == 400
    assert response.json()["code"] == "nul_byte"
    assert NUL_MESSAGE in response.json()["detail"]


@pytest.fixture
def sw(personas: World, settings: Any, tmp_path: Any) -> SW:
    settings.MEDIA_ROOT = tmp_path
    return make_sw(personas)


def _suggestion(sw: SW) -> Suggestion:
    return sv.suggestion_submit(actor=sw.resident, category=sw.category, title="路灯不亮", text="3幢门口路灯坏了")


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_nul_in_a_form_post_is_refused_and_nothing_changes(sw: SW, encoding: str) -> None:
    s = _suggestion(sw)
    client = client_for(sw.coordinator)
    url = reverse("suggestion_act", args=[s.public_id, "dispatch"])
    data = {"department": str(sw.department.pk), "note": "请\x00处理"}
    if encoding == "urlencoded":
        response = client.post(url, f"department={sw.department.pk}&note=%E8%AF%B7%00",
                               content_type="application/x-www-form-urlencoded")  # fmt: skip
    else:
        response = client.post(url, data)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()
    s.refresh_from_db()
    assert s.status == Status.SUBMITTED


def test_nul_in_a_field_name_is_refused(sw: SW) -> None:
    s = _suggestion(sw)
    url = reverse("suggestion_act", args=[s.public_id, "dispatch"])
    response = client_for(sw.coordinator).post(url, {"department": str(sw.department.pk), "no\x00te": "x"})
    assert response.status_code == 400


def test_nul_bytes_inside_an_uploaded_file_are_not_inspected(sw: SW) -> None:
    """A photo is binary: NUL bytes in it are normal. The submission goes through."""
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
    response = client_for(sw.resident).post(
        reverse("suggestion_submit"),
        {
            "category": sw.category.pk,
            "title": "路灯不亮",
            "text": "3幢门口路灯坏了",
            "photo1": SimpleUploadedFile("lamp.png", png, content_type="image/png"),
        },
    )
    assert NUL_MESSAGE not in response.content.decode()
    assert response.status_code in (200, 302)
    if response.status_code == 302:  # accepted; the file kept byte for byte
        photo = Suggestion.objects.get(title="路灯不亮").photos.get()
        assert photo.file.read() == png


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ('{"name": "a\\u0000b"}', True),
        ('{"name": "a\\\\\\u0000b"}', True),  # an escaped backslash, then the escape of NUL
        ('{"name": "a\\\\u0000b"}', False),  # the text \u0000, literally: harmless
        ('{"name": "ab"}', False),
    ],
)
def test_json_bodies_with_nul_are_refused(personas: World, body: str, refused: bool) -> None:
    assert ("\x00" in json.loads(body)["name"]) is refused  # the cases mean what they say
    client = client_for(personas.users[Role.SUBDISTRICT_STAFF])
    response = client.post("/api/campaigns", body, content_type="application/json")
    assert (response.status_code == 400 and response.json().get("code") == "nul_byte") is refused
    assert response.status_code < 500


def test_api_still_reads_a_form_body_after_the_check(personas: World) -> None:
    """The check caches the raw body before parsing the form, so the API's JSON parser can still read
    it (it refused with a 4xx, not RawPostDataException's 500)."""
    client = client_for(personas.users[Role.SUBDISTRICT_STAFF])
    response = client.post("/api/eligibility", {"reference_date": "2025-01-01"})
    assert 400 <= response.status_code < 500


# --- the suggestion actions read their POST through forms (PostgreSQL refuses NUL in text) --------------


@pytest.fixture
def without_edge(settings: Any) -> None:
    """The views on their own, as if the NUL check at the edge were missing."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("RefuseNulBytesMiddleware")]


@pytest.mark.parametrize(
    ("action", "field"),
    [
        ("dispatch", "note"),
        ("dispatch", "department"),
        ("force", "note"),
        ("bounce", "reason"),
        ("answer", "answer"),
        ("rate", "rating"),
        ("rate", "note"),
        ("close", "note"),
        ("extend", "reason"),
        ("extend", "working_days"),
        ("decide", "extension"),
        ("escalate", "note"),
        ("escalate", "deputy"),
        ("merge", "kept"),
        ("merge", "note"),
    ],
)
def test_suggestion_actions_refuse_nul_in_their_forms(sw: SW, without_edge: None, action: str, field: str) -> None:
    s = _suggestion(sw)
    events = s.events.count()
    data = {
        "department": str(sw.department.pk),
        "deputy": str(sw.deputy.pk),
        "working_days": "3",
        "extension": "1",
        "kept": str(s.public_id),
        "rating": "satisfied",
        field: "a\x00b",
    }
    response = client_for(sw.coordinator).post(reverse("suggestion_act", args=[s.public_id, action]), data)
    assert response.status_code in (302, 403, 404)  # refused by a form, a rule or a lookup: never a 500
    s.refresh_from_db()
    assert s.events.count() == events  # nothing written
    assert s.status == Status.SUBMITTED


def test_suggestion_action_form_error_is_shown_in_chinese(sw: SW) -> None:
    s = _suggestion(sw)
    sv.suggestion_dispatch(actor=sw.coordinator, suggestion=s, department=sw.department)
    sv.suggestion_sign(actor=sw.member, suggestion=s)
    client = client_for(sw.member)
    for days in ("abc", "²", "1e309", ""):
        response = client.post(
            reverse("suggestion_act", args=[s.public_id, "extend"]), {"working_days": days, "reason": "x"}, follow=True
        )
        assert "请填写有效的数字。" in response.content.decode()
    response = client.post(
        reverse("suggestion_act", args=[s.public_id, "extend"]), {"working_days": HUGE, "reason": "x"}, follow=True
    )
    assert "延期须在 1 至 30 个工作日之间。" in response.content.decode()
    assert not s.extensions.exists()


@pytest.mark.parametrize("present", [[HUGE], ["²"], ["1", "-1"]])
def test_talent_attendance_with_odd_ids_is_refused_with_a_message(
    talent_world: TalentWorld, present: list[str]
) -> None:
    from tests.test_talent_courses import sessions

    session = sessions(talent_world, 1)[0]
    client = client_for(talent_world.users["admin"])
    response = client.post(reverse("talent_attendance", args=[session.pk]), {"present": present})
    assert response.status_code in (200, 400)
    assert "出勤名单有误。" in response.content.decode()
    assert not session.attendance.exists()


@pytest.mark.parametrize("q", ["²", HUGE, "3"])
def test_motion_voters_search_with_odd_digits(motion_world: Any, q: str) -> None:
    response = client_for(motion_world.staff).get(reverse("motion_voters", args=[motion_world.motion.pk]), {"q": q})
    assert response.status_code == 200
    assert ("陈刚" in response.content.decode()) is (q == "3")  # sheet 3 is Mr Chen's
