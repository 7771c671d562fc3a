"""Eaglesoft and Dentrix connectors reading through the agent, over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from pms.base import ConnectionConfig, Deletion, Entity, PmsError
from pms.dentrix import DentrixConnector
from pms.eaglesoft import EaglesoftConnector
from pms.simulator import records as r

CONNECTORS = {"eaglesoft": EaglesoftConnector, "dentrix": DentrixConnector}
LABELS = {"eaglesoft": "Eaglesoft", "dentrix": "Dentrix"}


def connect(sim_practice, vendor: str, token: str | None = None, **config):
    """Return a connector for the simulated practice's agent of `vendor`."""
    return CONNECTORS[vendor](
        ConnectionConfig(
            connection_id=1,
            pms_type=vendor,
            base_url=sim_practice.base_urls[vendor],
            credentials={
                "agent_token": token
                or sim_practice.credentials[f"{vendor}_agent_token"]
            },
            time_zone=ZoneInfo(str(sim_practice.store.clock.tz)),
            **config,
        )
    )


def silence(sim_practice, vendor: str, hours: float) -> None:
    """Tell the simulated agent it last called in `hours` ago."""
    since = datetime.now(UTC) - timedelta(hours=hours)
    requests.put(
        f"{sim_practice.base_urls[vendor]}/sim/agent",
        json={"silent_since": since.isoformat()},
        headers={
            "Authorization": "Bearer "
            + sim_practice.credentials[f"{vendor}_agent_token"]
        },
    ).raise_for_status()


def walk(connector, entity: Entity, cursor: str | None = None):
    """Return every record from `cursor` to the end, and the final cursor."""
    records = []
    while True:
        page = connector.fetch_changed(entity, cursor)
        assert not page.errors
        records += page.records
        cursor = page.cursor
        if not page.has_more:
            return records, cursor


def all_deletions(connector, cursor: str | None = None) -> list[Deletion]:
    found = []
    while True:
        page = connector.fetch_deletions(cursor)
        found += page.records
        cursor = page.cursor
        if not page.has_more:
            return found


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.PMS_HTTP_BACKOFF_BASE = 0.01


@pytest.fixture
def connector(sim_practice, vendor):
    made = connect(sim_practice, vendor, page_size=150)
    yield made
    made.close()


def test_a_walk_from_nothing_returns_every_live_record_once(connector, sim_practice):
    records, _ = walk(connector, Entity.APPOINTMENT)
    ids = [a.pms_id for a in records]
    assert len(ids) == len(set(ids)) == sim_practice.store.count(r.APPOINTMENT)


def test_changes_landing_during_a_walk_are_never_missed(connector, sim_practice):
    first = connector.fetch_changed(Entity.APPOINTMENT, None)
    sim_practice.apply_changes(300)
    rest, _ = walk(connector, Entity.APPOINTMENT, first.cursor)
    mirror = {a.pms_id: a for a in first.records + rest}  # later pages win
    for gone in all_deletions(connector):
        if gone.entity == Entity.APPOINTMENT:
            mirror.pop(gone.pms_id, None)
    store = sim_practice.store
    assert set(mirror) == {str(a.id) for a in store.query(r.APPOINTMENT)}
    for appointment in store.query(r.APPOINTMENT):
        seen = mirror[str(appointment.id)]
        assert seen.start_at.replace(tzinfo=None) == appointment.start
        assert seen.duration_minutes == appointment.length_min


def test_many_changes_in_one_second_cross_pages_without_loss_or_repeat(
    sim_practice, vendor
):
    connector = connect(sim_practice, vendor, page_size=7)
    _, cursor = walk(connector, Entity.APPOINTMENT)
    made = sim_practice.apply_changes(400, same_second=True)
    live = {str(a.id) for a in sim_practice.store.query(r.APPOINTMENT)}
    changed = {str(c.id) for c in made if c.kind == r.APPOINTMENT}
    records, end = walk(connector, Entity.APPOINTMENT, cursor)
    ids = [a.pms_id for a in records]
    assert len(ids) == len(set(ids))
    assert set(ids) == changed
    assert {a.pms_id for a in records if a.is_deleted} == changed - live
    assert walk(connector, Entity.APPOINTMENT, end) == ([], end)


def test_a_deletion_is_flagged_in_its_feed_and_listed_in_fetch_deletions(
    connector, sim_practice
):
    store = sim_practice.store
    _, cursor = walk(connector, Entity.APPOINTMENT)
    _, patients_cursor = walk(connector, Entity.PATIENT)
    deletions_before = len(all_deletions(connector))
    appointment = store.query(r.APPOINTMENT, limit=1)[0]
    patient = sim_practice.live_patients()[0]
    store.delete(r.APPOINTMENT, appointment.id)  # hard: a tombstone
    store.update(r.PATIENT, patient.id, status="deleted")  # soft: a tombstone too
    [gone] = walk(connector, Entity.APPOINTMENT, cursor)[0]
    assert (gone.pms_id, gone.is_deleted) == (str(appointment.id), True)
    assert gone.start_at.replace(tzinfo=None) == appointment.start  # last state
    [removed] = walk(connector, Entity.PATIENT, patients_cursor)[0]
    assert (removed.pms_id, removed.is_deleted) == (str(patient.id), True)
    found = all_deletions(connector)[deletions_before:]
    assert [(d.entity, d.pms_id) for d in found] == [
        (Entity.APPOINTMENT, str(appointment.id)),
        (Entity.PATIENT, str(patient.id)),
    ]
    assert all(d.deleted_at and d.deleted_at.tzinfo for d in found)


def test_a_tombstone_with_only_its_key_is_left_to_fetch_deletions(
    connector, sim_practice
):
    page = connector.map_item(connector.feeds[Entity.PAYMENT], {"seq": 9, "op": "D"})
    assert page is None
    key_only = {"seq": 9, "op": "D", connector.feeds[Entity.PATIENT].key: 12}
    assert connector.map_item(connector.feeds[Entity.PATIENT], key_only) is None


@pytest.mark.parametrize(
    "mutation", ["missing_id", "impossible_date", "unknown_enum", "wrong_type"]
)
def test_a_malformed_row_is_a_record_error_and_the_rest_is_kept(
    connector, sim_practice, mutation
):
    clean = connector.fetch_changed(Entity.APPOINTMENT, None)
    sim_practice.set_faults(script=["malformed"], mutations=[mutation])
    page = connector.fetch_changed(Entity.APPOINTMENT, None)
    assert page.records == clean.records[1:]
    assert page.cursor == clean.cursor and page.has_more
    [error] = page.errors
    assert error.entity == Entity.APPOINTMENT
    expected = None if mutation == "missing_id" else clean.records[0].pms_id
    assert error.pms_id == expected
    assert error.reason and error.raw_excerpt


def test_a_silent_agent_is_an_error_never_an_empty_page(
    connector, sim_practice, vendor
):
    silence(sim_practice, vendor, hours=3)
    for read in (
        lambda: connector.fetch_changed(Entity.APPOINTMENT, None),
        lambda: connector.fetch_deletions(None),
        connector.fetch_reference,
        lambda: connector.fetch_patient("1"),
    ):
        with pytest.raises(PmsError) as caught:
            read()
        assert not caught.value.permanent
        assert str(caught.value).startswith(f"{LABELS[vendor]} agent silent since ")


def test_a_short_silence_is_still_fresh(connector, sim_practice, vendor):
    silence(sim_practice, vendor, hours=0.05)  # 3 minutes: a normal lag
    assert connector.fetch_changed(Entity.PROVIDER, None).records


def test_a_wrong_token_is_a_permanent_error_a_person_can_act_on(sim_practice, vendor):
    connector = connect(sim_practice, vendor, token="stolen-or-stale")
    with pytest.raises(PmsError) as caught:
        connector.fetch_reference()
    assert caught.value.permanent and caught.value.status == 401
    assert "agent token" in str(caught.value)


def test_reference_lists_cover_every_kind_with_the_active_flag(connector):
    values = connector.fetch_reference()
    kinds = {v.kind for v in values}
    assert kinds == {
        "provider",
        "note_type",
        "document_category",
        "appointment_status",
        "payment_type",
        "operatory",
    }
    providers = {v.pms_id: v for v in values if v.kind == "provider"}
    assert providers["DOC1"].active and not providers["OLD1"].active
    assert providers["DOC1"].label.startswith("DOC1 (")


def test_a_complete_appointment_reads_with_the_vendor_codes(
    connector, sim_practice, vendor
):
    done = sim_practice.store.query(
        r.APPOINTMENT, where=lambda a: a.status == "complete", limit=1
    )[0]
    appointment = connector.fetch_appointment(str(done.id))
    assert appointment.status == "Complete"
    assert appointment.patient_pms_id == str(done.patient_id)
    assert appointment.start_at.replace(tzinfo=None) == done.start
    if vendor == "dentrix":
        assert appointment.confirmation_pms_id == "-106"  # §3.3 <COMPLETE>
    else:
        assert appointment.confirmation_pms_id in {str(n) for n in range(8)}


def test_an_unknown_record_is_a_permanent_not_found(connector):
    with pytest.raises(PmsError) as caught:
        connector.fetch_patient("999999")
    assert caught.value.permanent and caught.value.status == 404


def test_a_cursor_we_did_not_write_is_refused(connector):
    with pytest.raises(PmsError) as caught:
        connector.fetch_changed(Entity.PATIENT, "2025-06-02T00:00:00")
    assert caught.value.permanent


def test_every_entity_feed_maps_without_errors(connector):
    for entity in (Entity.PROVIDER, Entity.PROCEDURE, Entity.PAYMENT, Entity.PATIENT):
        page = connector.fetch_changed(entity, None)
        assert page.records and not page.errors
        assert all(record.modified_at.tzinfo for record in page.records)
