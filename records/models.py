"""The local mirror of PMS data, keyed by (practice, PMS id).

Rows are written by the sync engine with set-based bulk upserts (records/upsert.py);
a record deleted in the PMS keeps its row with `deleted_at` set, hidden from every
list by `.live()`, until the nightly purge removes it.
"""

from __future__ import annotations

from datetime import time

from django.db import models
from django.utils import timezone

from practices.models import Practice


class MirroredQuerySet(models.QuerySet):
    def live(self) -> MirroredQuerySet:
        """Return the rows not deleted in the PMS."""
        return self.filter(deleted_at__isnull=True)

    def of(self, practice: Practice) -> MirroredQuerySet:
        """Return one practice's live rows."""
        return self.live().filter(practice=practice)


class MirroredRecord(models.Model):
    """Columns every mirrored PMS record carries; `DATA_FIELDS` are the PMS's own."""

    DATA_FIELDS: tuple[str, ...] = ()

    # No index of its own: every mirror table's (practice, pms_id) constraint leads
    # with it. A separate one misleads PostgreSQL while a table fills faster than
    # its statistics follow: it then reads every row of the practice per page.
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    pms_id = models.CharField("PMS id", max_length=64)
    pms_modified_at = models.DateTimeField("modified in the PMS", null=True, blank=True)
    # Set explicitly by the bulk upsert; an echo of an unchanged record writes nothing.
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_synced_at = models.DateTimeField(
        default=timezone.now, help_text="When a change from the PMS last landed here."
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    reconciled_at = models.DateTimeField(
        null=True, blank=True, help_text="Last seen in a full id-set reconciliation."
    )
    content_hash = models.CharField(max_length=40, blank=True, default="")
    raw = models.JSONField(default=dict, blank=True)

    objects = MirroredQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


def _unique(name: str) -> list[models.UniqueConstraint]:
    return [models.UniqueConstraint(fields=["practice", "pms_id"], name=name)]


def _indexes(table: str, *extra: models.Index) -> list[models.Index]:
    """Return `extra` and the index of the rows marked deleted (what the purge and
    the deletions list read). Partial: a live row, nearly every row, adds no
    entry to it, so a bulk load maintains one index fewer per row."""
    deleted = models.Index(
        fields=["practice", "deleted_at"],
        condition=models.Q(deleted_at__isnull=False),
        name=f"mirror_{table}_deleted",
    )
    return [*extra, deleted]


class Patient(MirroredRecord):
    DATA_FIELDS = (
        "first_name",
        "last_name",
        "birthdate",
        "email",
        "phone",
        "status",
        "guarantor_pms_id",
    )

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    birthdate = models.DateField(null=True, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=40, blank=True)
    guarantor_pms_id = models.CharField(max_length=64, blank=True, default="")
    checked_at = models.DateTimeField(
        null=True, blank=True, help_text="Last read from the PMS on its own (card)."
    )
    # The PMS's picture of the patient (metadata only: Open Dental keeps the bytes),
    # read when profile photos are switched on; not a DATA_FIELD, so the patient
    # upsert leaves it alone.
    photo_pms_id = models.CharField("PMS id of the photo", max_length=64, blank=True)
    photo_taken_at = models.DateTimeField("photo taken", null=True, blank=True)
    photo_checked_at = models.DateTimeField(
        null=True, blank=True, help_text="When the PMS was last asked for the photo."
    )

    class Meta:
        constraints = _unique("one_patient_per_pms_id")
        indexes = _indexes(
            "patient",
            models.Index(fields=["practice", "last_name", "first_name"]),
            models.Index(fields=["practice", "first_seen_at"]),
        )

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.pms_id

    @property
    def initials(self) -> str:
        """Return the initials shown when there is no photo."""
        letters = [n[0] for n in (self.first_name, self.last_name) if n]
        return "".join(letters).upper() or "?"


class AppointmentQuerySet(MirroredQuerySet):
    def with_confirmation(self) -> AppointmentQuerySet:
        """Annotate `is_confirmed`: a status the practice counts as confirmed."""
        from practices.models import WriteBackSettings

        through = WriteBackSettings.confirmed_statuses.through
        confirmed = through.objects.filter(
            writebacksettings__practice=models.OuterRef("practice"),
            referenceitem__pms_id=models.OuterRef("confirmation_pms_id"),
        )
        return self.annotate(is_confirmed=models.Exists(confirmed))


class Appointment(MirroredRecord):
    DATA_FIELDS = (
        "patient_pms_id",
        "provider_pms_id",
        "operatory_pms_id",
        "start_at",
        "duration_minutes",
        "status",
        "confirmation_pms_id",
        "note",
        "on_schedule",
    )

    patient_pms_id = models.CharField(max_length=64, blank=True)
    provider_pms_id = models.CharField(max_length=64, blank=True)
    operatory_pms_id = models.CharField(max_length=64, blank=True)
    start_at = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=40, blank=True)
    confirmation_pms_id = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True, default="")
    on_schedule = models.BooleanField(
        default=True,
        help_text="Off: the PMS keeps it off its calendar (planned, a note, "
        "the unscheduled list).",
    )

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        constraints = _unique("one_appointment_per_pms_id")
        indexes = _indexes(
            "appointment",
            models.Index(fields=["practice", "start_at"]),
            models.Index(fields=["practice", "patient_pms_id"]),
        )

    def __str__(self) -> str:
        return f"Appointment {self.pms_id} at {self.start_at}"


class Provider(MirroredRecord):
    DATA_FIELDS = ("abbreviation", "first_name", "last_name", "active")

    abbreviation = models.CharField(max_length=64, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = _unique("one_provider_per_pms_id")
        indexes = _indexes("provider")

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.abbreviation or self.pms_id


class Operatory(MirroredRecord):
    DATA_FIELDS = ("label", "active")

    label = models.CharField(max_length=255, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "operatories"
        constraints = _unique("one_operatory_per_pms_id")
        indexes = _indexes("operatory")

    def __str__(self) -> str:
        return self.label or self.pms_id


class Procedure(MirroredRecord):
    DATA_FIELDS = (
        "patient_pms_id",
        "code",
        "fee",
        "status",
        "performed_on",
        "appointment_pms_id",
        "provider_pms_id",
    )

    patient_pms_id = models.CharField(max_length=64, blank=True)
    code = models.CharField(max_length=32, blank=True)
    fee = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    status = models.CharField(max_length=40, blank=True)
    performed_on = models.DateField(null=True, blank=True)
    appointment_pms_id = models.CharField(max_length=64, blank=True)
    provider_pms_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = _unique("one_procedure_per_pms_id")
        indexes = _indexes(
            "procedure", models.Index(fields=["practice", "patient_pms_id"])
        )

    def __str__(self) -> str:
        return f"Procedure {self.code} ({self.pms_id})"


class Payment(MirroredRecord):
    DATA_FIELDS = (
        "patient_pms_id",
        "amount",
        "paid_on",
        "payment_type_pms_id",
        "note",
    )

    patient_pms_id = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    paid_on = models.DateField(null=True, blank=True)
    payment_type_pms_id = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True, default="")

    class Meta:
        constraints = _unique("one_payment_per_pms_id")
        indexes = _indexes(
            "payment", models.Index(fields=["practice", "patient_pms_id"])
        )

    def __str__(self) -> str:
        return f"Payment {self.amount} ({self.pms_id})"


class ScheduleKind(models.TextChoices):
    PROVIDER = "provider", "Provider hours"
    BLOCKOUT = "blockout", "Blockout"
    PRACTICE = "practice", "Practice note"


class ScheduleBlock(MirroredRecord):
    """A schedule entry: a provider's hours, a blockout or a practice-wide note.

    Mirrored for a window of days (ScheduleWindow); each read replaces the
    window, so an entry removed in the PMS is removed here (no deletion mark).
    """

    DATA_FIELDS = (
        "kind",
        "day",
        "start_time",
        "stop_time",
        "provider_pms_id",
        "operatory_pms_ids",
        "blockout_type_pms_id",
        "blockout_type",
        "note",
    )

    kind = models.CharField(max_length=16, choices=ScheduleKind.choices)
    day = models.DateField()
    start_time = models.TimeField()
    stop_time = models.TimeField()
    provider_pms_id = models.CharField(max_length=64, blank=True)
    operatory_pms_ids = models.JSONField(default=list, blank=True)
    blockout_type_pms_id = models.CharField(max_length=64, blank=True)
    blockout_type = models.CharField(max_length=255, blank=True)
    note = models.TextField(blank=True, default="")

    class Meta:
        constraints = _unique("one_schedule_block_per_pms_id")
        indexes = _indexes("schedule_block", models.Index(fields=["practice", "day"]))

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day} {self.start_time}"

    @property
    def is_all_day(self) -> bool:
        """Return whether the entry spans the day (00:00 to 00:00)."""
        return self.start_time == self.stop_time == time(0)


class ScheduleWindow(models.Model):
    """The days the schedule mirror holds for a practice, and when they were read."""

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="schedule_window"
    )
    first_day = models.DateField()
    last_day = models.DateField()
    synced_at = models.DateTimeField(help_text="When the PMS's schedule was read.")

    def __str__(self) -> str:
        return f"{self.practice}: {self.first_day} to {self.last_day}"

    def covers(self, day) -> bool:
        return self.first_day <= day <= self.last_day
