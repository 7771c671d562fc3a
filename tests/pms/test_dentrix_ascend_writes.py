"""Dentrix Ascend connector: write-backs return the PMS id and are found by marker.

Facts: other-pms-facts §1.7 (writes seen), §1.5 (confirmation is a status value),
§1.6 (payment paths unknown), S3 (what PbN writes back to Ascend).
"""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from pms.base import (
    AppointmentRequest,
    ConfirmationRequest,
    DocumentRequest,
    NoteChannel,
    NoteDirection,
    NoteRequest,
    PatientRequest,
    PaymentRequest,
    PmsError,
    PmsOutcomeUnknown,
    WriteKind,
)
from pms.dentrix_ascend import DentrixAscendConnector
from pms.dentrix_ascend.auth import TOKENS
from pms.simulator import records as r

from .faces import FACES

ASCEND = FACES["dentrix_ascend"]
MARK = "PbN-0123456789abcdef0123456789abcdef"


@pytest.fixture
def connector(sim_practice, settings):
    settings.PMS_HTTP_BACKOFF_BASE = 0.01
    TOKENS.clear()
    connector = DentrixAscendConnector(ASCEND.config(sim_practice, read_timeout=0.5))
    yield connector
    connector.close()


def patient_id(sim):
    return ASCEND.pms_id(sim.live_patients()[0].id)


def provider_id(sim):
    return ASCEND.pms_id(sim.store.query(r.PROVIDER)[0].id)


def stored(sim, kind, pms_id):
    return sim.store.get(kind, int(pms_id) - 7_000_000_000_000)


def note(sim, marker=MARK):
    return NoteRequest(
        patient_pms_id=patient_id(sim),
        text="Outgoing SMS: see you Tuesday",
        note_type_pms_id=ASCEND.pms_id(sim.store.definitions(r.NOTE_TYPE)[0].id),
        provider_pms_id=provider_id(sim),
        direction=NoteDirection.OUTGOING,
        channel=NoteChannel.SMS,
        occurred_at=datetime(2025, 6, 1, 15, 30, tzinfo=UTC),
        marker=marker,
    )


def test_a_note_lands_as_a_patient_note_with_type_provider_and_marker(
    connector, sim_practice
):
    request = note(sim_practice)

    result = connector.write_note(request)

    row = stored(sim_practice, r.COMMLOG, result.pms_id)
    assert row.note == f"Outgoing SMS: see you Tuesday\n[pbnsync:{MARK}]"
    assert ASCEND.pms_id(row.type_id) == request.note_type_pms_id
    assert ASCEND.pms_id(row.provider_id) == request.provider_pms_id
    assert connector.find_written(WriteKind.NOTE, request.patient_pms_id, MARK) == (
        result.pms_id
    )
    assert (
        connector.find_written(WriteKind.NOTE, request.patient_pms_id, "PbN-x") is None
    )


def test_a_confirmation_puts_the_whole_record_back_with_the_new_status(
    connector, sim_practice
):
    store = sim_practice.store
    appointment = store.query(r.APPOINTMENT, where=lambda a: a.status == "scheduled")[0]
    store.update(r.APPOINTMENT, appointment.id, note="Bring insurance card")
    pms_id = ASCEND.pms_id(appointment.id)

    connector.set_confirmation(ConfirmationRequest(pms_id, "CONFIRMED"))

    after = connector.fetch_appointment(pms_id)
    assert after.confirmation_pms_id == "CONFIRMED"
    assert after.note == "Bring insurance card"
    put = [q for q in sim_practice.requests() if q["method"] == "PUT"]
    assert put[-1]["path"] == f"/ascend-gateway/api/v1/appointments/{pms_id}"


def test_unconfirming_reverts_the_status(connector, sim_practice):
    appointment = sim_practice.store.query(
        r.APPOINTMENT, where=lambda a: a.status == "scheduled"
    )[0]
    pms_id = ASCEND.pms_id(appointment.id)
    connector.set_confirmation(ConfirmationRequest(pms_id, "CONFIRMED"))

    connector.set_confirmation(ConfirmationRequest(pms_id, "UNCONFIRMED"))

    assert connector.fetch_appointment(pms_id).status == "UNCONFIRMED"


def test_a_document_keeps_its_bytes_category_and_marker(connector, sim_practice):
    category = sim_practice.store.definitions(r.DOCUMENT_CATEGORY)[0]
    request = DocumentRequest(
        patient_pms_id=patient_id(sim_practice),
        category_pms_id=ASCEND.pms_id(category.id),
        filename="consent.pdf",
        content=b"%PDF-1.4 signed",
        description="Informed consent",
        provider_pms_id=provider_id(sim_practice),
        marker=MARK,
    )

    result = connector.upload_document(request)

    row = stored(sim_practice, r.DOCUMENT, result.pms_id)
    assert (row.content, row.category_id, row.extension) == (
        b"%PDF-1.4 signed",
        category.id,
        ".pdf",
    )
    found = connector.find_written(WriteKind.DOCUMENT, request.patient_pms_id, MARK)
    assert found == result.pms_id


def test_a_new_patient_carries_the_marker_as_chart_number(connector, sim_practice):
    request = PatientRequest(
        first_name="Ana",
        last_name="Nuevo",
        birthdate=date(1990, 4, 12),
        provider_pms_id=provider_id(sim_practice),
        marker=MARK,
        phone="555-0100",
    )

    result = connector.create_patient(request)

    patient = connector.fetch_patient(result.pms_id)
    assert (patient.last_name, patient.phone) == ("Nuevo", "555-0100")
    assert patient.raw["chartNumber"] == MARK
    assert connector.find_written(WriteKind.PATIENT, "", MARK) == result.pms_id


def test_a_new_appointment_starts_unconfirmed(connector, sim_practice):
    start = datetime(2030, 1, 15, 15, 0, tzinfo=UTC)
    request = AppointmentRequest(
        patient_pms_id=patient_id(sim_practice),
        start_at=start,
        duration_minutes=45,
        provider_pms_id=provider_id(sim_practice),
        operatory_pms_id=ASCEND.pms_id(sim_practice.store.query(r.OPERATORY)[0].id),
        marker=MARK,
    )

    result = connector.create_appointment(request)

    appointment = connector.fetch_appointment(result.pms_id)
    assert (appointment.start_at, appointment.duration_minutes) == (start, 45)
    assert appointment.status == "UNCONFIRMED"
    assert appointment.note == f"[pbnsync:{MARK}]"
    posted = [q for q in sim_practice.requests() if q["method"] == "POST"][-1]
    assert posted["headers"]["Content-Type"] == "application/json"


def test_a_lost_answer_is_outcome_unknown_and_the_write_is_found(
    connector, sim_practice
):
    connector.fetch_reference()  # sign in before the fault
    sim_practice.set_faults(
        script=["timeout_after_write"], hang_seconds=1, methods=["POST"]
    )
    request = note(sim_practice, marker="PbN-lost")

    with pytest.raises(PmsOutcomeUnknown):
        connector.write_note(request)

    found = connector.find_written(WriteKind.NOTE, request.patient_pms_id, "PbN-lost")
    assert found and stored(sim_practice, r.COMMLOG, found)


def test_payments_are_refused_without_a_call(connector, sim_practice):
    before = len(sim_practice.requests())
    request = PaymentRequest(
        patient_pms_id=patient_id(sim_practice),
        amount=Decimal("10.00"),
        payment_type_pms_id="",
        paid_on=date(2025, 6, 1),
        provider_pms_id="",
        marker=MARK,
    )

    with pytest.raises(PmsError) as caught:
        connector.post_payment(request)

    assert caught.value.permanent is True
    assert len(sim_practice.requests()) == before


def test_a_refused_write_says_why(connector, sim_practice):
    request = note(sim_practice)
    bad = NoteRequest(**{**request.__dict__, "patient_pms_id": "7999999999999"})

    with pytest.raises(PmsError) as caught:
        connector.write_note(bad)

    assert (caught.value.status, caught.value.permanent) == (400, True)
    assert "does not exist" in str(caught.value)
    assert json.dumps(str(caught.value))  # a plain message, fit for a person
