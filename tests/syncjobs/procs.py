"""Run engine processes against a database they share with the test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "tests.syncjobs.proc_settings"


def env_for(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }


def run(args: list[str], env: dict[str, str], timeout: float = 180) -> str:
    """Run a helper process to completion and return its output."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-3000:])
    return done.stdout


def start(args: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
    """Start a helper process in the background."""
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, text=True, **kwargs
    )


def setup_practice(env: dict[str, str], sim_practice) -> dict[str, int]:
    """Create, in the shared database, a practice connected to `sim_practice`'s Open
    Dental face; return its ids (`practice`, `initial`)."""
    creds = sim_practice.credentials
    return json.loads(
        run(
            [
                "-m",
                "tests.syncjobs.proc_main",
                "setup",
                sim_practice.od_url,
                creds["od_developer_key"],
                creds["od_customer_key"],
                str(sim_practice.store.clock.tz),
            ],
            env,
        )
    )


def state(env: dict[str, str], practice_id: int) -> dict:
    return json.loads(
        run(["-m", "tests.syncjobs.proc_main", "state", str(practice_id)], env)
    )


@pytest.fixture
def shared_db(transactional_db, tmp_path) -> dict[str, str]:
    """Return the environment of processes sharing one real database with this test.

    SQLite: a migrated file (the test's own database is in memory). PostgreSQL: the
    test database itself, with committed (transactional) test data. Asking for
    `transactional_db` by name, not lazily, is what makes pytest-django create the
    test database when these tests run alone.
    """
    if connection.vendor == "sqlite":
        env = env_for(f"sqlite:///{tmp_path / 'shared.sqlite3'}")
        run(["manage.py", "migrate", "--noinput", "-v", "0"], env)
        return env
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return env_for(f"postgres://{auth}@{host}/{db['NAME']}")
