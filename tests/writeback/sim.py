"""A practice wired to the simulator's Open Dental face, mapped from its own lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from pms.base import Entity, Lane
from pms.config import connector_for_connection
from practices.models import (
    PmsConnection,
    Practice,
    ReferenceItem,
    ReferenceKind,
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


def _first(practice: Practice, kind: str, skip: int = 0) -> ReferenceItem:
    items = ReferenceItem.objects.filter(practice=practice, kind=kind, active=True)
    return items.order_by("pms_id")[skip]


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
    """Connect `practice` to `sim`'s Open Dental face and map every setting."""
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
    K = ReferenceKind
    settings = WriteBackSettings.objects.get(practice=practice)
    settings.provider = _first(practice, K.PROVIDER)
    settings.default_note_type = _first(practice, K.NOTE_TYPE)
    category = _first(practice, K.DOCUMENT_CATEGORY)
    for field in (
        "insurance_verification_category",
        "account_statement_category",
        "form_patient_identification_category",
        "form_informed_consent_category",
        "form_treatment_plan_category",
        "form_scanned_documents_category",
    ):
        setattr(settings, field, category)
    settings.confirmed_status = _first(practice, K.APPOINTMENT_STATUS, 1)
    settings.unconfirmed_status = _first(practice, K.APPOINTMENT_STATUS, 0)
    payment_type = _first(practice, K.PAYMENT_TYPE)
    for field in (
        "provider_payment_type",
        "online_payment_type",
        "pos_payment_type",
        "surcharge_payment_type",
    ):
        setattr(settings, field, payment_type)
    settings.auto_sync_payments = True
    settings.save()
    WriteBackRule.objects.filter(practice=practice).update(enabled=True)
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
