"""Put parked jobs back in line: held ones after a settings fix, failed ones by hand."""

from __future__ import annotations

from django.db.models import QuerySet

from practices.models import Practice

from .models import DONE_STATUSES, OPEN_STATUSES, JobStatus, OutboxJob
from .screen import release

RETRYABLE = (JobStatus.FAILED, JobStatus.HELD)


def release_held(practice: Practice) -> int:
    """Re-release the practice's held jobs for delivery; return how many.

    Call after the practice's write-back settings or connection change. Jobs still
    unable to go are held again with their reason on the next delivery.
    """
    held = OutboxJob.objects.filter(practice=practice, status=JobStatus.HELD)
    count = 0
    for job in held:
        release(job)
        count += 1
    return count


def is_superseded(job: OutboxJob) -> bool:
    """Return whether a later job for the same record was written or is pending."""
    if not job.ordering_key:
        return False
    return OutboxJob.objects.filter(
        practice_id=job.practice_id,
        ordering_key=job.ordering_key,
        pk__gt=job.pk,
        status__in=(*DONE_STATUSES, *OPEN_STATUSES),
    ).exists()


def retry_job(job: OutboxJob) -> bool:
    """Send a failed or held job again from a fresh attempt budget; False if refused.

    A job superseded by a later one for the same appointment is refused, so a
    retry never puts an old status back over a newer one.
    """
    if job.status not in RETRYABLE or is_superseded(job):
        return False
    job.attempts = 0
    job.save(update_fields=["attempts", "updated_at"])
    release(job)
    return True


def retry_jobs(jobs: QuerySet[OutboxJob]) -> int:
    """Retry each job that can be retried; return how many were."""
    return sum(retry_job(job) for job in jobs.order_by("pk"))
