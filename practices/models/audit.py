from django.conf import settings
from django.db import models

from .practice import Practice


class SettingChange(models.Model):
    """One changed setting: who, when, which, old → new. Append-only."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="setting_changes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    section = models.CharField(max_length=80)
    setting = models.CharField(max_length=200)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.setting}: {self.old_value} → {self.new_value}"
