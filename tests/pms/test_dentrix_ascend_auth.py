"""Dentrix Ascend connector: OAuth client-credential tokens and request headers.

Facts: other-pms-facts §1.2 (token, cached per credential, refetched on 401),
§1.3 (`Organization-ID` on every call), §1.8 (429 + Retry-After).
"""

import time

import pytest

from pms.base import Entity, PmsError
from pms.dentrix_ascend import DentrixAscendConnector
from pms.dentrix_ascend.auth import TOKENS
from pms.simulator.faces.dentrix_ascend import configure, revoke_tokens

from .faces import FACES

TOKEN_PATH = "/oauth/client_credential/accesstoken"


@pytest.fixture
def connect(sim_practice, settings):
    """Return a factory of connectors to `sim_practice`, closed after the test."""
    settings.PMS_HTTP_BACKOFF_BASE = 0.01
    settings.PMS_HTTP_BACKOFF_CAP = 0.05
    TOKENS.clear()
    made = []

    def make(sim=sim_practice, **overrides):
        connector = DentrixAscendConnector(
            FACES["dentrix_ascend"].config(sim, **overrides)
        )
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()
    TOKENS.clear()


def calls(sim, path=None):
    found = [q for q in sim.requests() if q["face"] == "dentrix_ascend"]
    return [q for q in found if path is None or q["path"] == path]


def test_it_signs_in_once_and_reuses_the_token(connect, sim_practice):
    connector = connect()

    connector.fetch_reference()
    connector.fetch_changed(Entity.PATIENT, None)

    tokens = calls(sim_practice, TOKEN_PATH)
    assert len(tokens) == 1
    assert tokens[0]["query"] == "grant_type=client_credentials"
    assert tokens[0]["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Organization-Id" not in tokens[0]["headers"]
    org = sim_practice.credentials["ascend_organization_id"]
    for call in calls(sim_practice)[1:]:
        assert call["headers"]["Authorization"].startswith("Bearer ")
        assert call["headers"]["Organization-Id"] == org


def test_connectors_with_the_same_credential_share_one_token(connect, sim_practice):
    connect().fetch_changed(Entity.PROVIDER, None)
    connect().fetch_changed(Entity.PROVIDER, None)

    assert len(calls(sim_practice, TOKEN_PATH)) == 1


def test_each_credential_has_its_own_token(connect, make_sim_practice):
    first, second = make_sim_practice(), make_sim_practice()

    connect(first).fetch_changed(Entity.PROVIDER, None)
    connect(second).fetch_changed(Entity.PROVIDER, None)

    assert len(calls(first, TOKEN_PATH)) == len(calls(second, TOKEN_PATH)) == 1


def test_it_fetches_a_new_token_before_the_old_one_expires(connect, sim_practice):
    configure(sim_practice.practice, token_lifetime=2)
    connector = connect()
    connector.fetch_changed(Entity.PROVIDER, None)

    time.sleep(1.7)  # inside the last fifth of the token's life
    connector.fetch_changed(Entity.PROVIDER, None)

    assert len(calls(sim_practice, TOKEN_PATH)) == 2
    assert len(calls(sim_practice, "/ascend-gateway/api/v1/providers")) == 2


def test_a_401_refreshes_the_token_once_and_the_call_succeeds(
    connect, sim_practice, simulator
):
    connector = connect()
    connector.fetch_changed(Entity.PROVIDER, None)
    revoke_tokens(simulator.app.sim, sim_practice.practice)

    page = connector.fetch_changed(Entity.PATIENT, None)

    assert page.records
    # A refused token names no practice, so the 401 itself is not in the log.
    statuses = [(q["path"], q["status"]) for q in calls(sim_practice)[-2:]]
    assert statuses == [(TOKEN_PATH, 200), ("/ascend-gateway/api/v1/patients", 200)]
    assert len(calls(sim_practice, TOKEN_PATH)) == 2


def test_a_second_401_is_a_permanent_error(connect, sim_practice):
    configure(sim_practice.practice, token_lifetime=0)  # dead on arrival

    with pytest.raises(PmsError) as caught:
        connect().fetch_changed(Entity.PATIENT, None)

    assert caught.value.permanent is True
    assert caught.value.status == 401
    assert "Client ID and Client Secret" in str(caught.value)
    assert len(calls(sim_practice, TOKEN_PATH)) == 2  # one refresh, no more


def test_a_wrong_secret_is_a_permanent_error_naming_the_credentials(
    connect, sim_practice
):
    credentials = {
        **FACES["dentrix_ascend"].credentials(sim_practice.credentials),
        "client_secret": "wrong",
    }

    with pytest.raises(PmsError) as caught:
        connect(credentials=credentials).fetch_changed(Entity.PATIENT, None)

    assert caught.value.permanent is True
    assert caught.value.status == 401
    assert "Client ID or Client Secret" in str(caught.value)


def test_a_foreign_organization_is_a_permanent_403(connect, make_sim_practice):
    mine, other = make_sim_practice(), make_sim_practice()
    credentials = {
        **FACES["dentrix_ascend"].credentials(mine.credentials),
        "organization_id": other.credentials["ascend_organization_id"],
    }

    with pytest.raises(PmsError) as caught:
        connect(mine, credentials=credentials).fetch_changed(Entity.PATIENT, None)

    assert (caught.value.status, caught.value.permanent) == (403, True)
    assert "Organization ID" in str(caught.value)


def test_missing_credentials_are_refused_before_any_call(sim_practice):
    config = FACES["dentrix_ascend"].config(
        sim_practice, credentials={"client_id": "x"}
    )

    with pytest.raises(PmsError) as caught:
        DentrixAscendConnector(config)

    assert caught.value.permanent is True
    assert "client_secret" in str(caught.value)


def test_over_the_rate_limit_it_waits_for_retry_after(connect, sim_practice):
    connector = connect()
    connector.fetch_changed(Entity.PROVIDER, None)
    sim_practice.settings(rate_interval_ms=1000)  # the face always rejects
    connector.fetch_changed(Entity.PROVIDER, None)

    started = time.monotonic()
    page = connector.fetch_changed(Entity.PATIENT, None)

    assert page.records
    assert time.monotonic() - started >= 0.9
    assert [q["status"] for q in calls(sim_practice)[-2:]] == [429, 200]
