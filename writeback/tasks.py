"""django-q2 entry points for write-back; each takes an id and calls one function."""

from __future__ import annotations

from .models import OutboxJob
from .push import push_job


def deliver(job_id: int) -> str:
    """Deliver one outbox job; return its status afterwards."""
    job = OutboxJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    return push_job(job).status
