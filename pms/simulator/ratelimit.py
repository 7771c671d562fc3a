"""Per-practice request budgets, as the real PMS applies them."""

from __future__ import annotations

import threading
import time
from collections import deque
from itertools import pairwise

from .arrivals import wall_offset

REMEMBERED_ARRIVALS = 200_000
# Upper bounds (ms) of the buckets `lateness` sorts late calls into.
LATENESS_BUCKETS_MS = (0.5, 1.0, 2.0, 5.0, 20.0, 100.0)


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

    def arrivals_between(self, since: float, until: float) -> list[float]:
        """Return the arrival times (epoch s) between two epoch times (inclusive),
        in order."""
        with self._lock:
            return sorted(at for at in self.arrivals if since <= at <= until)

    def reset(self) -> None:
        """Forget violations and the current slot."""
        with self._lock:
            self.violations = 0
            self.calls = 0
            self.arrivals.clear()
            self._next_start = 0.0


def lateness(
    arrivals: list[float], interval: float, since: float, until: float
) -> dict[str, float | dict[str, dict[str, float]]]:
    """Account for the time between `since` and `until` beyond one `interval` per
    call: the wait before the first arrival, after the last, and how late each
    call arrived after the one before it, by bucket (calls, seconds lost).

    The parts add up: (until - since) - calls x interval = before + after -
    interval + the sum of every call's lateness (negative for a call that came
    early, which is a violation)."""
    bounds = [*LATENESS_BUCKETS_MS, float("inf")]
    counts = {bound: [0, 0.0] for bound in bounds}  # calls, seconds
    for earlier, later in pairwise(arrivals):
        late = later - earlier - interval
        bucket = counts[next(b for b in bounds if late * 1000 < b)]
        bucket[0] += 1
        bucket[1] += late
    return {
        "before_first": arrivals[0] - since if arrivals else until - since,
        "after_last": until - arrivals[-1] if arrivals else 0.0,
        "late": {
            f"< {bound:g} ms": {"calls": calls, "seconds": seconds}
            for bound, (calls, seconds) in counts.items()
            if calls
        },
    }
