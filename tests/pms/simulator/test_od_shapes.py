"""Open Dental face: wire types and quirks (§1.5, §1.6, §7)."""

import re

from pms.simulator import records as r

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def one(session, url, **params):
    response = session.get(url, params={"Limit": 1, **params})
    assert response.status_code == 200, response.text
    return response.json()[0]


def test_patients_use_pascal_case_enum_names_and_string_booleans(
    sim_practice, od_session
):
    patient = one(od_session, f"{sim_practice.od_url}/patients/Simple")
    assert patient["PatStatus"] in (
        "Patient",
        "NonPatient",
        "Inactive",
        "Archived",
        "Deleted",
        "Deceased",
        "Prospective",
    )
    assert patient["Gender"] in ("Male", "Female", "Unknown", "Other")
    assert patient["Premed"] == "false"
    assert patient["AdmitDate"] == "0001-01-01"
    assert isinstance(patient["EstBalance"], float)
    assert DATETIME.match(patient["DateTStamp"])
    assert patient["priProvAbbr"].startswith("DOC")


def test_appointments_match_the_documented_object(sim_practice, od_session):
    appt = one(od_session, f"{sim_practice.od_url}/appointments")
    assert list(appt)[:4] == ["serverDateTime", "AptNum", "PatNum", "AptStatus"]
    assert appt["IsHygiene"] in ("true", "false")
    assert set(appt["Pattern"]) <= {"X", "/"} and len(appt["Pattern"]) * 5 >= 10
    assert appt["DateTimeDismissed"] == "0001-01-01 00:00:00"
    assert DATETIME.match(appt["AptDateTime"])
    assert isinstance(appt["Confirmed"], int) and appt["confirmed"]


def test_payments_have_string_amount_and_clinic(sim_practice, od_session):
    payment = one(od_session, f"{sim_practice.od_url}/payments")
    assert isinstance(payment["PayAmt"], str) and float(payment["PayAmt"]) > 0
    assert payment["ClinicNum"] == "0"
    assert payment["IsRecurringCC"] in ("true", "false")


def test_commlogs_have_string_commtype(sim_practice, od_session):
    log = one(od_session, f"{sim_practice.od_url}/commlogs")
    assert isinstance(log["CommType"], str) and log["CommType"].isdigit()
    assert log["Mode_"] in ("Phone", "Text")


def test_documents_list_ids_as_strings_and_single_as_numbers(sim_practice, od_session):
    doc = sim_practice.store.query(r.DOCUMENT, limit=1)[0]
    listed = one(od_session, f"{sim_practice.od_url}/documents", PatNum=doc.patient_id)
    assert listed["PatNum"] == str(doc.patient_id) and listed["MountNum"] == 0
    single = od_session.get(f"{sim_practice.od_url}/documents/{doc.id}").json()
    assert single["PatNum"] == doc.patient_id


def test_procedures_have_string_fees_and_short_status_codes(sim_practice, od_session):
    proc = one(od_session, f"{sim_practice.od_url}/procedurelogs")
    assert re.match(r"^\d+\.\d{2}$", proc["ProcFee"])
    assert proc["ProcStatus"] in ("TP", "C", "EC", "EO", "R", "D", "Cn", "TPi")
    assert proc["procCode"].startswith("D")


def test_providers_and_definitions_flags(sim_practice, od_session):
    providers = od_session.get(f"{sim_practice.od_url}/providers").json()
    assert {p["ProvStatus"] for p in providers} == {"Active", "Deleted"}
    assert "true" in {p["IsHidden"] for p in providers}
    definition = one(od_session, f"{sim_practice.od_url}/definitions", Category=27)
    assert set(definition) == {
        "DefNum",
        "ItemName",
        "ItemValue",
        "Category",
        "category",
        "isHidden",
    }
    assert definition["category"] == "CommLogTypes"


def test_soft_deleted_procedures_show_status_d(sim_practice, od_session):
    store = sim_practice.store
    store.update(r.PROCEDURE, 2, status="deleted")
    proc = od_session.get(f"{sim_practice.od_url}/procedurelogs/2").json()
    assert proc["ProcStatus"] == "D"
