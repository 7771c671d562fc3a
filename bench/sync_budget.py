"""Initial sync under a request budget, and fast-sync lag while it runs (issue 4).

    .venv/bin/python bench/sync_budget.py [--size medium] [--years N] [--interval-ms 20]

The simulator (own process) paces the practice at one call per --interval-ms
(`rate_interval_ms`, `rate_mode=delay`, counting every over-limit call as a
violation), standing in for Open Dental's one call per second; the connector is told
the same interval (PMS_REQUEST_INTERVAL_MS) and the budget margin is scaled with it
(PMS_BUDGET_MARGIN_MS x interval / 1000 ms). Remote mode: 100-row pages. One
cluster node as production runs it (`manage.py qcluster` worker processes and
`manage.py run_dispatcher` over Redis; --threads: worker threads in this process
instead) runs every stream of the practice (initial, deletions, then incremental
and fast streams after the hand-off) into DATABASE_URL (default PostgreSQL
pbnsync_bench_budget), while random changes are injected at --rate per second.
Calls are counted by the simulator as they arrive, between the initial run's
start and finish.

Targets: initial time <= 1.05 x (calls x interval), 0 violations; fast-sync lag of
changes made during the backfill <= interval + 2 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pbnsync_bench_budget"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium")
    parser.add_argument("--years", type=float, default=None)
    parser.add_argument("--interval-ms", type=int, default=20)
    parser.add_argument("--rate", type=float, default=1.0, help="changes/s injected")
    c.add_cluster_args(parser)
    args = parser.parse_args()

    c.setup_django(fresh=True)
    from django.conf import settings

    from syncjobs.models import StreamKind, SyncRun

    margin_ms = settings.PMS_BUDGET_MARGIN_MS * args.interval_ms / 1000
    settings.PMS_REQUEST_INTERVAL_MS = args.interval_ms
    settings.PMS_BUDGET_MARGIN_MS = margin_ms
    sim = c.SimProcess()
    cluster = None
    try:
        sp = sim.add_practice(
            args.size,
            years=args.years,
            settings={"rate_interval_ms": args.interval_ms, "rate_mode": "delay"},
        )
        print(
            f"simulator: {args.size} practice: "
            + ", ".join(f"{k} {v:,}" for k, v in sp["counts"].items() if v)
            + f"; pacing 1 call / {args.interval_ms} ms, remote mode (100-row pages)"
        )
        practice = c.connect(sp, "Budget")
        sim.admin("DELETE", sp["id"], "violations")
        cluster, shape = c.start_cluster(
            args,
            env={
                "PMS_REQUEST_INTERVAL_MS": str(args.interval_ms),
                "PMS_BUDGET_MARGIN_MS": str(margin_ms),
            },
        )
        print(f"cluster: {shape}; budget margin {margin_ms:g} ms")
        injector = c.Injector(sim, {sp["id"]: practice}, args.rate).start()
        initial = c.stream_of(practice, StreamKind.INITIAL)
        while True:
            initial.refresh_from_db()
            if initial.state == "done":
                break
            time.sleep(0.5)
        injector.halt()
        run = SyncRun.objects.filter(stream=initial).latest("started_at")
        elapsed = (run.finished_at - run.started_at).total_seconds()
        # every call the practice got while its initial ran, whichever stream made
        # it, counted by the simulator as they arrived
        window = {
            "since": run.started_at.timestamp(),
            "until": run.finished_at.timestamp(),
        }
        calls = sim.admin("GET", sp["id"], "violations", params=window)["calls"]
        late = sim.admin("GET", sp["id"], "lateness", params=window)
        time.sleep(30 + 5)  # let the fast streams pick up what changed meanwhile
        cluster.stop()
        cluster = None
        violations = sim.admin("GET", sp["id"], "violations")
        ideal = calls * args.interval_ms / 1000
        ratio = elapsed / ideal
        mirror = c.mirror_count(practice)
        print(
            f"initial sync {run.status}: {elapsed:.1f} s, {run.pages} pages, "
            f"{sum(mirror.values()):,} mirror rows; "
            f"{calls} calls to the PMS while the initial ran (all streams)"
        )
        print(
            f"budget: initial time / (calls x interval) = {elapsed:.1f} / {ideal:.1f}"
            f" = {ratio:.3f}  target <= 1.05  {'MET' if ratio <= 1.05 else 'MISSED'}"
        )
        print(
            f"    beyond one interval a call: {elapsed - ideal:.2f} s = before the "
            f"first call {late['before_first']:.2f} s + after the last "
            f"{late['after_last']:.2f} s - one interval + calls arriving late: "
            + ", ".join(
                f"{bucket} {v['calls']} calls {v['seconds']:+.2f} s"
                for bucket, v in late["late"].items()
            )
        )
        print(
            f"over-limit calls (simulator violations): {violations.get('total')}  "
            f"target 0  {'MET' if violations.get('total') == 0 else 'MISSED'}"
        )
        lags = injector.lags()
        for kind, fast in (("appointment", 15), ("patient", 30)):
            limit = fast + 2
            values, missing = lags[kind]
            met = values and c.percentile(values, 99) <= limit and not missing
            print(
                f"lag of changes made during the backfill, {kind}: n={len(values)} "
                f"not landed={missing} p50 {c.percentile(values, 50):.1f} s "
                f"p99 {c.percentile(values, 99):.1f} s "
                f"max {max(values, default=0):.1f} s;"
                f" target <= {limit} s (fast interval {fast} s + 2 s) "
                f"{'MET' if met else 'MISSED'}"
            )
    finally:
        if cluster:
            cluster.stop()
        sim.stop()


if __name__ == "__main__":
    main()
