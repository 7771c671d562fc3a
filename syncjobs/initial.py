"""The initial full sync: everything the PMS has, resumable page by page."""

from __future__ import annotations

from django.db.models import F

from .engine import execute
from .lease import Lease
from .models import SyncRun, SyncStream
from .pages import RunContext
from .readers import pull_entity, readable_entities
from .reference import refresh_reference
from .schedule import start_after_initial


def run_initial_sync(
    stream: SyncStream, *, lease: Lease | None = None, **options
) -> SyncRun:
    """Pull every record of every readable entity; hand the watermarks on when done."""
    return execute(
        stream, _pull_everything, lease=lease, on_success=_hand_off, **options
    )


def _pull_everything(ctx: RunContext) -> bool:
    if ctx.stream.progress_total is None:
        _estimate_total(ctx)
    refresh_reference(ctx)
    for entity in readable_entities(ctx.connector):
        if not pull_entity(ctx, entity, count_progress=True):
            return False
    return True


def _estimate_total(ctx: RunContext) -> None:
    """Ask the connector for record counts when it can give them (for the ETA)."""
    connector = ctx.connector
    counts = [connector.estimate_total(e) for e in readable_entities(connector)]
    if any(count is None for count in counts):
        return
    total = sum(counts)
    SyncStream.objects.filter(pk=ctx.stream.pk).update(progress_total=total)
    ctx.stream.progress_total = total


def _hand_off(ctx: RunContext) -> None:
    """Start incremental and fast streams from where the initial walk ended."""
    stream = ctx.stream
    if (
        stream.progress_total is not None
        and stream.progress_done > stream.progress_total
    ):
        SyncStream.objects.filter(pk=stream.pk).update(
            progress_total=F("progress_done")
        )
    start_after_initial(stream.practice, stream.cursors, ctx.run.started_at)
