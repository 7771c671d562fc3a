"""Admin for sync and write-back settings; every change is audited like the page."""

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from ..audit import record_changes, settings_snapshot
from ..models import SyncSettings, WriteBackRule, WriteBackSettings
from ..settings_forms import (
    SyncSettingsForm,
    WriteBackRuleAdminForm,
    WriteBackSettingsForm,
)
from ..signals import announce_settings_saved


class AuditedSettingsAdmin(admin.ModelAdmin):
    """Record each changed setting as a SettingChange by the staff user."""

    readonly_fields = ["practice", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Rows are created with the practice (practices.defaults.ensure_settings).
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj, form: ModelForm, change: bool):
        # The database still holds the old values here; the form is per request.
        form.settings_before = settings_snapshot(obj.practice)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets, change):
        super().save_related(request, form, formsets, change)
        practice = form.instance.practice
        record_changes(
            practice, request.user, form.settings_before, settings_snapshot(practice)
        )
        announce_settings_saved(practice)


@admin.register(SyncSettings)
class SyncSettingsAdmin(AuditedSettingsAdmin):
    form = SyncSettingsForm
    list_display = [
        "practice",
        "incremental_interval_minutes",
        "appointment_status_enabled",
        "appointment_changes_enabled",
        "new_patients_enabled",
        "profile_photos_enabled",
        "updated_at",
    ]
    list_filter = [
        "incremental_interval_minutes",
        "appointment_status_enabled",
        "profile_photos_enabled",
    ]
    search_fields = ["practice__name"]
    list_select_related = ["practice"]


@admin.register(WriteBackSettings)
class WriteBackSettingsAdmin(AuditedSettingsAdmin):
    form = WriteBackSettingsForm
    list_display = [
        "practice",
        "provider",
        "provider_ok",
        "auto_sync_payments",
        "separate_payments_and_fees",
        "updated_at",
    ]
    list_filter = ["auto_sync_payments", "separate_payments_and_fees"]
    search_fields = ["practice__name", "provider__label"]
    list_select_related = ["practice", "provider"]

    @admin.display(description="Write-back allowed", boolean=True)
    def provider_ok(self, obj: WriteBackSettings) -> bool:
        return obj.has_valid_provider


@admin.register(WriteBackRule)
class WriteBackRuleAdmin(AuditedSettingsAdmin):
    form = WriteBackRuleAdminForm
    list_display = ["practice", "kind", "enabled", "note_type", "updated_at"]
    list_editable = ["enabled"]
    list_filter = ["enabled", "kind", "practice"]
    search_fields = ["practice__name", "kind"]
    list_select_related = ["practice", "note_type"]
    readonly_fields = ["practice", "kind", "updated_at"]
