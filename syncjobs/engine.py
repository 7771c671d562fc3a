"""Run one stream once: claim, open the attempt, run the workflow body, settle.

Each workflow module (initial, incremental, fast, deletions, nightly) supplies a
body that returns True when the run is complete and False when its time slice ran
out; everything around it (lease, history rows, failures, next due time) is here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from pms.base import Connector

from . import conf
from .connectors import connector_for_stream
from .errors import ConnectionStoppedError, LeaseError, StreamBusyError
from .failures import handle_failure
from .lease import Lease
from .models import (
    FAST_KINDS,
    AttemptStatus,
    RecordFailure,
    RunStatus,
    StreamKind,
    StreamState,
    SyncRun,
    SyncStream,
)
from .pages import ProgressFn, RunContext
from .runs import close_run, end_attempt, open_attempt
from .schedule import next_due, settings_for

logger = logging.getLogger(__name__)

Body = Callable[[RunContext], bool]
Hook = Callable[[RunContext], None]


def execute(
    stream: SyncStream,
    body: Body,
    *,
    lease: Lease | None = None,
    connector: Connector | None = None,
    trigger: str | None = None,
    slice_seconds: float | None = None,
    progress: ProgressFn | None = None,
    on_success: Hook | None = None,
) -> SyncRun:
    """Run `body` for `stream` under a lease and return the run's history row."""
    if lease is None:
        lease = Lease.claim(stream, owner=None)
        if lease is None:
            raise StreamBusyError(f"{stream} is already running")
    try:
        run, attempt = open_attempt(stream, lease, trigger)
    except BaseException:
        lease.release()
        raise
    deadline = time.monotonic() + slice_seconds if slice_seconds else None
    ctx = RunContext(
        stream,
        run,
        attempt,
        lease,
        connector,  # type: ignore[arg-type]
        deadline,
        due_at=stream.next_due_at,  # as open_attempt re-read it: what this ran for
        progress=progress,
    )
    if deadline is not None and stream.kind == StreamKind.INITIAL:
        # An initial sync's slice gives its worker up once it has had its minimum
        # when live practices' fast syncs are overdue (fast lanes take priority).
        ctx.others_waiting = fast_syncs_overdue
        ctx.next_yield_check = time.monotonic() + conf.get(
            "SYNC_INITIAL_MIN_SLICE_SECONDS"
        )
    own_connector = None  # one made here is closed here (sessions, budget connection)
    try:
        if ctx.connector is None:
            ctx.connector = own_connector = connector_for_stream(stream)
        ctx.has_open_failures = RecordFailure.objects.filter(
            practice_id=stream.practice_id, resolved_at__isnull=True
        ).exists()
        finished = body(ctx)
    except LeaseError as exc:
        end_attempt(attempt, AttemptStatus.INTERRUPTED, str(exc))
        logger.warning("%s", exc)
    except ConnectionStoppedError as exc:
        _cancel(ctx, str(exc))
    except Exception as exc:  # noqa: BLE001 - every failure is classified and recorded
        handle_failure(ctx, exc)
    except BaseException:
        _interrupt(ctx)
        raise
    else:
        if finished:
            _succeed(ctx, on_success)
        else:
            _pause(ctx)
    finally:
        if own_connector is not None:
            own_connector.close()
    run.refresh_from_db()
    return run


def _succeed(ctx: RunContext, on_success: Hook | None) -> None:
    now = timezone.now()
    stream = ctx.stream
    with transaction.atomic():
        stream.reload()
        end_attempt(ctx.attempt, AttemptStatus.SUCCEEDED, now=now)
        close_run(ctx.run, ctx.final_status, ctx.note, now)
        if on_success is not None:
            on_success(ctx)
        fields: dict = {
            "current_run": None,
            "completed": [],
            "last_finished_at": now,
            "last_success_at": now,
            "consecutive_failures": 0,
            "last_error": "",
        }
        if stream.kind == StreamKind.INITIAL:
            fields.update(
                state=StreamState.DONE, state_changed_at=now, next_due_at=None
            )
        else:
            due = next_due(
                stream,
                settings_for(stream.practice),
                ctx.run.started_at,
                now,
                ctx.due_at,
            )
            fields.update(state=StreamState.SCHEDULED, next_due_at=due)
        if stream.pending_trigger:
            fields.update(state=StreamState.SCHEDULED, next_due_at=now)
        if stream.state != fields["state"]:
            fields["state_changed_at"] = now
        ctx.lease.release(**fields)


def _pause(ctx: RunContext) -> None:
    """End a time slice: keep the run open and come back at once."""
    with transaction.atomic():
        end_attempt(ctx.attempt, AttemptStatus.PAUSED)
        ctx.lease.release(state=StreamState.SCHEDULED, next_due_at=timezone.now())


def _cancel(ctx: RunContext, reason: str) -> None:
    """Stop because the connection stopped; the stream keeps its place and schedule."""
    now = timezone.now()
    with transaction.atomic():
        end_attempt(ctx.attempt, AttemptStatus.FAILED, reason, now)
        close_run(ctx.run, RunStatus.CANCELLED, reason, now)
        ctx.lease.release(current_run=None, completed=[], last_finished_at=now)


def _interrupt(ctx: RunContext) -> None:
    """On Ctrl-C or shutdown, free the stream so the run resumes at once elsewhere."""
    try:
        end_attempt(ctx.attempt, AttemptStatus.INTERRUPTED, "worker stopped mid-run")
        ctx.lease.release(next_due_at=timezone.now())
    except Exception:  # noqa: BLE001 - best effort while the process goes down
        logger.exception("could not release stream %s", ctx.stream.pk)


def fast_syncs_overdue() -> bool:
    """Return whether some practice's fast sync has been due for over 2 s."""
    late = timezone.now() - timedelta(seconds=2)
    return SyncStream.objects.due(late).filter(kind__in=FAST_KINDS).exists()
