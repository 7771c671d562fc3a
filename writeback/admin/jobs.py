"""Staff admin for the outbox: filters, reasons, retry, counts, manual payments."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse

from pbnsync.admin import LongListAdmin

from ..models import JobStatus, OutboxJob, ServiceToken, WriteAttempt
from ..requeue import retry_jobs
from .views import STAFF_SERVICE, post_payment_view, submit_view

READONLY = [f.name for f in OutboxJob._meta.fields]


class ServiceFilter(admin.SimpleListFilter):
    """The services that may submit (their tokens, and staff by hand), not the
    distinct services of every job, which would read the whole outbox."""

    title = "source service"
    parameter_name = "service"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        services = set(ServiceToken.objects.values_list("service", flat=True))
        return [(s, s) for s in sorted(services | {STAFF_SERVICE})]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(service=self.value()) if self.value() else queryset


class AttemptInline(admin.TabularInline):
    model = WriteAttempt
    extra = 0
    can_delete = False
    ordering = ["number"]
    fields = [
        "number",
        "started_at",
        "finished_at",
        "outcome",
        "checked_first",
        "outcome_unknown",
        "error",
        "pms_id",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(OutboxJob)
class OutboxJobAdmin(LongListAdmin):
    list_display = [
        "id",
        "practice",
        "kind",
        "status",
        "status_reason",
        "attempts",
        "pms_id",
        "service",
        "created_at",
        "updated_at",
    ]
    list_filter = [
        "status",
        "kind",
        "in_doubt",
        ServiceFilter,
        "practice",
        "created_at",
    ]
    search_fields = ["idempotency_key", "pms_id", "patient_pms_id", "status_reason"]
    readonly_fields = READONLY
    inlines = [AttemptInline]
    actions = ["retry_selected"]
    change_list_template = "writeback/admin/outbox_change_list.html"
    list_select_related = ["practice"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # activities come in through submit_activity (see "Submit")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="Retry selected failed or held write-backs")
    def retry_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = retry_jobs(queryset)
        skipped = queryset.count() - count
        messages.success(request, f"{count} write-back(s) queued again.")
        if skipped:
            messages.warning(
                request,
                f"{skipped} not retried: only failed or held ones that no later "
                "write for the same appointment replaced can be retried.",
            )

    def get_urls(self) -> list:
        own = [
            path(
                "submit/",
                self.admin_site.admin_view(submit_view),
                name="writeback_outboxjob_submit",
            ),
            path(
                "<int:job_id>/post-payment/",
                self.admin_site.admin_view(post_payment_view),
                name="writeback_outboxjob_post_payment",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "practice_counts": practice_counts()}
        return super().changelist_view(request, extra_context)

    def response_change(self, request: HttpRequest, obj: OutboxJob) -> HttpResponse:
        if obj.status == JobStatus.MANUAL:
            url = reverse("admin:writeback_outboxjob_post_payment", args=[obj.pk])
            return HttpResponseRedirect(url)
        return super().response_change(request, obj)


def practice_counts() -> list[dict]:
    """Return per-practice counts of open, failed, held, manual and done jobs."""
    open_ = [JobStatus.ACCEPTED, JobStatus.QUEUED, JobStatus.SENDING]
    done = [JobStatus.WRITTEN, JobStatus.VERIFIED]
    return list(
        OutboxJob.objects.values("practice_id", "practice__name")
        .annotate(
            pending=Count("pk", filter=Q(status__in=open_)),
            failed=Count("pk", filter=Q(status=JobStatus.FAILED)),
            held=Count("pk", filter=Q(status=JobStatus.HELD)),
            manual=Count("pk", filter=Q(status=JobStatus.MANUAL)),
            skipped=Count("pk", filter=Q(status=JobStatus.SKIPPED)),
            done=Count("pk", filter=Q(status__in=done)),
            total=Count("pk"),
        )
        .order_by("practice__name")
    )
