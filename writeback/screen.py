"""Apply the policy to a job, moving it to skipped/held/failed/manual if it must."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from practices.models import WriteBackKind, WriteBackSettings

from .matching import match_patient
from .models import JobStatus, OutboxJob
from .policy import Plan, Verdict, decide


def park(job: OutboxJob, status: str, reason: str) -> None:
    """Move `job` to a status that needs no PMS call, with its reason."""
    job.status = status
    job.status_reason = reason
    job.lease_expires_at = None
    job.save(
        update_fields=[
            "status",
            "status_reason",
            "lease_expires_at",
            "patient_pms_id",
            "candidates",
            "updated_at",
        ]
    )


def _manual_transfer(job: OutboxJob) -> bool:
    """Return whether a payment waits for a person: automatic sync is off."""
    settings = WriteBackSettings.objects.filter(practice_id=job.practice_id).first()
    return settings is not None and not settings.auto_sync_payments


def _payment_verdict(job: OutboxJob) -> Verdict | None:
    payload = job.payload
    match = match_patient(
        job.practice_id,
        payload["first_name"],
        payload["last_name"],
        date.fromisoformat(payload["birthdate"]),
    )
    job.candidates = match.candidates
    if match.pms_id:
        job.patient_pms_id = match.pms_id
        return None
    if match.exact > 1:
        more = "+" if match.exact > len(match.candidates) else ""
        return Verdict(
            JobStatus.MANUAL,
            f"{match.exact}{more} patients match this name and date of birth",
        )
    return Verdict(JobStatus.MANUAL, "no patient matches this name and date of birth")


def screen(job: OutboxJob) -> Plan | None:
    """Return the write plan, or park the job with the reason and return None."""
    unmatched_payment = job.kind == WriteBackKind.PAYMENT and not job.patient_pms_id
    if unmatched_payment and _manual_transfer(job):
        # Before any mapping or connection check: with automatic sync off the
        # payment is the person's to transfer, whatever else is missing yet.
        park(job, JobStatus.MANUAL, "automatic payment sync is off")
        return None
    outcome = decide(job)
    if isinstance(outcome, Verdict):
        park(job, outcome.status, outcome.reason)
        return None
    if unmatched_payment:
        verdict = _payment_verdict(job)
        if verdict:
            park(job, verdict.status, verdict.reason)
            return None
        job.save(update_fields=["patient_pms_id", "candidates", "updated_at"])
    return outcome


def release(job: OutboxJob) -> None:
    """Put a parked job back in line for delivery now."""
    job.status = JobStatus.ACCEPTED
    job.status_reason = ""
    job.next_attempt_at = timezone.now()
    job.save(update_fields=["status", "status_reason", "next_attempt_at", "updated_at"])
