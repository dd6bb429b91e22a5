"""Back office for the elevator registry. Superusers only."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.elevators.models import (
    Campaign,
    Elevator,
    FaultRecord,
    InspectionRecord,
    RegistryImport,
    SafetyAssessment,
)


@admin.register(Elevator)
class ElevatorAdmin(admin.ModelAdmin[Elevator]):
    list_display = ("device_code", "registration_number", "entrance", "commissioned_on", "maker")
    list_select_related = ("entrance__building__estate",)
    search_fields = ("device_code", "registration_number")
    raw_id_fields = ("entrance",)
    date_hierarchy = "commissioned_on"


@admin.register(FaultRecord)
class FaultRecordAdmin(admin.ModelAdmin[FaultRecord]):
    list_display = ("elevator", "occurred_at", "kind", "people_trapped", "hours_out_of_service")
    list_filter = ("kind",)
    raw_id_fields = ("elevator",)


@admin.register(InspectionRecord)
class InspectionRecordAdmin(admin.ModelAdmin[InspectionRecord]):
    list_display = ("elevator", "inspected_on", "result")
    raw_id_fields = ("elevator",)


@admin.register(SafetyAssessment)
class SafetyAssessmentAdmin(admin.ModelAdmin[SafetyAssessment]):
    list_display = ("elevator", "assessed_on", "assessor", "conclusion")
    raw_id_fields = ("elevator",)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    list_display = ("name", "subdistrict", "reference_date", "deadline", "status")
    readonly_fields = ("ranked_at",)


@admin.register(RegistryImport)
class RegistryImportAdmin(admin.ModelAdmin[RegistryImport]):
    list_display = ("file_name", "status", "created_at", "created_by")
    readonly_fields = ("problems", "counts", "warnings")
