"""Two worker processes on the real database never hold one stream's lease at once."""

from __future__ import annotations

import json
import subprocess

from .procs import run, start

ROUNDS = 25


def test_two_workers_never_hold_one_stream_at_once(shared_db):
    made = json.loads(run(["-m", "tests.syncjobs.proc_main", "setup"], shared_db))
    stream_id = str(made["initial"])
    command = ["-m", "tests.syncjobs.lease_worker", stream_id, str(ROUNDS)]
    workers = [
        start(command, shared_db, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=180) for w in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-3000:]
    held = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert len(held) == 2 * ROUNDS
    assert len({h["pid"] for h in held}) == 2  # both workers really competed
    held.sort(key=lambda h: h["start"])
    for before, after in zip(held, held[1:], strict=False):
        assert before["end"] <= after["start"], "two workers held the lease at once"
    final = run(["-m", "tests.syncjobs.lease_worker", "--count", stream_id], shared_db)
    assert int(final) == 2 * ROUNDS  # no lost update: no overlap inside the DB either
