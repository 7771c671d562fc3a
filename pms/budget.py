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

Reservations: the head of the line, with nobody in flight and the next start at
most RESERVE_S away, takes that start at once and sleeps until it on its own
clock, so the call leaves on time instead of one more round trip after it. A
caller of a better lane that arrives meanwhile waits for the slot after: it is
held back by RESERVE_S (or one interval, if shorter) at most.

Own pace: the store's clock is not the caller's, and each conversion between the
two is rounded the safe way, by the time a round trip to the store takes. When
the last call on the connection was the caller's own and nothing has moved the
next start since (no other grant, no deferral), the store says so and the caller
starts exactly one interval after its own call left, on its own clock: a walk
that makes call after call loses no fraction of a millisecond per call to the
two conversions. "Left" is when the request was written; from a start to the
write a call spends its client's own path (a connection, the request's bytes), so
an own-paced start comes that path early (the shortest of its recent calls'), so
that the request, not the start, follows the last one by the interval. Never by
more than the margin: a call whose path is shorter than any before it (a kept-
alive connection after a TLS handshake) still leaves a full PMS interval after
the last.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections, transaction

from .base import Lane, PmsError

log = logging.getLogger(__name__)

POLL_S = 0.05  # how often a waiter looks again (at most; a shorter interval: that)
RESERVE_S = 0.1  # the head takes a start at most this far ahead (or one interval)
WAITER_TTL_S = 10.0  # a waiter that stops polling for this long leaves the queue
SPIN_S = 0.0005  # the end of a wait for a start is spent on the clock, not asleep
LEADS_KEPT = 32  # recent calls whose time from start to request written is kept


class BudgetStore(Protocol):
    """Where budget state lives; one `session()` spans one wait for a slot."""

    def session(self) -> Iterator[BudgetSession]: ...

    def close(self) -> None: ...


@dataclass
class Call:
    """One call made in a slot."""

    sent_at: float  # time.monotonic() when it left


@dataclass(frozen=True)
class Turn:
    """The answer to a request for a slot."""

    granted: bool  # the slot is the caller's, from `until` on
    until: float  # time.monotonic() value: when to call (granted) or ask again
    # Granted, and the last call was the asking owner's with nothing since: it
    # may start one interval after that call left, by its own clock.
    own: bool = False


class BudgetSession(Protocol):
    def try_acquire(
        self,
        key: str,
        lane: int,
        token: str,
        interval: float,
        lease: float,
        owner: str = "",
    ) -> Turn:
        """Take the next slot (now or reserved a moment ahead) or say when to ask
        again; `owner` names the budget asking (see `Turn.own`)."""

    def release(
        self, key: str, token: str, next_in: float | None = None, owner: str = ""
    ) -> None:
        """Free the slot; `next_in`: the next call may start no sooner than this
        many seconds from now (the store's clock), after `owner`'s call."""

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
        margin_s: float = 0.0,
    ) -> None:
        self.key = key
        self.interval_s = interval_s  # the PMS's interval and our margin
        self.margin_s = margin_s  # of `interval_s`; own-paced starts may use it
        self.store = store
        self.lease_s = lease_s
        self.max_wait_s = max_wait_s
        self.label = label
        self.owner = uuid.uuid4().hex
        self._sent_at: float | None = None  # when this budget's last call left
        self._leads: deque[float] = deque(maxlen=LEADS_KEPT)  # start -> written

    @contextmanager
    def slot(self, lane: Lane) -> Iterator[Call]:
        """Wait for this lane's turn, hold the connection for one call, release it.

        The caller may set the yielded call's `sent_at` to when its request
        really left; by default it is the moment the slot began.
        """
        token = self.acquire(lane)
        began = time.monotonic()
        call = Call(sent_at=began)
        try:
            yield call
        finally:
            if call.sent_at > began:
                self._leads.append(call.sent_at - began)
            self.release(token, call.sent_at)

    def acquire(self, lane: Lane) -> str:
        """Wait until `lane` may start a call; return the token that holds it."""
        token = uuid.uuid4().hex
        deadline = time.monotonic() + self.max_wait_s
        with self.store.session() as session:
            try:
                while True:
                    turn = session.try_acquire(
                        self.key,
                        int(lane),
                        token,
                        self.interval_s,
                        self.lease_s,
                        self.owner,
                    )
                    if turn.granted:
                        until = turn.until
                        if turn.own and self._sent_at is not None:
                            lead = min(self._leads, default=0.0)
                            until = (
                                self._sent_at
                                + self.interval_s
                                - min(lead, self.margin_s)
                            )
                        _sleep_until(until)
                        return token
                    if turn.until > deadline:
                        raise PmsError(
                            f"Waited {self.max_wait_s:.0f} s for a turn to call "
                            f"{self.label}; too much work is queued on this "
                            "connection",
                            permanent=False,
                        )
                    _sleep_until(min(turn.until, time.monotonic() + WAITER_TTL_S / 3))
            except BaseException:
                # Granted or not: free what this token holds (a reserved slot,
                # a place in the line).
                session.release(self.key, token)
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
        self._sent_at = sent_at
        with self.store.session() as session:
            session.release(self.key, token, next_in, self.owner)

    def defer(self, seconds: float) -> None:
        """Start no call on this connection for `seconds` (e.g. after a 429)."""
        with self.store.session() as session:
            session.defer(self.key, seconds)

    def close(self) -> None:
        """Release what the store holds open (its database connection)."""
        self.store.close()


# --- database store ---------------------------------------------------------------

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
            granted, wait = _turn(
                first, now, next_start, busy_token, busy_until, interval
            )
            if not granted:
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


def _turn(
    is_head: bool,
    now: float,
    next_start: float,
    busy_token: str,
    busy_until: float,
    interval: float,
) -> tuple[bool, float]:
    """Return (granted, seconds until the start or until asking again)."""
    if not is_head:
        # Someone else takes the next start; look again when it has passed (and
        # not less than an interval later, or every POLL_S on a slow budget).
        poll = max(0.001, min(POLL_S, interval))
        return False, max(poll, min(next_start - now, WAITER_TTL_S / 3))
    if busy_token and busy_until > now:
        # The call in flight moves the next start when it ends: look again soon.
        return False, max(0.001, min(POLL_S, interval / 4))
    wait = max(0.0, next_start - now)
    horizon = min(RESERVE_S, interval)
    if wait > horizon:
        return False, wait - horizon / 2
    return True, wait


def _sleep_until(moment: float) -> None:
    """Return at `moment` (time.monotonic()), neither before nor much after.

    A sleep ends up to a few hundred microseconds late (timer slack, a wake-up
    behind other threads); at a scaled-down 20 ms interval that is a few percent
    of every call. So the last SPIN_S are spent looking at the clock instead.
    """
    remaining = moment - time.monotonic()
    if remaining > SPIN_S:
        time.sleep(remaining - SPIN_S)
    while time.monotonic() < moment:
        pass


# --- Redis store -----------------------------------------------------------------

# Times are whole microseconds on the Redis server's clock: milliseconds would
# round a 20 ms interval (a scaled-down benchmark) by a twentieth.
# KEYS: state hash, waiting zset (score lane*1e12 + arrival), expiry zset, arrivals
# ARGV: token, lane, interval, lease, ttl, poll, reserve horizon (all in us), owner
# Returns {1, us until the reserved start, 1 if the last call was the owner's}
# or {0, us until asking again}.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local token = ARGV[1]
local interval = tonumber(ARGV[3])
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
  return {0, math.max(1000, math.min(poll, interval),
    math.min(nxt - now, tonumber(ARGV[5]) / 3))}
end
if busy ~= '' and busy_until > now then
  return {0, math.max(1000, math.min(poll, math.floor(interval / 4)))}
end
local wait = math.max(0, nxt - now)
local horizon = math.min(tonumber(ARGV[7]), interval)
if wait > horizon then return {0, wait - math.floor(horizon / 2)} end
local start = now + wait
local last = redis.call('HGET', KEYS[1], 'last')
local own = 0
if ARGV[8] ~= '' and last == ARGV[8] then own = 1 end
redis.call('HSET', KEYS[1], 'next', start + interval, 'busy', token,
  'busy_until', start + tonumber(ARGV[4]), 'last', '')
redis.call('ZREM', KEYS[2], token)
redis.call('ZREM', KEYS[3], token)
return {1, wait, own}
"""

# ARGV: token[, us from now before the next call may start, owner]
_RELEASE = """
if redis.call('HGET', KEYS[1], 'busy') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'busy', '', 'busy_until', 0)
  if ARGV[2] then
    redis.call('HSET', KEYS[1], 'last', ARGV[3])
    local t = redis.call('TIME')
    local at = tonumber(t[1]) * 1000000 + tonumber(t[2]) + tonumber(ARGV[2])
    if at > tonumber(redis.call('HGET', KEYS[1], 'next') or '0') then
      redis.call('HSET', KEYS[1], 'next', at)
    end
  end
end
return 0
"""

# ARGV: us from now before any call may start
_DEFER = """
local t = redis.call('TIME')
local until_us = tonumber(t[1]) * 1000000 + tonumber(t[2]) + tonumber(ARGV[1])
local nxt = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
if nxt < until_us then redis.call('HSET', KEYS[1], 'next', until_us) end
redis.call('HSET', KEYS[1], 'last', '')
redis.call('PEXPIRE', KEYS[1], 3600000)
return 0
"""


def _us(seconds: float) -> int:
    """Return `seconds` in whole microseconds, rounded up: never shorter."""
    return math.ceil(seconds * 1_000_000)


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
        self,
        key: str,
        lane: int,
        token: str,
        interval: float,
        lease: float,
        owner: str = "",
    ) -> Turn:
        granted, us, *own = self._acquire(
            keys=self._keys(key),
            args=[
                token,
                lane,
                _us(interval),
                _us(lease),
                _us(WAITER_TTL_S),
                _us(POLL_S),
                _us(RESERVE_S),
                owner,
            ],
        )
        # Redis read its clock before this one: the local start is never early.
        until = time.monotonic() + int(us) / 1_000_000
        return Turn(bool(granted), until, bool(own and own[0]))

    def release(
        self, key: str, token: str, next_in: float | None = None, owner: str = ""
    ) -> None:
        args = [token] if next_in is None else [token, _us(next_in), owner]
        self._release(keys=self._keys(key)[:1], args=args)

    def leave(self, key: str, token: str) -> None:
        keys = self._keys(key)
        pipe = self.client.pipeline()
        pipe.zrem(keys[1], token)
        pipe.zrem(keys[2], token)
        pipe.execute()

    def defer(self, key: str, seconds: float) -> None:
        self._defer(keys=self._keys(key)[:1], args=[_us(seconds)])


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
    margin (PMS_BUDGET_MARGIN_MS, default 20) absorbs the jitter in between.
    """
    if interval_ms <= 0:
        return None
    margin_ms = getattr(settings, "PMS_BUDGET_MARGIN_MS", 20)
    return RequestBudget(
        key,
        (interval_ms + margin_ms) / 1000,
        default_store(),
        lease_s=lease_s,
        label=label,
        margin_s=margin_ms / 1000,
    )
