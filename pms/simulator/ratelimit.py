"""Per-practice request budgets, as the real PMS applies them."""

from __future__ import annotations

import threading
import time
from collections import deque

from .arrivals import wall_offset

REMEMBERED_ARRIVALS = 200_000


class RateLimiter:
    """At most one request start per `interval` seconds; count every violation.

    Open Dental throttles per customer key, 1 s (5 s read-only, 500 ms enterprise)
    between calls, and does not document how an over-limit call is answered
    (opendental-api.md §4.3): mode "delay" holds the call until its slot, mode
    "reject" answers 429 with Retry-After. Either way the call counts as a violation.
    """

    def __init__(self, interval: float = 0.0, mode: str = "delay") -> None:
        self.interval = interval
        self.mode = mode
        self.violations = 0
        self.calls = 0  # every call it counted, admitted or not
        self.arrivals: deque[float] = deque(maxlen=REMEMBERED_ARRIVALS)  # epoch s
        self._next_start = 0.0
        self._lock = threading.Lock()

    def admit(self, arrived: float | None = None) -> float | None:
        """Admit a request now (after any delay); return Retry-After if rejected.

        `arrived` (time.monotonic()): when its request line was read; a server
        counts calls as they arrive, not when its code gets round to them.
        """
        with self._lock:
            now = time.monotonic() if arrived is None else arrived
            self.calls += 1
            self.arrivals.append(now + wall_offset())
            if self.interval <= 0:
                return None
            if now >= self._next_start:
                self._next_start = now + self.interval
                return None
            self.violations += 1
            wait = self._next_start - now
            if self.mode == "reject":
                return wait
            start = self._next_start
            self._next_start += self.interval
        time.sleep(max(0.0, start - time.monotonic()))
        return None

    def calls_between(self, since: float, until: float) -> int:
        """Count the calls that arrived between two epoch times (inclusive)."""
        with self._lock:
            return sum(since <= at <= until for at in self.arrivals)

    def reset(self) -> None:
        """Forget violations and the current slot."""
        with self._lock:
            self.violations = 0
            self.calls = 0
            self.arrivals.clear()
            self._next_start = 0.0
