"""Initial sync of a simulated Open Dental practice, with its two ratios (issue 4).

    .venv/bin/python bench/sync_initial.py [--size large] [--years N] [--naive 5000]

The simulator runs in its own process on port 30222 (the Open Dental local API
port: 1000-row pages, no pacing; its practice in `od_mode=local`). In ONE run:

1. a bare client (requests + .json(), nothing else) pages through the same feeds
   the connector reads (providers, patients/Simple, appointments, procedurelogs,
   payments; Limit=1000) -> bare seconds;
2. our initial sync, `run_initial_sync` with the real connector and engine, into
   DATABASE_URL (default PostgreSQL pbnsync_bench, created and migrated here) ->
   sync seconds, records/s, peak RSS of this process (the simulator is elsewhere);
3. a naive per-record `update_or_create` of a sample of appointments fetched from
   the API, vs our bulk `upsert_records` of the same sample, into fresh practices.

Targets: sync / bare <= 1.3; naive per-record cost >= 20x ours.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

LOCAL_PORT = 30222


def bare_walk(sim_practice: dict, entities) -> tuple[float, int, int]:
    """Page through every feed as a bare client; return (seconds, pages, rows)."""
    from pms.opendental.feeds import FEEDS

    base = sim_practice["base_urls"]["opendental"]
    pages = rows = 0
    started = time.perf_counter()
    with requests.Session() as session:
        session.headers.update(c.od_headers(sim_practice))
        for entity in entities:
            path = FEEDS[entity].path
            offset = 0
            while True:
                response = session.get(
                    f"{base}/{path}", params={"Limit": 1000, "Offset": offset}
                )
                response.raise_for_status()
                page = response.json()
                pages += 1
                rows += len(page)
                offset += len(page)
                if len(page) < 1000:
                    break
    return time.perf_counter() - started, pages, rows


def naive_vs_bulk(sim_practice: dict, sample: int) -> dict[str, float]:
    """Write `sample` appointments per record and in bulk; return per-record ms."""
    from django.db import transaction
    from django.utils import timezone

    from pms.base import Entity
    from pms.config import connector_for_connection
    from records.models import Appointment
    from records.rows import build_row
    from records.upsert import upsert_records

    naive_practice = c.connect(sim_practice, "Naive")
    bulk_practice = c.connect(sim_practice, "Bulk")
    connector = connector_for_connection(naive_practice.connection)
    records, cursor = [], None
    while len(records) < sample:
        page = connector.fetch_changed(Entity.APPOINTMENT, cursor)
        records += page.records
        cursor = page.cursor
        if not page.has_more:
            break
    records = records[:sample]
    connector.close()

    now = timezone.now()
    started = time.perf_counter()
    for record in records:
        row = build_row(Appointment, record)
        with transaction.atomic():  # what a per-record save does on autocommit
            Appointment.objects.update_or_create(
                practice=naive_practice,
                pms_id=row.pms_id,
                defaults={
                    **row.values,
                    "pms_modified_at": row.modified_at,
                    "last_synced_at": now,
                    "content_hash": row.content_hash,
                    "raw": row.raw,
                    "deleted_at": None,
                },
                create_defaults={
                    **row.values,
                    "pms_modified_at": row.modified_at,
                    "first_seen_at": now,
                    "last_synced_at": now,
                    "content_hash": row.content_hash,
                    "raw": row.raw,
                },
            )
    naive = time.perf_counter() - started

    started = time.perf_counter()
    for start in range(0, len(records), 1000):  # one call per 1000-row page
        upsert_records(
            bulk_practice, Entity.APPOINTMENT, records[start : start + 1000], now
        )
    bulk = time.perf_counter() - started
    assert Appointment.objects.filter(practice=bulk_practice).count() == len(records)
    assert Appointment.objects.filter(practice=naive_practice).count() == len(records)
    n = len(records)
    return {"n": n, "naive_ms": naive / n * 1000, "bulk_ms": bulk / n * 1000}


def _cpu_now(sim: c.SimProcess) -> dict[str, float]:
    """CPU seconds used so far by this process, the simulator and this process's
    PostgreSQL backend (where the database is PostgreSQL on this machine)."""
    from django.db import connection

    used = {"ours": c.cpu_seconds(), "simulator": c.cpu_seconds(sim.proc.pid)}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        try:
            used["postgresql"] = c.cpu_seconds(backend)
        except OSError:  # a server on another machine
            pass
    return used


def _cpu_used(before: dict[str, float], after: dict[str, float]) -> str:
    spent = {k: after[k] - before[k] for k in after if k in before}
    each = ", ".join(f"{k} {v:.1f}" for k, v in spent.items())
    return f"CPU seconds: {each} = {sum(spent.values()):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large", choices=("small", "medium", "large"))
    parser.add_argument("--years", type=float, default=None)
    parser.add_argument("--naive", type=int, default=5000, help="sample size, 0: skip")
    parser.add_argument("--no-bare", action="store_true")
    parser.add_argument("--port", type=int, default=LOCAL_PORT)
    args = parser.parse_args()

    c.setup_django(fresh=True)
    from pms.config import connector_for_connection
    from syncjobs.initial import run_initial_sync
    from syncjobs.models import StreamKind
    from syncjobs.readers import readable_entities

    sim = c.SimProcess(port=args.port)
    try:
        started = time.perf_counter()
        sim_practice = sim.add_practice(
            args.size,
            years=args.years,
            settings={"od_mode": "local", "rate_interval_ms": 0},
        )
        counts = sim_practice["counts"]
        print(
            f"simulator: {args.size} practice generated in "
            f"{time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items() if v)
        )
        practice = c.connect(sim_practice, "Initial")
        connector = connector_for_connection(practice.connection)
        entities = readable_entities(connector)
        print(
            f"connector page size {connector.page_size}, interval "
            f"{connector.request_interval_ms} ms, database {c.db_label()}"
        )
        connector.close()

        bare = None
        if not args.no_bare:
            cpu = _cpu_now(sim)
            bare, pages, rows = bare_walk(sim_practice, entities)
            print(
                f"bare client: {pages} pages, {rows:,} rows in {bare:.1f} s "
                f"({rows / bare:,.0f} rows/s); " + _cpu_used(cpu, _cpu_now(sim))
            )

        stream = c.stream_of(practice, StreamKind.INITIAL)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        cpu = _cpu_now(sim)
        started = time.perf_counter()
        run = run_initial_sync(stream)
        synced = time.perf_counter() - started
        cpu_line = _cpu_used(cpu, _cpu_now(sim))
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        mirror = c.mirror_count(practice)
        total = sum(mirror.values())
        print(
            f"our initial sync: run {run.status}, {synced:.1f} s, mirror "
            + ", ".join(f"{k} {v:,}" for k, v in mirror.items())
            + f" = {total:,} rows, {total / synced:,.0f} records/s"
        )
        print(f"    {cpu_line}")
        print(
            f"peak RSS of the syncing process: {rss_peak:.0f} MB "
            f"(before the sync {rss_before:.0f} MB); appointments "
            f"{mirror['appointment']:,}"
        )
        if bare:
            ratio = synced / bare
            print(
                f"(a) sync / bare paging = {ratio:.2f}  target <= 1.3  "
                f"{'MET' if ratio <= 1.3 else 'MISSED'}"
            )

        if args.naive:
            figures = naive_vs_bulk(sim_practice, args.naive)
            ratio = figures["naive_ms"] / figures["bulk_ms"]
            e2e = synced / total * 1000
            print(
                f"(b) naive update_or_create {figures['naive_ms']:.3f} ms/record vs "
                f"bulk upsert_records {figures['bulk_ms']:.3f} ms/record "
                f"(sample {figures['n']:,} appointments): {ratio:.1f}x  "
                f"target >= 20x  {'MET' if ratio >= 20 else 'MISSED'}"
            )
            print(
                f"    end to end: naive write alone {figures['naive_ms']:.3f} ms vs "
                f"our whole sync {e2e:.3f} ms per record: "
                f"{figures['naive_ms'] / e2e:.1f}x"
            )
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
