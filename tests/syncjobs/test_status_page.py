"""The sync status page shows each stream's last success, freshness and schedule."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from practices.models import SyncSettings
from syncjobs.models import StreamKind, SyncStream
from tests.browser import cast


def status_url(practice) -> str:
    return f"/practices/{practice.pk}/sync/"


@pytest.fixture
def loaded_a(practice_a):
    return cast.connect(practice_a)


def test_it_shows_data_as_of_in_the_practice_time_zone(client, admin_a, practice_a):
    cast.connect(practice_a)
    at = datetime(2026, 1, 15, 17, 5, tzinfo=UTC)  # 10:05 AM in Denver (MST)
    SyncStream.objects.filter(practice=practice_a, kind=StreamKind.INCREMENTAL).update(
        last_success_at=at
    )
    page = cast.login(client, admin_a).get(status_url(practice_a)).content.decode()
    assert "Data as of <strong><time" in page
    assert "Jan 15, 10:05 AM MST" in page


def test_it_lists_the_last_successful_sync_of_every_stream(
    client, admin_a, practice_a, loaded_a
):
    at = timezone.now() - timedelta(minutes=7)
    SyncStream.objects.filter(
        practice=practice_a, kind=StreamKind.FAST_APPOINTMENT_STATUS
    ).update(last_success_at=at, consecutive_failures=2)
    response = cast.login(client, admin_a).get(status_url(practice_a))
    rows = {r.label: r for r in response.context["page"].streams}
    assert set(rows) == {k.label for k in StreamKind}
    assert rows["Appointment status"].last_success_at == at
    assert rows["Appointment status"].health == "failing"
    assert rows["Appointment status"].runs == "every 15 s"
    assert rows["Incremental sync"].runs == "every 15 min"
    assert "7\xa0minutes" in response.content.decode()  # timesince: nbsp


def test_an_on_demand_stream_not_run_yet_says_not_asked_yet_not_never(
    client, admin_a, practice_a, loaded_a
):
    SyncStream.objects.filter(practice=practice_a).update(last_success_at=None)
    response = cast.login(client, admin_a).get(status_url(practice_a))
    rows = {r.label: r for r in response.context["page"].streams}
    assert rows["Provider availability (on demand)"].never == "not asked yet"
    assert rows["Nightly processing"].never == "never"
    assert rows["Initial full sync"].never == "never"
    assert 'class="muted">not asked yet<' in response.content.decode()


def test_it_shows_the_feature_schedule_with_data_as_of(
    client, admin_a, practice_a, loaded_a
):
    nightly = timezone.now() - timedelta(hours=5)
    SyncStream.objects.filter(practice=practice_a, kind=StreamKind.NIGHTLY).update(
        last_success_at=nightly
    )
    fast = timezone.now()  # newer than the incremental run `loaded_a` records
    SyncStream.objects.filter(
        practice=practice_a, kind=StreamKind.FAST_APPOINTMENT_STATUS
    ).update(last_success_at=fast)
    SyncStream.objects.filter(  # availability is not a dashboard figure
        practice=practice_a, kind=StreamKind.AVAILABILITY
    ).update(last_success_at=fast + timedelta(minutes=1))
    response = cast.login(client, admin_a).get(status_url(practice_a))
    features = {f.name: f for f in response.context["page"].features}
    assert features["Reports & analytics"].schedule == "Nightly"
    assert features["Reports & analytics"].as_of == nightly
    assert "as fresh as the last sync" in features["Dashboard"].schedule
    assert features["Dashboard"].as_of == fast
    assert features["Patient chat"].live and features["Forms & consents"].live
    assert features["Schedule (appointments)"].schedule.startswith("Real time")
    assert "every time the card is opened" in features["Patient card"].schedule
    assert features["Patient finder"].schedule.endswith(
        "Sync Patient on a card or in Bulk Actions"
    )
    assert (
        "Sync Availability"
        in features["Provider availability & schedule blocks"].schedule
    )
    page = response.content.decode()
    assert "Data sync schedule" in page and "Provider availability" in page


def test_it_says_no_pms_is_connected_yet(client, admin_a, practice_a):
    page = cast.login(client, admin_a).get(status_url(practice_a)).content.decode()
    assert "No PMS data yet" in page
    assert 'id="force-sync"' not in page


def test_a_stream_without_a_next_run_says_why_instead_of_its_state(
    client, admin_a, practice_a, loaded_a
):
    # Photos are off; the initial sync is done; availability runs when asked.
    SyncStream.objects.filter(practice=practice_a).update(
        last_success_at=timezone.now() - timedelta(hours=2)
    )
    response = cast.login(client, admin_a).get(status_url(practice_a))
    rows = {r.label: r for r in response.context["page"].streams}

    photos = rows[StreamKind.PROFILE_PHOTOS.label]
    assert not photos.enabled and photos.next_due_at is None
    assert (photos.idle, photos.lags, photos.health) == ("—", False, "off")
    initial = rows[StreamKind.INITIAL.label]
    assert (initial.next_due_at, initial.idle, initial.lags) == (None, "Done", False)
    availability = rows[StreamKind.AVAILABILITY.label]
    assert (availability.idle, availability.lags) == ("when asked", False)
    incremental = rows[StreamKind.INCREMENTAL.label]
    assert incremental.next_due_at and incremental.lags
    page = response.content.decode()
    assert '<span class="muted">when asked</span>' in page
    # Only the recurring streams that are on show a lag, two hours old each.
    lag_cells = page.count("<td>2\xa0hours</td>")
    assert lag_cells == sum(r.lags for r in rows.values()) == 6


def test_a_stream_nobody_has_taken_for_minutes_is_late(
    client, admin_a, practice_a, loaded_a
):
    # Due ten minutes ago and unclaimed: the cluster is not running it.
    SyncStream.objects.filter(practice=practice_a, kind=StreamKind.INCREMENTAL).update(
        next_due_at=timezone.now() - timedelta(minutes=10), lease_expires_at=None
    )
    response = cast.login(client, admin_a).get(status_url(practice_a))
    rows = {r.label: r for r in response.context["page"].streams}
    assert rows[StreamKind.INCREMENTAL.label].health == "late"
    assert '<span class="badge late">late</span>' in response.content.decode()

    # Claimed (queued or running): not late, however long it was due.
    SyncStream.objects.filter(practice=practice_a, kind=StreamKind.INCREMENTAL).update(
        lease_expires_at=timezone.now() + timedelta(minutes=1)
    )
    response = client.get(status_url(practice_a))
    rows = {r.label: r for r in response.context["page"].streams}
    assert rows[StreamKind.INCREMENTAL.label].health == "ok"


def test_a_feature_without_a_date_says_whether_it_is_off_or_not_yet_synced(
    client, admin_a, practice_a, loaded_a
):
    def photos():
        response = cast.login(client, admin_a).get(status_url(practice_a))
        by_name = {f.name: f for f in response.context["page"].features}
        return by_name["Patient profile photos"]

    assert (photos().schedule.startswith("Off"), photos().undated) == (True, "—")
    SyncSettings.objects.filter(practice=practice_a).update(profile_photos_enabled=True)
    assert (photos().as_of, photos().undated) == (None, "not yet")
