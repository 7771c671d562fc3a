from django.db import models

from .practice import Practice
from .reference import ReferenceItem, ReferenceKind


class WriteBackKind(models.TextChoices):
    """Every kind of activity that can be written back, each with its own toggle."""

    OUTGOING_CALL = "outgoing_call", "Outgoing Call"
    INCOMING_CALL = "incoming_call", "Incoming Call"
    MISSED_CALL = "missed_call", "Missed Call"
    INCOMING_CALL_TRANSCRIPT = "incoming_call_transcript", "Incoming Call Transcript"
    OUTGOING_CALL_TRANSCRIPT = "outgoing_call_transcript", "Outgoing Call Transcript"
    INCOMING_CALL_SUMMARY = "incoming_call_summary", "Incoming Call Summary"
    OUTGOING_CALL_SUMMARY = "outgoing_call_summary", "Outgoing Call Summary"
    PATIENT_NOTE = "patient_note", "Patient Notes"
    TASK_NOTE = "task_note", "Task Notes"
    OUTGOING_SMS = "outgoing_sms", "Outgoing SMS"
    INCOMING_SMS = "incoming_sms", "Incoming SMS"
    OUTGOING_EMAIL = "outgoing_email", "Outgoing Email"
    INCOMING_EMAIL = "incoming_email", "Incoming Email"
    INSURANCE_VERIFICATION_NOTE = (
        "insurance_verification_note",
        "Insurance Verification Note",
    )
    APPOINTMENT_CONFIRMED = "appointment_confirmed", "Appointment confirmed"
    APPOINTMENT_UNCONFIRMED = "appointment_unconfirmed", "Appointment unconfirmed"
    DOCUMENT = "document", "Documents uploaded"
    ONLINE_FORM = "online_form", "Online forms submitted"
    NEW_PATIENT = "new_patient", "New patient created"
    NEW_APPOINTMENT = "new_appointment", "New appointment created"
    PAYMENT = "payment", "Payments"

    @classmethod
    def switched(cls) -> list["WriteBackKind"]:
        """Return the kinds with an Allow switch of their own: all but payments,
        which Automatically Sync Payments governs (off: a person transfers them)."""
        return [k for k in cls if k != cls.PAYMENT]

    @classmethod
    def note_kinds(cls) -> list["WriteBackKind"]:
        """Return the kinds written as notes, which take a note type."""
        return [k for k in cls if k in _NOTE_KINDS]

    @property
    def is_note(self) -> bool:
        return self in _NOTE_KINDS

    @property
    def group(self) -> str:
        return _GROUPS[self]


_GROUPS = {
    **dict.fromkeys(
        [
            "outgoing_call",
            "incoming_call",
            "missed_call",
            "incoming_call_transcript",
            "outgoing_call_transcript",
            "incoming_call_summary",
            "outgoing_call_summary",
        ],
        "Phone Call Logs",
    ),
    **dict.fromkeys(["patient_note", "task_note"], "Patient & Task Notes"),
    **dict.fromkeys(
        ["outgoing_sms", "incoming_sms", "outgoing_email", "incoming_email"],
        "Communications",
    ),
    "insurance_verification_note": "Insurance",
    **dict.fromkeys(
        ["appointment_confirmed", "appointment_unconfirmed"], "Appointments"
    ),
    **dict.fromkeys(["document", "online_form"], "Documents & Forms"),
    **dict.fromkeys(["new_patient", "new_appointment"], "New Records"),
    "payment": "Payments",
}
_NOTE_KINDS = {
    k
    for k, g in _GROUPS.items()
    if g in {"Phone Call Logs", "Patient & Task Notes", "Communications", "Insurance"}
}


def _reference(kind: str, verbose_name: str, **kwargs) -> models.ForeignKey:
    return models.ForeignKey(
        ReferenceItem,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": kind},
        **kwargs,
    )


class WriteBackSettings(models.Model):
    """Where and how activity is written into the PMS (the write-back settings)."""

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="writeback_settings"
    )
    provider = _reference(ReferenceKind.PROVIDER, "Writeback provider ID")
    default_note_type = _reference(ReferenceKind.NOTE_TYPE, "Default note type")
    insurance_verification_category = _reference(
        ReferenceKind.DOCUMENT_CATEGORY, "Insurance Verification document type"
    )
    account_statement_category = _reference(
        ReferenceKind.DOCUMENT_CATEGORY, "Account Statement document type"
    )
    confirmed_statuses = models.ManyToManyField(
        ReferenceItem,
        verbose_name="Confirmed appointment statuses",
        blank=True,
        related_name="+",
        limit_choices_to={"kind": ReferenceKind.APPOINTMENT_STATUS},
    )
    confirmed_status = _reference(
        ReferenceKind.APPOINTMENT_STATUS, "Confirmed in PbN → PMS status"
    )
    unconfirmed_status = _reference(
        ReferenceKind.APPOINTMENT_STATUS, "Unconfirmed in PbN → PMS status"
    )
    form_patient_identification_category = _reference(
        ReferenceKind.DOCUMENT_CATEGORY, "Patient Identification forms folder"
    )
    form_informed_consent_category = _reference(
        ReferenceKind.DOCUMENT_CATEGORY, "Informed Consent forms folder"
    )
    form_treatment_plan_category = _reference(
        ReferenceKind.DOCUMENT_CATEGORY, "Treatment Plan forms folder"
    )
    form_scanned_documents_category = _reference(
        ReferenceKind.DOCUMENT_CATEGORY, "Scanned Documents folder"
    )
    auto_sync_payments = models.BooleanField(
        "Automatically Sync Payments",
        default=False,
        help_text="Match the patient by name and date of birth, then post the payment. "
        "When off, payments wait in the manual transfer queue.",
    )
    provider_payment_type = _reference(
        ReferenceKind.PAYMENT_TYPE, "Post Payments to Provider payment type"
    )
    online_payment_type = _reference(
        ReferenceKind.PAYMENT_TYPE, "Customer Online Payment payment type"
    )
    pos_payment_type = _reference(
        ReferenceKind.PAYMENT_TYPE, "In-Office POS Payment payment type"
    )
    surcharge_payment_type = _reference(
        ReferenceKind.PAYMENT_TYPE, "Charged by Practice payment type"
    )
    separate_payments_and_fees = models.BooleanField(
        "Separate Payments and Fees",
        default=False,
        help_text="Post fees and payments as individual transactions.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "write-back settings"
        verbose_name_plural = "write-back settings"

    def __str__(self) -> str:
        return f"Write-back settings of {self.practice}"

    @property
    def has_valid_provider(self) -> bool:
        """Return whether write-back may run: a provider is set and still active."""
        return self.provider is not None and self.provider.active


SWITCHED_CHOICES = [(kind.value, kind.label) for kind in WriteBackKind.switched()]


class WriteBackRule(models.Model):
    """Whether one kind of write-back is allowed, and the note type it uses."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="writeback_rules"
    )
    kind = models.CharField(max_length=40, choices=SWITCHED_CHOICES)
    enabled = models.BooleanField("Allow", default=False)
    note_type = _reference(
        ReferenceKind.NOTE_TYPE,
        "Note type",
        help_text="Empty: the default note type.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "write-back rule"
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "kind"], name="one_writeback_rule_per_kind"
            )
        ]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.get_kind_display()}: {state}"
