"""The initial sync pulls everything, reports progress, and hands its watermarks on."""

from __future__ import annotations

import time
from datetime import timedelta

from django.utils import timezone

from practices.models import ReferenceItem
from records.models import Appointment, Operatory, Patient, Provider
from syncjobs import pages
from syncjobs.initial import run_initial_sync
from syncjobs.models import (
    AttemptStatus,
    RunStatus,
    StreamKind,
    StreamState,
    SyncStream,
)
from syncjobs.schedule import ensure_streams

from .conftest import unreachable_connection
from .fakes import appointment, patient


def test_it_pulls_every_record_page_by_page(initial_a, fake):
    fake.add(*[patient(n) for n in range(1, 8)], *[appointment(n) for n in range(1, 5)])
    run = run_initial_sync(initial_a, connector=fake)
    assert run.status == RunStatus.SUCCEEDED
    assert Patient.objects.of(initial_a.practice).count() == 7
    assert Appointment.objects.of(initial_a.practice).count() == 4
    # 4 reference values read; 1 operatory and 1 provider stored from them
    assert (run.pages, run.fetched, run.upserted) == (5, 11 + 4, 11 + 2)


def test_it_stores_reference_values_for_settings_and_the_mirror(initial_a, fake):
    run_initial_sync(initial_a, connector=fake)
    practice = initial_a.practice
    assert ReferenceItem.objects.of_kind(practice, "appointment_status").count() == 2
    assert Operatory.objects.get(practice=practice).label == "Op 1"
    assert Provider.objects.get(practice=practice).abbreviation == "DOC1"


def test_it_finishes_done_and_starts_the_waiting_streams_from_its_watermarks(
    streams_a, initial_a, fake
):
    fake.add(*[patient(n) for n in range(1, 5)], appointment(1))
    assert streams_a[StreamKind.INCREMENTAL].state == StreamState.WAITING
    run_initial_sync(initial_a, connector=fake)
    streams = {
        s.kind: s for s in SyncStream.objects.filter(practice=initial_a.practice)
    }
    assert streams[StreamKind.INITIAL].state == StreamState.DONE
    assert streams[StreamKind.INITIAL].next_due_at is None
    incremental = streams[StreamKind.INCREMENTAL]
    assert incremental.state == StreamState.SCHEDULED
    assert incremental.cursors == {"patient": "4", "appointment": "1"}
    assert streams[StreamKind.FAST_NEW_PATIENTS].cursors == {"patient": "4"}
    assert streams[StreamKind.FAST_APPOINTMENT_STATUS].cursors == {"appointment": "1"}


def test_it_reports_progress_against_the_estimated_total(initial_a, fake):
    fake.add(*[patient(n) for n in range(1, 10)])
    fake.total_estimate = lambda entity: 9 if entity == "patient" else 1
    seen: list[int] = []
    run_initial_sync(
        initial_a,
        connector=fake,
        progress=lambda stream, fetched: seen.append(stream.progress_done),
    )
    initial_a.refresh_from_db()
    assert seen == [3, 6, 9, 9]
    assert (initial_a.progress_done, initial_a.progress_total) == (9, 10)
    assert initial_a.progress_started_at is not None


def test_it_estimates_the_time_left_from_the_rate_so_far(initial_a):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    initial_a.progress_started_at = now - timedelta(minutes=10)
    initial_a.progress_done, initial_a.progress_total = 250, 1000
    assert initial_a.eta(now) == timedelta(minutes=30)


def test_a_slice_that_runs_out_stores_what_it_read_ahead_and_wastes_no_call(
    initial_a, fake, monkeypatch
):
    fake.add(*[patient(n) for n in range(1, 31)])  # ten pages of three
    monkeypatch.setattr(pages, "READ_AHEAD_ROWS", 6)  # two pages ahead

    def slow_store(stream, fetched):
        time.sleep(0.1)  # the reader runs ahead while a page is stored

    slices = 0
    while initial_a.state != StreamState.DONE and slices < 20:
        run_initial_sync(
            initial_a, connector=fake, slice_seconds=0.25, progress=slow_store
        )
        slices += 1
        initial_a.refresh_from_db()

    assert slices > 2  # the walk really was cut into slices
    reads = [cursor for key, cursor in fake.calls if key == "patient"]
    # Every page was asked for once: none read ahead and dropped at a slice's end.
    assert len(reads) == len(set(reads)) == 10
    assert Patient.objects.of(initial_a.practice).count() == 30
    assert initial_a.progress_done == 30


def test_a_slice_gives_its_worker_to_an_overdue_fast_sync(
    initial_a, fake, practice_b, settings, monkeypatch
):
    # Another practice is live: its appointment-status sync is 5 s overdue while
    # this practice's initial sync walks ten pages in queued slices of a minute.
    fake.add(*[patient(n) for n in range(1, 31)])
    unreachable_connection(practice_b)
    ensure_streams(practice_b)
    live = SyncStream.objects.get(
        practice=practice_b, kind=StreamKind.FAST_APPOINTMENT_STATUS
    )
    SyncStream.objects.filter(pk=live.pk).update(
        state=StreamState.SCHEDULED,
        next_due_at=timezone.now() - timedelta(seconds=5),
    )
    settings.SYNC_INITIAL_MIN_SLICE_SECONDS = 0
    monkeypatch.setattr(pages, "READ_AHEAD_ROWS", 3)

    run = run_initial_sync(initial_a, connector=fake, slice_seconds=60)

    # It stopped after its first page, its run open, due again at once.
    initial_a.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.pages <= 2
    assert initial_a.state == StreamState.SCHEDULED
    assert initial_a.next_due_at <= timezone.now()
    assert run.attempt_set.get().status == AttemptStatus.PAUSED

    # Once the live practice's sync has run (due later), the walk goes to the end
    # in one slice.
    SyncStream.objects.filter(pk=live.pk).update(
        next_due_at=timezone.now() + timedelta(seconds=15)
    )
    run = run_initial_sync(initial_a, connector=fake, slice_seconds=60)
    initial_a.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and initial_a.state == StreamState.DONE
    assert Patient.objects.of(initial_a.practice).count() == 30


def test_a_slice_has_its_minimum_before_it_yields(
    initial_a, fake, practice_b, settings
):
    fake.add(*[patient(n) for n in range(1, 31)])
    unreachable_connection(practice_b)
    ensure_streams(practice_b)
    SyncStream.objects.filter(
        practice=practice_b, kind=StreamKind.FAST_NEW_PATIENTS
    ).update(state=StreamState.SCHEDULED, next_due_at=timezone.now() - timedelta(1))
    settings.SYNC_INITIAL_MIN_SLICE_SECONDS = 60

    run = run_initial_sync(initial_a, connector=fake, slice_seconds=60)

    assert run.status == RunStatus.SUCCEEDED  # ten pages in well under a minute
