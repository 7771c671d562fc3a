"""Mirror rows and sync history the page tests build directly (the pages only read).

Shared by tests/records/test_page_*, tests/syncjobs/test_status_page* and the
browser tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.test import Client
from django.utils import timezone

from practices.models import (
    PmsConnection,
    PmsType,
    Practice,
    ReferenceItem,
    ReferenceKind,
    WriteBackSettings,
)
from records.models import Appointment, Patient, Provider
from syncjobs.models import RunStatus, StreamKind, StreamState, SyncRun, SyncStream
from syncjobs.schedule import ensure_streams, start_after_initial


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def connect(practice: Practice, *, loaded: bool = True) -> dict[str, SyncStream]:
    """Connect the practice, create its streams; `loaded`: the initial sync is done."""
    PmsConnection.objects.create(
        practice=practice,
        pms_type=PmsType.OPEN_DENTAL,
        base_url="http://127.0.0.1:9/opendental/api/v1",
        developer_key="dev",
        customer_key="cust",
    )
    ensure_streams(practice)
    if loaded:
        finish_initial_sync(practice)
    return streams_of(practice)


def streams_of(practice: Practice) -> dict[str, SyncStream]:
    return {s.kind: s for s in SyncStream.objects.filter(practice=practice)}


def start_initial_sync(practice: Practice, done: int, total: int | None) -> None:
    """Put the initial sync mid-way: `done` of `total` records, begun 20 minutes ago."""
    SyncStream.objects.filter(practice=practice, kind=StreamKind.INITIAL).update(
        state=StreamState.SCHEDULED,
        progress_done=done,
        progress_total=total,
        progress_started_at=timezone.now() - timedelta(minutes=20),
    )


def finish_initial_sync(practice: Practice, at: datetime | None = None) -> None:
    """Mark the initial sync done and the incremental sync succeeded just now."""
    at = at or timezone.now()
    SyncStream.objects.filter(practice=practice, kind=StreamKind.INITIAL).update(
        state=StreamState.DONE, last_success_at=at - timedelta(minutes=1)
    )
    start_after_initial(practice, {}, at)
    SyncStream.objects.filter(practice=practice, kind=StreamKind.INCREMENTAL).update(
        last_success_at=at
    )


def patients(practice: Practice, *rows: dict) -> list[Patient]:
    """Bulk-create patients; each dict needs at least pms_id."""
    return Patient.objects.bulk_create(
        [Patient(practice=practice, **row) for row in rows]
    )


def appointments(practice: Practice, *rows: dict) -> list[Appointment]:
    """Bulk-create appointments; each dict needs at least pms_id and start_at."""
    return Appointment.objects.bulk_create(
        [Appointment(practice=practice, **row) for row in rows]
    )


def providers(practice: Practice, *rows: dict) -> list[Provider]:
    return Provider.objects.bulk_create(
        [Provider(practice=practice, **row) for row in rows]
    )


def confirmed_statuses(practice: Practice, **labels: str) -> dict[str, ReferenceItem]:
    """Create PMS appointment statuses; those labelled Confirmed… count as confirmed."""
    items = {
        pms_id: ReferenceItem.objects.create(
            practice=practice,
            kind=ReferenceKind.APPOINTMENT_STATUS,
            pms_id=pms_id,
            label=label,
        )
        for pms_id, label in labels.items()
    }
    settings = WriteBackSettings.objects.get(practice=practice)
    settings.confirmed_statuses.set(
        [i for i in items.values() if i.label.lower().startswith("confirmed")]
    )
    return items


def runs(practice: Practice, kind: str, *rows: dict) -> list[SyncRun]:
    """Bulk-create finished runs of the practice's `kind` stream."""
    stream = SyncStream.objects.get(practice=practice, kind=kind)
    defaults = {"trigger": "schedule", "status": RunStatus.SUCCEEDED}
    return SyncRun.objects.bulk_create(
        [
            SyncRun(stream=stream, practice=practice, kind=kind, **{**defaults, **row})
            for row in rows
        ]
    )
