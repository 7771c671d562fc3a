"""Admin for practices, memberships and PMS reference data."""

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from pbnsync.admin import ReadOnlyAdmin

from ..audit import audited_access, record_practice_edit
from ..defaults import ensure_settings
from ..models import Membership, Practice, ReferenceItem
from ..signals import announce_settings_saved


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "can_manage_settings", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "connection_status", "created_at"]
    list_filter = ["time_zone", "connection__status", "connection__pms_type"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    @admin.display(description="PMS connection")
    def connection_status(self, obj: Practice) -> str:
        connection = getattr(obj, "connection", None)
        if connection is None:
            return "not connected"
        return (
            f"{connection.get_pms_type_display()} — {connection.get_status_display()}"
        )

    def save_model(
        self, request: HttpRequest, obj: Practice, form, change: bool
    ) -> None:
        # The form already wrote its values onto `obj`: read the old ones first.
        stored = Practice.objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        ensure_settings(obj)
        if stored is not None and record_practice_edit(obj, stored, request.user):
            # A new time zone or nightly window moves the nightly run at once.
            announce_settings_saved(obj)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets, change: bool
    ) -> None:
        # The memberships inline saves here, after the practice itself.
        with audited_access([form.instance], request.user):
            super().save_related(request, form, formsets, change)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Every membership added, changed, moved or removed is audited per practice."""

    list_display = ["user", "practice", "can_manage_settings", "created_at"]
    list_filter = ["can_manage_settings", "practice"]
    search_fields = ["user__username", "user__email", "practice__name"]
    list_select_related = ["user", "practice"]
    autocomplete_fields = ["user", "practice"]

    def save_model(
        self, request: HttpRequest, obj: Membership, form, change: bool
    ) -> None:
        # A changed practice moves the access: audit where it left and arrived.
        practices = [obj.practice]
        if change:
            practices.append(Membership.objects.get(pk=obj.pk).practice)
        with audited_access(practices, request.user):
            super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        with audited_access([obj.practice], request.user):
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        practices = Practice.objects.filter(
            pk__in=queryset.values_list("practice_id", flat=True)
        )
        with audited_access(list(practices), request.user):
            super().delete_queryset(request, queryset)


@admin.register(ReferenceItem)
class ReferenceItemAdmin(ReadOnlyAdmin):
    """Show the PMS's reference data; only the reference sync writes it (an edit
    would be unaudited and undone by the next refresh; mappings point at these
    rows, and a refresh only marks them inactive)."""

    list_display = ["label", "pms_id", "kind", "practice", "active", "updated_at"]
    list_filter = ["kind", "active", "practice"]
    search_fields = ["label", "pms_id", "practice__name"]
    list_select_related = ["practice"]
