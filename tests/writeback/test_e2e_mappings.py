"""End to end over HTTP: each record lands in Open Dental with its mapped item.

`wire` maps every setting to an item of its own, none of them what the simulated
Open Dental would pick for a field left out, so the simulator's store shows which
mapping each write used.
"""

from datetime import datetime
from decimal import Decimal

import pytest

from pms.simulator import records as r
from practices.models import ReferenceItem, WriteBackRule, WriteBackSettings
from practices.models import WriteBackKind as K
from writeback.models import JobStatus, OutboxJob

from .sim import MAPPINGS, RULE_NOTE_TYPES, deliver_inline, unsettled_appointment
from .test_e2e_kinds import submit_to

pytestmark = pytest.mark.django_db


def mapped(wired, field: str) -> ReferenceItem:
    return getattr(WriteBackSettings.objects.get(practice=wired.practice), field)


def delivered(wired, kind: str, key: str, **changes) -> OutboxJob:
    """Submit through the intake, deliver over HTTP, and return the verified job."""
    job = submit_to(wired, kind, key, **changes)
    deliver_inline()
    job.refresh_from_db()
    assert job.status == JobStatus.VERIFIED, job.display_status
    return job


def assert_lands_as(store, definition_id: int, item: ReferenceItem) -> None:
    """The PMS holds `item`: its id, and the name our reference list shows."""
    assert definition_id == int(item.pms_id)
    assert store.get(r.DEFINITION, definition_id).name == item.label


def test_every_setting_is_wired_to_an_item_of_its_own(wired):
    settings = WriteBackSettings.objects.get(practice=wired.practice)
    items = [getattr(settings, field) for field in MAPPINGS]
    assert all(items) and len({i.pk for i in items}) == len(items)
    rule_types = {
        rule.note_type_id
        for rule in WriteBackRule.objects.filter(practice=wired.practice)
        if rule.note_type_id
    }
    assert settings.default_note_type_id not in rule_types


@pytest.mark.parametrize("kind", K.note_kinds())
def test_a_note_lands_with_its_kinds_note_type_or_the_default(
    wired, sim_practice, kind
):
    job = delivered(wired, kind, f"map-{kind}")
    rule = WriteBackRule.objects.get(practice=wired.practice, kind=kind)
    assert (rule.note_type_id is not None) == (kind in RULE_NOTE_TYPES)
    expected = rule.note_type or mapped(wired, "default_note_type")
    commlog = sim_practice.store.get(r.COMMLOG, int(job.pms_id))
    assert commlog.patient_id == int(job.payload["patient_pms_id"])
    assert job.marker_text in commlog.note
    assert_lands_as(sim_practice.store, commlog.type_id, expected)


@pytest.mark.parametrize(
    "kind, changes, field",
    [
        (
            K.DOCUMENT,
            {"document_type": "insurance_verification"},
            "insurance_verification_category",
        ),
        (
            K.DOCUMENT,
            {"document_type": "account_statement"},
            "account_statement_category",
        ),
        # The help center: Scanned Documents is for scanned or uploaded documents.
        (K.DOCUMENT, {"document_type": "uploaded"}, "form_scanned_documents_category"),
        (
            K.ONLINE_FORM,
            {"form_type": "patient_identification"},
            "form_patient_identification_category",
        ),
        (
            K.ONLINE_FORM,
            {"form_type": "informed_consent"},
            "form_informed_consent_category",
        ),
        (
            K.ONLINE_FORM,
            {"form_type": "treatment_plan"},
            "form_treatment_plan_category",
        ),
        (
            K.ONLINE_FORM,
            {"form_type": "scanned_documents"},
            "form_scanned_documents_category",
        ),
    ],
    ids=lambda v: next(iter(v.values())) if isinstance(v, dict) else None,
)
def test_a_document_lands_in_its_mapped_category_by_the_provider(
    wired, sim_practice, kind, changes, field
):
    job = delivered(wired, kind, f"map-{kind}-{field}", **changes)
    document = sim_practice.store.get(r.DOCUMENT, int(job.pms_id))
    assert document.patient_id == int(job.payload["patient_pms_id"])
    assert_lands_as(sim_practice.store, document.category_id, mapped(wired, field))
    assert document.provider_id == int(mapped(wired, "provider").pms_id)


@pytest.mark.parametrize(
    "kind, field",
    [
        (K.APPOINTMENT_CONFIRMED, "confirmed_status"),
        (K.APPOINTMENT_UNCONFIRMED, "unconfirmed_status"),
    ],
)
def test_a_confirmation_sets_the_mapped_pms_status(wired, sim_practice, kind, field):
    apt = unsettled_appointment(wired, sim_practice.store)
    job = delivered(wired, kind, f"map-{kind}", appointment_pms_id=apt)
    appointment = sim_practice.store.get(r.APPOINTMENT, int(job.pms_id))
    assert appointment.id == int(job.payload["appointment_pms_id"])
    assert_lands_as(
        sim_practice.store, appointment.confirmation_id, mapped(wired, field)
    )


@pytest.mark.parametrize(
    "source, field",
    [
        ("provider", "provider_payment_type"),
        ("online", "online_payment_type"),
        ("pos", "pos_payment_type"),
        ("practice", "surcharge_payment_type"),
    ],
)
def test_a_payment_is_posted_with_its_sources_payment_type(
    wired, sim_practice, source, field
):
    job = delivered(wired, K.PAYMENT, f"map-pay-{source}", source=source)
    payment = sim_practice.store.get(r.PAYMENT, int(job.pms_id))
    assert payment.patient_id == int(job.patient_pms_id)
    assert payment.amount_cents == int(Decimal(job.payload["amount"]) * 100)
    assert_lands_as(sim_practice.store, payment.type_id, mapped(wired, field))


def test_a_new_patient_has_the_write_back_provider_as_primary(wired, sim_practice):
    job = delivered(
        wired,
        K.NEW_PATIENT,
        "map-patient",
        first_name="Augusta",
        last_name="Byron",
        birthdate="1815-12-10",
    )
    patient = sim_practice.store.get(r.PATIENT, int(job.pms_id))
    assert (patient.first_name, patient.last_name) == ("Augusta", "Byron")
    assert patient.birthdate.isoformat() == "1815-12-10"
    assert patient.primary_provider_id == int(mapped(wired, "provider").pms_id)


def test_a_new_appointment_lands_when_and_with_whom_it_was_asked(wired, sim_practice):
    job = delivered(
        wired,
        K.NEW_APPOINTMENT,
        "map-appointment",
        start_at="2026-03-02T14:30",
        duration_minutes=45,
        operatory_pms_id="2",
    )
    appointment = sim_practice.store.get(r.APPOINTMENT, int(job.pms_id))
    assert appointment.patient_id == int(job.payload["patient_pms_id"])
    # Open Dental keeps naive office-local times; ours are the practice's (Denver).
    assert appointment.start == datetime(2026, 3, 2, 14, 30)
    assert appointment.length_min == 45
    assert appointment.operatory_id == 2
    assert appointment.provider_id == int(mapped(wired, "provider").pms_id)
