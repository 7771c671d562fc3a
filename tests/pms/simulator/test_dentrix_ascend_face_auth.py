"""Dentrix Ascend face: client-credential tokens, bearer + Organization-ID, limits.

Facts: other-pms-facts §1.2 (token), §1.3 (headers), §1.8 (429 + Retry-After).
"""

import time

import pytest
import requests

from pms.simulator.faces.dentrix_ascend import configure, revoke_tokens

TOKEN = "oauth/client_credential/accesstoken"


def token(sim, **form):
    creds = sim.credentials
    data = {
        "client_id": creds["ascend_client_id"],
        "client_secret": creds["ascend_client_secret"],
        **form,
    }
    return requests.post(
        f"{sim.base_urls['dentrix_ascend']}/{TOKEN}",
        params={"grant_type": "client_credentials"},
        data=data,
    )


def get(sim, path, access_token, org=None, **params):
    org = sim.credentials["ascend_organization_id"] if org is None else org
    headers = {"Authorization": f"Bearer {access_token}"}
    if org:
        headers["Organization-ID"] = org
    url = f"{sim.base_urls['dentrix_ascend']}/ascend-gateway/api/{path}"
    return requests.get(url, headers=headers, params=params)


def test_it_issues_a_token_for_form_encoded_client_credentials(sim_practice):
    response = token(sim_practice)

    assert response.status_code == 200
    body = response.json()
    assert body["access_token"]
    assert int(body["expires_in"]) == 3600


def test_it_hands_out_the_same_live_token_again(sim_practice):
    first = token(sim_practice).json()["access_token"]
    again = token(sim_practice).json()
    assert again["access_token"] == first
    assert 3000 < int(again["expires_in"]) <= 3600  # what is left of its life


def test_it_refuses_a_wrong_secret_or_grant_type(sim_practice):
    wrong = token(sim_practice, client_secret="nope")
    assert wrong.status_code == 401
    assert wrong.json()["ErrorCode"] == "invalid_client"
    creds = sim_practice.credentials
    other_grant = requests.post(
        f"{sim_practice.base_urls['dentrix_ascend']}/{TOKEN}",
        params={"grant_type": "password"},
        data={
            "client_id": creds["ascend_client_id"],
            "client_secret": creds["ascend_client_secret"],
        },
    )
    assert other_grant.status_code == 400


def test_it_answers_resources_with_a_token_and_the_organization(sim_practice):
    access = token(sim_practice).json()["access_token"]

    response = get(sim_practice, "v1/patients", access, pageSize=5)

    assert response.status_code == 200
    assert response.json()["statusCode"] == 200
    assert len(response.json()["data"]) == 5


def test_it_refuses_a_missing_or_unknown_token_like_apigee(sim_practice):
    response = get(sim_practice, "v1/patients", "not-a-token")

    assert response.status_code == 401
    fault = response.json()["fault"]
    assert fault["detail"]["errorcode"].endswith("invalid_access_token")


@pytest.mark.parametrize("org", ["", "5e7b7774c9e1470c0d716320"])
def test_it_refuses_a_missing_or_foreign_organization_id(sim_practice, org):
    access = token(sim_practice).json()["access_token"]

    response = get(sim_practice, "v1/patients", access, org=org)

    assert response.status_code == 403


def test_a_token_of_one_practice_cannot_read_another_organization(make_sim_practice):
    first, second = make_sim_practice(), make_sim_practice()
    access = token(first).json()["access_token"]
    foreign = second.credentials["ascend_organization_id"]

    assert get(first, "v1/patients", access, org=foreign).status_code == 403


def test_an_expired_token_is_refused_and_a_new_one_issued(sim_practice):
    configure(sim_practice.practice, token_lifetime=1)
    access = token(sim_practice).json()["access_token"]
    assert get(sim_practice, "v1/providers", access).status_code == 200

    time.sleep(1.1)

    expired = get(sim_practice, "v1/providers", access)
    assert expired.status_code == 401
    assert expired.json()["fault"]["faultstring"] == "Access Token expired"
    fresh = token(sim_practice).json()["access_token"]
    assert fresh != access
    assert get(sim_practice, "v1/providers", fresh).status_code == 200


def test_a_revoked_token_is_refused(simulator, sim_practice):
    access = token(sim_practice).json()["access_token"]

    revoke_tokens(simulator.app.sim, sim_practice.practice)

    assert get(sim_practice, "v1/providers", access).status_code == 401


def test_linked_orgs_needs_only_the_bearer_token(sim_practice):
    access = token(sim_practice).json()["access_token"]

    response = requests.get(
        f"{sim_practice.base_urls['dentrix_ascend']}/orgmapper/LinkedOrgs",
        headers={"Authorization": f"Bearer {access}"},
    )

    assert response.json() == {
        "organizations": [sim_practice.credentials["ascend_organization_id"]]
    }


def test_over_the_rate_limit_it_answers_429_with_retry_after(sim_practice):
    access = token(sim_practice).json()["access_token"]
    sim_practice.settings(rate_interval_ms=1000)  # the face always rejects

    assert get(sim_practice, "v1/providers", access).status_code == 200
    limited = get(sim_practice, "v1/providers", access)

    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "1"
    assert sim_practice.violations("dentrix_ascend") == 1


def test_the_token_call_is_not_rate_limited(sim_practice):
    sim_practice.settings(rate_interval_ms=1000)  # the face always rejects

    assert [token(sim_practice).status_code for _ in range(3)] == [200] * 3


def test_fault_injection_applies_to_the_face(sim_practice):
    access = token(sim_practice).json()["access_token"]
    sim_practice.set_faults(script=["5xx"], error_status=503, faces=["dentrix_ascend"])

    failed = get(sim_practice, "v1/providers", access)

    assert failed.status_code == 503
    assert failed.json() == {"statusCode": 503, "message": "Simulated server error"}
    assert get(sim_practice, "v1/providers", access).status_code == 200
