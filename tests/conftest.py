"""Shared fixtures: a small two-district world and one user per role (named personas)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from gongzhi.elevators.models import Campaign
from gongzhi.elevators.services import SYSTEM, campaign_open
from gongzhi.places.models import Role
from tests import factories as f


@dataclass
class World:
    """`inside` objects lie in every persona's scope, `outside` in none (another district)."""

    inside: dict[str, Any] = field(default_factory=dict)
    outside: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    campaign: Campaign | None = None
    other_campaign: Campaign | None = None


def _places(district_name: str, subdistrict_name: str, estate_name: str) -> dict[str, Any]:
    district = f.DistrictFactory(name=district_name)
    sub = f.SubdistrictFactory(district=district, name=subdistrict_name)
    community = f.CommunityFactory(subdistrict=sub)
    estate = f.EstateFactory(community=community, name=estate_name)
    building = f.BuildingFactory(estate=estate, name="1幢")
    entrance = f.EntranceFactory(building=building, name="1单元")
    apartment = f.ApartmentFactory(entrance=entrance, room="101", floor=1)
    elevator = f.ElevatorFactory(entrance=entrance, commissioned_on=dt.date(2003, 5, 1))
    return {
        "district": district,
        "subdistrict": sub,
        "community": community,
        "estate": estate,
        "building": building,
        "entrance": entrance,
        "apartment": apartment,
        "elevator": elevator,
    }


@pytest.fixture
def personas(db: None) -> World:
    """余杭区/良渚街道 (inside) and 西湖区/转塘街道 (outside), one user per Role over the inside,
    and an open campaign in each subdistrict."""
    world = World(
        inside=_places("余杭区", "良渚街道", "亲亲家园"),
        outside=_places("西湖区", "转塘街道", "之江花园"),
    )
    inside = world.inside
    owner = f.OwnershipFactory(apartment=inside["apartment"]).owner
    scopes: dict[str, dict[str, Any]] = {
        Role.SUBDISTRICT_STAFF: {"subdistrict": inside["subdistrict"]},
        Role.COMMUNITY_STAFF: {"community": inside["community"]},
        Role.OWNERS_COMMITTEE: {"estate": inside["estate"]},
        Role.PROPERTY_MANAGER: {"estate": inside["estate"]},
        Role.OWNER: {"owner": owner},
        Role.VENDOR: {"subdistrict": inside["subdistrict"]},
        Role.SUPERVISOR: {"subdistrict": inside["subdistrict"]},
        Role.DISTRICT_REGULATOR: {"district": inside["district"]},
    }
    world.users = {role: f.user_with_role(role, **scope) for role, scope in scopes.items()}
    for key, places in (("campaign", inside), ("other_campaign", world.outside)):
        campaign = campaign_open(
            actor=SYSTEM,
            subdistrict=places["subdistrict"],
            name="2024年老旧电梯更新",
            reference_date=dt.date(2024, 9, 1),
            deadline=dt.date(2025, 6, 30),
        )
        setattr(world, key, campaign)
    return world
