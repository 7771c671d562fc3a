"""The incremental sync: only what changed since each entity's cursor."""

from __future__ import annotations

from .engine import execute
from .lease import Lease
from .models import SyncRun, SyncStream
from .pages import RunContext
from .readers import pull_entity, readable_entities
from .reference import refresh_reference
from .refetch import refetch_failed


def run_incremental_sync(
    stream: SyncStream, *, lease: Lease | None = None, **options
) -> SyncRun:
    """Pull the changed and new records of every readable entity."""
    return execute(stream, _pull_changes, lease=lease, **options)


def _pull_changes(ctx: RunContext) -> bool:
    refresh_reference(ctx)
    if not all(pull_entity(ctx, entity) for entity in readable_entities(ctx.connector)):
        return False
    refetch_failed(ctx)
    return True
