"""Append-only history of every delivery attempt of an outbox job."""

from __future__ import annotations

from django.db import models

from .jobs import OutboxJob


class AttemptOutcome(models.TextChoices):
    RUNNING = "running", "Running"
    WRITTEN = "written", "Written"
    FOUND = "found", "Found already written"
    RETRY = "retry", "Transient failure, will retry"
    FAILED = "failed", "Failed"
    UNKNOWN = "unknown", "Outcome unknown"
    HELD = "held", "Held"
    SKIPPED = "skipped", "Skipped"
    ABANDONED = "abandoned", "Abandoned (worker lost)"


class WriteAttempt(models.Model):
    """One try at delivering a job; written before the PMS call, finished after."""

    job = models.ForeignKey(OutboxJob, on_delete=models.CASCADE, related_name="history")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=20, choices=AttemptOutcome.choices, default=AttemptOutcome.RUNNING
    )
    checked_first = models.BooleanField(
        default=False, help_text="The PMS was searched before anything was sent."
    )
    outcome_unknown = models.BooleanField(
        default=False, help_text="The PMS gave no answer to a send."
    )
    error = models.TextField(blank=True, default="")
    pms_id = models.CharField("PMS id", max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "number"])]

    def __str__(self) -> str:
        return f"Attempt {self.number} of job {self.job_id}: {self.outcome}"
