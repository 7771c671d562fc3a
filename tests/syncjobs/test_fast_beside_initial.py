"""The fast streams follow changes while the initial walk is still running.

Over real HTTP against the simulator's Open Dental face: after the initial sync's
first slice, the fast streams are scheduled from a watermark (not from the start of
the PMS's history), and a confirmation made in the PMS reaches the mirror through the
appointment-status stream before the initial walk has finished.
"""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from pms.simulator import records as r
from records.models import Appointment
from syncjobs.initial import run_initial_sync
from syncjobs.models import StreamKind, StreamState, SyncStream
from syncjobs.runner import run_stream

from .e2e import connect_open_dental

FAST = [
    StreamKind.FAST_APPOINTMENT_STATUS,
    StreamKind.FAST_APPOINTMENT_CHANGES,
    StreamKind.FAST_NEW_PATIENTS,
]


@pytest.fixture
def od(practice_a, sim_practice):
    with override_settings(PMS_REQUEST_INTERVAL_MS=0):
        connect_open_dental(practice_a, sim_practice)
        yield practice_a


def streams(practice) -> dict[str, SyncStream]:
    return {
        s.kind: s
        for s in SyncStream.objects.filter(practice=practice).select_related("practice")
    }


def first_slice(practice) -> None:
    """Run the initial sync for one short slice: it stops before the walk is done."""
    run_initial_sync(streams(practice)[StreamKind.INITIAL], slice_seconds=0.001)
    assert streams(practice)[StreamKind.INITIAL].state != StreamState.DONE


def test_the_fast_streams_start_from_a_watermark_when_the_initial_starts(od):
    before = streams(od)
    assert {before[k].state for k in FAST} == {StreamState.WAITING}

    first_slice(od)

    after = streams(od)
    for kind in FAST:
        assert after[kind].state == StreamState.SCHEDULED
        (cursor,) = after[kind].cursors.values()
        assert json.loads(cursor)["since"]  # a "changed since" walk, not everything
    assert after[StreamKind.INCREMENTAL].state == StreamState.WAITING


def test_a_confirmation_lands_while_the_initial_walk_runs(od, sim_practice):
    first_slice(od)
    store = sim_practice.store
    confirmed = store.query(
        r.DEFINITION,
        where=lambda d: d.kind == r.CONFIRMATION_STATUS and d.code == "confirmed",
    )[0]
    appointment = store.query(
        r.APPOINTMENT,
        where=lambda a: a.status == "scheduled" and a.confirmation_id != confirmed.id,
    )[-1]
    store.update(r.APPOINTMENT, appointment.id, confirmation_id=confirmed.id)

    run = run_stream(streams(od)[StreamKind.FAST_APPOINTMENT_STATUS])

    assert run.status == "succeeded"
    row = Appointment.objects.get(practice=od, pms_id=str(appointment.id))
    assert row.confirmation_pms_id == str(confirmed.id)
    # It came through the fast stream's short walk, not a second full one.
    assert run.fetched < store.count(r.APPOINTMENT) / 2
    assert streams(od)[StreamKind.INITIAL].state != StreamState.DONE


def test_the_initial_walk_does_not_rewrite_what_a_fast_stream_brought(od, sim_practice):
    first_slice(od)
    store = sim_practice.store
    appointment = store.query(r.APPOINTMENT, where=lambda a: a.status == "scheduled")[0]
    store.update(r.APPOINTMENT, appointment.id, note="changed during the backfill")
    run_stream(streams(od)[StreamKind.FAST_APPOINTMENT_CHANGES])
    landed = Appointment.objects.get(practice=od, pms_id=str(appointment.id))

    while streams(od)[StreamKind.INITIAL].state != StreamState.DONE:
        run_initial_sync(streams(od)[StreamKind.INITIAL])

    again = Appointment.objects.get(practice=od, pms_id=str(appointment.id))
    # Another query's answer (another serverDateTime) is the same record: no write.
    assert again.last_synced_at == landed.last_synced_at
    assert again.content_hash == landed.content_hash
