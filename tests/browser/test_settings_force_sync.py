"""Force Sync Now on the settings page never silently drops unsaved edits, and
leaving the page with unsaved edits asks first (saving does not)."""

import pytest
from playwright.sync_api import Dialog, Page, expect

from practices.models import SyncSettings, WriteBackSettings
from syncjobs.models import StreamKind, SyncStream, Trigger
from tests.browser import cast
from tests.browser.conftest import log_in
from tests.practices.conftest import Reference, make_reference

pytestmark = pytest.mark.browser

UNSAVED = "Save your changes first: Force Sync Now would discard them."
STARTED = "Sync started; fresh data arrives within a minute."
INTERVAL = "#id_incremental_interval_minutes"


@pytest.fixture
def ref(practice_a) -> Reference:
    """Give practice A its PMS lists and a saved provider, note type and status."""
    ref = make_reference(practice_a)
    WriteBackSettings.objects.filter(practice=practice_a).update(
        provider=ref.provider, default_note_type=ref.note_general
    )
    WriteBackSettings.objects.get(practice=practice_a).confirmed_statuses.set(
        [ref.status_confirmed]
    )
    return ref


@pytest.fixture
def settings_page(live_server, admin_a, practice_a, ref, page: Page) -> Page:
    """Open practice A's settings page, connected and past its initial sync."""
    cast.connect(practice_a)
    log_in(page, live_server.url, "alice", f"/practices/{practice_a.pk}/settings/")
    return page


@pytest.fixture
def dialogs(settings_page: Page) -> list[str]:
    """Record each dialog's type, and stay on the page."""
    seen: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        seen.append(dialog.type)
        dialog.dismiss()

    settings_page.on("dialog", dismiss)
    return seen


def saved_interval(practice) -> int:
    return SyncSettings.objects.get(practice=practice).incremental_interval_minutes


def force_triggers(practice) -> list[str]:
    incremental = SyncStream.objects.get(practice=practice, kind=StreamKind.INCREMENTAL)
    return [incremental.pending_trigger] if incremental.pending_trigger else []


def test_it_keeps_the_edits_and_says_so_instead_of_forcing_a_sync(
    settings_page: Page, practice_a
):
    page, url = settings_page, settings_page.url
    page.select_option(INTERVAL, "5")

    page.click("#force-sync-now")

    expect(page.locator("#force-sync-unsaved")).to_be_visible()
    expect(page.locator("#force-sync-unsaved")).to_have_text(UNSAVED)
    assert page.url == url
    assert page.input_value(INTERVAL) == "5"
    assert force_triggers(practice_a) == []
    assert saved_interval(practice_a) == 15

    page.select_option(INTERVAL, "15")  # undone: nothing left to lose
    expect(page.locator("#force-sync-unsaved")).to_be_hidden()


def test_it_forces_a_sync_once_the_edits_are_saved(
    settings_page: Page, dialogs, practice_a
):
    page = settings_page
    page.click(INTERVAL)  # a real gesture, so Chromium would ask if told to
    page.select_option(INTERVAL, "5")
    page.click("#save-changes")
    expect(page.locator(".messages")).to_have_text("Saved: 1 setting changed.")

    page.click("#force-sync-now")

    expect(page.locator("h1")).to_have_text("Sync status")
    expect(page.locator(".messages")).to_have_text(STARTED)
    assert dialogs == []  # saving is not leaving with unsaved edits
    assert force_triggers(practice_a) == [Trigger.FORCE]
    assert saved_interval(practice_a) == 5


def test_it_forces_a_sync_at_once_without_edits(
    settings_page: Page, dialogs, practice_a
):
    settings_page.click("#force-sync-now")

    expect(settings_page.locator("h1")).to_have_text("Sync status")
    expect(settings_page.locator(".messages")).to_have_text(STARTED)
    assert dialogs == []
    assert force_triggers(practice_a) == [Trigger.FORCE]


def test_after_a_failed_save_it_keeps_what_was_not_saved(
    settings_page: Page, ref, practice_a
):
    page = settings_page
    page.select_option("#id_provider", str(ref.inactive_provider.pk))
    page.select_option(INTERVAL, "5")
    page.click("#save-changes")
    expect(page.locator("#form-errors")).to_contain_text("Nothing was saved.")

    # No edit since the page came back, yet none of what it shows is saved.
    page.click("#force-sync-now")

    expect(page.locator("#force-sync-unsaved")).to_have_text(UNSAVED)
    assert page.input_value(INTERVAL) == "5"
    assert force_triggers(practice_a) == []


def test_it_asks_before_leaving_with_unsaved_edits(settings_page: Page, dialogs):
    page, url = settings_page, settings_page.url
    page.click(INTERVAL)  # a real gesture: Chromium asks only after one
    page.select_option(INTERVAL, "5")

    # The click returns once the dialog is answered (dismissed: stay).
    page.locator("nav.tabs a", has_text="Sync status").click()

    assert dialogs == ["beforeunload"]
    assert page.url == url
    assert page.input_value(INTERVAL) == "5"
