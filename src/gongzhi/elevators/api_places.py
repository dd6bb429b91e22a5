"""JSON API: one entrance with its elevators and apartments.

The path belongs to the places API (`GET /api/entrances/{id}`, tag "places", the same operation id
as before), but the answer lists elevators, so it is served from here, the floor above places.
Every read goes through the access_* querysets: outside the user's scope is 404 (not 403).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router

from gongzhi.core.schemas import READ_ERRORS
from gongzhi.elevators.schemas import ElevatorBriefOut
from gongzhi.elevators.selectors import access_elevators
from gongzhi.places.access import Action
from gongzhi.places.api import ApartmentOut, EntranceOut, Id, OwnerOut
from gongzhi.places.models import Apartment, Entrance, Ownership
from gongzhi.places.selectors import access_apartments, access_entrances, get_or_404

router = Router(tags=["places"])


class EntranceDetailOut(EntranceOut):
    building_id: int
    building_name: str
    estate_id: int
    estate_name: str
    elevators: list[ElevatorBriefOut]
    apartments: list[ApartmentOut]


@router.get(
    "/entrances/{id}",
    response={200: EntranceDetailOut, **READ_ERRORS},
    summary="One entrance with its elevators and apartments",
    description="Owners are listed only for the apartments whose owners you may see (`view_owners`); "
    "elsewhere `owners` is null.",
    operation_id="gongzhi_places_api_entrances_detail",  # stable for clients since the move from places
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
