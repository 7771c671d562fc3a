"""The practice-facing page: recent write-backs and the manual payment queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from practices.models import Practice
from practices.views import managed_practice_or_404, practice_page

from .manual import (
    ManualQueueError,
    dismiss_manual_payment,
    manual_queue,
    post_manual_payment,
)
from .models import JobStatus, OutboxJob

PER_PAGE = 50
# What a person has to act on: failed (fix and ask staff to retry) and held (a
# setting is missing). Manual payments have their own queue above the list.
ATTENTION = (JobStatus.FAILED, JobStatus.HELD)


@practice_page("GET")
def writebacks(request: HttpRequest, practice: Practice) -> HttpResponse:
    """Show the practice's write-backs, newest first, a page at a time (all, or
    only those that need attention), and the payments waiting for a person."""
    jobs = OutboxJob.objects.filter(practice=practice).exclude(status=JobStatus.MANUAL)
    attention = jobs.filter(status__in=ATTENTION)
    only_attention = request.GET.get("show") == "attention"
    shown = attention if only_attention else jobs
    recent = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "practice": practice,
        "recent": recent,
        "only_attention": only_attention,
        # Counted once: the paginator has when the list is just these.
        "attention_count": (
            recent.paginator.count if only_attention else attention.count()
        ),
        "queue": manual_queue(practice.pk),
    }
    return render(request, "writeback/practice.html", context)


@login_required
@require_POST
def manual_payment(request: HttpRequest, practice_id: int, job_id: int) -> HttpResponse:
    """Post a queued payment to the chosen patient, or dismiss it."""
    practice = managed_practice_or_404(request, practice_id)
    job = get_object_or_404(OutboxJob, pk=job_id, practice=practice)
    try:
        if "dismiss" in request.POST:
            dismiss_manual_payment(job, request.user)
            messages.success(request, "Payment dismissed; it will not be written.")
        else:
            patient = request.POST.get("patient_pms_id", "")
            post_manual_payment(job, patient, request.user)
            messages.success(request, "Payment will be posted to the chosen patient.")
    except ManualQueueError as exc:
        messages.error(request, str(exc))
    return redirect("writeback_practice", practice_id=practice.pk)
