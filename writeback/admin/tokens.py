"""Staff admin for service tokens and the read-only attempt history."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from pbnsync.admin import LongListAdmin
from practices.audit import ACCESS_SECTION, NO_ACCESS, on_off, record_changes
from practices.models import Practice

from ..models import ServiceToken, WriteAttempt

# practice -> "On" (token active) or "Off" (inactive); absent: no access.
Scope = dict[Practice, str]


def token_scope(token: ServiceToken | None) -> Scope:
    """Return the practices `token` may write for, as stored, with its state."""
    if token is None or token.pk is None:
        return {}
    return {p: on_off(token.is_active) for p in token.practices.all()}


def record_scope_changes(
    token: ServiceToken, user: AbstractBaseUser | None, before: Scope, after: Scope
) -> None:
    """Record, per practice, the token's access gained, lost or switched."""
    key = (ACCESS_SECTION, f"Write-back API token {token}")
    for practice in sorted(before.keys() | after.keys(), key=lambda p: p.pk):
        record_changes(
            practice,
            user,
            {key: before.get(practice, NO_ACCESS)},
            {key: after.get(practice, NO_ACCESS)},
        )


@admin.register(ServiceToken)
class ServiceTokenAdmin(admin.ModelAdmin):
    list_display = [
        "service",
        "label",
        "hint",
        "is_active",
        "created_at",
        "last_used_at",
    ]
    list_filter = ["service", "is_active"]
    search_fields = ["service", "label", "hint"]
    filter_horizontal = ["practices"]
    readonly_fields = ["hint", "created_at", "last_used_at"]
    fields = ["service", "label", "practices", "is_active", *readonly_fields]

    def save_model(self, request: HttpRequest, obj: ServiceToken, form, change) -> None:
        # The database still holds the old scope; the practices follow in
        # save_related.
        form.scope_before = token_scope(
            ServiceToken.objects.get(pk=obj.pk) if change else None
        )
        if not change:
            token = obj.set_new_token()
            messages.warning(
                request,
                f"The new token is {token} — copy it now; it is stored only as a "
                "hash and will not be shown again.",
            )
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        token = form.instance
        record_scope_changes(token, request.user, form.scope_before, token_scope(token))

    def delete_model(self, request: HttpRequest, obj: ServiceToken) -> None:
        before = token_scope(obj)
        super().delete_model(request, obj)
        record_scope_changes(obj, request.user, before, {})

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        before = [(token, token_scope(token)) for token in queryset]
        super().delete_queryset(request, queryset)
        for token, scope in before:
            record_scope_changes(token, request.user, scope, {})


@admin.register(WriteAttempt)
class WriteAttemptAdmin(LongListAdmin):
    list_display = [
        "job",
        "number",
        "outcome",
        "checked_first",
        "outcome_unknown",
        "started_at",
        "finished_at",
        "error",
    ]
    list_filter = ["outcome", "outcome_unknown", "checked_first"]
    search_fields = ["error", "job__idempotency_key"]
    list_select_related = ["job"]
    readonly_fields = [f.name for f in WriteAttempt._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
