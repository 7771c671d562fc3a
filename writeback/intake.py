"""Accept an activity into the outbox, once per (service, idempotency key)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from practices.models import Practice, WriteBackKind

from .kinds import ordering_key_for
from .models import OutboxJob
from .payloads import validate_payload
from .screen import screen


class IntakeError(Exception):
    """The activity was refused; `errors` name the fields, `status` the HTTP code."""

    def __init__(self, errors: dict[str, list[str]], status: int = 400) -> None:
        super().__init__(errors)
        self.errors = errors
        self.status = status


@dataclass(frozen=True)
class Submission:
    job: OutboxJob
    created: bool


def _replay(job: OutboxJob, practice: Practice, kind: str) -> Submission:
    if job.practice_id != practice.pk or job.kind != kind:
        raise IntakeError(
            {"idempotency_key": ["Already used for a different activity."]}, 409
        )
    return Submission(job, created=False)


def submit_activity(
    *,
    practice: Practice,
    kind: str,
    payload: dict,
    service: str,
    idempotency_key: str,
) -> Submission:
    """Record an activity for write-back and screen it against the practice's policy.

    A repeat of (service, idempotency_key) returns the first job unchanged.
    Raises IntakeError when the kind or payload is invalid.
    """
    if not idempotency_key:
        raise IntakeError({"idempotency_key": ["This field is required."]})
    existing = OutboxJob.objects.filter(
        service=service, idempotency_key=idempotency_key
    ).first()
    if existing:
        return _replay(existing, practice, kind)
    if kind not in WriteBackKind.values:
        raise IntakeError({"kind": [f"Unknown kind {kind!r}."]})
    clean, errors = validate_payload(kind, payload, practice.tzinfo)
    if clean is None:
        raise IntakeError({f"payload.{name}": msgs for name, msgs in errors.items()})
    try:
        with transaction.atomic():
            job = OutboxJob.objects.create(
                practice=practice,
                kind=kind,
                service=service,
                idempotency_key=idempotency_key,
                payload=clean,
                ordering_key=ordering_key_for(kind, clean),
                patient_pms_id=clean.get("patient_pms_id", ""),
            )
    except IntegrityError:
        # A concurrent submission with the same key won the race.
        existing = OutboxJob.objects.get(
            service=service, idempotency_key=idempotency_key
        )
        return _replay(existing, practice, kind)
    screen(job)
    return Submission(job, created=True)
