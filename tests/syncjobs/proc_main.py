"""Entry point of helper processes in the multi-process tests (real DB, real HTTP).

`python -m tests.syncjobs.proc_main COMMAND ...` with DATABASE_URL set:

* `setup [BASE_URL DEVELOPER_KEY CUSTOMER_KEY TIME_ZONE]`: create a practice with an
  active Open Dental connection and its streams; print JSON with the practice
  id and its initial stream's id;
* `state PRACTICE_ID`: print JSON: streams (kind, state, cursors), runs with their
  attempts, and the live mirror ids per entity with their PMS modified times.
"""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.syncjobs.proc_settings")
django.setup()

from practices.models import PmsConnection, Practice  # noqa: E402
from records.rows import MIRROR_MODELS  # noqa: E402
from syncjobs.models import SyncRun, SyncStream  # noqa: E402
from syncjobs.schedule import ensure_streams  # noqa: E402


def setup(
    base_url="http://127.0.0.1:9/", developer="d", customer="c", tz="UTC"
) -> dict[str, int]:
    practice = Practice.objects.create(name=f"Process Test {os.getpid()}", time_zone=tz)
    PmsConnection.objects.create(
        practice=practice,
        pms_type="open_dental",
        base_url=base_url,
        developer_key=developer,
        customer_key=customer,
    )
    ensure_streams(practice)
    initial = SyncStream.objects.get(practice=practice, kind="initial")
    return {"practice": practice.pk, "initial": initial.pk}


def state(practice_id: int) -> dict:
    streams = {
        s.kind: {"state": s.state, "cursors": s.cursors, "progress": s.progress_done}
        for s in SyncStream.objects.filter(practice_id=practice_id)
    }
    runs = [
        {
            "kind": run.kind,
            "status": run.status,
            "trigger": run.trigger,
            "fetched": run.fetched,
            "pages": run.pages,
            "attempts": list(run.attempt_set.values_list("status", flat=True)),
            "spans": [
                [worker, started.isoformat(), finished and finished.isoformat()]
                for worker, started, finished in run.attempt_set.values_list(
                    "worker", "started_at", "finished_at"
                )
            ],
        }
        for run in SyncRun.objects.filter(practice_id=practice_id).order_by("pk")
    ]
    mirror = {
        str(kind): {
            pms_id: modified.isoformat() if modified else None
            for pms_id, modified in model.objects.of(
                Practice(pk=practice_id)
            ).values_list("pms_id", "pms_modified_at")
        }
        for kind, model in MIRROR_MODELS.items()
    }
    return {"streams": streams, "runs": runs, "mirror": mirror}


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "setup":
        print(json.dumps(setup(*args)))
    elif command == "state":
        print(json.dumps(state(int(args[0]))))
    else:
        raise SystemExit(f"unknown command {command}")
