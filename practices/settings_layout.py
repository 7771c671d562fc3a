"""The sections of the settings page, as the help center names and orders them."""

from dataclasses import dataclass

from .models import WriteBackKind


@dataclass(frozen=True)
class Section:
    title: str
    source: str  # "sync", "writeback" or "rules": which form holds the fields
    fields: tuple[str, ...] = ()


PROVIDER = Section("PMS Sync Settings", "writeback", ("provider",))
INCREMENTAL = Section(
    "Incremental Sync Settings", "sync", ("incremental_interval_minutes",)
)
FAST_SYNC = Section(
    "Fast Sync Update Intervals",
    "sync",
    (
        "appointment_status_enabled",
        "appointment_status_interval_seconds",
        "appointment_changes_enabled",
        "appointment_changes_interval_seconds",
        "new_patients_enabled",
        "new_patients_interval_seconds",
        "profile_photos_enabled",
    ),
)
NOTE_WRITE_BACK = Section(
    "Note Write Back Settings",
    "rules",
    tuple(kind.value for kind in WriteBackKind.note_kinds()),
)
OTHER_WRITE_BACK = Section(
    "Other Write-Back Types",
    "rules",
    tuple(kind.value for kind in WriteBackKind.switched() if not kind.is_note),
)
NOTE_TYPE = Section("Note Type Selection", "writeback", ("default_note_type",))
DOCUMENT_TYPES = Section(
    "Document Type Settings",
    "writeback",
    ("insurance_verification_category", "account_statement_category"),
)
APPOINTMENT_STATUS = Section(
    "Appointment Status Settings",
    "writeback",
    ("confirmed_statuses", "confirmed_status", "unconfirmed_status"),
)
ONLINE_FORMS = Section(
    "Online Forms Settings",
    "writeback",
    (
        "form_patient_identification_category",
        "form_informed_consent_category",
        "form_treatment_plan_category",
        "form_scanned_documents_category",
    ),
)
PAYMENTS = Section(
    "Payment Sync Settings",
    "writeback",
    (
        "auto_sync_payments",
        "provider_payment_type",
        "online_payment_type",
        "pos_payment_type",
        "surcharge_payment_type",
        "separate_payments_and_fees",
    ),
)

SECTIONS = (
    PROVIDER,
    INCREMENTAL,
    FAST_SYNC,
    NOTE_WRITE_BACK,
    OTHER_WRITE_BACK,
    NOTE_TYPE,
    DOCUMENT_TYPES,
    APPOINTMENT_STATUS,
    ONLINE_FORMS,
    PAYMENTS,
)


def fields_of(source: str) -> list[str]:
    """Return the model fields the page edits from `source`, in page order."""
    return [name for s in SECTIONS if s.source == source for name in s.fields]


# The help center's one-line explanation of each write-back toggle.
KIND_HELP = {
    WriteBackKind.OUTGOING_CALL: "Write outgoing call details to the patient record.",
    WriteBackKind.INCOMING_CALL: "Write incoming call details to the patient record.",
    WriteBackKind.MISSED_CALL: "Write missed call details to the patient record.",
    WriteBackKind.INCOMING_CALL_TRANSCRIPT: "Save transcripts of incoming calls.",
    WriteBackKind.OUTGOING_CALL_TRANSCRIPT: "Save transcripts of outgoing calls.",
    WriteBackKind.INCOMING_CALL_SUMMARY: "Save AI-generated summaries of incoming "
    "calls.",
    WriteBackKind.OUTGOING_CALL_SUMMARY: "Save AI-generated summaries of outgoing "
    "calls.",
    WriteBackKind.PATIENT_NOTE: "Write notes directly to the patient record.",
    WriteBackKind.TASK_NOTE: "Write task-related notes to the patient record.",
    WriteBackKind.OUTGOING_SMS: "Write outgoing text message logs to patient records.",
    WriteBackKind.INCOMING_SMS: "Write incoming text message logs to patient records.",
    WriteBackKind.OUTGOING_EMAIL: "Write outgoing email details to patient records.",
    WriteBackKind.INCOMING_EMAIL: "Write incoming email details to patient records.",
    WriteBackKind.INSURANCE_VERIFICATION_NOTE: "Write insurance verification results "
    "to patient records.",
    WriteBackKind.APPOINTMENT_CONFIRMED: "Update the appointment status when it is "
    "confirmed in PbN.",
    WriteBackKind.APPOINTMENT_UNCONFIRMED: "Revert the appointment status when it is "
    "unconfirmed in PbN.",
    WriteBackKind.DOCUMENT: "Attach uploaded documents to the patient record.",
    WriteBackKind.ONLINE_FORM: "Attach completed online forms to the patient record.",
    WriteBackKind.NEW_PATIENT: "Create the patient record in the PMS.",
    WriteBackKind.NEW_APPOINTMENT: "Add new appointments to the PMS schedule.",
}


def kind_groups(section: Section) -> list[tuple[str, list[WriteBackKind]]]:
    """Return a rules section's kinds grouped as the help center groups them."""
    groups: dict[str, list[WriteBackKind]] = {}
    for value in section.fields:
        kind = WriteBackKind(value)
        groups.setdefault(kind.group, []).append(kind)
    return list(groups.items())
