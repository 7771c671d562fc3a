"""Run one stream of one practice in the foreground, with a progress bar."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pbnsync.words import counted
from practices.models import PmsConnection, Practice
from syncjobs.errors import StreamBusyError
from syncjobs.models import (
    RunStatus,
    StreamKind,
    StreamState,
    SyncRun,
    SyncStream,
    Trigger,
)
from syncjobs.ondemand import resync
from syncjobs.runner import run_stream
from syncjobs.schedule import ensure_streams

BAR = 30


class Command(BaseCommand):
    help = "Run one sync stream of a practice now, in the foreground."

    def add_arguments(self, parser) -> None:
        parser.add_argument("practice", help="practice id or exact name")
        parser.add_argument(
            "--stream", choices=StreamKind.values, default="incremental"
        )
        parser.add_argument(
            "--resync", action="store_true", help="start from scratch (empty cursors)"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, practice: str, stream: str, **options) -> None:
        found = self._practice(practice)
        connection = PmsConnection.objects.filter(practice=found).first()
        if connection is None or not connection.is_usable:
            reason = connection.status_reason if connection else "no PMS connection"
            raise CommandError(f"{found}: the connection is not usable ({reason}).")
        ensure_streams(found)
        target = SyncStream.objects.select_related("practice").get(
            practice=found, kind=stream
        )
        if options["resync"]:
            resync(target)
        elif target.state == StreamState.WAITING:
            raise CommandError(f"{target} waits for the initial sync; run that first.")
        elif target.state == StreamState.DONE:
            raise CommandError(f"{target} is complete; add --resync to pull it again.")
        self.seen = 0
        progress = None if options["no_progress"] else self._progress
        run = self._run(target, progress)
        if progress:
            sys.stderr.write("\n")
        self.stdout.write(self._summary(run))
        if run.status == RunStatus.FAILED:
            raise CommandError(run.error)

    def _practice(self, key: str) -> Practice:
        found = Practice.objects.filter(pk=int(key)) if key.isdigit() else None
        found = found or Practice.objects.filter(name=key)
        if found.count() != 1:
            raise CommandError(f"No single practice matches {key!r}.")
        return found.get()

    def _run(self, stream: SyncStream, progress) -> SyncRun:
        while True:
            try:
                run = run_stream(stream, trigger=Trigger.COMMAND, progress=progress)
            except StreamBusyError as exc:
                raise CommandError(f"{exc}; try again when it finishes.") from exc
            if run.status != RunStatus.RETRYING:
                return run
            stream.refresh_from_db()
            wait = (stream.next_due_at - timezone.now()).total_seconds()
            self.stderr.write(f"\n{run.error}; retrying in {max(wait, 0):.0f}s")
            time.sleep(max(wait, 0))

    def _progress(self, stream: SyncStream, fetched: int) -> None:
        self.seen += fetched
        total = stream.progress_total
        if stream.kind == StreamKind.INITIAL and total:
            done = min(stream.progress_done, total)
            filled = int(BAR * done / total)
            eta = stream.eta()
            eta_text = f" ETA {str(eta).split('.')[0]}" if eta else ""
            line = (
                f"[{'#' * filled}{'-' * (BAR - filled)}] {done:,}/{total:,} "
                f"({100 * done / total:.0f}%){eta_text}"
            )
        else:
            line = f"{self.seen:,} records read"
        sys.stderr.write(f"\r{line}   ")
        sys.stderr.flush()

    def _summary(self, run: SyncRun) -> str:
        text = (
            f"{run.get_kind_display()}: {run.get_status_display()} — "
            f"{counted(run.pages, 'page')}; "
            f"records: {run.fetched} read, {run.upserted} stored, {run.unchanged} "
            f"unchanged, {run.deleted} deleted, {run.failed} failed"
        )
        return f"{text}. {run.error}".rstrip(". ") if run.error else text
