"""Staff admin: streams with health at a glance, read-only sync history."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from .models import RecordFailure, SyncAttempt, SyncRun, SyncStream
from .ondemand import resync, retry_now

HEALTH_COLOURS = {"ok": "#2e7d32", "new": "#616161", "failing": "#e65100"}


def _ago(delta: timedelta | None) -> str:
    if delta is None:
        return "never"
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds}s ago"
    if seconds < 7200:
        return f"{seconds // 60}m ago"
    return f"{seconds // 3600}h ago"


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is append-only: staff read it, nobody edits it here."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(SyncStream)
class SyncStreamAdmin(admin.ModelAdmin):
    list_display = [
        "practice",
        "kind",
        "health_badge",
        "state",
        "running",
        "last_success",
        "consecutive_failures",
        "next_due_at",
        "progress",
        "short_error",
    ]
    list_filter = ["kind", "state", "enabled", "practice"]
    search_fields = ["practice__name", "last_error"]
    list_select_related = ["practice"]
    actions = ["retry_selected", "resync_selected"]
    readonly_fields = [f.name for f in SyncStream._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="health")
    def health_badge(self, obj: SyncStream) -> str:
        health = obj.health
        colour = HEALTH_COLOURS.get(health, "#c62828")
        return format_html('<strong style="color:{}">{}</strong>', colour, health)

    @admin.display(description="running", boolean=True)
    def running(self, obj: SyncStream) -> bool:
        return obj.is_running()

    @admin.display(description="last success (lag)", ordering="last_success_at")
    def last_success(self, obj: SyncStream) -> str:
        return _ago(obj.lag(timezone.now()))

    @admin.display(description="progress")
    def progress(self, obj: SyncStream) -> str:
        if obj.kind != "initial" or not obj.progress_done:
            return "—"
        fraction = obj.progress_fraction
        if fraction is None:
            return f"{obj.progress_done:,} records"
        eta = obj.eta()
        eta_text = f", ETA {str(eta).split('.')[0]}" if eta else ""
        return f"{fraction:.0%} of ~{obj.progress_total:,}{eta_text}"

    @admin.display(description="last error")
    def short_error(self, obj: SyncStream) -> str:
        return obj.last_error[:120]

    @admin.action(description="Retry now", permissions=["change"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._report(request, [retry_now(stream) for stream in queryset])

    @admin.action(description="Resync from scratch", permissions=["change"])
    def resync_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._report(request, [resync(stream) for stream in queryset])

    def _report(self, request: HttpRequest, results: list) -> None:
        for result in results:
            level = messages.SUCCESS if result.accepted else messages.WARNING
            self.message_user(request, result.message, level)


class AttemptInline(admin.TabularInline):
    model = SyncAttempt
    extra = 0
    can_delete = False
    fields = [
        "number",
        "status",
        "worker",
        "started_at",
        "finished_at",
        "pages",
        "fetched",
        "http_status",
        "retry_after",
        "next_attempt_at",
        "permanent",
        "error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "practice",
        "kind",
        "trigger",
        "status",
        "attempts",
        "pages",
        "fetched",
        "upserted",
        "deleted",
        "failed",
        "duration",
        "error",
    ]
    list_filter = ["status", "kind", "trigger", "practice", "started_at"]
    search_fields = ["practice__name", "error"]
    date_hierarchy = "started_at"
    list_select_related = ["practice"]
    inlines = [AttemptInline]


@admin.register(SyncAttempt)
class SyncAttemptAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "run",
        "number",
        "status",
        "http_status",
        "retry_after",
        "next_attempt_at",
        "error",
    ]
    list_filter = [
        "status",
        "permanent",
        "run__kind",
        "run__practice",
        "started_at",
    ]
    search_fields = ["error", "run__practice__name"]
    date_hierarchy = "started_at"
    list_select_related = ["run", "run__practice"]


@admin.register(RecordFailure)
class RecordFailureAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "practice",
        "stream_kind",
        "entity",
        "pms_id",
        "reason",
        "resolved_at",
        "run",
    ]
    list_filter = [
        ("resolved_at", admin.EmptyFieldListFilter),
        "stream_kind",
        "entity",
        "practice",
        "created_at",
    ]
    search_fields = ["pms_id", "reason", "practice__name"]
    date_hierarchy = "created_at"
    list_select_related = ["practice", "run"]
