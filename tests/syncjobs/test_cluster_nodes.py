"""Two cluster nodes (each a qcluster and a dispatcher) share one practice's streams:
both do work, and no stream ever has two attempts running at once.

On PostgreSQL the nodes use the Redis broker, as production does past one machine;
on SQLite they share the ORM broker in one database file.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from datetime import datetime
from pathlib import Path

from django.db import connection

from .procs import setup_practice, start, state
from .test_cluster import CLUSTER, RUNNING, stop

WANTED = {"initial", "fast_appointment_status", "fast_new_patients", "incremental"}


def node_env(shared_db: dict[str, str]) -> dict[str, str]:
    env = {**shared_db, "Q_CLUSTER_NAME": f"pbnsync-test-{uuid.uuid4().hex[:8]}"}
    if connection.vendor == "postgresql":
        env["REDIS_URL"] = "redis://127.0.0.1:6379/12"
    return env


def process_groups() -> dict[str, int]:
    """Return the process group of every live process, by pid (as a string)."""
    groups = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        groups[stat.parent.name] = int(fields[2])
    return groups


def overlapping(spans: list[list]) -> list[tuple]:
    """Return pairs of attempts of one stream whose running times overlap."""
    ordered = sorted(
        (datetime.fromisoformat(s), datetime.fromisoformat(f), w)
        for w, s, f in spans
        if f is not None
    )
    return [(a, b) for a, b in zip(ordered, ordered[1:], strict=False) if b[0] < a[1]]


def test_two_nodes_share_the_work_and_never_run_one_stream_twice_at_once(
    shared_db, sim_practice
):
    made = setup_practice(shared_db, sim_practice)
    env = node_env(shared_db)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    nodes = [
        start(list(command), env, start_new_session=True, **quiet)
        for _ in range(2)
        for command in (CLUSTER, RUNNING)
    ]
    by_node = {0: {nodes[0].pid, nodes[1].pid}, 1: {nodes[2].pid, nodes[3].pid}}
    node_groups = set(by_node[0] | by_node[1])
    try:
        deadline = time.monotonic() + 150
        seen: dict = {}
        while time.monotonic() < deadline:
            seen = state(env, made["practice"])
            done = [r for r in seen["runs"] if r["status"] == "succeeded"]
            # Each node started in a session of its own: a worker's process group
            # says which node it belongs to.
            groups = process_groups()
            pids = {w.split(":")[2] for r in done for w, *_ in r["spans"]}
            working = {groups.get(pid) for pid in pids} & node_groups
            if WANTED <= {r["kind"] for r in done} and len(working) >= 2:
                break
            time.sleep(1)
        else:
            raise AssertionError(f"no shared cycle in time: {seen.get('runs')}")
    finally:
        for process in nodes:
            stop(process)

    by_kind: dict[str, list] = {}
    for r in seen["runs"]:
        by_kind.setdefault(r["kind"], []).extend(r["spans"])
    for kind, spans in by_kind.items():
        assert overlapping(spans) == [], f"{kind} ran twice at once"
    nodes_that_worked = {n for n, g in by_node.items() if g & working}
    assert nodes_that_worked == {0, 1}
    assert seen["streams"]["initial"]["state"] == "done"
