"""The page reader runs ahead of the storing thread by rows, not by pages."""

from __future__ import annotations

import threading
import time

import pytest

from pms.base import Page
from syncjobs.pages import PageReader


class CountingFetch:
    """Endless pages of `rows` rows; counts the calls."""

    def __init__(self, rows: int) -> None:
        self.rows, self.calls = rows, 0
        self.lock = threading.Lock()

    def __call__(self, cursor: str | None) -> Page:
        with self.lock:
            self.calls += 1
        number = int(cursor or 0) + 1
        return Page(list(range(self.rows)), str(number), has_more=True)

    def settled(self) -> int:
        """Return the call count once it stops changing."""
        last = -1
        while last != self.calls:
            last = self.calls
            time.sleep(0.1)
        return last


@pytest.mark.parametrize(
    ("page_rows", "ahead_rows", "pages_read"),
    [(100, 2_000, 20), (1_000, 2_000, 2), (5_000, 2_000, 1)],
)
def test_the_reader_waits_once_the_rows_not_yet_stored_reach_the_bound(
    page_rows, ahead_rows, pages_read
):
    fetch = CountingFetch(page_rows)
    with PageReader(fetch, None, lambda: False, ahead_rows) as pages:
        assert fetch.settled() == pages_read  # nothing stored yet

        walk = iter(pages)
        first = next(walk)
        assert first.cursor == "1"  # pages come in order
        assert fetch.settled() == pages_read + 1  # one taken: room for one more
    # Leaving the walk stops a reader that waits for room.


def test_leaving_the_walk_stops_a_reader_waiting_for_room():
    fetch = CountingFetch(100)
    started = time.monotonic()
    with PageReader(fetch, None, lambda: False, 300) as pages:
        fetch.settled()
        reader = pages.thread
    assert not reader.is_alive()
    assert time.monotonic() - started < 2
