"""Vendors' offers (own only, locked once voted on) and funding plans with each apartment's share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.core.actors import SYSTEM
from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.places.models import Role
from gongzhi.renewals import services as s
from gongzhi.renewals.models import OfferStatus, SubsidyRule, Vendor
from gongzhi.renewals.selectors import access_offers, compare_offers, share_for
from tests import factories as f

pytestmark = pytest.mark.django_db

OFFER = {
    "brand": "奥的斯",
    "model": "GeN2-MRL",
    "rated_load_kg": 1000,
    "rated_speed_mps": Decimal("1.75"),
    "machine_room_less": True,
    "energy_class": "A",
    "warranty_years": 2,
    "free_maintenance_years": 3,
    "delivery_days": 45,
    "installation_days": 20,
    "price_per_elevator": Decimal("265000.00"),
}


@pytest.fixture
def vendors(personas):
    sub = personas.inside["subdistrict"]
    a = Vendor.objects.create(subdistrict=sub, name="甲电梯")
    b = Vendor.objects.create(subdistrict=sub, name="乙电梯")
    a.members.add(personas.users[Role.VENDOR])
    b_user = f.user_with_role(Role.VENDOR, subdistrict=sub)
    b.members.add(b_user)
    return {"a": a, "b": b, "a_user": personas.users[Role.VENDOR], "b_user": b_user}


def test_vendor_writes_only_its_own_offers(personas, vendors):
    campaign = personas.campaign
    offer = s.offer_save(actor=vendors["a_user"], vendor=vendors["a"], campaign=campaign, data=OFFER)
    assert offer.status == OfferStatus.DRAFT
    with pytest.raises(AccessDeniedError):
        s.offer_save(actor=vendors["b_user"], vendor=vendors["a"], campaign=campaign, data=OFFER, offer=offer)
    with pytest.raises(AccessDeniedError):
        s.offer_save(actor=personas.users[Role.SUBDISTRICT_STAFF], vendor=vendors["a"], campaign=campaign, data=OFFER)
    # A draft is the vendor's own: the other vendor and the owners do not see it.
    assert list(access_offers(vendors["a_user"], campaign)) == [offer]
    assert list(access_offers(vendors["b_user"], campaign)) == []
    assert list(access_offers(personas.users[Role.OWNER], campaign)) == []
    s.offer_submit(actor=vendors["a_user"], offer=offer)
    assert list(access_offers(personas.users[Role.OWNER], campaign)) == [offer]
    assert list(access_offers(vendors["b_user"], campaign)) == [offer]
    outsider = f.user_with_role(Role.OWNER, owner=f.OwnershipFactory(apartment=personas.outside["apartment"]).owner)
    assert list(access_offers(outsider, campaign)) == []


def test_locked_offer_cannot_change(personas, vendors):
    offer = s.offer_save(actor=vendors["a_user"], vendor=vendors["a"], campaign=personas.campaign, data=OFFER)
    with pytest.raises(DomainError):
        s.offers_lock(actor=SYSTEM, offers=[offer])  # a draft cannot be put to a vote
    s.offer_submit(actor=vendors["a_user"], offer=offer)
    assert s.offers_lock(actor=SYSTEM, offers=[offer]) == 1
    with pytest.raises(DomainError) as exc:
        s.offer_save(
            actor=vendors["a_user"],
            vendor=vendors["a"],
            campaign=personas.campaign,
            data={"price_per_elevator": Decimal("1.00")},
            offer=offer,
        )
    assert exc.value.code == "offer_locked"
    with pytest.raises(DomainError):
        s.offer_withdraw(actor=vendors["a_user"], offer=offer)


@pytest.mark.parametrize("price", ["0", "-1", "12.345", "abc"])
def test_offer_price_must_be_positive_fen(personas, vendors, price):
    with pytest.raises(DomainError):
        s.offer_save(
            actor=vendors["a_user"],
            vendor=vendors["a"],
            campaign=personas.campaign,
            data={**OFFER, "price_per_elevator": price},
        )


def test_compare_highlights_differences(personas, vendors):
    a = s.offer_save(actor=vendors["a_user"], vendor=vendors["a"], campaign=personas.campaign, data=OFFER)
    b = s.offer_save(
        actor=vendors["b_user"],
        vendor=vendors["b"],
        campaign=personas.campaign,
        data={**OFFER, "brand": "三菱", "price_per_elevator": Decimal("240000.00"), "warranty_years": 5},
    )
    rows = {r.key: r for r in compare_offers([a, b])}
    assert rows["price_per_elevator"].differs
    assert rows["price_per_elevator"].best == {1}
    assert rows["warranty_years"].best == {1}
    assert not rows["rated_load_kg"].differs
    assert rows["rated_load_kg"].best == set()


def test_known_subsidy_rules_are_installed():
    assert set(SubsidyRule.objects.values_list("code", flat=True)) >= {"central-bond-2024-2025", "central-bond-2026"}
    assert s.subsidy_rules_install_known() == 0  # idempotent


def test_funding_plan_balances_and_apportions_by_area(personas, vendors):
    entrance = personas.inside["entrance"]  # one elevator, one apartment of 89.50 m² (factory)
    f.ApartmentFactory(entrance=entrance, room="102", floor=1, area=Decimal("60.00"))
    offer = s.offer_save(actor=vendors["a_user"], vendor=vendors["a"], campaign=personas.campaign, data=OFFER)
    s.offer_submit(actor=vendors["a_user"], offer=offer)
    staff = personas.users[Role.COMMUNITY_STAFF]
    plan = s.funding_plan_create(
        actor=staff,
        entrance=entrance,
        offer=offer,
        stops=11,
        on=dt.date(2025, 3, 1),
        maintenance_fund=Decimal("20000.00"),
    )
    # 265,000 − central 150,000 (investment exceeds 150,000) − Hangzhou min(30% × 265,000, 60,000)
    # − fund 20,000 = 35,000 for the owners.
    assert [line["amount"] for line in plan.subsidies] == ["150000.00", "60000.00"]
    assert plan.owners_total == Decimal("35000.00")
    shares = s.plan_shares(plan)
    assert sum(amount for _a, amount in shares) == Decimal("35000.00")
    big = next(a for a, _ in shares if a.area == Decimal("89.50"))
    # 35,000 × 89.50 / 149.50 = 20,953.177…; 14,046.822… for the other: the spare fen goes to the larger remainder.
    assert share_for(plan, big.pk) == Decimal("20953.18")
    with pytest.raises(DomainError) as exc:
        s.funding_plan_create(
            actor=staff,
            entrance=entrance,
            offer=offer,
            stops=11,
            on=dt.date(2025, 3, 1),
            maintenance_fund=Decimal("60000.00"),
        )
    assert exc.value.code == "bad_plan"
    with pytest.raises(AccessDeniedError):
        s.funding_plan_create(
            actor=personas.users[Role.PROPERTY_MANAGER],
            entrance=entrance,
            offer=offer,
            stops=11,
            on=dt.date(2025, 3, 1),
        )


def test_duplicate_offer_is_a_clear_error(personas, vendors):
    s.offer_save(actor=vendors["a_user"], vendor=vendors["a"], campaign=personas.campaign, data=OFFER)
    with pytest.raises(DomainError) as exc:
        s.offer_save(actor=vendors["a_user"], vendor=vendors["a"], campaign=personas.campaign, data=OFFER)
    assert exc.value.code == "duplicate_offer"


def test_vendors_do_not_see_funding_plans(personas, vendors):
    from gongzhi.renewals.selectors import access_plans

    offer = s.offer_submit(
        actor=vendors["a_user"],
        offer=s.offer_save(actor=vendors["a_user"], vendor=vendors["a"], campaign=personas.campaign, data=OFFER),
    )
    plan = s.funding_plan_create(
        actor=personas.users[Role.COMMUNITY_STAFF],
        entrance=personas.inside["entrance"],
        offer=offer,
        stops=11,
        on=dt.date(2025, 3, 1),
    )
    assert list(access_plans(vendors["a_user"])) == []
    assert list(access_plans(personas.users[Role.OWNER])) == [plan]
    assert list(access_plans(personas.users[Role.PROPERTY_MANAGER])) == [plan]


def test_offer_documents(personas, vendors, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path
    offer = s.offer_save(actor=vendors["a_user"], vendor=vendors["a"], campaign=personas.campaign, data=OFFER)
    pdf = SimpleUploadedFile("b.pdf", b"%PDF-1.4 brochure", content_type="application/pdf")
    document = s.offer_document_add(actor=vendors["a_user"], offer=offer, title="产品手册", upload=pdf)
    assert len(document.sha256) == 64
    with pytest.raises(AccessDeniedError):
        s.offer_document_add(
            actor=vendors["b_user"], offer=offer, title="x", upload=SimpleUploadedFile("c.pdf", b"%PDF-1.4")
        )
    with pytest.raises(DomainError) as exc:
        s.offer_document_add(
            actor=vendors["a_user"], offer=offer, title="x", upload=SimpleUploadedFile("c.txt", b"hello there")
        )
    assert exc.value.code == "file_type"
    url = reverse("offer_document_download", args=[offer.pk, document.pk])
    owner = Client()
    owner.force_login(personas.users[Role.OWNER])
    assert owner.get(url).status_code == 404  # a draft's documents are the vendor's own
    s.offer_submit(actor=vendors["a_user"], offer=offer)
    response = owner.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 brochure"
    page = owner.get(reverse("offer_documents", args=[offer.pk])).content.decode()
    assert "产品手册" in page
    assert "enctype" not in page  # no upload form for owners
    assert owner.post(reverse("offer_documents", args=[offer.pk]), {"title": "x"}).status_code == 403
    s.offers_lock(actor=personas.users[Role.SUBDISTRICT_STAFF], offers=[offer])
    with pytest.raises(DomainError) as exc:
        s.offer_document_add(
            actor=vendors["a_user"], offer=offer, title="x", upload=SimpleUploadedFile("d.pdf", b"%PDF-1.4 late")
        )
    assert exc.value.code == "offer_locked"


def test_plan_uses_no_more_of_the_fund_than_its_recorded_balance(personas, vendors):
    offer = s.offer_submit(
        actor=vendors["a_user"],
        offer=s.offer_save(actor=vendors["a_user"], vendor=vendors["a"], campaign=personas.campaign, data=OFFER),
    )
    staff = personas.users[Role.COMMUNITY_STAFF]
    entrance = personas.inside["entrance"]
    s.fund_balance_record(actor=staff, entrance=entrance, balance=Decimal("30000.00"), as_of=dt.date(2025, 2, 1))
    s.fund_balance_record(actor=staff, entrance=entrance, balance=Decimal("18000.00"), as_of=dt.date(2025, 2, 20))
    kwargs = {"actor": staff, "entrance": entrance, "offer": offer, "stops": 11, "on": dt.date(2025, 3, 1)}
    with pytest.raises(DomainError) as exc:
        s.funding_plan_create(**kwargs, maintenance_fund=Decimal("18000.01"))
    assert exc.value.code == "fund_exceeds_balance"  # the latest balance counts, not the larger earlier one
    plan = s.funding_plan_create(**kwargs, maintenance_fund=Decimal("18000.00"))
    assert plan.maintenance_fund == Decimal("18000.00")
    for bad in ("-1", "1.001", "abc"):
        with pytest.raises(DomainError):
            s.fund_balance_record(actor=staff, entrance=entrance, balance=bad, as_of=dt.date(2025, 3, 1))
    with pytest.raises(AccessDeniedError):
        s.fund_balance_record(
            actor=personas.users[Role.PROPERTY_MANAGER],
            entrance=entrance,
            balance=Decimal(1),
            as_of=dt.date(2025, 3, 1),
        )
