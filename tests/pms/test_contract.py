"""The connector contract: every registered connector, against its simulator face.

Written against pms.base only. A face joins by registering its connector in
pms.registry.CONNECTORS and adding its hooks to tests/pms/faces.py.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from pms.base import (
    AppointmentRequest,
    Capability,
    ConfirmationRequest,
    Connector,
    DocumentRequest,
    Entity,
    Lane,
    NoteChannel,
    NoteDirection,
    NoteRequest,
    PatientRequest,
    PaymentRequest,
    PmsError,
    PmsOutcomeUnknown,
    WriteKind,
)
from pms.registry import connector_for
from pms.simulator import records as r
from pms.simulator.faults import MUTATIONS

from .faces import FACES, FaceHooks, contract_faces


@dataclass
class Contract:
    hooks: FaceHooks
    sim: Any  # tests.fixtures.simulator.SimPractice
    made: list[Connector] = field(default_factory=list)

    @property
    def store(self):
        return self.sim.store

    def connector(self, lane: Lane = Lane.INCREMENTAL, **overrides: Any) -> Connector:
        connector = connector_for(self.hooks.config(self.sim, **overrides), lane)
        self.made.append(connector)
        return connector

    def pms_id(self, store_id: int) -> str:
        return self.hooks.pms_id(store_id)

    def walk(self, connector: Connector, entity: Entity, cursor: str | None = None):
        """Read `entity` to the end; return (records, errors, cursor, pages)."""
        records, errors, pages = [], [], 0
        while True:
            page = connector.fetch_changed(entity, cursor)
            records += page.records
            errors += page.errors
            cursor, pages = page.cursor, pages + 1
            if not page.has_more:
                return records, errors, cursor, pages
            assert pages < 500, "the walk never ends"

    def deletions(self, connector: Connector, cursor: str | None = None):
        found = []
        while True:
            page = connector.fetch_deletions(cursor)
            found += page.records
            cursor = page.cursor
            if not page.has_more:
                return found, cursor

    def live_patients(self) -> list[Any]:
        return self.sim.live_patients()

    def scheduled_appointment(self) -> Any:
        """Return the latest scheduled appointment of the practice."""
        return self.store.query(r.APPOINTMENT, where=lambda a: a.status == "scheduled")[
            -1
        ]

    def requests(self) -> list[dict[str, Any]]:
        return [q for q in self.sim.requests() if q["face"] == self.hooks.sim_face]


@pytest.fixture(params=contract_faces())
def face(request, make_sim_practice, settings):
    hooks = FACES[request.param]
    sim = make_sim_practice()
    assert hooks.sim_face in sim.base_urls, (
        f"the simulator lost its {hooks.sim_face} face"
    )
    settings.PMS_HTTP_BACKOFF_BASE = 0.01
    settings.PMS_HTTP_BACKOFF_CAP = 0.05
    contract = Contract(hooks, sim)
    yield contract
    for connector in contract.made:
        connector.close()


def reference(connector: Connector) -> dict[str, list[Any]]:
    values: dict[str, list[Any]] = {}
    for value in connector.fetch_reference():
        if value.active:
            values.setdefault(value.kind, []).append(value)
    return values


def marker() -> str:
    return f"contract-{uuid.uuid4().hex[:10]}"


# --- reads -------------------------------------------------------------------------


def test_it_pages_to_the_end(face, db):
    records, errors, _, pages = face.walk(face.connector(), Entity.PATIENT)

    ids = [record.pms_id for record in records]
    assert pages > 1
    assert not errors
    assert len(ids) == len(set(ids))
    listed = face.store.query(
        r.PATIENT,
        where=None if face.hooks.lists_deleted else lambda p: p.status != "deleted",
    )
    assert set(ids) == {face.pms_id(p.id) for p in listed}


def test_it_returns_every_change_made_in_one_second_across_page_boundaries(face, db):
    store = face.store
    face.sim.settings(stamp_filter="exclusive")  # "changed after": the strict case
    now = store.now()
    store.clock.frozen = now  # the office clock stands still: same-second stamps
    try:
        connector = face.connector()
        _, _, cursor, _ = face.walk(connector, Entity.PATIENT)
        changed = face.live_patients()[:250]
        with store.same_second(now):
            for patient in changed:
                store.update(r.PATIENT, patient.id, email=f"new-{patient.id}@x.org")
        records, errors, _, pages = face.walk(connector, Entity.PATIENT, cursor)
    finally:
        store.clock.frozen = None

    got = {record.pms_id: record for record in records}
    assert pages > 1
    assert not errors
    assert {face.pms_id(p.id) for p in changed} <= set(got)
    for patient in changed:
        assert got[face.pms_id(patient.id)].email == f"new-{patient.id}@x.org"


def test_a_walk_from_a_watermark_brings_what_changed_after_it_only(face, db):
    store = face.store
    connector = face.connector(Lane.FAST)
    mark = connector.watermark(Entity.APPOINTMENT, store.now())
    assert mark is not None
    appointment = face.scheduled_appointment()
    store.update(r.APPOINTMENT, appointment.id, note="moved after the watermark")

    records, errors, _, _ = face.walk(connector, Entity.APPOINTMENT, mark)

    assert not errors
    assert face.pms_id(appointment.id) in {a.pms_id for a in records}
    assert len(records) < store.count(r.APPOINTMENT) / 10  # not a full walk


def test_it_reports_deleted_appointments_and_patients(face, db):
    connector = face.connector(Lane.FAST)
    _, deletion_cursor = face.deletions(connector)
    _, _, appointment_cursor, _ = face.walk(connector, Entity.APPOINTMENT)
    _, _, patient_cursor, _ = face.walk(connector, Entity.PATIENT)
    appointment = face.scheduled_appointment()
    patient = face.live_patients()[0]
    face.store.delete(r.APPOINTMENT, appointment.id)  # a hard delete in the PMS UI
    face.store.update(r.PATIENT, patient.id, status="deleted")

    deletions, _ = face.deletions(connector, deletion_cursor)
    appointments, *_ = face.walk(connector, Entity.APPOINTMENT, appointment_cursor)
    patients, *_ = face.walk(connector, Entity.PATIENT, patient_cursor)

    def deleted(entity, changed):
        return {d.pms_id for d in deletions if d.entity == entity} | {
            c.pms_id for c in changed if c.is_deleted
        }

    assert face.pms_id(appointment.id) in deleted(Entity.APPOINTMENT, appointments)
    assert face.pms_id(patient.id) in deleted(Entity.PATIENT, patients)


def test_it_lists_reference_values_for_the_settings_pages(face, db):
    values = reference(face.connector())

    assert {"provider", "operatory"} <= set(values)
    assert all(v.pms_id and v.label for kind in values.values() for v in kind)


# --- writes and their read-back ------------------------------------------------------


def needs(connector: Connector, capability: Capability) -> None:
    assert connector.supports(capability), f"{connector.label} lost {capability}"


def refused_as_not_offered(face: Contract, connector: Connector) -> bool:
    """Return whether `connector` lacks payments, having checked that a payment is
    then refused as permanent, naming the PMS, before any request reaches it."""
    if connector.supports(Capability.WRITE_PAYMENT):
        return False
    request = PaymentRequest(
        patient_pms_id=face.pms_id(face.live_patients()[0].id),
        amount=Decimal("1.00"),
        payment_type_pms_id="1",
        paid_on=date.today(),
        provider_pms_id="1",
        marker=marker(),
        note="",
    )
    before = len(face.requests())
    with pytest.raises(PmsError) as refused:
        connector.post_payment(request)
    assert refused.value.permanent
    assert connector.label in str(refused.value)
    assert len(face.requests()) == before
    return True


def test_a_note_is_written_and_found_again(face, db):
    connector = face.connector(Lane.WRITE_BACK)
    needs(connector, Capability.WRITE_NOTE)
    values = reference(connector)
    patient = face.pms_id(face.live_patients()[0].id)
    mark = marker()

    result = connector.write_note(
        NoteRequest(
            patient_pms_id=patient,
            text="Patient confirmed by text",
            note_type_pms_id=values["note_type"][0].pms_id,
            provider_pms_id=values["provider"][0].pms_id,
            direction=NoteDirection.OUTGOING,
            channel=NoteChannel.SMS,
            occurred_at=datetime.now().astimezone(),
            marker=mark,
        )
    )

    assert result.pms_id
    assert connector.find_written(WriteKind.NOTE, patient, mark) == result.pms_id


def test_a_confirmation_is_written_and_read_back(face, db):
    connector = face.connector(Lane.WRITE_BACK)
    needs(connector, Capability.WRITE_CONFIRMATION)
    appointment = face.pms_id(face.scheduled_appointment().id)
    before = connector.fetch_appointment(appointment).confirmation_pms_id
    status = next(
        v for v in reference(connector)["appointment_status"] if v.pms_id != before
    )

    request = ConfirmationRequest(appointment, status.pms_id)
    assert connector.find_written_for(WriteKind.CONFIRMATION, request) is None

    connector.set_confirmation(request)

    assert connector.fetch_appointment(appointment).confirmation_pms_id == status.pms_id
    assert connector.find_written_for(WriteKind.CONFIRMATION, request) == appointment


def test_a_document_is_uploaded_and_found_again(face, db):
    connector = face.connector(Lane.WRITE_BACK)
    needs(connector, Capability.WRITE_DOCUMENT)
    values = reference(connector)
    patient = face.pms_id(face.live_patients()[0].id)
    mark = marker()

    result = connector.upload_document(
        DocumentRequest(
            patient_pms_id=patient,
            category_pms_id=values["document_category"][0].pms_id,
            filename="intake-form.pdf",
            content=b"%PDF-1.4 contract test",
            description="Intake form",
            provider_pms_id=values["provider"][0].pms_id,
            marker=mark,
        )
    )

    assert result.pms_id
    assert connector.find_written(WriteKind.DOCUMENT, patient, mark) == result.pms_id


def test_a_new_patient_is_created_and_read_back(face, db):
    connector = face.connector(Lane.WRITE_BACK)
    needs(connector, Capability.WRITE_PATIENT)
    provider = reference(connector)["provider"][0].pms_id
    request = PatientRequest(
        first_name="Contract",
        last_name=f"Tester{uuid.uuid4().hex[:6]}",
        birthdate=date(1990, 4, 12),
        provider_pms_id=provider,
        marker=marker(),
        email="contract@example.org",
        phone="(555)201-3344",
    )

    result = connector.create_patient(request)

    patient = connector.fetch_patient(result.pms_id)
    assert (patient.first_name, patient.last_name) == ("Contract", request.last_name)
    assert patient.birthdate == date(1990, 4, 12)
    # What the write-back's read-back compares (writeback.writes.differences).
    assert patient.email.casefold() == "contract@example.org"
    assert "".join(c for c in patient.phone if c.isdigit()) == "5552013344"
    assert connector.find_written_for(WriteKind.PATIENT, request) == result.pms_id


def test_a_new_appointment_is_created_and_read_back(face, db):
    connector = face.connector(Lane.WRITE_BACK)
    needs(connector, Capability.WRITE_APPOINTMENT)
    values = reference(connector)
    patient = face.pms_id(face.live_patients()[0].id)
    start = (datetime.now(connector.config.time_zone) + timedelta(days=20)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    request = AppointmentRequest(
        patient_pms_id=patient,
        start_at=start,
        duration_minutes=40,
        provider_pms_id=values["provider"][0].pms_id,
        operatory_pms_id=values["operatory"][0].pms_id,
        marker=marker(),
        note="Booked online",
    )

    result = connector.create_appointment(request)

    appointment = connector.fetch_appointment(result.pms_id)
    assert appointment.patient_pms_id == patient
    assert appointment.start_at == start
    assert appointment.duration_minutes == 40
    assert connector.find_written_for(WriteKind.APPOINTMENT, request) == result.pms_id


def test_an_appointment_without_an_operatory_is_taken_as_the_capability_says(face, db):
    connector = face.connector(Lane.WRITE_BACK)
    needs(connector, Capability.WRITE_APPOINTMENT)
    request = AppointmentRequest(
        patient_pms_id=face.pms_id(face.live_patients()[0].id),
        start_at=(
            datetime.now(connector.config.time_zone) + timedelta(days=21)
        ).replace(hour=9, minute=0, second=0, microsecond=0),
        duration_minutes=30,
        provider_pms_id=reference(connector)["provider"][0].pms_id,
        operatory_pms_id="",
        marker=marker(),
    )

    if connector.supports(Capability.WRITE_APPOINTMENT_UNPLACED):
        result = connector.create_appointment(request)
        assert connector.fetch_appointment(result.pms_id).operatory_pms_id == ""
    else:
        posts = len([q for q in face.requests() if q["method"] == "POST"])
        with pytest.raises(PmsError, match="operatory") as caught:
            connector.create_appointment(request)
        assert caught.value.permanent is True
        assert len([q for q in face.requests() if q["method"] == "POST"]) == posts


def test_a_payment_is_posted_and_read_back(face, db):
    connector = face.connector(Lane.WRITE_BACK)
    if refused_as_not_offered(face, connector):
        return
    values = reference(connector)
    patient = face.pms_id(face.live_patients()[0].id)
    _, _, cursor, _ = face.walk(connector, Entity.PAYMENT)
    request = PaymentRequest(
        patient_pms_id=patient,
        amount=Decimal("42.50"),
        payment_type_pms_id=values["payment_type"][0].pms_id,
        paid_on=datetime.now(connector.config.time_zone).date(),
        provider_pms_id=values["provider"][0].pms_id,
        marker=marker(),
        note="Paid online",
    )

    result = connector.post_payment(request)

    payments, *_ = face.walk(connector, Entity.PAYMENT, cursor)
    posted = {p.pms_id: p for p in payments}[result.pms_id]
    assert (posted.patient_pms_id, posted.amount) == (patient, Decimal("42.50"))
    assert connector.find_written_for(WriteKind.PAYMENT, request) == result.pms_id


def test_a_fee_is_posted_or_refused_as_unsupported(face, db):
    connector = face.connector(Lane.WRITE_BACK)
    if refused_as_not_offered(face, connector):
        return
    values = reference(connector)
    request = PaymentRequest(
        patient_pms_id=face.pms_id(face.live_patients()[0].id),
        amount=Decimal("3.00"),
        payment_type_pms_id=values["payment_type"][0].pms_id,
        paid_on=datetime.now(connector.config.time_zone).date(),
        provider_pms_id=values["provider"][0].pms_id,
        marker=marker(),
        is_fee=True,
    )

    if connector.supports(Capability.WRITE_FEE):
        assert connector.post_payment(request).pms_id
    else:
        posts = len([q for q in face.requests() if q["method"] == "POST"])
        with pytest.raises(PmsError) as caught:
            connector.post_payment(request)
        assert caught.value.permanent is True
        assert len([q for q in face.requests() if q["method"] == "POST"]) == posts


# --- failures ------------------------------------------------------------------------


def test_an_auth_failure_is_a_permanent_error_a_person_can_act_on(face, db):
    good = face.hooks.credentials(face.sim.credentials)
    bad = {key: f"wrong-{value}" for key, value in good.items()}

    with pytest.raises(PmsError) as caught:
        face.connector(credentials=bad).fetch_changed(Entity.PATIENT, None)

    error = caught.value
    assert error.permanent is True
    assert error.status in (401, 403)
    assert error.args[0].startswith(face.connector().label)
    assert f"({error.status})" in str(error)


def test_a_429_with_retry_after_is_honoured_then_the_call_succeeds(face, db):
    connector = face.connector()
    connector.fetch_reference()  # any sign-in happens before the fault
    face.sim.set_faults(script=["429"], retry_after=1, methods=["GET"])

    started = time.monotonic()
    page = connector.fetch_changed(Entity.PATIENT, None)

    assert page.records
    assert time.monotonic() - started >= 0.95
    statuses = [q["status"] for q in face.requests()[-2:]]
    assert statuses == [429, 200]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_retried_then_the_call_succeeds(face, db, status):
    connector = face.connector()
    connector.fetch_reference()
    face.sim.set_faults(script=["5xx"], error_status=status, methods=["GET"])

    page = connector.fetch_changed(Entity.APPOINTMENT, None)

    assert page.records
    assert [q["status"] for q in face.requests()[-2:]] == [status, 200]


def test_a_read_timeout_is_retried_then_the_call_succeeds(face, db):
    connector = face.connector(read_timeout=0.5)
    connector.fetch_reference()
    face.sim.set_faults(script=["timeout"], hang_seconds=2, methods=["GET"])

    started = time.monotonic()
    page = connector.fetch_changed(Entity.PATIENT, None)

    assert page.records
    assert face.sim.practice.faults.injected["timeout"] == 1
    assert 0.5 <= time.monotonic() - started < 2  # gave up waiting, asked again


def test_a_truncated_answer_is_read_again(face, db):
    connector = face.connector()
    connector.fetch_reference()
    face.sim.set_faults(script=["truncate"], methods=["GET"])

    page = connector.fetch_changed(Entity.PATIENT, None)

    assert page.records and not page.errors
    assert face.sim.practice.faults.injected["truncate"] == 1


def test_a_write_whose_answer_is_lost_is_outcome_unknown_then_found(face, db):
    connector = face.connector(Lane.WRITE_BACK, read_timeout=0.5)
    needs(connector, Capability.WRITE_NOTE)
    values = reference(connector)
    patient = face.pms_id(face.live_patients()[0].id)
    mark = marker()
    face.sim.set_faults(
        script=["timeout_after_write"], hang_seconds=2, methods=["POST"]
    )
    sent_before = len([q for q in face.requests() if q["method"] == "POST"])

    with pytest.raises(PmsOutcomeUnknown):
        connector.write_note(
            NoteRequest(
                patient_pms_id=patient,
                text="Left a voicemail",
                note_type_pms_id=values["note_type"][0].pms_id,
                provider_pms_id=values["provider"][0].pms_id,
                direction=NoteDirection.OUTGOING,
                channel=NoteChannel.PHONE,
                occurred_at=datetime.now().astimezone(),
                marker=mark,
            )
        )

    time.sleep(2)  # the simulator's hang ends: no second POST may have followed
    posts = [q for q in face.requests() if q["method"] == "POST"]
    assert len(posts) == sent_before + 1
    assert connector.find_written(WriteKind.NOTE, patient, mark)


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_malformed_record_is_a_record_error_and_the_rest_is_delivered(
    face, db, mutation
):
    connector = face.connector()
    connector.fetch_reference()
    clean = connector.fetch_changed(Entity.PATIENT, None)
    face.sim.set_faults(script=["malformed"], mutations=[mutation], methods=["GET"])

    page = connector.fetch_changed(Entity.PATIENT, None)

    assert len(page.errors) == 1
    error = page.errors[0]
    assert error.entity == Entity.PATIENT and error.reason
    if mutation == "impossible_date":  # the id is intact, so the error names it
        assert error.pms_id in {r.pms_id for r in clean.records}
    assert len(page.records) == len(clean.records) - 1
    assert {r.pms_id for r in page.records} < {r.pms_id for r in clean.records}
    following = connector.fetch_changed(Entity.PATIENT, page.cursor)
    assert following.records and not following.errors
