"""Pages of residents' suggestions: submitting from a phone, a resident's own list and detail,
the staff inbox and its filters, the department inbox (only what was dispatched to it), actions
by role through the detail page, the public board without personal data, the dashboard, query
counts that do not grow with rows, and the 375 px phone check."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.places.models import Role
from gongzhi.suggestions import services as sv
from gongzhi.suggestions.models import Rating, Status, Suggestion
from tests import factories as f
from tests.conftest import World
from tests.test_suggestions_services import PNG, SW, make_sw

pytestmark = pytest.mark.django_db
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PHONE = "13912345678"


@pytest.fixture
def sw(personas: World, settings: Any, tmp_path: Any) -> SW:
    settings.MEDIA_ROOT = tmp_path
    return make_sw(personas)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def new(w: SW, user: Any = None, **kw: Any) -> Suggestion:
    args: dict[str, Any] = {
        "title": "垃圾清运不及时",
        "text": f"联系我{PHONE}，身份证330106199001011234",
        "place": "亲亲家园北门",
        "phone": PHONE,
    }
    args.update(kw)
    return sv.suggestion_submit(actor=user or w.resident, category=w.category, **args)


def detail_url(s: Suggestion) -> str:
    return reverse("suggestion_detail", args=[s.public_id])


def act_url(s: Suggestion, action: str) -> str:
    return reverse("suggestion_act", args=[s.public_id, action])


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


# --- residents ----------------------------------------------------------------------------------


def test_submit_requires_login(sw: SW) -> None:
    response = Client().get(reverse("suggestion_submit"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_resident_submits_with_photo(sw: SW) -> None:
    client = client_for(sw.resident)
    page = client.get(reverse("suggestion_submit")).content.decode()
    assert "环境卫生" in page
    assert 'inputmode="tel"' in page
    response = client.post(
        reverse("suggestion_submit"),
        {
            "category": sw.category.pk,
            "title": "井盖松动",
            "text": "5幢旁井盖松动",
            "place": "5幢",
            "phone": PHONE,
            "photo1": SimpleUploadedFile("a.png", PNG, content_type="image/png"),
        },
    )
    s = Suggestion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(s)
    assert s.photos.count() == 1
    assert s.submitter == sw.resident
    body = client.get(detail_url(s)).content.decode()
    assert PHONE in body  # the resident sees their own details
    assert "井盖松动" in body
    photo = s.photos.get()
    assert client.get(reverse("suggestion_photo", args=[photo.pk])).status_code == 200
    assert client_for(f.UserFactory()).get(reverse("suggestion_photo", args=[photo.pk])).status_code == 404


def test_submit_bad_photo_error_at_field(sw: SW) -> None:
    response = client_for(sw.resident).post(
        reverse("suggestion_submit"),
        {
            "category": sw.category.pk,
            "title": "t",
            "text": "x",
            "photo1": SimpleUploadedFile("a.txt", b"plain text", content_type="text/plain"),
        },
    )
    assert response.status_code == 200
    assert "文件须为 PDF、JPEG 或 PNG。" in response.content.decode()
    assert 'id="id_photo1-errors"' in response.content.decode()
    assert Suggestion.objects.count() == 0


def test_resident_sees_only_own(sw: SW) -> None:
    mine = new(sw)
    other_user = f.UserFactory()
    theirs = new(sw, user=other_user, title="别人的诉求")
    client = client_for(sw.resident)
    body = client.get(reverse("suggestion_mine")).content.decode()
    assert mine.title in body
    assert "别人的诉求" not in body
    assert client.get(detail_url(theirs)).status_code == 404


def test_resident_rates_and_unsatisfied_reopens(sw: SW) -> None:
    s = new(sw)
    sv.suggestion_dispatch(actor=sw.coordinator, suggestion=s, department=sw.department)
    sv.suggestion_sign(actor=sw.member, suggestion=s)
    sv.suggestion_answer(actor=sw.member, suggestion=s, answer="已安排清运")
    client = client_for(sw.resident)
    body = client.get(detail_url(s)).content.decode()
    assert 'id="rate-form"' in body
    assert "已安排清运" in body
    assert client.post(act_url(s, "rate"), {"rating": Rating.UNSATISFIED}).status_code == 302
    s.refresh_from_db()
    assert s.status == Status.HANDLING
    assert s.clock_from == timezone.localdate()


def test_merged_submitter_sees_kept_answer_without_its_personal_data(sw: SW) -> None:
    kept = new(sw, phone="13700000000")
    other = f.UserFactory()
    merged = new(sw, user=other, title="同类问题")
    sv.suggestion_merge(actor=sw.coordinator, merged=merged, kept=kept)
    sv.suggestion_dispatch(actor=sw.coordinator, suggestion=kept, department=sw.department)
    sv.suggestion_sign(actor=sw.member, suggestion=kept)
    sv.suggestion_answer(actor=sw.member, suggestion=kept, answer="统一答复：已清运")
    client = client_for(other)
    body = client.get(detail_url(merged)).content.decode()
    assert "统一答复：已清运" in body
    kept_page = client.get(detail_url(kept)).content.decode()
    assert "13700000000" not in kept_page
    assert 'id="submitter-phone"' not in kept_page


# --- staff and departments ----------------------------------------------------------------------


def test_staff_record_page(sw: SW) -> None:
    staff = client_for(sw.world.users[Role.COMMUNITY_STAFF])
    body = staff.get(reverse("suggestion_record")).content.decode()
    assert "议事会" in body
    assert "居民提交" not in body  # residents submit their own
    response = staff.post(
        reverse("suggestion_record"),
        {
            "source": "reception",
            "received_on": "2099-01-01",
            "category": sw.category.pk,
            "title": "接待日反映",
            "text": "x",
            "name": "王五",
        },
    )
    assert response.status_code == 200
    assert 'id="id_received_on-errors"' in response.content.decode()
    data = {"source": "reception", "category": sw.category.pk, "title": "接待日反映", "text": "x", "name": "王五"}
    response = staff.post(reverse("suggestion_record"), data)  # not at the subdistrict level
    assert response.status_code == 200
    assert "请选择社区" in response.content.decode()
    assert not Suggestion.objects.exists()
    data["community"] = sw.world.inside["community"].pk
    assert staff.post(reverse("suggestion_record"), data).status_code == 302
    s = Suggestion.objects.get()
    assert s.source == "reception"
    assert s.submitter_name == "王五"
    for user in (sw.world.users[Role.OWNER], sw.world.users[Role.SUPERVISOR], sw.resident):
        assert client_for(user).get(reverse("suggestion_record")).status_code == 403


def test_staff_inbox_and_filters(sw: SW) -> None:
    late = new(sw, title="超期的诉求")
    Suggestion.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    new(sw, title="新的诉求")
    client = client_for(sw.coordinator)
    body = client.get(reverse("suggestion_inbox")).content.decode()
    assert "超期的诉求" in body
    assert "新的诉求" in body
    body = client.get(reverse("suggestion_inbox"), {"overdue": "on"}).content.decode()
    assert "超期的诉求" in body
    assert "新的诉求" not in body
    body = client.get(reverse("suggestion_inbox"), {"status": Status.DISPATCHED}).content.decode()
    assert "没有符合条件的诉求" in body
    body = client.get(reverse("suggestion_inbox"), {"due_soon": "on"}).content.decode()
    assert "超期的诉求" not in body


@pytest.mark.parametrize("role", [Role.OWNER, Role.VENDOR, Role.PROPERTY_MANAGER])
def test_inbox_refused_without_view(sw: SW, role: str) -> None:
    assert client_for(sw.world.users[role]).get(reverse("suggestion_inbox")).status_code == 403
    assert client_for(sw.world.users[role]).get(reverse("suggestion_dashboard")).status_code == 403


def test_outside_staff_get_404(sw: SW) -> None:
    s = new(sw)
    outside_staff = f.user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=sw.world.outside["subdistrict"])
    client = client_for(outside_staff)
    assert client.get(detail_url(s)).status_code == 404
    assert client.post(act_url(s, "dispatch"), {"department": sw.department.pk}).status_code == 404
    assert s.title not in client.get(reverse("suggestion_inbox")).content.decode()


def test_department_sees_only_its_own(sw: SW) -> None:
    ours = new(sw, title="派给城管的")
    theirs = new(sw, title="派给市政的")
    waiting = new(sw, title="尚未分派的")
    sv.suggestion_dispatch(actor=sw.coordinator, suggestion=ours, department=sw.department)
    sv.suggestion_dispatch(actor=sw.coordinator, suggestion=theirs, department=sw.other_department)
    client = client_for(sw.member)
    body = client.get(reverse("suggestion_department")).content.decode()
    assert "派给城管的" in body
    assert "派给市政的" not in body
    assert "尚未分派的" not in body
    assert client.get(detail_url(ours)).status_code == 200
    assert client.get(detail_url(theirs)).status_code == 404
    assert client.get(detail_url(waiting)).status_code == 404
    assert client.get(reverse("suggestion_inbox")).status_code == 403
    assert client_for(sw.resident).get(reverse("suggestion_department")).status_code == 403


def test_actions_through_pages(sw: SW) -> None:
    s = new(sw)
    staff = client_for(sw.coordinator)
    supervisor = client_for(sw.world.users[Role.SUPERVISOR])
    assert supervisor.get(detail_url(s)).status_code == 200
    assert supervisor.post(act_url(s, "dispatch"), {"department": sw.department.pk}).status_code == 403
    body = staff.get(detail_url(s)).content.decode()
    assert act_url(s, "dispatch") in body
    assert PHONE in body  # staff see who raised it
    assert staff.post(act_url(s, "dispatch"), {"department": sw.department.pk}).status_code == 302
    member = client_for(sw.member)
    body = member.get(detail_url(s)).content.decode()
    assert 'id="sign-button"' in body
    response = member.post(act_url(s, "bounce"), {"reason": " "}, follow=True)
    assert "请填写退回理由" in response.content.decode()
    assert member.post(act_url(s, "sign")).status_code == 302
    assert member.post(act_url(s, "answer"), {"answer": "已处理"}).status_code == 302
    s.refresh_from_db()
    assert s.status == Status.ANSWERED
    assert client_for(sw.resident).post(act_url(s, "close")).status_code == 403
    assert staff.post(act_url(s, "close")).status_code == 302
    s.refresh_from_db()
    assert s.status == Status.CLOSED
    assert staff.post(act_url(s, "nonsense")).status_code == 404
    history = staff.get(detail_url(s)).content.decode()
    for label in ("提交", "分派", "签收", "答复", "办结"):
        assert label in history


def test_deputy_adopts_through_page(sw: SW) -> None:
    s = new(sw)
    staff = client_for(sw.coordinator)
    assert staff.post(act_url(s, "escalate"), {"deputy": sw.deputy.pk}).status_code == 302
    deputy = client_for(sw.deputy_user)
    assert s.title in deputy.get(reverse("suggestion_deputy")).content.decode()
    assert client_for(sw.member).get(reverse("suggestion_deputy")).status_code == 403
    assert act_url(s, "adopt") in deputy.get(detail_url(s)).content.decode()
    response = deputy.post(act_url(s, "adopt"))
    created = Suggestion.objects.get(origin=s)
    assert response["Location"] == detail_url(created)
    assert created.source == "deputy"


def test_extension_through_page(sw: SW) -> None:
    s = new(sw)
    sv.suggestion_dispatch(actor=sw.coordinator, suggestion=s, department=sw.department)
    sv.suggestion_sign(actor=sw.member, suggestion=s)
    member = client_for(sw.member)
    member.post(act_url(s, "extend"), {"working_days": "abc", "reason": "x"})
    assert not s.extensions.exists()
    member.post(act_url(s, "extend"), {"working_days": "2", "reason": "需协调"})
    ext = s.extensions.get()
    due = s.due_on
    staff = client_for(sw.coordinator)
    assert "需协调" in staff.get(detail_url(s)).content.decode()
    assert staff.post(act_url(s, "decide"), {"extension": ext.pk, "approve": "1"}).status_code == 302
    s.refresh_from_db()
    assert s.due_on > due


# --- public board and dashboard -----------------------------------------------------------------


def test_board_shows_no_personal_data(sw: SW) -> None:
    s = new(sw)
    sv.suggestion_dispatch(actor=sw.coordinator, suggestion=s, department=sw.department)
    sv.suggestion_sign(actor=sw.member, suggestion=s)
    sv.suggestion_answer(actor=sw.member, suggestion=s, answer="请拨打13800001111联系我们")
    body = Client().get(reverse("suggestion_board")).content.decode()
    assert "垃圾清运不及时" in body
    assert "亲亲家园北门" in body
    assert PHONE not in body
    assert "139****5678" in body
    assert "330106199001011234" not in body
    assert "13800001111" not in body
    assert sw.resident.username not in body
    assert s.submitter_name not in body
    assert "已答复" in body


def test_dashboard_rates(sw: SW) -> None:
    s = new(sw)
    new(sw)
    sv.suggestion_dispatch(actor=sw.coordinator, suggestion=s, department=sw.department)
    sv.suggestion_sign(actor=sw.member, suggestion=s)
    sv.suggestion_answer(actor=sw.member, suggestion=s, answer="好")
    sv.suggestion_rate(actor=sw.resident, suggestion=s, rating=Rating.SATISFIED)
    response = client_for(sw.coordinator).get(reverse("suggestion_dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "suggestions/dashboard.js" in body
    assert "vendor/echarts.min.js" in body
    charts = response.context["charts"]
    assert charts["month"]["response"] == [50.0]
    assert charts["department"]["labels"] == ["—", "城管中队"]  # not yet dispatched first
    assert charts["department"]["satisfaction"] == [None, 100.0]


# --- query counts -------------------------------------------------------------------------------


def _many(w: SW, n: int) -> None:
    for k in range(n):
        s = new(w, title=f"诉求{k}")
        sv.suggestion_dispatch(actor=w.coordinator, suggestion=s, department=w.department)


def test_query_counts_do_not_grow(sw: SW, django_assert_max_num_queries: Any) -> None:
    _many(sw, 2)
    s = Suggestion.objects.first()
    assert s is not None
    pages: list[tuple[Any, str]] = [
        (sw.coordinator, reverse("suggestion_inbox")),
        (sw.coordinator, reverse("suggestion_inbox") + "?due_soon=on&overdue=on"),
        (sw.coordinator, reverse("suggestion_dashboard")),
        (sw.coordinator, detail_url(s)),
        (sw.member, reverse("suggestion_department")),
        (sw.member, detail_url(s)),
        (sw.resident, reverse("suggestion_mine")),
        (sw.resident, detail_url(s)),
        (f.UserFactory(), reverse("suggestion_board")),
    ]
    clients = [(client_for(u), url) for u, url in pages]
    few = [_count(c, url) for c, url in clients]
    _many(sw, 6)
    sv.suggestion_sign(actor=sw.member, suggestion=s)
    sv.extension_request(actor=sw.member, suggestion=s, working_days=1, reason="x")
    assert [_count(c, url) for c, url in clients] == few
    for c, url in clients:
        with django_assert_max_num_queries(16):
            assert c.get(url).status_code == 200
    with django_assert_max_num_queries(3):
        assert Client().get(reverse("suggestion_board")).status_code == 200


# --- on a phone ---------------------------------------------------------------------------------


def _phone(browser: Any, live_server: Any, user: Any | None) -> Any:
    page = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN").new_page()
    if user is not None:
        user.set_password("pass-word-123")
        user.save(update_fields=["password"])
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "pass-word-123")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_submit_and_board(live_server: Any, browser: Any, sw: SW) -> None:
    from tests.browser_support import assert_fits_the_phone

    for k in range(3):
        new(sw, title=f"很长的标题{k}" * 5, text="很长的内容" * 60)
    page = _phone(browser, live_server, sw.resident)
    page.goto(live_server.url + reverse("suggestion_submit"))
    assert_fits_the_phone(page)
    page.select_option("#id_category", str(sw.category.pk))
    page.fill("#id_title", "楼道灯坏了")
    page.fill("#id_text", "2幢楼道灯不亮")
    page.click("main button[type=submit]")
    page.wait_for_selector("#history")
    assert_fits_the_phone(page)
    assert Suggestion.objects.filter(title="楼道灯坏了").exists()
    page.goto(live_server.url + reverse("suggestion_mine"))
    assert_fits_the_phone(page)
    board = _phone(browser, live_server, None)
    board.goto(live_server.url + reverse("suggestion_board"))
    assert board.locator("#board article").count() == 4
    assert_fits_the_phone(board)
    staff = _phone(browser, live_server, sw.coordinator)
    staff.goto(live_server.url + reverse("suggestion_inbox"))
    assert_fits_the_phone(staff)
    staff.goto(live_server.url + detail_url(Suggestion.objects.get(title="楼道灯坏了")))
    staff.wait_for_selector("#actions details")
    assert_fits_the_phone(staff)
    staff.goto(live_server.url + reverse("suggestion_dashboard"))
    staff.wait_for_function("document.querySelector('#chart-department canvas') !== null")
    assert_fits_the_phone(staff)
