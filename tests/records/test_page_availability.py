"""The schedule page shows the day's provider hours and blockouts, "as of" when,
or why the practice's PMS cannot give them; the status page says the same."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from pms.simulator import records as r
from practices.models import PmsConnection, PmsType
from records.models import ScheduleWindow
from syncjobs.availability import run_availability
from syncjobs.models import StreamKind, SyncStream
from tests.browser import cast
from tests.syncjobs.e2e import connect_open_dental

DAYS = 6


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PMS_REQUEST_INTERVAL_MS = 0
    settings.SYNC_AVAILABILITY_DAYS = DAYS


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_it_shows_todays_hours_and_blockouts_after_sync_availability(
    client, admin_a, practice_a, make_sim_practice
):
    sim = make_sim_practice(today=None)
    connect_open_dental(practice_a, sim)
    stream = SyncStream.objects.select_related("practice").get(
        practice=practice_a, kind=StreamKind.AVAILABILITY
    )
    run_availability(stream)
    today = timezone.localdate(timezone=practice_a.tzinfo)
    # The first weekday with a blockout, inside the window.
    day = next(
        x.date
        for x in sim.store.query(
            r.SCHEDULE, start=today, end=today + timedelta(days=DAYS + 1)
        )
        if x.type == "blockout"
    )
    provider = next(
        x
        for x in sim.store.query(r.SCHEDULE, start=day, end=day + timedelta(days=1))
        if x.type == "provider"
    )
    listed = sim.store.get(r.PROVIDER, provider.provider_id)

    page = cast.login(client, admin_a).get(
        f"/practices/{practice_a.pk}/schedule/?day={day.isoformat()}"
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="provider-hours"' in html and 'id="blockouts"' in html
    shown = text(html)
    assert listed.abbr in shown  # named from the provider list
    assert provider.start.strftime("%-I:%M %p") in shown
    assert "Staff Meeting" in shown or "Emergency Only" in shown
    assert "Provider availability as of" in shown
    assert "not offered" not in shown


def test_a_day_outside_the_window_says_so(client, admin_a, practice_a):
    cast.connect(practice_a)
    today = timezone.localdate(timezone=practice_a.tzinfo)
    ScheduleWindow.objects.create(
        practice=practice_a,
        first_day=today,
        last_day=today + timedelta(days=DAYS),
        synced_at=timezone.now(),
    )
    later = today + timedelta(days=DAYS + 3)

    page = cast.login(client, admin_a).get(
        f"/practices/{practice_a.pk}/schedule/?day={later.isoformat()}"
    )

    assert "this day is outside that window" in text(page.content.decode())


def test_a_pms_without_schedules_says_they_are_not_offered(client, admin_a, practice_a):
    cast.connect(practice_a)
    PmsConnection.objects.filter(practice=practice_a).update(
        pms_type=PmsType.DENTRIX_ASCEND
    )
    cast.login(client, admin_a)

    schedule = text(
        client.get(f"/practices/{practice_a.pk}/schedule/").content.decode()
    )
    status = text(client.get(f"/practices/{practice_a.pk}/sync/").content.decode())

    assert (
        "Provider schedules and blockouts are not offered by Dentrix Ascend" in schedule
    )
    assert "schedules and blockouts are not offered by Dentrix Ascend" in status
