"""Hand due outbox jobs to the task cluster, and recover jobs whose worker vanished."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_q.tasks import async_task

from practices.models import PmsConnection, WriteBackRule, WriteBackSettings

from .models import AttemptOutcome, JobStatus, OutboxJob, WriteAttempt

log = logging.getLogger(__name__)

BATCH = 500
# Jobs waiting in the task queue, not yet taken by a worker: at most this many in
# all (the sync dispatcher stops claiming while the queue is long, so a flood of
# write-backs must not fill it), and this many of one practice (a practice's PMS
# takes its writes one budgeted call at a time; one practice's backlog must not
# hold up the others').
QUEUED_MAX = 20
QUEUED_PER_PRACTICE = 10
# Longer than a task may wait in a busy queue; a duplicate enqueue is harmless.
QUEUE_LEASE = timedelta(minutes=5)
# Held jobs are looked at again this often even if no setting changed.
HELD_RECHECK = timedelta(minutes=10)


def _enqueue(job_id: int) -> None:
    async_task("writeback.tasks.deliver", job_id, group="writeback")


def recover_stalled(now: datetime) -> int:
    """Return lost queued or sending jobs to the line; return how many.

    A worker that died mid-send may have written: the job is marked in doubt so
    the next attempt checks the PMS before sending.
    """
    count = 0
    for job in OutboxJob.objects.stalled(now):
        was_sending = job.status == JobStatus.SENDING
        changed = OutboxJob.objects.filter(
            pk=job.pk, status=job.status, lease_expires_at=job.lease_expires_at
        ).update(
            status=JobStatus.ACCEPTED,
            lease_expires_at=None,
            in_doubt=job.in_doubt or was_sending,
            next_attempt_at=now,
            updated_at=timezone.now(),
        )
        if changed and was_sending:
            WriteAttempt.objects.filter(job=job, outcome=AttemptOutcome.RUNNING).update(
                outcome=AttemptOutcome.ABANDONED,
                outcome_unknown=True,
                finished_at=now,
                error="the worker stopped before finishing",
            )
        count += changed
    return count


def _changed_since(model, job_field: str = "updated_at") -> Exists:
    return Exists(
        model.objects.filter(
            practice_id=OuterRef("practice_id"), updated_at__gt=OuterRef(job_field)
        )
    )


def recheck_held(now: datetime) -> int:
    """Release held jobs whose practice's settings changed, or that waited long."""
    held = OutboxJob.objects.filter(status=JobStatus.HELD).filter(
        Q(updated_at__lt=now - HELD_RECHECK)
        | _changed_since(WriteBackSettings)
        | _changed_since(WriteBackRule)
        | _changed_since(PmsConnection)
    )
    return held.update(
        status=JobStatus.ACCEPTED,
        status_reason="",
        next_attempt_at=now,
        updated_at=timezone.now(),
    )


def tick(now: datetime, enqueue: Callable[[int], object] | None = None) -> int:
    """Claim the due jobs the queue has room for and enqueue each; return how many."""
    enqueue = enqueue or _enqueue
    recover_stalled(now)
    recheck_held(now)
    queued = Counter(
        OutboxJob.objects.filter(status=JobStatus.QUEUED).values_list(
            "practice_id", flat=True
        )
    )
    room = QUEUED_MAX - queued.total()
    if room <= 0:
        return 0
    full = [practice for practice, n in queued.items() if n >= QUEUED_PER_PRACTICE]
    due = (
        OutboxJob.objects.due(now)
        .exclude(practice_id__in=full)
        .values_list("pk", "practice_id")[:BATCH]
    )
    count = 0
    for pk, practice_id in list(due):
        if count >= room:
            break
        if queued[practice_id] >= QUEUED_PER_PRACTICE:
            continue
        claimed = OutboxJob.objects.filter(pk=pk, status=JobStatus.ACCEPTED).update(
            status=JobStatus.QUEUED,
            lease_expires_at=now + QUEUE_LEASE,
            updated_at=timezone.now(),
        )
        if claimed:
            enqueue(pk)
            queued[practice_id] += 1
            count += 1
    if count:
        log.debug("write-back dispatcher enqueued %s jobs", count)
    return count
