"""Back office for the suggestions' configuration (superusers only): categories with their time
limits, departments and their members, deputies. Suggestions themselves change only through
suggestions.services (audited), so they are not editable here."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.suggestions.models import Department, Deputy, SuggestionCategory


@admin.register(SuggestionCategory)
class SuggestionCategoryAdmin(admin.ModelAdmin[SuggestionCategory]):
    list_display = ("name", "subdistrict", "time_limit_days", "reminder_days", "active")
    list_filter = ("active", "subdistrict")
    list_select_related = ("subdistrict",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("name", "subdistrict", "active")
    list_filter = ("active", "subdistrict")
    list_select_related = ("subdistrict",)
    filter_horizontal = ("members",)


@admin.register(Deputy)
class DeputyAdmin(admin.ModelAdmin[Deputy]):
    list_display = ("name", "level", "subdistrict", "user")
    list_filter = ("level", "subdistrict")
    list_select_related = ("subdistrict", "user")
    raw_id_fields = ("user",)
