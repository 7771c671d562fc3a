"""Open Dental provider schedules and blockouts (GET /schedules), over HTTP."""

from datetime import date, time, timedelta
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
import requests

from pms.base import Capability, Entity, PmsError, ScheduleKind
from pms.opendental.schedules import map_schedule
from pms.registry import CONNECTORS, connector_for
from pms.simulator import records as r

from .faces import FACES

HOOKS = FACES["open_dental"]
MONDAY = date(2025, 6, 2)  # the fixture practices' "today"
# apischedules.html, "Schedules GET (multiple)" example response.
DOC_EXAMPLE = [
    {
        "ScheduleNum": "25888",
        "SchedDate": "2022-03-11",
        "StartTime": "00:00:00",
        "StopTime": "00:00:00",
        "SchedType": "Practice",
        "ProvNum": "0",
        "BlockoutType": "0",
        "blockoutType": "",
        "Note": "3 Day Weekend",
        "operatories": "",
        "EmployeeNum": "0",
        "DateTStamp": "2022-03-11 08:16:42",
    },
    {
        "ScheduleNum": "25884",
        "SchedDate": "2022-03-07",
        "StartTime": "13:30:00",
        "StopTime": "14:00:00",
        "SchedType": "Blockout",
        "ProvNum": "0",
        "BlockoutType": "248",
        "blockoutType": "Staff Meeting",
        "Note": "Weekly Meet",
        "operatories": "5,6",
        "EmployeeNum": "0",
        "DateTStamp": "2022-03-07 08:17:02",
    },
    {
        "ScheduleNum": "24420",
        "SchedDate": "2022-03-07",
        "StartTime": "14:00:00",
        "StopTime": "18:00:00",
        "SchedType": "Provider",
        "ProvNum": "3",
        "BlockoutType": "0",
        "blockoutType": "",
        "Note": "",
        "operatories": "2",
        "EmployeeNum": "0",
        "DateTStamp": "2022-03-07 08:17:32",
    },
    {
        "ScheduleNum": "25887",
        "SchedDate": "2022-03-08",
        "StartTime": "15:30:00",
        "StopTime": "16:00:00",
        "SchedType": "Employee",
        "ProvNum": "0",
        "BlockoutType": "0",
        "blockoutType": "",
        "Note": "Leaving early",
        "operatories": "",
        "EmployeeNum": "2",
        "DateTStamp": "2022-03-08 08:18:15",
    },
]


@pytest.fixture
def od(sim_practice):
    made = []

    def make(**overrides):
        connector = connector_for(HOOKS.config(sim_practice, **overrides))
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


def walk(connector, first, last):
    blocks, errors, cursor = [], [], None
    while True:
        page = connector.fetch_schedules(first, last, cursor)
        blocks += page.records
        errors += page.errors
        cursor = page.cursor
        if not page.has_more:
            return blocks, errors


def test_it_maps_the_documented_example_and_skips_employee_hours():
    tz = ZoneInfo("America/New_York")
    blocks = [b for row in DOC_EXAMPLE if (b := map_schedule(row, tz))]

    assert [(b.pms_id, b.kind) for b in blocks] == [
        ("25888", ScheduleKind.PRACTICE),
        ("25884", ScheduleKind.BLOCKOUT),
        ("24420", ScheduleKind.PROVIDER),
    ]
    closed, meeting, hours = blocks
    assert (closed.day, closed.start_time, closed.note) == (
        date(2022, 3, 11),
        time(0),
        "3 Day Weekend",
    )
    assert (meeting.blockout_type_pms_id, meeting.blockout_type) == (
        "248",
        "Staff Meeting",
    )
    assert meeting.operatory_pms_ids == ("5", "6")
    assert meeting.provider_pms_id == ""  # ProvNum "0" means none
    assert (hours.provider_pms_id, hours.start_time, hours.stop_time) == (
        "3",
        time(14),
        time(18),
    )
    assert hours.modified_at.tzinfo == tz


def test_the_simulator_answers_in_the_documented_shape(sim_practice):
    response = requests.get(
        f"{sim_practice.od_url}/schedules",
        params={"dateStart": "2025-06-02", "dateEnd": "2025-06-06"},
        headers=sim_practice.od_headers,
        timeout=5,
    )

    rows = response.json()
    assert response.status_code == 200 and rows
    assert all(list(row) == list(DOC_EXAMPLE[0]) for row in rows)
    assert all(isinstance(v, str) for row in rows for v in row.values())
    assert {row["SchedType"] for row in rows} == {"Provider", "Blockout", "Employee"}
    starts = [row["StartTime"] for row in rows]
    assert starts == sorted(starts)  # "Results are sorted by StartTime"
    assert {row["SchedDate"] for row in rows} <= {f"2025-06-0{d}" for d in range(2, 7)}


def test_it_reads_a_window_page_by_page_exactly_as_the_store_holds_it(sim_practice, od):
    connector = od(page_size=25)
    first, last = MONDAY, MONDAY + timedelta(days=13)

    blocks, errors = walk(connector, first, last)

    stored = sim_practice.store.query(
        r.SCHEDULE, start=first, end=last + timedelta(days=1)
    )
    wanted = [x for x in stored if x.type != "employee"]
    assert not errors and len(blocks) == len(wanted) > 25
    by_id = {b.pms_id: b for b in blocks}
    for x in wanted:
        block = by_id[str(x.id)]
        assert (block.kind, block.day, block.start_time, block.stop_time) == (
            x.type,
            x.date,
            x.start,
            x.stop,
        )
        assert block.provider_pms_id == (str(x.provider_id) if x.provider_id else "")
        assert block.operatory_pms_ids == tuple(str(o) for o in x.operatory_ids)
    meeting = next(b for b in blocks if b.kind == ScheduleKind.BLOCKOUT)
    assert meeting.blockout_type  # the type's name comes along
    queries = [
        parse_qs(q["query"])
        for q in sim_practice.requests()
        if q["path"].endswith("/schedules")
    ]
    assert queries[0] == {
        "dateStart": ["2025-06-02"],
        "dateEnd": ["2025-06-15"],
        "Limit": ["25"],
        "Offset": ["0"],
    }
    assert [q["Offset"][0] for q in queries] == [
        str(n) for n in range(0, len(queries) * 25, 25)
    ]


def test_an_unreadable_entry_is_a_record_error_and_the_rest_arrives(sim_practice, od):
    connector = od()
    clean, _ = walk(connector, MONDAY, MONDAY)
    sim_practice.set_faults(
        script=["malformed"], mutations=["impossible_date"], methods=["GET"]
    )

    blocks, errors = walk(connector, MONDAY, MONDAY)

    assert len(errors) == 1 and errors[0].entity == Entity.SCHEDULE
    assert "SchedDate" in errors[0].reason
    assert errors[0].pms_id in {b.pms_id for b in clean}  # the id was intact
    assert len(blocks) == len(clean) - 1


@pytest.mark.parametrize("pms_type", ["dentrix_ascend"])
def test_a_pms_without_schedules_refuses_before_any_request(sim_practice, pms_type):
    connector_class = CONNECTORS[pms_type]
    assert Capability.READ_SCHEDULES not in connector_class.capabilities
    connector = connector_for(FACES[pms_type].config(sim_practice))
    try:
        with pytest.raises(PmsError, match="not offered by") as raised:
            connector.fetch_schedules(MONDAY, MONDAY, None)
    finally:
        connector.close()
    assert raised.value.permanent
    assert sim_practice.requests() == []  # refused before any request
