"""The initial sync asks the connector for an estimated total before it walks, once,
resumably, and the status page shows it ("about N") with an ETA."""

from __future__ import annotations

import math
import re
import time
from urllib.parse import parse_qs

from django.test import override_settings

from pms.simulator import records as r
from syncjobs.initial import ESTIMATE, run_initial_sync
from syncjobs.models import RunStatus, StreamKind, StreamState, SyncStream
from tests.browser import cast

from .e2e import connect_open_dental
from .fakes import appointment, patient

FEEDS = {  # Open Dental feed path -> simulator kind
    "/providers": r.PROVIDER,
    "/patients/Simple": r.PATIENT,
    "/appointments": r.APPOINTMENT,
    "/procedurelogs": r.PROCEDURE,
    "/payments": r.PAYMENT,
}


def number(text: str) -> int:
    return int(text.replace(",", ""))


def test_the_status_page_shows_about_the_open_dental_total_while_it_syncs(
    client, admin_a, practice_a, sim_practice
):
    connect_open_dental(practice_a, sim_practice)
    initial = SyncStream.objects.select_related("practice").get(
        practice=practice_a, kind=StreamKind.INITIAL
    )
    store = sim_practice.store
    true_counts = {path: store.count(kind) for path, kind in FEEDS.items()}
    cast.login(client, admin_a)
    seen: dict[str, object] = {}

    def look(stream, fetched):
        if not seen:  # after the first page of the walk
            seen["page"] = client.get(f"/practices/{practice_a.pk}/sync/")
            seen["requests"] = sim_practice.requests()

    with override_settings(PMS_REQUEST_INTERVAL_MS=0):
        run = run_initial_sync(initial, progress=look)

    assert run.status == RunStatus.SUCCEEDED
    page = seen["page"].content.decode()
    done, about = re.search(r"([\d,]+) records of about ([\d,]+) \(", page).groups()
    assert abs(number(about) - sum(true_counts.values())) <= 3
    assert number(done) > 0 and 'aria-valuenow="' in page
    assert re.search("About [^<]+ left", page)
    # The probes: one row each, and a logarithmic number of them per feed.
    for path, true_count in true_counts.items():
        probes = [
            q
            for q in seen["requests"]
            if q["path"] == path and parse_qs(q["query"]).get("Limit") == ["1"]
        ]
        assert 0 < len(probes) <= 2 * math.ceil(math.log2(true_count)) + 1, path
    initial.refresh_from_db()
    assert initial.state == StreamState.DONE
    assert initial.progress_total == initial.progress_done == sum(true_counts.values())


def test_each_count_is_asked_once_even_when_slices_run_out(initial_a, fake):
    fake.add(*[patient(n) for n in range(1, 8)], appointment(1))
    asked: list[str] = []

    def slow_count(entity):
        asked.append(str(entity))
        time.sleep(0.3)  # longer than a slice
        return 7 if entity == "patient" else 1

    fake.total_estimate = slow_count
    statuses = []
    for _ in range(10):
        run = run_initial_sync(initial_a, connector=fake, slice_seconds=0.25)
        statuses.append(run.status)
        initial_a.refresh_from_db()
        if initial_a.state == StreamState.DONE:
            break
        if len(asked) == 1:
            # the slice ran out after one count, which is kept for the next one
            assert initial_a.cursors == {ESTIMATE: {"patient": 7}}
    assert asked == ["patient", "appointment"]
    assert statuses[-1] == RunStatus.SUCCEEDED and len(statuses) > 1
    assert initial_a.progress_total == initial_a.progress_done == 8
    incremental = SyncStream.objects.get(
        practice=initial_a.practice, kind=StreamKind.INCREMENTAL
    )
    assert set(incremental.cursors) == {"patient", "appointment"}  # no estimate key


def test_an_unknown_count_leaves_the_total_unknown_and_is_not_asked_again(
    initial_a, fake
):
    fake.add(*[patient(n) for n in range(1, 8)])
    asked: list[str] = []

    def partial(entity):
        asked.append(str(entity))
        return 7 if entity == "patient" else None

    fake.total_estimate = partial
    run = run_initial_sync(initial_a, connector=fake)
    initial_a.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert asked == ["patient", "appointment"]
    assert initial_a.progress_total is None and initial_a.progress_done == 7
    assert ESTIMATE not in initial_a.cursors
