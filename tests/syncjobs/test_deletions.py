"""Deletions disappear from every list at once and are purged in the nightly window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from pms.base import Deletion, Entity
from records.models import Appointment
from syncjobs.deletions import run_deletion_sync
from syncjobs.initial import run_initial_sync
from syncjobs.models import RunStatus, StreamKind, SyncStream, Trigger
from syncjobs.nightly import run_nightly
from syncjobs.schedule import in_nightly_window, next_nightly_due, window_start

from .fakes import T0, appointment


def live(practice) -> list[str]:
    return sorted(Appointment.objects.of(practice).values_list("pms_id", flat=True))


def synced(streams_a, initial_a, fake):
    fake.add(*[appointment(n) for n in range(1, 5)])
    run_initial_sync(initial_a, connector=fake)
    return initial_a.practice


def test_a_deletion_is_hidden_by_the_next_deletions_run(streams_a, initial_a, fake):
    practice = synced(streams_a, initial_a, fake)
    fake.deletions.append(Deletion(Entity.APPOINTMENT, "2", T0))
    run = run_deletion_sync(streams_a[StreamKind.DELETIONS], connector=fake)
    assert run.deleted == 1
    assert live(practice) == ["1", "3", "4"]


def test_the_deletions_stream_reads_from_its_own_cursor(streams_a, initial_a, fake):
    synced(streams_a, initial_a, fake)
    deletions = streams_a[StreamKind.DELETIONS]
    fake.deletions.append(Deletion(Entity.APPOINTMENT, "1", T0))
    run_deletion_sync(deletions, connector=fake)
    fake.deletions.append(Deletion(Entity.APPOINTMENT, "3", T0))
    run = run_deletion_sync(deletions, connector=fake)
    assert [c for k, c in fake.calls if k == "deletions"] == [None, "1"]
    assert run.deleted == 1


def test_the_nightly_run_purges_inside_the_practice_local_window(
    streams_a, initial_a, fake, settings
):
    practice = synced(streams_a, initial_a, fake)
    fake.deletions.append(Deletion(Entity.APPOINTMENT, "2", T0))
    run_deletion_sync(streams_a[StreamKind.DELETIONS], connector=fake)
    practice.nightly_window_start_hour = timezone.now().astimezone(practice.tzinfo).hour
    practice.save()
    nightly = SyncStream.objects.select_related("practice").get(
        practice=practice, kind=StreamKind.NIGHTLY
    )
    run = run_nightly(nightly, connector=fake)
    assert (run.status, run.deleted) == (RunStatus.SUCCEEDED, 1)
    assert Appointment.objects.filter(practice=practice).count() == 3


def test_the_nightly_run_purges_nothing_outside_the_window(streams_a, initial_a, fake):
    practice = synced(streams_a, initial_a, fake)
    fake.deletions.append(Deletion(Entity.APPOINTMENT, "2", T0))
    run_deletion_sync(streams_a[StreamKind.DELETIONS], connector=fake)
    local_hour = timezone.now().astimezone(practice.tzinfo).hour
    practice.nightly_window_start_hour = (local_hour + 12) % 24
    practice.save()
    nightly = SyncStream.objects.select_related("practice").get(
        practice=practice, kind=StreamKind.NIGHTLY
    )
    run = run_nightly(nightly, connector=fake)
    assert run.status == RunStatus.SKIPPED
    assert Appointment.objects.filter(practice=practice).count() == 4
    nightly.refresh_from_db()
    assert (
        nightly.next_due_at.astimezone(practice.tzinfo).hour == (local_hour + 12) % 24
    )


def test_staff_may_purge_outside_the_window_from_the_command_line(
    streams_a, initial_a, fake
):
    practice = synced(streams_a, initial_a, fake)
    fake.deletions.append(Deletion(Entity.APPOINTMENT, "2", T0))
    run_deletion_sync(streams_a[StreamKind.DELETIONS], connector=fake)
    local_hour = timezone.now().astimezone(practice.tzinfo).hour
    practice.nightly_window_start_hour = (local_hour + 12) % 24
    practice.save()
    nightly = SyncStream.objects.select_related("practice").get(
        practice=practice, kind=StreamKind.NIGHTLY
    )
    run = run_nightly(nightly, connector=fake, trigger=Trigger.COMMAND)
    assert (run.status, run.deleted) == (RunStatus.SUCCEEDED, 1)


def test_the_window_is_practice_local_time(practice_a):
    practice_a.time_zone = "America/Denver"
    practice_a.nightly_window_start_hour = 2
    # 09:30 UTC is 03:30 in Denver (MDT, UTC-6): inside the 02:00-06:00 window
    assert in_nightly_window(practice_a, datetime(2025, 6, 2, 9, 30, tzinfo=UTC))
    assert not in_nightly_window(practice_a, datetime(2025, 6, 2, 13, 0, tzinfo=UTC))
    start = window_start(practice_a, datetime(2025, 6, 2, 9, 30, tzinfo=UTC))
    assert start == datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


def test_the_next_window_keeps_its_local_hour_across_a_dst_change(practice_a):
    practice_a.time_zone = "America/New_York"
    practice_a.nightly_window_start_hour = 1
    # ran in the window of Saturday 2025-03-08 (EST); next opens Sunday 01:00 EST,
    # then Monday 01:00 EDT: one hour earlier in UTC.
    ran = datetime(2025, 3, 8, 6, 5, tzinfo=UTC)
    sunday = next_nightly_due(practice_a, ran, ran)
    assert sunday == datetime(2025, 3, 9, 6, 0, tzinfo=UTC)
    monday = next_nightly_due(practice_a, sunday, sunday + timedelta(minutes=5))
    assert monday == datetime(2025, 3, 10, 5, 0, tzinfo=UTC)
