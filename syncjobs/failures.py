"""What a failed attempt does next: retry later, give the run up, or stop the stream.

Retries are never sleeps in a worker: the stream is released with a due time after
the backoff, and the dispatcher claims it again then. Every attempt is a row.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pms.base import PmsError
from practices.models import ConnectionStatus, PmsConnection

from . import conf
from .models import AttemptStatus, RunStatus, StreamState
from .pages import RunContext
from .runs import close_run, end_attempt
from .schedule import failed_run_delay, settings_for

logger = logging.getLogger(__name__)


def retry_delay(
    attempt_number: int,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Return seconds to wait before the next attempt: exponential, jittered, capped.

    The PMS's Retry-After is a floor, never cut short by the cap.
    """
    rng = rng or random
    base = conf.get("SYNC_BACKOFF_BASE_SECONDS") * 2 ** max(0, attempt_number - 1)
    ceiling = min(conf.get("SYNC_BACKOFF_CAP_SECONDS"), base)
    delay = ceiling / 2 + rng.uniform(0, ceiling / 2)  # "equal jitter"
    return max(delay, retry_after or 0.0)


def describe(exc: BaseException) -> str:
    """Return a short human error for history rows (never a traceback)."""
    if isinstance(exc, PmsError):
        status = f" (HTTP {exc.status})" if exc.status else ""
        return f"{exc}{status}"
    return f"internal error: {type(exc).__name__}: {exc}"


def handle_failure(ctx: RunContext, exc: Exception) -> None:
    """Record the failed attempt and decide what the stream does next."""
    permanent = isinstance(exc, PmsError) and exc.permanent
    if not isinstance(exc, PmsError):
        logger.exception("stream %s failed with an internal error", ctx.stream.pk)
    if permanent:
        stop_stream(ctx, exc)
    elif ctx.run.attempts < conf.get("SYNC_MAX_ATTEMPTS"):
        schedule_retry(ctx, exc)
    else:
        give_up_run(ctx, exc)


def _end_failed_attempt(ctx: RunContext, exc: Exception, now: datetime, **extra) -> str:
    message = describe(exc)
    pms = exc if isinstance(exc, PmsError) else None
    end_attempt(
        ctx.attempt,
        AttemptStatus.FAILED,
        message,
        now,
        permanent=bool(pms and pms.permanent),
        http_status=pms.status if pms else None,
        retry_after=pms.retry_after if pms else None,
        **extra,
    )
    return message


def schedule_retry(ctx: RunContext, exc: Exception) -> None:
    """Release the stream to be claimed again after the backoff."""
    now = timezone.now()
    retry_after = exc.retry_after if isinstance(exc, PmsError) else None
    retry_at = now + timedelta(seconds=retry_delay(ctx.run.attempts, retry_after))
    with transaction.atomic():
        message = _end_failed_attempt(ctx, exc, now, next_attempt_at=retry_at)
        ctx.run.status = RunStatus.RETRYING
        ctx.run.error = message
        ctx.run.save(update_fields=["status", "error"])
        ctx.lease.release(
            state=StreamState.RETRYING,
            next_due_at=retry_at,
            last_error=message,
            last_failure_at=now,
        )


def give_up_run(ctx: RunContext, exc: Exception) -> None:
    """Fail the run after its last attempt; the stream keeps its cursors and waits."""
    now = timezone.now()
    stream = ctx.stream
    delay = failed_run_delay(
        stream, stream.consecutive_failures + 1, settings_for(stream.practice)
    )
    with transaction.atomic():
        message = _end_failed_attempt(ctx, exc, now)
        close_run(ctx.run, RunStatus.FAILED, message, now)
        ctx.lease.release(
            state=StreamState.SCHEDULED,
            state_changed_at=now,
            current_run=None,
            next_due_at=now + delay,
            last_finished_at=now,
            last_error=message,
            last_failure_at=now,
            consecutive_failures=F("consecutive_failures") + 1,
        )


def stop_stream(ctx: RunContext, exc: Exception) -> None:
    """Stop the stream and flag the connection for staff; no retry until fixed."""
    now = timezone.now()
    stream = ctx.stream
    with transaction.atomic():
        message = _end_failed_attempt(ctx, exc, now)
        close_run(ctx.run, RunStatus.FAILED, message, now)
        ctx.lease.release(
            state=StreamState.STOPPED,
            state_changed_at=now,
            current_run=None,
            next_due_at=None,
            last_finished_at=now,
            last_error=message,
            last_failure_at=now,
            consecutive_failures=F("consecutive_failures") + 1,
        )
        connection = PmsConnection.objects.filter(
            practice_id=stream.practice_id
        ).first()
        if connection is not None and connection.status == ConnectionStatus.ACTIVE:
            connection.set_status(
                ConnectionStatus.NEEDS_ATTENTION,
                f"{stream.get_kind_display()} stopped: {message}",
            )
