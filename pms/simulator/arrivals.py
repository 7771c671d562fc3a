"""When a request arrived, as the kernel saw it.

A real PMS counts calls against its rate limit as they reach it. The simulator's
handler thread may only get a CPU milliseconds later on a busy machine, which would
make two calls sent 21 ms apart look 19 ms apart. On Linux each received packet
carries the kernel's receive time (SO_TIMESTAMPNS); the handler's socket reader
keeps the time of the bytes it read last, and the rate limit uses that.

The listening socket asks for the stamps, so every connection has them from its
first packet, which may arrive before the server accepts it: the simulator's
server answers one request per connection (werkzeug closes each), so nearly every
call is the first packet of a new connection.
"""

from __future__ import annotations

import io
import socket
import struct
import sys
import time

SO_TIMESTAMPNS = 35  # Linux (asm-generic); socket does not export it
OFFSET_TTL_S = 1.0  # how long one reading of the wall clock's offset is used
_TIMESPEC = struct.Struct("@ll")
_SPACE = socket.CMSG_SPACE(_TIMESPEC.size) if hasattr(socket, "CMSG_SPACE") else 0


_offset = (float("-inf"), 0.0)  # (monotonic time read, wall - monotonic)


def wall_offset() -> float:
    """Return time.time() - time.monotonic().

    Read as the tightest of a few bracketed readings and kept for OFFSET_TTL_S:
    reading the two clocks one after the other, a thread switch in between skews
    the difference by however long the other threads ran (milliseconds on a busy
    server), which made calls sent 21 ms apart look 19 ms apart.
    """
    global _offset
    read_at, offset = _offset
    now = time.monotonic()
    if now - read_at < OFFSET_TTL_S:
        return offset
    readings = []
    for _ in range(5):
        before = time.monotonic()
        wall = time.time()
        after = time.monotonic()
        readings.append((after - before, wall - (before + after) / 2))
    offset = min(readings)[1]
    _offset = (now, offset)
    return offset


def stamp_arrivals(sock: socket.socket) -> bool:
    """Have the kernel stamp what reaches `sock` (a listening socket: every
    connection accepted from it); return whether it will (Linux only)."""
    if not sys.platform.startswith("linux") or not _SPACE:
        return False
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    except OSError:
        return False
    return True


def stamped_reader(sock: socket.socket, buffering: int) -> io.BufferedReader | None:
    """Return a buffered reader of `sock` that notes arrival times, or None where
    the kernel does not stamp packets (then the caller reads as usual)."""
    if not stamp_arrivals(sock):
        return None
    size = buffering if buffering > 0 else io.DEFAULT_BUFFER_SIZE
    return io.BufferedReader(StampedSocketIO(sock), size)


def arrival(reader: io.BufferedIOBase) -> float | None:
    """Return when the bytes last read by `reader` arrived (time.monotonic()), or
    None if they were not stamped (or `reader` does not stamp)."""
    return getattr(getattr(reader, "raw", None), "arrived", None)


class StampedSocketIO(socket.SocketIO):
    """SocketIO whose reads keep the kernel's receive time of what they return."""

    arrived: float | None = None

    def __init__(self, sock: socket.socket) -> None:
        super().__init__(sock, "rb")

    def readinto(self, buffer) -> int | None:  # type: ignore[no-untyped-def]
        self._checkClosed()
        self._checkReadable()
        try:
            nbytes, ancillary, _, _ = self._sock.recvmsg_into([buffer], _SPACE)
        except BlockingIOError:
            return None
        # Unstamped bytes (stamping is switched on asynchronously for the first
        # socket that asks) leave the caller to use its own clock.
        self.arrived = None
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanos = _TIMESPEC.unpack(data[: _TIMESPEC.size])
                received = seconds + nanos / 1e9
                # The kernel's clock is the wall clock; the limiter's is monotonic.
                self.arrived = received - wall_offset()
        return nbytes
