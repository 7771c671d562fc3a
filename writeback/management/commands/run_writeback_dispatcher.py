"""Run the write-back dispatcher: every interval, enqueue the due outbox jobs."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from writeback.dispatch import tick


class Command(BaseCommand):
    help = "Hand due write-back jobs to the task cluster, in a loop."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="seconds")
        parser.add_argument("--once", action="store_true", help="run one tick")

    def handle(self, *args, interval: float, once: bool, **options) -> None:
        """Tick until interrupted (or once)."""
        while True:
            count = tick(timezone.now())
            if once:
                self.stdout.write(f"enqueued {count}")
                return
            try:
                if not count:
                    time.sleep(interval)
            except KeyboardInterrupt:
                return
            # A long-running loop: drop a broken or expired database connection.
            close_old_connections()
