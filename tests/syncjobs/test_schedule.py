"""Due times follow the practice's settings, and change the moment settings do."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from practices.models import ConnectionStatus, PmsConnection, SyncSettings
from records.models import Patient
from syncjobs.incremental import run_incremental_sync
from syncjobs.initial import run_initial_sync
from syncjobs.models import RunStatus, StreamKind, StreamState, SyncStream
from syncjobs.schedule import ensure_streams, on_settings_saved

from .fakes import patient


def stream(practice, kind) -> SyncStream:
    return SyncStream.objects.get(practice=practice, kind=kind)


def after_initial(initial_a, fake) -> None:
    run_initial_sync(initial_a, connector=fake)


def test_a_new_connection_gets_every_stream_with_the_initial_due_now(streams_a):
    assert set(streams_a) == set(StreamKind.values)
    initial = streams_a[StreamKind.INITIAL]
    assert initial.state == StreamState.SCHEDULED
    assert initial.next_due_at <= timezone.now()
    for kind in (StreamKind.INCREMENTAL, StreamKind.FAST_APPOINTMENT_STATUS):
        assert streams_a[kind].state == StreamState.WAITING
        assert streams_a[kind].next_due_at is None
    assert streams_a[StreamKind.DELETIONS].state == StreamState.SCHEDULED


def test_ensure_streams_is_idempotent(streams_a, practice_a):
    ensure_streams(practice_a)
    ensure_streams(practice_a)
    assert SyncStream.objects.filter(practice=practice_a).count() == len(StreamKind)


def test_a_run_schedules_the_next_one_an_interval_after_it_started(
    streams_a, initial_a, fake
):
    after_initial(initial_a, fake)
    incremental = stream(initial_a.practice, StreamKind.INCREMENTAL)
    incremental.next_due_at = timezone.now() + timedelta(minutes=3)
    incremental.save(update_fields=["next_due_at"])
    run = run_incremental_sync(incremental, connector=fake)  # run early, by hand
    incremental.refresh_from_db()
    assert incremental.next_due_at == run.started_at + timedelta(minutes=15)


def test_a_late_start_keeps_the_cadence_of_due_times(streams_a, initial_a, fake):
    after_initial(initial_a, fake)
    status = stream(initial_a.practice, StreamKind.FAST_APPOINTMENT_STATUS)
    due = timezone.now() - timedelta(seconds=2)  # the queue held it for 2 s
    status.next_due_at = due
    status.save(update_fields=["next_due_at"])
    run_incremental_sync(status, connector=fake)  # any body: we test the due time
    status.refresh_from_db()
    assert status.next_due_at == due + timedelta(seconds=15)


def test_a_start_later_than_an_interval_counts_from_the_start(
    streams_a, initial_a, fake
):
    after_initial(initial_a, fake)
    status = stream(initial_a.practice, StreamKind.FAST_APPOINTMENT_STATUS)
    status.next_due_at = timezone.now() - timedelta(minutes=5)  # down for a while
    status.save(update_fields=["next_due_at"])
    run = run_incremental_sync(status, connector=fake)
    status.refresh_from_db()
    # One catch-up run, then the usual interval: no burst of missed runs.
    assert status.next_due_at == run.started_at + timedelta(seconds=15)


def test_a_shorter_interval_moves_the_next_due_time_earlier(streams_a, initial_a, fake):
    after_initial(initial_a, fake)
    practice = initial_a.practice
    run = run_incremental_sync(stream(practice, StreamKind.INCREMENTAL), connector=fake)
    SyncSettings.objects.filter(practice=practice).update(
        incremental_interval_minutes=5
    )
    on_settings_saved(practice)
    due = stream(practice, StreamKind.INCREMENTAL).next_due_at
    assert due == run.started_at + timedelta(minutes=5)


def test_a_longer_interval_moves_it_later(streams_a, initial_a, fake):
    after_initial(initial_a, fake)
    practice = initial_a.practice
    run = run_incremental_sync(stream(practice, StreamKind.INCREMENTAL), connector=fake)
    SyncSettings.objects.filter(practice=practice).update(
        incremental_interval_minutes=60
    )
    on_settings_saved(practice)
    due = stream(practice, StreamKind.INCREMENTAL).next_due_at
    assert due == run.started_at + timedelta(minutes=60)


def test_an_interval_already_passed_makes_the_stream_due_now(
    streams_a, initial_a, fake
):
    after_initial(initial_a, fake)
    practice = initial_a.practice
    SyncStream.objects.filter(practice=practice, kind=StreamKind.INCREMENTAL).update(
        last_started_at=timezone.now() - timedelta(minutes=20)
    )
    SyncSettings.objects.filter(practice=practice).update(
        incremental_interval_minutes=10
    )
    before = timezone.now()
    on_settings_saved(practice)
    assert (
        before <= stream(practice, StreamKind.INCREMENTAL).next_due_at <= timezone.now()
    )


def test_fast_intervals_follow_their_own_settings(streams_a, initial_a, fake):
    after_initial(initial_a, fake)
    practice = initial_a.practice
    status = stream(practice, StreamKind.FAST_APPOINTMENT_STATUS)
    due = status.next_due_at  # due at once when the initial sync handed off
    run = run_incremental_sync(status, connector=fake)  # any body: we test the due time
    assert run.status == RunStatus.SUCCEEDED
    status.refresh_from_db()
    assert status.next_due_at == due + timedelta(seconds=15)
    SyncSettings.objects.filter(practice=practice).update(
        appointment_status_interval_seconds=45
    )
    on_settings_saved(practice)
    status.refresh_from_db()
    assert status.next_due_at == run.started_at + timedelta(seconds=45)


def test_a_switched_off_fast_sync_is_never_due(streams_a, initial_a, fake):
    after_initial(initial_a, fake)
    practice = initial_a.practice
    SyncSettings.objects.filter(practice=practice).update(new_patients_enabled=False)
    on_settings_saved(practice)
    later = timezone.now() + timedelta(days=1)
    due = set(SyncStream.objects.due(later).values_list("kind", flat=True))
    assert StreamKind.FAST_NEW_PATIENTS not in due
    assert StreamKind.FAST_APPOINTMENT_STATUS in due
    SyncSettings.objects.filter(practice=practice).update(new_patients_enabled=True)
    on_settings_saved(practice)
    assert (
        SyncStream.objects.due(later).filter(kind=StreamKind.FAST_NEW_PATIENTS).exists()
    )


def test_disabling_the_connection_stops_every_stream_and_keeps_the_data(
    streams_a, initial_a, fake
):
    fake.add(patient(1), patient(2))
    after_initial(initial_a, fake)
    practice = initial_a.practice
    connection = PmsConnection.objects.get(practice=practice)
    later = timezone.now() + timedelta(days=1)
    assert SyncStream.objects.due(later).filter(practice=practice).exists()
    for status in (ConnectionStatus.DISABLED, ConnectionStatus.REMOVED):
        connection.set_status(status, "practice left")
        assert not SyncStream.objects.due(later).filter(practice=practice).exists()
    assert Patient.objects.of(practice).count() == 2


def test_a_stream_disabled_mid_run_stops_at_its_next_page(streams_a, initial_a, fake):
    fake.add(*[patient(n) for n in range(1, 10)])

    def disable_after_first_page(stream, fetched):
        PmsConnection.objects.filter(practice=initial_a.practice).update(
            status=ConnectionStatus.DISABLED
        )

    run = run_initial_sync(initial_a, connector=fake, progress=disable_after_first_page)
    initial_a.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert initial_a.cursors == {"patient": "3"}
    assert initial_a.lease_owner == ""
    assert Patient.objects.count() == 3
