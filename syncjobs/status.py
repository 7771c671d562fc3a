"""What the sync status page shows: freshness, streams, initial-sync progress, runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncHour
from django.utils import timezone

from practices.models import PmsConnection, Practice, SyncSettings

from .chart import CHART_HOURS, runs_chart
from .features import (
    Feature,
    every,
    features,
    latest_success,
    pms_offer,
    writeback_features,
)
from .models import (
    NOT_RECURRING,
    RunStatus,
    StreamKind,
    StreamState,
    SyncRun,
    SyncStream,
)
from .ondemand import HALTED
from .schedule import interval_for, is_enabled, settings_for

HOUR = timedelta(hours=1)
FAILED_RUNS = (RunStatus.FAILED, RunStatus.RETRYING)
STALE_CYCLES = 3
DEFAULT_INTERVAL_MINUTES = 15


@dataclass(frozen=True)
class InitialProgress:
    """How far the initial full sync has come."""

    done: int
    total: int | None
    eta_at: datetime | None

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))


@dataclass(frozen=True)
class Freshness:
    """How current the practice's mirror is, for the banner and "data as of"."""

    connected: bool
    loading: bool
    progress: InitialProgress | None
    as_of: datetime | None
    loaded_at: datetime | None
    stale: bool
    # The connection, when its status stops every stream (needs attention,
    # disabled, removed); None while it is active.
    halted_by: PmsConnection | None = None

    @property
    def halted_message(self) -> str:
        """Return why nothing syncs, for the banner ("" while syncing)."""
        return HALTED[self.halted_by.status] if self.halted_by else ""


@dataclass(frozen=True)
class StreamRow:
    """One stream's line in the status table."""

    label: str
    runs: str
    enabled: bool
    state: str
    health: str
    running: bool
    last_success_at: datetime | None
    next_due_at: datetime | None  # None: no run is scheduled (see `idle`)
    idle: str  # what the "next run" cell says when no run is scheduled
    lags: bool  # whether the time since the last success means anything
    never: str = "never"  # what the "last success" cell says before the first


@dataclass(frozen=True)
class HourBucket:
    """The runs that started in one practice-local hour."""

    hour: datetime
    runs: int
    records: int
    failures: int
    records_failed: int


def _streams(practice: Practice) -> dict[str, SyncStream]:
    streams = SyncStream.objects.filter(practice=practice)
    # Each stream's health reads the practice's connection: one query for all.
    return {s.kind: s for s in streams.select_related("practice__connection")}


def _interval(practice: Practice) -> timedelta:
    """Return the practice's incremental interval without creating settings rows."""
    minutes = (
        SyncSettings.objects.filter(practice=practice)
        .values_list("incremental_interval_minutes", flat=True)
        .first()
    )
    return timedelta(minutes=minutes or DEFAULT_INTERVAL_MINUTES)


def freshness(practice: Practice, now: datetime | None = None) -> Freshness:
    """Return whether data is still loading and when it was last brought up to date."""
    streams = _streams(practice)
    return _freshness(streams, _interval(practice), now or timezone.now())


def _freshness(
    streams: dict[str, SyncStream], interval: timedelta, now: datetime
) -> Freshness:
    initial = streams.get(StreamKind.INITIAL)
    loading = initial is not None and initial.state != StreamState.DONE
    progress = None
    if loading:
        eta = initial.eta(now)
        progress = InitialProgress(
            initial.progress_done, initial.progress_total, now + eta if eta else None
        )
    loaded_at = None if loading or initial is None else initial.last_success_at
    as_of = latest_success(streams.get(StreamKind.INCREMENTAL)) or loaded_at
    # Three missed cycles in a row is "visibly stale" (the seeds' words).
    stale = bool(as_of and not loading and now - as_of > STALE_CYCLES * interval)
    return Freshness(
        bool(streams), loading, progress, as_of, loaded_at, stale, _halted_by(streams)
    )


def _connection_of(streams: dict[str, SyncStream]) -> PmsConnection | None:
    """Return the practice's connection, selected with its streams."""
    stream = next(iter(streams.values()), None)
    return getattr(stream.practice, "connection", None) if stream else None


def _halted_by(streams: dict[str, SyncStream]) -> PmsConnection | None:
    """Return the practice's connection if its status stops the streams."""
    connection = _connection_of(streams)
    return connection if connection and connection.status in HALTED else None


def stream_rows(
    streams: dict[str, SyncStream],
    settings: SyncSettings,
    now: datetime,
    halted: bool = False,
) -> list[StreamRow]:
    """Return the status table's rows, in the order of StreamKind; `halted`: the
    connection's status stops every stream, so none has a next run."""
    rows = []
    for kind in StreamKind.values:
        if (s := streams.get(kind)) is None:
            continue
        enabled = s.enabled and is_enabled(kind, settings)
        recurring = kind not in NOT_RECURRING
        scheduled = (
            enabled and not halted and s.state != StreamState.DONE and s.next_due_at
        )
        rows.append(
            StreamRow(
                label=StreamKind(kind).label,
                runs=_runs(kind, settings),
                enabled=enabled,
                state=s.get_state_display(),
                health=s.health,
                running=s.is_running(now),
                last_success_at=s.last_success_at,
                next_due_at=s.next_due_at if scheduled else None,
                idle=_idle(s, enabled, recurring, halted),
                lags=enabled and recurring,
                # An on-demand stream's data may be older than its first run (the
                # initial sync reads provider hours too): it was not asked yet.
                never="never"
                if recurring or kind == StreamKind.INITIAL
                else "not asked yet",
            )
        )
    return rows


def _idle(stream: SyncStream, enabled: bool, recurring: bool, halted: bool) -> str:
    """Return what the "next run" cell says when no run is scheduled."""
    if not enabled:
        return "—"
    if halted and stream.state != StreamState.DONE:
        return "paused"
    if not recurring and stream.state == StreamState.SCHEDULED:
        return "when asked"
    return stream.get_state_display()


def _runs(kind: str, settings: SyncSettings) -> str:
    """Return how often a stream of `kind` runs, in words."""
    if not is_enabled(kind, settings):
        return "off"
    if kind == StreamKind.INITIAL:
        return "once"
    if kind == StreamKind.NIGHTLY:
        return "nightly"
    if interval_for(kind, settings) is None:
        return "on demand"
    return every(kind, settings)


def chart_window(now: datetime, tz) -> tuple[datetime, datetime]:
    """Return the 168 whole practice-local hours ending with the current one (UTC)."""
    this_hour = now.astimezone(tz).replace(minute=0, second=0, microsecond=0)
    end = this_hour.astimezone(UTC) + HOUR
    return end - CHART_HOURS * HOUR, end


def hourly_runs(practice: Practice, start: datetime, end: datetime) -> list[HourBucket]:
    """Return records fetched and failures per practice-local hour, in one query."""
    rows = (
        SyncRun.objects.filter(
            practice=practice, started_at__gte=start, started_at__lt=end
        )
        .annotate(hour=TruncHour("started_at", tzinfo=practice.tzinfo))
        .values("hour")
        .annotate(
            runs=Count("pk"),
            records=Coalesce(Sum("fetched"), 0),
            failures=Count("pk", filter=Q(status__in=FAILED_RUNS)),
            records_failed=Coalesce(Sum("failed"), 0),
        )
        .order_by("hour")
    )
    return [HourBucket(**row) for row in rows]


@dataclass(frozen=True)
class StatusPage:
    """Everything the sync status page shows."""

    freshness: Freshness
    streams: list[StreamRow]
    features: list[Feature]
    chart: str
    can_force: bool


def status_page(practice: Practice, now: datetime | None = None) -> StatusPage:
    """Return the practice's sync status: streams, freshness, features and chart."""
    now = now or timezone.now()
    streams = _streams(practice)
    settings = settings_for(practice)
    start, end = chart_window(now, practice.tzinfo)
    interval = timedelta(minutes=settings.incremental_interval_minutes)
    fresh = _freshness(streams, interval, now)
    # Read once with the streams; a connection without streams yet, on its own.
    connection = (
        _connection_of(streams)
        or PmsConnection.objects.filter(practice=practice).first()
    )
    offer = pms_offer(practice, connection)
    return StatusPage(
        freshness=fresh,
        streams=stream_rows(streams, settings, now, fresh.halted_by is not None),
        features=[
            *features(streams, settings, offer),
            *writeback_features(practice, offer),
        ],
        chart=runs_chart(hourly_runs(practice, start, end), start, practice.tzinfo),
        can_force=StreamKind.INCREMENTAL in streams
        and not fresh.loading
        and fresh.halted_by is None,
    )
