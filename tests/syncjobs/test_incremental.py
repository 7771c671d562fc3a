"""Incremental and fast syncs read only what changed since their own cursors."""

from __future__ import annotations

from records.models import Appointment, Patient
from syncjobs.fast import run_fast_sync
from syncjobs.incremental import run_incremental_sync
from syncjobs.initial import run_initial_sync
from syncjobs.models import StreamKind, SyncStream

from .fakes import appointment, patient


def streams(practice) -> dict[str, SyncStream]:
    return {
        s.kind: s
        for s in SyncStream.objects.filter(practice=practice).select_related("practice")
    }


def test_incremental_reads_from_the_initial_watermark(streams_a, initial_a, fake):
    fake.add(*[patient(n) for n in range(1, 5)])
    run_initial_sync(initial_a, connector=fake)
    fake.add(patient(2, minutes=5, phone="555"), patient(9, minutes=5))
    fake.calls.clear()
    run = run_incremental_sync(
        streams(initial_a.practice)["incremental"], connector=fake
    )
    assert ("patient", "4") in fake.calls
    # 4 reference values were read again, unchanged: nothing stored for them
    assert (run.fetched - 4, run.upserted) == (2, 2)
    assert Patient.objects.get(pms_id="2").phone == "555"
    assert Patient.objects.count() == 5


def test_an_incremental_cycle_with_no_change_writes_nothing(streams_a, initial_a, fake):
    fake.add(*[patient(n) for n in range(1, 5)])
    run_initial_sync(initial_a, connector=fake)
    run = run_incremental_sync(
        streams(initial_a.practice)["incremental"], connector=fake
    )
    assert (run.upserted, run.failed) == (0, 0)


def test_the_appointment_status_stream_lands_a_confirmation(streams_a, initial_a, fake):
    fake.add(patient(1), appointment(1, confirmation_pms_id="19"))
    run_initial_sync(initial_a, connector=fake)
    fake.add(appointment(1, minutes=1, confirmation_pms_id="20"))
    stream = streams(initial_a.practice)[StreamKind.FAST_APPOINTMENT_STATUS]
    run = run_fast_sync(stream, connector=fake)
    assert run.upserted == 1
    assert Appointment.objects.get(pms_id="1").confirmation_pms_id == "20"


def test_the_new_patients_stream_reads_only_patients(streams_a, initial_a, fake):
    run_initial_sync(initial_a, connector=fake)
    fake.add(patient(5), appointment(5))
    fake.calls.clear()
    run_fast_sync(
        streams(initial_a.practice)[StreamKind.FAST_NEW_PATIENTS], connector=fake
    )
    assert [key for key, _ in fake.calls] == ["patient"]
    assert Patient.objects.filter(pms_id="5").exists()
    assert not Appointment.objects.filter(pms_id="5").exists()


def test_each_stream_keeps_its_own_cursor(streams_a, initial_a, fake):
    run_initial_sync(initial_a, connector=fake)
    fake.add(appointment(1))
    by_kind = streams(initial_a.practice)
    run_fast_sync(by_kind[StreamKind.FAST_APPOINTMENT_STATUS], connector=fake)
    run_fast_sync(by_kind[StreamKind.FAST_APPOINTMENT_CHANGES], connector=fake)
    after = streams(initial_a.practice)
    assert after[StreamKind.FAST_APPOINTMENT_STATUS].cursors == {"appointment": "1"}
    assert after[StreamKind.FAST_APPOINTMENT_CHANGES].cursors == {"appointment": "1"}
    assert after[StreamKind.INCREMENTAL].cursors["appointment"] == "0"


def test_confirmation_follows_the_practice_mapping(streams_a, initial_a, fake):
    from practices.models import ReferenceItem, WriteBackSettings

    fake.add(appointment(1, confirmation_pms_id="20"), appointment(2))
    run_initial_sync(initial_a, connector=fake)
    settings = WriteBackSettings.objects.get(practice=initial_a.practice)
    settings.confirmed_statuses.add(ReferenceItem.objects.get(pms_id="20"))
    rows = Appointment.objects.of(initial_a.practice).with_confirmation()
    assert {a.pms_id: a.is_confirmed for a in rows} == {"1": True, "2": False}
