"""Runs people ask for: Force Sync Now, Sync Availability, patient refreshes, staff
retry and resync."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from pbnsync.words import counted
from practices.models import ConnectionStatus, PmsConnection, Practice

from .models import StreamKind, StreamState, SyncStream, Trigger, unclaimed
from .refresh import refresh_patient as _refresh_patient

BULK_LIMIT = 500  # patients per bulk sync request


@dataclass(frozen=True)
class Request:
    """Whether a requested run was accepted, with a message for the person."""

    accepted: bool
    message: str


# Why no run can start while the connection has this status (the dispatcher
# claims only streams of active connections).
HALTED = {
    ConnectionStatus.NEEDS_ATTENTION: "Syncing is paused: the PMS connection needs "
    "attention, and the Cloud PMS Admin team has been told.",
    ConnectionStatus.DISABLED: "Syncing is off: the Cloud PMS Admin team disabled "
    "the PMS connection.",
    ConnectionStatus.REMOVED: "Syncing is off: the Cloud PMS Admin team removed "
    "the PMS connection.",
}


def _halted(practice: Practice) -> Request | None:
    """Return a refusal if the practice's connection status stops every run."""
    status = (
        PmsConnection.objects.filter(practice=practice)
        .values_list("status", flat=True)
        .first()
    )
    return Request(False, HALTED[status]) if status in HALTED else None


def force_sync(practice: Practice) -> Request:
    """Make the practice's incremental sync due now, unless one is already on."""
    if refusal := _halted(practice):
        return refusal
    now = timezone.now()
    stream = SyncStream.objects.filter(
        practice=practice, kind=StreamKind.INCREMENTAL
    ).first()
    if stream is None or stream.state == StreamState.WAITING:
        return Request(False, "The initial sync is still running; data is loading.")
    changed = (
        SyncStream.objects.filter(pk=stream.pk, pending_trigger="")
        .exclude(state=StreamState.STOPPED)
        .filter(unclaimed(now))
        .filter(Q(current_run__isnull=True))
        .update(pending_trigger=Trigger.FORCE, next_due_at=now)
    )
    if changed:
        return Request(True, "Sync started; fresh data arrives within a minute.")
    if stream.state == StreamState.STOPPED:
        return Request(False, "Sync is paused until the PMS connection is fixed.")
    return Request(False, "A sync is already running; it will finish shortly.")


def refresh_patient(
    practice: Practice, pms_id: str, *, older_than: timedelta | None = None
) -> Request:
    """Read one patient from the PMS now (skipped if checked within `older_than`)."""
    outcome = _refresh_patient(practice, pms_id, older_than=older_than)
    return Request(outcome.accepted, outcome.message)


def sync_patients(practice: Practice, pms_ids: list[str]) -> Request:
    """Queue a refresh of the chosen patients on the task cluster."""
    from django_q.tasks import async_task

    chosen = list(dict.fromkeys(pms_ids))[:BULK_LIMIT]
    if not chosen:
        return Request(False, "Choose at least one patient to sync.")
    async_task("syncjobs.tasks.refresh_patients", practice.pk, chosen, group="sync")
    return Request(True, f"Syncing {counted(len(chosen), 'patient')} from the PMS.")


def sync_availability(practice: Practice) -> Request:
    """Re-read providers and operatories now, unless a refresh is already on."""
    from .schedule import ensure_streams

    if refusal := _halted(practice):
        return refusal
    now = timezone.now()
    stream = SyncStream.objects.filter(
        practice=practice, kind=StreamKind.AVAILABILITY
    ).first()
    if stream is None:
        ensure_streams(practice)
        stream = SyncStream.objects.get(practice=practice, kind=StreamKind.AVAILABILITY)
    changed = (
        SyncStream.objects.filter(pk=stream.pk, pending_trigger="")
        .filter(unclaimed(now))
        .update(
            pending_trigger=Trigger.FORCE,
            state=StreamState.SCHEDULED,
            state_changed_at=now,
            next_due_at=now,
        )
    )
    if changed:
        return Request(True, "Availability sync started; it takes a few seconds.")
    return Request(False, "An availability sync is already running.")


def retry_now(stream: SyncStream) -> Request:
    """Make a stream due now (staff), restarting a stopped one."""
    now = timezone.now()
    if stream.state == StreamState.WAITING:
        return Request(False, f"{stream} waits for the initial sync.")
    if stream.state == StreamState.DONE:
        return Request(False, f"{stream} is complete; use resync to pull it again.")
    SyncStream.objects.filter(pk=stream.pk).update(
        state=StreamState.SCHEDULED,
        state_changed_at=now,
        next_due_at=now,
        pending_trigger=Trigger.RETRY,
    )
    return Request(True, f"{stream} will run now.")


def resync(stream: SyncStream) -> Request:
    """Re-pull a stream from scratch: its next run starts with empty cursors."""
    now = timezone.now()
    if stream.state == StreamState.WAITING:
        return Request(False, f"{stream} waits for the initial sync.")
    SyncStream.objects.filter(pk=stream.pk).update(
        state=StreamState.SCHEDULED,
        state_changed_at=now,
        next_due_at=now,
        pending_trigger=Trigger.RESYNC,
    )
    return Request(True, f"{stream} will be pulled again from scratch.")
