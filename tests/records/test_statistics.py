"""Mirror statistics are re-sampled after bulk loads, and only when stale."""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import connection

from pms.base import Entity
from records.models import Patient
from records.upsert import refresh_statistics, upsert_records
from tests.syncjobs.fakes import T0, patient

TABLE = Patient._meta.db_table


def changed_since_analyze() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = %s",
            [TABLE],
        )
        return cursor.fetchone()[0]


def wait_for_counters(at_least: int) -> None:
    """The server publishes a session's row counters when it goes idle (<= 1 s)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    deadline = time.monotonic() + 10
    while changed_since_analyze() < at_least:
        assert time.monotonic() < deadline, "row counters never reached the server"
        time.sleep(0.05)


def test_a_bulk_load_is_resampled_once(transactional_db, practice_a):
    upsert_records(practice_a, Entity.PATIENT, [patient(n) for n in range(1, 400)], T0)
    if connection.vendor != "postgresql":
        # SQLite plans without sampled statistics: there is nothing to refresh.
        assert refresh_statistics() == []
        return
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{TABLE}"')  # a clean start, whatever ran before
    upsert_records(
        practice_a,
        Entity.PATIENT,
        [patient(n) for n in range(400, 1400)],
        T0 + timedelta(hours=1),
    )
    wait_for_counters(1000)

    assert refresh_statistics(Entity.PATIENT) == [TABLE]
    assert changed_since_analyze() == 0
    # A few more rows against a table of 1,399 are not enough to re-sample it.
    upsert_records(
        practice_a, Entity.PATIENT, [patient(n) for n in range(1400, 1420)], T0
    )
    wait_for_counters(20)
    assert refresh_statistics(Entity.PATIENT) == []


def estimated_rows() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [TABLE])
        return cursor.fetchone()[0]


def test_a_walk_samples_only_the_keys_and_the_end_samples_everything(
    transactional_db, practice_a
):
    if connection.vendor != "postgresql":
        assert refresh_statistics(keys_only=True) == []
        return
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{TABLE}"')
    upsert_records(practice_a, Entity.PATIENT, [patient(n) for n in range(1, 900)], T0)
    wait_for_counters(899)

    assert refresh_statistics(Entity.PATIENT, keys_only=True) == [TABLE]
    assert estimated_rows() == 899  # what a page's lookup is planned on
    # The estimate is current: the next step of this walk, or another practice's
    # walk, does not sample again (the change counter alone would say stale).
    assert refresh_statistics(Entity.PATIENT, keys_only=True) == []
    upsert_records(
        practice_a, Entity.PATIENT, [patient(n) for n in range(900, 1000)], T0
    )
    wait_for_counters(999)
    assert refresh_statistics(Entity.PATIENT, keys_only=True) == []  # not doubled
    # The full sample at the end still runs, and resets the counter.
    assert refresh_statistics(Entity.PATIENT) == [TABLE]
    assert changed_since_analyze() == 0
