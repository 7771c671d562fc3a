"""Incremental cycle with no changes: cost at ~10,000 vs 1,000,000 mirrored records.

    .venv/bin/python bench/sync_incremental.py [--big 1000000] [--cycles 7]

One simulated Open Dental practice (small tier, a quarter year: ~10k records), its
real initial sync over HTTP into DATABASE_URL (default PostgreSQL pbnsync_bench_incr),
then `run_incremental_sync` cycles with no change in the PMS (median wall time and
SQL queries per cycle). Then synthetic mirror rows are bulk-inserted for the same
practice (INSERT ... SELECT generate_series, copying one real row under new PMS ids)
until it holds `--big` rows, ANALYZE, and the same cycles again. Target: ratio <= 1.2.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pbnsync_bench_incr"
)


def cycles(practice, n: int) -> tuple[float, float, int]:
    """Run `n` no-change incremental cycles; return (median s, min s, queries)."""
    from django.conf import settings
    from django.db import connection, reset_queries

    from syncjobs.incremental import run_incremental_sync
    from syncjobs.models import StreamKind

    times, queries, upserted = [], 0, []
    settings.DEBUG = True
    for _ in range(n):
        stream = c.stream_of(practice, StreamKind.INCREMENTAL)
        reset_queries()
        started = time.perf_counter()
        run = run_incremental_sync(stream)
        times.append(time.perf_counter() - started)
        queries = len(connection.queries)
        assert run.status == "succeeded", (run.status, run.error)
        upserted.append(run.upserted)
    settings.DEBUG = False
    times = times[1:]  # the first cycle is a warm-up
    print(f"  rows upserted per cycle: {upserted} (the first cycle is a warm-up)")
    return statistics.median(times), min(times), queries


def inflate(practice, target: int) -> int:
    """Bulk-insert synthetic appointment/patient rows up to `target` in the mirror."""
    from django.db import connection

    from records.models import Appointment, Patient

    have = sum(c.mirror_count(practice).values())
    missing = max(0, target - have)
    plan = [(Patient, missing // 5), (Appointment, missing - missing // 5)]
    with connection.cursor() as cursor:
        for model, count in plan:
            table = model._meta.db_table
            cols = [
                f.column
                for f in model._meta.concrete_fields
                if f.column not in ("id", "pms_id")
            ]
            template = model.objects.filter(practice=practice).order_by("pk").first()
            collist = ", ".join(f'"{x}"' for x in cols)
            cursor.execute(
                f'INSERT INTO "{table}" ({collist}, "pms_id") '
                f"SELECT {collist}, 'synth-' || g FROM \"{table}\", "
                f"generate_series(1, %s) AS g WHERE id = %s",
                [count, template.pk],
            )
            cursor.execute(f'ANALYZE "{table}"')
    return sum(c.mirror_count(practice).values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--cycles", type=int, default=7)
    parser.add_argument("--years", type=float, default=0.25)
    args = parser.parse_args()

    c.setup_django(fresh=True)
    from django.conf import settings

    from syncjobs.initial import run_initial_sync
    from syncjobs.models import StreamKind

    settings.PMS_REQUEST_INTERVAL_MS = 0
    sim = c.SimProcess()
    try:
        sim_practice = sim.add_practice(
            "small", years=args.years, settings={"rate_interval_ms": 0}
        )
        practice = c.connect(sim_practice, "Incremental")
        run = run_initial_sync(c.stream_of(practice, StreamKind.INITIAL))
        small = sum(c.mirror_count(practice).values())
        print(
            f"initial sync {run.status}: {small:,} mirrored records "
            f"({c.db_label()}, 100-row remote pages, no pacing)"
        )
        med_small, min_small, q_small = cycles(practice, args.cycles)
        print(
            f"no-change incremental at {small:>9,} records: median "
            f"{med_small * 1000:7.1f} ms (min {min_small * 1000:.1f}), "
            f"{q_small} SQL queries"
        )
        started = time.perf_counter()
        big = inflate(practice, args.big)
        print(
            f"inserted synthetic rows to {big:,} "
            f"in {time.perf_counter() - started:.0f} s"
        )
        med_big, min_big, q_big = cycles(practice, args.cycles)
        print(
            f"no-change incremental at {big:>9,} records: median "
            f"{med_big * 1000:7.1f} ms (min {min_big * 1000:.1f}), "
            f"{q_big} SQL queries"
        )
        ratio = med_big / med_small
        print(
            f"ratio {big:,} / {small:,} = {ratio:.2f}  target <= 1.2  "
            f"{'MET' if ratio <= 1.2 else 'MISSED'}"
        )
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
