"""The page loop: fetch a page, store it, checkpoint the cursor, all under the lease.

Each page's mirror writes, record failures, run counters and cursor checkpoint
commit in one transaction, fenced by the lease: a crash before the commit leaves
the old cursor (the page is read again, and the upsert makes that harmless); a
crash after it resumes from the new one. No gap, no duplicate.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from pms.base import Connector, Page, RecordError
from records.deletions import mark_deleted
from records.upsert import chunked, refresh_statistics, upsert_records

from .lease import Lease
from .models import RecordFailure, RunStatus, SyncAttempt, SyncRun, SyncStream

ProgressFn = Callable[[SyncStream, int], None]  # (stream, records in the page)


@dataclass
class PageCounts:
    """What storing one page did."""

    upserted: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    landed: list[str] = field(default_factory=list)


Writer = Callable[[SyncStream, list, Any], PageCounts]
YIELD_CHECK_SECONDS = 2.0  # how often a yielding slice asks whether others wait


READ = ("pages", "fetched")  # the counters an attempt keeps as well as its run


@dataclass
class RunContext:
    """Everything a workflow body needs while it runs one attempt."""

    stream: SyncStream
    run: SyncRun
    attempt: SyncAttempt
    lease: Lease
    connector: Connector
    deadline: float | None = None  # time.monotonic() value ending this slice
    due_at: datetime | None = None  # when the stream was due for this attempt
    progress: ProgressFn | None = None
    has_open_failures: bool = False
    final_status: str = RunStatus.SUCCEEDED  # a body may end its run as skipped
    note: str = ""  # why, for the run's error column

    # Whether more urgent work waits for a worker (an initial sync's slice then
    # ends early), asked at most every YIELD_CHECK_SECONDS from `next_yield_check`.
    others_waiting: Callable[[], bool] | None = None
    next_yield_check: float = 0.0

    def tally(self, **added: int) -> None:
        """Add to the run's counters (pages, fetched, upserted, ...) in SQL, and the
        pages and records read to this attempt's too."""
        added = {name: value for name, value in added.items() if value}
        if not added:
            return
        SyncRun.objects.filter(pk=self.run.pk).update(
            **{name: F(name) + value for name, value in added.items()}
        )
        read = {name: F(name) + added[name] for name in READ if name in added}
        if read:
            SyncAttempt.objects.filter(pk=self.attempt.pk).update(**read)

    def out_of_time(self) -> bool:
        """Return whether this slice should stop at the next checkpoint."""
        return self.deadline is not None and time.monotonic() >= self.deadline

    def yield_if_others_wait(self) -> None:
        """End this slice at once if more urgent work is waiting (storing thread
        only: it asks the database)."""
        if self.others_waiting is None or self.deadline is None:
            return
        now = time.monotonic()
        if now < self.next_yield_check:
            return
        self.next_yield_check = now + YIELD_CHECK_SECONDS
        if self.others_waiting():
            self.deadline = now


def upsert_writer(kind: str) -> Writer:
    """Return a writer that bulk-upserts `kind` records into the mirror."""

    def write(stream: SyncStream, records: list, now: Any) -> PageCounts:
        result = upsert_records(stream.practice, kind, records, now)
        return PageCounts(
            upserted=result.upserted,
            unchanged=result.unchanged + result.stale,
            deleted=result.deleted,
            rejected=result.rejected,
            landed=result.landed,
        )

    return write


def deletion_writer(stream: SyncStream, records: list, now: Any) -> PageCounts:
    """Hide the deleted records at once."""
    hidden = mark_deleted(stream.practice, records, now)
    return PageCounts(deleted=sum(hidden.values()))


# Rows read but not yet stored, at most, before the reader waits: 20 pages of a
# paced 100-row walk (420 ms of calls at a 21 ms pace, enough to cover a
# statistics refresh without leaving slots unused), 2 pages of 1,000 rows.
READ_AHEAD_ROWS = 2_000


def pull(
    ctx: RunContext,
    key: str,
    fetch: Callable[[str | None], Page],
    writer: Writer,
    *,
    entity: str | None = None,
    count_progress: bool = False,
) -> bool:
    """Walk `key`'s pages from its cursor to the end; False if the slice ran out.

    A helper thread reads up to READ_AHEAD_ROWS rows ahead while this one stores,
    so the database work hides inside the PMS's response time and request pacing,
    and a slow page (a statistics refresh) does not leave a request slot unused.
    Pages are stored in order: checkpoints stay in order, and a crash loses at
    most pages that are read again. When the slice runs out the reader stops
    asking and what it already read is stored, so no call is wasted.
    """
    if key in ctx.stream.completed:
        return True
    with PageReader(fetch, ctx.stream.cursors.get(key), ctx.out_of_time) as pages:
        stored = 0
        for page in pages:
            # No renew first: the page's checkpoint extends and fences the lease
            # inside its own transaction (a lost lease rolls the page back).
            store_page(ctx, key, page, writer, entity or key, count_progress)
            ctx.yield_if_others_wait()
            stored += 1
            if count_progress and stored & (stored - 1) == 0:
                # A bulk load outgrows its table's statistics: re-sample after
                # pages 1, 2, 4, 8, ... (a dozen times for 4,000 pages).
                refresh_statistics(entity or key, keys_only=True)
            if not page.has_more:
                return True
    return False


class PageReader:
    """Read a walk's pages on a helper thread, in order, up to `ahead_rows` rows
    ahead of the storing thread (and always one page)."""

    def __init__(
        self,
        fetch: Callable[[str | None], Page],
        cursor: str | None,
        out_of_time: Callable[[], bool],
        ahead_rows: int | None = None,
    ) -> None:
        self.fetch = fetch
        self.cursor = cursor
        self.out_of_time = out_of_time
        self.ahead_rows = ahead_rows or READ_AHEAD_ROWS
        self.ready: queue.Queue[Page | BaseException | None] = queue.Queue()
        self.queued_rows = 0  # rows in pages handed over and not yet taken
        self.room = threading.Condition()
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=self._read, name="read-ahead", daemon=True
        )

    def __enter__(self) -> PageReader:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        with self.room:
            self.stop.set()
            self.room.notify()  # a reader waiting for room
        self.thread.join()

    def __iter__(self) -> Iterator[Page]:
        while True:
            item = self.ready.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            with self.room:
                self.queued_rows -= _rows(item)
                self.room.notify()
            yield item

    def _read(self) -> None:
        cursor = self.cursor
        try:
            while self._wait_for_room() and not self.out_of_time():
                page = self.fetch(cursor)
                with self.room:
                    self.queued_rows += _rows(page)
                self.ready.put(page)
                if not page.has_more:
                    return
                cursor = page.cursor
            self.ready.put(None)
        except BaseException as exc:  # noqa: BLE001 - raised in the storing thread
            self.ready.put(exc)
        finally:
            connections.close_all()  # only this thread's (a database request budget's)

    def _wait_for_room(self) -> bool:
        """Wait until the pages not yet stored hold fewer than `ahead_rows` rows;
        False once the walk is stopped."""
        with self.room:
            while self.queued_rows >= self.ahead_rows and not self.stop.is_set():
                self.room.wait()
            return not self.stop.is_set()


def _rows(page: Page) -> int:
    return max(1, len(page.records) + len(page.errors))


def store_page(
    ctx: RunContext,
    key: str,
    page: Page,
    writer: Writer,
    entity: str,
    count_progress: bool = False,
) -> PageCounts:
    """Store one page and checkpoint its cursor in a single fenced transaction."""
    now = timezone.now()
    stream = ctx.stream
    fetched = len(page.records) + len(page.errors)
    with transaction.atomic():
        _commit_without_flush_wait()
        counts = writer(stream, page.records, now)
        failed = record_failures(ctx, entity, page.errors, counts.rejected, now)
        ctx.has_open_failures = ctx.has_open_failures or bool(failed)
        if ctx.has_open_failures and counts.landed:
            resolve_failures(ctx, entity, counts.landed, now)
        fields: dict[str, Any] = {"cursors": {**stream.cursors, key: page.cursor}}
        if not page.has_more:
            fields["completed"] = [*stream.completed, key]
        if count_progress:
            fields["progress_done"] = stream.progress_done + fetched
        ctx.lease.checkpoint(**fields)
        ctx.tally(
            pages=1,
            fetched=fetched,
            upserted=counts.upserted,
            unchanged=counts.unchanged,
            deleted=counts.deleted,
            failed=failed,
        )
    for name, value in fields.items():
        setattr(stream, name, value)
    if ctx.progress is not None:
        ctx.progress(stream, fetched)
    return counts


def _commit_without_flush_wait() -> None:
    """Let this transaction's COMMIT return before its WAL reaches the disk
    (PostgreSQL; ~10 ms a page on this machine's disk, a quarter of a bulk load's
    database time). Only a crash of the database server can lose such a commit,
    and then the page's rows, failures, counters and cursor checkpoint are lost
    together: the walk resumes from the earlier cursor and reads the page again,
    as after any crash before a commit. The mirror is a copy of the PMS, so
    nothing is lost that the next read does not bring back."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def mark_step_done(ctx: RunContext, key: str) -> None:
    """Checkpoint a one-call step (such as the reference refresh) as completed."""
    completed = [*ctx.stream.completed, key]
    ctx.lease.checkpoint(completed=completed)
    ctx.stream.completed = completed


def record_failures(
    ctx: RunContext,
    entity: str,
    errors: Sequence[RecordError],
    rejected: Sequence[tuple[str, str]],
    now: Any,
) -> int:
    """Store unreadable and refused records as failures; return how many."""
    rows = [
        RecordFailure(
            practice_id=ctx.stream.practice_id,
            run=ctx.run,
            stream_kind=ctx.stream.kind,
            entity=str(error.entity),
            pms_id=(error.pms_id or "")[:64],
            reason=error.reason,
            raw_excerpt=error.raw_excerpt[:2000],
            created_at=now,
        )
        for error in errors
    ]
    rows += [
        RecordFailure(
            practice_id=ctx.stream.practice_id,
            run=ctx.run,
            stream_kind=ctx.stream.kind,
            entity=entity,
            pms_id=pms_id[:64],
            reason=reason,
            created_at=now,
        )
        for pms_id, reason in rejected
    ]
    RecordFailure.objects.bulk_create(rows)
    return len(rows)


def resolve_failures(ctx: RunContext, entity: str, landed: list[str], now: Any) -> None:
    """Mark the open failures of records that have now landed as resolved."""
    for chunk in chunked(landed):
        RecordFailure.objects.filter(
            practice_id=ctx.stream.practice_id,
            entity=entity,
            pms_id__in=chunk,
            resolved_at__isnull=True,
        ).update(resolved_at=now)
