"""A request that requests refuses to send becomes a PmsError quoting no secret."""

import logging
import socket
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from pms.base import Entity, PmsError, PmsOutcomeUnknown
from pms.config import connector_for_connection
from pms.http import HttpPolicy, PmsHttp
from practices.models import PmsConnection, PmsType

FAST = HttpPolicy(connect_timeout=1, read_timeout=1, max_attempts=3, backoff_base=0.01)
# A developer key with a line break: pasted from a wrapped email, or worse, a
# header smuggled into every request.
KEY_HEAD = "od-dev-SECRET-4d1c"
KEY_TAIL = "X-Smuggled: yes"
QUERY_SECRET = "q-SECRET-0a9e"


def test_a_key_with_a_line_break_fails_without_quoting_the_key(
    practice_a, sim_practice, caplog
):
    caplog.set_level(logging.DEBUG)
    customer_key = sim_practice.credentials["od_customer_key"]
    connection = PmsConnection.objects.create(
        practice=practice_a,
        pms_type=PmsType.OPEN_DENTAL,
        base_url=sim_practice.od_url,
        developer_key=f"{KEY_HEAD}\n{KEY_TAIL}",
        customer_key=customer_key,
    )
    connector = connector_for_connection(connection)

    with pytest.raises(PmsError) as caught:
        try:
            connector.fetch_changed(Entity.PATIENT, None)
        finally:
            connector.close()
    # What a caller does with it: log it with its traceback.
    logging.getLogger("syncjobs").error("sync failed", exc_info=caught.value)

    error = caught.value
    assert error.permanent is True
    assert not isinstance(error, PmsOutcomeUnknown)
    path = f"{urlsplit(sim_practice.od_url).path}/patients/Simple"
    assert str(error) == (
        f"Could not send the changed patients (GET {path}) to Open Dental "
        "(InvalidHeader); check the connection's credentials and base URL for "
        "stray characters"
    )
    said = "\n".join([str(error), *traceback.format_exception(error), caplog.text])
    for secret in (KEY_HEAD, KEY_TAIL, "SECRET", customer_key):
        assert secret not in said
    assert sim_practice.requests() == []  # nothing reached the simulator


@pytest.mark.parametrize(
    ("base_url", "name"),
    [("http://", "InvalidURL"), ("ftp://127.0.0.1/api", "InvalidSchema")],
)
def test_an_unsendable_url_is_a_permanent_error_naming_the_failure(base_url, name):
    http = PmsHttp(label="Open Dental", base_url=base_url, policy=FAST)

    with pytest.raises(PmsError) as caught:
        http.request("GET", "patients", params={"token": QUERY_SECRET})

    assert caught.value.permanent is True
    assert name in str(caught.value)
    assert "/patients" in str(caught.value)
    assert QUERY_SECRET not in "".join(traceback.format_exception(caught.value))


@dataclass
class ShortAnswers:
    url: str
    asked: list[bytes] = field(default_factory=list)


@pytest.fixture
def short_answers() -> Iterator[ShortAnswers]:
    """Serve answers that promise 100 bytes and send 7, counting the requests."""
    listener = socket.create_server(("127.0.0.1", 0))
    server = ShortAnswers(f"http://127.0.0.1:{listener.getsockname()[1]}")

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                server.asked.append(conn.recv(65536))
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b'Content-Length: 100\r\n\r\n[{"a":1'
                )

    threading.Thread(target=serve, daemon=True).start()
    yield server
    listener.close()


def test_an_answer_cut_short_is_retried_like_a_dropped_connection(short_answers):
    http = PmsHttp(label="Open Dental", base_url=short_answers.url, policy=FAST)

    with pytest.raises(PmsError) as caught:
        http.request("GET", "patients")

    assert caught.value.permanent is False
    assert "connection dropped" in str(caught.value)
    assert len(short_answers.asked) == 3


def test_a_write_whose_answer_was_cut_short_is_outcome_unknown(short_answers):
    http = PmsHttp(label="Open Dental", base_url=short_answers.url, policy=FAST)

    with pytest.raises(PmsOutcomeUnknown):
        http.request("POST", "payments", json_body={"PayAmt": 1})

    assert len(short_answers.asked) == 1


def test_a_key_beyond_latin_1_fails_for_good_without_quoting_the_key(
    practice_a, sim_practice, caplog
):
    # A zero-width space pasted with the key: http.client cannot encode it.
    caplog.set_level(logging.DEBUG)
    connection = PmsConnection.objects.create(
        practice=practice_a,
        pms_type=PmsType.OPEN_DENTAL,
        base_url=sim_practice.od_url,
        developer_key=f"{KEY_HEAD}\u200b",
        customer_key=sim_practice.credentials["od_customer_key"],
    )
    connector = connector_for_connection(connection)

    with pytest.raises(PmsError) as caught:
        try:
            connector.fetch_changed(Entity.PATIENT, None)
        finally:
            connector.close()

    assert caught.value.permanent is True
    assert "(UnicodeEncodeError)" in str(caught.value)
    said = "\n".join([str(caught.value), *traceback.format_exception(caught.value)])
    assert KEY_HEAD not in said and KEY_HEAD not in caplog.text
    assert sim_practice.requests() == []
