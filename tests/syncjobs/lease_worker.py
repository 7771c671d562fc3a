"""A separate worker process for the lease tests: claim, hold, count, release.

`python -m tests.syncjobs.lease_worker STREAM_ID ROUNDS` prints one JSON line per
held lease (start and end, ns); `--count STREAM_ID` prints the counter the holders
kept in the stream's cursors.
"""

from __future__ import annotations

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.syncjobs.proc_settings")
django.setup()

from syncjobs.lease import Lease  # noqa: E402
from syncjobs.models import SyncStream  # noqa: E402

HOLD_SECONDS = 0.02


def work(stream_id: int, rounds: int, deadline_s: float = 60.0) -> None:
    stream = SyncStream.objects.get(pk=stream_id)
    held = 0
    give_up = time.monotonic() + deadline_s
    while held < rounds and time.monotonic() < give_up:
        lease = Lease.claim(stream)
        if lease is None:
            time.sleep(0.001)
            continue
        start = time.monotonic_ns()
        # A read-modify-write that loses updates if two holders ever overlap.
        count = SyncStream.objects.get(pk=stream_id).cursors.get("count", 0)
        time.sleep(HOLD_SECONDS)
        lease.checkpoint(cursors={"count": count + 1})
        end = time.monotonic_ns()
        lease.release()
        held += 1
        print(json.dumps({"pid": os.getpid(), "start": start, "end": end}), flush=True)
        time.sleep(0.001)


if __name__ == "__main__":
    if sys.argv[1] == "--count":
        print(SyncStream.objects.get(pk=int(sys.argv[2])).cursors["count"])
    else:
        work(int(sys.argv[1]), int(sys.argv[2]))
