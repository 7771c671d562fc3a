"""Saving settings reaches the sync engine and the write-back outbox at once."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from practices.connection_status import change_connection_status
from practices.models import ConnectionStatus
from syncjobs.models import SyncStream
from syncjobs.models.stream import StreamKind, StreamState
from syncjobs.schedule import ensure_streams

from .conftest import page_payload, settings_url


def scheduled_incremental(practice, started_ago: timedelta) -> SyncStream:
    ensure_streams(practice)
    SyncStream.objects.filter(practice=practice, kind=StreamKind.INCREMENTAL).update(
        state=StreamState.SCHEDULED,
        last_started_at=timezone.now() - started_ago,
        next_due_at=timezone.now() + timedelta(minutes=14),
    )
    return SyncStream.objects.get(practice=practice, kind=StreamKind.INCREMENTAL)


def test_a_shorter_interval_saved_on_the_page_moves_the_next_due_time(
    client_a, practice_a, connection_a, django_capture_on_commit_callbacks
):
    before = scheduled_incremental(practice_a, started_ago=timedelta(minutes=1))
    data = page_payload(client_a, practice_a)
    data["incremental_interval_minutes"] = ["2"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(settings_url(practice_a), data)
    assert response.status_code in (200, 302)
    after = SyncStream.objects.get(pk=before.pk)
    assert after.next_due_at < before.next_due_at
    assert after.next_due_at <= before.last_started_at + timedelta(minutes=2, seconds=1)


def test_switching_a_fast_sync_off_on_the_page_disables_its_stream(
    client_a, practice_a, connection_a, django_capture_on_commit_callbacks
):
    ensure_streams(practice_a)
    data = page_payload(client_a, practice_a)
    data.pop("new_patients_enabled")
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(settings_url(practice_a), data)
    stream = SyncStream.objects.get(
        practice=practice_a, kind=StreamKind.FAST_NEW_PATIENTS
    )
    assert stream.enabled is False


def test_reactivating_a_connection_tells_the_sync_engine(
    practice_a, connection_a, django_capture_on_commit_callbacks
):
    change_connection_status([connection_a], ConnectionStatus.DISABLED, "pause", None)
    assert not SyncStream.objects.filter(practice=practice_a).exists()
    with django_capture_on_commit_callbacks(execute=True):
        change_connection_status([connection_a], ConnectionStatus.ACTIVE, "back", None)
    assert SyncStream.objects.filter(practice=practice_a).count() == len(StreamKind)


def test_a_new_nightly_window_set_in_admin_moves_the_nightly_run(
    staff_client, practice_a, connection_a, django_capture_on_commit_callbacks
):
    ensure_streams(practice_a)
    nightly = SyncStream.objects.get(practice=practice_a, kind=StreamKind.NIGHTLY)
    opens = nightly.next_due_at.astimezone(practice_a.tzinfo)
    later = (practice_a.nightly_window_start_hour + 3) % 24
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:practices_practice_change", args=[practice_a.pk]),
            {
                "name": practice_a.name,
                "time_zone": practice_a.time_zone,
                "nightly_window_start_hour": later,
                "memberships-TOTAL_FORMS": 0,
                "memberships-INITIAL_FORMS": 0,
            },
        )
    assert response.status_code == 302
    moved = SyncStream.objects.get(pk=nightly.pk).next_due_at
    assert moved.astimezone(practice_a.tzinfo).hour == later
    assert opens.hour == practice_a.nightly_window_start_hour
