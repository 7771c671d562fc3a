"""While the initial sync runs, the status page shows its progress and an ETA."""

import re

from syncjobs.initial import run_initial_sync
from syncjobs.models import StreamKind
from tests.browser import cast

from .fakes import patient


def status(client, practice):
    return client.get(f"/practices/{practice.pk}/sync/")


def test_it_shows_records_done_of_the_estimate_and_time_left(
    client, admin_a, practice_a
):
    cast.connect(practice_a, loaded=False)
    cast.start_initial_sync(practice_a, done=12_500, total=50_000)
    response = status(cast.login(client, admin_a), practice_a)
    progress = response.context["page"].freshness.progress
    assert (progress.done, progress.total, progress.percent) == (12_500, 50_000, 25)
    page = response.content.decode()
    assert 'aria-valuenow="25"' in page and "width: 25%" in page
    assert "12,500 records of about 50,000 (25%)" in page
    # 25 % took 20 minutes, so about an hour is left (timeuntil: nbsp).
    assert re.search("About (1\xa0hour|59\xa0minutes) left", page)
    assert "Data is still loading; some reports may be incomplete." in page


def test_it_shows_an_indeterminate_bar_before_the_estimate(client, admin_a, practice_a):
    cast.connect(practice_a, loaded=False)
    cast.start_initial_sync(practice_a, done=300, total=None)
    page = status(cast.login(client, admin_a), practice_a).content.decode()
    assert "progress indeterminate" in page
    assert "300 records." in page and "Estimating time left" in page


def test_it_drops_the_progress_bar_and_banner_once_loaded(client, admin_a, practice_a):
    cast.connect(practice_a, loaded=False)
    cast.start_initial_sync(practice_a, done=10, total=20)
    cast.finish_initial_sync(practice_a)
    page = status(cast.login(client, admin_a), practice_a).content.decode()
    assert 'id="initial-progress"' not in page
    assert "Data is still loading" not in page
    assert (
        'id="force-sync"' in page
        and "disabled" not in page.split('id="force-sync"')[1][:40]
    )


def test_it_shows_the_connectors_estimate_while_the_initial_sync_runs(
    client, admin_a, practice_a, fake
):
    initial = cast.connect(practice_a, loaded=False)[StreamKind.INITIAL]
    fake.add(*[patient(n) for n in range(1, 10)])
    fake.total_estimate = lambda entity: 9 if entity == "patient" else 3
    cast.login(client, admin_a)
    pages: list[str] = []

    def look(stream, fetched):
        if not pages:  # after the first page of three patients
            pages.append(status(client, practice_a).content.decode())

    run_initial_sync(initial, connector=fake, progress=look)

    page = pages[0]
    assert 'aria-valuenow="25"' in page
    assert "3 records of about 12 (25%)" in page
    assert re.search("About [^<]+ left", page)
