"""Open Dental face: writes are stored and read back through the same face (§5)."""

import base64
from datetime import timedelta

import pytest

from pms.simulator import records as r


@pytest.fixture
def url(sim_practice):
    return sim_practice.od_url


@pytest.fixture
def patient(sim_practice):
    return sim_practice.live_patient_id()


def test_post_patient_answers_201_with_location_and_reads_back(url, od_session):
    response = od_session.post(
        f"{url}/patients",
        json={
            "LName": "Doe",
            "FName": "Jane",
            "Birthdate": "1980-02-03",
            "WirelessPhone": "(555)123-4567",
            "Gender": "Female",
            "PreferContactMethod": "TextMessage",
        },
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["Location"] == f"{url}/patients/{created['PatNum']}"
    assert created["Guarantor"] == created["PatNum"]
    again = od_session.get(response.headers["Location"]).json()
    assert again["WirelessPhone"] == "(555)123-4567"
    assert again["PreferContactMethod"] == "TextMessage"


def test_post_patient_requires_names_and_refuses_duplicates(url, od_session):
    assert od_session.post(f"{url}/patients", json={"LName": "Doe"}).status_code == 400
    body = {
        "LName": "Roe",
        "FName": "Ann",
        "Birthdate": "1970-01-01",
        "Email": "ann@example.com",
    }
    assert od_session.post(f"{url}/patients", json=body).status_code == 201
    assert od_session.post(f"{url}/patients", json=body).status_code == 400


def test_put_patient_is_partial(url, od_session, patient):
    before = od_session.get(f"{url}/patients/{patient}").json()
    response = od_session.put(
        f"{url}/patients/{patient}", json={"Email": "new@example.com"}
    )
    assert response.status_code == 200
    after = od_session.get(f"{url}/patients/{patient}").json()
    assert after["Email"] == "new@example.com"
    assert after["LName"] == before["LName"]
    assert after["DateTStamp"] >= before["DateTStamp"]


def test_post_appointment_applies_defaults_and_reads_back(
    url, od_session, sim_practice, patient
):
    response = od_session.post(
        f"{url}/appointments",
        json={
            "PatNum": patient,
            "Op": 1,
            "AptDateTime": "2025-07-01 09:00:00",
            "Note": "hi",
        },
    )
    assert response.status_code == 201, response.text
    appt = response.json()
    first_confirm = sim_practice.store.definitions(r.CONFIRMATION_STATUS)[0]
    assert appt["AptStatus"] == "Scheduled" and appt["Pattern"] == "/XX/"
    assert appt["Confirmed"] == first_confirm.id
    assert od_session.get(response.headers["Location"]).json()["Note"] == "hi"


@pytest.mark.parametrize(
    "body",
    [
        {"Op": 1, "AptDateTime": "2025-07-01 09:00:00"},
        {"PatNum": None, "Op": 1, "AptDateTime": "07/01/2025"},
        {
            "PatNum": None,
            "Op": 1,
            "AptDateTime": "2025-07-01 09:00:00",
            "AptStatus": "Broken",
        },
    ],
)
def test_post_appointment_validates(url, od_session, body, patient):
    if "PatNum" in body:  # None stands for a live patient, so only the flaw shows
        body = {**body, "PatNum": patient}
    assert od_session.post(f"{url}/appointments", json=body).status_code == 400


def test_post_appointment_for_a_missing_patient_is_404(url, od_session):
    response = od_session.post(
        f"{url}/appointments",
        json={"PatNum": 999999, "Op": 1, "AptDateTime": "2025-07-01 09:00:00"},
    )
    assert response.status_code == 404
    assert response.json() == "Patient not found"


def test_confirm_by_defnum_and_by_confirmval(url, od_session, sim_practice):
    store = sim_practice.store
    confirmed = store.definition_by_code(r.CONFIRMATION_STATUS, "confirmed")
    response = od_session.put(
        f"{url}/appointments/3/Confirm", json={"defNum": confirmed.id}
    )
    assert response.status_code == 200 and response.content == b""
    appt = od_session.get(f"{url}/appointments/3").json()
    assert (appt["Confirmed"], appt["confirmed"]) == (confirmed.id, confirmed.name)
    od_session.put(f"{url}/appointments/3/Confirm", json={"confirmVal": "Sent"})
    assert (
        od_session.get(f"{url}/appointments/3").json()["Confirmed"]
        == store.prefs["confirm_sent"]
    )


@pytest.mark.parametrize(
    "body", [{}, {"defNum": 1, "confirmVal": "Sent"}, {"confirmVal": "Maybe"}]
)
def test_confirm_needs_exactly_one_valid_value(url, od_session, body):
    assert od_session.put(f"{url}/appointments/3/Confirm", json=body).status_code == 400


def test_confirm_refuses_a_defnum_outside_category_2(url, od_session, sim_practice):
    note_type = sim_practice.store.definition_by_code(r.NOTE_TYPE, "misc")
    response = od_session.put(
        f"{url}/appointments/3/Confirm", json={"defNum": note_type.id}
    )
    assert response.status_code == 400


def test_note_appends_and_break_needs_a_scheduled_appointment(
    url, od_session, sim_practice
):
    scheduled = sim_practice.store.query(
        r.APPOINTMENT, where=lambda a: a.status == "scheduled" and not a.note, limit=1
    )[0]
    apt = f"{url}/appointments/{scheduled.id}"
    od_session.put(f"{apt}/Note", json={"Note": "first"})
    od_session.put(f"{apt}/Note", json={"Note": "second"})
    assert od_session.get(apt).json()["Note"] == "first second"  # CR/LF as space
    assert od_session.put(f"{apt}/Break", json={}).status_code == 400
    assert (
        od_session.put(
            f"{apt}/Break",
            json={"sendToUnscheduledList": "false", "breakType": "Missed"},
        ).status_code
        == 200
    )
    assert od_session.get(apt).json()["AptStatus"] == "Broken"
    assert (
        od_session.put(
            f"{apt}/Break", json={"sendToUnscheduledList": "false"}
        ).status_code
        == 400
    )


def test_commlog_post_uses_documented_defaults(url, od_session, sim_practice, patient):
    response = od_session.post(
        f"{url}/commlogs", json={"PatNum": patient, "Note": "SMS"}
    )
    assert response.status_code == 201, response.text
    log = response.json()
    misc = sim_practice.store.definition_by_code(r.NOTE_TYPE, "misc")
    assert (log["Mode_"], log["SentOrReceived"], log["UserNum"]) == ("Phone", "Sent", 0)
    assert log["CommType"] == str(misc.id)
    listed = od_session.get(f"{url}/commlogs", params={"PatNum": patient}).json()
    assert log["CommlogNum"] in [row["CommlogNum"] for row in listed]


def test_commlog_post_accepts_spaced_modes_and_type_names(url, od_session, patient):
    response = od_session.post(
        f"{url}/commlogs",
        json={
            "PatNum": patient,
            "Note": "x",
            "Mode_": "Phone and Text",
            "commType": "Financial",
            "SentOrReceived": "Received",
        },
    )
    assert response.status_code == 201, response.text
    log = response.json()
    assert (log["Mode_"], log["commType"], log["SentOrReceived"]) == (
        "PhoneAndText",
        "Financial",
        "Received",
    )


def test_document_upload_is_base64_json_and_lists_for_the_patient(
    url, od_session, patient
):
    content = base64.b64encode(b"%PDF-1.4 hello").decode()
    response = od_session.post(
        f"{url}/documents/Upload",
        json={
            "PatNum": patient,
            "rawBase64": content,
            "extension": ".pdf",
            "Description": "Consent form [pbn:abc]",
        },
    )
    assert response.status_code == 201, response.text
    doc = response.json()
    listed = od_session.get(f"{url}/documents", params={"PatNum": patient}).json()
    assert doc["DocNum"] in [row["DocNum"] for row in listed]
    assert (
        od_session.post(
            f"{url}/documents/Upload",
            json={"PatNum": patient, "rawBase64": "!!", "extension": ".pdf"},
        ).status_code
        == 400
    )


def test_payment_post_reads_back_with_string_amount(
    url, od_session, sim_practice, patient
):
    response = od_session.post(
        f"{url}/payments", json={"PatNum": patient, "PayAmt": 25.5}
    )
    assert response.status_code == 201, response.text
    payment = response.json()
    assert payment["PayAmt"] == "25.50"
    assert payment["PayType"] == sim_practice.store.prefs["payment_type_api"]
    assert payment["PaymentSource"] == "API"
    listed = od_session.get(f"{url}/payments", params={"PatNum": patient}).json()
    assert payment["PayNum"] in [row["PayNum"] for row in listed]
    future = od_session.post(
        f"{url}/payments",
        json={"PatNum": patient, "PayAmt": "10", "PayDate": "2999-01-01"},
    )
    assert future.status_code == 400


def test_a_write_bumps_datetstamp_into_the_next_delta(url, od_session, sim_practice):
    store = sim_practice.store
    accepted = store.prefs["confirm_accepted"]
    target = store.query(
        r.APPOINTMENT, where=lambda a: a.confirmation_id != accepted, limit=1
    )[0]
    mark = od_session.get(f"{url}/appointments", params={"Limit": 1}).json()[0][
        "serverDateTime"
    ]
    store.clock.offset += timedelta(seconds=2)
    od_session.put(
        f"{url}/appointments/{target.id}/Confirm", json={"confirmVal": "Confirmed"}
    )
    delta = od_session.get(f"{url}/appointments", params={"DateTStamp": mark}).json()
    assert [row["AptNum"] for row in delta] == [target.id]


def test_ui_side_deletes_show_in_histappointments(url, od_session, sim_practice):
    sim_practice.store.delete(r.APPOINTMENT, 8)
    rows = od_session.get(
        f"{url}/histappointments", params={"HistApptAction": "Deleted"}
    ).json()
    assert [(row["AptNum"], row["HistApptAction"]) for row in rows] == [(8, "Deleted")]
    assert od_session.get(f"{url}/appointments/8").status_code == 404
