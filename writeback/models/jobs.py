"""The write-back outbox: one row per submitted activity and its lifecycle."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from practices.models import Practice, WriteBackKind


class JobStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    WRITTEN = "written", "Written"
    VERIFIED = "verified", "Verified"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
    HELD = "held", "Held"
    MANUAL = "manual", "Manual transfer"
    DISMISSED = "dismissed", "Dismissed"


# On their way to the PMS, no person needed.
WORKING_STATUSES = (JobStatus.ACCEPTED, JobStatus.QUEUED, JobStatus.SENDING)
# Work still to do: a later job with the same ordering key waits behind these.
OPEN_STATUSES = (*WORKING_STATUSES, JobStatus.HELD, JobStatus.MANUAL)
DONE_STATUSES = (JobStatus.WRITTEN, JobStatus.VERIFIED)


class OutboxQuerySet(models.QuerySet):
    def unblocked(self) -> OutboxQuerySet:
        """Return the jobs no earlier open job with the same ordering key precedes."""
        earlier = OutboxJob.objects.filter(
            practice=OuterRef("practice"),
            ordering_key=OuterRef("ordering_key"),
            pk__lt=OuterRef("pk"),
            status__in=OPEN_STATUSES,
        )
        return self.filter(Q(ordering_key="") | ~Exists(earlier))

    def due(self, now: datetime) -> OutboxQuerySet:
        """Return accepted jobs whose next attempt is due, oldest first."""
        return (
            self.filter(status=JobStatus.ACCEPTED, next_attempt_at__lte=now)
            .unblocked()
            .order_by("next_attempt_at", "pk")
        )

    def stalled(self, now: datetime) -> OutboxQuerySet:
        """Return queued or sending jobs whose lease ran out (a lost task or worker)."""
        return self.filter(
            status__in=[JobStatus.QUEUED, JobStatus.SENDING], lease_expires_at__lt=now
        )


class OutboxJob(models.Model):
    """One activity to write into a practice's PMS, from intake to verified."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="writeback_jobs"
    )
    kind = models.CharField(max_length=40, choices=WriteBackKind.choices)
    service = models.CharField(
        "source service", max_length=60, help_text="Who submitted the activity."
    )
    idempotency_key = models.CharField(max_length=200)
    payload = models.JSONField(default=dict, blank=True)
    ordering_key = models.CharField(
        max_length=120,
        blank=True,
        default="",
        help_text="Jobs sharing a key are written one at a time, in submission order.",
    )
    marker = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        unique=True,
        help_text="Stored in the PMS record so it can be found again.",
    )
    status = models.CharField(
        max_length=20, choices=JobStatus.choices, default=JobStatus.ACCEPTED
    )
    status_reason = models.TextField(blank=True, default="")
    patient_pms_id = models.CharField(
        "patient PMS id", max_length=64, blank=True, default=""
    )
    pms_id = models.CharField("PMS id", max_length=64, blank=True, default="")
    fee_pms_id = models.CharField("fee PMS id", max_length=64, blank=True, default="")
    candidates = models.JSONField(
        default=list, blank=True, help_text="Possible patients for a manual payment."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    in_doubt = models.BooleanField(
        default=False,
        help_text="A send may have applied without an answer: check before resending.",
    )
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    written_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = "write-back"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "idempotency_key"], name="one_job_per_service_key"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["practice", "ordering_key", "status"]),
            models.Index(fields=["practice", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def kind_enum(self) -> WriteBackKind:
        return WriteBackKind(self.kind)

    @property
    def marker_text(self) -> str:
        """Return the marker as written into the PMS record."""
        return f"PbN-{self.marker.hex}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def display_status(self) -> str:
        """Return the status with its reason, e.g. "skipped: disabled"."""
        if self.status_reason:
            return f"{self.status}: {self.status_reason}"
        return self.status
