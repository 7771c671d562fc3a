"""The dispatcher: a sub-second loop that claims due streams and queues their runs.

django-q2's own scheduler wakes every ~30 s, too coarse for 15 s status checks;
this loop reads the due-time table instead. Several dispatchers may run (one per
node): the lease lets only one of them claim a given stream.

It keeps the task queue short (SYNC_DISPATCH_QUEUE_MAX): a due stream waits in
the table, where the most urgent lane is claimed first, rather than at the back
of a long first-come queue, and its claim never expires while it is queued.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from django.db import close_old_connections
from django.utils import timezone

from . import conf
from .lease import DISPATCH, Lease, new_owner
from .models import StreamKind, SyncStream
from .streams import reconcile_streams

logger = logging.getLogger(__name__)

Enqueue = Callable[[int], None]
Backlog = Callable[[], int]
TASK = "syncjobs.tasks.run_stream"


def enqueue_run(stream_id: int) -> None:
    """Hand one claimed stream to the django-q2 workers."""
    from django_q.tasks import async_task

    async_task(TASK, stream_id, task_name=f"sync-stream-{stream_id}", group="sync")


def queued_tasks() -> int:
    """Return how many tasks wait in the django-q2 queue, not yet taken by a worker."""
    from django_q.brokers import get_broker

    return get_broker().queue_size()


def dispatch_due(
    now: datetime | None = None,
    enqueue: Enqueue = enqueue_run,
    limit: int | None = None,
) -> list[int]:
    """Claim the due streams and queue a run for each; return their ids.

    Initial syncs beyond `conf.initial_runs_max()` wait in the table (a claimed one
    counts until its slice ends, so practices being onboarded take turns), and a
    worker stays free for the other streams.
    """
    now = now or timezone.now()
    limit = limit or conf.get("SYNC_DISPATCH_BATCH")
    initial_room = None  # counted once, when a due initial sync is met
    claimed = []
    for stream in SyncStream.objects.due(now).only("pk", "kind")[:limit]:
        initial = stream.kind == StreamKind.INITIAL
        if initial and initial_room is None:
            running = SyncStream.objects.running(now).filter(kind=StreamKind.INITIAL)
            initial_room = conf.initial_runs_max() - running.count()
        if initial and initial_room <= 0:
            continue
        lease = Lease.claim(stream, owner=new_owner(DISPATCH), now=now)
        if lease is None:
            continue  # another dispatcher got it first
        try:
            enqueue(stream.pk)
        except Exception:
            logger.exception("could not queue stream %s; freeing it", stream.pk)
            lease.release()
            continue
        claimed.append(stream.pk)
        if initial:
            initial_room -= 1
    return claimed


class Dispatcher:
    """The loop behind `manage.py run_dispatcher`."""

    def __init__(
        self,
        tick: float = 0.5,
        reconcile_every: float = 15.0,
        enqueue: Enqueue = enqueue_run,
        backlog: Backlog = queued_tasks,
    ) -> None:
        self.tick = tick
        self.reconcile_every = reconcile_every
        self.enqueue = enqueue
        self.backlog = backlog
        self.stop = threading.Event()
        self.dispatched = 0

    def run_forever(self) -> None:
        """Tick until `stop` is set; a failing tick is logged and the loop goes on."""
        next_reconcile = 0.0
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                close_old_connections()
                if started >= next_reconcile:
                    reconcile_streams()
                    next_reconcile = started + self.reconcile_every
                self.dispatched += len(self.dispatch())
            except Exception:
                logger.exception("dispatcher tick failed")
            elapsed = time.monotonic() - started
            self.stop.wait(max(0.0, self.tick - elapsed))

    def dispatch(self) -> list[int]:
        """Claim and queue what is due, as far as the queue has room."""
        room = conf.get("SYNC_DISPATCH_QUEUE_MAX") - self.backlog()
        if room <= 0:
            return []
        limit = min(room, conf.get("SYNC_DISPATCH_BATCH"))
        return dispatch_due(enqueue=self.enqueue, limit=limit)
