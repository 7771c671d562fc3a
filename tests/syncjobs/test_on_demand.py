"""Force Sync Now, staff retry and resync."""

from __future__ import annotations

from django.utils import timezone

from pms.base import PmsError
from records.models import Patient
from syncjobs.incremental import run_incremental_sync
from syncjobs.initial import run_initial_sync
from syncjobs.lease import Lease
from syncjobs.models import RunStatus, StreamKind, StreamState, SyncStream, Trigger
from syncjobs.ondemand import force_sync, resync, retry_now

from .fakes import patient


def incremental(practice) -> SyncStream:
    return SyncStream.objects.select_related("practice").get(
        practice=practice, kind=StreamKind.INCREMENTAL
    )


def test_force_sync_waits_for_the_initial_sync(streams_a, practice_a):
    result = force_sync(practice_a)
    assert not result.accepted
    assert "initial sync" in result.message


def test_force_sync_makes_the_incremental_due_now_with_its_trigger(
    streams_a, initial_a, fake
):
    run_initial_sync(initial_a, connector=fake)
    stream = incremental(initial_a.practice)
    run_incremental_sync(stream, connector=fake)
    assert force_sync(initial_a.practice).accepted
    assert SyncStream.objects.due(timezone.now()).filter(pk=stream.pk).exists()
    run = run_incremental_sync(stream, connector=fake)
    assert run.trigger == Trigger.FORCE


def test_force_sync_refuses_a_second_while_one_runs(streams_a, initial_a, fake):
    run_initial_sync(initial_a, connector=fake)
    assert force_sync(initial_a.practice).accepted
    second = force_sync(initial_a.practice)
    assert not second.accepted
    assert second.message == "A sync is already running; it will finish shortly."
    Lease.claim(incremental(initial_a.practice))
    assert not force_sync(initial_a.practice).accepted


def test_resync_pulls_a_stream_again_from_scratch(streams_a, initial_a, fake):
    fake.add(patient(1), patient(2))
    run_initial_sync(initial_a, connector=fake)
    Patient.objects.all().delete()
    assert resync(initial_a).accepted
    initial_a.refresh_from_db()
    assert initial_a.state == StreamState.SCHEDULED
    run = run_initial_sync(initial_a, connector=fake)
    assert run.trigger == Trigger.RESYNC
    assert ("patient", None) in fake.calls[-3:]
    assert Patient.objects.count() == 2


def test_resync_cancels_a_run_waiting_to_retry(streams_a, initial_a, fake):
    fake.fail_next(PmsError("busy", permanent=False, status=503))
    first = run_initial_sync(initial_a, connector=fake)
    assert first.status == RunStatus.RETRYING
    resync(initial_a)
    second = run_initial_sync(initial_a, connector=fake)
    first.refresh_from_db()
    assert first.status == RunStatus.CANCELLED
    assert (second.trigger, second.status) == (Trigger.RESYNC, RunStatus.SUCCEEDED)


def test_retry_now_restarts_a_stopped_stream(streams_a, initial_a, fake):
    fake.fail_next(PmsError("revoked", permanent=True, status=401))
    run_initial_sync(initial_a, connector=fake)
    initial_a.refresh_from_db()
    assert retry_now(initial_a).accepted
    initial_a.refresh_from_db()
    assert (initial_a.state, initial_a.pending_trigger) == (
        StreamState.SCHEDULED,
        Trigger.RETRY,
    )
