"""Dentrix Ascend face: `filter=`, `pageSize` + `lastId`, envelope, deletion feed.

Facts: other-pms-facts §1.4 (query syntax), §1.5 (envelope), §1.9 (deletions).
"""

import pytest
import requests

from pms.simulator import records as r
from pms.simulator.faces.dentrix_ascend.grammar import (
    FilterError,
    matches,
    parse_filter,
)
from pms.simulator.faces.dentrix_ascend.wire import ID_BASE


@pytest.fixture
def ascend(sim_practice):
    """Return get(path, **params) -> response, signed in to `sim_practice`."""
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

    def get(path, **params):
        prefix = (
            "" if path.startswith("ascend-streaming-api") else "ascend-gateway/api/"
        )
        return session.get(f"{base}/{prefix}{path}", params=params)

    yield get
    session.close()


def data(response):
    assert response.status_code == 200, response.text
    return response.json()["data"]


def ids(rows):
    return [row["id"] for row in rows]


def test_it_pages_in_id_order_by_last_id(ascend, sim_practice):
    first = data(ascend("v1/patients", pageSize=10))
    second = data(ascend("v1/patients", pageSize=10, lastId=first[-1]["id"]))

    every = ids(first + second)
    assert every == sorted(every, key=int)
    assert int(second[0]["id"]) > int(first[-1]["id"])
    assert all(len(i) == 13 and i.startswith("7000000") for i in every)


def test_it_caps_the_page_size(ascend, make_sim_practice):
    assert len(data(ascend("v1/appointments", pageSize=10_000))) == 500


def test_a_record_comes_in_the_data_envelope_with_reference_objects(ascend):
    row = data(ascend("v1/appointments", pageSize=1))[0]

    one = ascend(f"v1/appointments/{row['id']}").json()
    assert one["statusCode"] == 200
    patient = one["data"]["patient"]
    assert set(patient) == {"id", "type", "url"}
    assert patient["type"] == "PatientV1"
    assert patient["url"].endswith(f"/ascend-gateway/api/v1/patients/{patient['id']}")
    assert one["data"]["lastModified"].endswith("Z")


def test_it_filters_on_last_modified_and_ands_the_clauses(ascend, sim_practice):
    store = sim_practice.store
    recent = store.query(r.PATIENT, where=lambda p: p.status != "deleted")[-1]
    since = data(ascend(f"v1/patients/{ID_BASE + recent.id}"))["lastModified"]

    rows = data(ascend("v1/patients", pageSize=500, filter=f"lastModified>={since}"))
    assert rows and all(row["lastModified"] >= since for row in rows)
    name = recent.last_name[:3].lower()
    narrowed = data(
        ascend(
            "v1/patients",
            pageSize=500,
            filter=f"lastModified>={since},lastName~={name}",
        )
    )
    assert narrowed and all(name in row["lastName"].lower() for row in narrowed)


def test_it_filters_through_dotted_references_and_dates(ascend, sim_practice):
    # Not a broken one (the filter below leaves those out), nor a schedule note
    # (Ascend's list never shows those): which is last depends on the seed.
    hidden = ("broken", "pt_note", "pt_note_completed")
    appointment = sim_practice.store.query(
        r.APPOINTMENT, where=lambda a: a.status not in hidden
    )[-1]
    patient = str(ID_BASE + appointment.patient_id)
    day = appointment.start.date().isoformat()
    rows = data(
        ascend(
            "v1/appointments",
            pageSize=500,
            filter=f"patient.id=={patient},start>={day},status!=BROKEN",
        )
    )
    assert rows
    assert all(row["patient"]["id"] == patient for row in rows)
    assert all(row["status"] != "BROKEN" for row in rows)


@pytest.mark.parametrize("expression", ["lastName", "nosuch==1", "lastModified>=soon"])
def test_a_bad_filter_is_a_400(ascend, expression):
    response = ascend("v1/patients", filter=expression)

    assert response.status_code == 400
    assert response.json()["statusCode"] == 400


def test_response_fields_keeps_only_the_named_fields(ascend):
    rows = data(ascend("v1/patients", pageSize=3, responseFields="lastName"))

    assert all(set(row) == {"id", "lastName"} for row in rows)


def test_lists_omit_deleted_rows(ascend, sim_practice):
    store = sim_practice.store
    patient = sim_practice.live_patients()[0]
    appointment = store.query(r.APPOINTMENT)[0]
    store.update(r.PATIENT, patient.id, status="deleted")
    store.delete(r.APPOINTMENT, appointment.id)

    assert ascend(f"v1/patients/{ID_BASE + patient.id}").status_code == 404
    assert ascend(f"v1/appointments/{ID_BASE + appointment.id}").status_code == 404
    listed = ids(data(ascend("v1/patients", pageSize=500)))
    assert str(ID_BASE + patient.id) not in listed


def test_the_feed_carries_deletes_with_vendor_routing_keys(ascend, sim_practice):
    store = sim_practice.store
    start = ascend("ascend-streaming-api/events").json()["lastSequence"]
    appointment = store.query(r.APPOINTMENT)[0]
    patient = sim_practice.live_patients()[0]
    store.update(r.PATIENT, patient.id, email="still@here.org")  # not a delete
    store.delete(r.APPOINTMENT, appointment.id)
    store.update(r.PATIENT, patient.id, status="deleted")

    body = ascend("ascend-streaming-api/events", after=start).json()

    org = sim_practice.credentials["ascend_organization_id"]
    keys = [(e["routingKey"], e["payload"]) for e in body["data"]]
    assert keys == [
        (
            f"{org}.7000000000001.AppointmentV1.DELETE",
            {"id": str(ID_BASE + appointment.id)},
        ),
        (f"{org}.7000000000001.PatientV1.DELETE", {"id": str(ID_BASE + patient.id)}),
    ]
    assert body["lastSequence"] == store.max_seq
    again = ascend("ascend-streaming-api/events", after=body["lastSequence"])
    assert again.json()["data"] == []


def test_the_feed_honours_routing_key_bindings(ascend, sim_practice):
    store = sim_practice.store
    start = ascend("ascend-streaming-api/events").json()["lastSequence"]
    store.delete(r.APPOINTMENT, store.query(r.APPOINTMENT)[0].id)
    store.delete(r.PAYMENT, store.query(r.PAYMENT)[0].id)

    body = ascend(
        "ascend-streaming-api/events", after=start, routingKeys="*.*.PaymentV1.*"
    ).json()

    assert [e["routingKey"].split(".")[2] for e in body["data"]] == ["PaymentV1"]


def test_the_grammar_compares_timestamps_ids_and_text():
    row = {
        "id": "7000000000009",
        "lastModified": "2024-01-01T10:00:00.500Z",
        "lastName": "Smith",
        "patient": {"id": "7000000000042"},
    }

    def holds(expression):
        return matches(row, parse_filter(expression))

    assert holds("lastModified>=2024-01-01T10:00:00.000Z")
    assert holds("lastModified<2024-01-01T10:00:00.501Z")
    assert not holds("lastModified<2024-01-01T10:00:00.500Z")
    assert holds("lastModified>=2024-01-01,id>7000000000008,lastName~=MIT")
    assert holds("patient.id==7000000000042")
    assert not holds("patient.id!=7000000000042")
    with pytest.raises(FilterError):
        parse_filter("lastName=Smith")
