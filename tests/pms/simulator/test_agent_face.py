"""The bridge-agent faces over raw HTTP: auth, feeds, tombstones, commands, heartbeat.

Both flavors share one implementation; every test runs against each
(docs/agent-protocol.md).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from pms.simulator import records as r

TABLES = {
    "eaglesoft": {"patient": "patient", "appointment": "appointment"},
    "dentrix": {"patient": "v_patient", "appointment": "v_appt"},
}
KEYS = {"eaglesoft": "appointment_id", "dentrix": "appointment_id"}


class Agent:
    """One face of one simulated practice, as a raw HTTP client sees it."""

    def __init__(self, sim_practice, vendor: str) -> None:
        self.vendor = vendor
        self.sim = sim_practice
        self.url = sim_practice.base_urls[vendor]
        self.token = sim_practice.credentials[f"{vendor}_agent_token"]
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {self.token}"

    def get(self, path: str, **params):
        return self.session.get(f"{self.url}/{path}", params=params)

    def post(self, path: str, body):
        return self.session.post(f"{self.url}/{path}", json=body)

    def control(self, **settings):
        response = self.session.put(f"{self.url}/sim/agent", json=settings)
        assert response.status_code == 200, response.text
        return response.json()

    def table(self, entity: str) -> str:
        return TABLES[self.vendor][entity]

    def walk(self, table: str, after: int = 0, limit: int = 100) -> tuple[list, int]:
        """Return every item after `after` and the final cursor."""
        items = []
        while True:
            body = self.get(f"changes/{table}", after=after, limit=limit).json()
            items += body["items"]
            after = body["next_after"]
            if not body["has_more"]:
                return items, after

    def confirmation_payload(self, appointment_id: int) -> dict:
        if self.vendor == "eaglesoft":
            return {"appointment_id": appointment_id, "confirmation_status": 1}
        status = self.sim.store.definition_by_code(r.CONFIRMATION_STATUS, "confirmed")
        return {"apptid": appointment_id, "status": status.id}

    def note_payload(self, patient_id: int) -> dict:
        if self.vendor == "eaglesoft":
            return {
                "patient_id": patient_id,
                "note_type_id": 7,
                "user_id": "DOC1",
                "date_entered": "2025-06-02 10:00:00",
                "note": "SMS sent - hi",
            }
        return {
            "patid": patient_id,
            "contacttype": 5,
            "provid": "DOC1",
            "contactdate": "2025-06-02",
            "contacttime": "10:00",
            "notetext": "hi",
        }


@pytest.fixture(params=["eaglesoft", "dentrix"])
def agent(request, sim_practice):
    client = Agent(sim_practice, request.param)
    yield client
    client.session.close()


def test_it_refuses_a_missing_or_wrong_token_with_401(agent):
    response = requests.get(f"{agent.url}/status")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    wrong = requests.get(
        f"{agent.url}/status", headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401


def test_the_other_vendors_token_is_403(agent):
    other = "dentrix" if agent.vendor == "eaglesoft" else "eaglesoft"
    token = agent.sim.credentials[f"{other}_agent_token"]
    response = requests.get(
        f"{agent.url}/status", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_every_answer_carries_the_heartbeat(agent):
    for path in ("status", "reference", f"changes/{agent.table('patient')}"):
        body = agent.get(path).json()
        seen = datetime.fromisoformat(body["agent"]["last_seen_at"])
        assert datetime.now(UTC) - seen < timedelta(minutes=1)


def test_a_walk_from_zero_is_a_snapshot_of_every_live_row_once(agent):
    items, _ = agent.walk(agent.table("appointment"), limit=250)
    ids = [item[KEYS[agent.vendor]] for item in items if item["op"] != "D"]
    assert len(ids) == len(set(ids)) == agent.sim.store.count(r.APPOINTMENT)
    seqs = [item["seq"] for item in items]
    assert seqs == sorted(set(seqs))


def test_many_changes_in_one_second_are_all_delivered_once_across_pages(agent):
    table = agent.table("appointment")
    _, cursor = agent.walk(table)
    made = agent.sim.apply_changes(400, same_second=True)
    changed = {c.id for c in made if c.kind == r.APPOINTMENT}
    items, _ = agent.walk(table, after=cursor, limit=7)
    delivered = [item[KEYS[agent.vendor]] for item in items]
    assert len(delivered) == len(set(delivered))  # compacted: once per row
    assert set(delivered) == changed
    seqs = [item["seq"] for item in items]
    assert seqs == sorted(set(seqs)) and seqs[0] > cursor


def test_a_deletion_is_a_tombstone_in_the_feed_and_in_deletions(agent):
    table = agent.table("appointment")
    _, cursor = agent.walk(table)
    victim = agent.sim.store.query(r.APPOINTMENT, limit=1)[0].id
    agent.sim.store.delete(r.APPOINTMENT, victim)
    items, _ = agent.walk(table, after=cursor)
    assert [(i["op"], i[KEYS[agent.vendor]]) for i in items] == [("D", victim)]
    deletions = agent.get("deletions", after=cursor).json()["items"]
    assert [(d["table"], d["id"]) for d in deletions] == [(table, str(victim))]
    assert agent.get(f"rows/{table}/{victim}").status_code == 404


def test_a_soft_deleted_patient_is_a_tombstone_too(agent):
    table = agent.table("patient")
    _, cursor = agent.walk(table)
    patient = agent.sim.live_patients()[0]
    agent.sim.store.update(r.PATIENT, patient.id, status="deleted")
    items, _ = agent.walk(table, after=cursor)
    assert [i["op"] for i in items] == ["D"]
    assert agent.get(f"rows/{table}/{patient.id}").status_code == 404


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"after": "x"}])
def test_bad_paging_values_are_400(agent, params):
    response = agent.get(f"changes/{agent.table('patient')}", **params)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_an_unknown_table_is_404(agent):
    assert agent.get("changes/nope").status_code == 404


def test_a_command_is_accepted_then_done_on_the_next_poll(agent):
    appt = agent.sim.store.query(r.APPOINTMENT, limit=1)[0]
    body = {
        "key": "PbN-cmd-1",
        "type": "confirmation",
        "payload": agent.confirmation_payload(appt.id),
    }
    first = agent.post("commands", body)
    assert first.status_code == 202
    assert first.json()["status"] == "accepted"
    done = agent.get("commands/PbN-cmd-1").json()
    assert (done["status"], done["pms_id"]) == ("done", str(appt.id))
    confirmed = agent.sim.store.definition_by_code(r.CONFIRMATION_STATUS, "confirmed")
    assert agent.sim.store.get(r.APPOINTMENT, appt.id).confirmation_id == confirmed.id


def test_a_done_write_is_readable_back_through_the_feed(agent):
    table = "operatory_notes" if agent.vendor == "eaglesoft" else "v_contact"
    _, cursor = agent.walk(table)
    patient = agent.sim.store.query(r.PATIENT, limit=1)[0].id
    agent.post(
        "commands",
        {"key": "PbN-note", "type": "note", "payload": agent.note_payload(patient)},
    )
    done = agent.get("commands/PbN-note").json()
    items, _ = agent.walk(table, after=cursor)
    key = "note_id" if agent.vendor == "eaglesoft" else "contact_id"
    assert [str(i[key]) for i in items] == [done["pms_id"]]
    assert items[0]["op"] == "N"


def test_a_command_the_pms_refuses_fails_with_a_reason(agent):
    body = {"key": "PbN-bad", "type": "note", "payload": agent.note_payload(999999)}
    agent.post("commands", body)
    failed = agent.get("commands/PbN-bad").json()
    assert failed["status"] == "failed"
    assert failed["reason"] == "patient 999999 does not exist"
    assert failed["retryable"] is False


def test_resubmitting_a_key_returns_the_first_result_and_never_runs_twice(agent):
    patient = agent.sim.store.query(r.PATIENT, limit=1)[0].id
    body = {"key": "PbN-once", "type": "note", "payload": agent.note_payload(patient)}
    agent.post("commands", body)
    done = agent.get("commands/PbN-once").json()
    before = agent.sim.store.count(r.COMMLOG)
    again = agent.post("commands", body)
    assert again.status_code == 200
    assert again.json()["pms_id"] == done["pms_id"]
    agent.get("status")
    assert agent.sim.store.count(r.COMMLOG) == before


def test_a_key_reused_for_another_payload_is_409(agent):
    patient = agent.sim.store.query(r.PATIENT, limit=1)[0].id
    body = {"key": "PbN-reuse", "type": "note", "payload": agent.note_payload(patient)}
    agent.post("commands", body)
    other = agent.note_payload(patient + 1)
    response = agent.post("commands", {**body, "payload": other})
    assert response.status_code == 409
    assert response.json()["error"] == "key_conflict"


def test_a_retryable_failure_is_requeued_by_resubmitting_the_key(agent):
    agent.control(fail_next=["database locked"])
    patient = agent.sim.store.query(r.PATIENT, limit=1)[0].id
    body = {"key": "PbN-retry", "type": "note", "payload": agent.note_payload(patient)}
    agent.post("commands", body)
    failed = agent.get("commands/PbN-retry").json()
    assert (failed["status"], failed["retryable"]) == ("failed", True)
    assert agent.post("commands", body).status_code == 202
    done = agent.get("commands/PbN-retry").json()
    assert (done["status"], done["attempts"]) == ("done", 2)


def test_an_invalid_command_is_refused_before_queueing(agent):
    response = agent.post("commands", {"key": "PbN-x", "type": "note", "payload": {}})
    assert response.status_code == 422
    assert agent.get("commands/PbN-x").status_code == 404
    bad_key = agent.post("commands", {"key": "a b", "type": "note", "payload": {}})
    assert bad_key.status_code == 400


def test_a_silent_agent_runs_nothing_and_says_since_when(agent):
    since = datetime.now(UTC) - timedelta(hours=3)
    agent.control(silent_since=since.isoformat())
    patient = agent.sim.store.query(r.PATIENT, limit=1)[0].id
    body = {"key": "PbN-later", "type": "note", "payload": agent.note_payload(patient)}
    agent.post("commands", body)
    queued = agent.get("commands/PbN-later").json()
    assert queued["status"] == "accepted"
    seen = datetime.fromisoformat(queued["agent"]["last_seen_at"])
    assert abs(seen - since) < timedelta(seconds=1)
    agent.control(silent_since=None)
    assert agent.get("commands/PbN-later").json()["status"] == "done"


def test_a_command_delay_keeps_it_accepted_until_due(agent):
    agent.control(command_delay=30)
    appt = agent.sim.store.query(r.APPOINTMENT, limit=1)[0]
    body = {
        "key": "PbN-slow",
        "type": "confirmation",
        "payload": agent.confirmation_payload(appt.id),
    }
    agent.post("commands", body)
    assert agent.get("commands/PbN-slow").json()["status"] == "accepted"


def test_reference_lists_use_the_vendor_names(agent):
    body = agent.get("reference").json()
    statuses = body["appointment_statuses"]
    if agent.vendor == "eaglesoft":
        assert [s["confirmation_status"] for s in statuses] == list(range(8))
        assert {n["note_type_id"] for n in body["note_types"]} >= {4, 7}
        assert body["operatories"][0].keys() == {"chair_num", "chair_name"}
    else:
        assert {"defid": -106, "descript": "<COMPLETE>"} in statuses
        assert {n["contacttype"] for n in body["note_types"]} >= {3, 5}
        assert body["operatories"][0].keys() == {"op_id", "op_title"}
    assert any(p["provider_id"] == "DOC1" for p in body["providers"])


def test_the_malformed_fault_breaks_rows_but_never_the_envelope(agent):
    path = f"changes/{agent.table('appointment')}"
    clean = agent.get(path, limit=5).json()["items"]
    agent.sim.set_faults(script=["malformed"])
    broken = agent.get(path, limit=5).json()["items"]
    assert broken[0] != clean[0] and broken[1:] == clean[1:]
    assert {k: broken[0][k] for k in ("seq", "op", "changed_at")} == {
        k: clean[0][k] for k in ("seq", "op", "changed_at")
    }
