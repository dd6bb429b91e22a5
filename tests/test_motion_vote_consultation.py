"""The owner's side of an entrance's three renewal decisions (issue 4, items 2-4): offers locked
when a choice motion opens, one confirmed code for the three motions, and the voting page showing
the offers side by side and the owner's own share of the funding plan (never another's)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.errors import DomainError
from gongzhi.core.money import format_yuan as money
from gongzhi.motions import codes
from gongzhi.motions import services as ms
from gongzhi.motions.models import Motion, MotionStatus, Voter
from gongzhi.motions.views_vote import SESSION_KEY
from gongzhi.places.models import Role
from gongzhi.renewals import services as rs
from gongzhi.renewals.models import Offer, OfferStatus, Vendor
from tests import factories as f
from tests.conftest import World
from tests.test_renewal_services import OFFER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def outbox(settings: Any) -> list[codes.SentMessage]:
    settings.GONGZHI_CODE_SENDER = "gongzhi.motions.codes.MemorySender"
    codes.MemorySender.outbox.clear()
    return codes.MemorySender.outbox


@dataclass
class Entrance:
    """One entrance's consultation, open and voting now. `owner` holds two apartments (one head);
    `neighbour` one apartment; the share figures are those of renewals.services.plan_shares."""

    consultation: Any
    offers: list[Offer]
    owner: Voter  # in the replace motion
    neighbour: Voter
    own_rooms: list[str]
    other_room: str
    shares: dict[str, Decimal]  # room → share


OFFER_VARIANTS = (
    # vendor, brand, price, warranty years, installation days
    ("甲电梯", "奥的斯", "265000.00", 2, 20),
    ("乙电梯", "三菱", "240000.00", 5, 25),
    ("丙电梯", "日立", "255000.00", 3, 18),
)


def build(world: World, *, entrance: Any, offers: int = 2, extra_apartments: int = 0, tag: str = "") -> Entrance:
    """Apartments 101 + 201 (one owner, phone 13900000001), 102 (a neighbour, 13900000002) and
    `extra_apartments` more with owners of their own; a plan by area and the three motions, opened
    nine days ago for a vote that started yesterday."""
    sub = world.inside["subdistrict"]
    owner = f.OwnerFactory(name="钱进", phone="13900000001")
    neighbour = f.OwnerFactory(name="孙丽", phone="13900000002")
    for room, floor, area, who in (
        ("101", 1, "89.50", owner),
        ("201", 2, "75.00", owner),
        ("102", 1, "60.00", neighbour),
    ):
        apartment = f.ApartmentFactory(entrance=entrance, room=room, floor=floor, area=Decimal(area))
        f.OwnershipFactory(owner=who, apartment=apartment)
    for i in range(extra_apartments):
        apartment = f.ApartmentFactory(entrance=entrance, room=f"{i + 3}01", floor=i + 3, area=Decimal("70.00"))
        f.OwnershipFactory(apartment=apartment)
    made = []
    for name, brand, price, warranty, days in OFFER_VARIANTS[:offers]:
        vendor = Vendor.objects.create(subdistrict=sub, name=f"{name}{tag}")
        user = f.user_with_role(Role.VENDOR, subdistrict=sub)
        vendor.members.add(user)
        offer = rs.offer_save(
            actor=user,
            vendor=vendor,
            campaign=world.campaign,
            data={
                **OFFER,
                "brand": brand,
                "price_per_elevator": Decimal(price),
                "warranty_years": warranty,
                "installation_days": days,
            },
        )
        made.append(rs.offer_submit(actor=user, offer=offer))
    staff = world.users[Role.COMMUNITY_STAFF]
    plan = rs.funding_plan_create(actor=staff, entrance=entrance, offer=made[0], stops=11, on=dt.date(2025, 3, 1))
    now = timezone.now()
    opens = now - dt.timedelta(days=1)
    consultation = rs.consultation_create(
        actor=staff, plan=plan, offers=made, opens_at=opens, closes_at=opens + dt.timedelta(days=11)
    )
    rs.consultation_open(actor=staff, consultation=consultation, now=opens - dt.timedelta(days=8))
    voters = Voter.objects.filter(motion=consultation.replace_motion)
    shares = {apartment.room: amount for apartment, amount in rs.plan_shares(plan)}
    return Entrance(
        consultation=consultation,
        offers=made,
        owner=voters.get(owner_key=f"owners:{owner.pk}"),
        neighbour=voters.get(owner_key=f"owners:{neighbour.pk}"),
        own_rooms=["101", "201"],
        other_room="102",
        shares=shares,
    )


@pytest.fixture
def entrance(personas: World) -> Entrance:
    """A fresh entrance of 亲亲家园 with an elevator (the plan needs one)."""
    place = f.EntranceFactory(building=personas.inside["building"], name="3单元")
    f.ElevatorFactory(entrance=place)
    return build(personas, entrance=place)


def token_of(voter: Voter) -> str:
    return codes.voter_token(voter.pk, str(voter.motion.public_id))


def link(voter: Voter) -> str:
    return reverse("vote_link", args=[token_of(voter)])


def sibling_in(voter: Voter, motion: Motion) -> Voter:
    return Voter.objects.get(motion=motion, owner_key=voter.owner_key)


def confirm_code(client: Client, voter: Voter, outbox: list[codes.SentMessage]) -> str:
    token = token_of(voter)
    client.post(reverse("vote_code_send", args=[token]))
    match = re.search(r"\b(\d{6})\b", outbox[-1].message)
    assert match, outbox[-1].message
    response = client.post(reverse("vote_code_confirm", args=[token]), {"code": match.group(1)}, follow=True)
    assert response.redirect_chain[-1][1] == 302
    html = response.content.decode()
    assert "验证成功" in html
    return html


def cast(client: Client, voter: Voter, choice: str) -> str:
    page = client.get(link(voter)).content.decode()
    key = re.search(r'name="request_key" value="([0-9a-f]{32})"', page)
    assert key, "the choice form is shown: the browser holds a session for this motion"
    done = client.post(reverse("vote_cast", args=[token_of(voter)]), {"choice": choice, "request_key": key.group(1)})
    assert done.status_code == 200
    html = done.content.decode()
    assert "表决已记录" in html
    return html


# --- offers locked when a choice motion opens ------------------------------------------------------


def _choice_motion(world: World, offers: list[Offer], staff: Any) -> Motion:
    place = f.EntranceFactory(building=world.inside["building"], name="5单元")
    f.OwnershipFactory(apartment=f.ApartmentFactory(entrance=place, room="101"))
    opens = timezone.now() - dt.timedelta(days=1)
    return rs.offer_motion_create(
        actor=staff,
        estate=world.inside["estate"],
        title="5单元电梯品牌选择",
        question="选用哪个报价？",
        scope_kind="entrance",
        scope_entrance=place,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=11),
        options=[{"label": "", "offer": o} for o in offers] + [{"label": "另行招标", "offer": None}],
    )


def _submitted_offers(world: World, n: int = 2) -> list[Offer]:
    sub = world.inside["subdistrict"]
    made = []
    for name, brand, price, _warranty, _days in OFFER_VARIANTS[:n]:
        vendor = Vendor.objects.create(subdistrict=sub, name=name)
        user = f.user_with_role(Role.VENDOR, subdistrict=sub)
        vendor.members.add(user)
        offer = rs.offer_save(
            actor=user,
            vendor=vendor,
            campaign=world.campaign,
            data={**OFFER, "brand": brand, "price_per_elevator": Decimal(price)},
        )
        made.append(rs.offer_submit(actor=user, offer=offer))
    return made


def test_opening_a_choice_motion_locks_its_offers_without_a_consultation(personas):
    staff = personas.users[Role.COMMUNITY_STAFF]
    offers = _submitted_offers(personas)
    motion = _choice_motion(personas, offers, staff)
    assert [Offer.objects.get(pk=o.pk).status for o in offers] == [OfferStatus.SUBMITTED] * 2

    ms.motion_open(actor=staff, motion=motion, now=motion.opens_at - dt.timedelta(days=8))
    for offer in offers:
        offer.refresh_from_db()
        assert offer.status == OfferStatus.LOCKED
        assert offer.locked_at is not None
    # A locked offer can no longer change: owners vote on what they were shown.
    vendor_user = offers[0].vendor.members.get()
    with pytest.raises(DomainError) as exc:
        rs.offer_save(
            actor=vendor_user,
            vendor=offers[0].vendor,
            campaign=personas.campaign,
            data={"warranty_years": 9},
            offer=offers[0],
        )
    assert exc.value.code == "offer_locked"


def test_a_question_motion_locks_nothing(motion_world):
    offers = _submitted_offers(motion_world.world)
    assert motion_world.motion.status == MotionStatus.OPEN  # opened by the fixture
    assert {Offer.objects.get(pk=o.pk).status for o in offers} == {OfferStatus.SUBMITTED}


def test_a_withdrawn_offer_stops_the_opening_and_nothing_is_frozen(personas):
    staff = personas.users[Role.COMMUNITY_STAFF]
    offers = _submitted_offers(personas)
    motion = _choice_motion(personas, offers, staff)
    rs.offer_withdraw(actor=offers[1].vendor.members.get(), offer=offers[1])
    with pytest.raises(DomainError) as exc:
        ms.motion_open(actor=staff, motion=motion, now=motion.opens_at - dt.timedelta(days=8))
    assert exc.value.code == "not_submitted"
    motion.refresh_from_db()
    assert motion.status == MotionStatus.DRAFT
    assert not Voter.objects.filter(motion=motion).exists()
    assert Offer.objects.get(pk=offers[0].pk).status == OfferStatus.SUBMITTED  # rolled back too


def test_the_consultation_locks_its_offers_through_the_brand_motion(entrance):
    for offer in entrance.offers:
        offer.refresh_from_db()
        assert offer.status == OfferStatus.LOCKED


# --- one code for the three motions ---------------------------------------------------------------


def test_sibling_voters_are_the_same_owner_in_the_other_two_motions(entrance, motion_world):
    c = entrance.consultation
    siblings = ms.sibling_voters(entrance.owner)
    assert [v.motion_id for v in siblings] == [c.brand_motion.pk, c.funding_motion.pk]
    assert {v.owner_key for v in siblings} == {entrance.owner.owner_key}
    brand_voter = sibling_in(entrance.owner, c.brand_motion)
    assert [v.motion_id for v in ms.sibling_voters(brand_voter)] == [c.replace_motion.pk, c.funding_motion.pk]
    # A motion outside any consultation has none.
    assert ms.sibling_voters(motion_world.voters["wang"]) == []


def test_one_code_opens_all_three_and_the_owner_votes_on_each(entrance, outbox):
    c = entrance.consultation
    owner = entrance.owner
    brand = sibling_in(owner, c.brand_motion)
    funding = sibling_in(owner, c.funding_motion)
    client = Client()
    html = confirm_code(client, owner, outbox)
    assert "本单元的其他表决事项无需再次验证" in html
    assert len(outbox) == 1
    held = client.session[SESSION_KEY]
    assert set(held) == {str(owner.pk), str(brand.pk), str(funding.pk)}

    cast(client, owner, "for")
    html = cast(client, brand, "opt2")
    assert "您的选择：<strong>方案2" in html
    cast(client, funding, "for")
    assert len(outbox) == 1  # no further code was needed
    assert [Voter.objects.get(pk=v.pk).choice for v in (owner, brand, funding)] == ["for", "opt2", "for"]
    # The neighbour's sessions were not touched: their page still asks for a code.
    page = client.get(link(entrance.neighbour)).content.decode()
    assert "获取验证码" in page
    assert 'name="choice"' not in page


def test_a_sibling_with_another_phone_on_record_needs_its_own_code(entrance, outbox):
    owner = entrance.owner
    brand = sibling_in(owner, entrance.consultation.brand_motion)
    Voter.objects.filter(pk=brand.pk).update(phone="13700000000")
    client = Client()
    confirm_code(client, owner, outbox)
    assert str(brand.pk) not in client.session[SESSION_KEY]
    assert len(client.session[SESSION_KEY]) == 2


def test_after_voting_the_page_leads_to_the_next_decision(entrance, outbox):
    c = entrance.consultation
    client = Client()
    confirm_code(client, entrance.owner, outbox)
    html = cast(client, entrance.owner, "for")
    brand = sibling_in(entrance.owner, c.brand_motion)
    assert f'href="{link(brand)}" role="button"' in html
    assert "继续表决：二、换什么" in html


# --- what the page shows -------------------------------------------------------------------------


def test_the_brand_page_compares_the_offers_and_shows_the_owners_own_share(entrance):
    c = entrance.consultation
    brand = sibling_in(entrance.owner, c.brand_motion)
    html = Client().get(link(brand)).content.decode()  # no code needed to read it

    # The offers side by side: both vendors, the differing rows flagged, the best marked.
    assert 'id="offer-compare"' in html
    assert "甲电梯" in html
    assert "乙电梯" in html
    price_row = re.search(r'<tr class="compare-price_per_elevator (\w+)">(.*?)</tr>', html, re.S)
    assert price_row is not None
    assert price_row.group(1) == "differs"
    assert '<td class="num best">240,000.00 <span class="best-mark"' in price_row.group(2)
    assert "265,000.00" in price_row.group(2)
    warranty = re.search(r'<tr class="compare-warranty_years (\w+)">(.*?)</tr>', html, re.S)
    assert warranty is not None
    assert warranty.group(1) == "differs"
    assert '<td class=" best">5 <span class="best-mark"' in warranty.group(2)
    load = re.search(r'<tr class="compare-rated_load_kg (\w+)">', html)
    assert load is not None
    assert load.group(1) == "same"

    # The owner's share: both of their apartments, each with its share, and their total.
    share = re.search(r'<section id="your-share".*?</section>', html, re.S)
    assert share is not None
    section = share.group(0)
    for room in entrance.own_rooms:
        assert f"3单元{room}" in section
        assert money(entrance.shares[room]) in section
    own_total = sum((entrance.shares[r] for r in entrance.own_rooms), Decimal("0.00"))
    assert money(own_total) in section
    assert money(c.plan.owners_total) in section
    assert "第二百八十三条" in section
    assert "按建筑面积" in section
    for line in c.plan.subsidies:
        assert line["name"] in section
    # Never another apartment's share, nor its room.
    assert money(entrance.shares[entrance.other_room]) not in html
    assert f"3单元{entrance.other_room}" not in html

    # The navigation: the three decisions, this one current, links to the owner's other two.
    nav = re.search(r'<nav class="consultation-steps".*?</nav>', html, re.S)
    assert nav is not None
    assert c.replace_motion.title in nav.group(0)
    assert c.funding_motion.title in nav.group(0)
    assert link(entrance.owner) in nav.group(0)
    assert link(sibling_in(entrance.owner, c.funding_motion)) in nav.group(0)
    assert 'aria-current="page"' in nav.group(0)
    assert nav.group(0).count("未表决") == 3


def test_the_other_pages_show_the_share_but_no_comparison(entrance, outbox):
    c = entrance.consultation
    funding = sibling_in(entrance.owner, c.funding_motion)
    html = Client().get(link(funding)).content.decode()
    assert 'id="your-share"' in html
    assert money(entrance.shares["101"]) in html
    assert 'id="offer-compare"' not in html

    # The neighbour sees their own share, not the owner's.
    neighbour_html = Client().get(link(entrance.neighbour)).content.decode()
    assert money(entrance.shares["102"]) in neighbour_html
    assert money(entrance.shares["101"]) not in neighbour_html

    # Once voted on the first decision, the navigation says so (without the choice).
    client = Client()
    confirm_code(client, entrance.owner, outbox)
    cast(client, entrance.owner, "against")
    page = client.get(link(funding)).content.decode()
    nav = re.search(r'<nav class="consultation-steps".*?</nav>', page, re.S)
    assert nav is not None
    assert nav.group(0).count("已表决") == 1
    assert "反对" not in nav.group(0)


def test_a_motion_outside_any_consultation_shows_no_consultation_parts(motion_world):
    html = Client().get(link(motion_world.voters["wang"])).content.decode()
    assert "consultation-steps" not in html
    assert 'id="your-share"' not in html
    assert 'id="offer-compare"' not in html


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_flat(personas, entrance, outbox, django_assert_max_num_queries):
    """A bigger entrance (more apartments, an owner's more rooms, three offers) costs no more queries."""
    place = f.EntranceFactory(building=personas.inside["building"], name="4单元")
    f.ElevatorFactory(entrance=place)
    big = build(personas, entrance=place, offers=3, extra_apartments=12, tag="（4单元）")
    small_brand = sibling_in(entrance.owner, entrance.consultation.brand_motion)
    big_brand = sibling_in(big.owner, big.consultation.brand_motion)

    anonymous = Client()
    counts = [_count(anonymous, link(v)) for v in (small_brand, big_brand, entrance.owner, big.owner)]
    assert counts[0] == counts[1], counts
    assert counts[2] == counts[3], counts

    small, large = Client(), Client()
    confirm_code(small, entrance.owner, outbox)
    confirm_code(large, big.owner, outbox)
    verified = [_count(small, link(small_brand)), _count(large, link(big_brand))]
    assert verified[0] == verified[1], verified
    with django_assert_max_num_queries(16):
        page = large.get(link(big_brand))
    assert page.content.decode().count('name="choice"') == 4  # three offers and 弃权


def test_a_plan_that_no_longer_apportions_does_not_break_the_page(entrance):
    """A plan whose shares are not frozen (frozen_shares emptied here) and no longer apportions after
    a registry change (a floor outside its coefficient table) leaves the voting page working, with a
    note instead of the shares."""
    from gongzhi.renewals.models import FundingPlan

    FundingPlan.objects.filter(pk=entrance.consultation.plan_id).update(
        method="floor", coefficients={"1": "1"}, frozen_shares={}
    )
    page = Client().get(link(entrance.owner))
    assert page.status_code == 200
    html = page.content.decode()
    assert "暂时无法计算分摊额" in html
    assert money(entrance.shares["101"]) not in html
