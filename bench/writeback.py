"""Write-back benchmark: activities/s and intake→verified latency vs the simulator.

    .venv/bin/python bench/writeback.py [--rate 50] [--seconds 20] [--workers 4]

Three processes, as in production: the simulator (its own process, driven over
HTTP), a producer that calls the real intake (`submit_activity`) at --rate per
second, and this process running the real write-back dispatcher tick and --workers
worker threads (`writeback.tasks.deliver`, standing in for qcluster workers) that
write every activity into the simulated Open Dental and read it back. The database
is DATABASE_URL (default PostgreSQL pbnsync_bench_wb, created and migrated here).
Latency is the job's `verified_at - created_at`, both stamped in the database.
Target (issue 5): p99 ≤ 2 s at 50 activities/s.

    .venv/bin/python bench/writeback.py --flood 2000 [--rate 5]

One practice's backlog beside another's live traffic: --flood activities of one
practice are submitted at once, then a second practice submits at --rate for
--seconds. Run twice in the same process: with the dispatcher's queue limits as
shipped (writeback.dispatch.QUEUED_MAX, QUEUED_PER_PRACTICE) and with them lifted
(every due job enqueued at once, as before the limits); prints the second
practice's latency and when the flood had drained.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pbnsync_bench_wb"
)
import _common as c  # noqa: E402

KINDS = ("outgoing_sms", "incoming_call", "patient_note", "outgoing_email")


def submit_one(practice, patient_ids: list[str], n: int, service: str) -> None:
    """Submit activity `n` of `service` through the real intake."""
    from django.utils import timezone

    from writeback.intake import submit_activity

    submit_activity(
        practice=practice,
        kind=KINDS[n % len(KINDS)],
        payload={
            "patient_pms_id": patient_ids[n % len(patient_ids)],
            "text": f"{service} activity {n}",
            "occurred_at": timezone.now().isoformat(),
        },
        service=service,
        idempotency_key=f"{service}-{n}",
    )


def produce(practice_id: int, patient_ids: list[str], rate: float, total: int) -> None:
    """Submit `total` activities at `rate` per second (the producer process)."""
    from django.db import connections

    from practices.models import Practice

    connections.close_all()  # never share the parent's sockets after fork
    practice = Practice.objects.get(pk=practice_id)
    started = time.monotonic()
    for n in range(total):
        delay = started + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        submit_one(practice, patient_ids, n, "bench")
    print(
        f"submitted     {total} in {time.monotonic() - started:.1f} s "
        f"({total / (time.monotonic() - started):.1f}/s)",
        flush=True,
    )


class Delivery:
    """The write-back dispatcher tick and worker threads of one cluster node."""

    def __init__(self, workers: int) -> None:
        self.work: queue.Queue[int | None] = queue.Queue()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._worker) for _ in range(workers)
        ] + [threading.Thread(target=self._dispatch)]

    def _worker(self) -> None:
        from django.db import close_old_connections

        from writeback.tasks import deliver

        while (job_id := self.work.get()) is not None:
            deliver(job_id)
        close_old_connections()

    def _dispatch(self) -> None:
        from django.db import close_old_connections
        from django.utils import timezone

        from writeback.dispatch import tick

        while not self.stop.is_set():
            if not tick(timezone.now(), self.work.put):
                time.sleep(0.05)
        close_old_connections()

    def start(self) -> Delivery:
        for thread in self.threads:
            thread.start()
        return self

    def halt(self) -> None:
        self.stop.set()
        for _ in self.threads[:-1]:
            self.work.put(None)
        for thread in self.threads:
            thread.join()


def wire_practice(sim: c.SimProcess, name: str = "Bench Dental"):
    """A practice on a fresh simulated practice, every write-back kind mapped on."""
    from practices.defaults import ensure_settings
    from practices.models import Practice
    from tests.writeback.sim import wire

    sim_practice = sim.add_practice(
        "small", years=0.25, settings={"rate_interval_ms": 0, "od_mode": "local"}
    )
    target = SimpleNamespace(
        credentials=sim_practice["credentials"],
        od_url=sim_practice["base_urls"]["opendental"],
    )
    practice = Practice.objects.create(name=name)
    ensure_settings(practice)
    return practice, wire(practice, target)


def wait_until_settled(seconds: float) -> float:
    """Wait until no job is still on its way; return when that happened."""
    from writeback.models import JobStatus, OutboxJob

    deadline = time.monotonic() + seconds
    settled = (JobStatus.VERIFIED, JobStatus.FAILED, JobStatus.WRITTEN)
    while time.monotonic() < deadline:
        if not OutboxJob.objects.exclude(status__in=settled).exists():
            break
        time.sleep(0.1)
    return time.monotonic()


def run_traffic(args, practice, wired, settle: float) -> tuple[int, float]:
    """Submit --rate activities a second for --seconds from a producer process
    while this one delivers; return how many, and how long until every job of
    every practice settled."""
    from django.db import connections

    total = int(args.rate * args.seconds)
    connections.close_all()
    producer = multiprocessing.get_context("fork").Process(
        target=produce, args=(practice.pk, wired.patient_ids, args.rate, total)
    )
    delivery = Delivery(args.workers).start()
    started = time.monotonic()
    try:
        producer.start()
        producer.join()
        return total, wait_until_settled(settle) - started
    finally:
        delivery.halt()


def flood_round(args, flooded, wired_a, steady, wired_b, lifted: bool) -> None:
    """Submit the flood, then the steady practice's traffic; print the figures."""
    from writeback import dispatch
    from writeback.models import JobStatus, OutboxJob

    limits = (dispatch.QUEUED_MAX, dispatch.QUEUED_PER_PRACTICE)
    if lifted:
        dispatch.QUEUED_MAX = dispatch.QUEUED_PER_PRACTICE = 10**9
    OutboxJob.objects.all().delete()
    for n in range(args.flood):
        submit_one(flooded, wired_a.patient_ids, n, "backlog")
    try:
        total, took = run_traffic(args, steady, wired_b, settle=300)
    finally:
        dispatch.QUEUED_MAX, dispatch.QUEUED_PER_PRACTICE = limits
    done = OutboxJob.objects.filter(status=JobStatus.VERIFIED)
    latencies = [
        (j.verified_at - j.created_at).total_seconds()
        for j in done.filter(practice=steady)
    ]
    drained = max(j.verified_at for j in done.filter(practice=flooded))
    first = OutboxJob.objects.filter(practice=steady).earliest("created_at")
    label = "limits lifted" if lifted else "as shipped"
    print(
        f"{label:14} steady practice: {len(latencies)} of {total} verified, p50 "
        f"{c.percentile(latencies, 50):.3f} s, p99 {c.percentile(latencies, 99):.3f} "
        f"s; backlog of {args.flood} drained "
        f"{(drained - first.created_at).total_seconds():.1f} s after the steady "
        f"practice's first activity ({took:.1f} s in all)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="activities/s")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--flood", type=int, default=0, help="one practice's backlog (see above)"
    )
    args = parser.parse_args()

    c.setup_django(fresh=True)
    if args.flood:
        return main_flood(args)
    from django.conf import settings

    from writeback.models import JobStatus, OutboxJob

    OutboxJob.objects.all().delete()
    settings.PMS_REQUEST_INTERVAL_MS = 0
    sim = c.SimProcess()
    try:
        practice, wired = wire_practice(sim)
        total, finished = run_traffic(args, practice, wired, settle=60)
    finally:
        sim.stop()

    jobs = OutboxJob.objects.filter(practice=practice)
    verified = jobs.filter(status=JobStatus.VERIFIED)
    latencies = [(j.verified_at - j.created_at).total_seconds() for j in verified]
    others = jobs.exclude(status=JobStatus.VERIFIED).count()
    print(f"database      {c.db_label()}, {args.workers} worker threads")
    print(
        f"verified      {len(latencies)} of {total} ({others} not verified), "
        f"all settled {finished:.1f} s after the first submission"
    )
    if latencies:
        p99 = c.percentile(latencies, 99)
        print(f"throughput    {len(latencies) / finished:.1f} verified/s")
        print(
            f"latency       p50 {c.percentile(latencies, 50):.3f} s, "
            f"p99 {p99:.3f} s, max {max(latencies):.3f} s  target p99 <= 2 s "
            f"{'MET' if p99 <= 2 and not others else 'MISSED'}"
        )


def main_flood(args) -> None:
    from django.conf import settings

    settings.PMS_REQUEST_INTERVAL_MS = 0
    sim = c.SimProcess()
    try:
        flooded, wired_a = wire_practice(sim, "Backlogged Dental")
        steady, wired_b = wire_practice(sim, "Steady Dental")
        print(f"database      {c.db_label()}, {args.workers} worker threads")
        for lifted in (True, False):
            flood_round(args, flooded, wired_a, steady, wired_b, lifted)
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
