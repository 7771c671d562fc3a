"""Open Dental face: DateTStamp and other filters, serverDateTime (§3.1, §3.2, §5)."""

from datetime import datetime

import pytest

from pms.simulator import records as r

STAMP = datetime(2030, 1, 1, 12, 0, 0)


@pytest.fixture
def frozen(sim_practice):
    """Freeze the office clock at STAMP and touch one appointment, patient, proc."""
    store = sim_practice.store
    store.clock.frozen = STAMP
    touched = {
        kind: store.touch(kind, 3).id
        for kind in (r.PATIENT, r.APPOINTMENT, r.PROCEDURE, r.COMMLOG, r.PROVIDER)
    }
    return touched


def get(session, url, **params):
    response = session.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("path", "key", "inclusive"),
    [
        ("/appointments", "AptNum", False),  # "changed after"
        ("/providers", "ProvNum", False),  # "changed after"
        ("/commlogs", "CommlogNum", False),  # "modified after"
        ("/patients/Simple", "PatNum", True),  # "updated since"
        ("/procedurelogs", "ProcNum", True),  # "on or after"
    ],
)
def test_datetstamp_follows_the_documented_wording(
    sim_practice, od_session, frozen, path, key, inclusive
):
    rows = get(od_session, sim_practice.od_url + path, DateTStamp="2030-01-01 12:00:00")
    assert [row[key] for row in rows] == ([3] if inclusive else [])
    rows = get(od_session, sim_practice.od_url + path, DateTStamp="2030-01-01 11:59:59")
    assert [row[key] for row in rows] == [3]


@pytest.mark.parametrize(("mode", "expected"), [("inclusive", [3]), ("exclusive", [])])
def test_the_comparison_is_switchable(sim_practice, od_session, frozen, mode, expected):
    sim_practice.settings(stamp_filter=mode)
    for path, key in (("/appointments", "AptNum"), ("/patients/Simple", "PatNum")):
        rows = get(
            od_session, sim_practice.od_url + path, DateTStamp="2030-01-01 12:00:00"
        )
        assert [row[key] for row in rows] == expected


def test_every_element_carries_the_office_server_time(sim_practice, od_session, frozen):
    with_docs = sim_practice.store.query(r.DOCUMENT, limit=1)[0].patient_id
    for path in (
        "/appointments",
        "/patients/Simple",
        "/providers",
        "/procedurelogs",
        "/payments",
        f"/documents?PatNum={with_docs}",
    ):
        rows = get(od_session, sim_practice.od_url + path, Limit=5)
        assert rows and all(
            row["serverDateTime"] == "2030-01-01 12:00:00" for row in rows
        ), path


def test_providers_by_clinic_have_blank_server_time_and_no_hidden(
    sim_practice, od_session
):
    rows = get(od_session, f"{sim_practice.od_url}/providers", ClinicNum=0)
    assert rows and {row["serverDateTime"] for row in rows} == {""}
    assert {row["IsHidden"] for row in rows} == {"false"}


def test_a_bad_datetstamp_is_a_400(sim_practice, od_session):
    response = od_session.get(
        f"{sim_practice.od_url}/providers", params={"DateTStamp": "01/02/2025"}
    )
    assert response.status_code == 400
    assert response.json() == "DateTStamp format must be yyyy-MM-dd HH:mm:ss"


def test_appointments_filter_by_patient_status_and_dates(sim_practice, od_session):
    url = f"{sim_practice.od_url}/appointments"
    some = sim_practice.store.query(r.APPOINTMENT, limit=1)[0]
    rows = get(od_session, url, PatNum=some.patient_id)
    assert rows and {row["PatNum"] for row in rows} == {some.patient_id}
    broken = get(od_session, url, AptStatus="Broken")
    assert broken and {row["AptStatus"] for row in broken} == {"Broken"}
    day = some.start.date().isoformat()
    rows = get(od_session, url, dateStart=day, dateEnd=day, Limit=100)
    assert rows and {row["AptDateTime"][:10] for row in rows} == {day}
    assert get(od_session, url, date=day, Limit=100) == rows


def test_definitions_filter_by_category_and_hide_hidden_by_default(
    sim_practice, od_session
):
    url = f"{sim_practice.od_url}/definitions"
    shown = get(od_session, url, Category=2)
    every = get(od_session, url, Category=2, includeHidden="true")
    assert {row["Category"] for row in every} == {2}
    assert len(every) == len(shown) + 1
    assert {row["isHidden"] for row in shown} == {"false"}


def test_documents_require_patnum(sim_practice, od_session):
    response = od_session.get(f"{sim_practice.od_url}/documents")
    assert response.status_code == 400
    assert response.json() == "PatNum is required."


def test_payments_filter_by_entry_date_on_or_after(sim_practice, od_session):
    rows = get(
        od_session, f"{sim_practice.od_url}/payments", DateEntry="2025-05-20", Limit=100
    )
    assert rows and min(row["DateEntry"] for row in rows) >= "2025-05-20"
    assert any(row["DateEntry"] == "2025-05-20" for row in rows)


def test_patient_list_searches_and_hides_deleted(sim_practice, od_session):
    store = sim_practice.store
    patient = next(p for p in sim_practice.live_patients() if p.id != 4)
    store.update(r.PATIENT, 4, status="deleted")
    url = f"{sim_practice.od_url}/patients"
    rows = get(od_session, url, LName=patient.last_name[:3].lower(), Limit=100)
    assert rows and all(
        patient.last_name[:3].lower() in row["LName"].lower() for row in rows
    )
    assert 4 not in [row["PatNum"] for row in get(od_session, url, Limit=10)]
    simple = get(od_session, f"{url}/Simple", Limit=10)
    assert {"PatNum": 4, "PatStatus": "Deleted"}.items() <= simple[3].items()
