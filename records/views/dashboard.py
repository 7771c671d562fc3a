"""A small dashboard: appointments per day, confirmation rate, new patients."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from practices.models import Practice
from records.queries import dashboard, has_confirmed_statuses
from syncjobs.status import freshness

from .common import mirror_page, render_mirror_page


@mirror_page("GET")
def dashboard_page(request: HttpRequest, practice: Practice) -> HttpResponse:
    """Show the dashboard figures with when the data was last brought up to date."""
    loaded_at = freshness(practice).loaded_at
    figures = dashboard(practice, timezone.now(), loaded_at)
    return render_mirror_page(
        request,
        "records/dashboard.html",
        practice,
        board=figures,
        mapped=has_confirmed_statuses(practice),
    )
