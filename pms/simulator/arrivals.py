"""When a request arrived, as the kernel saw it.

A real PMS counts calls against its rate limit as they reach it. The simulator's
handler thread may only get a CPU milliseconds later on a busy machine, which would
make two calls sent 21 ms apart look 19 ms apart. On Linux each received packet
carries the kernel's receive time (SO_TIMESTAMPNS); the handler's socket reader
keeps the time of the bytes it read last, and the rate limit uses that.
"""

from __future__ import annotations

import io
import socket
import struct
import sys
import time

SO_TIMESTAMPNS = 35  # Linux (asm-generic); socket does not export it
_TIMESPEC = struct.Struct("@ll")
_SPACE = socket.CMSG_SPACE(_TIMESPEC.size) if hasattr(socket, "CMSG_SPACE") else 0


def stamped_reader(sock: socket.socket, buffering: int) -> io.BufferedReader | None:
    """Return a buffered reader of `sock` that notes arrival times, or None where
    the kernel does not stamp packets (then the caller reads as usual)."""
    if not sys.platform.startswith("linux") or not _SPACE:
        return None
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    except OSError:
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
                self.arrived = time.monotonic() - (time.time() - received)
        return nbytes
