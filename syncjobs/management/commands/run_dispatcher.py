"""Start the dispatcher: claim due streams every tick and queue them for qcluster."""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand

from pbnsync.words import counted
from syncjobs.dispatcher import Dispatcher


class Command(BaseCommand):
    help = "Hand due sync streams to the django-q2 workers (sub-second tick)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tick", type=float, default=0.5, help="seconds per tick")
        parser.add_argument(
            "--once", action="store_true", help="dispatch what is due now, then exit"
        )

    def handle(self, *args, tick: float, once: bool, **options) -> None:
        dispatcher = Dispatcher(tick=tick)
        if once:
            from syncjobs.dispatcher import dispatch_due
            from syncjobs.streams import reconcile_streams

            reconcile_streams()
            claimed = dispatch_due()
            self.stdout.write(f"Dispatched {counted(len(claimed), 'stream')}.")
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: dispatcher.stop.set())
        self.stdout.write(f"Dispatcher running (tick {tick}s); Ctrl-C to stop.")
        dispatcher.run_forever()
        runs = counted(dispatcher.dispatched, "run")
        self.stdout.write(f"Dispatcher stopped after {runs}.")
