"""The /_sim admin API."""

import requests


def test_it_lists_practices_with_credentials_and_base_urls(simulator, sim_practice):
    listed = requests.get(f"{simulator.url}/_sim/practices").json()
    mine = next(p for p in listed if p["id"] == sim_practice.id)
    assert mine["credentials"]["od_developer_key"] == "sim-developer-key"
    assert mine["base_urls"]["opendental"] == f"{simulator.url}/opendental/api/v1"
    assert mine["counts"]["patient"] == 2500


def test_it_finds_a_practice_by_any_credential(simulator, sim_practice):
    key = sim_practice.credentials["od_customer_key"]
    found = requests.get(f"{simulator.url}/_sim/practices/{key}").json()
    assert found["id"] == sim_practice.id
    assert requests.get(f"{simulator.url}/_sim/practices/nope").status_code == 404


def test_it_creates_and_removes_practices(simulator):
    response = requests.post(
        f"{simulator.url}/_sim/practices",
        json={
            "size": "small",
            "years": 0.1,
            "seed": 8,
            "today": "2025-06-02",
            "settings": {"rate_interval_ms": 0},
            "faults": {"script": ["5xx"]},
        },
    )
    assert response.status_code == 201, response.text
    created = response.json()
    url = f"{simulator.url}/_sim/practices/{created['id']}"
    assert requests.get(f"{url}/faults").json()["config"]["script"] == ["5xx"]
    assert requests.delete(url).status_code == 200
    assert requests.get(url).status_code == 404
    bad = requests.post(f"{simulator.url}/_sim/practices", json={"size": "huge"})
    assert bad.status_code == 400


def test_it_records_request_headers(sim_practice, od_session):
    od_session.get(f"{sim_practice.od_url}/providers", params={"Limit": 5})
    recorded = requests.get(f"{sim_practice.admin_url}/requests").json()
    last = recorded[-1]
    assert (last["method"], last["path"], last["query"]) == (
        "GET",
        "/providers",
        "Limit=5",
    )
    assert last["headers"]["Content-Type"] == "application/json"
    assert last["headers"]["Authorization"].startswith("ODFHIR ")
    assert last["status"] == 200
    requests.delete(f"{sim_practice.admin_url}/requests")
    assert requests.get(f"{sim_practice.admin_url}/requests").json() == []


def test_it_changes_settings_and_refuses_unknown_ones(sim_practice):
    url = f"{sim_practice.admin_url}/settings"
    changed = requests.put(url, json={"od_mode": "service", "rate_mode": "reject"})
    assert changed.json()["od_mode"] == "service"
    assert requests.put(url, json={"od_mode": "cloud"}).status_code == 400
    assert requests.put(url, json={"nonsense": 1}).status_code == 400


def test_it_moves_and_freezes_the_office_clock(sim_practice):
    url = f"{sim_practice.admin_url}/clock"
    frozen = requests.put(url, json={"frozen": "2031-01-02 03:04:05"}).json()
    assert frozen["now"] == "2031-01-02 03:04:05"
    moving = requests.put(url, json={"frozen": None, "offset_seconds": 0}).json()
    assert moving["frozen"] is None


def test_it_applies_changes_and_ui_deletes(sim_practice):
    made = requests.post(
        f"{sim_practice.admin_url}/changes", json={"count": 15, "same_second": True}
    ).json()
    assert len(made) == 15 and len({c["at"] for c in made}) == 1
    deleted = requests.post(
        f"{sim_practice.admin_url}/delete", json={"kind": "appointment", "id": 2}
    ).json()
    assert deleted["id"] == 2
    assert (
        requests.get(f"{sim_practice.admin_url}/records/appointment/2").status_code
        == 404
    )
    record = requests.get(f"{sim_practice.admin_url}/records/patient/1").json()
    assert record["id"] == 1 and "modified_at" in record


def test_it_reads_a_json_body_whatever_its_content_type_says(sim_practice):
    url = f"{sim_practice.admin_url}/faults"
    # What `curl -d '{...}' -X PUT` sends: a form content type.
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    body = '{"rates": {"5xx": 1.0}, "error_status": 503}'
    assert requests.put(url, data=body, headers=form).status_code == 200
    config = requests.get(url).json()["config"]
    assert (config["rates"], config["error_status"]) == ({"5xx": 1.0}, 503)

    refused = requests.put(url, data="rates=5xx", headers=form)
    assert refused.status_code == 400
    assert "not JSON" in refused.text
    assert requests.get(url).json()["config"]["rates"] == {"5xx": 1.0}  # kept
    requests.delete(url)
