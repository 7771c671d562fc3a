"""Sync Availability: re-read the practice's providers and operatories on demand."""

from __future__ import annotations

from .engine import execute
from .lease import Lease
from .models import SyncRun, SyncStream
from .pages import RunContext
from .reference import refresh_reference


def run_availability(
    stream: SyncStream, *, lease: Lease | None = None, **options
) -> SyncRun:
    """Refresh the reference lists (providers, operatories, statuses) now."""
    return execute(stream, _refresh, lease=lease, **options)


def _refresh(ctx: RunContext) -> bool:
    refresh_reference(ctx)
    return True
