"""API tokens of the platform services that submit activities."""

from __future__ import annotations

import hashlib
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from practices.models import Practice, WriteBackKind

TOKEN_PREFIX = "pbnwb_"
NO_KINDS = "Choose at least one kind of activity this token may submit."


def hash_token(token: str) -> str:
    """Return the stored digest of a token (high-entropy, so a plain SHA-256)."""
    return hashlib.sha256(token.encode()).hexdigest()


def validate_kinds(value: object) -> None:
    """Refuse anything but a list of WriteBackKind values."""
    # Codes of their own: a field's error_messages replace "invalid" and the like.
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("Must be a list of activity kinds.", code="not_kinds")
    unknown = sorted(set(value) - set(WriteBackKind.values))
    if unknown:
        raise ValidationError(
            "Unknown activity kinds: %(kinds)s.",
            code="unknown_kind",
            params={"kinds": ", ".join(unknown)},
        )


class KindsField(models.JSONField):
    """A list of WriteBackKind values, edited as a list of checkboxes."""

    def formfield(self, **kwargs) -> forms.Field:
        # Skip JSONField's own form field (a JSON textarea) for a multiple choice.
        return models.Field.formfield(
            self,
            **{
                "form_class": forms.MultipleChoiceField,
                "choices": WriteBackKind.choices,
                "widget": forms.CheckboxSelectMultiple,
                "error_messages": {"required": NO_KINDS},
                **kwargs,
            },
        )


class ServiceTokenQuerySet(models.QuerySet):
    def authenticate(self, token: str) -> ServiceToken | None:
        """Return the active token matching `token`, or None."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        return self.filter(digest=hash_token(token), is_active=True).first()


class ServiceToken(models.Model):
    """A bearer token for one service, allowed to write for some practices only."""

    service = models.CharField(
        max_length=60, help_text="e.g. messaging, phone, forms, payments, scheduling."
    )
    label = models.CharField(max_length=120, blank=True, default="")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=16, editable=False, help_text="The token's first characters."
    )
    practices = models.ManyToManyField(
        Practice, related_name="writeback_tokens", blank=True
    )
    kinds = KindsField(
        default=list,
        validators=[validate_kinds],
        error_messages={"blank": NO_KINDS},
        help_text="The kinds of activity this token may submit.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ServiceTokenQuerySet.as_manager()

    class Meta:
        ordering = ["service", "label"]

    def __str__(self) -> str:
        return f"{self.service} {self.label} ({self.hint}…)".strip()

    def set_new_token(self) -> str:
        """Generate a token, keep only its digest and hint, and return it once."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.digest = hash_token(token)
        self.hint = token[: len(TOKEN_PREFIX) + 4]
        return token

    def can_access(self, practice_id: int) -> bool:
        """Return whether this token may act for the practice."""
        return self.practices.filter(pk=practice_id).exists()

    def can_submit(self, kind: str) -> bool:
        """Return whether this token may submit activities of `kind`."""
        return kind in self.kinds

    def kind_labels(self) -> list[str]:
        """Return the labels of the kinds this token may submit, in their order."""
        return [k.label for k in WriteBackKind if k.value in self.kinds]

    def kinds_display(self) -> str:
        """Return the kinds' labels as one comma-separated line."""
        return ", ".join(self.kind_labels()) or "(none)"

    def touch(self) -> None:
        """Record a use, at most once a minute to spare writes."""
        now = timezone.now()
        if self.last_used_at and (now - self.last_used_at).total_seconds() < 60:
            return
        type(self).objects.filter(pk=self.pk).update(last_used_at=now)
        self.last_used_at = now
