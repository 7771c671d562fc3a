"""The local mirror of PMS data, keyed by (practice, PMS id).

Rows are written by the sync engine with set-based bulk upserts; a deleted PMS
record keeps its row with `deleted_at` set until the nightly purge.
"""

from django.db import models

from practices.models import Practice


class MirroredQuerySet(models.QuerySet):
    def live(self) -> "MirroredQuerySet":
        """Return the rows not deleted in the PMS."""
        return self.filter(deleted_at__isnull=True)


class MirroredRecord(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    pms_id = models.CharField("PMS id", max_length=64)
    pms_modified_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_synced_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    raw = models.JSONField(default=dict, blank=True)

    objects = MirroredQuerySet.as_manager()

    class Meta:
        abstract = True


class Patient(MirroredRecord):
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    birthdate = models.DateField(null=True, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "pms_id"], name="one_patient_per_pms_id"
            )
        ]
        indexes = [models.Index(fields=["practice", "last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.pms_id


class Appointment(MirroredRecord):
    patient_pms_id = models.CharField(max_length=64, blank=True)
    provider_pms_id = models.CharField(max_length=64, blank=True)
    operatory_pms_id = models.CharField(max_length=64, blank=True)
    start_at = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=40, blank=True)
    confirmation_pms_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "pms_id"], name="one_appointment_per_pms_id"
            )
        ]
        indexes = [models.Index(fields=["practice", "start_at"])]

    def __str__(self) -> str:
        return f"Appointment {self.pms_id} at {self.start_at}"
