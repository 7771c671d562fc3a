"""Nightly processing in the practice-local window: purge deleted records, refresh
the reference lists and the schedule window, and reconcile the deletions the PMS
does not track."""

from __future__ import annotations

from django.utils import timezone

from pms.base import Capability
from records.deletions import purge_deleted

from .engine import execute
from .lease import Lease
from .models import RunStatus, SyncRun, SyncStream, Trigger
from .pages import RunContext, mark_step_done
from .reconcile import reconcile_all
from .reference import refresh_reference
from .schedule import in_nightly_window
from .schedules import refresh_schedules

# A person asking explicitly may purge outside the window; the schedule may not.
EXPLICIT = {Trigger.COMMAND, Trigger.FORCE, Trigger.RETRY, Trigger.RESYNC}


def run_nightly(
    stream: SyncStream, *, lease: Lease | None = None, **options
) -> SyncRun:
    """Purge the records marked deleted, inside the nightly window only."""
    return execute(stream, _nightly, lease=lease, **options)


def _nightly(ctx: RunContext) -> bool:
    now = timezone.now()
    practice = ctx.stream.practice
    if ctx.run.trigger not in EXPLICIT and not in_nightly_window(practice, now):
        ctx.final_status = RunStatus.SKIPPED
        ctx.note = "outside the practice's nightly window; nothing purged"
        return True
    if "purge" not in ctx.stream.completed:
        # Rows found missing tonight are purged tomorrow: a day to notice mistakes.
        ctx.lease.renew()
        purged = sum(purge_deleted(practice, marked_before=ctx.run.started_at).values())
        ctx.tally(deleted=purged)
        mark_step_done(ctx, "purge")
    refresh_reference(ctx)
    if ctx.connector.supports(Capability.READ_SCHEDULES):
        refresh_schedules(ctx)  # Sync Availability tells when a PMS has none
    return reconcile_all(ctx)
