"""The sync status page and its buttons: Force Sync Now, Sync Availability."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from practices.models import Practice
from practices.views import practice_page

from . import ondemand
from .ondemand import Request
from .status import status_page


def _answer(request: HttpRequest, result: Request) -> None:
    """Flash the engine's answer: success when accepted, an error otherwise."""
    (messages.success if result.accepted else messages.error)(request, result.message)


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
    """Re-pull provider availability and schedule blocks now."""
    _answer(request, ondemand.sync_availability(practice))
    return redirect("sync_status", practice_id=practice.pk)
