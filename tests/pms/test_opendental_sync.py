"""Open Dental change feeds, deletions and pacing, against the simulator."""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connections

from pms.base import Entity, IdWindow, Lane, PmsError
from pms.simulator import records as r

from .faces import FACES

HOOKS = FACES["open_dental"]


@pytest.fixture
def sim(sim_practice, settings):
    settings.PMS_HTTP_BACKOFF_BASE = 0.01
    return sim_practice


@pytest.fixture
def od(sim):
    made = []

    def make(**overrides):
        from pms.registry import connector_for

        connector = connector_for(
            HOOKS.config(sim, **overrides), overrides.pop("lane", Lane.INCREMENTAL)
        )
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


def walk(connector, entity, cursor=None):
    records = []
    while True:
        page = connector.fetch_changed(entity, cursor)
        records += page.records
        cursor = page.cursor
        if not page.has_more:
            return records, cursor


def test_a_walk_after_no_changes_delivers_nothing_again(sim, od):
    connector = od()
    _, cursor = walk(connector, Entity.APPOINTMENT)
    for appointment in sim.store.query(r.APPOINTMENT)[:5]:
        sim.store.update(r.APPOINTMENT, appointment.id, note="moved")
    first, cursor = walk(connector, Entity.APPOINTMENT, cursor)

    again, _ = walk(connector, Entity.APPOINTMENT, cursor)

    assert len(first) == 5  # all inside the overlap window of the next walk
    assert again == []


def test_a_second_edit_in_the_same_second_is_not_mistaken_for_a_duplicate(sim, od):
    store = sim.store
    now = store.now()
    store.clock.frozen = now
    try:
        patient = sim.live_patients()[0]
        connector = od()
        _, cursor = walk(connector, Entity.PATIENT)
        with store.same_second(now):
            store.update(r.PATIENT, patient.id, email="first@x.org")
        first, cursor = walk(connector, Entity.PATIENT, cursor)
        with store.same_second(now):
            store.update(r.PATIENT, patient.id, email="second@x.org")
        second, _ = walk(connector, Entity.PATIENT, cursor)
    finally:
        store.clock.frozen = None

    assert [p.email for p in first if p.pms_id == str(patient.id)] == ["first@x.org"]
    assert [p.email for p in second if p.pms_id == str(patient.id)] == ["second@x.org"]


def test_a_change_made_during_a_walk_arrives_exactly_once(sim, od):
    connector = od()
    first_page = connector.fetch_changed(Entity.PATIENT, None)
    read = sim.store.query(r.PATIENT)[0]  # on the page already read
    unread = sim.store.query(r.PATIENT)[-1]  # on a page not read yet
    sim.store.clock.offset = timedelta(seconds=90)  # later than the overlap
    try:
        sim.store.update(r.PATIENT, read.id, email="behind@x.org")
        sim.store.update(r.PATIENT, unread.id, email="ahead@x.org")
        rest, cursor = walk(connector, Entity.PATIENT, first_page.cursor)
        following, _ = walk(connector, Entity.PATIENT, cursor)
    finally:
        sim.store.clock.offset = timedelta(0)

    def emails(pages, pms_id):
        return [p.email for p in pages if p.pms_id == str(pms_id)]

    # The change behind the walk comes with the next one; the change ahead of it
    # comes with this walk, and the next walk's overlap does not repeat it.
    assert emails(rest, read.id) == [] and emails(following, read.id) == [
        "behind@x.org"
    ]
    assert emails(rest, unread.id) == ["ahead@x.org"]
    assert emails(following, unread.id) == []


def test_soft_deletions_arrive_as_deleted_records(sim, od):
    connector = od()
    _, patients = walk(connector, Entity.PATIENT)
    _, procedures = walk(connector, Entity.PROCEDURE)
    patient = sim.live_patients()[0]
    procedure = sim.store.query(r.PROCEDURE, where=lambda p: p.status == "planned")[0]
    sim.store.update(r.PATIENT, patient.id, status="deleted")
    sim.store.update(r.PROCEDURE, procedure.id, status="deleted")

    changed_patients, _ = walk(connector, Entity.PATIENT, patients)
    changed_procedures, _ = walk(connector, Entity.PROCEDURE, procedures)

    assert {p.pms_id for p in changed_patients if p.is_deleted} == {str(patient.id)}
    assert {p.pms_id for p in changed_procedures if p.is_deleted} == {str(procedure.id)}


def test_a_deleted_appointment_is_reported_once(sim, od):
    connector = od()
    cursor = connector.fetch_deletions(None).cursor
    appointment = sim.store.query(r.APPOINTMENT)[-1]
    sim.store.delete(r.APPOINTMENT, appointment.id)

    first = connector.fetch_deletions(cursor)
    again = connector.fetch_deletions(first.cursor)

    assert [(d.entity, d.pms_id) for d in first.records] == [
        (Entity.APPOINTMENT, str(appointment.id))
    ]
    assert first.records[0].deleted_at is not None
    assert again.records == []


def test_untracked_deletions_show_up_as_missing_ids(sim, od):
    connector = od()
    payment = sim.store.query(r.PAYMENT)[-1]
    commlog = sim.store.query(r.COMMLOG)[-1]
    payments = IdWindow(Entity.PAYMENT, since=payment.entered)
    notes = IdWindow(Entity.NOTE, patient_pms_id=str(commlog.patient_id))
    before = set(connector.fetch_present_ids(payments, None).records)
    notes_before = set(connector.fetch_present_ids(notes, None).records)
    sim.store.delete(r.PAYMENT, payment.id)  # §3.4: hard and untracked
    sim.store.delete(r.COMMLOG, commlog.id)

    after = set(connector.fetch_present_ids(payments, None).records)
    notes_after = set(connector.fetch_present_ids(notes, None).records)

    assert before - after == {str(payment.id)}
    assert notes_before - notes_after == {str(commlog.id)}


def test_commlogs_are_listed_only_per_patient(od):
    with pytest.raises(PmsError) as caught:
        od().fetch_present_ids(IdWindow(Entity.NOTE), None)

    assert caught.value.permanent is True


def test_workers_sharing_a_connection_never_trip_the_offices_throttle(
    sim, od, transactional_db
):
    # §4.3: the office answers over-limit calls; the budget must keep us under.
    sim.settings(rate_interval_ms=300, rate_mode="reject")
    config = HOOKS.config(sim, request_interval_ms=300)
    failures = []

    def worker(lane):
        from pms.registry import connector_for

        connector = connector_for(config, lane)
        try:
            for _ in range(3):
                connector.fetch_changed(Entity.PROVIDER, None)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connector.close()
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(lane,))
        for lane in (Lane.INITIAL, Lane.FAST, Lane.INCREMENTAL)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not failures
    assert sim.violations("opendental") == 0
    assert len([q for q in sim.requests() if q["path"] == "/providers"]) == 9


def test_a_change_after_the_clock_goes_back_an_hour_in_autumn_arrives(
    make_sim_practice, settings
):
    # Open Dental stamps rows with the office's wall clock (§3.3). At the end of
    # daylight saving time it repeats 01:00-02:00, so a row changed after that
    # carries a stamp earlier than the watermark taken just before.
    from pms.registry import connector_for

    settings.PMS_HTTP_BACKOFF_BASE = 0.01
    sim = make_sim_practice(time_zone="America/New_York")
    store = sim.store
    first, second, later = (a.id for a in store.query(r.APPOINTMENT)[:3])
    connector = connector_for(HOOKS.config(sim), Lane.INCREMENTAL)
    store.clock.frozen = datetime(2025, 11, 2, 1, 59, 40)  # EDT, the first pass
    try:
        _, cursor = walk(connector, Entity.APPOINTMENT)
        store.update(r.APPOINTMENT, first, note="before the clock went back")
        before, cursor = walk(connector, Entity.APPOINTMENT, cursor)
        store.clock.frozen = datetime(2025, 11, 2, 1, 0, 10, fold=1)  # EST
        store.update(r.APPOINTMENT, second, note="after the clock went back")
        after, cursor = walk(connector, Entity.APPOINTMENT, cursor)
        store.clock.frozen = datetime(2025, 11, 2, 2, 5, 0)
        store.update(r.APPOINTMENT, later, note="an hour on")
        last, _ = walk(connector, Entity.APPOINTMENT, cursor)
    finally:
        store.clock.frozen = None
        connector.close()

    def notes(records):
        return {a.pms_id: a.note for a in records}

    assert notes(before)[str(first)] == "before the clock went back"
    assert notes(after)[str(second)] == "after the clock went back"
    assert notes(last)[str(later)] == "an hour on"
    assert store.stepped_back  # the simulator's stamps went back too


def test_planned_visits_and_the_unscheduled_list_arrive_off_the_schedule(sim, od):
    records, _ = walk(od(), Entity.APPOINTMENT)
    by_status: dict[str, set[bool]] = {}
    for appointment in records:
        by_status.setdefault(appointment.status, set()).add(appointment.on_schedule)
    assert by_status["Planned"] == {False}
    assert by_status["Scheduled"] == {True}
    assert by_status["Complete"] == {True}
