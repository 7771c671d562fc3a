"""Read-only admin over the mirror, for staff checking what a practice's PMS sent."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

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


class MirrorAdmin(LongListAdmin, ReadOnlyAdmin):
    """The mirror is written by the sync engine only."""

    list_filter = ["practice", ("deleted_at", admin.EmptyFieldListFilter)]
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
    list_filter = [*MirrorAdmin.list_filter, ("start_at", admin.DateFieldListFilter)]


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
