from django.db import models

from .practice import Practice


class ReferenceKind(models.TextChoices):
    PROVIDER = "provider", "Provider"
    NOTE_TYPE = "note_type", "Note type"
    DOCUMENT_CATEGORY = "document_category", "Document category"
    APPOINTMENT_STATUS = "appointment_status", "Appointment status"
    PAYMENT_TYPE = "payment_type", "Payment type"
    OPERATORY = "operatory", "Operatory"


class ReferenceItemQuerySet(models.QuerySet):
    def of_kind(self, practice: Practice, kind: str) -> "ReferenceItemQuerySet":
        return self.filter(practice=practice, kind=kind)


class ReferenceItem(models.Model):
    """A value from the practice's PMS that settings map to (provider, note type...).

    Filled by the PMS connectors. Rows are never deleted by a refresh, only marked
    inactive, so a mapping keeps pointing at something a person can recognise.
    """

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="reference_items"
    )
    kind = models.CharField(max_length=32, choices=ReferenceKind.choices)
    pms_id = models.CharField("PMS id", max_length=100)
    label = models.CharField(max_length=255)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferenceItemQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "kind", "pms_id"], name="one_reference_item_per_id"
            )
        ]

    def __str__(self) -> str:
        suffix = "" if self.active else " (inactive)"
        return f"{self.label} [{self.pms_id}]{suffix}"
