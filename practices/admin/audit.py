"""Read-only admin for the settings audit trail."""

from django.contrib import admin

from pbnsync.admin import ReadOnlyAdmin

from ..models import SettingChange


@admin.register(SettingChange)
class SettingChangeAdmin(ReadOnlyAdmin):
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
