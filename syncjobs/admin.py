"""Staff admin: streams with health at a glance, read-only sync history."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial

from django.contrib import admin, messages
from django.db.models import Aggregate, Case, Count, Max, Min, QuerySet, Value, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from pbnsync.admin import LongListAdmin, ReadOnlyAdmin

from .models import (
    LATE_AFTER,
    NOT_RECURRING,
    RecordFailure,
    StreamKind,
    StreamState,
    SyncAttempt,
    SyncRun,
    SyncStream,
    claimable,
    on_stream,
)
from .ondemand import Request, resync, retry_now

HEALTH_COLOURS = {
    "off": "#9e9e9e",
    "ok": "#2e7d32",
    "new": "#616161",
    "late": "#e65100",
    "failing": "#e65100",
}
# SyncStream.health words, best first: the worst of several streams ranks highest.
HEALTH_ORDER = ("off", "ok", "new", "late", "failing", "stopped")


def health_rank(prefix: str = "", now: datetime | None = None) -> Case:
    """Return the HEALTH_ORDER rank of SyncStream.health of the stream at `prefix`."""
    now = now or timezone.now()
    rank = HEALTH_ORDER.index
    at = partial(on_stream, prefix)
    late = ~at("kind", StreamKind.INITIAL) & claimable(now - LATE_AFTER, now, prefix)
    return Case(  # SyncStream.health, in SQL
        When(at("enabled", False), then=Value(rank("off"))),
        When(at("state", StreamState.STOPPED), then=Value(rank("stopped"))),
        When(at("consecutive_failures__gt", 0), then=Value(rank("failing"))),
        When(late, then=Value(rank("late"))),
        When(at("last_success_at__isnull", True), then=Value(rank("new"))),
        default=Value(rank("ok")),
    )


def stream_health_summary(
    prefix: str, now: datetime | None = None
) -> dict[str, Aggregate]:
    """Return annotations summing up the enabled streams reached through `prefix`.

    `sync_worst_health` (a HEALTH_ORDER rank; None without streams) and
    `sync_most_failures` cover every enabled stream; `sync_oldest_success` and
    `sync_never_succeeded` (a count) only those that run on a schedule. A stream
    that has never succeeded counts as "new" only once it has had its chance: the
    initial sync at once, a scheduled stream once it has been due. Sync
    Availability's stream (run when asked) and a nightly run whose first night is
    still ahead say nothing about a practice whose syncs all work.
    """
    now = now or timezone.now()
    at = partial(on_stream, prefix)
    enabled = at("enabled", True)
    scheduled = ~at("kind__in", NOT_RECURRING)
    recurring = enabled & scheduled
    never = at("last_success_at__isnull", True)
    had_chance = at("kind", StreamKind.INITIAL) | (
        scheduled & at("next_due_at__lte", now)
    )
    untried = (
        never
        & at("consecutive_failures", 0)
        & ~at("state", StreamState.STOPPED)
        & ~had_chance
    )
    return {
        "sync_worst_health": Max(health_rank(prefix, now), filter=enabled & ~untried),
        "sync_most_failures": Max(f"{prefix}consecutive_failures", filter=enabled),
        "sync_oldest_success": Min(f"{prefix}last_success_at", filter=recurring),
        "sync_never_succeeded": Count(
            f"{prefix}pk", filter=recurring & never & had_chance
        ),
    }


def health_badge(health: str, url: str = "") -> str:
    """Return `health` in its colour, as a link to `url` when given."""
    colour = HEALTH_COLOURS.get(health, "#c62828")
    badge = format_html('<strong style="color:{}">{}</strong>', colour, health)
    return format_html('<a href="{}">{}</a>', url, badge) if url else badge


def act_on_streams(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    streams: Iterable[SyncStream],
    action: Callable[[SyncStream], Request],
) -> None:
    """Apply a staff action to each stream and report each outcome."""
    for stream in streams:
        result = action(stream)
        level = messages.SUCCESS if result.accepted else messages.WARNING
        model_admin.message_user(request, result.message, level)


def may_change_streams(request: HttpRequest) -> bool:
    """Return whether the user may retry or resync streams (from any list)."""
    return request.user.has_perm("syncjobs.change_syncstream")


def resync_practices(
    model_admin: admin.ModelAdmin, request: HttpRequest, practice_ids: Iterable[int]
) -> None:
    """Pull each practice again from scratch (its initial sync, which reads every
    entity; the other streams carry on) and report each outcome."""
    streams = SyncStream.objects.filter(
        practice_id__in=practice_ids, kind=StreamKind.INITIAL
    ).select_related("practice")
    act_on_streams(model_admin, request, streams, resync)


def _streams_of(runs: QuerySet) -> QuerySet:
    """Return each stream of `runs` once, however many of its runs were chosen."""
    ids = runs.order_by().values("stream_id")
    return SyncStream.objects.filter(pk__in=ids).select_related("practice")


def ago(delta: timedelta | None) -> str:
    """Return a lag in words: "never", "42s ago", "5m ago" or "3h ago"."""
    if delta is None:
        return "never"
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds}s ago"
    if seconds < 7200:
        return f"{seconds // 60}m ago"
    return f"{seconds // 3600}h ago"


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
    list_select_related = ["practice__connection"]  # health reads it
    # A practice's streams in the order the status page lists them.
    ordering = [
        "practice__name",
        Case(
            *(When(kind=kind, then=Value(rank)) for rank, kind in enumerate(StreamKind))
        ),
    ]
    actions = ["retry_selected", "resync_selected"]
    readonly_fields = [f.name for f in SyncStream._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="health")
    def health_badge(self, obj: SyncStream) -> str:
        return health_badge(obj.health)

    @admin.display(description="running")
    def running(self, obj: SyncStream) -> str:
        """Return the worker holding the lease, or a dash (not a red cross: a
        stream between runs is the normal case)."""
        return obj.lease_owner if obj.is_running() else "—"

    @admin.display(description="last success (lag)", ordering="last_success_at")
    def last_success(self, obj: SyncStream) -> str:
        return ago(obj.lag(timezone.now()))

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
        act_on_streams(self, request, queryset, retry_now)

    @admin.action(description="Resync from scratch", permissions=["change"])
    def resync_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        act_on_streams(self, request, queryset, resync)


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
class SyncRunAdmin(LongListAdmin, ReadOnlyAdmin):
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
    list_select_related = ["practice"]
    inlines = [AttemptInline]
    actions = ["retry_streams", "resync_streams"]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # The help center's name for this list; the rows stay "sync runs".
        title = {"title": "Sync history: every run, with its attempts"}
        return super().changelist_view(request, {**title, **(extra_context or {})})

    def has_stream_change_permission(self, request: HttpRequest) -> bool:
        # The runs stay read-only; the actions change the runs' streams.
        return may_change_streams(request)

    @admin.action(description="Retry now", permissions=["stream_change"])
    def retry_streams(self, request: HttpRequest, queryset: QuerySet) -> None:
        act_on_streams(self, request, _streams_of(queryset), retry_now)

    @admin.action(description="Resync from scratch", permissions=["stream_change"])
    def resync_streams(self, request: HttpRequest, queryset: QuerySet) -> None:
        act_on_streams(self, request, _streams_of(queryset), resync)


@admin.register(SyncAttempt)
class SyncAttemptAdmin(LongListAdmin, ReadOnlyAdmin):
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
    list_select_related = ["run", "run__practice"]


@admin.register(RecordFailure)
class RecordFailureAdmin(LongListAdmin, ReadOnlyAdmin):
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
    list_select_related = ["practice", "run"]
