"""Per-connection request budgets shared by every worker process and node.

A PMS connection may start one call per interval, with at most one call in
flight (Open Dental remote: 1 s, read-only keys 5 s, Enterprise 500 ms; see
shared/pms/opendental-api.md §4.3). The state lives in Redis when REDIS_URL is
set, otherwise in the database (SQLite or PostgreSQL), never in process memory.

Priorities: each caller registers in a shared waiting list ordered by (lane,
arrival). Only the head of that list may take the next slot, so a FAST or
WRITE_BACK caller that arrives while INITIAL callers queue is served next, and a
long backfill can never starve a status check. Waiters refresh a short expiry on
every poll, so a crashed worker drops out of the queue by itself; the in-flight
mark has a lease for the same reason.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections, transaction

from .base import Lane, PmsError

log = logging.getLogger(__name__)

POLL_S = 0.05  # how often a waiter that is not at the head looks again
WAITER_TTL_S = 10.0  # a waiter that stops polling for this long leaves the queue


class BudgetStore(Protocol):
    """Where budget state lives; one `session()` spans one wait for a slot."""

    def session(self) -> Iterator[BudgetSession]: ...

    def close(self) -> None: ...


class BudgetSession(Protocol):
    def try_acquire(
        self, key: str, lane: int, token: str, interval: float, lease: float
    ) -> float:
        """Take the slot and return 0, or return how long to wait before retrying."""

    def release(self, key: str, token: str, next_in: float | None = None) -> None:
        """Free the slot; `next_in`: the next call may start no sooner than this
        many seconds from now (the store's clock)."""

    def leave(self, key: str, token: str) -> None: ...

    def defer(self, key: str, seconds: float) -> None: ...


class RequestBudget:
    """One connection's budget: `with budget.slot(lane): <one HTTP call>`."""

    def __init__(
        self,
        key: str,
        interval_s: float,
        store: BudgetStore,
        *,
        lease_s: float = 120.0,
        max_wait_s: float = 600.0,
        label: str = "the PMS",
    ) -> None:
        self.key = key
        self.interval_s = interval_s
        self.store = store
        self.lease_s = lease_s
        self.max_wait_s = max_wait_s
        self.label = label

    @contextmanager
    def slot(self, lane: Lane) -> Iterator[None]:
        """Wait for this lane's turn, hold the connection for one call, release it."""
        token = self.acquire(lane)
        sent_at = time.monotonic()
        try:
            yield
        finally:
            self.release(token, sent_at)

    def acquire(self, lane: Lane) -> str:
        """Wait until `lane` may start a call; return the token that holds it."""
        token = uuid.uuid4().hex
        deadline = time.monotonic() + self.max_wait_s
        with self.store.session() as session:
            try:
                while True:
                    wait = session.try_acquire(
                        self.key, int(lane), token, self.interval_s, self.lease_s
                    )
                    if wait <= 0:
                        return token
                    if time.monotonic() + wait > deadline:
                        raise PmsError(
                            f"Waited {self.max_wait_s:.0f} s for a turn to call "
                            f"{self.label}; too much work is queued on this "
                            "connection",
                            permanent=False,
                        )
                    time.sleep(min(wait, WAITER_TTL_S / 3))
            except BaseException:
                session.leave(self.key, token)
                raise

    def release(self, token: str, sent_at: float | None = None) -> None:
        """Mark the call started with `token` as finished.

        `sent_at` (a time.monotonic() value): when the call left. The next call
        then starts no sooner than one interval after that, on the store's clock.
        The slot's own clock reading is taken inside the store's transaction, a
        moment before the call leaves; under load that moment varies by more than
        the margin, and two calls could reach the PMS closer than the interval.
        """
        next_in = None
        if sent_at is not None:
            next_in = self.interval_s - (time.monotonic() - sent_at)
        with self.store.session() as session:
            session.release(self.key, token, next_in)

    def defer(self, seconds: float) -> None:
        """Start no call on this connection for `seconds` (e.g. after a 429)."""
        with self.store.session() as session:
            session.defer(self.key, seconds)

    def close(self) -> None:
        """Release what the store holds open (its database connection)."""
        self.store.close()


# --- database store ---------------------------------------------------------------

STATE = "pms_budgetstate"
Step = Callable[[Any, float], float]  # (cursor, database time) -> seconds to wait
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

    def run(self, step: Step, single: bool = False) -> float:
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
            self._private, self._pid = private, os.getpid()
        return private

    def close(self) -> None:
        with self._lock:
            private, self._private = self._private, None
            if private is not None and self._pid == os.getpid():
                private.close()


def _run_shared(conn, step: Step) -> float:
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


def _run_private(conn, step: Step) -> float:
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
        self, key: str, lane: int, token: str, interval: float, lease: float
    ) -> float:
        def step(cur, now: float) -> float:
            next_start, busy_token, busy_until = self._lock_state(cur, key)
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
            wait = _wait_for(first, now, next_start, busy_token, busy_until)
            if wait > 0:
                cur.execute(
                    f"UPDATE {WAITER} SET expires_at = %s WHERE token = %s",
                    [now + WAITER_TTL_S, token],
                )
                if cur.rowcount == 0:
                    cur.execute(
                        f"INSERT INTO {WAITER} (key, lane, token, expires_at) "
                        "VALUES (%s, %s, %s, %s)",
                        [key, lane, token, now + WAITER_TTL_S],
                    )
                return wait
            cur.execute(
                f"UPDATE {STATE} SET next_start_at = %s, busy_token = %s, "
                "busy_until = %s WHERE key = %s",
                [now + interval, token, now + lease, key],
            )
            if head is not None and head[0] == token:
                cur.execute(f"DELETE FROM {WAITER} WHERE token = %s", [token])
            return 0.0

        return self._run(step)

    def _lock_state(self, cur, key: str) -> tuple[float, str, float]:
        """Return the connection's (next start, busy token, busy until), locked."""
        select = (
            f"SELECT next_start_at, busy_token, busy_until FROM {STATE} "
            f"WHERE key = %s{self.lock}"
        )
        cur.execute(select, [key])
        row = cur.fetchone()
        if row is None:
            cur.execute(
                f"INSERT INTO {STATE} (key, next_start_at, busy_token, busy_until) "
                "VALUES (%s, 0, '', 0) ON CONFLICT (key) DO NOTHING",
                [key],
            )
            cur.execute(select, [key])
            row = cur.fetchone()
        return row

    def release(self, key: str, token: str, next_in: float | None = None) -> None:
        def step(cur, now: float) -> float:
            free, params = "busy_token = '', busy_until = 0", []
            if next_in is not None and self.postgresql:  # the server's clock
                free += (
                    ", next_start_at = GREATEST(next_start_at, "
                    "EXTRACT(EPOCH FROM clock_timestamp()) + %s)"
                )
                params = [next_in]
            elif next_in is not None:
                free += ", next_start_at = MAX(next_start_at, %s)"
                params = [now + next_in]
            cur.execute(
                f"UPDATE {STATE} SET {free} WHERE key = %s AND busy_token = %s",
                [*params, key, token],
            )
            return 0.0

        self._run(step, single=True)

    def leave(self, key: str, token: str) -> None:
        def step(cur, now: float) -> float:
            cur.execute(f"DELETE FROM {WAITER} WHERE token = %s", [token])
            return 0.0

        self._run(step)

    def defer(self, key: str, seconds: float) -> None:
        def step(cur, now: float) -> float:
            until = now + seconds
            cur.execute(
                f"UPDATE {STATE} SET next_start_at = CASE WHEN next_start_at < %s "
                "THEN %s ELSE next_start_at END WHERE key = %s",
                [until, until, key],
            )
            return 0.0

        self._run(step)


def _wait_for(
    is_head: bool, now: float, next_start: float, busy_token: str, busy_until: float
) -> float:
    """Return 0 if the caller may start now, else how long it should wait."""
    if not is_head:
        return max(POLL_S, min(next_start - now, WAITER_TTL_S / 3))
    if busy_token and busy_until > now:
        return POLL_S
    return max(0.0, next_start - now)


# --- Redis store -----------------------------------------------------------------

# KEYS: state hash, waiting zset (score lane*1e12 + arrival), expiry zset, arrivals
# ARGV: token, lane, interval ms, lease ms, ttl ms, poll ms
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local token = ARGV[1]
local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, d in ipairs(dead) do
  redis.call('ZREM', KEYS[2], d)
  redis.call('ZREM', KEYS[3], d)
end
if not redis.call('ZSCORE', KEYS[2], token) then
  local seq = redis.call('INCR', KEYS[4])
  redis.call('ZADD', KEYS[2], tonumber(ARGV[2]) * 1e12 + seq, token)
end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[5]), token)
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], 3600000) end
local nxt = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
local busy = redis.call('HGET', KEYS[1], 'busy') or ''
local busy_until = tonumber(redis.call('HGET', KEYS[1], 'busy_until') or '0')
local poll = tonumber(ARGV[6])
local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
if head ~= token then
  return math.max(poll, math.min(nxt - now, tonumber(ARGV[5]) / 3))
end
if busy ~= '' and busy_until > now then return poll end
if now < nxt then return nxt - now end
redis.call('HSET', KEYS[1], 'next', now + tonumber(ARGV[3]), 'busy', token,
  'busy_until', now + tonumber(ARGV[4]))
redis.call('ZREM', KEYS[2], token)
redis.call('ZREM', KEYS[3], token)
return 0
"""

# ARGV: token[, ms from now before the next call may start]
_RELEASE = """
if redis.call('HGET', KEYS[1], 'busy') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'busy', '', 'busy_until', 0)
  if ARGV[2] then
    local t = redis.call('TIME')
    local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      + tonumber(ARGV[2])
    if at > tonumber(redis.call('HGET', KEYS[1], 'next') or '0') then
      redis.call('HSET', KEYS[1], 'next', at)
    end
  end
end
return 0
"""

_DEFER = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ms = now + tonumber(ARGV[1])
local nxt = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
if nxt < until_ms then redis.call('HSET', KEYS[1], 'next', until_ms) end
redis.call('PEXPIRE', KEYS[1], 3600000)
return 0
"""

_CLIENTS: dict[str, object] = {}
_CLIENTS_LOCK = threading.Lock()


class RedisStore:
    """Budget state in Redis; Lua scripts make each step atomic on the server."""

    prefix = "pbnsync:budget:"

    def __init__(self, url: str) -> None:
        import redis

        with _CLIENTS_LOCK:
            if url not in _CLIENTS:
                _CLIENTS[url] = redis.Redis.from_url(url)
            self.client = _CLIENTS[url]
        self._acquire = self.client.register_script(_ACQUIRE)
        self._release = self.client.register_script(_RELEASE)
        self._defer = self.client.register_script(_DEFER)

    @contextmanager
    def session(self) -> Iterator[RedisStore]:
        yield self

    def close(self) -> None:
        """Nothing to release: the client's pool is shared by the process."""

    def _keys(self, key: str) -> list[str]:
        base = f"{self.prefix}{key}:"
        return [base + "state", base + "waiting", base + "expiry", base + "arrivals"]

    def try_acquire(
        self, key: str, lane: int, token: str, interval: float, lease: float
    ) -> float:
        ms = self._acquire(
            keys=self._keys(key),
            args=[
                token,
                lane,
                int(interval * 1000),
                int(lease * 1000),
                int(WAITER_TTL_S * 1000),
                int(POLL_S * 1000),
            ],
        )
        return int(ms) / 1000

    def release(self, key: str, token: str, next_in: float | None = None) -> None:
        args = [token] if next_in is None else [token, int(next_in * 1000)]
        self._release(keys=self._keys(key)[:1], args=args)

    def leave(self, key: str, token: str) -> None:
        keys = self._keys(key)
        pipe = self.client.pipeline()
        pipe.zrem(keys[1], token)
        pipe.zrem(keys[2], token)
        pipe.execute()

    def defer(self, key: str, seconds: float) -> None:
        self._defer(keys=self._keys(key)[:1], args=[int(seconds * 1000)])


# --- choosing a store ---------------------------------------------------------------


def redis_url() -> str:
    """Return the Redis URL the cluster uses, or "" when it runs on the database."""
    url = getattr(settings, "REDIS_URL", "") or ""
    if not url:
        broker = settings.Q_CLUSTER.get("redis", "")
        url = broker if isinstance(broker, str) else ""
    return url


def default_store() -> BudgetStore:
    """Return the shared store this deployment uses: Redis if set, else the DB."""
    url = redis_url()
    return RedisStore(url) if url else DatabaseStore()


def budget_for(
    key: str, interval_ms: int, *, lease_s: float = 120.0, label: str = "the PMS"
) -> RequestBudget | None:
    """Return the budget for connection `key`, or None when it is unthrottled.

    The PMS times our calls when they arrive, not when we send them, so a
    margin (PMS_BUDGET_MARGIN_MS, default 50) absorbs the jitter in between.
    """
    if interval_ms <= 0:
        return None
    margin_ms = getattr(settings, "PMS_BUDGET_MARGIN_MS", 50)
    return RequestBudget(
        key,
        (interval_ms + margin_ms) / 1000,
        default_store(),
        lease_s=lease_s,
        label=label,
    )
