"""Sync history stays bounded: quiet runs go after a day, every run after 90 days,
resolved record failures after 90 days; what says something stays until then."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pbnsync import pruning
from syncjobs.history import KEEP, KEEP_QUIET, prune_history
from syncjobs.models import (
    RecordFailure,
    RunStatus,
    StreamKind,
    SyncAttempt,
    SyncRun,
    Trigger,
)


@pytest.fixture
def aged_runs(streams_a):
    stream = streams_a[StreamKind.FAST_APPOINTMENT_STATUS]
    now = timezone.now()

    def run(age: timedelta, **figures) -> SyncRun:
        made = SyncRun.objects.create(
            stream=stream,
            practice=stream.practice,
            kind=stream.kind,
            trigger=Trigger.SCHEDULE,
            status=figures.pop("status", RunStatus.SUCCEEDED),
            started_at=now - age,
            finished_at=now - age,
            attempts=1,
            **figures,
        )
        SyncAttempt.objects.create(run=made, number=1, started_at=now - age)
        return made

    day = timedelta(days=1)
    return {
        "quiet, old": run(KEEP_QUIET + day),
        "quiet, new": run(KEEP_QUIET - timedelta(hours=1)),
        "fetched, old": run(KEEP_QUIET + day, fetched=3),
        "failed run, old": run(KEEP_QUIET + day, status=RunStatus.FAILED),
        "fetched, past 90 days": run(KEEP + day, fetched=3),
    }


def failure(practice, resolved_ago: timedelta | None) -> RecordFailure:
    now = timezone.now()
    return RecordFailure.objects.create(
        practice=practice,
        stream_kind=StreamKind.INCREMENTAL,
        entity="patient",
        pms_id="7",
        reason="birthdate is not a date",
        resolved_at=now - resolved_ago if resolved_ago else None,
    )


@pytest.mark.parametrize("batch", [None, 1])
def test_it_keeps_what_says_something_and_drops_the_rest(
    aged_runs, practice_a, monkeypatch, batch
):
    monkeypatch.setattr(pruning, "BATCH", batch or pruning.BATCH)
    open_failure = failure(practice_a, None)
    recent = failure(practice_a, KEEP - timedelta(days=1))
    failure(practice_a, KEEP + timedelta(days=1))

    counts = prune_history()

    assert counts == {"quiet_runs": 1, "old_runs": 1, "resolved_failures": 1}
    kept = {
        name for name, run in aged_runs.items() if SyncRun.objects.filter(pk=run.pk)
    }
    assert kept == {"quiet, new", "fetched, old", "failed run, old"}
    assert SyncAttempt.objects.count() == 3  # the pruned runs' attempts went too
    assert set(RecordFailure.objects.all()) == {open_failure, recent}
