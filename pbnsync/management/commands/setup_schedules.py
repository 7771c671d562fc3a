"""Create or update the django-q2 Schedules of sync and write-back (idempotent)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_q.models import Schedule

# name -> (function, schedule type, minutes, in words)
SCHEDULES = {
    "pbnsync: prune sync history": (
        "syncjobs.tasks.prune_history",
        Schedule.DAILY,
        None,
        "every day at 03:00 UTC",
    ),
    "pbnsync: prune finished write-backs": (
        "writeback.tasks.prune_outbox",
        Schedule.DAILY,
        None,
        "every day at 03:00 UTC",
    ),
    "pbnsync: reconcile sync streams": (
        "syncjobs.tasks.reconcile_streams",
        Schedule.MINUTES,
        60,
        "every hour (the dispatcher also does it every 15 s; this covers a "
        "deployment running workers without a dispatcher for a while)",
    ),
}


def first_run(schedule_type: str) -> datetime:
    """Return the first run: the next 03:00 UTC for daily jobs, else now."""
    now = timezone.now()
    if schedule_type != Schedule.DAILY:
        return now
    at = now.astimezone(UTC).replace(hour=3, minute=0, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


class Command(BaseCommand):
    help = "Create or update the django-q2 Schedules of sync and write-back."

    def handle(self, *args, **options) -> None:
        for name, (func, schedule_type, minutes, words) in SCHEDULES.items():
            schedule, created = Schedule.objects.update_or_create(
                name=name,
                defaults={
                    "func": func,
                    "schedule_type": schedule_type,
                    "minutes": minutes,
                    "repeats": -1,
                },
            )
            if created:
                schedule.next_run = first_run(schedule_type)
                schedule.save(update_fields=["next_run"])
            verb = "Created" if created else "Updated"
            self.stdout.write(f"{verb} '{name}': {func}, {words}.")
