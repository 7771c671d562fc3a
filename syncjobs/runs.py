"""Open, continue and close run and attempt history rows."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .lease import Lease
from .models import (
    AttemptStatus,
    RunStatus,
    StreamKind,
    SyncAttempt,
    SyncRun,
    SyncStream,
    Trigger,
)


def open_attempt(
    stream: SyncStream, lease: Lease, trigger: str | None = None
) -> tuple[SyncRun, SyncAttempt]:
    """Continue the stream's open run or start a new one; write the attempt row first.

    An attempt left "running" by a worker that died is closed as interrupted; a
    paused one (time slice ended) carries on.
    """
    now = timezone.now()
    with transaction.atomic():
        stream.reload()
        run = stream.current_run
        if run is not None and run.is_open and stream.pending_trigger == Trigger.RESYNC:
            close_run(run, RunStatus.CANCELLED, "superseded by a resync", now)
            run = None
        if run is None or not run.is_open:
            run = _start_run(stream, lease, trigger, now)
        attempt = _continue_attempt(run, lease, now)
    return run, attempt


def _start_run(
    stream: SyncStream, lease: Lease, trigger: str | None, now: datetime
) -> SyncRun:
    trigger = stream.pending_trigger or trigger or Trigger.SCHEDULE
    run = SyncRun.objects.create(
        stream=stream,
        practice_id=stream.practice_id,
        kind=stream.kind,
        trigger=trigger,
        started_at=now,
    )
    fields: dict = {
        "current_run": run,
        "pending_trigger": "",
        "completed": [],
        "last_started_at": now,
    }
    if trigger == Trigger.RESYNC:
        fields.update(cursors={})
    if stream.kind == StreamKind.INITIAL and (
        trigger == Trigger.RESYNC or not stream.cursors
    ):
        fields.update(progress_done=0, progress_total=None, progress_started_at=now)
    lease.checkpoint(**fields)
    for name, value in fields.items():
        setattr(stream, name, value)
    return run


def _continue_attempt(run: SyncRun, lease: Lease, now: datetime) -> SyncAttempt:
    last = run.attempt_set.order_by("-number").first() if run.attempts else None
    if last is not None and last.status == AttemptStatus.PAUSED:
        last.status = AttemptStatus.RUNNING
        last.worker = lease.owner
        last.save(update_fields=["status", "worker"])
        return last
    if last is not None and last.status == AttemptStatus.RUNNING:
        end_attempt(last, AttemptStatus.INTERRUPTED, "worker stopped mid-run", now)
    run.attempts += 1
    run.status = RunStatus.RUNNING
    run.save(update_fields=["attempts", "status"])
    return SyncAttempt.objects.create(
        run=run, number=run.attempts, worker=lease.owner, started_at=now
    )


def end_attempt(
    attempt: SyncAttempt,
    status: str,
    error: str = "",
    now: datetime | None = None,
    **extra,
) -> None:
    """Close `attempt` with `status` and a short human error (its page and
    record counts, kept by each stored page in SQL, are left as they are)."""
    attempt.status = status
    attempt.error = error[:2000]
    attempt.finished_at = (
        None if status == AttemptStatus.PAUSED else (now or timezone.now())
    )
    for name, value in extra.items():
        setattr(attempt, name, value)
    attempt.save(update_fields=["status", "error", "finished_at", *extra])


def close_run(
    run: SyncRun, status: str, error: str = "", now: datetime | None = None
) -> None:
    """Finish `run` with `status`."""
    run.status = status
    run.error = error[:2000]
    run.finished_at = now or timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
