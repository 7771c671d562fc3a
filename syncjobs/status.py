"""What the sync status page shows: freshness, streams, initial-sync progress, runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncHour
from django.utils import timezone

from pms.base import Capability
from pms.registry import CONNECTORS
from practices.models import PmsConnection, Practice, SyncSettings
from records.models import ScheduleWindow

from .chart import CHART_HOURS, runs_chart
from .models import (
    NOT_RECURRING,
    RunStatus,
    StreamKind,
    StreamState,
    SyncRun,
    SyncStream,
)
from .schedule import interval_for, is_enabled, settings_for

HOUR = timedelta(hours=1)
# The fast streams whose records the dashboard counts (provider availability and
# photos are not among its figures).
DASHBOARD_FEEDS = (
    StreamKind.FAST_APPOINTMENT_STATUS,
    StreamKind.FAST_APPOINTMENT_CHANGES,
    StreamKind.FAST_NEW_PATIENTS,
    StreamKind.DELETIONS,
)
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


@dataclass(frozen=True)
class Feature:
    """One data feature's sync schedule and how current its data is."""

    name: str
    schedule: str
    as_of: datetime | None
    live: bool = False
    action: str = ""


@dataclass(frozen=True)
class PmsOffer:
    """What the practice's PMS can give beyond the core records, for the table."""

    label: str  # "" when no PMS is connected
    capabilities: frozenset[Capability]
    schedules_as_of: datetime | None  # when the schedule window was last read

    def lacks(self, capability: Capability) -> str:
        """Return "not offered by <PMS>" if the connected PMS lacks it, else ""."""
        if self.label and capability not in self.capabilities:
            return f"not offered by {self.label}"
        return ""


def pms_offer(practice: Practice) -> PmsOffer:
    """Return the connected PMS's label, capabilities and schedule "as of"."""
    connection = PmsConnection.objects.filter(practice=practice).first()
    connector = CONNECTORS.get(connection.pms_type) if connection else None
    window = ScheduleWindow.objects.filter(practice=practice).first()
    return PmsOffer(
        connector.label if connector else "",
        connector.capabilities if connector else frozenset(),
        window.synced_at if window else None,
    )


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


def _latest(*streams: SyncStream | None) -> datetime | None:
    times = [s.last_success_at for s in streams if s and s.last_success_at]
    return max(times) if times else None


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
    as_of = _latest(streams.get(StreamKind.INCREMENTAL)) or loaded_at
    # Three missed cycles in a row is "visibly stale" (the seeds' words).
    stale = bool(as_of and not loading and now - as_of > STALE_CYCLES * interval)
    return Freshness(bool(streams), loading, progress, as_of, loaded_at, stale)


def stream_rows(
    streams: dict[str, SyncStream], settings: SyncSettings, now: datetime
) -> list[StreamRow]:
    """Return the status table's rows, in the order of StreamKind."""
    rows = []
    for kind in StreamKind.values:
        if (s := streams.get(kind)) is None:
            continue
        enabled = s.enabled and is_enabled(kind, settings)
        recurring = kind not in NOT_RECURRING
        scheduled = enabled and s.state != StreamState.DONE and s.next_due_at
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
                idle=_idle(s, enabled, recurring),
                lags=enabled and recurring,
            )
        )
    return rows


def _idle(stream: SyncStream, enabled: bool, recurring: bool) -> str:
    """Return what the "next run" cell says when no run is scheduled."""
    if not enabled:
        return "—"
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
    return _every(kind, settings)


def _every(kind: str, settings: SyncSettings) -> str:
    interval = interval_for(kind, settings)
    if interval is None or not is_enabled(kind, settings):
        return "with each incremental sync"
    seconds = int(interval.total_seconds())
    return f"every {seconds} s" if seconds < 120 else f"every {seconds // 60} min"


def features(
    streams: dict[str, SyncStream],
    settings: SyncSettings,
    offer: PmsOffer | None = None,
) -> list[Feature]:
    """Return the per-feature sync schedule with each feature's "data as of"."""
    s, k = streams.get, StreamKind
    offer = offer or PmsOffer("", frozenset(), None)
    schedules = offer.lacks(Capability.READ_SCHEDULES)
    incremental = s(k.INCREMENTAL)
    minutes = settings.incremental_interval_minutes
    changes = _every(k.FAST_APPOINTMENT_CHANGES, settings)
    statuses = _every(k.FAST_APPOINTMENT_STATUS, settings)
    return [
        Feature(
            "Dashboard",
            "Counted from the mirror at each view: as fresh as the last sync",
            _latest(incremental, *(s(kind) for kind in DASHBOARD_FEEDS)),
        ),
        Feature("Reports & analytics", "Nightly", _latest(s(k.NIGHTLY))),
        Feature(
            "Schedule (appointments)",
            f"Real time: changes {changes}",
            _latest(incremental, s(k.FAST_APPOINTMENT_CHANGES)),
        ),
        Feature(
            "Appointment confirmations",
            f"Real time: statuses {statuses}",
            _latest(incremental, s(k.FAST_APPOINTMENT_STATUS)),
        ),
        Feature("Forms & consents", "Real time", None, live=True),
        Feature("Patient chat", "Real time", None, live=True),
        Feature(
            "Patient card",
            "Synced with the PMS every time the card is opened",
            None,
        ),
        Feature(
            "Patient finder",
            f"Nightly, changes every {minutes} min; Sync Patient or bulk sync",
            _latest(incremental, s(k.FAST_NEW_PATIENTS)),
            action="sync_patients",
        ),
        Feature(
            "Provider availability & schedule blocks",
            "Nightly; Sync Availability to refresh now"
            + (f" (schedules and blockouts are {schedules})" if schedules else ""),
            offer.schedules_as_of
            or _latest(s(k.NIGHTLY), s(k.AVAILABILITY), s(k.INITIAL)),
            action="sync_availability",
        ),
        Feature(
            "Patient profile photos",
            _photos_schedule(settings, offer),
            _latest(s(k.PROFILE_PHOTOS)),
        ),
    ]


def _photos_schedule(settings: SyncSettings, offer: PmsOffer) -> str:
    """Return when photos sync, or why they do not."""
    if not settings.profile_photos_enabled:
        return "Off: switch on Patient Profile Photos in PMS Sync Settings"
    if lacking := offer.lacks(Capability.READ_PHOTOS):
        return f"Photos are {lacking}"
    every = _every(StreamKind.PROFILE_PHOTOS, settings)
    return f"Newly synced patients {every}; a patient's card when opened"


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
    return StatusPage(
        freshness=fresh,
        streams=stream_rows(streams, settings, now),
        features=features(streams, settings, pms_offer(practice)),
        chart=runs_chart(hourly_runs(practice, start, end), start, practice.tzinfo),
        can_force=StreamKind.INCREMENTAL in streams and not fresh.loading,
    )
