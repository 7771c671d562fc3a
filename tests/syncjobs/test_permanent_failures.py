"""A permanent PMS error stops the stream and flags the connection, with no retries."""

from __future__ import annotations

from django.utils import timezone

from pms.base import PmsError
from practices.models import ConnectionStatus, PmsConnection
from syncjobs.initial import run_initial_sync
from syncjobs.models import RunStatus, StreamState, SyncStream
from syncjobs.schedule import on_connection_saved
from syncjobs.streams import reconcile_streams

from .fakes import patient


def revoked() -> PmsError:
    return PmsError("The customer key was revoked", permanent=True, status=401)


def test_a_401_stops_the_stream_and_flags_the_connection(initial_a, fake):
    fake.fail_next(revoked())
    run = run_initial_sync(initial_a, connector=fake)
    initial_a.refresh_from_db()
    connection = PmsConnection.objects.get(practice=initial_a.practice)
    assert run.status == RunStatus.FAILED
    assert run.attempts == 1
    assert initial_a.state == StreamState.STOPPED
    assert initial_a.next_due_at is None
    assert connection.status == ConnectionStatus.NEEDS_ATTENTION
    assert "customer key was revoked (HTTP 401)" in connection.status_reason
    assert run.attempt_set.get().permanent


def test_no_stream_of_the_practice_is_due_while_it_needs_attention(initial_a, fake):
    fake.fail_next(revoked())
    run_initial_sync(initial_a, connector=fake)
    later = timezone.now() + timezone.timedelta(days=1)
    assert (
        not SyncStream.objects.due(later).filter(practice=initial_a.practice).exists()
    )


def test_the_stream_resumes_when_staff_reactivate_the_connection(initial_a, fake):
    fake.add(patient(1))
    fake.fail_next(revoked())
    run_initial_sync(initial_a, connector=fake)
    connection = PmsConnection.objects.get(practice=initial_a.practice)
    connection.set_status(ConnectionStatus.ACTIVE, "new key entered")
    on_connection_saved(connection)
    initial_a.refresh_from_db()
    assert initial_a.state == StreamState.SCHEDULED
    assert SyncStream.objects.due(timezone.now()).filter(pk=initial_a.pk).exists()
    assert run_initial_sync(initial_a, connector=fake).status == RunStatus.SUCCEEDED


def test_the_dispatcher_resumes_it_even_when_no_hook_was_called(initial_a, fake):
    fake.fail_next(revoked())
    run_initial_sync(initial_a, connector=fake)
    connection = PmsConnection.objects.get(practice=initial_a.practice)
    reconcile_streams()
    assert SyncStream.objects.get(pk=initial_a.pk).state == StreamState.STOPPED
    connection.set_status(ConnectionStatus.ACTIVE, "fixed")
    reconcile_streams()
    assert SyncStream.objects.get(pk=initial_a.pk).state == StreamState.SCHEDULED
