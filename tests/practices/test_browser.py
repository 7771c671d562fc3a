"""A practice admin uses the settings page in a real Chromium."""

from collections.abc import Iterator

import pytest
from django.db import connections
from playwright.sync_api import Page, expect, sync_playwright

from practices.models import SyncSettings, WriteBackSettings
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = "/tmp/pbnsync-settings.png"


@pytest.fixture
def page(live_server, monkeypatch) -> Iterator[Page]:
    """Yield a Chromium page; it closes before the live server stops."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # test makes meanwhile are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(15_000)
        yield page
        browser.close()
        # While Playwright's loop runs, Django keys connections by context, not
        # thread: close the ones this test opened so none outlives the test.
        connections.close_all()


def log_in(page: Page, base_url: str, next_path: str) -> None:
    page.goto(f"{base_url}/login/?next={next_path}")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}{next_path}")


def test_a_practice_admin_changes_saves_and_sees_settings_persist(
    live_server, admin_a, practice_a, ref_a, page: Page
):
    path = f"/practices/{practice_a.pk}/settings/"
    log_in(page, live_server.url, path)
    expect(page.locator("#writeback-blocked")).to_be_visible()

    page.select_option("#id_provider", str(ref_a.provider.pk))
    page.select_option("#id_incremental_interval_minutes", "5")
    page.uncheck("#id_appointment_status_enabled")
    page.check("#id_profile_photos_enabled")
    page.check("#id_allow_outgoing_sms")
    page.select_option("#id_note_type_outgoing_sms", str(ref_a.note_phone.pk))
    page.select_option("#id_default_note_type", str(ref_a.note_general.pk))
    page.select_option("#id_account_statement_category", str(ref_a.doc_statements.pk))
    page.get_by_label("Confirmed by Text [S2]").check()
    page.select_option("#id_online_payment_type", str(ref_a.pay_online.pk))
    page.check("#id_auto_sync_payments")
    page.click("#save-changes")
    expect(page.locator(".messages")).to_contain_text("Saved: 11 settings changed.")

    page.reload()
    assert page.input_value("#id_provider") == str(ref_a.provider.pk)
    assert page.input_value("#id_incremental_interval_minutes") == "5"
    assert not page.is_checked("#id_appointment_status_enabled")
    assert page.is_checked("#id_profile_photos_enabled")
    assert page.is_checked("#id_allow_outgoing_sms")
    assert not page.is_checked("#id_allow_incoming_sms")
    assert page.input_value("#id_note_type_outgoing_sms") == str(ref_a.note_phone.pk)
    assert page.input_value("#id_default_note_type") == str(ref_a.note_general.pk)
    assert page.get_by_label("Confirmed by Text [S2]").is_checked()
    assert page.is_checked("#id_auto_sync_payments")
    expect(page.locator("#writeback-blocked")).to_have_count(0)
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.select_option("#id_provider", str(ref_a.inactive_provider.pk))
    page.select_option("#id_incremental_interval_minutes", "60")
    page.click("#save-changes")
    expect(page.locator("#provider-errors")).to_have_text(
        "Dr. Retired is inactive in your PMS; choose an active provider."
    )
    expect(page.locator("#form-errors")).to_contain_text("Nothing was saved.")
    saved = WriteBackSettings.objects.get(practice=practice_a)
    assert saved.provider == ref_a.provider
    sync = SyncSettings.objects.get(practice=practice_a)
    assert sync.incremental_interval_minutes == 5
