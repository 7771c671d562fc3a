"""Dentrix Ascend face: writes are stored and read back through the same face.

Facts: other-pms-facts §1.7 (POST patients/appointments, PUT/DELETE appointments).
"""

import base64

import pytest
import requests

from pms.simulator import records as r
from pms.simulator.faces.dentrix_ascend.wire import ID_BASE


@pytest.fixture
def ascend(sim_practice):
    """Return call(method, path, json=None) -> response, signed in."""
    base = sim_practice.base_urls["dentrix_ascend"]
    creds = sim_practice.credentials
    access = requests.post(
        f"{base}/oauth/client_credential/accesstoken",
        params={"grant_type": "client_credentials"},
        data={
            "client_id": creds["ascend_client_id"],
            "client_secret": creds["ascend_client_secret"],
        },
    ).json()["access_token"]
    session = requests.Session()
    session.headers.update(
        {
            "Authorization": f"Bearer {access}",
            "Organization-ID": creds["ascend_organization_id"],
        }
    )

    def call(method, path, json=None):
        url = f"{base}/ascend-gateway/api/{path}"
        return session.request(method, url, json=json)

    yield call
    session.close()


def ref(number):
    return {"id": str(ID_BASE + number)}


def test_a_new_patient_is_created_and_read_back(ascend):
    created = ascend(
        "POST",
        "v1/patients",
        {
            "firstName": "Ana",
            "lastName": "Smith",
            "dateOfBirth": "1990-04-12",
            "chartNumber": "FX2345",
            "phones": [{"phoneType": "MOBILE", "number": "555-0100"}],
        },
    )

    assert created.status_code == 201
    new_id = created.json()["data"]["id"]
    found = ascend("GET", f"v1/patients/{new_id}").json()["data"]
    assert (found["firstName"], found["dateOfBirth"]) == ("Ana", "1990-04-12")
    assert found["phones"][0]["number"] == "555-0100"
    assert found["primaryGuarantor"]["id"] == new_id


def test_a_patient_without_a_last_name_is_refused(ascend):
    response = ascend("POST", "v1/patients", {"firstName": "Ana"})

    assert response.status_code == 400
    assert "lastName" in response.json()["message"]


def test_an_appointment_is_created_rescheduled_confirmed_and_deleted(
    ascend, sim_practice
):
    patient = sim_practice.live_patients()[0]
    created = ascend(
        "POST",
        "v1/appointments",
        {
            "start": "2030-01-15T15:00:00.000Z",
            "duration": 40,
            "status": "UNCONFIRMED",
            "patient": ref(patient.id),
            "note": "Booked online",
        },
    )
    assert created.status_code == 201
    row = created.json()["data"]
    assert (row["status"], row["duration"]) == ("UNCONFIRMED", 40)
    assert row["end"] == "2030-01-15T15:40:00.000Z"

    body = {k: v for k, v in row.items() if k not in ("id", "lastModified")}
    body.update(start="2030-01-16T16:00:00.000Z", status="CONFIRMED")
    moved = ascend("PUT", f"v1/appointments/{row['id']}", body).json()["data"]
    assert (moved["start"], moved["status"]) == (
        "2030-01-16T16:00:00.000Z",
        "CONFIRMED",
    )
    assert moved["note"] == "Booked online"

    assert ascend("DELETE", f"v1/appointments/{row['id']}").status_code == 200
    assert ascend("GET", f"v1/appointments/{row['id']}").status_code == 404


def test_an_unknown_status_or_patient_is_refused(ascend, sim_practice):
    patient = ref(sim_practice.live_patients()[0].id)
    start = "2030-01-15T15:00:00.000Z"

    bad_status = ascend(
        "POST", "v1/appointments", {"start": start, "patient": patient, "status": "X"}
    )
    bad_patient = ascend(
        "POST", "v1/appointments", {"start": start, "patient": {"id": "7999999999999"}}
    )

    assert bad_status.status_code == 400
    assert bad_patient.status_code == 400


def test_a_patient_note_is_stored_and_listed_for_the_patient(ascend, sim_practice):
    patient = sim_practice.live_patients()[0]
    note_type = sim_practice.store.definitions(r.NOTE_TYPE)[0]
    created = ascend(
        "POST",
        "v1/patientnotes",
        {
            "text": "SMS sent [pbnsync:m-1]",
            "noteDate": "2025-06-01T12:00:00.000Z",
            "patient": ref(patient.id),
            "noteType": ref(note_type.id),
        },
    )

    assert created.status_code == 201
    listed = ascend(
        "GET",
        f"v1/patientnotes?filter=patient.id=={ID_BASE + patient.id},text~=m-1",
    ).json()["data"]
    assert [n["id"] for n in listed] == [created.json()["data"]["id"]]
    assert listed[0]["noteType"]["id"] == str(ID_BASE + note_type.id)


def test_a_document_is_stored_with_its_bytes(ascend, sim_practice):
    patient = sim_practice.live_patients()[0]
    created = ascend(
        "POST",
        "v0/documents",
        {
            "name": "Intake form",
            "fileName": "intake.pdf",
            "ownerPatient": ref(patient.id),
            "tags": ["m-2"],
            "content": base64.b64encode(b"%PDF-1.4").decode(),
        },
    )

    assert created.status_code == 201
    doc = created.json()["data"]
    assert (doc["name"], doc["mimeType"], doc["tags"]) == (
        "Intake form",
        "application/pdf",
        ["m-2"],
    )
    content = ascend("GET", f"v0/documents/{doc['id']}/content")
    assert content.content == b"%PDF-1.4"
