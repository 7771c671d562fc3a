"""Sync Availability on the status page re-reads availability now, one at a time."""

from syncjobs.models import StreamKind, SyncStream, Trigger
from tests.browser import cast


def test_it_starts_one_availability_sync_and_refuses_a_second(
    client, admin_a, practice_a
):
    cast.connect(practice_a)
    cast.login(client, admin_a)
    page = client.get(f"/practices/{practice_a.pk}/sync/").content.decode()
    assert 'id="sync-availability"' in page
    url = f"/practices/{practice_a.pk}/sync/availability/"
    first = client.post(url, follow=True).content.decode()
    assert "Availability sync started; it takes a few seconds." in first
    second = client.post(url, follow=True).content.decode()
    assert "An availability sync is already running." in second
    stream = SyncStream.objects.get(practice=practice_a, kind=StreamKind.AVAILABILITY)
    assert stream.pending_trigger == Trigger.FORCE
