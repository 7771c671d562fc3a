"""The patient list (Patient Finder): search by name, phone or email; bulk sync."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from practices.models import Practice
from records.queries import patient_page
from syncjobs import ondemand

from .common import mirror_page, render_mirror_page


@mirror_page("GET")
def patient_list(request: HttpRequest, practice: Practice) -> HttpResponse:
    """Show one page of the practice's live patients matching the search."""
    query = request.GET.get("q", "")[:100]
    page = patient_page(practice, query, request.GET.get("page"))
    return render_mirror_page(
        request,
        "records/patients.html",
        practice,
        query=query,
        page=page,
    )


@mirror_page("POST")
def bulk_sync(request: HttpRequest, practice: Practice) -> HttpResponse:
    """Apply the Bulk Actions choice (Sync Patient) to the ticked patients."""
    if request.POST.get("action", "sync") != "sync":
        messages.error(request, "Choose a bulk action.")
    else:
        pms_ids = [p[:64] for p in request.POST.getlist("patient")]
        result = ondemand.sync_patients(practice, pms_ids)
        (messages.success if result.accepted else messages.error)(
            request, result.message
        )
    return redirect(_same_list(request, practice))


def _same_list(request: HttpRequest, practice: Practice) -> str:
    """Return the patient list with the search and page the form was sent from."""
    kept = {"q": request.POST.get("q", "")[:100], "page": request.POST.get("page", "")}
    if not kept["page"].isdigit():
        kept["page"] = ""
    query = urlencode({k: v for k, v in kept.items() if v})
    url = reverse("patients", kwargs={"practice_id": practice.pk})
    return f"{url}?{query}" if query else url
