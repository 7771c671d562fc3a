"""While the connection's status stops every stream (needs attention, disabled,
removed), the pages say so, no stream shows a next run, and no run is queued."""

import pytest

from practices.models import ConnectionStatus, PmsConnection
from syncjobs.models import StreamKind, SyncStream
from syncjobs.ondemand import HALTED
from tests.browser import cast

REASON = "Open Dental rejected the customer key (401)"
# Every status but active stops the dispatcher (it claims active connections only),
# so each must have words in HALTED and be refused and shown as such.
STOPPING = [s for s in ConnectionStatus if s != ConnectionStatus.ACTIVE]
# What each stopping status must name in its words (the words: ondemand.HALTED).
NAMED = {
    ConnectionStatus.NEEDS_ATTENTION: "needs attention",
    ConnectionStatus.DISABLED: "disabled",
    ConnectionStatus.REMOVED: "removed",
}


def halt(practice, status: str) -> None:
    PmsConnection.objects.filter(practice=practice).update(
        status=status, status_reason=REASON
    )


def flashed(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("status", STOPPING)
def test_the_status_page_says_why_nothing_syncs_and_shows_no_next_run(
    client, admin_a, practice_a, status
):
    cast.connect(practice_a)
    halt(practice_a, status)

    response = cast.login(client, admin_a).get(f"/practices/{practice_a.pk}/sync/")

    page = response.content.decode()
    assert 'id="halted-banner"' in page and HALTED[status] in page
    assert NAMED[status] in HALTED[status]
    assert "the data already synced is kept" in page
    rows = {r.label: r for r in response.context["page"].streams}
    for kind in (StreamKind.INCREMENTAL, StreamKind.FAST_APPOINTMENT_STATUS):
        assert (rows[kind.label].next_due_at, rows[kind.label].idle) == (
            None,
            "paused",
        )
    assert rows[StreamKind.INITIAL.label].idle == "Done"
    assert not response.context["page"].can_force
    assert 'id="force-sync" disabled' in page


@pytest.mark.parametrize("status", STOPPING)
def test_force_sync_and_sync_availability_are_refused_and_queue_nothing(
    client, admin_a, practice_a, status
):
    cast.connect(practice_a)
    halt(practice_a, status)
    cast.login(client, admin_a)

    for action in ("force", "availability"):
        url = f"/practices/{practice_a.pk}/sync/{action}/"
        assert flashed(client.post(url, follow=True)) == [HALTED[status]]
    assert not SyncStream.objects.exclude(pending_trigger="").exists()


def test_every_mirror_page_carries_the_banner(client, admin_a, practice_a):
    cast.connect(practice_a)
    halt(practice_a, ConnectionStatus.NEEDS_ATTENTION)
    cast.login(client, admin_a)
    for page in ("patients", "schedule", "dashboard"):
        html = client.get(f"/practices/{practice_a.pk}/{page}/").content.decode()
        assert HALTED[ConnectionStatus.NEEDS_ATTENTION] in html, page


def test_an_active_connection_shows_no_banner(client, admin_a, practice_a):
    cast.connect(practice_a)
    page = cast.login(client, admin_a).get(f"/practices/{practice_a.pk}/sync/")
    assert 'id="halted-banner"' not in page.content.decode()
    assert page.context["page"].can_force
