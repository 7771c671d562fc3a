"""Deletions: read the PMS's deletion feed and hide those records at once."""

from __future__ import annotations

from .engine import execute
from .lease import Lease
from .models import SyncRun, SyncStream
from .pages import RunContext, deletion_writer, pull

KEY = "deletions"


def run_deletion_sync(
    stream: SyncStream, *, lease: Lease | None = None, **options
) -> SyncRun:
    """Mark every record the PMS reports deleted; the nightly run purges them."""
    return execute(stream, _pull_deletions, lease=lease, **options)


def _pull_deletions(ctx: RunContext) -> bool:
    return pull(ctx, KEY, ctx.connector.fetch_deletions, deletion_writer, entity=KEY)
