"""Deletions: read the PMS's deletion feed and hide those records at once."""

from __future__ import annotations

from pms.base import Capability, Connector, PmsError

from .engine import execute
from .failures import describe
from .lease import Lease
from .models import RunStatus, SyncRun, SyncStream
from .pages import RunContext, deletion_writer, pull

KEY = "deletions"


def run_deletion_sync(
    stream: SyncStream, *, lease: Lease | None = None, **options
) -> SyncRun:
    """Mark every record the PMS reports deleted; the nightly run purges them."""
    return execute(stream, _pull_deletions, lease=lease, **options)


def _pull_deletions(ctx: RunContext) -> bool:
    try:
        return pull(
            ctx, KEY, ctx.connector.fetch_deletions, deletion_writer, entity=KEY
        )
    except PmsError as exc:
        if not feed_is_off(ctx.connector, exc):
            raise
        # A skipped deletions run means "feed off": the nightly reconciliation
        # reads it (syncjobs.reconcile) and lists ids instead, and the connection
        # stays up.
        ctx.final_status = RunStatus.SKIPPED
        ctx.note = f"{describe(exc)}; the nightly run reconciles ids instead"
        return True


def feed_is_off(connector: Connector, exc: PmsError) -> bool:
    """Return whether `exc` says the native deletion feed is off, with a fallback."""
    return (
        exc.permanent
        and exc.status == 404
        and bool(connector.deletion_fallback)
        and connector.supports(Capability.RECONCILE_IDS)
    )
