"""The dispatcher and a real qcluster run a practice's streams end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from .procs import setup_practice, start, state

RUNNING = ("manage.py", "run_dispatcher", "--tick", "0.2")
CLUSTER = ("manage.py", "qcluster")


def stop(process: subprocess.Popen) -> None:
    """Stop a process we started (its own group, so its children go too)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_the_dispatcher_and_qcluster_sync_a_practice(shared_db, sim_practice):
    made = setup_practice(shared_db, sim_practice)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [
        start(list(CLUSTER), shared_db, start_new_session=True, **quiet),
        start(list(RUNNING), shared_db, start_new_session=True, **quiet),
    ]
    try:
        deadline = time.monotonic() + 120
        seen: dict = {}
        while time.monotonic() < deadline:
            seen = state(shared_db, made["practice"])
            kinds = {r["kind"] for r in seen["runs"] if r["status"] == "succeeded"}
            if {"initial", "fast_appointment_status", "incremental"} <= kinds:
                break
            time.sleep(1)
        else:
            raise AssertionError(f"no full cycle in time: {seen.get('runs')}")
    finally:
        for process in processes:
            stop(process)
    assert seen["streams"]["initial"]["state"] == "done"
    with sim_practice.store.lock:
        patients = sim_practice.store.count("patient")
    assert 0 < len(seen["mirror"]["patient"]) <= patients
