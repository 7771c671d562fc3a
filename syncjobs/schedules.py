"""Read the practice's provider schedules and blockouts for the coming days.

A step of Sync Availability and of the nightly run: one window walk (today to
`SYNC_AVAILABILITY_DAYS` ahead, practice-local), then the mirror's schedule is
replaced by what the PMS returned, in one transaction fenced by the lease.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from pms.base import Capability, Entity, PmsError, RecordError, ScheduleBlock
from records.schedules import replace_schedules

from . import conf
from .pages import RunContext, mark_step_done, record_failures, resolve_failures

STEP = "schedules"
MAX_DAYS = 366  # GET /schedules answers a window in one walk; keep it bounded


def _read_window(
    ctx: RunContext, first: date, last: date
) -> tuple[list[ScheduleBlock], list[RecordError], int]:
    """Return the window's blocks, unreadable items and pages, page by page."""
    blocks: list[ScheduleBlock] = []
    errors: list[RecordError] = []
    cursor, pages = None, 0
    while True:
        ctx.lease.renew()
        page = ctx.connector.fetch_schedules(first, last, cursor)
        blocks += page.records
        errors += page.errors
        cursor, pages = page.cursor, pages + 1
        if not page.has_more:
            return blocks, errors, pages


def not_offered(label: str) -> str:
    """Return the reason shown when a PMS offers no schedules."""
    return f"Provider schedules and blockouts are not offered by {label}"


def refresh_schedules(ctx: RunContext) -> None:
    """Read the schedule window and replace the mirror's (a checkpointed step).

    A PMS that answers 404 to the schedule read (an agent older than the route, an
    install without it) has no schedules to give: the run says so in its note, the
    mirror keeps what it held, and the rest of the run (an initial sync's walk, the
    nightly purge) goes on instead of the stream stopping over an optional read.
    """
    if not ctx.connector.supports(Capability.READ_SCHEDULES):
        ctx.note = not_offered(ctx.connector.label)
        return
    if STEP in ctx.stream.completed:
        return
    practice = ctx.stream.practice
    first = timezone.localdate(timezone=practice.tzinfo)
    days = max(0, min(int(conf.get("SYNC_AVAILABILITY_DAYS")), MAX_DAYS))
    last = first + timedelta(days=days)
    try:
        blocks, errors, pages = _read_window(ctx, first, last)
    except PmsError as exc:
        if exc.status != 404:
            raise
        ctx.note = f"{not_offered(ctx.connector.label)}: {exc}"
        mark_step_done(ctx, STEP)
        return
    now = timezone.now()
    keep = [e.pms_id for e in errors if e.pms_id]
    with transaction.atomic():
        result = replace_schedules(practice, blocks, first, last, now, keep=keep)
        failed = record_failures(ctx, Entity.SCHEDULE, errors, result.rejected, now)
        if ctx.has_open_failures and result.landed:
            resolve_failures(ctx, Entity.SCHEDULE, result.landed, now)
        mark_step_done(ctx, STEP)
        fetched = len(blocks) + len(errors)
        ctx.tally(
            pages=pages,
            fetched=fetched,
            upserted=result.upserted,
            unchanged=result.unchanged + result.stale,
            deleted=result.deleted,
            failed=failed,
        )
