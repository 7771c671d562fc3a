"""A requests adapter that notes when a request has been written to the socket.

A request budget counts the interval from when a call left: the moment its
bytes were handed to the kernel, not the moment before Python got round to
sending them (a worker can be preempted in between on a busy machine, and the
next call would then follow too closely).
"""

from __future__ import annotations

import threading
import time

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_written = threading.local()


def forget_written() -> None:
    """Start a new call on this thread: no request written yet."""
    _written.at = None


def written_at() -> float | None:
    """Return when this thread's last request was written (time.monotonic())."""
    return getattr(_written, "at", None)


class _Timed:
    def request(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().request(*args, **kwargs)  # type: ignore[misc]
        _written.at = time.monotonic()


class _TimedHTTPConnection(_Timed, HTTPConnection):
    pass


class _TimedHTTPSConnection(_Timed, HTTPSConnection):
    pass


class _TimedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _TimedHTTPConnection


class _TimedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _TimedHTTPSConnection


class TimedAdapter(HTTPAdapter):
    """HTTPAdapter whose connections record `written_at()`."""

    def init_poolmanager(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _TimedHTTPPool,
            "https": _TimedHTTPSPool,
        }
