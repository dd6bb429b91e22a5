"""Drill-down pages: estate → building → entrance, each with its elevators. They live in
elevators (the floor above places) because they show elevator rows; the URLs and their names are
those of the places they show. Each object is looked up in the user's scope
(places.selectors.access_*): an object outside it is a 404, never a 403, so the page does not even
reveal that it exists."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from gongzhi.elevators.selectors import access_elevators, local_today
from gongzhi.elevators.views import elevator_rows
from gongzhi.places.access import Action
from gongzhi.places.models import Apartment, Entrance, Ownership
from gongzhi.places.selectors import access_apartments, access_buildings, access_entrances, access_estates


def _count(qs: QuerySet[Any], outer: str) -> Any:
    """A correlated COUNT(*) subquery: counts of several relations without a join explosion."""
    return Coalesce(
        Subquery(qs.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n")),
        0,
    )


@login_required
def estate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    estate = get_object_or_404(access_estates(request.user).select_related("community__subdistrict"), pk=pk)
    buildings = (
        access_buildings(request.user)
        .filter(estate=estate)
        .annotate(
            n_entrances=_count(access_entrances(request.user), "building"),
            n_elevators=_count(access_elevators(request.user), "entrance__building"),
            n_apartments=_count(access_apartments(request.user), "entrance__building"),
        )
        .order_by("name")
    )
    elevators = (
        access_elevators(request.user)
        .filter(entrance__building__estate=estate)
        .select_related("entrance__building")
        .order_by("entrance__building__name", "entrance__name", "device_code")
    )
    today = local_today()
    return render(
        request,
        "elevators/place_estate.html",
        {"estate": estate, "buildings": buildings, "rows": elevator_rows(list(elevators), today), "today": today},
    )


@login_required
def building_detail(request: HttpRequest, pk: int) -> HttpResponse:
    building = get_object_or_404(access_buildings(request.user).select_related("estate__community"), pk=pk)
    entrances = list(
        access_entrances(request.user)
        .filter(building=building)
        .annotate(n_apartments=_count(access_apartments(request.user), "entrance"))
        .prefetch_related(Prefetch("elevators", queryset=access_elevators(request.user).order_by("device_code")))
        .order_by("name")
    )
    today = local_today()
    rows = elevator_rows([e for entrance in entrances for e in entrance.elevators.all()], today)
    by_entrance: dict[int, list[Any]] = {}
    for row in rows:
        by_entrance.setdefault(row.elevator.entrance_id, []).append(row)
    sections = [(entrance, by_entrance.get(entrance.pk, [])) for entrance in entrances]
    return render(
        request,
        "elevators/place_building.html",
        {"building": building, "estate": building.estate, "sections": sections, "today": today},
    )


@login_required
def entrance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entrance: Entrance = get_object_or_404(
        access_entrances(request.user).select_related("building__estate__community"), pk=pk
    )
    elevators = list(access_elevators(request.user).filter(entrance=entrance).order_by("device_code"))
    # Owners' names are personal information: shown only for apartments where the user holds
    # places.view_owners (an owner: their own apartments only).
    with_owners = set(
        access_apartments(request.user, Action.VIEW_OWNERS).filter(entrance=entrance).values_list("id", flat=True)
    )
    apartments: list[Apartment] = list(
        access_apartments(request.user)
        .filter(entrance=entrance)
        .prefetch_related(
            Prefetch(
                "ownerships",
                queryset=Ownership.objects.filter(apartment_id__in=with_owners).select_related("owner"),
            )
        )
        .order_by("floor", "room")
    )
    rows = [(apartment, apartment.pk in with_owners) for apartment in apartments]
    today = local_today()
    return render(
        request,
        "elevators/place_entrance.html",
        {
            "entrance": entrance,
            "building": entrance.building,
            "estate": entrance.building.estate,
            "elevator_rows": elevator_rows(elevators, today),
            "apartments": rows,
            "any_owners": bool(with_owners),
            "today": today,
        },
    )
