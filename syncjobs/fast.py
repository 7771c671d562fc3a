"""Fast syncs: appointment status, appointment changes and new patients.

Each reads one entity's change feed from its own cursor at its own interval, so a
confirmation made in the PMS shows up within seconds, whatever the incremental
interval is.
"""

from __future__ import annotations

from pms.base import Entity

from .engine import execute
from .lease import Lease
from .models import StreamKind, SyncRun, SyncStream
from .pages import RunContext
from .readers import pull_entity

FAST_ENTITY = {
    StreamKind.FAST_APPOINTMENT_STATUS: Entity.APPOINTMENT,
    StreamKind.FAST_APPOINTMENT_CHANGES: Entity.APPOINTMENT,
    StreamKind.FAST_NEW_PATIENTS: Entity.PATIENT,
}


def run_fast_sync(
    stream: SyncStream, *, lease: Lease | None = None, **options
) -> SyncRun:
    """Pull the changes of the stream's one entity."""
    return execute(stream, _pull_one, lease=lease, **options)


def _pull_one(ctx: RunContext) -> bool:
    return pull_entity(ctx, FAST_ENTITY[ctx.stream.kind])
