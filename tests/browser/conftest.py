"""A real Chromium (Debian's, never a downloaded one) driven by Playwright."""

from collections.abc import Iterator

import pytest
from django.db import connections
from playwright.sync_api import Page, sync_playwright

from tests.conftest import PASSWORD

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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


def log_in(page: Page, base_url: str, username: str, next_path: str) -> None:
    """Sign in through the login form and land on `next_path`."""
    page.goto(f"{base_url}/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}{next_path}")
