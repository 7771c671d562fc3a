"""A practice admin ticks every patient on a page of a search and applies Sync
Patient from Bulk Actions, and stays on that search."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser import cast
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_it_syncs_every_patient_on_the_page_and_keeps_the_search(
    live_server, admin_a, practice_a, page: Page
):
    cast.connect(practice_a)
    cast.patients(
        practice_a,
        *(
            {"pms_id": str(n), "first_name": f"Ada{n}", "last_name": "Molar"}
            for n in range(3)
        ),
        {"pms_id": "9", "first_name": "Bram", "last_name": "Canine"},
    )
    path = f"/practices/{practice_a.pk}/patients/?q=molar"
    log_in(page, live_server.url, "alice", path)

    page.check("#select-page")
    expect(page.locator('input[name="patient"]:checked')).to_have_count(3)
    page.select_option("#bulk-action", "sync")
    with page.expect_navigation():
        page.click("#bulk-sync")

    expect(page.locator(".messages")).to_have_text("Syncing 3 patients from the PMS.")
    assert page.url == f"{live_server.url}{path}&page=1"
    expect(page.locator("#patient-search")).to_have_value("molar")
