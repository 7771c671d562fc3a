"""Write-back benchmark: activities/s and intake→verified latency vs the simulator.

    .venv/bin/python bench/writeback.py --rate 50 --seconds 20 --workers 4

Runs the real intake, dispatcher tick and push_job (workers are threads standing in
for qcluster workers) against an in-process simulator over loopback HTTP. The
database is DATABASE_URL, else a fresh SQLite file under var/. Target (issue 5):
p99 ≤ 2 s at 50 activities/s.
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbnsync.settings")
BENCH_DB = ROOT / "var" / "bench-writeback.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH_DB}")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * len(ordered))) - 1)]


def main() -> None:
    """Run the benchmark and print throughput and latency."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="activities/s")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    if "sqlite" in os.environ["DATABASE_URL"] and BENCH_DB.exists():
        BENCH_DB.unlink()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import close_old_connections
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    settings.PMS_REQUEST_INTERVAL_MS = 0

    from pms.simulator.registry import Simulator
    from pms.simulator.server import start_server
    from practices.defaults import ensure_settings
    from practices.models import Practice
    from practices.models import WriteBackKind as K
    from tests.fixtures.simulator import FAST, SimPractice
    from tests.writeback.sim import wire
    from writeback.dispatch import tick
    from writeback.intake import submit_activity
    from writeback.models import JobStatus, OutboxJob
    from writeback.tasks import deliver

    handle = start_server(Simulator(seed=7), "127.0.0.1", 0)
    sim_practice = handle.app.sim.add_practice("small", years=0.25, settings=FAST)
    sim = SimPractice(sim_practice, handle.url, handle.app.base_urls(handle.url))
    practice = Practice.objects.create(name="Bench Dental")
    ensure_settings(practice)
    wired = wire(practice, sim)

    work: queue.Queue[int | None] = queue.Queue()
    stop = threading.Event()

    def worker() -> None:
        while (job_id := work.get()) is not None:
            deliver(job_id)
        close_old_connections()

    def dispatcher() -> None:
        while not stop.is_set():
            if not tick(timezone.now(), work.put):
                time.sleep(0.05)
        close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    threads.append(threading.Thread(target=dispatcher))
    for thread in threads:
        thread.start()

    kinds = [K.OUTGOING_SMS, K.INCOMING_CALL, K.PATIENT_NOTE, K.OUTGOING_EMAIL]
    total = int(args.rate * args.seconds)
    started = time.monotonic()
    for n in range(total):
        delay = started + n / args.rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        submit_activity(
            practice=practice,
            kind=kinds[n % len(kinds)],
            payload={
                "patient_pms_id": wired.patient_ids[n % len(wired.patient_ids)],
                "text": f"bench activity {n}",
                "occurred_at": timezone.now().isoformat(),
            },
            service="bench",
            idempotency_key=f"bench-{n}",
        )
    submitted = time.monotonic() - started
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        open_ = OutboxJob.objects.exclude(
            status__in=[JobStatus.VERIFIED, JobStatus.FAILED, JobStatus.WRITTEN]
        ).count()
        if not open_:
            break
        time.sleep(0.1)
    finished = time.monotonic() - started
    stop.set()
    for _ in range(args.workers):
        work.put(None)
    for thread in threads:
        thread.join()
    handle.stop()

    jobs = OutboxJob.objects.filter(status=JobStatus.VERIFIED)
    latencies = [(j.verified_at - j.created_at).total_seconds() for j in jobs]
    print(f"database      {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[1]}")
    print(f"submitted     {total} in {submitted:.1f} s ({total / submitted:.1f}/s)")
    print(f"verified      {len(latencies)} of {total}, all done in {finished:.1f} s")
    if latencies:
        print(f"throughput    {len(latencies) / finished:.1f} verified/s")
        print(f"latency p50   {statistics.median(latencies):.3f} s")
        print(f"latency p99   {percentile(latencies, 99):.3f} s  (target ≤ 2 s)")


if __name__ == "__main__":
    main()
