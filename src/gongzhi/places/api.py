"""JSON API of places: estates → buildings → entrances. The entrance detail, which lists the
entrance's elevators beside its apartments, is served by elevators (elevators/api_places.py), the
floor above; the shapes of its apartments and owners are here.

Every read goes through the places.selectors.access_* querysets, so a user sees exactly the
objects of their scope; anything else answers 404 (not 403), so ids outside the scope are
not confirmed to exist.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.params import P, PathEx

from gongzhi.core.schemas import MAX_ID, READ_ERRORS
from gongzhi.places.models import Building, Estate
from gongzhi.places.selectors import access_buildings, access_entrances, access_estates, get_or_404

router = Router(tags=["places"])

Id = PathEx[int, P(ge=1, le=MAX_ID)]


class EstateOut(Schema):
    id: int
    name: str
    address: str
    community_id: int
    community_name: str
    subdistrict_id: int
    subdistrict_name: str


class BuildingOut(Schema):
    id: int
    name: str
    floors: int


class EstateDetailOut(EstateOut):
    buildings: list[BuildingOut]


class EntranceOut(Schema):
    id: int
    name: str


class BuildingDetailOut(BuildingOut):
    estate_id: int
    estate_name: str
    entrances: list[EntranceOut]


class OwnerOut(Schema):
    name: str
    kind: str
    id_last4: str


class ApartmentOut(Schema):
    id: int
    room: str
    floor: int
    area: str
    developer_held: bool
    owners: list[OwnerOut] | None = None  # None: you may not see this apartment's owners


def _estate_out(estate: Estate) -> EstateOut:
    community = estate.community
    return EstateOut(
        id=estate.id,
        name=estate.name,
        address=estate.address,
        community_id=community.id,
        community_name=community.name,
        subdistrict_id=community.subdistrict_id,
        subdistrict_name=community.subdistrict.name,
    )


@router.get("/estates", response={200: list[EstateOut], **READ_ERRORS}, summary="Estates you may see")
def estates_list(request: HttpRequest) -> list[EstateOut]:
    qs = access_estates(request.user).select_related("community__subdistrict").order_by("name", "id")
    return [_estate_out(e) for e in qs]


@router.get("/estates/{id}", response={200: EstateDetailOut, **READ_ERRORS}, summary="One estate and its buildings")
def estates_detail(request: HttpRequest, id: Id) -> EstateDetailOut:
    estate: Estate = get_or_404(access_estates(request.user).select_related("community__subdistrict"), id=id)
    buildings = access_buildings(request.user).filter(estate_id=estate.id).order_by("name", "id")
    return EstateDetailOut(
        **_estate_out(estate).model_dump(),
        buildings=[BuildingOut(id=b.id, name=b.name, floors=b.floors) for b in buildings],
    )


@router.get(
    "/buildings/{id}", response={200: BuildingDetailOut, **READ_ERRORS}, summary="One building and its entrances"
)
def buildings_detail(request: HttpRequest, id: Id) -> BuildingDetailOut:
    building: Building = get_or_404(access_buildings(request.user).select_related("estate"), id=id)
    entrances = access_entrances(request.user).filter(building_id=building.id).order_by("name", "id")
    return BuildingDetailOut(
        id=building.id,
        name=building.name,
        floors=building.floors,
        estate_id=building.estate_id,
        estate_name=building.estate.name,
        entrances=[EntranceOut(id=e.id, name=e.name) for e in entrances],
    )
