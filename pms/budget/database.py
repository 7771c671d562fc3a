"""Budget state in the Django database (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import InterfaceError, OperationalError, connections, transaction

from . import pacing
from .pacing import Turn, next_turn

STATE = "pms_budgetstate"
Step = Callable[[Any, float], Any]  # (cursor, database time) -> its result
WAITER = "pms_budgetwaiter"


class DatabaseStore:
    """Budget state in the Django database.

    On PostgreSQL the budget uses a private autocommit connection, so it works the
    same whether or not the caller is inside a transaction, and the row lock on
    the connection's state serialises every node. The private connection is
    opened once and kept until `close()` (a connector's lifetime): connecting
    costs several milliseconds, two per call if done for every wait and release.
    SQLite lives on one machine and its IMMEDIATE transactions already serialise
    writers, so it uses the calling thread's own connection.
    """

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self._private: Any = None
        self._pid = 0
        self._lock = threading.Lock()  # the read-ahead thread shares the store

    @contextmanager
    def session(self) -> Iterator[_SqlSession]:
        yield _SqlSession(self)

    def run(self, step: Step, single: bool = False) -> Any:
        """Run `step(cursor, now)` in one transaction and return its result.

        `single`: the step is one statement that reads the server's clock itself
        (it ignores `now`); on PostgreSQL it runs on its own (autocommit), without
        the transaction and the clock reading.
        """
        shared = connections[self.alias]
        if shared.vendor == "sqlite":
            return _run_shared(shared, step)
        with self._lock:
            # A connection the server dropped (a restart, an idle timeout) is
            # replaced once and the step run again: its transaction went with it.
            for last_try in (False, True):
                private = self._connection()
                try:
                    if single:
                        with private.cursor() as cur:
                            return step(cur, 0.0)
                    return _run_private(private, step)
                except (OperationalError, InterfaceError):
                    if last_try or not _lost(private):
                        raise
        raise AssertionError("unreachable")

    def _connection(self) -> Any:
        """Return the open private connection, (re)connecting when needed."""
        private = self._private
        # One inherited through a fork is never reused (nor closed: it is the
        # parent's); one the server dropped is replaced.
        if private is not None and (self._pid != os.getpid() or _lost(private)):
            private = None
        if private is None:
            private = connections.create_connection(self.alias)
            private.inc_thread_sharing()
            private.ensure_connection()
            private.set_autocommit(True)
            with private.cursor() as cur:
                # Budget state lives for one interval: a crash may lose its last
                # few milliseconds, so a grant or release need not wait for the
                # WAL to reach the disk (a flush each, two per call).
                cur.execute("SET synchronous_commit TO OFF")
            self._private, self._pid = private, os.getpid()
        return private

    def close(self) -> None:
        with self._lock:
            private, self._private = self._private, None
            if private is not None and self._pid == os.getpid():
                private.close()


def _run_shared(conn, step: Step) -> Any:
    """Run `step` in the caller's own connection, retrying lock contention."""
    for attempt in range(50):
        try:
            with transaction.atomic(using=conn.alias):
                with conn.cursor() as cur:
                    return step(cur, time.time())
        except OperationalError as exc:
            # SQLite's shared-cache test database reports contention at once
            # instead of honouring the busy timeout; wait and try again.
            if "locked" not in str(exc) or attempt == 49:
                raise
            time.sleep(0.01 + 0.002 * attempt)
    raise AssertionError("unreachable")


def _run_private(conn, step: Step) -> Any:
    """Run `step` in one explicit transaction on an autocommit connection."""
    with conn.cursor() as cur:
        cur.execute("BEGIN")
        try:
            # The database's clock, so every node measures the same interval.
            cur.execute("SELECT EXTRACT(EPOCH FROM clock_timestamp())")
            result = step(cur, float(cur.fetchone()[0]))
        except BaseException:
            if not _lost(conn):
                cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")
        return result


def _lost(conn) -> bool:
    """Return whether a private connection can no longer be used."""
    raw = conn.connection
    return raw is None or raw.closed or raw.broken


class _SqlSession:
    def __init__(self, store: DatabaseStore) -> None:
        self._run = store.run
        self.postgresql = connections[store.alias].vendor == "postgresql"
        self.lock = " FOR UPDATE" if self.postgresql else ""

    def try_acquire(
        self,
        key: str,
        lane: int,
        token: str,
        interval: float,
        lease: float,
        owner: str = "",
    ) -> Turn:
        def step(cur, now: float) -> Turn:
            # `now` was read just before this line runs: a local clock reading
            # taken here is no earlier than it, so a start never comes early.
            read_at = time.monotonic()
            next_start, busy_token, busy_until, last = self._lock_state(cur, key)
            cur.execute(
                f"DELETE FROM {WAITER} WHERE key = %s AND expires_at < %s", [key, now]
            )
            cur.execute(
                f"SELECT token, lane FROM {WAITER} WHERE key = %s "
                "ORDER BY lane, id LIMIT 1",
                [key],
            )
            head = cur.fetchone()
            # First in line: nobody waits, we head the list, or we would head it
            # (a better lane than the head's; arrivals within a lane keep order).
            first = head is None or head[0] == token or lane < head[1]
            granted, wait = next_turn(
                first, now, next_start, busy_token, busy_until, interval
            )
            if not granted:
                cur.execute(
                    f"UPDATE {WAITER} SET expires_at = %s WHERE token = %s",
                    [now + pacing.WAITER_TTL_S, token],
                )
                if cur.rowcount == 0:
                    cur.execute(
                        f"INSERT INTO {WAITER} (key, lane, token, expires_at) "
                        "VALUES (%s, %s, %s, %s)",
                        [key, lane, token, now + pacing.WAITER_TTL_S],
                    )
                return Turn(False, read_at + wait)
            start = now + wait
            cur.execute(
                f"UPDATE {STATE} SET next_start_at = %s, busy_token = %s, "
                "busy_until = %s, last_owner = '' WHERE key = %s",
                [start + interval, token, start + lease, key],
            )
            if head is not None and head[0] == token:
                cur.execute(f"DELETE FROM {WAITER} WHERE token = %s", [token])
            return Turn(True, read_at + wait, bool(owner) and last == owner)

        return self._run(step)

    def _lock_state(self, cur, key: str) -> tuple[float, str, float, str]:
        """Return the connection's (next start, busy token, busy until, owner of
        the last call), locked."""
        select = (
            f"SELECT next_start_at, busy_token, busy_until, last_owner FROM {STATE} "
            f"WHERE key = %s{self.lock}"
        )
        cur.execute(select, [key])
        row = cur.fetchone()
        if row is None:
            cur.execute(
                f"INSERT INTO {STATE} (key, next_start_at, busy_token, busy_until, "
                "last_owner) VALUES (%s, 0, '', 0, '') ON CONFLICT (key) DO NOTHING",
                [key],
            )
            cur.execute(select, [key])
            row = cur.fetchone()
        return row

    def release(
        self, key: str, token: str, next_in: float | None = None, owner: str = ""
    ) -> None:
        def step(cur, now: float) -> None:
            free, params = "busy_token = '', busy_until = 0", []
            if next_in is not None and self.postgresql:  # the server's clock
                free += (
                    ", last_owner = %s, next_start_at = GREATEST(next_start_at, "
                    "EXTRACT(EPOCH FROM clock_timestamp()) + %s)"
                )
                params = [owner, next_in]
            elif next_in is not None:
                free += ", last_owner = %s, next_start_at = MAX(next_start_at, %s)"
                params = [owner, now + next_in]
            cur.execute(
                f"UPDATE {STATE} SET {free} WHERE key = %s AND busy_token = %s",
                [*params, key, token],
            )

        self._run(step, single=True)

    def leave(self, key: str, token: str) -> None:
        def step(cur, now: float) -> None:
            cur.execute(f"DELETE FROM {WAITER} WHERE token = %s", [token])

        self._run(step)

    def defer(self, key: str, seconds: float) -> None:
        def step(cur, now: float) -> None:
            until = now + seconds
            cur.execute(
                f"UPDATE {STATE} SET last_owner = '', next_start_at = CASE WHEN "
                "next_start_at < %s THEN %s ELSE next_start_at END WHERE key = %s",
                [until, until, key],
            )

        self._run(step)
