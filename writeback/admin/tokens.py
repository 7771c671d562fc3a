"""Staff admin for service tokens and the read-only attempt history."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html

from pbnsync.admin import LongListAdmin, ReadOnlyAdmin
from practices.audit import ACCESS_SECTION, NO_ACCESS, on_off, record_changes
from practices.models import Practice, WriteBackKind

from ..models import ServiceToken, WriteAttempt

# practice -> ("On" (token active) or "Off" (inactive), the kinds' labels);
# absent: no access.
Scope = dict[Practice, tuple[str, str]]
SHOWN_KINDS = 3


def token_scope(token: ServiceToken | None) -> Scope:
    """Return the practices `token` may write for, as stored, with its state."""
    if token is None or token.pk is None:
        return {}
    state = (on_off(token.is_active), token.kinds_display())
    return {p: state for p in token.practices.all()}


def record_scope_changes(
    token: ServiceToken, user: AbstractBaseUser | None, before: Scope, after: Scope
) -> None:
    """Record, per practice, the token's access and kinds gained, lost or changed."""
    access = (ACCESS_SECTION, f"Write-back API token {token}")
    kinds = (ACCESS_SECTION, f"Write-back API token {token}: kinds")
    for practice in sorted(before.keys() | after.keys(), key=lambda p: p.pk):
        old_access, old_kinds = before.get(practice, (NO_ACCESS, NO_ACCESS))
        new_access, new_kinds = after.get(practice, (NO_ACCESS, NO_ACCESS))
        old, new = {access: old_access}, {access: new_access}
        if practice in after:  # losing access says it all; no kinds row for that
            old[kinds], new[kinds] = old_kinds, new_kinds
        record_changes(practice, user, old, new)


@admin.register(ServiceToken)
class ServiceTokenAdmin(admin.ModelAdmin):
    list_display = [
        "service",
        "label",
        "hint",
        "kinds_column",
        "is_active",
        "created_at",
        "last_used_at",
    ]
    list_filter = ["service", "is_active"]
    search_fields = ["service", "label", "hint"]
    filter_horizontal = ["practices"]
    readonly_fields = ["hint", "created_at", "last_used_at"]
    fields = ["service", "label", "practices", "kinds", "is_active", *readonly_fields]

    @admin.display(description="Kinds")
    def kinds_column(self, token: ServiceToken) -> str:
        labels = token.kind_labels()
        if len(labels) == len(WriteBackKind.values):
            short = "All kinds"
        elif len(labels) > SHOWN_KINDS:
            shown = ", ".join(labels[:SHOWN_KINDS])
            short = f"{shown} +{len(labels) - SHOWN_KINDS} more"
        else:
            short = token.kinds_display()
        return format_html('<span title="{}">{}</span>', token.kinds_display(), short)

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
class WriteAttemptAdmin(LongListAdmin, ReadOnlyAdmin):
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
