"""A PMS answering with a redirect is refused: credentials never follow it."""

from collections.abc import Iterator

import pytest

from pms.base import PmsError, PmsOutcomeUnknown
from pms.http import HttpPolicy, PmsHttp

from .httpd import Recorder, Reply, recording_server

FAST = HttpPolicy(connect_timeout=1, read_timeout=1, max_attempts=3, backoff_base=0.01)
ORGANIZATION_ID = "org-SECRET-8812"
CLIENT_SECRET = "client-SECRET-31f0"


@pytest.fixture
def elsewhere() -> Iterator[Recorder]:
    """The host a redirect points to; it records whatever reaches it."""
    with recording_server() as recorder:
        yield recorder


@pytest.fixture
def pms() -> Iterator[Recorder]:
    """A PMS that answers every request with a redirect to `elsewhere`."""
    with recording_server() as recorder:
        yield recorder


def redirect(status: int, to: Recorder) -> Reply:
    return Reply(status, headers={"Location": f"{to.url}/stolen?code=q-SECRET"})


def ascend(url: str) -> PmsHttp:
    return PmsHttp(
        label="Dentrix Ascend",
        base_url=url,
        policy=FAST,
        headers={"Organization-ID": ORGANIZATION_ID},
    )


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirected_token_request_is_refused_and_never_resent(pms, elsewhere, status):
    pms.reply(redirect(status, elsewhere))

    with pytest.raises(PmsError) as caught:
        ascend(pms.url).request(
            "POST",
            "oauth/token",
            form={"client_secret": CLIENT_SECRET},
            idempotent=True,  # as the connector asks for a token
        )

    assert elsewhere.seen == []
    assert len(pms.seen) == 1
    error = caught.value
    assert error.permanent is True
    assert error.status == status
    host = elsewhere.url.removeprefix("http://")
    assert str(error) == (
        f"Dentrix Ascend answered POST /oauth/token with a redirect ({status}) to "
        f"{host}; check the connection's base URL"
    )


def test_a_redirected_read_is_refused_without_the_locations_query(pms, elsewhere):
    pms.reply(redirect(307, elsewhere))

    with pytest.raises(PmsError) as caught:
        ascend(pms.url).get_json("patients", what="the patient list")

    assert elsewhere.seen == []
    assert len(pms.seen) == 1  # permanent: not retried either
    assert "redirect (307)" in str(caught.value)
    assert "q-SECRET" not in str(caught.value)
    assert "/stolen" not in str(caught.value)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirected_write_is_outcome_unknown_and_never_resent(pms, elsewhere, status):
    # A 303 answers a write that was processed: a blind retry could duplicate it.
    pms.reply(redirect(status, elsewhere))

    with pytest.raises(PmsOutcomeUnknown) as caught:
        ascend(pms.url).request("POST", "v1/patientnotes", json_body={"text": "Hi"})

    assert elsewhere.seen == []
    assert len(pms.seen) == 1
    assert caught.value.status == status
    assert f"answered with a redirect ({status})" in str(caught.value)
    assert "q-SECRET" not in str(caught.value)
