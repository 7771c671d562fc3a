"""The lease: one atomic claim, renewal while running, fencing, release."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from practices.models import ConnectionStatus, PmsConnection
from syncjobs.errors import ConnectionStoppedError, LeaseError, StreamBusyError
from syncjobs.initial import run_initial_sync
from syncjobs.lease import Lease
from syncjobs.models import AttemptStatus, SyncStream

from .fakes import patient


def expire(stream: SyncStream) -> None:
    SyncStream.objects.filter(pk=stream.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )


def test_only_one_claim_wins_while_the_lease_is_held(initial_a):
    first = Lease.claim(initial_a)
    assert first is not None
    assert Lease.claim(initial_a) is None


def test_an_expired_lease_can_be_claimed_and_fences_out_the_old_holder(initial_a):
    old = Lease.claim(initial_a)
    expire(initial_a)
    new = Lease.claim(initial_a)
    assert new is not None
    with pytest.raises(LeaseError):
        old.checkpoint(cursors={"patient": "999"})
    assert old.release() is False
    assert SyncStream.objects.get(pk=initial_a.pk).lease_owner == new.owner


def test_a_checkpoint_renews_the_lease(initial_a):
    lease = Lease.claim(initial_a)
    SyncStream.objects.filter(pk=initial_a.pk).update(
        lease_expires_at=timezone.now() + timedelta(seconds=5)
    )
    lease.renew()
    stream = SyncStream.objects.get(pk=initial_a.pk)
    assert stream.lease_expires_at > timezone.now() + timedelta(seconds=200)


def test_a_checkpoint_fails_once_the_connection_is_disabled(initial_a):
    lease = Lease.claim(initial_a)
    PmsConnection.objects.filter(practice=initial_a.practice).update(
        status=ConnectionStatus.DISABLED
    )
    with pytest.raises(ConnectionStoppedError):
        lease.renew()


def test_release_frees_the_stream(initial_a):
    lease = Lease.claim(initial_a)
    assert lease.release(next_due_at=None) is True
    assert Lease.claim(initial_a) is not None


def test_only_one_copy_of_a_redelivered_task_adopts_the_dispatch_claim(initial_a):
    Lease.claim(initial_a, owner="dispatch:node1:1:abc")
    first = Lease.adopt_dispatched(initial_a)
    second = Lease.adopt_dispatched(initial_a)
    assert first is not None and second is None
    assert first.held()


def test_a_run_refuses_to_start_while_another_worker_holds_the_stream(initial_a, fake):
    Lease.claim(initial_a)
    with pytest.raises(StreamBusyError):
        run_initial_sync(initial_a, connector=fake)


def test_a_worker_that_lost_its_lease_mid_run_writes_no_checkpoint(initial_a, fake):
    fake.add(*[patient(n) for n in range(1, 10)])

    def steal_after_first_page(stream, fetched):
        if stream.cursors == {"patient": "3"}:
            expire(initial_a)
            assert Lease.claim(initial_a, owner="worker:thief") is not None

    run = run_initial_sync(initial_a, connector=fake, progress=steal_after_first_page)
    stream = SyncStream.objects.get(pk=initial_a.pk)
    assert stream.cursors == {"patient": "3"}  # the loser's page 2 never committed
    assert stream.lease_owner == "worker:thief"
    assert run.attempt_set.get().status == AttemptStatus.INTERRUPTED
