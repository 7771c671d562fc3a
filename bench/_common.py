"""Shared plumbing for the sync benchmarks (bench/sync_*.py).

* `setup_django(db)`: DATABASE_URL (default: PostgreSQL `pbnsync_bench` on
  127.0.0.1), creating the database if missing and migrating it.
* `SimProcess`: the PMS simulator in its OWN process (so it does not share our GIL),
  driven only over HTTP through its `/_sim` admin API, as a real PMS would be.
  `python bench/_common.py serve PORT` is that process's entry point.
* `connect(sim_practice_json)`: a Django practice with an Open Dental connection
  pointing at the simulated practice, and its streams.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/pbnsync_bench"
PY = str(ROOT / ".venv" / "bin" / "python")


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank, p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, int(round(p / 100 * len(ordered))))
    return ordered[min(len(ordered), rank) - 1]


def cpu_seconds(pid: int | None = None) -> float:
    """Return the CPU time (user + system) process `pid` (default: this one) has
    used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid or os.getpid()}/stat").read_text().rsplit(")", 1)[1]
    utime, stime = fields.split()[11:13]
    return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")


def ensure_postgres_db(url: str) -> None:
    """Create the database of `url` if it does not exist (PostgreSQL only)."""
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(fresh: bool = True, migrate: bool = True) -> None:
    """Point Django at the bench database, migrate it, and (fresh) empty the mirror."""
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbnsync.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # DEBUG (the settings' default) keeps every SQL string in connection.queries:
    # megabytes per bulk page. Production runs with DEBUG off, so do the benches.
    os.environ.setdefault("DEBUG", "False")
    # Production-shaped processes (Nodes) refuse the development secrets with DEBUG
    # off; a key made per bench run, inherited by them, reads what this one stored.
    import secrets

    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("FERNET_KEYS", secrets.token_urlsafe(32))
    ensure_postgres_db(os.environ["DATABASE_URL"])
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    if fresh:
        wipe()


def wipe() -> None:
    """Remove every practice (and so every mirror row, stream and run) and the
    request budgets' state."""
    from django.db import connection

    from practices.models import Practice

    if connection.vendor == "postgresql":
        tables = [
            t
            for t in connection.introspection.table_names()
            if t.split("_")[0] in ("records", "syncjobs", "practices")
            or t.startswith("pms_budget")  # one run's waiters would slow the next
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"
            )
    else:
        Practice.objects.all().delete()


def db_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"postgresql {connection.pg_version}"
    return connection.vendor


class SimProcess:
    """The simulator in a child process, controlled through its admin API."""

    def __init__(self, port: int = 0, seed: int = 1) -> None:
        self.port = port or _free_port()
        self.proc = subprocess.Popen(
            [PY, __file__, "serve", str(self.port), str(seed)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.root = f"http://127.0.0.1:{self.port}"
        self.http = requests.Session()
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.http.get(f"{self.root}/_sim/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"simulator did not start: {self.proc.stderr.read()}")
            time.sleep(0.2)

    def add_practice(self, size: str, **body: Any) -> dict[str, Any]:
        response = self.http.post(
            f"{self.root}/_sim/practices", json={"size": size, **body}, timeout=600
        )
        response.raise_for_status()
        return response.json()

    def admin(self, method: str, key: str, path: str, **kw: Any) -> Any:
        response = self.http.request(
            method, f"{self.root}/_sim/practices/{key}/{path}", timeout=120, **kw
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def rss_mb(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def od_headers(sim_practice: dict[str, Any]) -> dict[str, str]:
    creds = sim_practice["credentials"]
    keys = f"{creds['od_developer_key']}/{creds['od_customer_key']}"
    return {
        "Authorization": f"ODFHIR {keys}",
        "Content-Type": "application/json",
    }


def connect(sim_practice: dict[str, Any], name: str | None = None):
    """Create a Django practice connected to `sim_practice`'s Open Dental face."""
    from practices.defaults import ensure_settings
    from practices.models import PmsConnection, PmsType, Practice
    from syncjobs.schedule import ensure_streams

    practice = Practice.objects.create(
        name=name or f"Bench {sim_practice['id']}",
        time_zone=sim_practice["time_zone"],
    )
    ensure_settings(practice)
    creds = sim_practice["credentials"]
    PmsConnection.objects.create(
        practice=practice,
        pms_type=PmsType.OPEN_DENTAL,
        base_url=sim_practice["base_urls"]["opendental"],
        developer_key=creds["od_developer_key"],
        customer_key=creds["od_customer_key"],
    )
    ensure_streams(practice)
    return practice


def stream_of(practice, kind: str):
    from syncjobs.models import SyncStream

    return SyncStream.objects.select_related("practice").get(
        practice=practice, kind=kind
    )


def mirror_count(practice) -> dict[str, int]:
    from records.models import Appointment, Patient, Payment, Procedure, Provider

    return {
        m.__name__.lower(): m.objects.filter(practice=practice).count()
        for m in (Patient, Appointment, Procedure, Payment, Provider)
    }


class Cluster:
    """The real dispatcher loop and `syncjobs.tasks.run_stream` on worker threads
    (threads stand in for qcluster workers; they share this process's GIL)."""

    def __init__(self, workers: int = 4, tick: float = 0.2) -> None:
        import queue
        import threading

        from syncjobs.dispatcher import Dispatcher

        self.work: queue.Queue = queue.Queue()
        self.dispatcher = Dispatcher(
            tick=tick, enqueue=self.work.put, backlog=self.work.qsize
        )
        self.threads = [
            threading.Thread(target=self._worker, daemon=True) for _ in range(workers)
        ]
        self.threads.append(threading.Thread(target=self._dispatch, daemon=True))

    def _dispatch(self) -> None:
        from django.db import close_old_connections

        self.dispatcher.run_forever()
        close_old_connections()

    def _worker(self) -> None:
        from django.db import close_old_connections

        from syncjobs.tasks import run_stream

        while (stream_id := self.work.get()) is not None:
            try:
                run_stream(stream_id)
            except Exception as exc:  # noqa: BLE001 - a bench keeps going
                print(f"worker: stream {stream_id}: {exc!r}", file=sys.stderr)
            finally:
                close_old_connections()
        close_old_connections()

    def start(self) -> Cluster:
        for t in self.threads:
            t.start()
        return self

    def stop(self) -> None:
        self.dispatcher.stop.set()
        for _ in self.threads[:-1]:
            self.work.put(None)
        for t in self.threads:
            t.join(30)


class Nodes:
    """Cluster nodes as production runs them: per node a `manage.py qcluster` (its
    own worker processes) and a `manage.py run_dispatcher`, sharing the bench
    database and a Redis broker (database 5, emptied first)."""

    REDIS = "redis://127.0.0.1:6379/5"

    def __init__(
        self,
        nodes: int = 1,
        workers: int = 2,
        tick: float = 0.2,
        env: dict[str, str] | None = None,
    ) -> None:
        import redis

        redis.Redis.from_url(self.REDIS).flushdb()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pbnsync.settings",
            "REDIS_URL": self.REDIS,
            "Q_WORKERS": str(workers),
            "PMS_REQUEST_INTERVAL_MS": "0",
            **(env or {}),
        }
        manage = str(ROOT / "manage.py")
        commands = [
            [PY, manage, "qcluster"],
            [PY, manage, "run_dispatcher", "--tick", str(tick)],
        ]
        self.procs = [
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
            )
            for _ in range(nodes)
            for command in commands
        ]

    def stop(self) -> None:
        import signal

        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def add_cluster_args(parser: Any) -> None:
    """Add the cluster's shape to a benchmark's command line."""
    parser.add_argument("--nodes", type=int, default=1)
    parser.add_argument("--workers", type=int, default=3, help="processes per node")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="instead of nodes: this many worker threads in this process",
    )


def start_cluster(args: Any, env: dict[str, str] | None = None) -> tuple[Any, str]:
    """Start the cluster `add_cluster_args` describes; return it and its shape.

    `env`: settings the node processes take from their environment (threads share
    this process's settings).
    """
    if args.threads:
        shape = f"{args.threads} worker threads in this process"
        return Cluster(workers=args.threads).start(), shape
    shape = f"{args.nodes} node(s) x {args.workers} qcluster workers, Redis"
    return Nodes(args.nodes, args.workers, env=env), shape


class Injector:
    """Inject random live changes through the simulator's admin API, remembering
    when each was made (wall clock), to measure change -> mirror lag."""

    def __init__(self, sim: SimProcess, keys: dict[str, Any], rate: float) -> None:
        import random
        import threading

        self.sim, self.keys, self.rate = sim, keys, rate  # sim key -> Django practice
        self.rng = random.Random(11)
        self.changes: list[tuple[Any, str, str, str, float]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Injector:
        self.thread.start()
        return self

    def _run(self) -> None:
        keys = list(self.keys)
        interval = 1 / self.rate
        next_at = time.monotonic()
        while not self.stop.is_set():
            key = self.rng.choice(keys)
            made_at = time.time()
            for ch in self.sim.admin("POST", key, "changes", json={"count": 1}):
                self.changes.append(
                    (self.keys[key], ch["kind"], str(ch["id"]), ch["action"], made_at)
                )
            next_at += interval
            self.stop.wait(max(0.0, next_at - time.monotonic()))

    def halt(self) -> None:
        self.stop.set()
        self.thread.join()

    def lags(self, kinds: tuple[str, ...] = ("appointment", "patient")) -> dict:
        """Return {kind: (lags in s, not landed)} for the last change of each record.

        Each record not landed is printed with the simulator's record and the
        mirror's row, to tell a miss from a change that left the mirrored content
        as it was (such an echo writes nothing, so moves no `last_synced_at`).
        """

        from records.models import Appointment, Patient

        models = {"appointment": Appointment, "patient": Patient}
        sim_key = {practice.pk: key for key, practice in self.keys.items()}
        last: dict[tuple, tuple] = {}
        for practice, kind, pms_id, action, made_at in self.changes:
            if kind in kinds:
                last[(practice.pk, kind, pms_id)] = (practice, action, made_at)
        out: dict[str, tuple[list[float], int]] = {k: ([], 0) for k in kinds}
        for (pk, kind, pms_id), (_practice, action, made_at) in last.items():
            if action == "delete":
                continue
            row = (
                models[kind]
                .objects.filter(practice_id=pk, pms_id=pms_id)
                .values("last_synced_at", "pms_modified_at", "raw")
                .first()
            )
            lags, missing = out[kind]
            if row is not None and row["last_synced_at"].timestamp() >= made_at:
                lags.append(row["last_synced_at"].timestamp() - made_at)
                continue
            truth = self.sim.admin("GET", sim_key[pk], f"records/{kind}/{pms_id}")
            print(
                f"not landed: practice {pk} {kind} {pms_id} ({action} at "
                f"{made_at:.1f})\n  simulator: {truth}\n  mirror: {row}",
                file=sys.stderr,
            )
            out[kind] = (lags, missing + 1)
        return out


def serve(port: int, seed: int) -> None:
    # The simulator stamps each call's arrival for its rate limit; a real PMS's
    # clock does not wait for a Python GIL, so keep that wait short here too.
    sys.setswitchinterval(0.0005)
    from pms.simulator.registry import Simulator
    from pms.simulator.server import start_server

    handle = start_server(Simulator(seed=seed), "127.0.0.1", port, background=False)
    handle.server.serve_forever()


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), int(sys.argv[3]))
    else:
        print(json.dumps({"usage": "python bench/_common.py serve PORT SEED"}))
