"""An in-process fake PMS connector for unit tests of the outbox state machine.

No HTTP: end-to-end tests use the simulator and the real connectors instead.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from pms.base import (
    Appointment,
    AppointmentRequest,
    Capability,
    ConfirmationRequest,
    ConnectionConfig,
    Connector,
    DocumentRequest,
    Lane,
    NoteRequest,
    Patient,
    PatientRequest,
    PaymentRequest,
    PmsError,
    PmsOutcomeUnknown,
    WriteKind,
    WriteResult,
)

WRITES = frozenset(
    {
        Capability.WRITE_NOTE,
        Capability.WRITE_CONFIRMATION,
        Capability.WRITE_DOCUMENT,
        Capability.WRITE_PATIENT,
        Capability.WRITE_APPOINTMENT,
        Capability.WRITE_APPOINTMENT_UNPLACED,
        Capability.WRITE_PAYMENT,
        Capability.WRITE_FEE,
    }
)


@dataclass
class Written:
    kind: WriteKind
    patient_pms_id: str
    marker: str
    request: object


class FakeConnector(Connector):
    """Keeps writes in memory; `faults` are consumed one per write call."""

    pms_type = "open_dental"
    label = "Open Dental"
    capabilities = WRITES

    def __init__(
        self, config: ConnectionConfig | None = None, lane: Lane = Lane.WRITE_BACK
    ) -> None:
        super().__init__(config or ConnectionConfig(0, "open_dental", "", {}), lane)
        self.ids = itertools.count(1000)
        self.records: dict[str, Written] = {}
        self.statuses: dict[str, str] = {}
        self.faults: list[str] = []
        self.calls: list[str] = []
        self.on_write: Callable[[], None] | None = None
        self.lie_on_read_back = False
        # Fields changed in what fetch_patient/fetch_appointment read back, as if
        # the PMS had stored something other than what was sent.
        self.read_back_changes: dict[str, object] = {}

    # --- faults -----------------------------------------------------------------

    def _apply(self, name: str, kind: WriteKind, patient: str, marker: str, req) -> str:
        self.calls.append(name)
        fault = self.faults.pop(0) if self.faults else ""
        if fault == "5xx":
            raise PmsError("503 Service Unavailable", permanent=False, status=503)
        if fault == "429":
            raise PmsError("429 Too Many", permanent=False, status=429, retry_after=30)
        if fault == "4xx":
            raise PmsError(
                "400 Bad Request: PatNum invalid", permanent=True, status=400
            )
        if fault == "unknown_before":
            raise PmsOutcomeUnknown("read timed out")
        pms_id = self._store(kind, patient, marker, req)
        if fault == "unknown_after":
            raise PmsOutcomeUnknown("read timed out after the write applied")
        return pms_id

    def _store(self, kind: WriteKind, patient: str, marker: str, req) -> str:
        if isinstance(req, ConfirmationRequest):
            self.statuses[req.appointment_pms_id] = req.status_pms_id
            return req.appointment_pms_id
        pms_id = str(next(self.ids))
        self.records[pms_id] = Written(kind, patient, marker, req)
        return pms_id

    def of_kind(self, kind: WriteKind) -> list[Written]:
        return [w for w in self.records.values() if w.kind is kind]

    # --- writes -----------------------------------------------------------------

    def write_note(self, request: NoteRequest) -> WriteResult:
        args = (WriteKind.NOTE, request.patient_pms_id, request.marker, request)
        return WriteResult(self._apply("write_note", *args))

    def set_confirmation(self, request: ConfirmationRequest) -> WriteResult:
        args = (WriteKind.CONFIRMATION, "", "", request)
        return WriteResult(self._apply("set_confirmation", *args))

    def upload_document(self, request: DocumentRequest) -> WriteResult:
        args = (WriteKind.DOCUMENT, request.patient_pms_id, request.marker, request)
        return WriteResult(self._apply("upload_document", *args))

    def create_patient(self, request: PatientRequest) -> WriteResult:
        args = (WriteKind.PATIENT, "", request.marker, request)
        return WriteResult(self._apply("create_patient", *args))

    def create_appointment(self, request: AppointmentRequest) -> WriteResult:
        args = (WriteKind.APPOINTMENT, request.patient_pms_id, request.marker, request)
        return WriteResult(self._apply("create_appointment", *args))

    def post_payment(self, request: PaymentRequest) -> WriteResult:
        args = (WriteKind.PAYMENT, request.patient_pms_id, request.marker, request)
        return WriteResult(self._apply("post_payment", *args))

    # --- reads ------------------------------------------------------------------

    def find_written(self, kind: WriteKind, patient_pms_id: str, marker: str):
        self.calls.append("find_written")
        if self.lie_on_read_back:
            return None
        for pms_id, w in self.records.items():
            if w.kind is kind and w.marker == marker:
                if not patient_pms_id or w.patient_pms_id == patient_pms_id:
                    return pms_id
        return None

    def fetch_appointment(self, pms_id: str) -> Appointment:
        self.calls.append("fetch_appointment")
        w = self.records.get(pms_id)
        if w is None:  # an existing appointment, known only by its status
            appointment = Appointment(
                pms_id=pms_id,
                patient_pms_id="101",
                start_at=datetime(2026, 1, 5, 15, tzinfo=UTC),
                confirmation_pms_id=self.statuses.get(pms_id, "19"),
            )
        else:
            req = w.request
            appointment = Appointment(
                pms_id=pms_id,
                patient_pms_id=req.patient_pms_id,
                start_at=req.start_at,
                duration_minutes=req.duration_minutes,
                provider_pms_id=req.provider_pms_id,
                operatory_pms_id=req.operatory_pms_id,
                confirmation_pms_id=self.statuses.get(pms_id, "19"),
            )
        return replace(appointment, **self.read_back_changes)

    def fetch_patient(self, pms_id: str) -> Patient:
        self.calls.append("fetch_patient")
        req = self.records[pms_id].request
        patient = Patient(
            pms_id=pms_id,
            first_name=req.first_name,
            last_name=req.last_name,
            birthdate=req.birthdate,
            email=req.email,
            phone=req.phone,
        )
        return replace(patient, **self.read_back_changes)

    def fetch_reference(self):
        return []

    def fetch_changed(self, entity, cursor):
        raise NotImplementedError

    def fetch_deletions(self, cursor):
        raise NotImplementedError
