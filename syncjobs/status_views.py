"""The sync status page and its buttons: Force Sync Now, Sync Availability."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from practices.models import Practice
from practices.views import practice_page

from . import ondemand
from .ondemand import Request
from .status import status_page


def _answer(request: HttpRequest, result: Request) -> None:
    """Flash the engine's answer: success when accepted, an error otherwise."""
    (messages.success if result.accepted else messages.error)(request, result.message)


def _schedule_to_return_to(request: HttpRequest, practice: Practice) -> str | None:
    """Return this practice's schedule page (same day) named by POST `next`, if so."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.url_name != "schedule" or match.kwargs.get("practice_id") != practice.pk:
        return None
    # Rebuilt from the route, so nothing of `next` but a valid day is echoed back.
    url = reverse("schedule", kwargs={"practice_id": practice.pk})
    try:
        day = date.fromisoformat(QueryDict(parts.query).get("day", ""))
    except ValueError:
        return url
    return f"{url}?{urlencode({'day': day.isoformat()})}"


@practice_page("GET")
def sync_status(request: HttpRequest, practice: Practice) -> HttpResponse:
    """Show freshness, initial-sync progress, streams, features and the runs chart."""
    page = status_page(practice)
    return render(request, "syncjobs/status.html", {"practice": practice, "page": page})


@practice_page("POST")
def force_sync_now(request: HttpRequest, practice: Practice) -> HttpResponse:
    """Make an incremental sync run now, or say why it cannot."""
    _answer(request, ondemand.force_sync(practice))
    return redirect("sync_status", practice_id=practice.pk)


@practice_page("POST")
def sync_availability(request: HttpRequest, practice: Practice) -> HttpResponse:
    """Re-pull availability now, then go back to the schedule page that asked."""
    _answer(request, ondemand.sync_availability(practice))
    if back := _schedule_to_return_to(request, practice):
        return redirect(back)
    return redirect("sync_status", practice_id=practice.pk)
