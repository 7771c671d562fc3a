"""django-q2 entry points for write-back."""

from __future__ import annotations

from .models import OutboxJob
from .push import push_job
from .retention import prune_outbox as _prune_outbox


def deliver(job_id: int) -> str:
    """Deliver one outbox job; return its status afterwards."""
    job = OutboxJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    return push_job(job).status


def prune_outbox() -> dict[str, int]:
    """Scheduled daily by setup_schedules."""
    return _prune_outbox()
