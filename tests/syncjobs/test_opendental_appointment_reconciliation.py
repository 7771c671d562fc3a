"""A visit deleted weeks ahead in Open Dental disappears by the next morning, even
if histappointments' dates match the visit's day rather than the deletion's.

Facts: opendental-api.md §3.4 (appointments are hard-deleted, with a history row)
and §3.6 (which date dateStart/dateEnd match is unconfirmed). Over real HTTP.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pms.base import Entity
from pms.simulator import records as r
from records.models import Appointment
from syncjobs.deletions import run_deletion_sync
from syncjobs.models import RunStatus, StreamKind

from .od_nightly import mirrored_od, nightly, stream
from .test_deletion_fallback import live_ids


@pytest.fixture
def sim(make_sim_practice):
    return make_sim_practice(today=None)  # a book with visits ahead of today


@pytest.fixture
def od(sim, streams_a, practice_a, settings):
    settings.PMS_HTTP_BACKOFF_BASE = 0.01
    with mirrored_od(sim, practice_a, Entity.PATIENT, Entity.APPOINTMENT) as connector:
        yield connector


def delete_visits(sim, days_ahead: int, count: int) -> set[str]:
    """Delete `count` scheduled visits about `days_ahead` days out, as the UI does."""
    day = sim.store.now() + timedelta(days=days_ahead)
    chosen = sim.store.query(
        r.APPOINTMENT,
        start=datetime.combine(day.date(), datetime.min.time()),
        end=datetime.combine(day.date() + timedelta(days=3), datetime.min.time()),
        where=lambda a: a.status == "scheduled",
    )[:count]
    assert len(chosen) == count
    for visit in chosen:
        sim.store.delete(r.APPOINTMENT, visit.id)
    return {str(v.id) for v in chosen}


def test_the_nightly_walk_hides_a_deletion_the_feed_missed(od, sim, practice_a):
    sim.settings(od_hist_dates="appointment")
    before = live_ids(Appointment, practice_a)
    gone = delete_visits(sim, days_ahead=30, count=2)

    feed = run_deletion_sync(stream(practice_a, StreamKind.DELETIONS), connector=od)
    assert feed.status == RunStatus.SUCCEEDED, feed.error
    assert live_ids(Appointment, practice_a) == before  # the feed did not see them

    night = nightly(practice_a, od)
    assert night.status == RunStatus.SUCCEEDED, night.error
    assert live_ids(Appointment, practice_a) == before - gone


def test_the_nightly_walk_keeps_the_past_and_every_visit_still_booked(
    od, sim, practice_a
):
    before = live_ids(Appointment, practice_a)
    seen = len(sim.requests())

    night = nightly(practice_a, od)

    assert night.status == RunStatus.SUCCEEDED, night.error
    assert live_ids(Appointment, practice_a) == before
    listed = [
        q["query"] for q in sim.requests()[seen:] if q["path"].endswith("/appointments")
    ]
    assert listed and all("dateStart=" in q and "dateEnd=" in q for q in listed)
