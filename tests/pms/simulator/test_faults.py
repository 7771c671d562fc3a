"""Fault injection: every kind, deterministic, scriptable, filtered (faults.py)."""

import time

import pytest
import requests

from pms.simulator import records as r


def get(practice, path="/appointments", **kwargs):
    return requests.get(practice.od_url + path, headers=practice.od_headers, **kwargs)


def test_5xx_answers_the_vendor_error_shape_then_recovers(sim_practice):
    sim_practice.set_faults(script=["5xx"], error_status=503)
    response = get(sim_practice)
    assert response.status_code == 503 and isinstance(response.json(), str)
    assert get(sim_practice).status_code == 200


def test_429_carries_retry_after(sim_practice):
    sim_practice.set_faults(script=["429"], retry_after=3)
    response = get(sim_practice)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"


def test_slow_answers_late_but_whole(sim_practice):
    sim_practice.set_faults(script=["slow"], slow_seconds=0.4)
    started = time.monotonic()
    response = get(sim_practice)
    assert response.status_code == 200 and response.json()
    assert time.monotonic() - started >= 0.4


def test_drop_closes_the_connection_without_an_answer(sim_practice):
    sim_practice.set_faults(script=["drop"])
    with pytest.raises(requests.ConnectionError):
        get(sim_practice)
    assert get(sim_practice).status_code == 200


def test_timeout_hangs_without_applying_anything(sim_practice):
    sim_practice.set_faults(script=["timeout"], hang_seconds=2)
    patient = sim_practice.live_patient_id()
    before = sim_practice.store.count(r.COMMLOG)
    with pytest.raises(requests.ReadTimeout):
        requests.post(
            f"{sim_practice.od_url}/commlogs",
            headers=sim_practice.od_headers,
            json={"PatNum": patient, "Note": "lost"},
            timeout=0.3,
        )
    assert sim_practice.store.count(r.COMMLOG) == before


def test_timeout_after_write_applies_the_write_then_hangs(sim_practice):
    sim_practice.set_faults(script=["timeout_after_write"], hang_seconds=2)
    assert get(sim_practice).status_code == 200  # reads skip a write-only fault
    patient = sim_practice.live_patient_id()
    before = sim_practice.store.count(r.COMMLOG)
    with pytest.raises(requests.ReadTimeout):
        requests.post(
            f"{sim_practice.od_url}/commlogs",
            headers=sim_practice.od_headers,
            json={"PatNum": patient, "Note": "ambiguous [pbn:1]"},
            timeout=0.3,
        )
    # The client gave up after 0.3 s; on a loaded machine the server thread may
    # still be applying the write then, but it lands before the hang ends.
    deadline = time.monotonic() + 2
    while sim_practice.store.count(r.COMMLOG) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sim_practice.store.count(r.COMMLOG) == before + 1
    notes = get(sim_practice, "/commlogs", params={"PatNum": patient}).json()
    assert "ambiguous [pbn:1]" in [n["Note"] for n in notes]


def test_truncate_sends_a_200_with_half_a_json_body(sim_practice):
    sim_practice.set_faults(script=["truncate"])
    response = get(sim_practice)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    whole = get(sim_practice)
    assert len(response.content) == len(whole.content) // 2


@pytest.mark.parametrize(
    ("mutation", "check"),
    [
        ("missing_id", lambda a: "AptNum" not in a),
        ("impossible_date", lambda a: a["AptDateTime"].startswith("2021-02-30 ")),
        ("unknown_enum", lambda a: a["AptStatus"] == "NotAKnownValue"),
        ("wrong_type", lambda a: isinstance(a["PatNum"], dict)),
    ],
)
def test_malformed_records_break_in_each_way(sim_practice, mutation, check):
    sim_practice.set_faults(rates={"malformed": 1.0}, mutations=[mutation])
    rows = get(sim_practice, params={"Limit": 20}).json()
    assert len(rows) == 20 and all(check(row) for row in rows)


def test_malformed_rate_breaks_a_share_of_records(sim_practice):
    sim_practice.set_faults(seed=4, rates={"malformed": 0.2})
    rows = get(sim_practice, params={"Limit": 100}).json()
    clean = [
        row
        for row in rows
        if isinstance(row.get("AptNum"), int)
        and row.get("AptStatus") != "NotAKnownValue"
        and not row.get("AptDateTime", "").startswith("2021-02-30")
        and isinstance(row.get("PatNum"), int)
    ]
    assert 60 <= len(clean) <= 95


def test_rates_are_deterministic_for_a_seed(sim_practice):
    def run():
        sim_practice.set_faults(seed=11, rates={"5xx": 0.3, "429": 0.2})
        return [get(sim_practice, "/providers").status_code for _ in range(20)]

    first = run()
    assert set(first) == {200, 429, 500}
    assert run() == first


def test_faults_can_target_faces_methods_and_paths(sim_practice):
    sim_practice.set_faults(rates={"5xx": 1.0}, methods=["POST"])
    assert get(sim_practice).status_code == 200
    sim_practice.set_faults(rates={"5xx": 1.0}, paths=["/providers"])
    assert get(sim_practice).status_code == 200
    assert get(sim_practice, "/providers").status_code == 500
    sim_practice.set_faults(rates={"5xx": 1.0}, faces=["dentrix_ascend"])
    assert get(sim_practice, "/providers").status_code == 200


def test_faults_are_set_and_reset_through_the_admin_api(sim_practice):
    url = f"{sim_practice.admin_url}/faults"
    response = requests.put(url, json={"script": ["5xx", "5xx"]})
    assert response.status_code == 200
    assert [get(sim_practice).status_code for _ in range(3)] == [500, 500, 200]
    assert requests.get(url).json()["injected"] == {"5xx": 2}
    requests.put(url, json={"rates": {"5xx": 1.0}})
    assert requests.delete(url).json()["config"]["rates"] == {}
    assert get(sim_practice).status_code == 200
    assert requests.put(url, json={"rates": {"nope": 1}}).status_code == 400
