"""Admin pages beyond the changelist: submit by hand, post or dismiss a payment."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from ..forms import ManualPaymentForm, StaffActivityForm
from ..intake import IntakeError, submit_activity
from ..manual import ManualQueueError, dismiss_manual_payment, post_manual_payment
from ..models import OutboxJob

STAFF_SERVICE = "staff"


def _context(request: HttpRequest, title: str, **extra) -> dict:
    return {
        **admin.site.each_context(request),
        "title": title,
        "opts": OutboxJob._meta,
        **extra,
    }


def submit_view(request: HttpRequest) -> HttpResponse:
    """Submit one activity by hand, as a service would."""
    if not request.user.has_perm("writeback.change_outboxjob"):
        raise PermissionDenied
    form = StaffActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = submit_activity(
                practice=data["practice"],
                kind=data["kind"],
                payload=data["payload"],
                service=STAFF_SERVICE,
                idempotency_key=data["idempotency_key"],
            )
        except IntakeError as exc:
            for field, errors in exc.errors.items():
                target = field if field in form.fields else None
                for error in errors:
                    form.add_error(target, f"{field}: {error}")
        else:
            job = result.job
            verb = "Accepted" if result.created else "Already submitted as"
            messages.success(request, f"{verb} #{job.pk}: {job.display_status}")
            return redirect("admin:writeback_outboxjob_change", job.pk)
    context = _context(request, "Submit an activity", form=form)
    return render(request, "writeback/admin/submit.html", context)


def post_payment_view(request: HttpRequest, job_id: int) -> HttpResponse:
    """Post a queued payment to a chosen patient, or dismiss it."""
    if not request.user.has_perm("writeback.change_outboxjob"):
        raise PermissionDenied
    job = get_object_or_404(OutboxJob, pk=job_id)
    form = ManualPaymentForm(request.POST or None)
    if request.method == "POST":
        try:
            if "dismiss" in request.POST:
                dismiss_manual_payment(job, request.user)
                messages.success(request, f"Payment #{job.pk} dismissed.")
                return redirect("admin:writeback_outboxjob_change", job.pk)
            if form.is_valid():
                post_manual_payment(
                    job, form.cleaned_data["patient_pms_id"], request.user
                )
                messages.success(request, f"Payment #{job.pk} will be posted.")
                return redirect("admin:writeback_outboxjob_change", job.pk)
        except ManualQueueError as exc:
            form.add_error(None, str(exc))
    context = _context(request, f"Manual payment #{job.pk}", form=form, job=job)
    return render(request, "writeback/admin/post_payment.html", context)
