"""Shared state of the per-connection request budgets (see pms/budget/).

Used only when no Redis is configured. Times are epoch seconds of the
database's own clock on PostgreSQL, so every node agrees on them.
"""

from django.db import models


class BudgetState(models.Model):
    """When the next call on one connection may start, and who is in flight."""

    key = models.CharField(max_length=100, unique=True)
    next_start_at = models.FloatField(default=0)
    busy_token = models.CharField(max_length=40, blank=True, default="")
    busy_until = models.FloatField(default=0)
    # The budget whose call set `next_start_at`, while nothing else has moved it.
    last_owner = models.CharField(max_length=40, blank=True, default="")

    def __str__(self) -> str:
        return self.key


class BudgetWaiter(models.Model):
    """A caller waiting for a slot; the lowest (lane, id) is served next."""

    key = models.CharField(max_length=100)
    lane = models.SmallIntegerField()
    token = models.CharField(max_length=40, unique=True)
    expires_at = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["key", "lane", "id"], name="pms_budget_queue")]

    def __str__(self) -> str:
        return f"{self.key} lane {self.lane}"
