"""Deliver one outbox job to the PMS: claim, screen, check, send, read back."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from pms.base import Connector, PmsError, PmsOutcomeUnknown

from .connectors import connector_for_practice
from .models import AttemptOutcome, JobStatus, OutboxJob, WriteAttempt
from .policy import Plan
from .screen import screen
from .writes import Part, differences, find, parts_for, send

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(minutes=15)
# Longer than django-q2's task timeout (300 s): past it, the worker is surely gone.
SEND_LEASE = timedelta(minutes=6)


def backoff(attempt: int, retry_after: float | None = None) -> timedelta:
    """Return the wait before attempt `attempt + 1`: 5 s, 15 s, 45 s, ... ≤ 15 min."""
    delay = min(BACKOFF_BASE * 3 ** (attempt - 1), BACKOFF_CAP)
    if retry_after:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


def claim(job_id: int, now: datetime) -> bool:
    """Take the job for sending; return False if another has it or it is not due."""
    changed = (
        OutboxJob.objects.filter(
            pk=job_id,
            status__in=[JobStatus.ACCEPTED, JobStatus.QUEUED],
            next_attempt_at__lte=now,
        )
        .unblocked()
        .update(
            status=JobStatus.SENDING,
            lease_expires_at=now + SEND_LEASE,
            updated_at=timezone.now(),
        )
    )
    return changed == 1


def push_job(
    job: OutboxJob, *, connector: Connector | None = None, now: datetime | None = None
) -> OutboxJob:
    """Write `job` into its PMS if it is due and free; return it as it ends up."""
    now = now or timezone.now()
    if not claim(job.pk, now):
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    plan = screen(job)
    if plan is None:
        return job
    job.attempts += 1
    job.save(update_fields=["attempts", "updated_at"])
    attempt = WriteAttempt.objects.create(
        job=job, number=job.attempts, started_at=timezone.now()
    )
    own = connector is None
    try:
        connector = connector or connector_for_practice(job.practice)
        _write(job, plan, attempt, connector)
    except PmsError as exc:
        _after_error(job, attempt, exc, now)
    except Exception as exc:  # a bug or an unmapped error: visible, retried, bounded
        log.exception("write-back job %s failed unexpectedly", job.pk)
        _after_error(
            job, attempt, PmsError(f"unexpected error: {exc}", permanent=False), now
        )
    finally:
        if own and connector is not None:
            connector.close()
    return job


# What an attempt's end sets; the ids it wrote were saved as each part went.
OUTCOME_FIELDS = [
    "status",
    "status_reason",
    "next_attempt_at",
    "lease_expires_at",
    "written_at",
    "verified_at",
    "updated_at",
]


def _write(
    job: OutboxJob, plan: Plan, attempt: WriteAttempt, connector: Connector
) -> None:
    found_all = True
    parts = parts_for(job, plan)
    for part in parts:
        if getattr(job, part.field):
            continue  # written by an earlier attempt
        pms_id = None
        if job.in_doubt:
            # The last send got no answer: look before sending again.
            attempt.checked_first = True
            pms_id = find(connector, part)
        if pms_id is None:
            found_all = False
            job.in_doubt = True
            job.save(update_fields=["in_doubt", "updated_at"])
            pms_id = _send(job, connector, part)
        setattr(job, part.field, pms_id)
        job.in_doubt = False
        job.save(update_fields=[part.field, "in_doubt", "updated_at"])
    outcome = AttemptOutcome.FOUND if found_all and attempt.checked_first else None
    _finish(attempt, outcome or AttemptOutcome.WRITTEN, pms_id=job.pms_id)
    job.status, job.status_reason = JobStatus.WRITTEN, ""
    job.written_at = timezone.now()
    job.lease_expires_at = None
    _read_back(job, connector, parts)
    job.save(update_fields=OUTCOME_FIELDS)


def _send(job: OutboxJob, connector: Connector, part: Part) -> str:
    try:
        return send(connector, part)
    except PmsOutcomeUnknown:
        raise
    except PmsError:
        # A definite refusal: nothing was written.
        job.in_doubt = False
        job.save(update_fields=["in_doubt", "updated_at"])
        raise


def _read_back(job: OutboxJob, connector: Connector, parts: list[Part]) -> None:
    try:
        differ = [
            d for p in parts for d in differences(connector, p, getattr(job, p.field))
        ]
    except PmsError as exc:
        job.status_reason = f"not verified: {exc}"
        return
    if not differ:
        job.status, job.verified_at = JobStatus.VERIFIED, timezone.now()
    else:
        job.status_reason = "not verified: the read-back did not match: " + "; ".join(
            differ
        )


def _finish(attempt: WriteAttempt, outcome: str, *, error: str = "", **extra) -> None:
    attempt.outcome = outcome
    attempt.error = error
    attempt.finished_at = timezone.now()
    for name, value in extra.items():
        setattr(attempt, name, value)
    attempt.save()


def _after_error(
    job: OutboxJob, attempt: WriteAttempt, exc: PmsError, now: datetime
) -> None:
    unknown = isinstance(exc, PmsOutcomeUnknown) or job.in_doubt
    job.lease_expires_at = None
    if exc.permanent:
        job.status, job.status_reason = JobStatus.FAILED, str(exc)
        outcome = AttemptOutcome.FAILED
    elif job.attempts >= MAX_ATTEMPTS:
        job.status = JobStatus.FAILED
        job.status_reason = f"gave up after {job.attempts} attempts: {exc}"
        outcome = AttemptOutcome.UNKNOWN if unknown else AttemptOutcome.FAILED
    else:
        job.status, job.status_reason = JobStatus.ACCEPTED, f"retrying: {exc}"
        job.next_attempt_at = now + backoff(job.attempts, exc.retry_after)
        outcome = AttemptOutcome.UNKNOWN if unknown else AttemptOutcome.RETRY
    _finish(attempt, outcome, error=str(exc)[:2000], outcome_unknown=unknown)
    job.save(update_fields=OUTCOME_FIELDS)
