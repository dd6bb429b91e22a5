"""The three decisions per entrance, created together from the template, and the campaign board."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.core.errors import AccessDeniedError, DomainError
from gongzhi.motions.models import MotionStatus
from gongzhi.places.models import Role
from gongzhi.portal.selectors import campaign_board
from gongzhi.renewals import services as s
from gongzhi.renewals.models import OfferStatus, OptionOffer, Vendor
from tests import factories as f
from tests.test_renewal_services import OFFER

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(personas):
    sub = personas.inside["subdistrict"]
    entrance = personas.inside["entrance"]
    f.ApartmentFactory(entrance=entrance, room="102", floor=1, area=Decimal("60.00"))
    f.OwnershipFactory(apartment=entrance.apartments.get(room="102"))
    offers = []
    for name, brand, price in (("甲电梯", "奥的斯", "265000.00"), ("乙电梯", "三菱", "240000.00")):
        vendor = Vendor.objects.create(subdistrict=sub, name=name)
        user = f.user_with_role(Role.VENDOR, subdistrict=sub)
        vendor.members.add(user)
        offer = s.offer_save(
            actor=user,
            vendor=vendor,
            campaign=personas.campaign,
            data={**OFFER, "brand": brand, "price_per_elevator": Decimal(price)},
        )
        offers.append(s.offer_submit(actor=user, offer=offer))
    staff = personas.users[Role.COMMUNITY_STAFF]
    plan = s.funding_plan_create(actor=staff, entrance=entrance, offer=offers[0], stops=11, on=dt.date(2025, 3, 1))
    return personas, entrance, offers, plan, staff


def test_three_motions_from_the_template(setup):
    personas, entrance, offers, plan, staff = setup
    now = timezone.now()
    c = s.consultation_create(
        actor=staff,
        plan=plan,
        offers=offers,
        opens_at=now + dt.timedelta(days=8),
        closes_at=now + dt.timedelta(days=20),
    )
    assert c.replace_motion.rule_preset == "civil-code-ordinary"
    assert c.brand_motion.kind == "choice"
    links = OptionOffer.objects.filter(option__motion=c.brand_motion).order_by("option__position")
    assert [link.offer_id for link in links] == [o.pk for o in offers]
    # The plan raises money from the owners (owners_total > 0): a special matter, three quarters.
    assert plan.owners_total > 0
    assert c.funding_motion.rule_preset == "civil-code-special"
    assert {m.scope_entrance_id for m in c.motions} == {entrance.pk}

    board = {row.entrance.pk: row for row in campaign_board(staff, personas.campaign)}
    assert board[entrance.pk].consultation_id == c.pk
    assert board[entrance.pk].replace is not None
    assert board[entrance.pk].replace.status == MotionStatus.DRAFT
    assert board[entrance.pk].replace.participation is None

    s.consultation_open(actor=staff, consultation=c, now=now)
    for offer in offers:
        offer.refresh_from_db()
        assert offer.status == OfferStatus.LOCKED  # owners vote on what they were shown
    board = {row.entrance.pk: row for row in campaign_board(staff, personas.campaign)}
    assert board[entrance.pk].brand is not None
    assert board[entrance.pk].brand.status == MotionStatus.OPEN
    assert board[entrance.pk].brand.participation == Decimal(0)


def test_template_refuses_bad_input(setup):
    personas, _entrance, offers, plan, staff = setup
    now = timezone.now()
    times = {"opens_at": now + dt.timedelta(days=8), "closes_at": now + dt.timedelta(days=20)}
    with pytest.raises(DomainError) as exc:
        s.consultation_create(actor=staff, plan=plan, offers=offers[:1], **times)
    assert exc.value.code == "too_few_offers"
    with pytest.raises(DomainError) as exc:
        s.consultation_create(actor=staff, plan=plan, offers=offers, rules={"colour": "civil-code-ordinary"}, **times)
    assert exc.value.code == "bad_rules"
    with pytest.raises(AccessDeniedError):
        s.consultation_create(actor=personas.users[Role.PROPERTY_MANAGER], plan=plan, offers=offers, **times)


def test_board_query_count_is_flat(setup, django_assert_max_num_queries):
    personas, entrance, _offers, _plan, staff = setup
    for i in range(5):
        f.ElevatorFactory(entrance=f.EntranceFactory(building=entrance.building, name=f"{i + 3}单元"))
    with django_assert_max_num_queries(7):
        rows = campaign_board(staff, personas.campaign)
    assert len(rows) >= 6


def test_board_marks_entrances_whose_meeting_was_held(setup):
    from gongzhi.meetings.models import Meeting, MeetingStatus

    personas, entrance, _offers, _plan, staff = setup
    other = f.EntranceFactory(building=entrance.building, name="9单元")
    f.ElevatorFactory(entrance=other)
    meeting = Meeting.objects.create(
        estate=entrance.building.estate,
        topic="电梯更新众议事",
        starts_at=timezone.now() - dt.timedelta(days=3),
        venue="社区会议室",
        status=MeetingStatus.SCHEDULED,
    )
    meeting.entrances.add(entrance)
    held = {row.entrance.pk: row.meeting_held for row in campaign_board(staff, personas.campaign)}
    assert held[entrance.pk] is False  # scheduled, not yet held
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.ENDED)
    held = {row.entrance.pk: row.meeting_held for row in campaign_board(staff, personas.campaign)}
    assert held[entrance.pk] is True
    assert held[other.pk] is False  # the meeting was about one entrance only


def test_shares_are_frozen_when_the_plan_goes_to_the_vote(setup):
    from gongzhi.renewals.services import plan_shares

    _personas, entrance, offers, plan, staff = setup
    now = timezone.now()
    c = s.consultation_create(
        actor=staff,
        plan=plan,
        offers=offers,
        opens_at=now + dt.timedelta(days=8),
        closes_at=now + dt.timedelta(days=20),
    )
    before = {a.pk: amount for a, amount in plan_shares(plan)}
    s.consultation_open(actor=staff, consultation=c, now=now)
    apartment = entrance.apartments.get(room="102")
    apartment.area = Decimal("500.00")  # a registry edit during voting
    apartment.save()
    plan.refresh_from_db()
    assert plan.frozen_at is not None
    assert {a.pk: amount for a, amount in plan_shares(plan)} == before
    assert sum(before.values()) == plan.owners_total
