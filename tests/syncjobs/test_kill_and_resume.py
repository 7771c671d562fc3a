"""A `sync_practice` process SIGKILLed mid-initial-sync resumes where it stopped."""

from __future__ import annotations

import re
import signal
import subprocess
import threading
import time
from datetime import UTC

from .e2e import MIRROR, expected_live
from .procs import run, setup_practice, start, state

PAGE = 100  # the Open Dental remote page size


def read_progress(process: subprocess.Popen, seen: list[int]) -> None:
    """Collect the records-read figures the progress bar prints ("N records read",
    or "N/TOTAL (P%)" once the connector has estimated the total)."""
    buffer = ""
    while chunk := process.stderr.read(64):
        buffer += chunk
        for number in re.findall(r"([\d,]+)(?: records read|/[\d,]+ \()", buffer):
            seen.append(int(number.replace(",", "")))
        buffer = buffer[-64:]


def expected_mirror(sim) -> dict[str, dict[str, str]]:
    tz = sim.store.clock.tz
    with sim.store.lock:
        return {
            kind: {
                str(x.id): x.modified_at.replace(tzinfo=tz).astimezone(UTC).isoformat()
                for x in sim.store.query(kind)
                if expected_live(kind, x)
            }
            for kind in MIRROR
        }


def test_a_killed_initial_sync_resumes_with_no_gap_and_no_duplicate(
    shared_db,
    sim_practice,
):
    made = setup_practice(shared_db, sim_practice)
    practice = str(made["practice"])
    sim_practice.set_faults(rates={"slow": 1.0}, slow_seconds=0.15)
    command = ["manage.py", "sync_practice", practice, "--stream", "initial"]
    first = start(command, shared_db, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen: list[int] = []
    reader = threading.Thread(target=read_progress, args=(first, seen), daemon=True)
    reader.start()
    deadline = time.monotonic() + 60
    while (not seen or seen[-1] < 5 * PAGE) and time.monotonic() < deadline:
        assert first.poll() is None, "the sync finished before it could be killed"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    sim_practice.reset_faults()

    killed = state(shared_db, int(practice))
    assert killed["streams"]["initial"]["state"] == "scheduled"
    assert killed["streams"]["initial"]["cursors"], "no checkpoint was written"
    done_before = killed["streams"]["initial"]["progress"]
    assert done_before >= 5 * PAGE

    # The killed worker's lease must expire before anyone may resume: shorten it.
    run(
        [
            "manage.py",
            "shell",
            "-c",
            "from syncjobs.models import SyncStream;"
            f"SyncStream.objects.filter(practice_id={practice}).update("
            "lease_expires_at=None)",
        ],
        shared_db,
    )
    run(command + ["--no-progress"], shared_db)

    final = state(shared_db, int(practice))
    assert final["streams"]["initial"]["state"] == "done"
    expected = expected_mirror(sim_practice)
    for kind in MIRROR:  # no gap: every record, each at its latest version
        assert final["mirror"][kind] == expected[kind], kind
    [initial_run] = [r for r in final["runs"] if r["kind"] == "initial"]
    assert initial_run["attempts"] == ["interrupted", "succeeded"]
    # No restart from zero: each record was read once, apart from at most the
    # page in flight when the process died.
    with sim_practice.store.lock:
        served = sum(sim_practice.store.count(kind) for kind in MIRROR)
    assert final["streams"]["initial"]["progress"] <= served + PAGE
