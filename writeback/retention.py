"""Keep the outbox bounded: finished write-backs are deleted after KEEP_FINISHED."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from pbnsync.pruning import delete_in_batches

from .models import JobStatus, OutboxJob

# Also how long a service's idempotency key is remembered once its job finished:
# a retry of the same key after that is a new activity.
KEEP_FINISHED = timedelta(days=90)
# Nothing left to do. Failed, held and manual jobs wait for a person and stay.
FINISHED = (
    JobStatus.WRITTEN,
    JobStatus.VERIFIED,
    JobStatus.SKIPPED,
    JobStatus.DISMISSED,
)


def prune_outbox(now: datetime | None = None) -> dict[str, int]:
    """Delete jobs (and their attempts) finished more than KEEP_FINISHED ago."""
    cutoff = (now or timezone.now()) - KEEP_FINISHED
    finished = OutboxJob.objects.filter(
        created_at__lt=cutoff,  # indexed; a finished job was also created before
        updated_at__lt=cutoff,
        status__in=FINISHED,
    )
    return {"finished_jobs": delete_in_batches(finished)}
