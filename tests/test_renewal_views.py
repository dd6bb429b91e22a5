"""Pages of the renewal consultation: vendors' offers (own only, locked once voted on), the side-by-
side comparison owners open before voting, funding plans and each apartment's share, per role."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.core.actors import SYSTEM
from gongzhi.places.models import Role
from gongzhi.renewals import services as s
from gongzhi.renewals.models import FundingPlan, Offer, OfferStatus, Vendor
from tests import factories as f
from tests.test_renewal_services import OFFER

pytestmark = pytest.mark.django_db

# Playwright's sync API runs an event loop in this thread (the phone test at the end); Django's ORM
# would refuse to be called from it without this (as in test_browser_motions.py).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(**overrides: Any) -> dict[str, Any]:
    """A POST of the offer form: its fields plus an empty price formset of five lines."""
    data: dict[str, Any] = {key: str(value) for key, value in OFFER.items() if key != "machine_room_less"}
    data["machine_room_less"] = "on"
    data["after_sales"] = ""
    data.update({"prices-TOTAL_FORMS": "5", "prices-INITIAL_FORMS": "0", "prices-MIN_NUM_FORMS": "0"})
    data["prices-MAX_NUM_FORMS"] = "5"
    data.update(overrides)
    return data


@pytest.fixture
def vendors(personas: Any) -> dict[str, Any]:
    sub = personas.inside["subdistrict"]
    a = Vendor.objects.create(subdistrict=sub, name="甲电梯")
    b = Vendor.objects.create(subdistrict=sub, name="乙电梯")
    a.members.add(personas.users[Role.VENDOR])
    b_user = f.user_with_role(Role.VENDOR, subdistrict=sub)
    b.members.add(b_user)
    return {"a": a, "b": b, "a_user": personas.users[Role.VENDOR], "b_user": b_user}


def make_offer(personas: Any, vendors: Any, who: str, *, submit: bool = True, **data: Any) -> Offer:
    offer = s.offer_save(
        actor=vendors[f"{who}_user"],
        vendor=vendors[who],
        campaign=personas.campaign,
        data={**OFFER, **data},
    )
    if submit:
        offer = s.offer_submit(actor=vendors[f"{who}_user"], offer=offer)
    return offer


def outsider(personas: Any) -> Any:
    """An owner of an apartment in the other district: sees none of the inside."""
    owner = f.OwnershipFactory(apartment=personas.outside["apartment"]).owner
    return f.user_with_role(Role.OWNER, owner=owner)


# --- offers ------------------------------------------------------------------------------------------


def test_vendor_lists_only_its_own_offers_with_actions(personas: Any, vendors: Any) -> None:
    draft = make_offer(personas, vendors, "a", submit=False)
    other = make_offer(personas, vendors, "b", brand="三菱", model="NexWay")
    response = client_for(vendors["a_user"]).get(reverse("offer_list", args=[personas.campaign.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-offer="{draft.pk}"' in page
    assert f'data-offer="{other.pk}"' not in page  # another vendor's offer is not on its list
    assert reverse("offer_create", args=[personas.campaign.pk]) in page
    assert reverse("offer_edit", args=[draft.pk]) in page
    assert reverse("offer_submit", args=[draft.pk]) in page
    assert "265,000.00" in page


def test_owner_lists_only_submitted_offers(personas: Any, vendors: Any) -> None:
    draft = make_offer(personas, vendors, "a", submit=False)
    submitted = make_offer(personas, vendors, "b", brand="三菱", model="NexWay")
    response = client_for(personas.users[Role.OWNER]).get(reverse("offer_list", args=[personas.campaign.pk]))
    page = response.content.decode()
    assert f'data-offer="{submitted.pk}"' in page
    assert f'data-offer="{draft.pk}"' not in page
    assert reverse("offer_create", args=[personas.campaign.pk]) not in page
    assert reverse("offer_edit", args=[submitted.pk]) not in page


def test_vendor_creates_an_offer_with_configuration_prices_and_submits(personas: Any, vendors: Any) -> None:
    url = reverse("offer_create", args=[personas.campaign.pk])
    client = client_for(vendors["a_user"])
    assert client.get(url).status_code == 200
    data = form_data(
        **{
            "prices-0-configuration": "11层11站",
            "prices-0-min_stops": "10",
            "prices-0-max_stops": "18",
            "prices-0-price": "270000.00",
            "submit": "1",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302
    offer = Offer.objects.get(vendor=vendors["a"])
    assert offer.status == OfferStatus.SUBMITTED
    assert offer.price_per_elevator == Decimal("265000.00")
    assert [(p.configuration, p.min_stops, p.max_stops, p.price) for p in offer.prices.all()] == [
        ("11层11站", 10, 18, Decimal("270000.00"))
    ]
    # The same brand and model twice is refused on the form, not by the database.
    again = client.post(url, form_data())
    assert again.status_code == 400
    assert "您已为本行动报过同一品牌型号" in again.content.decode()
    assert Offer.objects.filter(vendor=vendors["a"]).count() == 1


@pytest.mark.parametrize(
    ("field", "value"), [("price_per_elevator", "12.345"), ("price_per_elevator", "0"), ("rated_load_kg", "")]
)
def test_offer_form_refuses_bad_input(personas: Any, vendors: Any, field: str, value: str) -> None:
    response = client_for(vendors["a_user"]).post(
        reverse("offer_create", args=[personas.campaign.pk]), form_data(**{field: value})
    )
    assert response.status_code == 400
    assert not Offer.objects.exists()


def test_price_line_needs_a_name_and_a_price(personas: Any, vendors: Any) -> None:
    response = client_for(vendors["a_user"]).post(
        reverse("offer_create", args=[personas.campaign.pk]), form_data(**{"prices-0-price": "1000.00"})
    )
    assert response.status_code == 400
    assert "请填写配置名称" in response.content.decode()
    assert not Offer.objects.exists()


def test_vendor_edits_its_offer_and_clears_a_price_line(personas: Any, vendors: Any) -> None:
    offer = make_offer(personas, vendors, "a", submit=False)
    s.offer_save(
        actor=vendors["a_user"],
        vendor=vendors["a"],
        campaign=personas.campaign,
        data={},
        prices=[{"configuration": "A", "min_stops": None, "max_stops": None, "price": "1000.00"}],
        offer=offer,
    )
    url = reverse("offer_edit", args=[offer.pk])
    client = client_for(vendors["a_user"])
    page = client.get(url).content.decode()
    assert 'value="A"' in page  # the existing line is on the form
    response = client.post(url, form_data(price_per_elevator="250000.00", **{"prices-INITIAL_FORMS": "1"}))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.price_per_elevator == Decimal("250000.00")
    assert offer.status == OfferStatus.DRAFT  # "保存草稿" does not submit
    assert not offer.prices.exists()


def test_other_vendor_cannot_edit(personas: Any, vendors: Any) -> None:
    draft = make_offer(personas, vendors, "a", submit=False)
    client = client_for(vendors["b_user"])
    # Another vendor's draft does not exist for it; a submitted offer it may see but not edit.
    assert client.get(reverse("offer_edit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("offer_submit", args=[draft.pk])).status_code == 404
    s.offer_submit(actor=vendors["a_user"], offer=draft)
    assert client.get(reverse("offer_edit", args=[draft.pk])).status_code == 403
    assert client.post(reverse("offer_edit", args=[draft.pk]), form_data(price_per_elevator="1.00")).status_code == 403
    assert client.post(reverse("offer_withdraw", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == OfferStatus.SUBMITTED
    assert draft.price_per_elevator == Decimal("265000.00")


@pytest.mark.parametrize("role", [Role.OWNER, Role.SUBDISTRICT_STAFF, Role.COMMUNITY_STAFF])
def test_others_may_not_write_offers(personas: Any, vendors: Any, role: str) -> None:
    offer = make_offer(personas, vendors, "a")
    client = client_for(personas.users[role])
    assert client.get(reverse("offer_create", args=[personas.campaign.pk])).status_code == 403
    assert client.get(reverse("offer_edit", args=[offer.pk])).status_code == 403
    assert client.post(reverse("offer_withdraw", args=[offer.pk])).status_code == 403


def test_vendor_account_without_a_vendor_gets_a_clear_403(personas: Any) -> None:
    lone = f.user_with_role(Role.VENDOR, subdistrict=personas.inside["subdistrict"])
    response = client_for(lone).get(reverse("offer_create", args=[personas.campaign.pk]))
    assert response.status_code == 403
    assert not Vendor.objects.filter(members=lone).exists()


def test_outsider_gets_404_on_offer_pages(personas: Any, vendors: Any) -> None:
    offer = make_offer(personas, vendors, "a")
    client = client_for(outsider(personas))
    for url in (
        reverse("offer_list", args=[personas.campaign.pk]),
        reverse("offer_compare", args=[personas.campaign.pk]),
        reverse("offer_create", args=[personas.campaign.pk]),
        reverse("offer_edit", args=[offer.pk]),
    ):
        assert client.get(url).status_code == 404, url
    # An inside vendor does not reach another subdistrict's campaign either.
    assert (
        client_for(vendors["a_user"]).get(reverse("offer_create", args=[personas.other_campaign.pk])).status_code == 404
    )


def test_submit_and_withdraw_through_the_page(personas: Any, vendors: Any) -> None:
    offer = make_offer(personas, vendors, "a", submit=False)
    client = client_for(vendors["a_user"])
    assert client.post(reverse("offer_submit", args=[offer.pk])).status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SUBMITTED
    assert client.post(reverse("offer_withdraw", args=[offer.pk])).status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN
    # Withdrawing twice is refused with the service's message, shown after the redirect.
    response = client.post(reverse("offer_withdraw", args=[offer.pk]), follow=True)
    assert "只有已提交的报价可以撤回" in response.content.decode()


def test_locked_offer_edit_is_refused_with_the_services_message(personas: Any, vendors: Any) -> None:
    offer = make_offer(personas, vendors, "a")
    s.offers_lock(actor=SYSTEM, offers=[offer])
    client = client_for(vendors["a_user"])
    url = reverse("offer_edit", args=[offer.pk])
    page = client.get(url).content.decode()
    assert "报价已锁定" in page
    assert "<fieldset disabled" in page
    response = client.post(url, form_data(price_per_elevator="1.00"))
    assert response.status_code == 400
    assert "报价已锁定（品牌表决已开始），变更须重新发起表决。" in response.content.decode()
    offer.refresh_from_db()
    assert offer.price_per_elevator == Decimal("265000.00")
    list_page = client.get(reverse("offer_list", args=[personas.campaign.pk])).content.decode()
    assert reverse("offer_edit", args=[offer.pk]) not in list_page
    assert reverse("offer_withdraw", args=[offer.pk]) not in list_page


# --- comparison --------------------------------------------------------------------------------------


def _row(page: str, key: str) -> str:
    match = re.search(rf'<tr class="compare-{key} [^"]*">.*?</tr>', page, re.S)
    assert match, key
    return match.group(0)


def _cell(row: str, offer: Offer) -> str:
    match = re.search(rf'<td data-offer="{offer.pk}"[^>]*>.*?</td>', row, re.S)
    assert match, offer
    return match.group(0)


def test_owner_compares_submitted_offers_side_by_side(personas: Any, vendors: Any) -> None:
    a = make_offer(personas, vendors, "a")
    b = make_offer(
        personas,
        vendors,
        "b",
        brand="三菱",
        model="NexWay",
        price_per_elevator=Decimal("1240000.00"),
        warranty_years=5,
        machine_room_less=False,
    )
    hidden = make_offer(personas, vendors, "b", submit=False, brand="日立", model="MCA")
    response = client_for(personas.users[Role.OWNER]).get(reverse("offer_compare", args=[personas.campaign.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-offer="{a.pk}"' in page
    assert f'data-offer="{b.pk}"' in page
    assert f'data-offer="{hidden.pk}"' not in page
    assert "日立" not in page
    price = _row(page, "price_per_elevator")
    assert "differs" in price
    assert "265,000.00" in price
    assert "1,240,000.00" in price
    # The lower price is best: the first offer's cell is marked, the second's is not.
    assert "best" in _cell(price, a)
    assert "✓" in _cell(price, a)
    assert "best" not in _cell(price, b)
    assert "✓" not in _cell(price, b)
    warranty = _row(page, "warranty_years")
    assert "✓" not in _cell(warranty, a)
    assert "✓" in _cell(warranty, b)
    load = _row(page, "rated_load_kg")
    assert "same" in load
    assert "✓" not in load
    machine = _row(page, "machine_room_less")
    assert "是" in machine
    assert "否" in machine
    assert "differs" in machine


def test_compare_picks_offers_from_the_query(personas: Any, vendors: Any) -> None:
    a = make_offer(personas, vendors, "a")
    b = make_offer(personas, vendors, "b", brand="三菱", model="NexWay")
    c = make_offer(personas, vendors, "b", brand="日立", model="MCA")
    client = client_for(personas.users[Role.OWNER])
    url = reverse("offer_compare", args=[personas.campaign.pk])
    page = client.get(url, {"offers": f"{a.pk},{c.pk}"}).content.decode()
    assert f'<th scope="col" data-offer="{a.pk}"' in page
    assert f'<th scope="col" data-offer="{c.pk}"' in page
    assert f'<th scope="col" data-offer="{b.pk}"' not in page
    # Checkbox form style, and garbage ignored (all offers then).
    page = client.get(url + f"?offers={b.pk}&offers=x").content.decode()
    assert f'<th scope="col" data-offer="{b.pk}"' in page
    assert f'<th scope="col" data-offer="{a.pk}"' not in page
    page = client.get(url, {"offers": "x,y"}).content.decode()
    assert all(f'<th scope="col" data-offer="{o.pk}"' in page for o in (a, b, c))


def test_vendor_compares_but_sees_no_other_drafts(personas: Any, vendors: Any) -> None:
    a = make_offer(personas, vendors, "a")
    draft = make_offer(personas, vendors, "b", submit=False, brand="三菱", model="NexWay")
    page = client_for(vendors["a_user"]).get(reverse("offer_compare", args=[personas.campaign.pk])).content.decode()
    assert f'data-offer="{a.pk}"' in page
    assert f'data-offer="{draft.pk}"' not in page


# --- funding plans -----------------------------------------------------------------------------------


@pytest.fixture
def plan_world(personas: Any, vendors: Any) -> dict[str, Any]:
    """The inside entrance with two apartments: 101 (floor 1, 89.50 m², the owner persona's) and
    201 (floor 2, 60.00 m²); one submitted offer of 265,000.00."""
    entrance = personas.inside["entrance"]
    other = f.ApartmentFactory(entrance=entrance, room="201", floor=2, area=Decimal("60.00"))
    offer = make_offer(personas, vendors, "a")
    return {"entrance": entrance, "own": personas.inside["apartment"], "other": other, "offer": offer}


def plan_post(offer: Offer, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "offer": str(offer.pk),
        "stops": "11",
        "on": "2025-03-01",
        "maintenance_fund": "20000.00",
        "public_revenue": "0.00",
        "method": "area",
    }
    data.update(overrides)
    return data


def test_plan_form_prefills_from_the_registry(personas: Any, plan_world: Any) -> None:
    response = client_for(personas.users[Role.COMMUNITY_STAFF]).get(
        reverse("funding_plan_create", args=[plan_world["entrance"].pk])
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["stops"] == 11  # the elevator's stops
    assert form["coefficient_2"].value() == Decimal("0.3")  # apportionment.default_floor_coefficients
    assert form["coefficient_1"].value() == Decimal(0)
    assert form["method"].value() == "area"
    assert [c for c, _label in form.fields["exempt"].choices] == [
        str(plan_world["own"].pk),
        str(plan_world["other"].pk),
    ]
    assert "第二百八十三条" in response.content.decode()


def test_plan_create_valid(personas: Any, plan_world: Any) -> None:
    client = client_for(personas.users[Role.COMMUNITY_STAFF])
    response = client.post(
        reverse("funding_plan_create", args=[plan_world["entrance"].pk]), plan_post(plan_world["offer"])
    )
    assert response.status_code == 302
    plan = FundingPlan.objects.get()
    assert response["Location"] == reverse("funding_plan_detail", args=[plan.pk])
    assert plan.owners_total == Decimal("35000.00")
    assert plan.method == "area"
    assert plan.coefficients == {}


def test_plan_create_with_floor_coefficients_and_exemption(personas: Any, plan_world: Any) -> None:
    client = client_for(personas.users[Role.COMMUNITY_STAFF])
    data = plan_post(
        plan_world["offer"],
        method="floor",
        exempt=[str(plan_world["own"].pk)],
        **{f"coefficient_{n}": "0" if n == 1 else "0.5" for n in range(1, 12)},
    )
    response = client.post(reverse("funding_plan_create", args=[plan_world["entrance"].pk]), data)
    assert response.status_code == 302
    plan = FundingPlan.objects.get()
    assert plan.coefficients["2"] == "0.5"
    assert plan.exempt == [plan_world["own"].pk]
    shares = {a.pk: amount for a, amount in s.plan_shares(plan)}
    assert shares == {plan_world["own"].pk: Decimal("0.00"), plan_world["other"].pk: Decimal("35000.00")}


def test_plan_create_floor_method_needs_every_coefficient(personas: Any, plan_world: Any) -> None:
    response = client_for(personas.users[Role.COMMUNITY_STAFF]).post(
        reverse("funding_plan_create", args=[plan_world["entrance"].pk]),
        plan_post(plan_world["offer"], method="floor-area", coefficient_2=""),
    )
    assert response.status_code == 400
    assert "每层都须填写系数" in response.content.decode()
    assert not FundingPlan.objects.exists()


def test_plan_create_refuses_excess_sources_with_the_services_message(personas: Any, plan_world: Any) -> None:
    response = client_for(personas.users[Role.COMMUNITY_STAFF]).post(
        reverse("funding_plan_create", args=[plan_world["entrance"].pk]),
        plan_post(plan_world["offer"], maintenance_fund="60000.00"),
    )
    assert response.status_code == 400
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert errors[0]
    assert errors[0] in response.content.decode()
    assert not FundingPlan.objects.exists()


@pytest.mark.parametrize("bad", [{"maintenance_fund": "-1"}, {"maintenance_fund": "1.001"}, {"stops": "1"}])
def test_plan_create_refuses_bad_input(personas: Any, plan_world: Any, bad: dict[str, str]) -> None:
    response = client_for(personas.users[Role.COMMUNITY_STAFF]).post(
        reverse("funding_plan_create", args=[plan_world["entrance"].pk]), plan_post(plan_world["offer"], **bad)
    )
    assert response.status_code == 400
    assert not FundingPlan.objects.exists()


def test_plan_offer_choices_are_submitted_offers_of_the_subdistrict(
    personas: Any, vendors: Any, plan_world: Any
) -> None:
    draft = make_offer(personas, vendors, "b", submit=False, brand="三菱", model="NexWay")
    response = client_for(personas.users[Role.COMMUNITY_STAFF]).get(
        reverse("funding_plan_create", args=[plan_world["entrance"].pk])
    )
    choices = list(response.context["form"].fields["offer"].queryset)
    assert choices == [plan_world["offer"]]
    assert draft not in choices
    response = client_for(personas.users[Role.COMMUNITY_STAFF]).post(
        reverse("funding_plan_create", args=[plan_world["entrance"].pk]), plan_post(draft)
    )
    assert response.status_code == 400
    assert not FundingPlan.objects.exists()


def _plan(personas: Any, plan_world: Any) -> FundingPlan:
    plan: FundingPlan = s.funding_plan_create(
        actor=personas.users[Role.COMMUNITY_STAFF],
        entrance=plan_world["entrance"],
        offer=plan_world["offer"],
        stops=11,
        on=dt.date(2025, 3, 1),
        maintenance_fund=Decimal("20000.00"),
    )
    return plan


def _share_cells(page: str) -> dict[str, tuple[str, str]]:
    """room → (row class, amount text) from the shares table."""
    rows = re.findall(
        r'<tr class="(share-row[^"]*)"[^>]*>\s*<th scope="row">(\w+).*?<td class="num">([\d,.]+)</td>\s*</tr>',
        page,
        re.S,
    )
    return {room: (cls, amount) for cls, room, amount in rows}


def test_plan_detail_shares_sum_and_the_owner_sees_their_own_row(personas: Any, plan_world: Any) -> None:
    plan = _plan(personas, plan_world)
    response = client_for(personas.users[Role.OWNER]).get(reverse("funding_plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    cells = _share_cells(page)
    assert set(cells) == {"101", "201"}
    total = sum(Decimal(amount.replace(",", "")) for _cls, amount in cells.values())
    assert total == plan.owners_total == Decimal("35000.00")
    assert cells["101"] == ("share-row own", "20,953.18")  # 35,000 × 89.50 / 149.50, the larger remainder
    assert cells["201"] == ("share-row", "14,046.82")
    assert "35,000.00" in page
    assert "265,000.00" in page
    # Every subsidy with its explanation and source; the chart's data; print-friendly.
    for line in plan.subsidies:
        assert line["explanation"] in page
        assert line["source"] in page
    assert 'id="plan-chart-data"' in page
    assert "echarts.min.js" in page
    assert "data-print" in page  # bound by js/print.js (no inline handler under the CSP)


def test_staff_see_no_own_rows(personas: Any, plan_world: Any) -> None:
    plan = _plan(personas, plan_world)
    page = client_for(personas.users[Role.COMMUNITY_STAFF]).get(reverse("funding_plan_detail", args=[plan.pk]))
    cells = _share_cells(page.content.decode())
    assert all(cls == "share-row" for cls, _amount in cells.values())


def test_owner_of_another_entrance_does_not_see_the_plan(personas: Any, plan_world: Any) -> None:
    plan = _plan(personas, plan_world)
    elsewhere = f.EntranceFactory(building=personas.inside["building"], name="2单元")
    neighbour = f.OwnershipFactory(apartment=f.ApartmentFactory(entrance=elsewhere)).owner
    user = f.user_with_role(Role.OWNER, owner=neighbour)
    assert client_for(user).get(reverse("funding_plan_detail", args=[plan.pk])).status_code == 404


@pytest.mark.parametrize(
    ("role", "view", "create"),
    [
        (Role.SUBDISTRICT_STAFF, 200, 200),
        (Role.COMMUNITY_STAFF, 200, 200),
        (Role.OWNERS_COMMITTEE, 200, 200),
        (Role.PROPERTY_MANAGER, 200, 403),
        (Role.OWNER, 200, 403),
        (Role.SUPERVISOR, 200, 403),
        (Role.DISTRICT_REGULATOR, 200, 403),
        (Role.VENDOR, 404, 403),
    ],
)
def test_plan_permissions_per_role(personas: Any, plan_world: Any, role: str, view: int, create: int) -> None:
    plan = _plan(personas, plan_world)
    client = client_for(personas.users[role])
    assert client.get(reverse("funding_plan_detail", args=[plan.pk])).status_code == view
    create_url = reverse("funding_plan_create", args=[plan_world["entrance"].pk])
    assert client.get(create_url).status_code == create
    if create == 403:
        assert client.post(create_url, plan_post(plan_world["offer"])).status_code == 403
        assert FundingPlan.objects.count() == 1


def test_outsider_gets_404_on_plan_pages(personas: Any, plan_world: Any) -> None:
    plan = _plan(personas, plan_world)
    client = client_for(outsider(personas))
    assert client.get(reverse("funding_plan_detail", args=[plan.pk])).status_code == 404
    assert client.get(reverse("funding_plan_create", args=[plan_world["entrance"].pk])).status_code == 404


def test_anonymous_is_sent_to_login(personas: Any, plan_world: Any) -> None:
    plan = _plan(personas, plan_world)
    for url in (
        reverse("funding_plan_detail", args=[plan.pk]),
        reverse("offer_compare", args=[personas.campaign.pk]),
        reverse("offer_list", args=[personas.campaign.pk]),
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


# --- query counts --------------------------------------------------------------------------------


def _many_offers(personas: Any, vendors: Any, n: int) -> None:
    for i in range(n):
        offer = make_offer(personas, vendors, "a" if i % 2 else "b", submit=False, model=f"M{i}")
        s.offer_save(
            actor=vendors["a_user" if i % 2 else "b_user"],
            vendor=vendors["a" if i % 2 else "b"],
            campaign=personas.campaign,
            data={},
            prices=[{"configuration": "标准", "min_stops": None, "max_stops": None, "price": "1000.00"}],
            offer=offer,
        )
        s.offer_submit(actor=vendors["a_user" if i % 2 else "b_user"], offer=offer)


def test_offer_pages_query_counts_do_not_grow_with_offers(
    personas: Any, vendors: Any, django_assert_max_num_queries: Any
) -> None:
    _many_offers(personas, vendors, 8)
    owner = client_for(personas.users[Role.OWNER])
    vendor = client_for(vendors["a_user"])
    with django_assert_max_num_queries(10):
        assert owner.get(reverse("offer_list", args=[personas.campaign.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert vendor.get(reverse("offer_list", args=[personas.campaign.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        response = owner.get(reverse("offer_compare", args=[personas.campaign.pk]))
    assert response.status_code == 200
    assert len(response.context["offers"]) == 8


def test_plan_detail_query_count_does_not_grow_with_apartments(
    personas: Any, plan_world: Any, django_assert_max_num_queries: Any
) -> None:
    for floor in range(3, 12):
        for room in ("01", "02"):
            f.ApartmentFactory(entrance=plan_world["entrance"], room=f"{floor}{room}", floor=floor)
    plan = _plan(personas, plan_world)
    client = client_for(personas.users[Role.OWNER])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("funding_plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    assert len(response.context["share_rows"]) == 20


# --- on a phone ------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_compare_and_plan(live_server: Any, browser: Any, personas: Any, vendors: Any) -> None:
    """At 375 px the comparison scrolls inside its wrapper with the attribute names stuck to the
    left, and the plan page draws its chart and highlights the owner's own row, without errors."""
    from tests.browser_support import assert_fits_the_phone

    make_offer(personas, vendors, "a", after_sales="24小时响应，终身提供配件。")
    make_offer(personas, vendors, "b", brand="三菱", model="NexWay", price_per_elevator=Decimal("240000.00"))
    make_offer(personas, vendors, "b", brand="日立", model="MCA", warranty_years=5)
    f.ApartmentFactory(entrance=personas.inside["entrance"], room="201", floor=2, area=Decimal("60.00"))
    plan = s.funding_plan_create(
        actor=personas.users[Role.COMMUNITY_STAFF],
        entrance=personas.inside["entrance"],
        offer=Offer.objects.get(brand="奥的斯"),
        stops=11,
        on=dt.date(2025, 3, 1),
        maintenance_fund=Decimal("20000.00"),
    )
    errors: list[str] = []
    page = _phone(browser, live_server, personas.users[Role.OWNER], errors)

    page.goto(live_server.url + reverse("offer_compare", args=[personas.campaign.pk]))
    assert_fits_the_phone(page)
    key = page.locator("tr.compare-price_per_elevator th.compare-key")
    assert key.evaluate("e => getComputedStyle(e).position") == "sticky"
    wrap = page.locator(".compare-wrap")
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")  # three offers do not fit: they scroll
    left = key.bounding_box()["x"]
    wrap.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    assert key.bounding_box()["x"] == left  # the attribute names stay in view
    page.click("label[for=only-differences]")
    assert page.locator("tr.compare-rated_load_kg").is_hidden()  # the same everywhere
    assert page.locator("tr.compare-price_per_elevator").is_visible()

    page.goto(live_server.url + reverse("funding_plan_detail", args=[plan.pk]))
    assert_fits_the_phone(page)
    page.wait_for_selector("#plan-chart canvas")
    assert page.locator("table.plan-shares tr.own").count() == 1
    assert "20,953.18" in page.locator("table.plan-shares tr.own").inner_text()

    # Staff: the floor coefficients show only for the floor methods; a vendor's offer form fits too.
    staff = _phone(browser, live_server, personas.users[Role.COMMUNITY_STAFF], errors)
    staff.goto(live_server.url + reverse("funding_plan_create", args=[personas.inside["entrance"].pk]))
    assert_fits_the_phone(staff)
    assert staff.locator("fieldset.coefficients").is_hidden()
    staff.click("input[name=method][value=floor]")
    assert staff.locator("fieldset.coefficients").is_visible()
    assert staff.locator("#id_coefficient_2").input_value() == "0.3"
    vendor = _phone(browser, live_server, vendors["a_user"], errors)
    vendor.goto(live_server.url + reverse("offer_create", args=[personas.campaign.pk]))
    assert_fits_the_phone(vendor)
    assert errors == []


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
