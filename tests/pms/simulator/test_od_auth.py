"""Open Dental face: ODFHIR keys, Content-Type and permissions (§1.3, §1.4, §4.2)."""

import requests


def test_it_answers_a_good_key(sim_practice):
    response = requests.get(
        f"{sim_practice.od_url}/providers", headers=sim_practice.od_headers
    )
    assert response.status_code == 200
    assert isinstance(response.json(), list)


def test_it_refuses_a_wrong_customer_key_with_a_json_string_401(sim_practice):
    headers = {
        **sim_practice.od_headers,
        "Authorization": "ODFHIR sim-developer-key/not-a-key",
    }
    response = requests.get(f"{sim_practice.od_url}/patients", headers=headers)
    assert response.status_code == 401
    assert isinstance(response.json(), str)


def test_it_refuses_a_wrong_developer_key(sim_practice):
    key = sim_practice.credentials["od_customer_key"]
    headers = {**sim_practice.od_headers, "Authorization": f"ODFHIR other/{key}"}
    assert (
        requests.get(f"{sim_practice.od_url}/patients", headers=headers).status_code
        == 401
    )


def test_it_refuses_a_missing_or_other_scheme(sim_practice):
    key = sim_practice.credentials["od_customer_key"]
    for auth in ("", f"Bearer sim-developer-key/{key}"):
        headers = {**sim_practice.od_headers, "Authorization": auth}
        assert (
            requests.get(f"{sim_practice.od_url}/patients", headers=headers).status_code
            == 401
        )


def test_it_requires_json_content_type_even_on_gets(sim_practice):
    headers = {"Authorization": sim_practice.od_headers["Authorization"]}
    response = requests.get(f"{sim_practice.od_url}/patients", headers=headers)
    assert response.status_code == 400
    assert "Content-Type" in response.json()
    headers["Content-Type"] = "text/plain"
    assert (
        requests.get(f"{sim_practice.od_url}/patients", headers=headers).status_code
        == 400
    )


def test_keys_address_their_own_practice(make_sim_practice):
    first, second = make_sim_practice(), make_sim_practice(seed=99)
    url = f"{first.od_url}/patients/1"
    one = requests.get(url, headers=first.od_headers).json()
    two = requests.get(url, headers=second.od_headers).json()
    assert (one["LName"], one["FName"]) != (two["LName"], two["FName"])


def test_a_missing_permission_group_is_a_401(sim_practice, od_session):
    sim_practice.settings(od_permissions=["ReadAll"])
    response = od_session.post(
        f"{sim_practice.od_url}/commlogs", json={"PatNum": 1, "Note": "hello"}
    )
    assert response.status_code == 401
    assert od_session.get(f"{sim_practice.od_url}/commlogs").status_code == 200


def test_an_unknown_route_is_a_404(sim_practice, od_session):
    assert od_session.get(f"{sim_practice.od_url}/nonsense").status_code == 404
