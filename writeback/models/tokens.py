"""API tokens of the platform services that submit activities."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone

from practices.models import Practice

TOKEN_PREFIX = "pbnwb_"


def hash_token(token: str) -> str:
    """Return the stored digest of a token (high-entropy, so a plain SHA-256)."""
    return hashlib.sha256(token.encode()).hexdigest()


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

    def touch(self) -> None:
        """Record a use, at most once a minute to spare writes."""
        now = timezone.now()
        if self.last_used_at and (now - self.last_used_at).total_seconds() < 60:
            return
        type(self).objects.filter(pk=self.pk).update(last_used_at=now)
        self.last_used_at = now
