"""Spaces pages: who sees what (staff of the community, a partner only its own agreement, others
404), forms with errors at the field, logging a delivery with evidence and downloading it, the
review form, query counts that do not grow, and the pages at 375 px on a phone."""

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
from gongzhi.spaces import services as s
from gongzhi.spaces.models import Agreement, AgreementStatus, Evidence, Fulfilment, Partner, Space
from tests import factories as f
from tests.conftest import World

pytestmark = pytest.mark.django_db
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the phone test (Playwright's event loop), as elsewhere

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


class SpacesWorld:
    def __init__(self, w: World) -> None:
        self.w = w
        self.staff = w.users[Role.COMMUNITY_STAFF]
        self.member = f.UserFactory(username="qinghe")
        self.other_member = f.UserFactory(username="laoyou")
        community = w.inside["community"]
        self.space = s.space_create(actor=self.staff, community=community, name="共享客厅", kind="room", area_m2="86.5")
        self.yard = s.space_create(actor=self.staff, community=community, name="小广场", kind="area", area_m2="300")
        self.partner = s.partner_create(
            actor=self.staff, community=community, name="青禾咖啡", kind="business", members=[self.member]
        )
        self.other = s.partner_create(
            actor=self.staff,
            community=community,
            name="老友社",
            kind="social_organisation",
            members=[self.other_member],
        )
        start = timezone.localdate() - dt.timedelta(days=100)
        self.mine = s.agreement_create(
            actor=self.staff,
            space=self.space,
            partner=self.partner,
            start=start,
            end=start + dt.timedelta(days=700),
            obligations=[s.ObligationEntry("为老人提供免费早餐", "份", "30", "month")],
        )
        self.theirs = s.agreement_create(
            actor=self.staff,
            space=self.yard,
            partner=self.other,
            start=start,
            end=start + dt.timedelta(days=700),
            obligations=[s.ObligationEntry("广场舞教学", "小时", "8", "month")],
        )


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def sw(personas: World) -> SpacesWorld:
    return SpacesWorld(personas)


@pytest.mark.parametrize("role", [Role.SUBDISTRICT_STAFF, Role.COMMUNITY_STAFF])
def test_staff_see_and_manage(sw: SpacesWorld, role: str) -> None:
    client = client_for(sw.w.users[role])
    body = client.get(reverse("space_list")).content.decode()
    assert "共享客厅" in body
    assert "小广场" in body
    assert reverse("space_create", args=[sw.w.inside["community"].pk]) in body
    page = client.get(reverse("space_agreement", args=[sw.mine.pk]))
    assert page.status_code == 200
    assert "review-form" in page.content.decode()
    assert "每月 30 份" in page.content.decode()  # 30.00 shown as 30, never 3E+1
    assert client.get(reverse("space_agreement_create", args=[sw.space.pk])).status_code == 200


@pytest.mark.parametrize(
    "role",
    [Role.OWNERS_COMMITTEE, Role.PROPERTY_MANAGER, Role.OWNER, Role.VENDOR, Role.SUPERVISOR, Role.DISTRICT_REGULATOR],
)
def test_others_see_nothing(sw: SpacesWorld, role: str) -> None:
    client = client_for(sw.w.users[role])
    assert "共享客厅" not in client.get(reverse("space_list")).content.decode()
    assert client.get(reverse("space_agreement", args=[sw.mine.pk])).status_code == 404
    assert client.get(reverse("space_delivery_log", args=[sw.mine.pk])).status_code == 404
    assert client.get(reverse("space_create", args=[sw.w.inside["community"].pk])).status_code in {403, 404}


def test_a_partner_sees_and_logs_only_its_own(sw: SpacesWorld, media: Any) -> None:
    client = client_for(sw.member)
    body = client.get(reverse("space_list")).content.decode()
    assert "共享客厅" in body
    assert "小广场" not in body
    assert reverse("space_create", args=[sw.w.inside["community"].pk]) not in body
    page = client.get(reverse("space_agreement", args=[sw.mine.pk])).content.decode()
    assert "log-delivery" in page
    assert "review-form" not in page
    assert client.get(reverse("space_agreement", args=[sw.theirs.pk])).status_code == 404
    assert (
        client.post(
            reverse("space_review", args=[sw.mine.pk]), {"date": "2025-01-01", "outcome": "continue"}
        ).status_code
        == 403
    )
    url = reverse("space_delivery_log", args=[sw.mine.pk])
    obligation = sw.mine.obligations.get()
    today = timezone.localdate()
    bad = client.post(url, {"obligation": obligation.pk, "date": today.isoformat(), "quantity": "0"})
    assert bad.status_code == 400
    assert "数量须大于 0" in bad.content.decode()
    wrong_file = client.post(
        url,
        {
            "obligation": obligation.pk,
            "date": today.isoformat(),
            "quantity": "12",
            "evidence": [SimpleUploadedFile("a.txt", b"hello")],
        },
    )
    assert wrong_file.status_code == 400
    assert "PDF、JPEG 或 PNG" in wrong_file.content.decode()
    assert not Fulfilment.objects.exists()
    ok = client.post(
        url,
        {
            "obligation": obligation.pk,
            "date": today.isoformat(),
            "quantity": "12",
            "note": "早餐 12 份",
            "evidence": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)],
        },
    )
    assert ok.status_code == 302
    delivery = Fulfilment.objects.get()
    assert delivery.logged_by == sw.member
    evidence = Evidence.objects.filter(delivery=delivery).first()
    assert evidence is not None
    download = client.get(reverse("space_evidence", args=[evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert client_for(sw.other_member).get(reverse("space_evidence", args=[evidence.pk])).status_code == 404
    assert client_for(sw.other_member).post(url, {}).status_code == 404


def test_agreement_form_errors_at_the_field(sw: SpacesWorld) -> None:
    client = client_for(sw.staff)
    url = reverse("space_agreement_create", args=[sw.space.pk])
    overlap = client.post(
        url,
        {
            "partner": sw.other.pk,
            "start": sw.mine.end.isoformat(),
            "end": (sw.mine.end + dt.timedelta(days=300)).isoformat(),
            "obligations": "讲座 | 场 | 2 | 每季度",
        },
    )
    assert overlap.status_code == 400
    assert "已有履约中的协议" in overlap.content.decode()
    bad_line = client.post(
        url, {"partner": sw.other.pk, "start": "2040-01-01", "end": "2040-12-31", "obligations": "讲座 | 场 | 2"}
    )
    assert "第 1 行" in bad_line.content.decode()
    ok = client.post(
        url,
        {
            "partner": sw.other.pk,
            "start": (sw.mine.end + dt.timedelta(days=1)).isoformat(),
            "end": (sw.mine.end + dt.timedelta(days=365)).isoformat(),
            "obligations": "讲座 | 场 | 2 | 每季度",
        },
    )
    assert ok.status_code == 302
    assert Agreement.objects.filter(space=sw.space).count() == 2


def test_space_and_partner_forms(sw: SpacesWorld) -> None:
    client = client_for(sw.staff)
    community = sw.w.inside["community"]
    bad = client.post(reverse("space_create", args=[community.pk]), {"name": "活动室", "kind": "room", "area_m2": "-1"})
    assert bad.status_code == 400
    assert "面积须大于 0" in bad.content.decode()
    client.post(reverse("space_create", args=[community.pk]), {"name": "活动室", "kind": "room", "area_m2": "40"})
    assert Space.objects.filter(name="活动室").exists()
    missing = client.post(
        reverse("space_partner_create", args=[community.pk]),
        {"name": "新青年", "kind": "young_entrepreneur", "members": "nobody"},
    )
    assert "找不到账号：nobody" in missing.content.decode()
    client.post(
        reverse("space_partner_create", args=[community.pk]),
        {"name": "新青年", "kind": "young_entrepreneur", "members": "qinghe"},
    )
    assert list(Partner.objects.get(name="新青年").members.all()) == [sw.member]
    outsider = client_for(f.user_with_role(Role.COMMUNITY_STAFF, community=sw.w.outside["community"]))
    assert outsider.get(reverse("space_create", args=[community.pk])).status_code == 404


def test_review_through_the_page(sw: SpacesWorld) -> None:
    Agreement.objects.filter(pk=sw.mine.pk).update(review_on=timezone.localdate())
    client = client_for(sw.staff)
    listing = client.get(reverse("space_list")).content.decode()
    assert "待年度评估" in listing
    assert "期未足额" in listing  # 100 days in, nothing delivered: past months are short
    assert "review-due" in client.get(reverse("space_agreement", args=[sw.mine.pk])).content.decode()
    url = reverse("space_review", args=[sw.mine.pk])
    bad = client.post(url, {"date": timezone.localdate().isoformat(), "outcome": "adjust", "note": ""})
    assert bad.status_code == 400
    assert "调整须说明" in bad.content.decode()
    assert (
        client.post(url, {"date": timezone.localdate().isoformat(), "outcome": "end", "note": "搬离"}).status_code
        == 302
    )
    sw.mine.refresh_from_db()
    assert sw.mine.status == AgreementStatus.ENDED
    assert "log-delivery" not in client.get(reverse("space_agreement", args=[sw.mine.pk])).content.decode()


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow(sw: SpacesWorld, media: Any, django_assert_max_num_queries: Any) -> None:
    urls = [reverse("space_list"), reverse("space_agreement", args=[sw.mine.pk])]
    clients = [client_for(sw.staff), client_for(sw.member), client_for(sw.w.users[Role.SUBDISTRICT_STAFF])]
    obligation = sw.mine.obligations.get()
    s.fulfilment_log(actor=sw.staff, obligation=obligation, date=sw.mine.start, quantity_delivered="1")
    few = [[_count(c, u) for u in urls] for c in clients]
    for k in range(5):
        s.fulfilment_log(
            actor=sw.staff,
            obligation=obligation,
            date=sw.mine.start + dt.timedelta(days=k * 20),
            quantity_delivered="3",
            files=[SimpleUploadedFile("a.pdf", PDF)],
        )
        s.space_create(actor=sw.staff, community=sw.w.inside["community"], name=f"空间{k}", kind="room", area_m2="10")
    s.review_record(actor=sw.staff, agreement=sw.mine, date=timezone.localdate(), outcome="continue")
    assert [[_count(c, u) for u in urls] for c in clients] == few
    for c in clients:
        for u in urls:
            with django_assert_max_num_queries(14):
                c.get(u)


# --- on a phone ---------------------------------------------------------------------------------------------


def _phone(browser: Any, live_server: Any, user: Any, errors: list[str]) -> Any:
    user.set_password("pass-word-123")
    user.save(update_fields=["password"])
    page = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN").new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass-word-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_partner_logs_a_delivery(
    live_server: Any, browser: Any, personas: World, media: Any, tmp_path: Any
) -> None:
    from tests.browser_support import assert_fits_the_phone

    sw = SpacesWorld(personas)
    errors: list[str] = []
    partner = _phone(browser, live_server, sw.member, errors)
    partner.goto(live_server.url + reverse("space_agreement", args=[sw.mine.pk]))
    assert_fits_the_phone(partner)
    assert partner.locator(".shortfall-chart canvas").count() == 1  # the chart drew
    partner.click("#log-delivery")
    partner.wait_for_url(live_server.url + reverse("space_delivery_log", args=[sw.mine.pk]))
    assert_fits_the_phone(partner)
    photo = tmp_path / "photo.pdf"
    photo.write_bytes(PDF)
    partner.fill("#id_quantity", "15")
    partner.set_input_files("#id_evidence", str(photo))
    partner.click("#delivery-form button[type=submit]")
    partner.wait_for_url(live_server.url + reverse("space_agreement", args=[sw.mine.pk]))
    assert Fulfilment.objects.get().quantity == 15
    assert "15" in partner.locator("#deliveries").inner_text()
    assert_fits_the_phone(partner)
    staff = _phone(browser, live_server, sw.staff, errors)
    staff.goto(live_server.url + reverse("space_list"))
    assert_fits_the_phone(staff)
    staff.goto(live_server.url + reverse("space_agreement", args=[sw.mine.pk]))
    assert_fits_the_phone(staff)
    assert errors == []
