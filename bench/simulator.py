"""Benchmark the PMS simulator: large-practice generation and page serving.

    .venv/bin/python bench/simulator.py [--size large] [--requests 400] [--threads 4]

Prints the generation time of one practice and the latency (p50/p99) and
throughput of 100-record Open Dental pages over loopback, sequential and threaded.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pms.simulator import records as r  # noqa: E402
from pms.simulator.registry import Simulator  # noqa: E402
from pms.simulator.server import start_server  # noqa: E402


def percentile(samples: list[float], share: float) -> float:
    """Return the `share` percentile of `samples` (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def page_urls(base: str, store, count: int, seed: int = 7) -> list[str]:
    """Return a mix of 100-record page URLs: offset walks and DateTStamp deltas."""
    rng = random.Random(seed)
    appointments = store.count(r.APPOINTMENT)
    patients = store.count(r.PATIENT)
    year_ago = (store.now() - timedelta(days=365)).strftime("%Y-%m-%d %H:%M:%S")
    urls = []
    for i in range(count):
        pick = i % 4
        if pick == 0:
            offset = rng.randrange(0, appointments - 100)
            urls.append(f"{base}/appointments?Offset={offset}")
        elif pick == 1:
            urls.append(
                f"{base}/appointments?DateTStamp={year_ago}"
                f"&Offset={rng.randrange(0, 40_000)}"
            )
        elif pick == 2:
            urls.append(
                f"{base}/patients/Simple?Offset={rng.randrange(0, patients - 100)}"
            )
        else:
            urls.append(f"{base}/procedurelogs?Offset={rng.randrange(0, 300_000)}")
    return urls


def fetch_all(urls: list[str], headers: dict[str, str]) -> list[float]:
    """GET each URL on one keep-alive session; return latencies in ms."""
    latencies = []
    with requests.Session() as session:
        session.headers.update(headers)
        for url in urls:
            started = time.perf_counter()
            response = session.get(url)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200 or len(response.json()) != 100:
                raise SystemExit(f"bad page {url}: {response.status_code}")
    return latencies


def report(label: str, latencies: list[float], seconds: float) -> None:
    print(
        f"{label:<28} n={len(latencies):<5} p50={percentile(latencies, 0.5):6.2f} ms  "
        f"p99={percentile(latencies, 0.99):6.2f} ms  "
        f"mean={statistics.mean(latencies):6.2f} ms  "
        f"{len(latencies) / seconds:7.1f} pages/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="large")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    options = parser.parse_args()

    sim = Simulator(seed=1)
    started = time.perf_counter()
    practice = sim.add_practice(options.size, settings={"rate_interval_ms": 0})
    generated = time.perf_counter() - started
    store = practice.store
    print(
        f"generated a {options.size} practice in {generated:.1f} s: "
        f"{store.count(r.PATIENT):,} patients, {store.count(r.APPOINTMENT):,} "
        f"appointments, {store.count(r.PROCEDURE):,} procedures, "
        f"{store.count(r.PAYMENT):,} payments, {store.max_seq:,} changes"
    )

    handle = start_server(sim)
    base = f"{handle.url}/opendental/api/v1"
    creds = practice.credentials
    headers = {
        "Authorization": f"ODFHIR {creds.od_developer_key}/{creds.od_customer_key}",
        "Content-Type": "application/json",
    }
    try:
        fetch_all(page_urls(base, store, 20, seed=1), headers)  # warm up
        urls = page_urls(base, store, options.requests)
        started = time.perf_counter()
        latencies = fetch_all(urls, headers)
        report("sequential, 1 client", latencies, time.perf_counter() - started)

        results: list[list[float]] = [[] for _ in range(options.threads)]
        share = options.requests // options.threads
        workers = [
            threading.Thread(
                target=lambda i=i: results[i].extend(
                    fetch_all(urls[i * share : (i + 1) * share], headers)
                )
            )
            for i in range(options.threads)
        ]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        merged = [x for part in results for x in part]
        report(
            f"threaded, {options.threads} clients",
            merged,
            time.perf_counter() - started,
        )

        in_process = []
        since = store.now() - timedelta(days=365)
        for i in range(options.requests):
            t = time.perf_counter()
            store.query(r.APPOINTMENT, since=since, offset=(i * 97) % 40_000, limit=100)
            in_process.append((time.perf_counter() - t) * 1000)
        print(
            f"{'store.query only (no HTTP)':<28} p50={percentile(in_process, 0.5):6.3f}"
            f" ms  p99={percentile(in_process, 0.99):6.3f} ms"
        )
    finally:
        handle.stop()


if __name__ == "__main__":
    main()
