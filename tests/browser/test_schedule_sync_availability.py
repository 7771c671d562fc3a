"""A practice admin clicks Sync Availability in the schedule page's Configuration
and stays on the same schedule day."""

import pytest
from playwright.sync_api import Page, expect

from syncjobs.models import StreamKind, SyncStream, Trigger
from tests.browser import cast
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

DAY = "2026-06-02"


def test_it_syncs_availability_from_the_schedule_page(
    live_server, admin_a, practice_a, page: Page
):
    cast.connect(practice_a)
    path = f"/practices/{practice_a.pk}/schedule/?day={DAY}"
    log_in(page, live_server.url, "alice", path)
    button = page.locator("#configuration #sync-availability")
    expect(page.locator("#configuration h2")).to_have_text("Configuration")

    with page.expect_navigation(url=f"{live_server.url}{path}"):
        button.click()
    expect(page.locator(".messages")).to_have_text(
        "Availability sync started; it takes a few seconds."
    )
    expect(page.locator("#schedule h2")).to_have_text("Tuesday, June 2, 2026")

    with page.expect_navigation(url=f"{live_server.url}{path}"):
        button.click()
    expect(page.locator(".messages")).to_have_text(
        "An availability sync is already running."
    )
    stream = SyncStream.objects.get(practice=practice_a, kind=StreamKind.AVAILABILITY)
    assert stream.pending_trigger == Trigger.FORCE
