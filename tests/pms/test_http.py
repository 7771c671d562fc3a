"""pms/http.py: timeouts, retries, Retry-After, auth refresh and error mapping."""

import logging
import socket
import threading
import time

import pytest
from django.db import connections

from pms.base import Lane, PmsError, PmsOutcomeUnknown
from pms.budget import DatabaseStore, RequestBudget
from pms.http import HttpPolicy, PmsHttp
from pms.transport import written_at

from .httpd import Reply, recording_server

FAST = HttpPolicy(
    connect_timeout=1,
    read_timeout=0.4,
    max_attempts=4,
    backoff_base=0.01,
    backoff_cap=0.05,
)
SECRET = "ODFHIR dev-secret/customer-secret"


@pytest.fixture
def server():
    with recording_server() as recorder:
        yield recorder


def client(url, **kwargs):
    return PmsHttp(
        label="Open Dental",
        base_url=url,
        policy=kwargs.pop("policy", FAST),
        headers={"Authorization": SECRET, "Content-Type": "application/json"},
        **kwargs,
    )


def test_it_retries_a_server_error_then_succeeds(server):
    server.reply(Reply(500, "boom"), Reply(502), Reply(200, [{"PatNum": 1}]))

    assert client(server.url).get_json("patients") == [{"PatNum": 1}]
    assert len(server.seen) == 3


def test_it_gives_up_after_a_bounded_number_of_attempts(server):
    server.reply(*[Reply(500, "Server is sad")] * 6)

    with pytest.raises(PmsError) as caught:
        client(server.url).get_json("patients", what="the patient list")

    assert len(server.seen) == 4
    assert caught.value.permanent is False
    assert caught.value.status == 500
    assert str(caught.value) == (
        "Open Dental had a server error (500) on the patient list: Server is sad"
    )


def test_it_honours_retry_after_on_429(server):
    server.reply(Reply(429, headers={"Retry-After": "1"}), Reply(200, []))

    started = time.monotonic()
    client(server.url).get_json("appointments")

    assert time.monotonic() - started >= 0.95
    assert len(server.seen) == 2


def test_a_retry_after_longer_than_allowed_goes_back_to_the_caller(server):
    server.reply(Reply(429, headers={"Retry-After": "3600"}))

    with pytest.raises(PmsError) as caught:
        client(server.url).get_json("appointments")

    assert len(server.seen) == 1
    assert caught.value.permanent is False
    assert caught.value.retry_after == 3600
    assert "(429)" in str(caught.value)


def test_a_busy_answer_without_retry_after_asks_the_caller_for_no_wait(server):
    server.reply(*[Reply(503, "busy")] * 4)

    with pytest.raises(PmsError) as caught:
        client(server.url).get_json("appointments")

    assert len(server.seen) == 4  # our own backoff between the tries
    assert (caught.value.status, caught.value.retry_after) == (503, None)


def test_a_429_holds_back_every_worker_on_the_connection(server, transactional_db):
    budget = RequestBudget("http-429", 0.01, DatabaseStore(), lease_s=5)
    server.reply(Reply(429, headers={"Retry-After": "1"}), Reply(200, []))

    def backfill():
        try:
            client(server.url, budget=budget, lane=Lane.INITIAL).get_json("old")
        finally:
            connections.close_all()

    worker = threading.Thread(target=backfill)
    worker.start()
    try:
        time.sleep(0.3)  # the 429 has been answered; a second worker now calls
        client(server.url, budget=budget, lane=Lane.FAST).get_json("new")
    finally:
        worker.join()
        budget.close()

    first, *later = server.seen
    assert first.path == "/old"
    assert all(s.at - first.at >= 0.95 for s in later)
    assert sorted(s.path for s in later) == ["/new", "/old"]


@pytest.mark.parametrize("status", [400, 403, 404, 409, 422])
def test_it_never_retries_other_client_errors(server, status):
    server.reply(Reply(status, "PatNum is required."))

    with pytest.raises(PmsError) as caught:
        client(server.url).request("POST", "commlogs", json_body={}, what="the note")

    assert len(server.seen) == 1
    assert caught.value.permanent is True
    assert caught.value.status == status
    assert str(caught.value).endswith("PatNum is required.")


def test_401_is_permanent_with_a_message_a_person_can_act_on(server):
    server.reply(Reply(401, "Invalid customer key"))

    with pytest.raises(PmsError) as caught:
        client(server.url).get_json("patients")

    assert caught.value.permanent is True
    assert caught.value.status == 401
    assert str(caught.value).startswith("Open Dental rejected our credentials (401)")
    assert len(server.seen) == 1


class CountingAuth:
    def __init__(self):
        self.token = "first"
        self.refreshes = 0

    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    def refresh(self):
        self.refreshes += 1
        self.token = "second"


def test_401_refreshes_the_auth_once_and_retries(server):
    auth = CountingAuth()
    server.reply(Reply(401), Reply(200, {"ok": True}))

    assert client(server.url, auth=auth).get_json("x") == {"ok": True}
    assert auth.refreshes == 1
    assert server.seen[1].headers["Authorization"] == "Bearer second"


def test_a_second_401_after_a_refresh_is_permanent(server):
    auth = CountingAuth()
    server.reply(Reply(401), Reply(401))

    with pytest.raises(PmsError) as caught:
        client(server.url, auth=auth).get_json("x")

    assert caught.value.permanent is True
    assert auth.refreshes == 1
    assert len(server.seen) == 2


def test_a_read_timeout_on_a_read_is_retried(server):
    server.reply(Reply(200, [], delay=1.0), Reply(200, [{"AptNum": 5}]))

    assert client(server.url).get_json("appointments") == [{"AptNum": 5}]
    assert len(server.seen) == 2


def test_reads_that_keep_timing_out_end_in_a_transient_error(server):
    server.reply(*[Reply(200, [], delay=1.0)] * 4)

    with pytest.raises(PmsError) as caught:
        client(server.url).get_json("appointments", what="the appointments")

    assert caught.value.permanent is False
    assert str(caught.value) == (
        "Open Dental did not answer within 0.4 s (the appointments)"
    )
    assert len(server.seen) == 4


def test_a_write_whose_answer_never_came_is_outcome_unknown_and_not_resent(server):
    server.reply(Reply(201, {"CommlogNum": 9}, delay=1.0))

    with pytest.raises(PmsOutcomeUnknown) as caught:
        client(server.url).request(
            "POST", "commlogs", json_body={"Note": "hi"}, what="the commlog"
        )

    time.sleep(0.7)  # let the slow answer finish: no second POST may follow
    assert [s.method for s in server.seen] == ["POST"]
    assert caught.value.permanent is False
    assert "may or may not have been saved" in str(caught.value)


def test_a_dropped_connection_after_a_write_is_outcome_unknown(server):
    server.reply(Reply(drop=True))

    with pytest.raises(PmsOutcomeUnknown):
        client(server.url).request("POST", "payments", json_body={"PayAmt": 1})

    assert len(server.seen) == 1


def test_a_server_error_on_a_write_is_outcome_unknown(server):
    server.reply(Reply(500, "NullReferenceException"))

    with pytest.raises(PmsOutcomeUnknown) as caught:
        client(server.url).request("POST", "payments", json_body={"PayAmt": 1})

    assert caught.value.status == 500
    assert len(server.seen) == 1


def test_a_503_on_a_write_is_retried_because_it_was_not_processed(server):
    server.reply(Reply(503), Reply(201, {"PayNum": 3}))

    response = client(server.url).request("POST", "payments", json_body={})

    assert response.status_code == 201
    assert len(server.seen) == 2


def test_an_idempotent_write_is_retried_after_a_timeout(server):
    server.reply(Reply(200, delay=1.0), Reply(200))

    client(server.url).request(
        "PUT", "appointments/4/Confirm", json_body={"defNum": 2}, idempotent=True
    )

    assert len(server.seen) == 2


def test_a_refused_connection_is_retried_even_for_writes_then_reported():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed

    with pytest.raises(PmsError) as caught:
        client(f"http://127.0.0.1:{port}").request("POST", "commlogs", json_body={})

    assert not isinstance(caught.value, PmsOutcomeUnknown)
    assert caught.value.permanent is False
    assert str(caught.value).startswith(
        f"Could not connect to Open Dental at 127.0.0.1:{port}"
    )


def test_query_values_are_percent_encoded(server):
    client(server.url).get_json(
        "appointments", {"DateTStamp": "2021-07-01 05:30:00", "LName": "De Angelo"}
    )

    assert server.seen[0].raw_path == (
        "/appointments?DateTStamp=2021-07-01%2005%3A30%3A00&LName=De%20Angelo"
    )


def test_it_never_logs_credentials(server, caplog):
    server.reply(Reply(500), Reply(401, "bad key"))
    caplog.set_level(logging.DEBUG)

    with pytest.raises(PmsError) as caught:
        client(server.url).get_json("patients")

    assert "secret" not in caplog.text
    assert "secret" not in str(caught.value)
    assert "/patients" in caplog.text  # the calls themselves are logged


def test_a_cut_off_json_body_is_read_again(server):
    server.reply(Reply(200, b'[{"PatNum": 1'), Reply(200, [{"PatNum": 1}]))

    assert client(server.url).get_json("patients") == [{"PatNum": 1}]
    assert len(server.seen) == 2


def test_a_form_body_is_sent_form_encoded(server):
    plain = PmsHttp(label="Dentrix Ascend", base_url=server.url, policy=FAST)

    plain.request("POST", "token", form={"client_id": "a b", "client_secret": "c&d"})

    assert server.seen[0].headers["Content-Type"] == (
        "application/x-www-form-urlencoded"
    )
    assert server.seen[0].body == b"client_id=a+b&client_secret=c%26d"


def test_a_json_body_says_it_is_json(server):
    plain = PmsHttp(label="Dentrix Ascend", base_url=server.url, policy=FAST)

    plain.request("POST", "notes", json_body={"text": "hi"})

    assert server.seen[0].headers["Content-Type"] == "application/json"
    assert server.seen[0].json() == {"text": "hi"}


def test_the_budget_counts_the_interval_from_when_the_request_was_written(
    server, transactional_db
):
    released = []

    class Spy(RequestBudget):
        def release(self, token, sent_at=None):
            released.append(sent_at)
            super().release(token, sent_at)

    budget = Spy("http-written", 0.01, DatabaseStore(), lease_s=5)
    server.reply(Reply(200, [], delay=0.3))
    before = time.monotonic()
    try:
        client(server.url, budget=budget).get_json("slow")
    finally:
        budget.close()
    after = time.monotonic()

    # Written at once, answered 0.3 s later: the next call counts from the write.
    assert len(released) == 1
    assert before < released[0] < before + 0.2 < after - 0.1
    assert released[0] == written_at()
