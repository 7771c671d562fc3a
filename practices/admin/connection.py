"""Admin for PMS connections: write-only credentials, status actions, capabilities."""

from types import ModuleType

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.debug import sensitive_post_parameters

from pbnsync.words import counted
from pms.base import Capability
from pms.registry import capabilities_for

from ..audit import record_connection_edit
from ..connection_status import change_connection_status
from ..models import ConnectionStatus, PmsConnection
from ..models.connection import CREDENTIAL_FIELDS, REQUIRED_CREDENTIALS
from ..signals import announce_connection_changed
from .connection_form import PmsConnectionAdminForm, clear_name


def _sync_admin() -> ModuleType:
    """Return syncjobs.admin, for its stream health helpers.

    Imported when first used, once every app has loaded: syncjobs builds on
    practices, so practices never imports it while being imported itself.
    """
    from syncjobs import admin as sync_admin

    return sync_admin


def _required_help() -> str:
    return "; ".join(
        f"{pms_type.label}: "
        + ", ".join(
            str(PmsConnection._meta.get_field(n).verbose_name)
            for n in REQUIRED_CREDENTIALS[pms_type]
        )
        for pms_type in REQUIRED_CREDENTIALS
    )


# The admin lists of a practice's work: (model, extra filter, link text).
WORK_LISTS = [
    ("syncjobs_syncstream", "", "sync streams and their health"),
    ("syncjobs_syncrun", "", "sync history"),
    ("syncjobs_recordfailure", "&resolved_at__isempty=1", "open record failures"),
    ("writeback_outboxjob", "", "write-backs"),
]


class StatusReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Shown to staff and the practice beside the status.",
    )


@admin.register(PmsConnection)
class PmsConnectionAdmin(admin.ModelAdmin):
    form = PmsConnectionAdminForm
    list_display = [
        "practice",
        "pms_type",
        "status",
        "sync_health",
        "sync_lag",
        "sync_failures",
        "credentials_state",
        "status_changed_at",
        "updated_at",
    ]
    list_filter = ["pms_type", "status"]
    search_fields = ["practice__name", "base_url", "status_reason"]
    list_select_related = ["practice"]
    actions = ["disable", "remove", "reactivate", "resync_practices"]
    readonly_fields = [
        "status",
        "status_reason",
        "status_changed_at",
        "capability_table",
        "work_links",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["practice", "pms_type", "base_url"]}),
        ("Request budget", {"fields": ["request_interval_ms", "page_size"]}),
        (
            "Credentials",
            {
                "fields": [(name, clear_name(name)) for name in CREDENTIAL_FIELDS],
                "description": "Write-only: stored values are never shown. Leave a "
                "field blank to keep its value; tick “clear” to remove it. Required — "
                + _required_help()
                + ".",
            },
        ),
        (
            "Status",
            {
                "fields": ["status", "status_reason", "status_changed_at"],
                "description": "Change it with the list's actions: disable, remove "
                "or re-activate. Data already synced is always kept.",
            },
        ),
        ("Sync and write-back", {"fields": ["work_links"]}),
        ("Connector", {"fields": ["capability_table", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        summary = _sync_admin().stream_health_summary("practice__sync_streams__")
        return super().get_queryset(request).annotate(**summary)

    @admin.display(description="sync health", ordering="sync_worst_health")
    def sync_health(self, obj: PmsConnection) -> str:
        """Return the worst health among the practice's streams, linking to them."""
        if obj.sync_worst_health is None:
            return "no streams"
        sync = _sync_admin()
        url = reverse("admin:syncjobs_syncstream_changelist")
        return sync.health_badge(
            sync.HEALTH_ORDER[obj.sync_worst_health],
            f"{url}?practice__id__exact={obj.practice_id}",
        )

    @admin.display(description="oldest success", ordering="sync_oldest_success")
    def sync_lag(self, obj: PmsConnection) -> str:
        """Return the lag of the scheduled stream whose last success is oldest."""
        if obj.sync_never_succeeded:
            return "never"
        if obj.sync_oldest_success is None:
            return "—"
        return _sync_admin().ago(timezone.now() - obj.sync_oldest_success)

    @admin.display(description="failures in a row", ordering="sync_most_failures")
    def sync_failures(self, obj: PmsConnection) -> int | str:
        """Return the most consecutive failures of any of the practice's streams."""
        return "—" if obj.sync_most_failures is None else obj.sync_most_failures

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "practice"] if obj else fields

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # "Remove" keeps history; a hard delete would orphan it.
        return False

    @method_decorator(sensitive_post_parameters(*CREDENTIAL_FIELDS))
    def changeform_view(
        self, request: HttpRequest, object_id=None, form_url="", extra_context=None
    ) -> HttpResponse:
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        # The form already wrote its values onto `obj`: read the old ones first.
        stored = PmsConnection.objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        record_connection_edit(obj, stored, request.user)
        announce_connection_changed(obj)

    @admin.display(description="Credentials")
    def credentials_state(self, obj: PmsConnection) -> str:
        missing = obj.missing_credentials()
        return f"missing: {', '.join(missing)}" if missing else "complete"

    @admin.display(description="This practice's")
    def work_links(self, obj: PmsConnection) -> str:
        """Link to the practice's rows in the lists staff work from."""
        if obj.pk is None:
            return "—"
        practice = f"practice__id__exact={obj.practice_id}"
        return format_html_join(
            " · ",
            '<a href="{}?{}">{}</a>',
            (
                (reverse(f"admin:{name}_changelist"), f"{practice}{extra}", label)
                for name, extra, label in WORK_LISTS
            ),
        )

    @admin.display(description="Connector capabilities")
    def capability_table(self, obj: PmsConnection) -> str:
        capabilities = capabilities_for(obj.pms_type) if obj.pms_type else frozenset()
        if not capabilities:
            return format_html(
                "<em>not registered</em> — no connector for {} is registered yet.",
                obj.get_pms_type_display() or "this PMS",
            )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td></tr>",
            ((c.value, "yes" if c in capabilities else "—") for c in Capability),
        )
        return format_html(
            "<table><tr><th>capability</th><th></th></tr>{}</table>", rows
        )

    @admin.action(description="Disable selected connections", permissions=["change"])
    def disable(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._change_status(request, queryset, ConnectionStatus.DISABLED)

    @admin.action(description="Remove selected connections", permissions=["change"])
    def remove(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._change_status(request, queryset, ConnectionStatus.REMOVED)

    @admin.action(
        description="Re-activate selected connections", permissions=["change"]
    )
    def reactivate(
        self, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        return self._change_status(request, queryset, ConnectionStatus.ACTIVE)

    def has_stream_change_permission(self, request: HttpRequest) -> bool:
        return _sync_admin().may_change_streams(request)

    @admin.action(
        description="Resync selected practices from scratch",
        permissions=["stream_change"],
    )
    def resync_practices(self, request: HttpRequest, queryset: QuerySet) -> None:
        ids = queryset.values_list("practice_id", flat=True)
        _sync_admin().resync_practices(self, request, ids)

    def _change_status(
        self, request: HttpRequest, queryset: QuerySet, status: ConnectionStatus
    ) -> HttpResponse | None:
        form = StatusReasonForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/practices/pmsconnection/change_status.html",
                {
                    **self.admin_site.each_context(request),
                    "title": f"Set status “{status.label}”",
                    "opts": self.model._meta,
                    "connections": queryset.select_related("practice"),
                    "status": status,
                    "form": form,
                    "action": request.POST.get("action", ""),
                    "checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        moved = change_connection_status(
            queryset.select_related("practice"),
            status,
            form.cleaned_data["reason"],
            request.user,
        )
        self.message_user(
            request,
            f"{counted(len(moved), 'connection')} set to {status.label}.",
            messages.SUCCESS,
        )
        unusable = [
            c for c in moved if status == ConnectionStatus.ACTIVE and not c.is_usable
        ]
        for connection in unusable:
            self.message_user(
                request,
                f"{connection.practice}: missing "
                f"{', '.join(connection.missing_credentials())}; "
                "no sync runs until they are set.",
                messages.WARNING,
            )
        return None
