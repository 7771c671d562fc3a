"""The practice's side unreachable: Open Dental's eConnector down (§4.1), a 503
elsewhere. Nothing was processed, so reads and writes alike may be tried again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from pms.base import (
    Entity,
    Lane,
    NoteChannel,
    NoteDirection,
    NoteRequest,
    PmsError,
    PmsOutcomeUnknown,
)
from pms.registry import connector_for
from pms.simulator import records as r

from .faces import FACES


@pytest.fixture
def connect(sim_practice, settings):
    settings.PMS_HTTP_BACKOFF_BASE = 0.01
    settings.PMS_HTTP_BACKOFF_CAP = 0.05
    made = []

    def make(face: str, lane: Lane = Lane.INCREMENTAL):
        connector = connector_for(FACES[face].config(sim_practice), lane)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


def note(patient_pms_id: str) -> NoteRequest:
    return NoteRequest(
        patient_pms_id=patient_pms_id,
        text="Called about the cleaning",
        note_type_pms_id="",
        provider_pms_id="",
        direction=NoteDirection.OUTGOING,
        channel=NoteChannel.PHONE,
        occurred_at=datetime(2026, 6, 2, 15, tzinfo=UTC),
        marker=f"PbN-{uuid.uuid4().hex}",
    )


def test_an_open_dental_read_fails_for_now_naming_the_econnector(sim_practice, connect):
    sim_practice.set_faults(script=["office_down"], paths=["patients"])

    with pytest.raises(PmsError) as caught:
        connect("open_dental").fetch_changed(Entity.PATIENT, None)

    assert not caught.value.permanent  # the run is tried again, the stream kept
    assert caught.value.status == 400
    assert "eConnector is not running" in str(caught.value)


def test_an_open_dental_write_it_refused_is_not_outcome_unknown_and_lands_once(
    sim_practice, connect
):
    od = connect("open_dental", Lane.WRITE_BACK)
    patient = sim_practice.store.query(r.PATIENT)[0]
    request = note(str(patient.id))
    before = sim_practice.store.count(r.COMMLOG)
    sim_practice.set_faults(script=["office_down"], methods=["POST"])

    with pytest.raises(PmsError) as caught:
        od.write_note(request)

    assert not isinstance(caught.value, PmsOutcomeUnknown)
    assert not caught.value.permanent
    assert sim_practice.store.count(r.COMMLOG) == before  # nothing relayed
    assert od.write_note(request).pms_id
    assert sim_practice.store.count(r.COMMLOG) == before + 1


def test_a_503_from_dentrix_ascend_is_retried_until_it_answers(sim_practice, connect):
    sim_practice.set_faults(script=["office_down"], paths=["patients"])

    page = connect("dentrix_ascend").fetch_changed(Entity.PATIENT, None)

    assert page.records
    assert [q["status"] for q in sim_practice.requests() if q["fault"]] == [503]
