"""The manual payment transfer queue: post to a chosen patient, or dismiss."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from records.models import Patient

from .models import JobStatus, OutboxJob
from .screen import park, release


class ManualQueueError(Exception):
    """The queue action cannot be done; the message says why."""


def manual_queue(practice_id: int):
    """Return the practice's payments waiting for a person, oldest first."""
    return OutboxJob.objects.filter(
        practice_id=practice_id, status=JobStatus.MANUAL
    ).order_by("created_at", "pk")


def post_manual_payment(
    job: OutboxJob, patient_pms_id: str, user: AbstractBaseUser
) -> None:
    """Post a queued payment to the patient a person chose."""
    if job.status != JobStatus.MANUAL:
        raise ManualQueueError("This payment is not waiting in the manual queue.")
    patient = (
        Patient.objects.live()
        .filter(practice_id=job.practice_id, pms_id=patient_pms_id.strip())
        .first()
    )
    if patient is None:
        raise ManualQueueError(f"No patient with PMS id {patient_pms_id!r}.")
    job.patient_pms_id = patient.pms_id
    job.save(update_fields=["patient_pms_id", "updated_at"])
    release(job)
    job.status_reason = f"posted by {user} to {patient} ({patient.pms_id})"
    job.save(update_fields=["status_reason", "updated_at"])


def dismiss_manual_payment(job: OutboxJob, user: AbstractBaseUser) -> None:
    """Drop a queued payment without writing it."""
    if job.status != JobStatus.MANUAL:
        raise ManualQueueError("This payment is not waiting in the manual queue.")
    park(job, JobStatus.DISMISSED, f"dismissed by {user}")
