"""Writes over the agent protocol: one command per write, keyed by our marker (§7)."""

from __future__ import annotations

import abc
import uuid
from typing import Any

from ..base import (
    AppointmentRequest,
    ConfirmationRequest,
    DocumentRequest,
    NoteChannel,
    NoteDirection,
    NoteRequest,
    PatientRequest,
    PaymentRequest,
    PmsError,
    WriteKind,
    WriteResult,
)
from .client import AgentClient

_DIRECTION = {
    NoteDirection.OUTGOING: "sent",
    NoteDirection.INCOMING: "received",
    NoteDirection.NONE: "logged",
}
_CHANNEL = {
    NoteChannel.SMS: "SMS",
    NoteChannel.PHONE: "Call",
    NoteChannel.EMAIL: "Email",
    NoteChannel.OTHER: "Note",
}


class AgentWrites(abc.ABC):
    """The Connector write methods; vendors turn each request into a payload."""

    label: str
    client: AgentClient

    @abc.abstractmethod
    def note_payload(self, request: NoteRequest) -> dict[str, Any]: ...

    @abc.abstractmethod
    def confirmation_payload(self, request: ConfirmationRequest) -> dict[str, Any]: ...

    @abc.abstractmethod
    def document_payload(self, request: DocumentRequest) -> dict[str, Any]: ...

    @abc.abstractmethod
    def patient_payload(self, request: PatientRequest) -> dict[str, Any]: ...

    @abc.abstractmethod
    def appointment_payload(self, request: AppointmentRequest) -> dict[str, Any]: ...

    @abc.abstractmethod
    def payment_payload(self, request: PaymentRequest) -> dict[str, Any]: ...

    def write_note(self, request: NoteRequest) -> WriteResult:
        return self._run(WriteKind.NOTE, request.marker, self.note_payload(request))

    def set_confirmation(self, request: ConfirmationRequest) -> WriteResult:
        # No marker: setting a status twice is harmless, so a fresh key each time.
        key = f"confirm-{request.appointment_pms_id}-{uuid.uuid4().hex}"[-100:]
        return self._run(
            WriteKind.CONFIRMATION, key, self.confirmation_payload(request)
        )

    def upload_document(self, request: DocumentRequest) -> WriteResult:
        return self._run(
            WriteKind.DOCUMENT, request.marker, self.document_payload(request)
        )

    def create_patient(self, request: PatientRequest) -> WriteResult:
        return self._run(
            WriteKind.PATIENT, request.marker, self.patient_payload(request)
        )

    def create_appointment(self, request: AppointmentRequest) -> WriteResult:
        payload = self.appointment_payload(request)
        return self._run(WriteKind.APPOINTMENT, request.marker, payload)

    def post_payment(self, request: PaymentRequest) -> WriteResult:
        return self._run(
            WriteKind.PAYMENT, request.marker, self.payment_payload(request)
        )

    def find_written(
        self, kind: WriteKind, patient_pms_id: str, marker: str
    ) -> str | None:
        """Return the PMS id of the command stored under `marker`, once it is done."""
        body = self.client.command(marker, f"the {kind} written as {marker}")
        if body is None or body.get("type") != kind or body.get("status") != "done":
            return None
        pms_id = body.get("pms_id")
        return str(pms_id) if pms_id not in (None, "", 0) else None

    def _run(self, kind: WriteKind, key: str, payload: dict[str, Any]) -> WriteResult:
        if not key:
            raise PmsError(f"A {kind} for {self.label} needs a marker", permanent=True)
        what = f"the {kind} {key}"
        return WriteResult(self.client.run(key, str(kind), payload, what))

    @staticmethod
    def note_summary(request: NoteRequest) -> str:
        """Return what happened in a few words, e.g. "SMS sent", "Call received"."""
        return f"{_CHANNEL[request.channel]} {_DIRECTION[request.direction]}"

    def number(self, value: str, what: str) -> int:
        """Return one of our PMS id strings as the integer the vendor column needs."""
        if not str(value).isdigit():
            raise PmsError(f"{value!r} is not a {self.label} {what} id", permanent=True)
        return int(value)
