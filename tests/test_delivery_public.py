"""The estate's public progress page (no login, nothing personal, cache-friendly), its public
documents, and the staff form that posts a notice to it, per role."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.actors import SYSTEM
from gongzhi.delivery import services as ds
from gongzhi.delivery import stages as st
from gongzhi.delivery.models import EstateNotice, RenewalStage
from gongzhi.places.models import Role
from gongzhi.renewals.models import FundingPlan, Offer, OfferStatus
from tests import factories as f

pytestmark = pytest.mark.django_db

# Playwright's sync API runs an event loop in this thread (the phone test at the end); Django's ORM
# would refuse to be called from it without this (as in test_browser_motions.py).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def set_stage(renewal: Any, kind: str, **fields: Any) -> None:
    """Dates and status of one stage written as recorded (the rules between stages are the
    services' tests' business); the renewal's stage and progress recomputed."""
    RenewalStage.objects.filter(renewal=renewal, kind=kind).update(**fields)
    ds.refresh_renewal(renewal)


def plan_works(renewal: Any, start: dt.date, days: int, back_after: int = 10) -> None:
    """Construction planned over `days` days from `start`, back in service `back_after` days after."""
    set_stage(renewal, st.CONSTRUCTION, planned_start=start, planned_end=start + dt.timedelta(days=days - 1))
    back = start + dt.timedelta(days=days - 1 + back_after)
    set_stage(renewal, st.IN_SERVICE, planned_start=back, planned_end=back)


def overlapping_works(delivery_world: Any) -> tuple[dt.date, dt.date]:
    """The two elevators of 1幢1单元 out of service at once for 14 days (from `first` to `last`)."""
    base = timezone.localdate() + dt.timedelta(days=60)
    one, two, three = delivery_world.renewals
    plan_works(one, base, 40)  # out base .. base+48 (back in service on base+49)
    plan_works(two, base + dt.timedelta(days=35), 40)  # out from base+35
    plan_works(three, base, 20)  # the other entrance: its only elevator
    return base + dt.timedelta(days=35), base + dt.timedelta(days=48)


def page_of(estate: Any) -> str:
    return reverse("public_estate_progress", args=[estate.pk])


# --- the public page ---------------------------------------------------------------------------------


def test_anonymous_reads_the_estate_progress_with_labels_stages_and_no_working_elevator_days(
    delivery_world: Any,
) -> None:
    first, last = overlapping_works(delivery_world)
    inside = delivery_world.world.inside
    response = Client().get(page_of(inside["estate"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "1幢1单元 1号梯" in page
    assert "1幢1单元 2号梯" in page
    assert "1幢2单元 1号梯" in page
    assert "签订合同" in page  # decided: the next stage is the contract
    assert delivery_world.world.campaign.name in page
    assert inside["elevator"].device_code in page
    # 1单元: both elevators out at once from `first` to `last` (14 days), flagged
    block = re.search(rf'id="entrance-{inside["entrance"].pk}".*?</article>', page, re.S)
    assert block is not None
    assert 'data-none-days="14"' in block.group(0)
    assert f"{first.isoformat()} 至 {last.isoformat()}" in block.group(0)
    assert "没有可用的电梯" in block.group(0)
    # the outside estate's renewal is not on this page
    assert delivery_world.outside_renewal.elevator.device_code not in page
    campaigns = response.context["campaigns"]
    assert len(campaigns) == 1
    assert campaigns[0].elevators == 3


def test_an_entrance_that_keeps_one_elevator_running_is_told_so(delivery_world: Any) -> None:
    base = timezone.localdate() + dt.timedelta(days=60)
    one, two, _three = delivery_world.renewals
    plan_works(one, base, 20)  # out base .. base+28
    plan_works(two, base + dt.timedelta(days=40), 20)  # after the first is back
    page = Client().get(page_of(delivery_world.world.inside["estate"])).content.decode()
    block = re.search(rf'id="entrance-{delivery_world.world.inside["entrance"].pk}".*?</article>', page, re.S)
    assert block is not None
    assert 'data-none-days="0"' in block.group(0)
    assert "始终至少有一部电梯可用" in block.group(0)


def test_an_entrance_whose_elevators_are_all_under_works_today_says_so(delivery_world: Any) -> None:
    today = timezone.localdate()
    one, two, three = delivery_world.renewals
    for renewal in (one, two):
        plan_works(renewal, today - dt.timedelta(days=5), 30)
        set_stage(renewal, st.CONSTRUCTION, status=st.STARTED, actual_start=today - dt.timedelta(days=5))
    plan_works(three, today - dt.timedelta(days=5), 30)  # planned only: not said to be out today
    response = Client().get(page_of(delivery_world.world.inside["estate"]))
    page = response.content.decode()
    first, second = response.context["campaigns"][0].entrances
    assert first.none_now
    assert [row.out_now for row in first.rows] == [True, True]
    assert not second.none_now
    assert not second.rows[0].out_now
    assert page.count("今天本单元没有可用的电梯") == 1
    assert page.count("停用施工中") == 2


def test_public_page_shows_no_personal_data_prices_contacts_or_private_notes(
    delivery_world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    world = delivery_world.world
    inside = world.inside
    persona_owner = world.users[Role.OWNER]
    owner_name = persona_owner.roles.get().owner.name
    wang = f.OwnerFactory(name="王芳", phone="13800000001")
    f.OwnershipFactory(owner=wang, apartment=f.ApartmentFactory(entrance=inside["entrance"], room="201", floor=2))
    vendor = delivery_world.vendor
    vendor.contact, vendor.phone = "刘经理", "0571-88886666"
    vendor.save()
    offer = Offer.objects.create(
        campaign=world.campaign, vendor=vendor, brand="奥的斯", model="GeN2", rated_load_kg=1000,
        rated_speed_mps=Decimal("1.75"), warranty_years=2, delivery_days=45, installation_days=20,
        price_per_elevator=Decimal("265432.10"), status=OfferStatus.SUBMITTED,
    )  # fmt: skip
    FundingPlan.objects.create(
        entrance=inside["entrance"], campaign=world.campaign, offer=offer, elevators=2, stops=11,
        works_cost=Decimal("265432.10"), maintenance_fund=Decimal("98765.43"), owners_total=Decimal("11111.11"),
    )  # fmt: skip
    one = delivery_world.renewals[0]
    set_stage(one, st.CONTRACT, responsible="张工 13912345678", notes="内部备注：价格再议")
    build = RenewalStage.objects.get(renewal=one, kind=st.CONSTRUCTION)
    public = ds.stage_document_add(
        actor=delivery_world.manager,
        stage=build,
        title="施工告知回执",
        upload=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
        public=True,
    )
    private = ds.stage_document_add(
        actor=delivery_world.manager,
        stage=build,
        title="合同扫描件",
        upload=SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf"),
    )
    response = Client().get(page_of(inside["estate"]))
    page = response.content.decode()
    assert response.status_code == 200
    for secret in (
        owner_name, "王芳", "13800000001", "刘经理", "0571-88886666", "张工", "13912345678", "内部备注",
        "265432", "265,432", "98765", "98,765", "11111", "合同扫描件", persona_owner.username,
        delivery_world.manager.username,
    ):  # fmt: skip
        assert secret not in page, secret
    assert "施工告知回执" in page
    assert reverse("public_stage_document", args=[public.pk]) in page
    assert reverse("public_stage_document", args=[private.pk]) not in page
    assert "甲电梯" in page  # the installer's name is public (it was voted on); its contacts are not


def test_public_page_is_cache_friendly_no_session_no_cookie(delivery_world: Any) -> None:
    response = Client().get(page_of(delivery_world.world.inside["estate"]))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert not response.cookies  # no csrftoken, no sessionid
    assert "cookie" not in response.get("Vary", "").lower()
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert Client().head(page_of(delivery_world.world.inside["estate"])).status_code == 200
    assert Client().post(page_of(delivery_world.world.inside["estate"])).status_code == 405


def test_logged_in_staff_get_the_same_public_page(delivery_world: Any) -> None:
    anonymous = Client().get(page_of(delivery_world.world.inside["estate"])).content
    staff = client_for(delivery_world.manager).get(page_of(delivery_world.world.inside["estate"])).content
    assert anonymous == staff


def test_unknown_estate_is_404_and_an_estate_without_renewals_says_so(personas: Any) -> None:
    assert Client().get(reverse("public_estate_progress", args=[999_999])).status_code == 404
    response = Client().get(page_of(personas.inside["estate"]))
    assert response.status_code == 200
    assert "本小区暂无电梯更新项目" in response.content.decode()


def test_notices_newest_first_and_only_this_estates(delivery_world: Any) -> None:
    world = delivery_world.world
    older = ds.notice_post(
        actor=delivery_world.manager,
        estate=world.inside["estate"],
        campaign=world.campaign,
        title="停梯预告",
        body="一",
    )
    EstateNotice.objects.filter(pk=older.pk).update(posted_at=timezone.now() - dt.timedelta(days=3))
    ds.notice_post(
        actor=delivery_world.manager,
        estate=world.inside["estate"],
        campaign=world.campaign,
        title="开工公告",
        body="二",
    )
    ds.notice_post(
        actor=SYSTEM, estate=world.outside["estate"], campaign=world.other_campaign, title="别处公告", body="三"
    )
    page = Client().get(page_of(world.inside["estate"])).content.decode()
    assert page.index("开工公告") < page.index("停梯预告")
    assert "别处公告" not in page


def test_public_page_links_published_vote_results(motion_world: Any) -> None:
    from gongzhi.motions.services import motion_close

    motion = motion_world.motion
    motion_close(actor=motion_world.staff, motion=motion, now=motion.closes_at + dt.timedelta(hours=1))
    world = motion_world.world
    ds.renewal_create(
        actor=world.users[Role.SUBDISTRICT_STAFF],
        campaign=world.campaign,
        elevator=world.inside["elevator"],
        decided_on=dt.date(2024, 12, 1),
    )
    page = Client().get(page_of(world.inside["estate"])).content.decode()
    assert reverse("motion_notice", args=[motion.public_id]) in page
    assert "2单元电梯更新" in page
    for name in ("王芳", "李强", "13800000001", "13800000003"):
        assert name not in page


def test_public_page_query_count_does_not_grow(delivery_world: Any, django_assert_num_queries: Any) -> None:
    world = delivery_world.world
    overlapping_works(delivery_world)
    url = page_of(world.inside["estate"])
    with django_assert_num_queries(7):
        assert Client().get(url).status_code == 200
    for n in range(5):
        entrance = f.EntranceFactory(building=world.inside["building"], name=f"{n + 3}单元")
        for _i in range(2):
            renewal = ds.renewal_create(
                actor=delivery_world.manager,
                campaign=world.campaign,
                elevator=f.ElevatorFactory(entrance=entrance),
                vendor=delivery_world.other_vendor,
                works_days=30,
                decided_on=dt.date(2024, 12, 1),
            )
            plan_works(renewal, timezone.localdate() + dt.timedelta(days=10 * n), 30)
        ds.notice_post(
            actor=delivery_world.manager,
            estate=world.inside["estate"],
            campaign=world.campaign,
            title=f"公告{n}",
            body="x",
        )
    with django_assert_num_queries(7):
        response = Client().get(url)
    assert response.status_code == 200
    assert sum(len(b.entrances) for b in response.context["campaigns"]) == 7


# --- public documents ------------------------------------------------------------------------------


def test_public_document_downloads_and_a_private_one_is_404(delivery_world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    stage = RenewalStage.objects.get(renewal=delivery_world.renewals[0], kind=st.NOTICE)
    public = ds.stage_document_add(
        actor=delivery_world.manager,
        stage=stage,
        title="施工告知书",
        upload=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
        public=True,
    )
    private = ds.stage_document_add(
        actor=delivery_world.manager,
        stage=stage,
        title="内部文件",
        upload=SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf"),
    )
    response = Client().get(reverse("public_stage_document", args=[public.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "public" in response["Cache-Control"]
    assert Client().get(reverse("public_stage_document", args=[private.pk])).status_code == 404
    # not even staff fetch a private document through the public address
    assert (
        client_for(delivery_world.manager).get(reverse("public_stage_document", args=[private.pk])).status_code == 404
    )
    assert Client().get(reverse("public_stage_document", args=[999_999])).status_code == 404


# --- posting a notice (staff) --------------------------------------------------------------------------

NOTICE_FORM = {
    Role.SUBDISTRICT_STAFF: 200,
    Role.COMMUNITY_STAFF: 200,
    Role.OWNERS_COMMITTEE: 403,
    Role.PROPERTY_MANAGER: 403,
    Role.OWNER: 403,
    Role.VENDOR: 403,
    Role.SUPERVISOR: 403,
    Role.DISTRICT_REGULATOR: 403,
}


@pytest.mark.parametrize(("role", "status"), NOTICE_FORM.items())
def test_notice_form_per_role(personas: Any, role: str, status: int) -> None:
    client = client_for(personas.users[role])
    url = reverse("estate_notice_create", args=[personas.inside["estate"].pk])
    assert client.get(url).status_code == status
    response = client.post(url, {"campaign": personas.campaign.pk, "title": "开工公告", "body": "3月1日开工"})
    assert response.status_code == (302 if status == 200 else status)
    assert EstateNotice.objects.filter(title="开工公告").exists() == (status == 200)
    # another district's estate is not there for anyone
    outside = reverse("estate_notice_create", args=[personas.outside["estate"].pk])
    assert client.get(outside).status_code == 404


def test_notice_form_needs_login(personas: Any) -> None:
    response = Client().get(reverse("estate_notice_create", args=[personas.inside["estate"].pk]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_staff_post_a_notice_with_csrf_and_see_it_on_the_public_page(personas: Any) -> None:
    staff = personas.users[Role.COMMUNITY_STAFF]
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    url = reverse("estate_notice_create", args=[personas.inside["estate"].pk])
    data = {"campaign": personas.campaign.pk, "title": "停梯通知", "body": "1单元电梯3月1日起停用。"}
    assert client.post(url, data).status_code == 403  # no token
    page = client.get(url)
    assert page.status_code == 200
    token = client.cookies["csrftoken"].value
    response = client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    notice = EstateNotice.objects.get()
    assert response["Location"] == f"{page_of(personas.inside['estate'])}#notice-{notice.pk}"
    assert (notice.title, notice.campaign, notice.posted_by) == ("停梯通知", personas.campaign, staff)
    public = Client().get(page_of(personas.inside["estate"])).content.decode()
    assert f'id="notice-{notice.pk}"' in public
    assert "1单元电梯3月1日起停用。" in public


def test_notice_form_refuses_empty_fields_and_another_subdistricts_campaign(personas: Any) -> None:
    client = client_for(personas.users[Role.SUBDISTRICT_STAFF])
    url = reverse("estate_notice_create", args=[personas.inside["estate"].pk])
    response = client.post(url, {"campaign": personas.campaign.pk, "title": "  ", "body": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"title", "body"}
    assert 'class="field-error"' in response.content.decode()
    response = client.post(url, {"campaign": personas.other_campaign.pk, "title": "公告", "body": "内容"})
    assert response.status_code == 200
    assert "campaign" in response.context["form"].errors
    assert not EstateNotice.objects.exists()


# --- on a phone ------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_public_page(live_server: Any, browser: Any, delivery_world: Any) -> None:
    """At 375 px the public page fits without horizontal scrolling, with no script errors."""
    from tests.browser_support import assert_fits_the_phone

    overlapping_works(delivery_world)
    world = delivery_world.world
    ds.notice_post(
        actor=delivery_world.manager,
        estate=world.inside["estate"],
        campaign=world.campaign,
        title="关于1幢1单元电梯更新施工期间停用的通知",
        body="施工期间请走楼梯，行动不便的住户请联系社区，我们将安排志愿者协助上下楼。" * 3,
    )
    errors: list[str] = []
    page = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN").new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + page_of(world.inside["estate"]))
    assert_fits_the_phone(page)
    assert page.locator("article.pe-entrance").count() == 2
    assert page.locator(".pe-alert").count() == 2  # 1单元 overlaps; 2单元 has one elevator
    # the staff form that posts a notice, at the same width
    user = delivery_world.manager
    user.set_password("pass-word-123")
    user.save(update_fields=["password"])
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass-word-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(live_server.url + reverse("estate_notice_create", args=[world.inside["estate"].pk]))
    assert_fits_the_phone(page)
    page.fill("#id_title", "电梯停用通知")
    page.fill("#id_body", "3月1日起停用。")
    page.click("main button[type=submit]")
    page.wait_for_selector("article.pe-notice >> text=电梯停用通知")
    assert errors == []
