"""Run any stream by its kind."""

from __future__ import annotations

from collections.abc import Callable

from .availability import run_availability
from .deletions import run_deletion_sync
from .fast import run_fast_sync
from .incremental import run_incremental_sync
from .initial import run_initial_sync
from .models import StreamKind, SyncRun, SyncStream
from .nightly import run_nightly
from .photos import run_photo_sync

WORKFLOWS: dict[str, Callable[..., SyncRun]] = {
    StreamKind.INITIAL: run_initial_sync,
    StreamKind.INCREMENTAL: run_incremental_sync,
    StreamKind.FAST_APPOINTMENT_STATUS: run_fast_sync,
    StreamKind.FAST_APPOINTMENT_CHANGES: run_fast_sync,
    StreamKind.FAST_NEW_PATIENTS: run_fast_sync,
    StreamKind.DELETIONS: run_deletion_sync,
    StreamKind.NIGHTLY: run_nightly,
    StreamKind.AVAILABILITY: run_availability,
    StreamKind.PROFILE_PHOTOS: run_photo_sync,
}


def run_stream(stream: SyncStream, **options) -> SyncRun:
    """Run `stream` once with the workflow of its kind."""
    return WORKFLOWS[stream.kind](stream, **options)
