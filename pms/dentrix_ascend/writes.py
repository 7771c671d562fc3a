"""Dentrix Ascend write-backs and finding them again by marker (facts §1.7, S3)."""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..base import (
    AppointmentRequest,
    ConfirmationRequest,
    DocumentRequest,
    NoteRequest,
    PatientRequest,
    PaymentRequest,
    PmsError,
    PmsOutcomeUnknown,
    WriteKind,
    WriteResult,
)
from .mapping import row_id
from .query import clause, format_instant, join

if TYPE_CHECKING:
    from ..http import PmsHttp

API = "ascend-gateway/api"
# Fields the server owns; a PUT sends the rest of a fresh GET back (§1.7, C3b).
READ_ONLY = ("id", "type", "lastModified", "created", "confirmed")
# kind -> (resource, patient reference, field carrying the marker)
SEARCHES = {
    WriteKind.NOTE: ("v1/patientnotes", "patient", "text"),
    WriteKind.DOCUMENT: ("v0/documents", "ownerPatient", "tags"),
    WriteKind.APPOINTMENT: ("v1/appointments", "patient", "note"),
    # §1.7: C3b looks patients up by chartNumber before creating one.
    WriteKind.PATIENT: ("v1/patients", "", "chartNumber"),
}
REF_TYPES = {
    "v1/patients": "PatientV1",
    "v1/providers": "ProviderV1",
    "v1/operatories": "OperatoryV1",
    "v1/notetypes": "NoteTypeV1",
    "v0/documentcategories": "DocumentCategory",
}


def tag(marker: str) -> str:
    """Return the text we embed in a record to find it again."""
    return f"[pbnsync:{marker}]"


class AscendWrites:
    """Mixed into DentrixAscendConnector; uses its `http` and paging helpers."""

    http: PmsHttp
    walk: Callable[[str, dict[str, Any], str], list[Any]]

    def ref(self, path: str, pms_id: str) -> dict[str, str] | None:
        """Return a reference object `{id, type, url}` (§1.5), or None."""
        if not pms_id:
            return None
        if not str(pms_id).isdigit():
            raise PmsError(f"{pms_id!r} is not a Dentrix Ascend id", permanent=True)
        return {
            "id": str(pms_id),
            "type": REF_TYPES[path],
            "url": self.http.url(f"{API}/{path}/{pms_id}"),
        }

    def create(self, path: str, body: dict[str, Any], what: str) -> WriteResult:
        """POST `body`; §1.5: the answer's `data.id` is the new record's id."""
        fields = {k: v for k, v in body.items() if v not in (None, "", [])}
        response = self.http.request(
            "POST", f"{API}/{path}", json_body=fields, what=what
        )
        answer = self.http.decode(response, what)
        data = answer.get("data") if isinstance(answer, dict) else None
        pms_id = row_id(data)
        if pms_id is None:
            raise PmsOutcomeUnknown(
                f"Dentrix Ascend accepted {what} but did not say its id; check it "
                "before any retry"
            )
        return WriteResult(pms_id)

    def write_note(self, request: NoteRequest) -> WriteResult:
        # §1.7/S3: an SMS becomes a patient note; the communication-history
        # endpoint for calls and emails is not public, so every note goes here.
        return self.create(
            "v1/patientnotes",
            {
                "text": f"{request.text}\n{tag(request.marker)}",
                "noteDate": format_instant(request.occurred_at),
                "patient": self.ref("v1/patients", request.patient_pms_id),
                "noteType": self.ref("v1/notetypes", request.note_type_pms_id),
                "provider": self.ref("v1/providers", request.provider_pms_id),
            },
            f"the note for patient {request.patient_pms_id}",
        )

    def set_confirmation(self, request: ConfirmationRequest) -> WriteResult:
        """Set the appointment's `status` (§1.5: confirmation is a status value)."""
        if not request.appointment_pms_id.isdigit():
            raise PmsError(
                f"{request.appointment_pms_id!r} is not a Dentrix Ascend id",
                permanent=True,
            )
        path = f"{API}/v1/appointments/{request.appointment_pms_id}"
        what = f"the status of appointment {request.appointment_pms_id}"
        current = self.http.decode(self.http.request("GET", path, what=what), what)
        data = current.get("data") if isinstance(current, dict) else None
        if not isinstance(data, dict):
            raise PmsError(f"Dentrix Ascend sent no {what}", permanent=False)
        # §1.7: PUT replaces the record, so send everything back with the status.
        body = {k: v for k, v in data.items() if k not in READ_ONLY}
        body["status"] = request.status_pms_id
        # Setting a status twice is harmless, so a lost answer may be resent.
        self.http.request("PUT", path, json_body=body, idempotent=True, what=what)
        return WriteResult(request.appointment_pms_id)

    def upload_document(self, request: DocumentRequest) -> WriteResult:
        # §1.6: documents are v0; the upload body (base64 `content`) is assumed.
        mime = mimetypes.guess_type(request.filename)[0] or "application/octet-stream"
        return self.create(
            "v0/documents",
            {
                "name": request.description or request.filename,
                "fileName": request.filename,
                "mimeType": mime,
                "ownerPatient": self.ref("v1/patients", request.patient_pms_id),
                "category": self.ref("v0/documentcategories", request.category_pms_id),
                "provider": self.ref("v1/providers", request.provider_pms_id),
                "tags": [request.marker],
                "content": base64.b64encode(request.content).decode("ascii"),
            },
            f"the document for patient {request.patient_pms_id}",
        )

    def create_patient(self, request: PatientRequest) -> WriteResult:
        # §1.7: the fields C3b posts; chartNumber carries our marker, as C3b uses
        # chartNumber to find a patient it may already have created.
        phones = [{"phoneType": "MOBILE", "number": request.phone, "sequence": 1}]
        return self.create(
            "v1/patients",
            {
                "firstName": request.first_name,
                "lastName": request.last_name,
                "dateOfBirth": request.birthdate and request.birthdate.isoformat(),
                "chartNumber": request.marker,
                "emailAddress": request.email,
                "phones": phones if request.phone else [],
                "patientStatus": "NEW",
                "primaryProvider": self.ref("v1/providers", request.provider_pms_id),
            },
            "the new patient",
        )

    def create_appointment(self, request: AppointmentRequest) -> WriteResult:
        # §1.7: C3b posts start, status UNCONFIRMED, references and a note.
        end = request.start_at + timedelta(minutes=request.duration_minutes)
        return self.create(
            "v1/appointments",
            {
                "start": format_instant(request.start_at),
                "end": format_instant(end),
                "duration": request.duration_minutes,
                "status": "UNCONFIRMED",
                "patient": self.ref("v1/patients", request.patient_pms_id),
                "provider": self.ref("v1/providers", request.provider_pms_id),
                "operatory": self.ref("v1/operatories", request.operatory_pms_id),
                "note": f"{request.note}\n{tag(request.marker)}".strip(),
            },
            f"the new appointment for patient {request.patient_pms_id}",
        )

    def post_payment(self, request: PaymentRequest) -> WriteResult:
        raise PmsError(
            "Dentrix Ascend payment write-back is not available: its payment API "
            "is not public (other-pms-facts §1.6)",
            permanent=True,
        )

    def find_written(
        self, kind: WriteKind, patient_pms_id: str, marker: str
    ) -> str | None:
        """Search for our marker with a `~=` (contains) filter (§1.4)."""
        search = SEARCHES.get(kind)
        if search is None or (search[1] and not patient_pms_id):
            return None
        path, patient_ref, field = search
        op = "==" if kind == WriteKind.PATIENT else "~="
        clauses = [clause(field, op, marker)]
        if patient_ref:
            clauses.insert(0, clause(f"{patient_ref}.id", "==", patient_pms_id))
        rows = self.walk(path, {"filter": join(*clauses)}, f"our {kind} {marker}")
        found = [i for i in map(row_id, rows) if i]
        return found[0] if found else None
