"""A practice admin uses the sync status page and the patient list in Chromium."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from syncjobs.models import RunStatus, StreamKind, SyncStream, Trigger
from tests.browser import cast
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

STATUS_SHOT = "/tmp/pbnsync-sync-status.png"
DASHBOARD_SHOT = "/tmp/pbnsync-dashboard.png"


def fill_practice(practice) -> None:
    """Give the practice a week of sync runs, patients and appointments."""
    cast.connect(practice)
    now = timezone.now()
    SyncStream.objects.filter(practice=practice, kind=StreamKind.NIGHTLY).update(
        last_success_at=now - timedelta(hours=6)
    )
    rng = random.Random(4)
    cast.runs(
        practice,
        StreamKind.INCREMENTAL,
        *(
            {
                "started_at": now - timedelta(minutes=15 * n + 3),
                "fetched": rng.choice([0, 0, 2, 5, 12, 40]),
                "status": RunStatus.FAILED if n % 97 == 5 else RunStatus.SUCCEEDED,
            }
            for n in range(600)
        ),
    )
    cast.confirmed_statuses(practice, S0="Unconfirmed", S1="Confirmed")
    names = [("Ada", "Molar"), ("Bram", "Canine"), ("Cleo", "Incisor")]
    cast.patients(
        practice,
        *(
            {"pms_id": f"p{i}", "first_name": f, "last_name": last, "phone": "555-0100"}
            for i, (f, last) in enumerate(names)
        ),
    )
    local = now.astimezone(practice.tzinfo).replace(hour=9, minute=0)
    cast.appointments(
        practice,
        *(
            {
                "pms_id": f"a{n}",
                "patient_pms_id": f"p{n % 3}",
                "start_at": local
                + timedelta(days=rng.randrange(14) - 6, minutes=30 * (n % 9)),
                "duration_minutes": 60,
                "confirmation_pms_id": rng.choice(["S0", "S1", "S1"]),
            }
            for n in range(70)
        ),
    )


def test_an_admin_forces_a_sync_and_finds_a_patient(
    live_server, admin_a, practice_a, page: Page
):
    fill_practice(practice_a)
    status = f"/practices/{practice_a.pk}/sync/"
    log_in(page, live_server.url, "alice", status)
    expect(page.locator("h1")).to_have_text("Sync status")
    expect(page.locator("#runs-chart rect.bar.records").first).to_be_attached()
    page.screenshot(path=STATUS_SHOT, full_page=True)

    page.click("#force-sync")
    expect(page.locator(".messages")).to_have_text(
        "Sync started; fresh data arrives within a minute."
    )
    page.click("#force-sync")
    expect(page.locator(".messages")).to_have_text(
        "A sync is already running; it will finish shortly."
    )
    stream = SyncStream.objects.get(practice=practice_a, kind=StreamKind.INCREMENTAL)
    assert stream.pending_trigger == Trigger.FORCE

    page.click("nav.tabs >> text=Patients")
    page.fill("#patient-search", "canine")
    page.press("#patient-search", "Enter")
    expect(page.locator("tr.patient-row")).to_have_count(1)
    expect(page.locator("tr.patient-row")).to_contain_text("Canine, Bram")
    page.click("text=Canine, Bram")
    expect(page.locator("h1")).to_have_text("Bram Canine")
    page.screenshot(path="/tmp/pbnsync-patient-card.png", full_page=True)

    page.click("nav.tabs >> text=Schedule")
    expect(page.locator("#schedule h2")).to_contain_text("Today, ")
    page.screenshot(path="/tmp/pbnsync-schedule.png", full_page=True)

    page.click("nav.tabs >> text=Dashboard")
    expect(page.locator("#stat-confirmation .value")).to_contain_text("%")
    page.screenshot(path=DASHBOARD_SHOT, full_page=True)


# Each tab, the heading of the page it opens, and its path under the practice.
TABS = [
    ("Sync status", "Sync status", "sync/"),
    ("Dashboard", "Dashboard", "dashboard/"),
    ("Schedule", "Schedule", "schedule/"),
    ("Patients", "Patients", "patients/"),
    ("Write-backs", "Write-backs", "write-backs/"),
    ("PMS Sync & Write-Back Settings", "PMS Sync & Write-Back Settings", "settings/"),
    ("Overview", None, ""),
]


def test_every_practice_page_is_one_click_from_any_other(
    live_server, admin_a, practice_a, page: Page
):
    fill_practice(practice_a)
    base = f"{live_server.url}/practices/{practice_a.pk}/"
    log_in(page, live_server.url, "alice", "/")
    page.click(f"text={practice_a.name}")  # the home page's practice card
    page.wait_for_url(base)
    expect(page.locator("nav.tabs a.current")).to_have_text("Overview")

    for label, heading, path in TABS:
        page.locator("nav.tabs a", has_text=label).click()
        page.wait_for_url(base + path)
        expect(page.locator("h1")).to_have_text(heading or practice_a.name)
        current = page.locator("nav.tabs a[aria-current=page]")
        expect(current).to_have_text(label)
        expect(page.locator("nav.tabs a")).to_have_count(len(TABS))


def test_on_a_phone_no_page_is_wider_than_the_screen(
    live_server, admin_a, practice_a, page: Page
):
    fill_practice(practice_a)
    page.set_viewport_size({"width": 390, "height": 844})
    base = f"/practices/{practice_a.pk}/"
    log_in(page, live_server.url, "alice", base)
    for _, _, path in TABS:
        page.goto(f"{live_server.url}{base}{path}")
        # Wide tables scroll inside their card; the page itself never does.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path or 'overview'} is {width} px wide"
