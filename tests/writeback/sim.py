"""A practice wired to the simulator's Open Dental face, mapped from its own lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from pms.base import Entity, Lane
from pms.config import connector_for_connection
from pms.simulator import records as r
from practices.models import (
    PmsConnection,
    Practice,
    ReferenceItem,
    ReferenceKind,
    WriteBackKind,
    WriteBackRule,
    WriteBackSettings,
)
from practices.reference_sync import apply_reference_values
from records.models import Patient
from writeback.models import OutboxJob
from writeback.push import push_job


@dataclass
class Wired:
    """The Django practice, and PMS ids that exist in its simulated PMS."""

    practice: Practice
    patient_ids: list[str]
    appointment_ids: list[str]

    def connector(self):
        return connector_for_connection(self.practice.connection, Lane.WRITE_BACK)


K = ReferenceKind
# Setting -> (reference kind, label in the simulator's lists). Every setting gets an
# item of its own, and none is what the simulated Open Dental uses when a request
# leaves the field out (note type Misc, the first document category, PayType
# Online Payment, the patient's dentist), so what lands shows which mapping applied.
MAPPINGS: dict[str, tuple[str, str]] = {
    "provider": (K.PROVIDER, "HYG2"),  # no generated patient's primary provider
    "default_note_type": (K.NOTE_TYPE, "Appointment Related"),
    "insurance_verification_category": (K.DOCUMENT_CATEGORY, "Insurance Cards"),
    "account_statement_category": (K.DOCUMENT_CATEGORY, "Statements"),
    "form_patient_identification_category": (K.DOCUMENT_CATEGORY, "Patient Pictures"),
    "form_informed_consent_category": (K.DOCUMENT_CATEGORY, "Patient Forms"),
    "form_treatment_plan_category": (K.DOCUMENT_CATEGORY, "Treatment Plans"),
    "form_scanned_documents_category": (K.DOCUMENT_CATEGORY, "X-Rays"),
    "confirmed_status": (K.APPOINTMENT_STATUS, "Appointment Confirmed"),
    "unconfirmed_status": (K.APPOINTMENT_STATUS, "Not Called"),
    "provider_payment_type": (K.PAYMENT_TYPE, "Check"),
    "online_payment_type": (K.PAYMENT_TYPE, "Credit Card"),
    "pos_payment_type": (K.PAYMENT_TYPE, "Cash"),
    "surcharge_payment_type": (K.PAYMENT_TYPE, "Care Credit"),
}
# Kinds whose rule names a note type of its own instead of the default.
RULE_NOTE_TYPES: dict[str, str] = {
    WriteBackKind.OUTGOING_SMS: "Text Message",
    WriteBackKind.INCOMING_SMS: "Text Message",
    WriteBackKind.INSURANCE_VERIFICATION_NOTE: "Insurance",
}


def item_named(practice: Practice, kind: str, label: str) -> ReferenceItem:
    """Return the active item `label` (a provider by its abbreviation)."""
    items = ReferenceItem.objects.filter(practice=practice, kind=kind, active=True)
    return items.get(Q(label=label) | Q(label__startswith=f"{label} ("))


def scheduled_appointments(connector, wanted: int = 10) -> list:
    """Page through the appointments until `wanted` scheduled ones are found."""
    found, cursor, more = [], None, True
    while more and len(found) < wanted:
        page = connector.fetch_changed(Entity.APPOINTMENT, cursor)
        found += [
            a for a in page.records if not a.is_deleted and a.status == "Scheduled"
        ]
        cursor, more = page.cursor, page.has_more
    return found


def wire(practice: Practice, sim) -> Wired:
    """Connect `practice` to `sim`'s Open Dental face; map each setting (MAPPINGS)."""
    creds = sim.credentials
    connection = PmsConnection.objects.create(
        practice=practice,
        pms_type="open_dental",
        base_url=sim.od_url,
        developer_key=creds["od_developer_key"],
        customer_key=creds["od_customer_key"],
    )
    connector = connector_for_connection(connection, Lane.WRITE_BACK)
    try:
        apply_reference_values(practice, connector.fetch_reference())
        patients = [
            p
            for p in connector.fetch_changed(Entity.PATIENT, None).records
            if not p.is_deleted and p.birthdate
        ]
        appointments = scheduled_appointments(connector)
    finally:
        connector.close()
    settings = WriteBackSettings.objects.get(practice=practice)
    for field, (kind, label) in MAPPINGS.items():
        setattr(settings, field, item_named(practice, kind, label))
    settings.auto_sync_payments = True
    settings.save()
    WriteBackRule.objects.filter(practice=practice).update(enabled=True)
    for kind, label in RULE_NOTE_TYPES.items():
        WriteBackRule.objects.filter(practice=practice, kind=kind).update(
            note_type=item_named(practice, K.NOTE_TYPE, label)
        )
    Patient.objects.bulk_create(
        Patient(
            practice=practice,
            pms_id=p.pms_id,
            first_name=p.first_name,
            last_name=p.last_name,
            birthdate=p.birthdate,
        )
        for p in patients[:20]
    )
    return Wired(
        practice,
        [p.pms_id for p in patients],
        [a.pms_id for a in appointments],
    )


def unsettled_appointment(wired: Wired, store) -> str:
    """Return a scheduled appointment in neither mapped confirmation status."""
    settings = WriteBackSettings.objects.get(practice=wired.practice)
    mapped = {
        int(settings.confirmed_status.pms_id),
        int(settings.unconfirmed_status.pms_id),
    }
    return next(
        pms_id
        for pms_id in wired.appointment_ids
        if store.get(r.APPOINTMENT, int(pms_id)).confirmation_id not in mapped
    )


def deliver_inline(rounds: int = 20) -> None:
    """Push every due job through the real connector, skipping backoff waits."""
    for _ in range(rounds):
        OutboxJob.objects.filter(status="accepted").update(
            next_attempt_at=timezone.now()
        )
        due = list(OutboxJob.objects.due(timezone.now()))
        if not due:
            return
        for job in due:
            push_job(job)
