"""Run the PMS simulator: generated practices behind every vendor face."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pms.simulator.faults import FAULT_KINDS, FaultConfig
from pms.simulator.generator import SIZES
from pms.simulator.practice import OD_MODES, RATE_MODES, STAMP_FILTERS
from pms.simulator.registry import Simulator
from pms.simulator.server import start_server


class Command(BaseCommand):
    help = (
        "Serve simulated practices over HTTP (Open Dental, Dentrix Ascend, Eaglesoft "
        "and Dentrix agent faces). Practice 1 carries the demo's Open Dental keys."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--practices", type=int, default=1)
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--years", type=float, help="history length override")
        parser.add_argument(
            "--od-mode",
            choices=OD_MODES,
            default="remote",
            help="remote: pages of 100, throttled; local/service: 1000",
        )
        parser.add_argument(
            "--rate-interval-ms",
            type=int,
            help="min time between calls per practice and face "
            "(default 1000 in remote mode, else 0)",
        )
        parser.add_argument("--rate-mode", choices=RATE_MODES, default="delay")
        parser.add_argument(
            "--stamp-filter", choices=STAMP_FILTERS, default="documented"
        )
        parser.add_argument(
            "--change-rate",
            type=float,
            default=0.0,
            help="random live changes per second per practice",
        )
        parser.add_argument(
            "--fault",
            action="append",
            default=[],
            metavar="KIND=RATE",
            help=f"kinds: {', '.join(FAULT_KINDS)}",
        )
        parser.add_argument("--fault-seed", type=int, default=0)
        parser.add_argument(
            "--json", action="store_true", help="print the practices as JSON"
        )
        parser.add_argument("--verbose-requests", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        faults = self._faults(options)
        interval = options["rate_interval_ms"]
        if interval is None:
            interval = 1000 if options["od_mode"] == "remote" else 0
        settings = {
            "od_mode": options["od_mode"],
            "rate_interval_ms": interval,
            "rate_mode": options["rate_mode"],
            "stamp_filter": options["stamp_filter"],
            "change_rate": options["change_rate"],
        }
        sim = Simulator(seed=options["seed"])
        for _ in range(max(1, options["practices"])):
            started = time.perf_counter()
            practice = sim.add_practice(
                options["size"], years=options["years"], settings=settings
            )
            practice.faults.configure(FaultConfig.from_dict(faults))
            self.stderr.write(
                f"generated {practice.id} ({practice.size}) in "
                f"{time.perf_counter() - started:.1f}s"
            )
        try:
            handle = start_server(
                sim,
                options["host"],
                options["port"],
                verbose=options["verbose_requests"],
            )
        except OSError as exc:
            sim.stop()
            raise CommandError(
                f"cannot listen on {options['host']}:{options['port']}: {exc}"
            ) from exc
        self._print(handle, options["json"])
        try:
            while handle.thread is not None and handle.thread.is_alive():
                handle.thread.join(0.5)
        except KeyboardInterrupt:
            self.stdout.write("\nstopping the simulator")
        finally:
            handle.stop()

    def _faults(self, options: dict[str, Any]) -> dict[str, Any]:
        rates = {}
        for item in options["fault"]:
            kind, _, rate = item.partition("=")
            if kind not in FAULT_KINDS:
                raise CommandError(f"unknown fault {kind!r}; kinds: {FAULT_KINDS}")
            try:
                rates[kind] = float(rate or 0.05)
            except ValueError:
                raise CommandError(f"bad rate in --fault {item}") from None
        return {"seed": options["fault_seed"], "rates": rates}

    def _print(self, handle: Any, as_json: bool) -> None:
        practices = [
            p.summary(handle.app.base_urls(handle.url))
            for p in handle.app.sim.practices()
        ]
        if as_json:
            self.stdout.write(json.dumps(practices, indent=2))
            return
        self.stdout.write(self.style.SUCCESS(f"PMS simulator on {handle.url}"))
        self.stdout.write(f"admin API: {handle.url}/_sim/practices")
        for p in practices:
            counts = p["counts"]
            self.stdout.write(
                f"\n{p['id']}  {p['name']}  [{p['size']}, {p['time_zone']}]  "
                f"{counts['patient']} patients, {counts['appointment']} appointments"
            )
            for name, url in p["base_urls"].items():
                self.stdout.write(f"  {name:<14} {url}")
            for key, value in p["credentials"].items():
                self.stdout.write(f"  {key:<24} {value}")
        self.stdout.write("\nCtrl-C to stop.")
