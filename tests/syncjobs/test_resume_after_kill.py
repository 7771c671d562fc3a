"""A worker killed mid-initial-sync leaves a checkpoint the next run resumes from."""

from __future__ import annotations

import pytest

from records.models import Patient
from syncjobs.initial import run_initial_sync
from syncjobs.models import AttemptStatus, RunStatus, StreamState, SyncRun

from .fakes import Crash, patient


def test_it_resumes_from_the_last_checkpoint_with_no_gap_and_no_duplicate(
    initial_a, fake
):
    fake.add(*[patient(n) for n in range(1, 11)])  # 4 pages of 3
    fake.script.crash_after_pages = 2
    with pytest.raises(Crash):
        run_initial_sync(initial_a, connector=fake)
    initial_a.refresh_from_db()
    assert initial_a.cursors == {"patient": "6"}
    assert Patient.objects.count() == 6

    run = run_initial_sync(initial_a, connector=fake)
    assert run.status == RunStatus.SUCCEEDED
    # the walk went on from "6": never re-read from the start
    patient_calls = [cursor for key, cursor in fake.calls if key == "patient"]
    assert patient_calls == [None, "3", "6", "6", "9"]
    assert sorted(Patient.objects.values_list("pms_id", flat=True), key=int) == [
        str(n) for n in range(1, 11)
    ]
    initial_a.refresh_from_db()
    assert initial_a.progress_done == 10
    assert initial_a.state == StreamState.DONE


def test_the_killed_attempt_is_in_the_history_of_the_same_run(initial_a, fake):
    fake.add(*[patient(n) for n in range(1, 8)])
    fake.script.crash_after_pages = 1
    with pytest.raises(Crash):
        run_initial_sync(initial_a, connector=fake)
    run_initial_sync(initial_a, connector=fake)
    run = SyncRun.objects.get()
    statuses = list(run.attempt_set.values_list("number", "status"))
    assert statuses == [(1, AttemptStatus.INTERRUPTED), (2, AttemptStatus.SUCCEEDED)]
    # 3 patient pages and 1 empty appointment page; 7 patients and 4 reference values
    assert (run.pages, run.fetched) == (4, 11)
    # each attempt keeps what it read: the killed one its one page, the one that
    # finished the rest, together the run's figures
    read = list(run.attempt_set.values_list("pages", "fetched"))
    assert read[0][0] == 1
    assert tuple(map(sum, zip(*read, strict=True))) == (run.pages, run.fetched)


def test_a_worker_that_died_without_cleanup_is_resumed_after_its_lease_expires(
    initial_a, fake
):
    from datetime import timedelta

    from django.utils import timezone

    from syncjobs.lease import Lease
    from syncjobs.models import SyncStream
    from syncjobs.runs import open_attempt

    fake.add(*[patient(n) for n in range(1, 5)])
    dead = Lease.claim(initial_a)
    open_attempt(initial_a, dead)  # the attempt row a SIGKILLed worker leaves
    assert Lease.claim(initial_a) is None
    SyncStream.objects.filter(pk=initial_a.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    run = run_initial_sync(initial_a, connector=fake)
    assert run.status == RunStatus.SUCCEEDED
    assert list(run.attempt_set.values_list("status", flat=True)) == [
        AttemptStatus.INTERRUPTED,
        AttemptStatus.SUCCEEDED,
    ]
