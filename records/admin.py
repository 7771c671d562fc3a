"""Read-only admin over the mirror, for staff checking what a practice's PMS sent."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from pbnsync.admin import LongListAdmin, ReadOnlyAdmin

from .models import (
    Appointment,
    Operatory,
    Patient,
    Payment,
    Procedure,
    Provider,
    ScheduleBlock,
    ScheduleWindow,
)


class DeletedFilter(admin.SimpleListFilter):
    """Whether the PMS deleted the record (hidden from every page at once)."""

    title = "deleted in the PMS"
    parameter_name = "deleted"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [
            ("no", "No: shown on the pages"),
            ("yes", "Yes: hidden, purged nightly"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("no", "yes"):
            return queryset.filter(deleted_at__isnull=self.value() == "no")
        return queryset


class AppointmentDayFilter(admin.DateFieldListFilter):
    """Django's date choices, with the week ahead, which a schedule is about."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        ahead = (
            "Next 7 days",
            {
                self.lookup_kwarg_since: today,
                self.lookup_kwarg_until: today + timedelta(days=8),
            },
        )
        self.links = (*self.links[:2], ahead, *self.links[2:])


class MirrorAdmin(LongListAdmin, ReadOnlyAdmin):
    """The mirror is written by the sync engine only."""

    list_filter = ["practice", DeletedFilter]
    search_fields = ["pms_id"]
    list_select_related = ["practice"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


@admin.register(Patient)
class PatientAdmin(MirrorAdmin):
    list_display = [
        "pms_id",
        "last_name",
        "first_name",
        "status",
        "practice",
        "pms_modified_at",
        "last_synced_at",
        "deleted_at",
    ]
    search_fields = ["pms_id", "last_name", "first_name", "email", "phone"]


@admin.register(Appointment)
class AppointmentAdmin(MirrorAdmin):
    list_display = [
        "pms_id",
        "start_at",
        "patient_pms_id",
        "status",
        "confirmation_pms_id",
        "practice",
        "last_synced_at",
        "deleted_at",
    ]
    search_fields = ["pms_id", "patient_pms_id"]
    list_filter = [*MirrorAdmin.list_filter, ("start_at", AppointmentDayFilter)]


@admin.register(Provider, Operatory)
class ReferenceMirrorAdmin(MirrorAdmin):
    list_display = ["pms_id", "__str__", "active", "practice", "last_synced_at"]


@admin.register(Procedure)
class ProcedureAdmin(MirrorAdmin):
    list_display = [
        "pms_id",
        "code",
        "fee",
        "status",
        "performed_on",
        "patient_pms_id",
        "practice",
        "deleted_at",
    ]


@admin.register(Payment)
class PaymentAdmin(MirrorAdmin):
    list_display = [
        "pms_id",
        "amount",
        "paid_on",
        "patient_pms_id",
        "practice",
        "deleted_at",
    ]


@admin.register(ScheduleBlock)
class ScheduleBlockAdmin(MirrorAdmin):
    list_display = [
        "pms_id",
        "day",
        "start_time",
        "stop_time",
        "kind",
        "provider_pms_id",
        "blockout_type",
        "practice",
        "last_synced_at",
    ]
    list_filter = ["practice", "kind"]
    date_hierarchy = "day"


@admin.register(ScheduleWindow)
class ScheduleWindowAdmin(MirrorAdmin):
    list_display = ["practice", "first_day", "last_day", "synced_at"]
    list_filter = ["practice"]
    search_fields = ["practice__name"]
