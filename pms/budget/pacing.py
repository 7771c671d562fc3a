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

import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from ..base import Lane, PmsError

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


def next_turn(
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
