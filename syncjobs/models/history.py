"""Sync history: one row per run, per attempt, and per record the PMS sent broken."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone

from pms.base import Entity
from practices.models import Practice

from .stream import StreamKind, SyncStream, Trigger


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    RETRYING = "retrying", "Waiting to retry"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    SKIPPED = "skipped", "Skipped"


OPEN_RUN_STATUSES = (RunStatus.RUNNING, RunStatus.RETRYING)


class SyncRun(models.Model):
    """One run of a stream, across its attempts (and time slices) until it ends."""

    stream = models.ForeignKey(
        SyncStream, on_delete=models.CASCADE, related_name="runs"
    )
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="sync_runs"
    )
    kind = models.CharField(max_length=32, choices=StreamKind.choices)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    status = models.CharField(
        max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)
    upserted = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField("records failed", default=0)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["practice", "started_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} run {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_RUN_STATUSES

    @property
    def duration(self) -> timedelta | None:
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class AttemptStatus(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused (time slice ended)"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    INTERRUPTED = "interrupted", "Interrupted (worker stopped)"


class SyncAttempt(models.Model):
    """One try at a run; a transient failure ends it and schedules the next."""

    run = models.ForeignKey(
        SyncRun, on_delete=models.CASCADE, related_name="attempt_set"
    )
    number = models.PositiveIntegerField()
    worker = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(
        max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.RUNNING
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    permanent = models.BooleanField(default=False)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    retry_after = models.FloatField(
        null=True, blank=True, help_text="Seconds the PMS asked us to wait."
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="one_attempt_number")
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of run {self.run_id} ({self.status})"


class RecordFailure(models.Model):
    """A record the PMS sent that could not be stored; the rest of its page landed."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="record_failures"
    )
    run = models.ForeignKey(
        SyncRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stream_kind = models.CharField(max_length=32, choices=StreamKind.choices)
    # Choices, so the admin filters by them without reading every failure.
    entity = models.CharField(
        max_length=32, choices=[(e.value, e.value.replace("_", " ")) for e in Entity]
    )
    pms_id = models.CharField("PMS id", max_length=64, blank=True, default="")
    reason = models.TextField()
    raw_excerpt = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(
        null=True, blank=True, help_text="When a later run stored this record."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["practice", "entity", "pms_id"])]

    def __str__(self) -> str:
        return f"{self.entity} {self.pms_id or '?'}: {self.reason[:60]}"
