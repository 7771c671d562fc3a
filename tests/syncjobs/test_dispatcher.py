"""The dispatcher claims due streams, queues each once, and skips what is not due."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.utils import timezone

from syncjobs.conf import initial_runs_max
from syncjobs.dispatcher import Dispatcher, dispatch_due, enqueue_run, queued_tasks
from syncjobs.lease import Lease
from syncjobs.models import StreamKind, SyncStream
from syncjobs.schedule import ensure_streams

from .conftest import unreachable_connection


def test_it_claims_and_queues_each_due_stream_once(streams_by_day):
    queued: list[int] = []
    first = dispatch_due(enqueue=queued.append)
    second = dispatch_due(enqueue=queued.append)
    due_kinds = {SyncStream.objects.get(pk=pk).kind for pk in first}
    assert due_kinds == {StreamKind.INITIAL, StreamKind.DELETIONS}
    assert second == []
    assert queued == first
    for pk in first:
        assert SyncStream.objects.get(pk=pk).lease_owner.startswith("dispatch:")


def test_it_queues_the_most_urgent_lane_first(streams_by_day):
    queued: list[int] = []
    dispatch_due(enqueue=queued.append)
    kinds = [SyncStream.objects.get(pk=pk).kind for pk in queued]
    assert kinds == [StreamKind.DELETIONS, StreamKind.INITIAL]  # fast lane first


def test_it_skips_streams_not_yet_due(streams_by_day):
    SyncStream.objects.filter(
        kind__in=[StreamKind.INITIAL, StreamKind.DELETIONS]
    ).update(next_due_at=timezone.now() + timedelta(seconds=30))
    assert dispatch_due(enqueue=lambda pk: None) == []
    later = timezone.now() + timedelta(seconds=31)
    assert len(dispatch_due(now=later, enqueue=lambda pk: None)) == 2


def test_it_frees_a_stream_it_could_not_queue(streams_by_day):
    def broken(pk: int) -> None:
        raise ConnectionError("broker down")

    assert dispatch_due(enqueue=broken) == []
    assert (
        SyncStream.objects.filter(lease_owner="").count() == SyncStream.objects.count()
    )


def test_the_worker_adopts_the_dispatch_claim_exactly_once(streams_by_day):
    queued: list[int] = []
    dispatch_due(enqueue=queued.append)
    adopted = [
        Lease.adopt_dispatched(SyncStream.objects.get(pk=pk)) for pk in queued + queued
    ]
    assert [lease is not None for lease in adopted] == [True, True, False, False]


def test_the_loop_ticks_until_stopped(streams_by_day, transactional_db):
    queued: list[int] = []
    dispatcher = Dispatcher(tick=0.05, enqueue=queued.append)
    thread = threading.Thread(target=dispatcher.run_forever)
    thread.start()
    try:
        for _ in range(100):
            if len(queued) >= 2:
                break
            dispatcher.stop.wait(0.05)
    finally:
        dispatcher.stop.set()
        thread.join(timeout=5)
    assert sorted(queued) == sorted(
        SyncStream.objects.filter(
            kind__in=[StreamKind.INITIAL, StreamKind.DELETIONS]
        ).values_list("pk", flat=True)
    )


def test_it_claims_nothing_while_the_queue_is_full(streams_by_day, settings):
    settings.SYNC_DISPATCH_QUEUE_MAX = 3
    queued: list[int] = []
    full = Dispatcher(enqueue=queued.append, backlog=lambda: 3)
    assert full.dispatch() == []
    assert not SyncStream.objects.exclude(lease_owner="").exists()

    one_free = Dispatcher(enqueue=queued.append, backlog=lambda: 2)
    claimed = one_free.dispatch()

    # Only the most urgent due stream is claimed; the other stays due, unclaimed.
    assert [SyncStream.objects.get(pk=pk).kind for pk in claimed] == [
        StreamKind.DELETIONS
    ]
    assert queued == claimed
    initial = SyncStream.objects.get(kind=StreamKind.INITIAL)
    assert initial.lease_owner == "" and initial.next_due_at <= timezone.now()


def test_the_queue_length_is_read_from_the_django_q2_broker(streams_by_day):
    before = queued_tasks()
    stream = SyncStream.objects.get(kind=StreamKind.DELETIONS)

    enqueue_run(stream.pk)

    assert queued_tasks() == before + 1


def test_initial_syncs_leave_a_worker_to_the_other_streams(
    streams_by_day, practice_b, settings
):
    # Two practices are being onboarded; a node runs two workers, so one initial
    # sync at a time (the default) and the rest of the practices' streams go on.
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 2}
    unreachable_connection(practice_b)
    ensure_streams(practice_b)
    SyncStream.objects.filter(practice=practice_b, kind=StreamKind.NIGHTLY).update(
        next_due_at=timezone.now() + timedelta(days=1)
    )

    first = kinds(dispatch_due(enqueue=lambda pk: None))
    assert first.count(StreamKind.INITIAL) == 1
    assert first.count(StreamKind.DELETIONS) == 2  # both practices' other streams

    # While that initial sync holds its claim, the other one waits.
    assert dispatch_due(enqueue=lambda pk: None) == []
    # Its slice ends (the claim is freed, the run comes back at once): the other
    # practice's initial sync takes the turn.
    running = SyncStream.objects.get(
        lease_owner__startswith="dispatch:", kind="initial"
    )
    Lease.adopt_dispatched(running).release(next_due_at=timezone.now())
    [turn] = dispatch_due(enqueue=lambda pk: None)
    assert SyncStream.objects.get(pk=turn).practice_id != running.practice_id


def test_the_cap_on_initial_syncs_follows_the_setting(streams_by_day, settings):
    settings.SYNC_INITIAL_RUNS_MAX = 3
    assert initial_runs_max() == 3
    settings.SYNC_INITIAL_RUNS_MAX = 0  # never none at all: onboarding must finish
    assert initial_runs_max() == 1
    settings.SYNC_INITIAL_RUNS_MAX = None
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 4}
    assert initial_runs_max() == 3
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 1}
    assert initial_runs_max() == 1


def kinds(stream_ids: list[int]) -> list[str]:
    return [SyncStream.objects.get(pk=pk).kind for pk in stream_ids]
