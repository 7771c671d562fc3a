"""Keep sync history useful and bounded."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from pbnsync.pruning import delete_in_batches

from .models import RecordFailure, RunStatus, SyncRun

KEEP = timedelta(days=90)
# A fast stream runs thousands of times a day; a run that found nothing and
# failed nothing says no more than the stream's last_success_at after a day.
KEEP_QUIET = timedelta(days=1)


def prune_history(now: datetime | None = None) -> dict[str, int]:
    """Delete old runs, quiet runs after a day, and old resolved record failures."""
    now = now or timezone.now()
    quiet = SyncRun.objects.filter(
        status=RunStatus.SUCCEEDED,
        finished_at__lt=now - KEEP_QUIET,
        fetched=0,
        failed=0,
        deleted=0,
        attempts__lte=1,
    )
    old = SyncRun.objects.filter(finished_at__lt=now - KEEP)
    resolved = RecordFailure.objects.filter(resolved_at__lt=now - KEEP)
    return {
        "quiet_runs": delete_in_batches(quiet),
        "old_runs": delete_in_batches(old),
        "resolved_failures": delete_in_batches(resolved),
    }
