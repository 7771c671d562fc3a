"""Read-only admin for the settings audit trail."""

from django.contrib import admin
from django.http import HttpRequest

from ..models import SettingChange


@admin.register(SettingChange)
class SettingChangeAdmin(admin.ModelAdmin):
    list_display = [
        "changed_at",
        "practice",
        "user",
        "section",
        "setting",
        "old_value",
        "new_value",
    ]
    list_filter = ["section", "practice", "changed_at"]
    search_fields = [
        "setting",
        "old_value",
        "new_value",
        "user__username",
        "practice__name",
    ]
    list_select_related = ["practice", "user"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
