"""Per-connection request budgets shared by every worker process and node
(`pacing`: the rules; `database` and `redis_store`: where the state lives)."""

from __future__ import annotations

from django.conf import settings

from .database import DatabaseStore
from .pacing import BudgetStore, Call, RequestBudget, Turn
from .redis_store import RedisStore

__all__ = [
    "BudgetStore",
    "Call",
    "DatabaseStore",
    "RedisStore",
    "RequestBudget",
    "Turn",
    "budget_for",
    "default_store",
    "redis_url",
]


def redis_url() -> str:
    """Return the Redis URL the cluster uses, or "" when it runs on the database."""
    url = getattr(settings, "REDIS_URL", "") or ""
    if not url:
        broker = settings.Q_CLUSTER.get("redis", "")
        url = broker if isinstance(broker, str) else ""
    return url


def default_store() -> BudgetStore:
    """Return the shared store this deployment uses: Redis if set, else the DB."""
    url = redis_url()
    return RedisStore(url) if url else DatabaseStore()


def budget_for(
    key: str, interval_ms: int, *, lease_s: float = 120.0, label: str = "the PMS"
) -> RequestBudget | None:
    """Return the budget for connection `key`, or None when it is unthrottled.

    The PMS times our calls when they arrive, not when we send them, so a
    margin (PMS_BUDGET_MARGIN_MS, default 20) absorbs the jitter in between.
    """
    if interval_ms <= 0:
        return None
    margin_ms = getattr(settings, "PMS_BUDGET_MARGIN_MS", 20)
    return RequestBudget(
        key,
        (interval_ms + margin_ms) / 1000,
        default_store(),
        lease_s=lease_s,
        label=label,
        margin_s=margin_ms / 1000,
    )
