"""Eaglesoft and Dentrix provider hours, blockouts and closures through the agent's
schedule window (docs/agent-protocol.md), over real HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
import requests

from pms.agent.schedules import map_schedule_item
from pms.agent.values import RowError
from pms.base import Capability, ConnectionConfig, Entity, PmsError, ScheduleKind
from pms.simulator import records as r

from .httpd import Reply, recording_server
from .test_agent_reads import CONNECTORS, connect
from .test_opendental_schedules import MONDAY, walk

SOURCES = {
    "eaglesoft": {
        "provider": "provider_hours",
        "blockout": "appointment",
        "practice": "holidays",
    },
    "dentrix": {
        "provider": "sp_getproviderschedule",
        "blockout": "v_appt_book_events",
        "practice": "sp_getpracticeschedexceptions",
    },
}
ITEM = {
    "entry_id": "v_appt_book_events:41",
    "kind": "blockout",
    "source": "v_appt_book_events",
    "date": "2026-12-01",
    "start": "12:00:00",
    "stop": "13:00:00",
    "provider_id": "",
    "operatory_ids": ["2", "5"],
    "block_type_id": "7",
    "block_type": "Staff Meeting",
    "note": "Weekly",
    "changed_at": "2026-11-30T15:00:00Z",
}


@pytest.fixture
def connector(sim_practice, vendor):
    made = connect(sim_practice, vendor, page_size=20)
    yield made
    made.close()


def agent_get(sim_practice, vendor, **params):
    return requests.get(
        f"{sim_practice.base_urls[vendor]}/schedules",
        params=params,
        headers={
            "Authorization": "Bearer "
            + sim_practice.credentials[f"{vendor}_agent_token"]
        },
        timeout=10,
    )


def test_both_agents_offer_schedules(vendor):
    assert Capability.READ_SCHEDULES in CONNECTORS[vendor].capabilities


def test_the_window_arrives_page_by_page_as_the_store_holds_it(
    connector, sim_practice, vendor
):
    first, last = MONDAY, MONDAY + timedelta(days=13)

    blocks, errors = walk(connector, first, last)

    store = sim_practice.store
    stored = store.query(r.SCHEDULE, start=first, end=last + timedelta(days=1))
    wanted = [x for x in stored if x.type in SOURCES[vendor]]  # no staff hours
    assert not errors and len(blocks) == len(wanted) > 20
    assert {x.type for x in wanted} >= {"provider", "blockout"}
    by_id = {b.pms_id: b for b in blocks}
    assert len(by_id) == len(blocks)  # none twice across the pages
    for x in wanted:
        block = by_id[f"{SOURCES[vendor][x.type]}:{x.id}"]
        assert (block.kind, block.day, block.start_time, block.stop_time) == (
            x.type,
            x.date,
            x.start,
            x.stop,
        )
        # Providers by their code, as the agent's provider feed names them.
        provider = store.get(r.PROVIDER, x.provider_id) if x.provider_id else None
        if x.type == "provider":
            assert block.provider_pms_id == provider.abbr
        else:
            assert block.provider_pms_id == ""
        assert block.operatory_pms_ids == tuple(str(o) for o in x.operatory_ids)
        assert block.note == x.note
        if x.type == "blockout":
            kind = store.get(r.DEFINITION, x.blockout_type_id)
            assert (block.blockout_type_pms_id, block.blockout_type) == (
                str(kind.id),
                kind.name,
            )
        assert block.modified_at is not None
    queries = [
        parse_qs(q["query"])
        for q in sim_practice.requests()
        if q["path"].endswith("/schedules")
    ]
    assert queries[0] == {
        "from": ["2025-06-02"],
        "to": ["2025-06-15"],
        "offset": ["0"],
        "limit": ["20"],
    }
    assert [q["offset"][0] for q in queries] == [
        str(n) for n in range(0, len(queries) * 20, 20)
    ]


def test_it_maps_an_item_and_names_the_field_it_cannot_read():
    tz = ZoneInfo("America/Chicago")
    block = map_schedule_item(ITEM, tz)
    assert (block.pms_id, block.kind, block.day) == (
        "v_appt_book_events:41",
        ScheduleKind.BLOCKOUT,
        date(2026, 12, 1),
    )
    assert (block.start_time, block.stop_time) == (time(12), time(13))
    assert block.operatory_pms_ids == ("2", "5")
    assert (block.blockout_type_pms_id, block.blockout_type) == ("7", "Staff Meeting")
    assert block.modified_at.isoformat() == "2026-11-30T15:00:00+00:00"
    assert block.raw == ITEM

    for change, field in (
        ({"kind": "employee"}, "kind"),
        ({"date": "2026-02-30"}, "date"),
        ({"start": "12:00"}, "start"),
        ({"stop": "25:00:00"}, "stop"),
        ({"operatory_ids": "2,5"}, "operatory_ids"),
        ({"operatory_ids": [True]}, "operatory_ids"),
        ({"entry_id": ""}, "entry_id"),
        ({"kind": "provider"}, "provider_id"),  # provider hours need the provider
    ):
        with pytest.raises(RowError) as raised:
            map_schedule_item({**ITEM, **change}, tz)
        assert raised.value.column == field


@pytest.mark.parametrize("mutation", ["missing_id", "impossible_date", "unknown_enum"])
def test_an_unreadable_entry_is_a_record_error_and_the_rest_arrives(
    connector, sim_practice, mutation
):
    clean, _ = walk(connector, MONDAY, MONDAY)
    sim_practice.set_faults(script=["malformed"], mutations=[mutation])

    page = connector.fetch_schedules(MONDAY, MONDAY, None)

    [error] = page.errors
    assert error.entity == Entity.SCHEDULE
    assert error.pms_id == (None if mutation == "missing_id" else clean[0].pms_id)
    assert error.reason and error.raw_excerpt
    assert page.records == clean[1 : len(page.records) + 1]


def test_the_agent_refuses_a_window_it_cannot_read(sim_practice, vendor):
    for params, message in (
        ({"to": "2025-06-02"}, "from must be a date"),
        ({"from": "2025-06-02", "to": "2025-6-3"}, "to must be a date"),
        ({"from": "2025-06-02", "to": "2025W231"}, "to must be a date"),
        ({"from": "2025-06-03", "to": "2025-06-02"}, "to is before from"),
        ({"from": "2025-06-02", "to": "2026-06-03"}, "longer than 366 days"),
    ):
        answer = agent_get(sim_practice, vendor, **params)
        assert answer.status_code == 400, params
        assert answer.json()["error"] == "bad_request"
        assert message in answer.json()["message"]
    # A full year is a window it reads.
    year = agent_get(sim_practice, vendor, **{"from": "2025-06-02", "to": "2026-06-02"})
    assert year.status_code == 200 and year.json()["items"]


def test_a_page_whose_offset_does_not_add_up_is_refused(vendor):
    # A relay that lost items mid-page: next_offset counts more than came, and
    # walking on from it would skip entries without a word.
    seen = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    page = {"items": [ITEM], "next_offset": 5, "has_more": True}
    with recording_server() as recorder:
        recorder.reply(Reply(body={**page, "agent": {"last_seen_at": seen}}))
        connector = CONNECTORS[vendor](
            ConnectionConfig(
                connection_id=1,
                pms_type=vendor,
                base_url=recorder.url,
                credentials={"agent_token": "token"},
                time_zone=ZoneInfo("UTC"),
            )
        )
        try:
            with pytest.raises(PmsError, match="malformed page of the schedules") as e:
                connector.fetch_schedules(MONDAY, MONDAY, None)
        finally:
            connector.close()
    assert not e.value.permanent
