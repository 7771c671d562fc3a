"""The simulator counts a call from when its bytes reached the machine."""

import io
import socket
import sys
import time

import pytest

from pms.simulator import arrivals
from pms.simulator.arrivals import (
    StampedSocketIO,
    arrival,
    stamp_arrivals,
    stamped_reader,
    wall_offset,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="kernel receive stamps are Linux's"
)


@pytest.fixture
def connected():
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())
        accepted, _ = server.accept()
        yield client, accepted
        client.close()
        accepted.close()


def stamping(client, reader) -> None:
    """Wait until the kernel stamps this socket's packets: it switches stamping on
    for the first socket that asks from a work queue, a moment later."""
    for _ in range(100):
        client.sendall(b"warm-up\n")
        reader.readline()
        if arrival(reader) is not None:
            return
        time.sleep(0.01)
    raise AssertionError("the kernel never stamped a packet")


def test_unstamped_bytes_leave_no_stale_stamp(connected):
    client, accepted = connected
    # A socket the kernel does not stamp, whose last read was stamped.
    reader = io.BufferedReader(StampedSocketIO(accepted))
    reader.raw.arrived = 1.0
    client.sendall(b"line\n")
    assert reader.readline() == b"line\n"

    assert arrival(reader) is None  # the server falls back to its own clock


def test_a_request_read_late_is_stamped_when_it_arrived(connected):
    client, accepted = connected
    reader = stamped_reader(accepted, -1)
    assert reader is not None
    stamping(client, reader)

    sent = time.monotonic()
    client.sendall(b"GET /providers HTTP/1.1\r\n")
    time.sleep(0.2)  # a busy server gets to it late
    assert reader.readline() == b"GET /providers HTTP/1.1\r\n"

    assert sent - 0.005 <= arrival(reader) <= sent + 0.05


def test_each_read_keeps_the_arrival_of_its_own_bytes(connected):
    client, accepted = connected
    reader = stamped_reader(accepted, -1)
    stamping(client, reader)
    client.sendall(b"first\n")
    reader.readline()
    first = arrival(reader)
    time.sleep(0.1)
    client.sendall(b"second\n")
    assert reader.readline() == b"second\n"

    assert arrival(reader) - first >= 0.09


def test_a_thread_switch_between_clock_readings_does_not_skew_arrivals(monkeypatch):
    real_time, calls = time.time, []

    def preempted_once() -> float:
        calls.append(1)
        if len(calls) == 1:  # another thread runs between the two readings
            time.sleep(0.005)
        return real_time()

    monkeypatch.setattr(arrivals, "_offset", (float("-inf"), 0.0))
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", preempted_once)
        offset = wall_offset()

    assert len(calls) > 1
    quiet = time.time() - time.monotonic()  # nothing else runs in this test
    assert abs(offset - quiet) < 0.001
    assert wall_offset() == offset  # kept, not read again for every packet


def test_a_connection_is_stamped_from_its_first_packet_sent_before_accept():
    with socket.create_server(("127.0.0.1", 0)) as server:
        assert stamp_arrivals(server)
        for attempt in range(100):  # the kernel switches stamping on a moment later
            with socket.create_connection(server.getsockname()) as client:
                sent = time.monotonic()
                client.sendall(b"GET /appointments HTTP/1.1\r\n")
                time.sleep(0.05)  # the server accepts it late
                accepted, _ = server.accept()
                with accepted:
                    reader = stamped_reader(accepted, -1)
                    assert reader.readline() == b"GET /appointments HTTP/1.1\r\n"
                    arrived = arrival(reader)
            if arrived is not None or attempt == 99:
                break
            time.sleep(0.01)

    assert arrived is not None
    assert sent - 0.005 <= arrived <= sent + 0.02
