"""The audit log in the back office (read-only, with its place in the hash chain) and the rate-limit
counters (read-only; deleting one lifts that block, e.g. for a meeting's invitee locked out by mistake)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AuditEntry, Throttle

_FIELDS = (
    "seq",
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "summary",
    "before",
    "after",
    "prev_hash",
    "hash",
)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ("seq", "at", "actor", "action", "object_type", "object_id", "summary", "short_hash")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "summary")
    fields = _FIELDS
    readonly_fields = _FIELDS

    @admin.display(description=_("哈希"))
    def short_hash(self, obj: AuditEntry) -> str:
        return obj.hash[:12]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False


@admin.register(Throttle)
class ThrottleAdmin(admin.ModelAdmin[Throttle]):
    list_display = ("scope", "short_key", "count", "window_start", "blocked_until")
    list_filter = ("scope",)
    readonly_fields = ("scope", "key", "count", "window_start", "blocked_until")

    @admin.display(description=_("对象摘要"))
    def short_key(self, obj: Throttle) -> str:
        return obj.key[:12]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Throttle | None = None) -> bool:
        return False
