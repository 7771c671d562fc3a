"""A page's commit does not wait for the disk; nothing else is relaxed."""

from __future__ import annotations

from django.db import connection

from records.models import Patient
from syncjobs import pages
from syncjobs.initial import run_initial_sync

from .fakes import patient


def commit_setting() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def test_pages_commit_without_waiting_for_the_disk_and_only_pages(
    transactional_db, initial_a, fake, monkeypatch
):
    fake.add(*[patient(n) for n in range(1, 8)])
    seen = []
    upsert = pages.upsert_records

    def watching(*args, **kwargs):
        seen.append(commit_setting())
        return upsert(*args, **kwargs)

    monkeypatch.setattr(pages, "upsert_records", watching)
    run_initial_sync(initial_a, connector=fake)

    assert Patient.objects.of(initial_a.practice).count() == 7
    assert len(seen) >= 3  # one per page
    if connection.vendor == "postgresql":
        # Each page's own transaction (SET LOCAL), and the session's default after.
        assert set(seen) == {"off"}
        assert commit_setting() == "on"
    else:
        assert set(seen) == {None}  # SQLite: no such setting
