"""Dentrix Ascend connector: "changed since" walks over `lastId` keyset pages.

Facts: other-pms-facts §1.4 (filter grammar, pageSize + lastId), §1.5 (shapes).
The cursor design is explained in pms/dentrix_ascend/query.py.
"""

from urllib.parse import parse_qs

import pytest

from pms.base import Entity, PmsError
from pms.dentrix_ascend import DentrixAscendConnector
from pms.dentrix_ascend.auth import TOKENS
from pms.simulator import records as r
from pms.simulator.faces.dentrix_ascend.resources import RESOURCES

from .faces import FACES

ASCEND = FACES["dentrix_ascend"]


@pytest.fixture
def connector(sim_practice, settings):
    settings.PMS_HTTP_BACKOFF_BASE = 0.01
    TOKENS.clear()
    connector = DentrixAscendConnector(ASCEND.config(sim_practice, page_size=20))
    yield connector
    connector.close()


def walk(connector, entity, cursor=None):
    """Read to the end; return (records, errors, cursor, pages)."""
    records, errors, pages = [], [], 0
    while True:
        page = connector.fetch_changed(entity, cursor)
        records += page.records
        errors += page.errors
        cursor, pages = page.cursor, pages + 1
        if not page.has_more:
            return records, errors, cursor, pages


LISTED_APPOINTMENT = RESOURCES["v1/appointments"].visible


def visible_patients(store):
    return store.query(r.PATIENT, where=lambda p: p.status != "deleted")


def queries(sim, path):
    return [
        parse_qs(q["query"])
        for q in sim.requests()
        if q["path"] == f"/ascend-gateway/api/{path}"
    ]


def test_the_first_walk_reads_every_visible_patient_once(connector, sim_practice):
    records, errors, _, pages = walk(connector, Entity.PATIENT)

    ids = [p.pms_id for p in records]
    assert not errors
    assert len(ids) == len(set(ids))
    expected = {ASCEND.pms_id(p.id) for p in visible_patients(sim_practice.store)}
    assert set(ids) == expected
    assert pages == len(ids) // 20 + 1
    sent = queries(sim_practice, "v1/patients")
    assert all(q["pageSize"] == ["20"] for q in sent)
    assert "lastId" not in sent[0]
    assert [q["lastId"][0] for q in sent[1:]] == ids[19::20]


def test_many_changes_in_one_second_all_arrive_exactly_once(connector, sim_practice):
    store = sim_practice.store
    _, _, cursor, _ = walk(connector, Entity.PATIENT)
    changed = visible_patients(store)[:95]
    with store.same_second():
        for patient in changed:
            store.update(r.PATIENT, patient.id, email=f"n{patient.id}@example.org")

    records, errors, cursor, pages = walk(connector, Entity.PATIENT, cursor)

    assert pages >= 5  # the busy second straddles several page boundaries
    assert not errors
    assert sorted(p.pms_id for p in records) == sorted(
        ASCEND.pms_id(p.id) for p in changed
    )
    for patient in records:
        store_id = int(patient.pms_id) - 7_000_000_000_000
        assert patient.email == f"n{store_id}@example.org"
    last = queries(sim_practice, "v1/patients")[-1]
    assert last["filter"][0].startswith("lastModified>=")


def test_nothing_new_means_nothing_delivered_twice(connector, sim_practice):
    store = sim_practice.store
    _, _, cursor, _ = walk(connector, Entity.PATIENT)
    store.update(r.PATIENT, visible_patients(store)[0].id, city="Provo")
    first, _, cursor, _ = walk(connector, Entity.PATIENT, cursor)

    again, _, _, _ = walk(connector, Entity.PATIENT, cursor)

    assert len(first) == 1
    assert again == []  # the overlap re-read it, and it was dropped as seen


def test_a_second_edit_in_the_same_second_still_arrives(connector, sim_practice):
    store = sim_practice.store
    store.clock.frozen = store.now()  # every later write gets the same stamp
    try:
        _, _, cursor, _ = walk(connector, Entity.PATIENT)
        patient = visible_patients(store)[0]
        store.update(r.PATIENT, patient.id, city="Provo")
        first, _, cursor, _ = walk(connector, Entity.PATIENT, cursor)
        store.update(r.PATIENT, patient.id, city="Ogden")
        second, _, _, _ = walk(connector, Entity.PATIENT, cursor)
    finally:
        store.clock.frozen = None

    assert [p.raw["city"] for p in first] == ["Provo"]
    assert [p.raw["city"] for p in second] == ["Ogden"]


def test_a_row_edited_behind_the_walk_arrives_in_the_next_walk(connector, sim_practice):
    store = sim_practice.store
    _, _, cursor, _ = walk(connector, Entity.APPOINTMENT)
    first = connector.fetch_changed(Entity.APPOINTMENT, cursor)
    # an id the walk has passed, of a row the face lists (not a patient note)
    early = store.query(r.APPOINTMENT, where=LISTED_APPOINTMENT)[0]
    store.update(r.APPOINTMENT, early.id, note="moved while we read")
    _, _, cursor, _ = walk(connector, Entity.APPOINTMENT, first.cursor)

    later, _, _, _ = walk(connector, Entity.APPOINTMENT, cursor)

    assert ASCEND.pms_id(early.id) in {a.pms_id for a in later}


def test_appointments_map_to_typed_records(connector, sim_practice):
    appointment = sim_practice.store.query(
        r.APPOINTMENT, where=lambda a: a.status == "scheduled"
    )[0]

    found = connector.fetch_appointment(ASCEND.pms_id(appointment.id))

    assert found.patient_pms_id == ASCEND.pms_id(appointment.patient_id)
    assert found.duration_minutes == appointment.length_min
    local = found.start_at.astimezone(sim_practice.store.clock.tz)
    assert local.replace(tzinfo=None) == appointment.start
    assert found.confirmation_pms_id == found.status


@pytest.mark.parametrize("entity", [Entity.PROVIDER, Entity.PROCEDURE, Entity.PAYMENT])
def test_the_other_feeds_walk_too(connector, entity):
    records, errors, _, _ = walk(connector, entity)

    assert records and not errors


def test_a_malformed_record_names_its_id_and_the_rest_arrives(connector, sim_practice):
    sim_practice.set_faults(
        script=["malformed"], mutations=["impossible_date"], methods=["GET"]
    )

    page = connector.fetch_changed(Entity.PATIENT, None)

    assert len(page.errors) == 1 and len(page.records) == 19
    error = page.errors[0]
    assert error.pms_id and error.pms_id.startswith("7000000")
    assert "dateOfBirth" in error.reason


def test_an_unknown_patient_is_a_permanent_404(connector):
    with pytest.raises(PmsError) as caught:
        connector.fetch_patient("7999999999999")

    assert (caught.value.status, caught.value.permanent) == (404, True)


def test_a_garbled_cursor_is_a_permanent_error(connector):
    with pytest.raises(PmsError) as caught:
        connector.fetch_changed(Entity.PATIENT, "{not json")

    assert caught.value.permanent is True
