"""Staff admin lists over tables that grow with time, at production volume.

    .venv/bin/python bench/admin_lists.py [--appointments 900000] [--rows 2000000]

Fills DATABASE_URL (default PostgreSQL pbnsync_bench_admin) with synthetic rows by
INSERT ... SELECT generate_series: one practice's appointments (a large practice
has ~900,000), and sync runs and write-backs (~2,000,000 each: a day of fast syncs
at 200 practices; a few months of activity), then times each list through Django's
test client as a logged-in superuser (median of 5 after a warm-up). Each list is
timed twice in the same run: as shipped (`LongListAdmin`: one COUNT, no date
hierarchy, no facets; the outbox's per-practice table through indexes) and with
Django's stock behaviour put back on the same admin class (`date_hierarchy` on the
date, `show_full_result_count`, the outbox's whole-table per-practice counts).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pbnsync_bench_admin"
)

APPOINTMENTS = """
INSERT INTO records_appointment (practice_id, pms_id, first_seen_at, last_synced_at,
  content_hash, raw, patient_pms_id, provider_pms_id, operatory_pms_id, start_at,
  duration_minutes, status, confirmation_pms_id, note)
SELECT %(practice)s, g::text, now(), now(), '', '{}'::jsonb, (g %% 25000)::text, '1',
  '1', now() - interval '9 years' + g * interval '5 minutes', 30, 'Scheduled', '0', ''
FROM generate_series(1, %(n)s) g
"""
RUNS = """
INSERT INTO syncjobs_syncrun (kind, trigger, status, started_at, finished_at, attempts,
  pages, fetched, upserted, unchanged, deleted, failed, error, practice_id, stream_id)
SELECT s.kind, 'schedule', CASE WHEN g %% 5000 = 0 THEN 'failed' ELSE 'succeeded' END,
  now() - g * interval '40 ms', now() - g * interval '40 ms' + interval '30 ms', 1, 1,
  g %% 7, 0, 0, 0, 0, '', s.practice_id, s.id
FROM generate_series(1, %(n)s) g
JOIN syncjobs_syncstream s ON s.id = %(stream)s
"""
JOBS = """
INSERT INTO writeback_outboxjob (kind, service, idempotency_key, payload, ordering_key,
  marker, status, status_reason, patient_pms_id, pms_id, fee_pms_id, candidates,
  attempts, in_doubt, next_attempt_at, created_at, updated_at, practice_id)
SELECT 'outgoing_sms', 'messaging', 'k' || g, '{"body": "hello"}', '',
  gen_random_uuid(), CASE WHEN g %% 1000 = 0 THEN 'failed' WHEN g %% 997 = 0
  THEN 'held' ELSE 'verified' END, '', '1', g::text, '', '[]', 1, false, now(),
  now() - g * interval '3 seconds', now() - g * interval '3 seconds',
  CASE WHEN g %% 2 = 0 THEN %(practice)s ELSE %(other)s END
FROM generate_series(1, %(n)s) g
"""


def fill(appointments: int, rows: int):
    """Create two practices and the synthetic rows; return the large practice."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from practices.models import Practice
    from syncjobs.models import StreamKind, SyncStream

    big = Practice.objects.create(name="Large practice")
    other = Practice.objects.create(name="Small practice")
    stream = SyncStream.objects.create(
        practice=big, kind=StreamKind.FAST_APPOINTMENT_STATUS
    )
    values = {"practice": big.pk, "other": other.pk, "stream": stream.pk}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(APPOINTMENTS, {**values, "n": appointments})
        cursor.execute(RUNS, {**values, "n": rows})
        cursor.execute(JOBS, {**values, "n": rows})
        for table in ("records_appointment", "syncjobs_syncrun", "writeback_outboxjob"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"filled in {time.perf_counter() - started:.0f} s", flush=True)
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    return big, user


def timed(client, url: str, repeat: int = 5) -> float:
    """Return the median milliseconds of GET `url` (after one warm-up)."""
    assert client.get(url).status_code == 200, url
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, url
    return statistics.median(times) * 1000


@contextmanager
def stock(model_admin, date_field: str):
    """Put Django's defaults back on `model_admin` for the duration."""
    from django.contrib import admin

    import writeback.admin.jobs as jobs

    saved = {
        name: getattr(model_admin, name)
        for name in ("date_hierarchy", "show_full_result_count", "show_facets")
    }
    counts = jobs.practice_counts
    model_admin.date_hierarchy = date_field
    model_admin.show_full_result_count = True
    model_admin.show_facets = admin.ShowFacets.ALLOW
    jobs.practice_counts = whole_outbox_counts
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(model_admin, name, value)
        jobs.practice_counts = counts


def whole_outbox_counts() -> list[dict]:
    """The per-practice table as it was: every status counted over every job."""
    from django.db.models import Count, Q

    from writeback.models import JobStatus, OutboxJob

    statuses = {s.value: Count("pk", filter=Q(status=s)) for s in JobStatus}
    return list(
        OutboxJob.objects.values("practice_id", "practice__name")
        .annotate(total=Count("pk"), **statuses)
        .order_by("practice__name")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--appointments", type=int, default=900_000)
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    c.setup_django()
    from django.contrib import admin
    from django.db import connection
    from django.test import Client

    from records.models import Appointment
    from syncjobs.models import SyncRun
    from writeback.models import OutboxJob

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE writeback_outboxjob, auth_user CASCADE")
    big, user = fill(args.appointments, args.rows)
    client = Client()
    client.force_login(user)
    lists = [
        (Appointment, "start_at", "records/appointment", "practice__id__exact={pk}"),
        (SyncRun, "started_at", "syncjobs/syncrun", "status__exact=failed"),
        (OutboxJob, "created_at", "writeback/outboxjob", "status__exact=held"),
    ]
    print(
        f"{c.db_label()}; {args.appointments:,} appointments, {args.rows:,} runs, "
        f"{args.rows:,} write-backs"
    )
    print(f"{'list':58} {'stock ms':>9} {'ours ms':>8} {'ratio':>6}")
    for model, date_field, path, query in lists:
        base = f"/admin/{path}/"
        for url in (base, f"{base}?{query.format(pk=big.pk)}"):
            with stock(admin.site._registry[model], date_field):
                before = timed(client, url)
            after = timed(client, url)
            print(f"{url:58} {before:9.0f} {after:8.0f} {before / after:6.1f}")


if __name__ == "__main__":
    main()
