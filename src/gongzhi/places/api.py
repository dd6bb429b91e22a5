"""JSON API of places: estates → buildings → entrances (with elevators and apartments).

Every read goes through the places.selectors.access_* querysets, so a user sees exactly the
objects of their scope; anything else answers 404 (not 403), so ids outside the scope are
not confirmed to exist.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.params import P, PathEx

from gongzhi.elevators.schemas import MAX_ID, READ_ERRORS, ElevatorBriefOut
from gongzhi.elevators.selectors import access_elevators
from gongzhi.places.access import Action
from gongzhi.places.models import Apartment, Building, Entrance, Estate, Ownership
from gongzhi.places.selectors import (
    access_apartments,
    access_buildings,
    access_entrances,
    access_estates,
    get_or_404,
)

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


class EntranceDetailOut(EntranceOut):
    building_id: int
    building_name: str
    estate_id: int
    estate_name: str
    elevators: list[ElevatorBriefOut]
    apartments: list[ApartmentOut]


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


@router.get(
    "/entrances/{id}",
    response={200: EntranceDetailOut, **READ_ERRORS},
    summary="One entrance with its elevators and apartments",
    description="Owners are listed only for the apartments whose owners you may see (`view_owners`); "
    "elsewhere `owners` is null.",
)
def entrances_detail(request: HttpRequest, id: Id) -> EntranceDetailOut:
    user = request.user
    entrance: Entrance = get_or_404(access_entrances(user).select_related("building__estate"), id=id)
    elevators = access_elevators(user).filter(entrance_id=entrance.id).order_by("device_code")
    visible_owners = set(
        access_apartments(user, Action.VIEW_OWNERS).filter(entrance_id=entrance.id).values_list("id", flat=True)
    )
    apartments: list[Apartment] = list(
        access_apartments(user)
        .filter(entrance_id=entrance.id)
        .prefetch_related(
            Prefetch(
                "ownerships",
                queryset=Ownership.objects.filter(apartment_id__in=visible_owners)
                .select_related("owner")
                .order_by("owner__name", "owner_id"),
            )
        )
        .order_by("floor", "room")
    )
    building = entrance.building
    return EntranceDetailOut(
        id=entrance.id,
        name=entrance.name,
        building_id=building.id,
        building_name=building.name,
        estate_id=building.estate_id,
        estate_name=building.estate.name,
        elevators=[
            ElevatorBriefOut(
                device_code=e.device_code,
                registration_number=e.registration_number,
                commissioned_on=e.commissioned_on,
                maker=e.maker,
                model=e.model,
            )
            for e in elevators
        ],
        apartments=[
            ApartmentOut(
                id=a.id,
                room=a.room,
                floor=a.floor,
                area=str(a.area),
                developer_held=a.developer_held,
                owners=[
                    OwnerOut(name=o.owner.name, kind=o.owner.kind, id_last4=o.owner.id_last4)
                    for o in a.ownerships.all()
                ]
                if a.id in visible_owners
                else None,
            )
            for a in apartments
        ],
    )
