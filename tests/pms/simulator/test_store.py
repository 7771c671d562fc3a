"""The vendor-neutral store: writes, sequence, stamps, indexes, tombstones."""

from datetime import date, datetime, timedelta

import pytest

from pms.simulator import records as r
from pms.simulator.store import Store, StoreError


@pytest.fixture
def store() -> Store:
    store = Store("America/Denver")
    store.clock.frozen = datetime(2025, 6, 2, 9, 0, 0)
    return store


def add_patient(store: Store, name: str = "Ann") -> r.Patient:
    return store.insert(r.PATIENT, r.Patient(last_name="Lee", first_name=name))


def add_appointment(store: Store, patient_id: int, start: datetime) -> r.Appointment:
    return store.insert(
        r.APPOINTMENT, r.Appointment(patient_id=patient_id, start=start)
    )


def test_it_assigns_ids_sequence_and_stamps(store):
    first, second = add_patient(store), add_patient(store, "Bo")
    assert (first.id, second.id) == (1, 2)
    assert (first.seq, second.seq) == (1, 2)
    assert first.modified_at == datetime(2025, 6, 2, 9, 0, 0)
    assert store.max_seq == 2


def test_it_updates_copy_on_write(store):
    old = add_patient(store)
    store.clock.frozen += timedelta(seconds=5)
    new = store.update(r.PATIENT, old.id, email="a@example.com")
    assert old.email == "" and new.email == "a@example.com"
    assert new.seq == 2 and new.created_seq == 1
    assert new.modified_at == datetime(2025, 6, 2, 9, 0, 5)
    assert store.get(r.PATIENT, old.id) is new


def test_it_ignores_an_update_that_changes_nothing(store):
    patient = add_patient(store)
    assert store.update(r.PATIENT, patient.id, first_name="Ann") is patient
    assert store.max_seq == 1


def test_its_clock_never_moves_backwards(store):
    add_patient(store)
    store.clock.frozen = datetime(2025, 6, 1, 0, 0, 0)
    later = add_patient(store, "Bo")
    assert later.modified_at == datetime(2025, 6, 2, 9, 0, 0)


def test_its_wall_clock_repeats_an_hour_when_daylight_saving_time_ends(store):
    # Denver, 2025-11-02: 02:00 MDT becomes 01:00 MST. Stamps are wall times.
    store.clock.frozen = datetime(2025, 11, 2, 1, 59, 30)  # MDT
    before = add_patient(store)
    store.clock.frozen = datetime(2025, 11, 2, 1, 0, 30, fold=1)  # MST, later
    after = add_patient(store, "Bo")
    appointment = add_appointment(store, after.id, datetime(2025, 11, 3, 8, 0))
    stone = store.delete(r.APPOINTMENT, appointment.id)

    assert after.modified_at < before.modified_at and store.stepped_back
    since = datetime(2025, 11, 2, 1, 0, 0)
    assert [p.id for p in store.query(r.PATIENT, since=since)] == [before.id, after.id]
    assert store.deletions(r.APPOINTMENT, since=since) == [stone]
    store.clock.frozen = datetime(2025, 11, 2, 1, 30, 0)  # MDT: an earlier instant
    assert add_patient(store, "Cy").modified_at == after.modified_at


def test_it_pages_changes_since_a_time_exclusively_or_inclusively(store):
    a = add_patient(store)
    store.clock.frozen += timedelta(seconds=1)
    b = add_patient(store, "Bo")
    store.update(r.PATIENT, a.id, email="x@example.com")
    since = datetime(2025, 6, 2, 9, 0, 0)
    assert [p.id for p in store.query(r.PATIENT, since=since)] == [b.id, a.id]
    assert len(store.query(r.PATIENT, since=since, inclusive=True)) == 2
    assert [p.id for p in store.query(r.PATIENT, since_seq=2)] == [a.id]


def test_it_pages_by_offset_and_by_keyset(store):
    for i in range(10):
        add_patient(store, f"P{i}")
    assert [p.id for p in store.query(r.PATIENT, offset=3, limit=2)] == [4, 5]
    assert [p.id for p in store.query(r.PATIENT, after_id=8)] == [9, 10]


def test_it_filters_by_patient_and_date_window(store):
    p1, p2 = add_patient(store), add_patient(store, "Bo")
    day = datetime(2025, 6, 3, 8, 0)
    a1 = add_appointment(store, p1.id, day)
    add_appointment(store, p2.id, day + timedelta(days=1))
    a3 = add_appointment(store, p1.id, day + timedelta(days=2))
    assert [a.id for a in store.query(r.APPOINTMENT, patient_id=p1.id)] == [
        a1.id,
        a3.id,
    ]
    window = store.query(r.APPOINTMENT, start=day, end=day + timedelta(days=1))
    assert [a.id for a in window] == [a1.id]
    store.update(r.APPOINTMENT, a1.id, start=day + timedelta(days=5), patient_id=p2.id)
    assert [a.id for a in store.query(r.APPOINTMENT, patient_id=p1.id)] == [a3.id]
    assert store.query(r.APPOINTMENT, start=day, end=day + timedelta(days=1)) == []


def test_it_leaves_a_tombstone_on_hard_delete(store):
    patient = add_patient(store)
    appt = add_appointment(store, patient.id, datetime(2025, 6, 3, 8, 0))
    stone = store.delete(r.APPOINTMENT, appt.id)
    assert store.get(r.APPOINTMENT, appt.id) is None
    assert stone.seq == 3 and stone.record is appt
    assert store.deletions(r.APPOINTMENT, since_seq=2) == [stone]
    assert store.deletions(r.APPOINTMENT, since_seq=3) == []
    assert store.query(r.APPOINTMENT, patient_id=patient.id) == []
    with pytest.raises(StoreError):
        store.delete(r.APPOINTMENT, appt.id)


def test_it_journals_runtime_writes(store):
    patient = add_patient(store)
    store.update(r.PATIENT, patient.id, email="e@example.com")
    actions = [(c.action, c.fields) for c in store.changes()]
    assert actions == [("create", ()), ("update", ("email",))]


def test_it_stamps_a_batch_with_one_second(store):
    store.clock.frozen = None
    with store.same_second() as stamp:
        made = [add_patient(store, f"P{i}") for i in range(20)]
    assert {p.modified_at for p in made} == {stamp}
    assert [p.seq for p in made] == list(range(1, 21))


def test_bulk_load_sequences_by_modified_at(store):
    old = r.Patient(
        id=1, last_name="A", first_name="B", modified_at=datetime(2024, 1, 2)
    )
    older = r.Patient(
        id=2, last_name="C", first_name="D", modified_at=datetime(2023, 1, 2)
    )
    store.bulk_load({r.PATIENT: [old, older]})
    assert (older.seq, old.seq) == (1, 2)
    assert [p.id for p in store.query(r.PATIENT, since=datetime(2023, 6, 1))] == [1]
    assert add_patient(store).id == 3


def test_it_refuses_unknown_kinds_and_ids(store):
    with pytest.raises(StoreError):
        store.get("nonsense", 1)
    with pytest.raises(StoreError):
        store.update(r.PATIENT, 99, first_name="X")


def test_range_windows_use_the_fields_own_type(store):
    patient = add_patient(store)
    store.insert(
        r.PAYMENT,
        r.Payment(
            patient_id=patient.id,
            amount_cents=100,
            date=date(2025, 6, 1),
            entered=date(2025, 6, 1),
        ),
    )
    assert len(store.query(r.PAYMENT, start=date(2025, 6, 1))) == 1
    assert store.query(r.PAYMENT, start=date(2025, 6, 2)) == []
