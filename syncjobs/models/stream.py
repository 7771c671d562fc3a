"""A stream: one kind of sync work for one practice, with its cursors, due time,
lease and health."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from pms.base import Lane
from practices.models import ConnectionStatus, Practice


class StreamKind(models.TextChoices):
    INITIAL = "initial", "Initial full sync"
    INCREMENTAL = "incremental", "Incremental sync"
    FAST_APPOINTMENT_STATUS = "fast_appointment_status", "Appointment status"
    FAST_APPOINTMENT_CHANGES = "fast_appointment_changes", "Appointment changes"
    FAST_NEW_PATIENTS = "fast_new_patients", "New patients"
    DELETIONS = "deletions", "Deletions"
    NIGHTLY = "nightly", "Nightly processing"
    AVAILABILITY = "availability", "Provider availability (on demand)"
    PROFILE_PHOTOS = "profile_photos", "Patient profile photos"


FAST_KINDS = frozenset(
    {
        StreamKind.FAST_APPOINTMENT_STATUS,
        StreamKind.FAST_APPOINTMENT_CHANGES,
        StreamKind.FAST_NEW_PATIENTS,
        StreamKind.DELETIONS,
        StreamKind.AVAILABILITY,
    }
)

# Streams with no cycle of their own, whose last success says nothing about
# freshness: the initial sync runs once, Sync Availability when asked (the
# nightly run refreshes availability too).
NOT_RECURRING = frozenset({StreamKind.INITIAL, StreamKind.AVAILABILITY})


# A due stream that no dispatcher has claimed for this long is late: the cluster
# is not taking it (stopped, or far behind).
LATE_AFTER = timedelta(minutes=2)


def lane_for(kind: str) -> Lane:
    """Return the request-budget lane a stream of `kind` reads on."""
    if kind in FAST_KINDS:
        return Lane.FAST
    if kind == StreamKind.INITIAL:
        return Lane.INITIAL
    return Lane.INCREMENTAL


class StreamState(models.TextChoices):
    WAITING = "waiting", "Waiting for the initial sync"
    SCHEDULED = "scheduled", "Scheduled"
    RETRYING = "retrying", "Retrying after a failure"
    STOPPED = "stopped", "Stopped (needs attention)"
    DONE = "done", "Done"


# The states of a stream that runs when due (the dispatcher claims only these).
WAITING_TO_RUN = (StreamState.SCHEDULED, StreamState.RETRYING)


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    FORCE = "force", "Force Sync Now"
    RESYNC = "resync", "Resync from scratch"
    COMMAND = "command", "Command line"
    RETRY = "retry", "Retry now (staff)"


def on_stream(prefix: str, name: str, value) -> Q:
    """Return the lookup `name`=`value` on the stream reached through `prefix`
    (e.g. "practice__sync_streams__"; "" for the stream itself)."""
    return Q(**{f"{prefix}{name}": value})


def unclaimed(now: datetime, prefix: str = "") -> Q:
    """Return the condition of a stream whose lease is free or expired at `now`."""
    return on_stream(prefix, "lease_expires_at__isnull", True) | on_stream(
        prefix, "lease_expires_at__lte", now
    )


def claimable(due_by: datetime, now: datetime, prefix: str = "") -> Q:
    """Return the condition of a stream due by `due_by` and free to claim at `now`."""
    return (
        on_stream(prefix, "enabled", True)
        & on_stream(prefix, "state__in", WAITING_TO_RUN)
        & on_stream(prefix, "next_due_at__lte", due_by)
        & on_stream(prefix, "practice__connection__status", ConnectionStatus.ACTIVE)
        & unclaimed(now, prefix)
    )


class SyncStreamQuerySet(models.QuerySet):
    def due(self, now: datetime) -> SyncStreamQuerySet:
        """Return the streams that are due and free to claim, most urgent first."""
        return self.filter(claimable(now, now)).order_by(
            "priority", "next_due_at", "pk"
        )

    def running(self, now: datetime) -> SyncStreamQuerySet:
        """Return the streams whose lease is held now."""
        return self.filter(lease_expires_at__gt=now)


class SyncStream(models.Model):
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="sync_streams"
    )
    kind = models.CharField(max_length=32, choices=StreamKind.choices)
    priority = models.PositiveSmallIntegerField(
        default=Lane.INCREMENTAL, help_text="Lane: lower is dispatched first."
    )
    enabled = models.BooleanField(default=True)
    state = models.CharField(
        max_length=16, choices=StreamState.choices, default=StreamState.SCHEDULED
    )
    state_changed_at = models.DateTimeField(default=timezone.now)
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    cursors = models.JSONField(
        default=dict, blank=True, help_text="Opaque PMS cursor per entity."
    )
    completed = models.JSONField(
        default=list, blank=True, help_text="Entities finished in the open run."
    )
    pending_trigger = models.CharField(
        max_length=16, choices=Trigger.choices, blank=True, default=""
    )
    current_run = models.ForeignKey(
        "syncjobs.SyncRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lease_owner = models.CharField(max_length=64, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(null=True, blank=True)
    progress_started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SyncStreamQuerySet.as_manager()

    class Meta:
        ordering = ["practice", "priority", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "kind"], name="one_stream_per_practice_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.practice} · {self.get_kind_display()}"

    @property
    def lane(self) -> Lane:
        return lane_for(self.kind)

    def reload(self) -> None:
        """Re-read this stream's row and its practice in one query.

        A plain `refresh_from_db` drops the cached practice, and the run's next
        use of it would cost a query of its own.
        """
        self.refresh_from_db(
            from_queryset=SyncStream.objects.select_related("practice")
        )

    def is_running(self, now: datetime | None = None) -> bool:
        """Return whether a worker holds this stream's lease."""
        now = now or timezone.now()
        return self.lease_expires_at is not None and self.lease_expires_at > now

    def lag(self, now: datetime | None = None) -> timedelta | None:
        """Return how old the last successful run is."""
        if self.last_success_at is None:
            return None
        return (now or timezone.now()) - self.last_success_at

    def is_late(self, now: datetime | None = None) -> bool:
        """Return whether the stream has waited unclaimed for over LATE_AFTER.

        `claimable(now - LATE_AFTER, now)` for one stream: only while its connection
        is active (a disabled one's streams wait on purpose); never the initial
        sync (onboarding practices take turns). Reads the practice's connection:
        select it with the stream.
        """
        now = now or timezone.now()
        if (
            self.kind == StreamKind.INITIAL
            or not self.enabled
            or self.state not in WAITING_TO_RUN
            or self.next_due_at is None
            or self.next_due_at > now - LATE_AFTER
            or self.is_running(now)
        ):
            return False
        connection = getattr(self.practice, "connection", None)
        return connection is not None and connection.status == ConnectionStatus.ACTIVE

    @property
    def health(self) -> str:
        """Return one word for the admin list: off, ok, new, late, failing, stopped."""
        if not self.enabled:
            return "off"
        if self.state == StreamState.STOPPED:
            return "stopped"
        if self.consecutive_failures:
            return "failing"
        if self.is_late():
            return "late"
        return "ok" if self.last_success_at else "new"

    @property
    def progress_fraction(self) -> float | None:
        if not self.progress_total:
            return None
        return min(1.0, self.progress_done / self.progress_total)

    def eta(self, now: datetime | None = None) -> timedelta | None:
        """Return the estimated time left, from the progress rate so far."""
        fraction = self.progress_fraction
        if not fraction or self.progress_started_at is None or fraction >= 1:
            return None
        elapsed = (now or timezone.now()) - self.progress_started_at
        return elapsed * ((1 - fraction) / fraction)
