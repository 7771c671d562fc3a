"""A worker process taking budget slots, for tests/pms/test_budget_processes.py.

Usage: budget_worker.py KEY LANE COUNT INTERVAL_S HOLD_S START_AT STORE
STORE is "db" (the DATABASE_URL database) or a redis:// URL. Prints one JSON line.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbnsync.settings")

import django  # noqa: E402

django.setup()

from pms.base import Lane  # noqa: E402
from pms.budget import DatabaseStore, RedisStore, RequestBudget  # noqa: E402


def main() -> None:
    key, lane, count, interval, hold, start_at, spec = sys.argv[1:8]
    store = RedisStore(spec) if spec.startswith("redis") else DatabaseStore()
    budget = RequestBudget(key, float(interval), store, lease_s=10)
    time.sleep(max(0.0, float(start_at) - time.time()))
    calls = []
    for _ in range(int(count)):
        with budget.slot(Lane(int(lane))):
            began = time.time()
            time.sleep(float(hold))
            calls.append((began, time.time()))
    print(json.dumps({"lane": int(lane), "calls": calls}))


if __name__ == "__main__":
    main()
