"""The request budget holds across separate worker processes (as on several nodes)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from pms.base import Lane
from pms.models import BudgetState, BudgetWaiter

from .pacing import assert_paced

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("budget_worker.py")


@pytest.fixture(params=["database", "redis"])
def shared_store(request, transactional_db, tmp_path, budget_key):
    """Return (store spec, environment) that separate processes can share."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pbnsync.settings"}
    env.pop("REDIS_URL", None)
    if request.param == "redis":
        yield request.getfixturevalue("redis_url"), env
        return
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database lives in this process's memory; share a file.
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'budget.sqlite3'}"
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "pms", "--noinput"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    else:
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        env["DATABASE_URL"] = (
            f"postgres://{settings['USER']}{password}@{settings['HOST']}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
    yield "db", env
    BudgetState.objects.filter(key=budget_key).delete()
    BudgetWaiter.objects.filter(key=budget_key).delete()


def start_worker(spec, env, key, lane, count, interval, start_at, hold=0.01):
    return subprocess.Popen(
        [
            sys.executable,
            str(WORKER),
            key,
            str(int(lane)),
            str(count),
            str(interval),
            str(hold),
            str(start_at),
            spec,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def collect(workers):
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_processes_sharing_a_connection_never_exceed_its_rate(shared_store, budget_key):
    spec, env = shared_store
    interval = 0.15
    start_at = time.time() + 4  # let every interpreter start first
    lanes = [Lane.INITIAL, Lane.INCREMENTAL, Lane.FAST, Lane.INITIAL]
    workers = [
        start_worker(spec, env, budget_key, lane, 4, interval, start_at)
        for lane in lanes
    ]

    calls = sorted(c for r in collect(workers) for c in r["calls"])

    assert len(calls) == 16
    for (_, ended), (next_began, _) in zip(calls, calls[1:], strict=False):
        assert next_began >= ended  # never two calls in flight
    assert_paced([began for began, _ in calls], interval)


def test_a_fast_process_overtakes_queued_backfill_processes(shared_store, budget_key):
    spec, env = shared_store
    interval = 0.3
    start_at = time.time() + 4
    backfill = [
        start_worker(spec, env, budget_key, Lane.INITIAL, 3, interval, start_at)
        for _ in range(3)
    ]
    fast = start_worker(spec, env, budget_key, Lane.FAST, 1, interval, start_at + 1.0)

    results = collect([*backfill, fast])

    fast_began = results[-1]["calls"][0][0]
    backfill_calls = sorted(c[0] for r in results[:-1] for c in r["calls"])
    served_before = [t for t in backfill_calls if t < fast_began]
    # FAST arrived after ~1 s, i.e. after about 4 of the 9 backfill calls; it
    # must be served next (one slot may already have been in hand), with the
    # rest of the queued backfill still behind it.
    assert len(served_before) <= 5
    assert len(backfill_calls) - len(served_before) >= 4
    assert fast_began - (start_at + 1.0) < interval * 2 + 0.2
