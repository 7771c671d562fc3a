"""The patient card: refreshed from the PMS when opened, plus a Sync Patient button."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from pms.registry import CONNECTORS
from practices.models import PmsConnection, Practice, SyncSettings
from records.queries import has_confirmed_statuses, patient_card
from syncjobs import ondemand
from syncjobs.schedule import photos_offered

from .common import mirror_page, render_mirror_page

# The card asks the PMS again when what we hold is older than this.
PATIENT_CARD_MAX_AGE = timedelta(minutes=10)


@mirror_page("GET")
def patient_detail(
    request: HttpRequest, practice: Practice, pms_id: str
) -> HttpResponse:
    """Refresh the patient from the PMS if stale, then show their card."""
    result = ondemand.refresh_patient(practice, pms_id, older_than=PATIENT_CARD_MAX_AGE)
    if not result.accepted and result.message:
        messages.warning(request, result.message)
    card = patient_card(practice, pms_id, timezone.now())
    if card is None:
        raise Http404("No such patient.")
    return render_mirror_page(
        request,
        "records/patient_card.html",
        practice,
        card=card,
        photos_from=_photos_from(practice),
        mapped=has_confirmed_statuses(practice),
    )


def _photos_from(practice: Practice) -> str:
    """Return the PMS whose photo the card shows, or "" to show initials only."""
    enabled = SyncSettings.objects.filter(
        practice=practice, profile_photos_enabled=True
    ).exists()
    if not enabled or not photos_offered(practice):
        return ""
    connection = PmsConnection.objects.get(practice=practice)
    return CONNECTORS[connection.pms_type].label


@mirror_page("POST")
def sync_patient(request: HttpRequest, practice: Practice, pms_id: str) -> HttpResponse:
    """Refresh one patient from the PMS now (the Sync Patient button)."""
    result = ondemand.refresh_patient(practice, pms_id)
    (messages.success if result.accepted else messages.error)(
        request, result.message or "Patient synced from the PMS."
    )
    return redirect("patient", practice_id=practice.pk, pms_id=pms_id)
