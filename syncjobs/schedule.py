"""When each stream runs: intervals from SyncSettings, the nightly window, and the
functions other areas call when a practice's settings or connection change."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from pms.base import Connector, Entity
from practices.models import PmsConnection, Practice, SyncSettings

from . import conf
from .models import StreamKind, StreamState, SyncStream, lane_for

# Which SyncSettings columns drive each fast stream: (toggle, interval in seconds).
FAST_SETTINGS = {
    StreamKind.FAST_APPOINTMENT_STATUS: (
        "appointment_status_enabled",
        "appointment_status_interval_seconds",
    ),
    StreamKind.FAST_APPOINTMENT_CHANGES: (
        "appointment_changes_enabled",
        "appointment_changes_interval_seconds",
    ),
    StreamKind.FAST_NEW_PATIENTS: (
        "new_patients_enabled",
        "new_patients_interval_seconds",
    ),
}
# Streams that wait for the initial sync and then start from its watermarks.
AFTER_INITIAL = (StreamKind.INCREMENTAL, *FAST_SETTINGS, StreamKind.PROFILE_PHOTOS)
# How far before the initial walk's start the fast streams begin reading: the PMS
# stamps changes with its own clock, which may run behind ours.
WATERMARK_LEAD = timedelta(minutes=5)
# The entities (cursor keys) each stream reads; incremental reads them all.
HANDOFF_KEYS = {
    StreamKind.FAST_APPOINTMENT_STATUS: ("appointment",),
    StreamKind.FAST_APPOINTMENT_CHANGES: ("appointment",),
    StreamKind.FAST_NEW_PATIENTS: ("patient",),
    StreamKind.PROFILE_PHOTOS: (),  # it works from the mirror, not a cursor
}


def settings_for(practice: Practice) -> SyncSettings:
    """Return the practice's sync settings, creating the defaults if missing."""
    return SyncSettings.objects.get_or_create(practice=practice)[0]


def is_enabled(kind: str, settings: SyncSettings) -> bool:
    """Return whether the practice's settings switch a stream of `kind` on."""
    if kind in FAST_SETTINGS:
        return getattr(settings, FAST_SETTINGS[kind][0])
    if kind == StreamKind.PROFILE_PHOTOS:
        return settings.profile_photos_enabled and photos_offered(settings.practice)
    return True


def photos_offered(practice: Practice) -> bool:
    """Return whether the practice's PMS connector can read patient photos."""
    from pms.base import Capability
    from pms.registry import capabilities_for

    pms_type = (
        PmsConnection.objects.filter(practice=practice)
        .values_list("pms_type", flat=True)
        .first()
    )
    return pms_type is not None and Capability.READ_PHOTOS in capabilities_for(pms_type)


def interval_for(kind: str, settings: SyncSettings) -> timedelta | None:
    """Return the time between runs of `kind`; None for initial and nightly."""
    if kind == StreamKind.INCREMENTAL:
        return timedelta(minutes=settings.incremental_interval_minutes)
    if kind in FAST_SETTINGS:
        return timedelta(seconds=getattr(settings, FAST_SETTINGS[kind][1]))
    if kind == StreamKind.PROFILE_PHOTOS:
        # The seeds list photos among the fast syncs without an interval of their
        # own: check newly synced patients as often as new patients arrive.
        return timedelta(seconds=settings.new_patients_interval_seconds)
    if kind == StreamKind.DELETIONS:
        # A deletion disappears within one fast cycle: read the feed as often as
        # appointment changes.
        return timedelta(seconds=settings.appointment_changes_interval_seconds)
    return None


def _opening(practice: Practice, local_day: date) -> datetime:
    """Return when the window opens on `local_day`, practice-local wall time."""
    naive = datetime.combine(local_day, time(hour=practice.nightly_window_start_hour))
    return naive.replace(tzinfo=practice.tzinfo)


def window_start(practice: Practice, now: datetime) -> datetime:
    """Return when the window open at `now` opened, else when the next one opens."""
    today = now.astimezone(practice.tzinfo).date()
    length = timedelta(hours=conf.get("SYNC_NIGHTLY_WINDOW_HOURS"))
    for offset in (-1, 0, 1):
        opening = _opening(practice, today + timedelta(days=offset))
        if now < opening + length:
            return opening
    raise AssertionError("unreachable")  # pragma: no cover


def in_nightly_window(practice: Practice, now: datetime) -> bool:
    """Return whether the practice-local nightly window is open at `now`."""
    return window_start(practice, now) <= now


def next_window_opening(practice: Practice, now: datetime) -> datetime:
    """Return the first window opening strictly after `now`."""
    today = now.astimezone(practice.tzinfo).date()
    for offset in (0, 1, 2):
        opening = _opening(practice, today + timedelta(days=offset))
        if opening > now:
            return opening
    raise AssertionError("unreachable")  # pragma: no cover


def next_nightly_due(
    practice: Practice, last_start: datetime | None, now: datetime
) -> datetime:
    """Return the open window if it has not run in it yet, else the next opening."""
    start = window_start(practice, now)
    if last_start is not None and last_start >= start:
        return next_window_opening(practice, now)
    return start


def next_due(
    stream: SyncStream,
    settings: SyncSettings,
    last_start: datetime | None,
    now: datetime,
    due_at: datetime | None = None,
) -> datetime | None:
    """Return when `stream` should run next, counting from its last start.

    A run that started late by less than an interval (`due_at`: when it was due)
    counts from when it was due instead: the queue's delay then shifts one run,
    not every later one, so the gap between two reads stays one interval.
    """
    if stream.kind == StreamKind.NIGHTLY:
        return next_nightly_due(stream.practice, last_start, now)
    interval = interval_for(stream.kind, settings)
    if interval is None:
        return None
    if last_start is None:
        return now
    anchor = last_start
    if due_at is not None and timedelta(0) <= last_start - due_at < interval:
        anchor = due_at
    return max(now, anchor + interval)


def failed_run_delay(
    stream: SyncStream, failures: int, settings: SyncSettings
) -> timedelta:
    """Return how long a stream waits after its `failures`-th failed run in a row."""
    interval = interval_for(stream.kind, settings) or timedelta(minutes=1)
    cap = timedelta(seconds=conf.get("SYNC_FAILED_RUN_BACKOFF_CAP_SECONDS"))
    backoff = min(cap, interval * (2 ** min(failures, 10)))
    return max(interval, backoff)


@transaction.atomic
def ensure_streams(practice: Practice, now: datetime | None = None) -> list[SyncStream]:
    """Create the practice's missing streams, then apply its current settings."""
    now = now or timezone.now()
    existing = {s.kind: s for s in SyncStream.objects.filter(practice=practice)}
    initial_done = (
        StreamKind.INITIAL in existing
        and existing[StreamKind.INITIAL].state == StreamState.DONE
    )
    new = []
    for kind in StreamKind.values:
        if kind in existing:
            continue
        waiting = kind in AFTER_INITIAL and not initial_done
        new.append(
            SyncStream(
                practice=practice,
                kind=kind,
                priority=lane_for(kind),
                state=StreamState.WAITING if waiting else StreamState.SCHEDULED,
                next_due_at=None if waiting else now,
            )
        )
    SyncStream.objects.bulk_create(new, ignore_conflicts=True)
    on_settings_saved(practice, now=now)
    return list(SyncStream.objects.filter(practice=practice))


def on_settings_saved(practice: Practice, now: datetime | None = None) -> None:
    """Re-compute every stream's next due time from the practice's settings.

    Called when PMS Sync Settings are saved: a shorter interval makes a stream due
    sooner, a longer one later, a toggle switches its stream on or off.
    """
    now = now or timezone.now()
    settings = settings_for(practice)
    for stream in SyncStream.objects.filter(practice=practice).select_related(
        "practice", "current_run"
    ):
        enabled = is_enabled(stream.kind, settings)
        fields: dict = {"enabled": enabled}
        reschedulable = (
            stream.kind != StreamKind.INITIAL
            and stream.state == StreamState.SCHEDULED
            and not (stream.current_run and stream.current_run.is_open)
        )
        if enabled and reschedulable:
            fields["next_due_at"] = next_due(
                stream, settings, stream.last_started_at, now
            )
        SyncStream.objects.filter(pk=stream.pk).update(**fields)


def start_after_initial(practice: Practice, cursors: dict, now: datetime) -> None:
    """Start the waiting streams from the watermarks the initial sync reached."""
    for stream in SyncStream.objects.filter(
        practice=practice, kind__in=AFTER_INITIAL, state=StreamState.WAITING
    ):
        keys = HANDOFF_KEYS.get(stream.kind)
        handed = {k: v for k, v in cursors.items() if keys is None or k in keys}
        SyncStream.objects.filter(pk=stream.pk, state=StreamState.WAITING).update(
            cursors=handed,
            state=StreamState.SCHEDULED,
            state_changed_at=now,
            next_due_at=now,
        )


def start_beside_initial(
    practice: Practice, connector: Connector, started_at: datetime
) -> list[str]:
    """Start the waiting fast streams now, from the connector's watermarks.

    So a confirmation made during a long initial walk still lands within its fast
    interval. A stream whose entity has no watermark keeps waiting for the
    hand-off. Return the kinds started.
    """
    since = started_at - WATERMARK_LEAD
    marks: dict[str, str | None] = {}
    started = []
    waiting = SyncStream.objects.filter(
        practice=practice, kind__in=list(FAST_SETTINGS), state=StreamState.WAITING
    )
    for stream in waiting:
        keys = HANDOFF_KEYS[stream.kind]
        for key in keys:
            if key not in marks:
                marks[key] = connector.watermark(Entity(key), since)
        if any(marks[key] is None for key in keys):
            continue
        now = timezone.now()
        if SyncStream.objects.filter(pk=stream.pk, state=StreamState.WAITING).update(
            cursors={key: marks[key] for key in keys},
            state=StreamState.SCHEDULED,
            state_changed_at=now,
            next_due_at=now,
        ):
            started.append(stream.kind)
    return started


def on_connection_saved(connection: PmsConnection) -> None:
    """Start or resume the practice's streams when its connection becomes usable.

    A disabled, removed or flagged connection needs no call: no stream of it is
    ever due, a running one stops at its next checkpoint, and the data stays.
    """
    if not connection.is_usable:
        return
    now = timezone.now()
    ensure_streams(connection.practice, now=now)
    SyncStream.objects.filter(
        practice=connection.practice, state=StreamState.STOPPED
    ).update(state=StreamState.SCHEDULED, state_changed_at=now, next_due_at=now)
