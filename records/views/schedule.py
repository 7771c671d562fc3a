"""Today's schedule, practice-local, with each appointment's confirmation."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from practices.models import Practice
from records.availability import day_availability
from records.queries import day_schedule, has_confirmed_statuses
from syncjobs.status import freshness

from .common import mirror_page, render_mirror_page


def _chosen_day(request: HttpRequest, practice: Practice) -> date:
    """Return ?day=YYYY-MM-DD if valid, else today in the practice's time zone."""
    try:
        return date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate(timezone=practice.tzinfo)


@mirror_page("GET")
def schedule_day(request: HttpRequest, practice: Practice) -> HttpResponse:
    """Show one practice-local day's appointments (today unless ?day= is given)."""
    day = _chosen_day(request, practice)
    fresh = freshness(practice)
    return render_mirror_page(
        request,
        "records/schedule.html",
        practice,
        day=day,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        today=timezone.localdate(timezone=practice.tzinfo),
        appointments=day_schedule(practice, day),
        mapped=has_confirmed_statuses(practice),
        availability=day_availability(practice, day),
        freshness=fresh,
        # As on the status page: only with streams, and never while the
        # connection's status stops every run (the view refuses those too).
        can_sync_availability=fresh.connected and fresh.halted_by is None,
    )
