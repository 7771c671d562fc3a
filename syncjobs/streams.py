"""Repair what a missed hook would leave behind; the dispatcher runs this often."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F
from django.utils import timezone

from practices.models import ConnectionStatus, Practice

from .models import StreamKind, StreamState, SyncStream
from .schedule import ensure_streams, start_after_initial


def reconcile_streams(now: datetime | None = None) -> int:
    """Create, resume and hand off streams; return how many practices it touched.

    * a practice with an active connection and no streams gets them;
    * a stream stopped by a permanent error resumes once staff re-activated the
      connection after the stop;
    * streams still waiting after their initial sync finished are started.
    """
    now = now or timezone.now()
    touched = 0
    active = Practice.objects.filter(connection__status=ConnectionStatus.ACTIVE)
    for practice in active.exclude(sync_streams__kind=StreamKind.INITIAL):
        ensure_streams(practice, now=now)
        touched += 1
    touched += SyncStream.objects.filter(
        state=StreamState.STOPPED,
        practice__connection__status=ConnectionStatus.ACTIVE,
        practice__connection__status_changed_at__gt=F("state_changed_at"),
    ).update(state=StreamState.SCHEDULED, state_changed_at=now, next_due_at=now)
    for initial in SyncStream.objects.filter(
        kind=StreamKind.INITIAL,
        state=StreamState.DONE,
        practice__sync_streams__state=StreamState.WAITING,
    ).distinct():
        start_after_initial(initial.practice, initial.cursors, now)
        touched += 1
    return touched
