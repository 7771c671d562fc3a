"""End to end over HTTP: provider missing, capability refusal, payment matching."""

import pytest

from pms.base import Entity, Lane
from pms.config import connector_for_connection
from pms.simulator import records as r
from practices.models import (
    PmsConnection,
    ReferenceItem,
    ReferenceKind,
    WriteBackRule,
    WriteBackSettings,
)
from practices.models import WriteBackKind as K
from practices.reference_sync import apply_reference_values
from records.models import Patient
from writeback.intake import submit_activity
from writeback.manual import post_manual_payment
from writeback.models import JobStatus
from writeback.requeue import release_held

from .sim import deliver_inline
from .test_e2e_kinds import submit_to

pytestmark = pytest.mark.django_db

NO_PROVIDER = (
    "held: no valid write-back provider: choose an active provider in "
    "PMS Sync & Write-Back Settings"
)


def writes(sim) -> list[dict]:
    """Return the requests that could have changed the simulated PMS."""
    return [e for e in sim.requests() if e["method"] in ("POST", "PUT", "DELETE")]


def mirrored(wired) -> Patient:
    """Return a mirror patient no other mirror patient shares name and birthdate."""
    for patient in Patient.objects.filter(practice=wired.practice).order_by("pms_id"):
        twins = Patient.objects.filter(
            practice=wired.practice,
            first_name__iexact=patient.first_name,
            last_name__iexact=patient.last_name,
            birthdate=patient.birthdate,
        )
        if twins.count() == 1:
            return patient
    raise AssertionError("every mirror patient has a twin")


def pay(wired, key: str, patient: Patient, **changes):
    payer = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "birthdate": patient.birthdate.isoformat(),
    }
    return submit_to(wired, K.PAYMENT, key, **{**payer, **changes})


# --- provider -------------------------------------------------------------------


@pytest.mark.parametrize("how", ["missing", "inactive"])
def test_without_a_valid_provider_a_note_is_held_and_nothing_sent(
    wired, sim_practice, how
):
    settings = WriteBackSettings.objects.get(practice=wired.practice)
    if how == "missing":
        settings.provider = None
        settings.save()
    else:
        ReferenceItem.objects.filter(pk=settings.provider_id).update(active=False)
    commlogs = sim_practice.store.count(r.COMMLOG)
    job = submit_to(wired, K.OUTGOING_SMS, f"prov-{how}")
    deliver_inline()
    job.refresh_from_db()
    assert job.display_status == NO_PROVIDER
    assert job.attempts == 0 and not job.pms_id
    assert sim_practice.store.count(r.COMMLOG) == commlogs
    assert writes(sim_practice) == []


def test_a_provider_removed_after_intake_holds_the_job_at_delivery(wired, sim_practice):
    job = submit_to(wired, K.NEW_PATIENT, "prov-late")
    assert job.status == JobStatus.ACCEPTED
    WriteBackSettings.objects.filter(practice=wired.practice).update(provider=None)
    patients = sim_practice.store.count(r.PATIENT)
    deliver_inline()
    job.refresh_from_db()
    assert job.display_status == NO_PROVIDER
    assert sim_practice.store.count(r.PATIENT) == patients


def test_a_held_note_is_delivered_once_a_provider_is_set(wired, sim_practice):
    settings = WriteBackSettings.objects.get(practice=wired.practice)
    provider = settings.provider
    settings.provider = None
    settings.save()
    job = submit_to(wired, K.PATIENT_NOTE, "prov-then-set")
    assert job.status == JobStatus.HELD
    settings.provider = provider
    settings.save()
    assert release_held(wired.practice) == 1
    deliver_inline()
    job.refresh_from_db()
    assert job.status == JobStatus.VERIFIED
    commlog = sim_practice.store.get(r.COMMLOG, int(job.pms_id))
    assert job.marker_text in commlog.note


def test_a_confirmation_needs_no_provider(wired, sim_practice):
    WriteBackSettings.objects.filter(practice=wired.practice).update(provider=None)
    job = submit_to(wired, K.APPOINTMENT_CONFIRMED, "prov-confirm")
    deliver_inline()
    job.refresh_from_db()
    assert job.status == JobStatus.VERIFIED


# --- capability ------------------------------------------------------------------


@pytest.fixture
def ascend(practice_b, sim_practice, settings):
    """Practice B on the simulator's Dentrix Ascend face, provider and notes mapped."""
    settings.PMS_REQUEST_INTERVAL_MS = 0
    creds = sim_practice.credentials
    connection = PmsConnection.objects.create(
        practice=practice_b,
        pms_type="dentrix_ascend",
        base_url=sim_practice.base_urls["dentrix_ascend"],
        client_id=creds["ascend_client_id"],
        client_secret=creds["ascend_client_secret"],
        organization_id=creds["ascend_organization_id"],
    )
    connector = connector_for_connection(connection, Lane.WRITE_BACK)
    try:
        apply_reference_values(practice_b, connector.fetch_reference())
        page = connector.fetch_changed(Entity.PATIENT, None)
    finally:
        connector.close()
    patient = next(p for p in page.records if p.birthdate and not p.is_deleted)
    Patient.objects.create(
        practice=practice_b,
        pms_id=patient.pms_id,
        first_name=patient.first_name,
        last_name=patient.last_name,
        birthdate=patient.birthdate,
    )
    items = ReferenceItem.objects.filter(practice=practice_b, active=True)
    WriteBackSettings.objects.filter(practice=practice_b).update(
        provider=items.filter(kind=ReferenceKind.PROVIDER).first(),
        default_note_type=items.filter(kind=ReferenceKind.NOTE_TYPE).first(),
        auto_sync_payments=True,
    )
    WriteBackRule.objects.filter(practice=practice_b).update(enabled=True)
    return practice_b, patient


def test_dentrix_ascend_refuses_a_payment_with_the_reason_and_sends_nothing(
    ascend, sim_practice
):
    practice, patient = ascend
    payments = sim_practice.store.count(r.PAYMENT)
    requests = len(sim_practice.requests())
    job = submit_activity(
        practice=practice,
        kind=K.PAYMENT,
        payload={
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "birthdate": patient.birthdate.isoformat(),
            "amount": "80.00",
            "source": "online",
            "paid_on": "2026-01-05",
        },
        service="payments",
        idempotency_key="ascend-pay",
    ).job
    deliver_inline()
    job.refresh_from_db()
    assert job.display_status == "failed: Dentrix Ascend cannot take payments"
    assert job.attempts == 0
    assert sim_practice.store.count(r.PAYMENT) == payments
    assert len(sim_practice.requests()) == requests


def test_dentrix_ascend_still_takes_a_note(ascend, sim_practice):
    practice, patient = ascend
    job = submit_activity(
        practice=practice,
        kind=K.OUTGOING_SMS,
        payload={
            "patient_pms_id": patient.pms_id,
            "text": "See you Tuesday",
            "occurred_at": "2026-01-05T10:00",
        },
        service="messaging",
        idempotency_key="ascend-note",
    ).job
    deliver_inline()
    job.refresh_from_db()
    assert job.status == JobStatus.VERIFIED, job.display_status
    assert any(e["face"] == "dentrix_ascend" for e in writes(sim_practice))


# --- payment matching -----------------------------------------------------------


def test_a_payment_matching_one_patient_is_posted_to_them(wired, sim_practice):
    patient = mirrored(wired)
    job = pay(wired, "match-one", patient)
    deliver_inline()
    job.refresh_from_db()
    assert job.status == JobStatus.VERIFIED
    assert job.patient_pms_id == patient.pms_id
    payment = sim_practice.store.get(r.PAYMENT, int(job.pms_id))
    assert payment.patient_id == int(patient.pms_id)
    assert job.marker_text in payment.note


def test_a_payment_matching_nobody_waits_with_the_near_candidates(wired, sim_practice):
    patient = mirrored(wired)
    payments = sim_practice.store.count(r.PAYMENT)
    # Same last name and birthdate, another first name: a near match only.
    job = pay(wired, "match-none", patient, first_name="Zebulon")
    deliver_inline()
    job.refresh_from_db()
    assert job.display_status == (
        "manual: no patient matches this name and date of birth"
    )
    assert patient.pms_id in [c["pms_id"] for c in job.candidates]
    assert not job.patient_pms_id
    assert sim_practice.store.count(r.PAYMENT) == payments
    assert writes(sim_practice) == []


def test_a_payment_matching_several_waits_until_a_person_chooses(
    wired, sim_practice, staff_user
):
    patient = mirrored(wired)
    other = next(p for p in wired.patient_ids if p != patient.pms_id)
    # Two records in the mirror for one person (e.g. a duplicate chart).
    Patient.objects.filter(practice=wired.practice, pms_id=other).delete()
    Patient.objects.create(
        practice=wired.practice,
        pms_id=other,
        first_name=patient.first_name.upper(),
        last_name=patient.last_name,
        birthdate=patient.birthdate,
    )
    payments = sim_practice.store.count(r.PAYMENT)
    job = pay(wired, "match-several", patient)
    deliver_inline()
    job.refresh_from_db()
    assert job.display_status == (
        "manual: 2 patients match this name and date of birth"
    )
    assert sorted(c["pms_id"] for c in job.candidates) == sorted(
        [patient.pms_id, other]
    )
    assert sim_practice.store.count(r.PAYMENT) == payments

    post_manual_payment(job, other, staff_user)
    deliver_inline()
    job.refresh_from_db()
    assert job.status == JobStatus.VERIFIED
    payment = sim_practice.store.get(r.PAYMENT, int(job.pms_id))
    assert payment.patient_id == int(other)
    assert sim_practice.store.count(r.PAYMENT) == payments + 1


def test_with_automatic_sync_off_even_a_sure_match_waits(wired, sim_practice):
    WriteBackSettings.objects.filter(practice=wired.practice).update(
        auto_sync_payments=False
    )
    job = pay(wired, "match-off", mirrored(wired))
    deliver_inline()
    job.refresh_from_db()
    assert job.display_status == "manual: automatic payment sync is off"
    assert writes(sim_practice) == []
