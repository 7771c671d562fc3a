"""An in-process Connector over Python lists, for the engine's own mechanics only.

End-to-end behaviour is tested through the real connectors and the simulator; this
fake exists to drive leases, checkpoints, resume and failure handling exactly.
Each entity is an append-only change log: a cursor is the position in it, so a
"changed since" read returns what was appended after the cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pms.base import (
    Appointment,
    Capability,
    ConnectionConfig,
    Connector,
    Deletion,
    Entity,
    Page,
    Patient,
    PmsError,
    RecordError,
    ReferenceValue,
)

T0 = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


class Crash(BaseException):
    """Stands in for the worker process dying (not an Exception: nothing catches it)."""


@dataclass
class Script:
    """What the fake does on its next calls: raise these, in order, before reading."""

    failures: list[BaseException] = field(default_factory=list)
    crash_after_pages: int | None = None  # raise Crash once this many pages served


def patient(n: int, *, minutes: int = 0, **extra: Any) -> Patient:
    """Return patient number `n`, modified `minutes` after T0."""
    values = {"first_name": f"First{n}", "last_name": f"Last{n}", **extra}
    return Patient(
        pms_id=str(n),
        modified_at=T0 + timedelta(minutes=minutes),
        raw={"PatNum": n, **{k: str(v) for k, v in values.items()}},
        **values,
    )


def appointment(
    n: int, patient_id: int = 1, *, minutes: int = 0, **extra
) -> Appointment:
    """Return appointment number `n` of `patient_id`."""
    values = {"status": "Scheduled", "confirmation_pms_id": "19", **extra}
    return Appointment(
        pms_id=str(n),
        patient_pms_id=str(patient_id),
        start_at=T0 + timedelta(days=1, hours=n % 8),
        duration_minutes=30,
        modified_at=T0 + timedelta(minutes=minutes),
        raw={"AptNum": n, **{k: str(v) for k, v in values.items()}},
        **values,
    )


class ListConnector(Connector):
    pms_type = "fake"
    label = "Fake PMS"
    capabilities = frozenset(
        {
            Capability.READ_PATIENTS,
            Capability.READ_APPOINTMENTS,
            Capability.READ_DELETIONS,
        }
    )

    def __init__(self, page_size: int = 3) -> None:
        super().__init__(ConnectionConfig(0, "fake", "http://fake.invalid", {}))
        self.page_size = page_size
        self.logs: dict[str, list[Any]] = {"patient": [], "appointment": []}
        self.deletions: list[Deletion] = []
        self.reference: list[ReferenceValue] = [
            ReferenceValue("operatory", "1", "Op 1"),
            ReferenceValue("provider", "7", "DOC1"),
            ReferenceValue("appointment_status", "19", "Unconfirmed"),
            ReferenceValue("appointment_status", "20", "Confirmed"),
        ]
        self.errors: dict[str, list[tuple[int, RecordError]]] = {}
        self.script = Script()
        self.pages_served = 0
        self.calls: list[tuple[str, str | None]] = []
        self.total_estimate: Callable[[Entity], int | None] | None = None

    # test helpers
    def add(self, *records: Any) -> None:
        """Append records (or new versions of them) to their entity's log."""
        for record in records:
            kind = "patient" if isinstance(record, Patient) else "appointment"
            self.logs[kind].append(record)

    def fail_next(self, *failures: BaseException) -> None:
        self.script.failures.extend(failures)

    def _serve(self, key: str, log: list[Any], cursor: str | None) -> Page:
        self.calls.append((key, cursor))
        if self.script.failures:
            raise self.script.failures.pop(0)
        if (
            self.script.crash_after_pages is not None
            and self.pages_served >= self.script.crash_after_pages
        ):
            self.script.crash_after_pages = None
            raise Crash(f"killed after {self.pages_served} pages")
        start = int(cursor or 0)
        end = min(len(log), start + self.page_size)
        errors = [e for at, e in self.errors.get(key, []) if start <= at < end]
        self.pages_served += 1
        return Page(log[start:end], str(end), end < len(log), errors)

    # the connector interface
    def fetch_reference(self) -> list[ReferenceValue]:
        self.calls.append(("reference", None))
        if self.script.failures:
            raise self.script.failures.pop(0)
        return list(self.reference)

    def fetch_changed(self, entity: Entity, cursor: str | None) -> Page:
        if entity not in ("patient", "appointment"):
            raise PmsError(f"no {entity} feed", permanent=True)
        return self._serve(str(entity), self.logs[str(entity)], cursor)

    def fetch_deletions(self, cursor: str | None) -> Page[Deletion]:
        return self._serve("deletions", self.deletions, cursor)

    def estimate_total(self, entity: Entity) -> int | None:
        return self.total_estimate(entity) if self.total_estimate else None

    def _latest(self, kind: str, pms_id: str) -> Any:
        self.calls.append((f"one:{kind}", pms_id))
        if self.script.failures:
            raise self.script.failures.pop(0)
        for record in reversed(self.logs[kind]):
            if record.pms_id == pms_id:
                return record
        raise PmsError(f"no {kind} {pms_id}", permanent=True, status=404)

    def fetch_patient(self, pms_id: str) -> Patient:
        return self._latest("patient", pms_id)

    def fetch_appointment(self, pms_id: str) -> Appointment:
        return self._latest("appointment", pms_id)

    def write_note(self, request):
        raise NotImplementedError

    def set_confirmation(self, request):
        raise NotImplementedError

    def upload_document(self, request):
        raise NotImplementedError

    def create_patient(self, request):
        raise NotImplementedError

    def create_appointment(self, request):
        raise NotImplementedError

    def post_payment(self, request):
        raise NotImplementedError

    def find_written(self, kind, patient_pms_id, marker):
        raise NotImplementedError
