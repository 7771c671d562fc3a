"""A malformed record is kept as a per-record failure and the rest of the run lands."""

from __future__ import annotations

from pms.base import Entity, RecordError
from records.models import Patient
from syncjobs.incremental import run_incremental_sync
from syncjobs.initial import run_initial_sync
from syncjobs.models import RecordFailure, RunStatus, StreamKind, SyncStream

from .fakes import patient


def test_it_records_the_malformed_record_and_lands_the_rest(initial_a, fake):
    fake.add(*[patient(n) for n in range(1, 7)])
    fake.errors["patient"] = [
        (
            1,
            RecordError(
                Entity.PATIENT, "99", "Birthdate '1990-02-31' is not a date", "{"
            ),
        ),
    ]
    fake.add(patient(7, last_name="y" * 300))  # the mirror cannot hold it
    run = run_initial_sync(initial_a, connector=fake)
    assert run.status == RunStatus.SUCCEEDED
    assert run.failed == 2
    assert Patient.objects.count() == 6
    failures = {f.pms_id: f for f in RecordFailure.objects.all()}
    assert failures["99"].reason == "Birthdate '1990-02-31' is not a date"
    assert failures["99"].raw_excerpt == "{"
    assert failures["7"].reason == "last_name longer than 100 characters"
    assert {f.run_id for f in failures.values()} == {run.pk}
    assert {f.stream_kind for f in failures.values()} == {StreamKind.INITIAL}


def test_a_failure_is_resolved_when_a_later_run_stores_the_record(
    streams_a, initial_a, fake
):
    fake.add(patient(1), patient(2, last_name="y" * 300))
    run_initial_sync(initial_a, connector=fake)
    assert RecordFailure.objects.get().resolved_at is None
    fake.add(patient(2, minutes=5, last_name="Fixed"))
    incremental = streams_a[StreamKind.INCREMENTAL]
    run_incremental_sync(incremental, connector=fake)
    assert RecordFailure.objects.get().resolved_at is not None
    assert Patient.objects.get(pms_id="2").last_name == "Fixed"


def test_a_record_broken_in_transit_is_read_again_by_the_next_incremental(
    streams_a, initial_a, fake
):
    fake.add(patient(1))
    fake.errors["patient"] = [(0, RecordError(Entity.PATIENT, "2", "bad birthdate"))]
    run_initial_sync(initial_a, connector=fake)
    assert not Patient.objects.filter(pms_id="2").exists()
    fake.errors.clear()
    fake.add(patient(2))  # what fetch_patient("2") returns now...
    incremental = streams_a[StreamKind.INCREMENTAL]
    SyncStream.objects.filter(pk=incremental.pk).update(  # ...but no feed change
        cursors={"patient": "2", "appointment": "0"}
    )
    run_incremental_sync(incremental, connector=fake)
    assert ("one:patient", "2") in fake.calls
    assert Patient.objects.filter(pms_id="2").exists()
    assert RecordFailure.objects.get(pms_id="2").resolved_at is not None


def test_a_record_gone_from_the_pms_closes_its_failure(streams_a, initial_a, fake):
    fake.add(patient(1))
    fake.errors["patient"] = [(0, RecordError(Entity.PATIENT, "5", "bad birthdate"))]
    run_initial_sync(initial_a, connector=fake)
    fake.errors.clear()
    run_incremental_sync(streams_a[StreamKind.INCREMENTAL], connector=fake)
    assert ("one:patient", "5") in fake.calls
    assert RecordFailure.objects.get(pms_id="5").resolved_at is not None
