"""Sync Availability and the nightly run mirror provider schedules and blockouts.

Over real HTTP against the simulator's Open Dental face (GET /schedules) and, for
a PMS that offers no schedules, its Dentrix Ascend face.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from pms.dentrix_ascend import DentrixAscendConnector
from pms.dentrix_ascend.auth import TOKENS
from pms.simulator import records as r
from practices.models import ConnectionStatus
from records.models import ScheduleBlock, ScheduleWindow
from syncjobs.availability import run_availability
from syncjobs.initial import run_initial_sync
from syncjobs.models import RunStatus, StreamKind, SyncStream, Trigger
from syncjobs.nightly import run_nightly
from syncjobs.ondemand import sync_availability
from tests.pms.faces import FACES

from .e2e import connect_open_dental, drain, mirror_differences

DAYS = 6
pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PMS_REQUEST_INTERVAL_MS = 0
    settings.SYNC_AVAILABILITY_DAYS = DAYS


@pytest.fixture
def sim(make_sim_practice):
    """A practice generated around the real today, so its schedule is current."""
    return make_sim_practice(today=None)


def today_in(practice) -> date:
    return timezone.localdate(timezone=practice.tzinfo)


def expected(store, first: date) -> dict[str, tuple]:
    """Return the store's entries of the window as the mirror should hold them."""
    rows = store.query(r.SCHEDULE, start=first, end=first + timedelta(days=DAYS + 1))
    return {
        str(x.id): (
            x.type,
            x.date,
            x.start,
            x.stop,
            str(x.provider_id) if x.provider_id else "",
            [str(o) for o in x.operatory_ids],
            x.note,
        )
        for x in rows
        if x.type != "employee"
    }


def mirrored(practice) -> dict[str, tuple]:
    return {
        b.pms_id: (
            b.kind,
            b.day,
            b.start_time,
            b.stop_time,
            b.provider_pms_id,
            b.operatory_pms_ids,
            b.note,
        )
        for b in ScheduleBlock.objects.of(practice)
    }


def availability_stream(practice) -> SyncStream:
    return SyncStream.objects.select_related("practice").get(
        practice=practice, kind=StreamKind.AVAILABILITY
    )


def test_sync_availability_mirrors_todays_window_of_hours_and_blockouts(
    practice_a, sim
):
    connect_open_dental(practice_a, sim)

    assert sync_availability(practice_a).accepted
    runs = drain(practice_a, kinds=[StreamKind.AVAILABILITY])

    assert [(run.status, run.trigger) for run in runs] == [
        (RunStatus.SUCCEEDED, Trigger.FORCE)
    ]
    first = today_in(practice_a)
    want = expected(sim.store, first)
    assert want and mirrored(practice_a) == want
    assert {k[0] for k in want.values()} >= {"provider", "blockout"}
    window = ScheduleWindow.objects.get(practice=practice_a)
    assert (window.first_day, window.last_day) == (first, first + timedelta(DAYS))
    assert window.synced_at >= runs[0].started_at
    assert runs[0].upserted >= len(want)


def test_a_removed_block_disappears_and_changes_land_on_the_next_sync(practice_a, sim):
    connect_open_dental(practice_a, sim)
    stream = availability_stream(practice_a)
    run_availability(stream)
    store, first = sim.store, today_in(practice_a)
    window = store.query(r.SCHEDULE, start=first, end=first + timedelta(DAYS + 1))
    hours = next(x for x in window if x.type == "provider")
    blockout = next(x for x in window if x.type == "blockout")
    store.delete(r.SCHEDULE, blockout.id)
    store.update(r.SCHEDULE, hours.id, stop=time(15, 30), note="Leaves early")
    added = store.insert(
        r.SCHEDULE,
        r.Schedule(
            date=first + timedelta(days=1),
            start=time(9),
            stop=time(10),
            type="blockout",
            blockout_type_id=blockout.blockout_type_id,
            operatory_ids=(1,),
            note="Crown seat",
        ),
    )

    run = run_availability(stream)

    assert run.status == RunStatus.SUCCEEDED
    assert mirrored(practice_a) == expected(store, first)
    assert not ScheduleBlock.objects.filter(pms_id=str(blockout.id)).exists()
    changed = ScheduleBlock.objects.get(practice=practice_a, pms_id=str(hours.id))
    assert (changed.stop_time, changed.note) == (time(15, 30), "Leaves early")
    assert ScheduleBlock.objects.get(pms_id=str(added.id)).blockout_type
    assert (run.deleted, run.upserted) == (1, 2)


def test_the_nightly_run_refreshes_the_schedule_window(practice_a, sim):
    connect_open_dental(practice_a, sim)
    nightly = SyncStream.objects.select_related("practice").get(
        practice=practice_a, kind=StreamKind.NIGHTLY
    )

    run = run_nightly(nightly, trigger=Trigger.COMMAND)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert mirrored(practice_a) == expected(sim.store, today_in(practice_a))


def test_a_pms_without_schedules_records_why_and_still_refreshes_providers(
    streams_a, practice_a, sim_practice
):
    TOKENS.clear()
    connector = DentrixAscendConnector(FACES["dentrix_ascend"].config(sim_practice))
    try:
        run = run_availability(availability_stream(practice_a), connector=connector)
    finally:
        connector.close()

    assert run.status == RunStatus.SUCCEEDED
    assert run.error == (
        "Provider schedules and blockouts are not offered by Dentrix Ascend"
    )
    assert run.fetched > 0  # the reference lists were read
    assert not ScheduleBlock.objects.exists()
    assert not any(q["path"].endswith("schedules") for q in sim_practice.requests())


def test_the_initial_sync_brings_provider_hours_with_it(practice_a, sim):
    # Onboarding ends with the schedule already there, not waiting for the night
    # or a Sync Availability click (the status page's "data as of" says so).
    connect_open_dental(practice_a, sim)

    runs = drain(practice_a, kinds=[StreamKind.INITIAL])

    assert [run.status for run in runs] == [RunStatus.SUCCEEDED]
    assert runs[0].error == ""
    want = expected(sim.store, today_in(practice_a))
    assert want and mirrored(practice_a) == want
    window = ScheduleWindow.objects.get(practice=practice_a)
    assert runs[0].started_at <= window.synced_at <= runs[0].finished_at
    reads = [q for q in sim.requests() if q["path"].endswith("/schedules")]
    assert reads  # read once, by the initial sync, over HTTP


def test_an_initial_sync_of_a_pms_without_schedules_does_not_ask_for_them(
    streams_a, practice_a, sim_practice
):
    TOKENS.clear()
    connector = DentrixAscendConnector(FACES["dentrix_ascend"].config(sim_practice))
    initial = SyncStream.objects.select_related("practice").get(
        practice=practice_a, kind=StreamKind.INITIAL
    )
    try:
        run = run_initial_sync(initial, connector=connector)
    finally:
        connector.close()

    assert run.status == RunStatus.SUCCEEDED and run.error == ""
    assert not ScheduleWindow.objects.exists()
    assert not any(q["path"].endswith("schedules") for q in sim_practice.requests())


def test_a_pms_answering_404_to_schedules_is_onboarded_with_a_note(practice_a, sim):
    # An install without the schedule read (an older agent, a PMS without the
    # route): onboarding must not stop over it, nor flag the connection.
    connection = connect_open_dental(practice_a, sim)
    sim.set_faults(rates={"5xx": 1.0}, error_status=404, paths=["/schedules"])

    runs = drain(practice_a, kinds=[StreamKind.INITIAL])

    assert [run.status for run in runs] == [RunStatus.SUCCEEDED]
    assert "not offered by Open Dental" in runs[0].error
    assert "404" in runs[0].error
    assert mirror_differences(practice_a, sim.store) == []  # the walk went on
    assert not ScheduleBlock.objects.exists()
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE
    # Asked once, not again on every slice or retry.
    reads = [q for q in sim.requests() if q["path"].endswith("/schedules")]
    assert len(reads) == 1 and reads[0]["status"] == 404
