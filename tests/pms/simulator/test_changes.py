"""Live changes: step-wise from tests, in one second, and in the background."""

import time
from collections import Counter
from datetime import datetime
from datetime import time as dt_time

from pms.simulator import records as r
from tests.fixtures.simulator import FIXTURE_TODAY


def test_it_applies_exactly_n_changes(sim_practice):
    before = sim_practice.store.max_seq
    made = sim_practice.apply_changes(40)
    assert len(made) == 40
    assert sim_practice.store.max_seq == before + 40


def test_it_can_make_many_changes_in_the_same_second(sim_practice):
    made = sim_practice.apply_changes(60, same_second=True)
    assert len({c.at for c in made}) == 1
    assert [c.seq for c in made] == sorted({c.seq for c in made})


def test_changes_cover_edits_moves_confirmations_new_rows_and_deletions(
    make_sim_practice,
):
    # A book generated up to today: the fixture's fixed day lies in the past of
    # the store's clock, so it has no upcoming visits to confirm or move but the
    # ones the changes themselves add (as few as one confirmation in 400 changes,
    # and now and then none: this test failed so on 2026-12-06).
    sim_practice = make_sim_practice(today=None)
    made = sim_practice.apply_changes(400)
    kinds = Counter((c.kind, c.action) for c in made)
    assert kinds[(r.PATIENT, "update")] > 0
    assert kinds[(r.PATIENT, "create")] > 0
    assert kinds[(r.APPOINTMENT, "update")] > 0
    assert kinds[(r.APPOINTMENT, "delete")] > 0
    fields = {f for c in made if c.kind == r.APPOINTMENT for f in c.fields}
    assert {"start", "confirmation_id", "status"} <= fields
    assert sim_practice.store.deletions(r.APPOINTMENT)


def test_new_patients_are_their_own_guarantors(sim_practice):
    made = sim_practice.apply_changes(300)
    new = [c.record for c in made if c.kind == r.PATIENT and c.action == "create"]
    assert new and all(p.guarantor_id == p.id for p in new)


def test_the_background_driver_changes_the_practice_at_its_rate(sim_practice):
    before = sim_practice.store.max_seq
    sim_practice.settings(change_rate=50)
    time.sleep(0.6)
    sim_practice.settings(change_rate=0)
    made = sim_practice.store.max_seq - before
    assert 10 <= made <= 60
    settled = sim_practice.store.max_seq
    time.sleep(0.2)
    assert sim_practice.store.max_seq == settled


def test_a_moved_visit_keeps_office_hours_even_late_at_night(make_sim_practice):
    sim_practice = make_sim_practice(today=None)
    store = sim_practice.store
    store.clock.frozen = store.clock.now().replace(hour=23, minute=30, second=0)
    made = sim_practice.apply_changes(400)
    moved = [c.record for c in made if c.kind == r.APPOINTMENT and "start" in c.fields]
    assert moved
    # Visits start 7 AM-5 PM and move by whole days and -60/0/+30/+90 minutes;
    # "an hour from now" would be 00:30.
    assert all(6 <= a.start.hour <= 19 for a in moved), [a.start for a in moved]


def test_only_a_visit_that_has_begun_is_completed(make_sim_practice):
    # Generated as of 7 AM that day; at midday the morning's visits have begun
    # and are still scheduled, the afternoon's have not begun.
    sim_practice = make_sim_practice()
    store = sim_practice.store
    store.clock.frozen = datetime.combine(FIXTURE_TODAY, dt_time(12, 0))
    made = sim_practice.apply_changes(600)
    completed = [
        c
        for c in made
        if c.kind == r.APPOINTMENT
        and "status" in c.fields
        and c.record.status == "complete"
    ]
    assert completed
    assert all(c.record.start <= c.at for c in completed), [
        (c.record.start, c.at) for c in completed if c.record.start > c.at
    ]


def test_moved_and_new_visits_land_on_weekdays(make_sim_practice):
    sim_practice = make_sim_practice(today=None)
    made = sim_practice.apply_changes(600)
    placed = [
        c.record
        for c in made
        if c.kind == r.APPOINTMENT and (c.action == "create" or "start" in c.fields)
    ]
    assert placed
    assert all(a.start.weekday() < 5 for a in placed), [a.start for a in placed]
