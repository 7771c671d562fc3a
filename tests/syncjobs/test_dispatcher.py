"""The dispatcher claims due streams, queues each once, and skips what is not due."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.utils import timezone

from syncjobs.dispatcher import Dispatcher, dispatch_due, enqueue_run, queued_tasks
from syncjobs.lease import Lease
from syncjobs.models import StreamKind, SyncStream


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
