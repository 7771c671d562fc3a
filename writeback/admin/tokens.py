"""Staff admin for service tokens and the read-only attempt history."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest

from pbnsync.admin import LongListAdmin

from ..models import ServiceToken, WriteAttempt


@admin.register(ServiceToken)
class ServiceTokenAdmin(admin.ModelAdmin):
    list_display = [
        "service",
        "label",
        "hint",
        "is_active",
        "created_at",
        "last_used_at",
    ]
    list_filter = ["service", "is_active"]
    search_fields = ["service", "label", "hint"]
    filter_horizontal = ["practices"]
    readonly_fields = ["hint", "created_at", "last_used_at"]
    fields = ["service", "label", "practices", "is_active", *readonly_fields]

    def save_model(self, request: HttpRequest, obj: ServiceToken, form, change) -> None:
        if not change:
            token = obj.set_new_token()
            messages.warning(
                request,
                f"The new token is {token} — copy it now; it is stored only as a "
                "hash and will not be shown again.",
            )
        super().save_model(request, obj, form, change)


@admin.register(WriteAttempt)
class WriteAttemptAdmin(LongListAdmin):
    list_display = [
        "job",
        "number",
        "outcome",
        "checked_first",
        "outcome_unknown",
        "started_at",
        "finished_at",
        "error",
    ]
    list_filter = ["outcome", "outcome_unknown", "checked_first"]
    search_fields = ["error", "job__idempotency_key"]
    list_select_related = ["job"]
    readonly_fields = [f.name for f in WriteAttempt._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
