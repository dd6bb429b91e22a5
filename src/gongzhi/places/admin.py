"""Back office for places. Superusers only: staff work through the scoped pages."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.places.models import (
    Apartment,
    Building,
    Community,
    District,
    Entrance,
    Estate,
    Owner,
    Ownership,
    RoleAssignment,
    Subdistrict,
)

admin.site.register([District, Subdistrict, Community])


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin[Estate]):
    list_display = ("name", "community", "address")
    list_select_related = ("community",)
    search_fields = ("name", "address")


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin[Building]):
    list_display = ("name", "estate", "floors")
    list_select_related = ("estate",)
    search_fields = ("name", "estate__name")


@admin.register(Entrance)
class EntranceAdmin(admin.ModelAdmin[Entrance]):
    list_display = ("name", "building")
    list_select_related = ("building__estate",)
    raw_id_fields = ("building",)


@admin.register(Apartment)
class ApartmentAdmin(admin.ModelAdmin[Apartment]):
    list_display = ("room", "floor", "area", "developer_held", "entrance")
    list_select_related = ("entrance__building__estate",)
    raw_id_fields = ("entrance",)
    search_fields = ("room",)


@admin.register(Owner)
class OwnerAdmin(admin.ModelAdmin[Owner]):
    list_display = ("name", "kind", "id_last4")
    search_fields = ("name",)
    exclude = ("id_hash",)


@admin.register(Ownership)
class OwnershipAdmin(admin.ModelAdmin[Ownership]):
    raw_id_fields = ("owner", "apartment")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin[RoleAssignment]):
    list_display = ("user", "role", "district", "subdistrict", "community", "estate", "organisation")
    list_filter = ("role",)
    raw_id_fields = ("user", "owner", "estate", "community")
