"""Sync Availability: re-read providers, operatories, provider schedules and
blockouts on demand."""

from __future__ import annotations

from .engine import execute
from .lease import Lease
from .models import SyncRun, SyncStream
from .pages import RunContext
from .reference import refresh_reference
from .schedules import refresh_schedules


def run_availability(
    stream: SyncStream, *, lease: Lease | None = None, **options
) -> SyncRun:
    """Refresh the reference lists and the schedule window now."""
    return execute(stream, _refresh, lease=lease, **options)


def _refresh(ctx: RunContext) -> bool:
    refresh_reference(ctx)
    refresh_schedules(ctx)
    return True
