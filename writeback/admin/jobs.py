"""Staff admin for the outbox: filters, reasons, retry, counts, manual payments."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone

from pbnsync.admin import LongListAdmin
from pbnsync.words import counted
from practices.models import Practice

from ..models import (
    DONE_STATUSES,
    OPEN_STATUSES,
    WORKING_STATUSES,
    JobStatus,
    OutboxJob,
    ServiceToken,
    WriteAttempt,
)
from ..requeue import retry_jobs
from .views import STAFF_SERVICE, post_payment_view, submit_view

READONLY = [f.name for f in OutboxJob._meta.fields]
# The per-practice table's window for finished work (waiting work counts whenever).
RECENT = timedelta(days=7)
COUNTED = ["pending", "failed", "held", "manual", "skipped", "done", "total"]


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
        messages.success(request, f"{counted(count, 'write-back')} queued again.")
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
        extra_context = {
            **(extra_context or {}),
            "practice_counts": practice_counts(),
            "recent_days": RECENT.days,
        }
        return super().changelist_view(request, extra_context)

    def response_change(self, request: HttpRequest, obj: OutboxJob) -> HttpResponse:
        if obj.status == JobStatus.MANUAL:
            url = reverse("admin:writeback_outboxjob_post_payment", args=[obj.pk])
            return HttpResponseRedirect(url)
        return super().response_change(request, obj)


def practice_counts(now: datetime | None = None) -> list[dict]:
    """Return per practice the jobs waiting (by status, whenever created) and the
    last RECENT's skipped, written and total. Both read indexes, not the outbox."""
    since = (now or timezone.now()) - RECENT
    waiting = OutboxJob.objects.filter(
        status__in=[*OPEN_STATUSES, JobStatus.FAILED]
    ).values("practice_id")
    recent = OutboxJob.objects.filter(created_at__gte=since).values("practice_id")
    rows: dict[int, dict] = {}
    for row in [
        *waiting.annotate(
            pending=Count("pk", filter=Q(status__in=WORKING_STATUSES)),
            failed=Count("pk", filter=Q(status=JobStatus.FAILED)),
            held=Count("pk", filter=Q(status=JobStatus.HELD)),
            manual=Count("pk", filter=Q(status=JobStatus.MANUAL)),
        ),
        *recent.annotate(
            skipped=Count("pk", filter=Q(status=JobStatus.SKIPPED)),
            done=Count("pk", filter=Q(status__in=DONE_STATUSES)),
            total=Count("pk"),
        ),
    ]:
        rows.setdefault(row["practice_id"], dict.fromkeys(COUNTED, 0)).update(row)
    names = dict(Practice.objects.filter(pk__in=rows).values_list("pk", "name"))
    return sorted(
        ({**row, "practice__name": names[pk]} for pk, row in rows.items()),
        key=lambda row: row["practice__name"],
    )
