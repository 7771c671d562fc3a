from django.db import models

from .practice import Practice

INCREMENTAL_INTERVAL_CHOICES = [(m, f"{m} minutes") for m in (2, 5, 10, 15, 30, 45, 60)]
FAST_INTERVAL_CHOICES = [
    (15, "15 seconds"),
    (30, "30 seconds"),
    (45, "45 seconds"),
    (60, "60 seconds"),
    (120, "2 minutes"),
    (300, "5 minutes"),
]


class SyncSettings(models.Model):
    """How often pbnsync reads the practice's PMS (help center: PMS Sync Settings)."""

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="sync_settings"
    )
    incremental_interval_minutes = models.PositiveSmallIntegerField(
        "Incremental sync interval", choices=INCREMENTAL_INTERVAL_CHOICES, default=15
    )
    appointment_status_enabled = models.BooleanField("Appointment Status", default=True)
    appointment_status_interval_seconds = models.PositiveSmallIntegerField(
        "Appointment Status check interval", choices=FAST_INTERVAL_CHOICES, default=15
    )
    appointment_changes_enabled = models.BooleanField(
        "Appointment Changes", default=True
    )
    appointment_changes_interval_seconds = models.PositiveSmallIntegerField(
        "Appointment Changes check interval", choices=FAST_INTERVAL_CHOICES, default=60
    )
    new_patients_enabled = models.BooleanField("New Patients", default=True)
    new_patients_interval_seconds = models.PositiveSmallIntegerField(
        "New Patients check interval", choices=FAST_INTERVAL_CHOICES, default=30
    )
    profile_photos_enabled = models.BooleanField(
        "Patient Profile Photos",
        default=False,
        help_text="Sync patient photos to replace initials in the patient window.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sync settings"
        verbose_name_plural = "sync settings"

    def __str__(self) -> str:
        return f"Sync settings of {self.practice}"
