"""Sync Availability in the schedule page's Configuration: one availability sync at
a time, back to the same schedule day, never while the connection is halted."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from practices.models import ConnectionStatus, PmsConnection
from records.models import ScheduleWindow
from syncjobs.models import StreamKind, SyncStream, Trigger
from syncjobs.ondemand import HALTED
from tests.browser import cast

STARTED = "Availability sync started; it takes a few seconds."
REFUSED = "An availability sync is already running."
STOPPING = [s for s in ConnectionStatus if s != ConnectionStatus.ACTIVE]


def schedule_url(practice, day: str = "") -> str:
    return f"/practices/{practice.pk}/schedule/" + (f"?day={day}" if day else "")


def sync_url(practice) -> str:
    return f"/practices/{practice.pk}/sync/availability/"


def configuration(html: str) -> str:
    """Return the schedule page's Configuration card."""
    return html.split('id="configuration"', 1)[1].split("</section>", 1)[0]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def flashed(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def queued(practice) -> list[str]:
    """Return the kinds of the practice's streams that have a run asked for."""
    streams = SyncStream.objects.filter(practice=practice).exclude(pending_trigger="")
    return list(streams.values_list("kind", flat=True))


@pytest.fixture
def connected_a(practice_a):
    cast.connect(practice_a)
    return practice_a


def test_it_shows_the_button_under_configuration_for_a_practice_admin(
    client, admin_a, connected_a
):
    html = (
        cast.login(client, admin_a)
        .get(schedule_url(connected_a, "2026-06-02"))
        .content.decode()
    )

    card = configuration(html)
    assert re.search(r"<h2[^>]*>Configuration</h2>", card)
    assert 'id="sync-availability"' in card
    assert f'action="{sync_url(connected_a)}"' in card
    assert 'name="csrfmiddlewaretoken"' in card
    assert f'name="next" value="{schedule_url(connected_a, "2026-06-02")}"' in card
    assert 'id="availability"' in card  # provider hours & blockouts live here


def test_it_queues_one_availability_sync_and_returns_to_the_same_day(
    client, admin_a, connected_a
):
    back = schedule_url(connected_a, "2026-06-02")
    cast.login(client, admin_a)

    response = client.post(sync_url(connected_a), {"next": back})

    assert response.status_code == 302 and response["Location"] == back
    page = client.get(back)
    assert flashed(page) == [STARTED]
    assert queued(connected_a) == [StreamKind.AVAILABILITY]
    stream = SyncStream.objects.get(practice=connected_a, kind=StreamKind.AVAILABILITY)
    assert stream.pending_trigger == Trigger.FORCE


def test_it_refuses_a_second_sync_while_one_is_queued(client, admin_a, connected_a):
    back = schedule_url(connected_a, "2026-06-02")
    cast.login(client, admin_a)
    first = client.post(sync_url(connected_a), {"next": back}, follow=True)

    second = client.post(sync_url(connected_a), {"next": back}, follow=True)

    assert flashed(first) == [STARTED]
    assert second.redirect_chain == [(back, 302)]
    assert flashed(second) == [REFUSED]
    assert queued(connected_a) == [StreamKind.AVAILABILITY]


def test_it_refuses_a_sync_while_one_runs(client, admin_a, connected_a):
    SyncStream.objects.filter(
        practice=connected_a, kind=StreamKind.AVAILABILITY
    ).update(
        lease_owner="worker-1", lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    back = schedule_url(connected_a)
    cast.login(client, admin_a)

    response = client.post(sync_url(connected_a), {"next": back}, follow=True)

    assert response.redirect_chain == [(back, 302)]
    assert flashed(response) == [REFUSED]
    assert queued(connected_a) == []


@pytest.mark.parametrize(
    "next_url",
    [
        "{b}",
        "https://evil.example/practices/{a}/schedule/",
        "//evil.example/practices/{a}/schedule/",
        "/\\evil.example/practices/{a}/schedule/",
        "javascript:alert(1)//practices/{a}/schedule/",
        "/practices/{a}/patients/",
        "/practices/{a}/schedule/../../{b_id}/schedule/",
        "",
    ],
)
def test_it_ignores_a_next_that_is_not_this_practices_schedule(
    client, admin_a, connected_a, practice_b, next_url
):
    target = next_url.format(
        a=connected_a.pk, b=schedule_url(practice_b), b_id=practice_b.pk
    )
    cast.login(client, admin_a)

    response = client.post(sync_url(connected_a), {"next": target})

    assert response.status_code == 302
    assert response["Location"] == f"/practices/{connected_a.pk}/sync/"
    assert queued(connected_a) == [StreamKind.AVAILABILITY]


def test_it_echoes_back_only_the_schedule_day(client, admin_a, connected_a):
    cast.login(client, admin_a)
    base = schedule_url(connected_a)

    kept = client.post(
        sync_url(connected_a), {"next": f"{base}?day=2026-06-02&x=%3Cscript%3E"}
    )
    SyncStream.objects.filter(practice=connected_a).update(pending_trigger="")
    no_day = client.post(sync_url(connected_a), {"next": f"{base}?day=soon"})

    assert kept["Location"] == f"{base}?day=2026-06-02"
    assert no_day["Location"] == base


def test_another_practices_admin_gets_404(client, admin_b, connected_a):
    cast.login(client, admin_b)

    page = client.get(schedule_url(connected_a))
    post = client.post(sync_url(connected_a), {"next": schedule_url(connected_a)})

    assert (page.status_code, post.status_code) == (404, 404)
    assert queued(connected_a) == []


@pytest.mark.parametrize("status", STOPPING)
def test_a_halted_connection_shows_no_button_and_a_post_is_refused(
    client, admin_a, connected_a, status
):
    PmsConnection.objects.filter(practice=connected_a).update(status=status)
    back = schedule_url(connected_a, "2026-06-02")
    cast.login(client, admin_a)

    card = configuration(client.get(back).content.decode())
    response = client.post(sync_url(connected_a), {"next": back}, follow=True)

    assert 'id="sync-availability"' not in card
    assert HALTED[status] in card
    assert "Sync Availability above" not in card
    assert response.redirect_chain == [(back, 302)]
    assert flashed(response) == [HALTED[status]]
    assert queued(connected_a) == []


def test_the_availability_texts_point_at_the_button_on_this_page(
    client, admin_a, connected_a
):
    cast.login(client, admin_a)
    never = text(configuration(client.get(schedule_url(connected_a)).content.decode()))
    today = timezone.localdate(timezone=connected_a.tzinfo)
    ScheduleWindow.objects.create(
        practice=connected_a,
        first_day=today,
        last_day=today + timedelta(days=6),
        synced_at=timezone.now(),
    )
    synced = configuration(client.get(schedule_url(connected_a)).content.decode())

    assert "not been synced yet; click Sync Availability above" in never
    assert "Provider availability as of" in text(synced)
    assert "click Sync Availability above" in text(synced)
    assert "sync status page" not in never + text(synced)
