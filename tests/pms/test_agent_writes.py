"""Write-back through the agent: commands by idempotency key, polled until done."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

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
from pms.simulator import records as r
from pms.simulator.faces.agent.journal import agent_state

from .test_agent_reads import LABELS, connect, silence

NOTE_TYPE = {"eaglesoft": "7", "dentrix": "5"}  # comm log / text message


@pytest.fixture(autouse=True)
def quick(settings):
    settings.PMS_HTTP_BACKOFF_BASE = 0.01
    settings.PMS_AGENT_COMMAND_WAIT = 5


@pytest.fixture
def connector(sim_practice, vendor):
    made = connect(sim_practice, vendor)
    yield made
    made.close()


@pytest.fixture
def patient(sim_practice) -> str:
    return str(sim_practice.store.query(r.PATIENT, limit=1)[0].id)


def control(sim_practice, vendor: str, **settings) -> None:
    agent_state(sim_practice.practice.state(vendor)).control(settings)


def note(vendor: str, patient: str, marker: str) -> NoteRequest:
    return NoteRequest(
        patient_pms_id=patient,
        text="Outgoing SMS: see you Tuesday",
        note_type_pms_id=NOTE_TYPE[vendor],
        provider_pms_id="DOC1",
        direction=NoteDirection.OUTGOING,
        channel=NoteChannel.SMS,
        occurred_at=datetime(2025, 6, 2, 15, 30, tzinfo=ZoneInfo("UTC")),
        marker=marker,
    )


def test_a_note_is_written_found_by_its_marker_and_in_the_pms(
    connector, sim_practice, vendor, patient
):
    result = connector.write_note(note(vendor, patient, "PbN-" + "a" * 32))
    stored = sim_practice.store.get(r.COMMLOG, int(result.pms_id))
    assert stored.patient_id == int(patient)
    assert "see you Tuesday" in stored.note
    found = connector.find_written(WriteKind.NOTE, patient, "PbN-" + "a" * 32)
    assert found == result.pms_id
    assert connector.find_written(WriteKind.NOTE, patient, "PbN-never") is None


def test_every_write_kind_lands_in_the_pms(connector, sim_practice, vendor, patient):
    store = sim_practice.store
    values = connector.fetch_reference()

    def first(kind: str) -> str:
        return next(v.pms_id for v in values if v.kind == kind and v.active)

    new = connector.create_patient(
        PatientRequest("Ada", "Agent", date(1990, 4, 5), "DOC1", "PbN-p")
    )
    assert connector.fetch_patient(new.pms_id).last_name == "Agent"
    start = datetime(2025, 6, 20, 9, 0, tzinfo=connector.tz)
    booked = connector.create_appointment(
        AppointmentRequest(new.pms_id, start, 40, "DOC1", first("operatory"), "PbN-a")
    )
    appointment = connector.fetch_appointment(booked.pms_id)
    assert (appointment.start_at, appointment.duration_minutes) == (start, 40)
    status = [v for v in values if v.kind == "appointment_status"][1].pms_id
    connector.set_confirmation(ConfirmationRequest(booked.pms_id, status))
    assert connector.fetch_appointment(booked.pms_id).confirmation_pms_id == status
    paid = connector.post_payment(
        PaymentRequest(
            new.pms_id,
            Decimal("45.10"),
            first("payment_type"),
            date(2025, 6, 2),
            "DOC1",
            "PbN-pay",
        )
    )
    assert store.get(r.PAYMENT, int(paid.pms_id)).amount_cents == 4510
    document = connector.upload_document(
        DocumentRequest(
            new.pms_id,
            first("document_category"),
            "consent.pdf",
            b"%PDF-1.4",
            "Consent",
            "DOC1",
            "PbN-doc",
        )
    )
    assert store.get(r.DOCUMENT, int(document.pms_id)).content == b"%PDF-1.4"


def test_a_refused_write_is_a_permanent_error_with_the_reason(connector, vendor):
    with pytest.raises(PmsError) as caught:
        connector.write_note(note(vendor, "999999", "PbN-refused"))
    assert caught.value.permanent
    assert str(caught.value).endswith("patient 999999 does not exist")


def test_resending_the_same_marker_returns_the_first_result(
    connector, sim_practice, vendor, patient
):
    first = connector.write_note(note(vendor, patient, "PbN-twice"))
    count = sim_practice.store.count(r.COMMLOG)
    again = connector.write_note(note(vendor, patient, "PbN-twice"))
    assert again == first
    assert sim_practice.store.count(r.COMMLOG) == count


def test_a_retryable_failure_is_transient_and_the_retry_succeeds(
    connector, sim_practice, vendor, patient
):
    control(sim_practice, vendor, fail_next=["the database is locked"])
    with pytest.raises(PmsError) as caught:
        connector.write_note(note(vendor, patient, "PbN-locked"))
    assert not caught.value.permanent
    assert "the database is locked" in str(caught.value)
    result = connector.write_note(note(vendor, patient, "PbN-locked"))
    assert sim_practice.store.get(r.COMMLOG, int(result.pms_id))


def test_a_slow_agent_is_outcome_unknown_then_found_without_a_duplicate(
    connector, sim_practice, vendor, patient, settings
):
    settings.PMS_AGENT_COMMAND_WAIT = 0.3
    slow = connect(sim_practice, vendor)  # reads the shorter wait
    control(sim_practice, vendor, command_delay=60)
    with pytest.raises(PmsOutcomeUnknown) as caught:
        slow.write_note(note(vendor, patient, "PbN-slow"))
    assert "stays queued under key PbN-slow" in str(caught.value)
    assert slow.find_written(WriteKind.NOTE, patient, "PbN-slow") is None
    count = sim_practice.store.count(r.COMMLOG)
    control(sim_practice, vendor, command_delay=0)  # the agent catches up
    found = slow.find_written(WriteKind.NOTE, patient, "PbN-slow")
    assert found and sim_practice.store.count(r.COMMLOG) == count + 1
    assert slow.write_note(note(vendor, patient, "PbN-slow")).pms_id == found
    assert sim_practice.store.count(r.COMMLOG) == count + 1


def test_a_write_to_a_silent_agent_is_queued_and_outcome_unknown(
    connector, sim_practice, vendor, patient
):
    silence(sim_practice, vendor, hours=2)
    with pytest.raises(PmsOutcomeUnknown) as caught:
        connector.write_note(note(vendor, patient, "PbN-asleep"))
    assert str(caught.value).startswith(f"{LABELS[vendor]} agent silent since ")
    control(sim_practice, vendor, silent_since=None)
    assert connector.find_written(WriteKind.NOTE, patient, "PbN-asleep")


def test_a_lost_answer_is_outcome_unknown_and_the_key_prevents_a_duplicate(
    sim_practice, vendor, patient
):
    connector = connect(sim_practice, vendor, read_timeout=0.4)
    sim_practice.set_faults(script=["timeout_after_write"], hang_seconds=1.0)
    count = sim_practice.store.count(r.COMMLOG)
    with pytest.raises(PmsOutcomeUnknown):
        connector.write_note(note(vendor, patient, "PbN-lost-answer"))
    found = connector.find_written(WriteKind.NOTE, patient, "PbN-lost-answer")
    assert found and sim_practice.store.count(r.COMMLOG) == count + 1
    again = connector.write_note(note(vendor, patient, "PbN-lost-answer"))
    assert again.pms_id == found
    assert sim_practice.store.count(r.COMMLOG) == count + 1


def test_an_id_the_vendor_cannot_take_fails_before_any_request(connector, vendor):
    with pytest.raises(PmsError) as caught:
        connector.write_note(note(vendor, "not-a-number", "PbN-bad-id"))
    assert caught.value.permanent


def test_confirmations_get_a_fresh_key_so_a_later_change_still_applies(
    connector, sim_practice
):
    appointment = sim_practice.store.query(
        r.APPOINTMENT, where=lambda a: a.status == "scheduled", limit=1
    )[0]
    statuses = [
        v.pms_id for v in connector.fetch_reference() if v.kind == "appointment_status"
    ]
    for status in (statuses[1], statuses[0], statuses[1]):
        connector.set_confirmation(ConfirmationRequest(str(appointment.id), status))
        fetched = connector.fetch_appointment(str(appointment.id))
        assert fetched.confirmation_pms_id == status


def test_times_are_written_as_the_practice_wall_clock(connector, vendor, patient):
    start = datetime(2025, 7, 1, 13, 0, tzinfo=ZoneInfo("UTC"))
    booked = connector.create_appointment(
        AppointmentRequest(patient, start, 30, "DOC1", "", "PbN-tz")
    )
    read = connector.fetch_appointment(booked.pms_id).start_at
    assert read == start and read.utcoffset() != timedelta(0)


def test_a_failure_after_the_command_was_queued_is_outcome_unknown(
    connector, sim_practice, vendor, patient
):
    sim_practice.set_faults(
        script=["5xx"] * 4, methods=["GET"], paths=["/commands/"], error_status=502
    )
    with pytest.raises(PmsOutcomeUnknown) as caught:
        connector.write_note(note(vendor, patient, "PbN-poll-failed"))
    assert "may still run under key PbN-poll-failed" in str(caught.value)
    assert connector.find_written(WriteKind.NOTE, patient, "PbN-poll-failed")
