"""Engine tunables, read from django.conf.settings at call time with safe defaults."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from .models import FAST_KINDS

DEFAULTS = {
    # A worker renews its lease before every PMS call and at every checkpoint;
    # a crashed worker's stream is free again after this long.
    "SYNC_LEASE_SECONDS": 300,
    "SYNC_FAST_LEASE_SECONDS": 60,
    # A queued run slices itself to stay under django-q2's task timeout (300 s).
    "SYNC_SLICE_SECONDS": 120,
    # Transient failures: attempts per run, and the backoff between them.
    "SYNC_MAX_ATTEMPTS": 5,
    "SYNC_BACKOFF_BASE_SECONDS": 2.0,
    "SYNC_BACKOFF_CAP_SECONDS": 300.0,
    # After a failed run, the next one waits at least this long (doubling, capped).
    "SYNC_FAILED_RUN_BACKOFF_CAP_SECONDS": 1800.0,
    # How long the nightly window stays open after the practice's start hour.
    "SYNC_NIGHTLY_WINDOW_HOURS": 4,
    # Provider schedules and blockouts are read for today and this many days ahead.
    "SYNC_AVAILABILITY_DAYS": 30,
    # How many due streams the dispatcher claims per tick.
    "SYNC_DISPATCH_BATCH": 50,
    # The dispatcher stops claiming while this many tasks wait in the queue, so
    # a claimed stream starts within seconds and a backlog never outlives its claim.
    "SYNC_DISPATCH_QUEUE_MAX": 40,
    # How many initial syncs may hold a worker at once, across the cluster (None:
    # one fewer than a node's workers, at least one). An initial sync runs in
    # slices of minutes; when every worker held one, a batch of practices being
    # onboarded would hold up the fast syncs of every practice already live.
    "SYNC_INITIAL_RUNS_MAX": None,
    # An initial sync's slice ends early, once it has run this long, when some
    # practice's fast sync is overdue: its worker goes to the fast lane.
    "SYNC_INITIAL_MIN_SLICE_SECONDS": 10,
}


def get(name: str):
    """Return the setting `name`, or its default."""
    return getattr(settings, name, DEFAULTS[name])


def lease_ttl(kind: str) -> timedelta:
    """Return how long a claim on a stream of `kind` lasts without renewal."""
    name = "SYNC_FAST_LEASE_SECONDS" if kind in FAST_KINDS else "SYNC_LEASE_SECONDS"
    return timedelta(seconds=get(name))


def initial_runs_max() -> int:
    """Return how many initial syncs may be queued or running at once."""
    cap = get("SYNC_INITIAL_RUNS_MAX")
    if cap is None:
        workers = int(getattr(settings, "Q_CLUSTER", {}).get("workers", 1))
        cap = workers - 1
    return max(1, int(cap))
