"""Peak memory of the initial sync at ~10k vs ~250k appointments (issue 4).

    .venv/bin/python bench/sync_memory.py [--large-log var/bench-initial-large.log]

Runs bench/sync_initial.py (bare walk and naive sample off) as a child process
(DATABASE_URL, default PostgreSQL pbnsync_bench_mem) for a small practice (~10k
appointments) and reads the peak RSS (getrusage ru_maxrss) it prints for its own
process; the simulator runs in yet another process, so the figure is the syncing
process alone. The ~250k-appointment figure comes from the
same line of a large run (`--large-log`, the output of `bench/sync_initial.py
--size large`), or from a fresh child run with --run-large.
Target: flat (the large figure close to the small one).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PEAK = re.compile(
    r"peak RSS of the syncing process: (\d+) MB \(before the sync (\d+) MB\); "
    r"appointments ([\d,]+)"
)


def child(size: str, years: float | None) -> tuple[int, int, int]:
    cmd = [
        PY,
        str(ROOT / "bench" / "sync_initial.py"),
        "--size",
        size,
        "--naive",
        "0",
        "--no-bare",
    ]
    if years:
        cmd += ["--years", str(years)]
    env = {**os.environ}
    env.setdefault(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pbnsync_bench_mem"
    )
    out = subprocess.run(
        cmd, capture_output=True, text=True, check=True, env=env
    ).stdout
    return parse(out)


def parse(text: str) -> tuple[int, int, int]:
    m = PEAK.search(text)
    if not m:
        raise SystemExit(f"no peak RSS line in:\n{text}")
    return int(m[1]), int(m[2]), int(m[3].replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--large-log", default=str(ROOT / "var" / "bench-initial-large.log")
    )
    parser.add_argument("--run-large", action="store_true")
    args = parser.parse_args()
    rows = [("small, 1 year", *child("small", 1.0))]
    if args.run_large:
        rows.append(("large", *child("large", None)))
    else:
        rows.append(("large (from log)", *parse(Path(args.large_log).read_text())))
    for label, peak, before, appts in rows:
        print(
            f"{label:<18} {appts:>8,} appointments: peak RSS {peak} MB "
            f"(process baseline before the sync {before} MB, growth {peak - before} MB)"
        )
    (_, s, sb, _), (_, big, bigb, _) = rows
    print(
        f"peak ratio large/small = {big / s:.2f}; growth during the sync "
        f"{s - sb} MB vs {big - bigb} MB  target: flat"
    )


if __name__ == "__main__":
    main()
