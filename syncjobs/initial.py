"""The initial full sync: everything the PMS has, resumable page by page.

Reference lists and the provider schedule window come first (one checkpointed
step each), then every readable entity.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone

from pms.base import Capability
from records.upsert import refresh_statistics

from .engine import execute
from .lease import Lease
from .models import SyncRun, SyncStream
from .pages import RunContext
from .readers import pull_entity, readable_entities
from .reference import refresh_reference
from .schedule import start_after_initial, start_beside_initial
from .schedules import refresh_schedules

# A step of the run, and the cursor key holding the counts found so far (dropped
# again before any entity is walked, so it is never handed on).
ESTIMATE = "estimate"


def run_initial_sync(
    stream: SyncStream, *, lease: Lease | None = None, **options
) -> SyncRun:
    """Pull every record of every readable entity; hand the watermarks on when done."""
    return execute(
        stream, _pull_everything, lease=lease, on_success=_hand_off, **options
    )


def _pull_everything(ctx: RunContext) -> bool:
    start_beside_initial(ctx.stream.practice, ctx.connector, ctx.run.started_at)
    if not _estimate_total(ctx):
        return False
    refresh_reference(ctx)
    if ctx.connector.supports(Capability.READ_SCHEDULES):
        refresh_schedules(ctx)  # provider hours and blockouts, as Sync Availability
    for entity in readable_entities(ctx.connector):
        if not pull_entity(ctx, entity, count_progress=True):
            return False
    return True


def _estimate_total(ctx: RunContext) -> bool:
    """Ask the connector for record counts when it can give them (for the ETA).

    A count may take several calls (Open Dental probes its lists), so each one is
    checkpointed and a slice that runs out resumes with the next entity. Return
    False if the slice ran out. None from any entity leaves the total unknown.
    """
    stream = ctx.stream
    if stream.progress_total is not None or ESTIMATE in stream.completed:
        return True
    counts: dict[str, int] | None = dict(stream.cursors.get(ESTIMATE) or {})
    asked = False
    for entity in readable_entities(ctx.connector):
        if entity in counts:
            continue
        if asked and ctx.out_of_time():  # at least one count per slice
            return False
        asked = True
        ctx.lease.renew()
        count = ctx.connector.estimate_total(entity)
        if count is None:  # unknown: the bar stays indeterminate
            counts = None
            break
        counts[entity] = count
        _save(ctx, cursors={**stream.cursors, ESTIMATE: counts})
    fields: dict[str, Any] = {
        "cursors": {k: v for k, v in stream.cursors.items() if k != ESTIMATE},
        "completed": [*stream.completed, ESTIMATE],
    }
    if counts is not None:
        fields["progress_total"] = sum(counts.values())
        if not stream.progress_done:
            fields["progress_started_at"] = timezone.now()  # the ETA's clock
    _save(ctx, **fields)
    return True


def _save(ctx: RunContext, **fields: Any) -> None:
    ctx.lease.checkpoint(**fields)
    for name, value in fields.items():
        setattr(ctx.stream, name, value)


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
    refresh_statistics()
