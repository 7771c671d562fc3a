"""Turn a planned job into connector calls: send, find again, and read back."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from pms.base import (
    AppointmentRequest,
    ConfirmationRequest,
    Connector,
    DocumentRequest,
    NoteRequest,
    PatientRequest,
    PaymentRequest,
    WriteKind,
    phone_digits,
)
from practices.models import WriteBackKind

from .kinds import spec_for
from .models import OutboxJob
from .policy import Plan

Request = (
    NoteRequest
    | ConfirmationRequest
    | DocumentRequest
    | PatientRequest
    | AppointmentRequest
    | PaymentRequest
)


@dataclass(frozen=True)
class Part:
    """One PMS write of a job; a payment with a separate fee has two."""

    field: str  # the job column holding its PMS id: "pms_id" or "fee_pms_id"
    write: WriteKind
    request: Request
    patient_pms_id: str
    marker: str


def _optional_date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _main_request(job: OutboxJob, plan: Plan) -> Request:
    p, spec, marker = job.payload, spec_for(job.kind), job.marker_text
    if spec.write is WriteKind.NOTE:
        label = WriteBackKind(job.kind).label
        return NoteRequest(
            patient_pms_id=p["patient_pms_id"],
            text=f"{label}: {p['text']}",
            note_type_pms_id=plan.note_type_pms_id,
            provider_pms_id=plan.provider_pms_id,
            direction=spec.direction,
            channel=spec.channel,
            occurred_at=datetime.fromisoformat(p["occurred_at"]),
            marker=marker,
        )
    if spec.write is WriteKind.CONFIRMATION:
        return ConfirmationRequest(p["appointment_pms_id"], plan.status_pms_id)
    if spec.write is WriteKind.DOCUMENT:
        return DocumentRequest(
            patient_pms_id=p["patient_pms_id"],
            category_pms_id=plan.category_pms_id,
            filename=p["filename"],
            content=base64.b64decode(p["content_base64"]),
            description=p.get("description", ""),
            provider_pms_id=plan.provider_pms_id,
            marker=marker,
        )
    if spec.write is WriteKind.PATIENT:
        return PatientRequest(
            first_name=p["first_name"],
            last_name=p["last_name"],
            birthdate=_optional_date(p.get("birthdate") or ""),
            provider_pms_id=plan.provider_pms_id,
            marker=marker,
            email=p.get("email", ""),
            phone=p.get("phone", ""),
            requested_at=job.created_at,
        )
    if spec.write is WriteKind.APPOINTMENT:
        return AppointmentRequest(
            patient_pms_id=p["patient_pms_id"],
            start_at=datetime.fromisoformat(p["start_at"]),
            duration_minutes=int(p["duration_minutes"]),
            provider_pms_id=plan.provider_pms_id,
            operatory_pms_id=p.get("operatory_pms_id", ""),
            marker=marker,
            note=p.get("note", ""),
        )
    amount, fee = Decimal(p["amount"]), Decimal(p.get("fee") or "0")
    return PaymentRequest(
        patient_pms_id=job.patient_pms_id,
        amount=amount if plan.fee_type_pms_id else amount + fee,
        payment_type_pms_id=plan.payment_type_pms_id,
        paid_on=date.fromisoformat(p["paid_on"]),
        provider_pms_id=plan.provider_pms_id,
        marker=marker,
        note=p.get("note", ""),
    )


def parts_for(job: OutboxJob, plan: Plan) -> list[Part]:
    """Return the writes `job` needs, in the order they must happen."""
    main = _main_request(job, plan)
    patient = getattr(main, "patient_pms_id", "") or job.patient_pms_id
    parts = [Part("pms_id", spec_for(job.kind).write, main, patient, main_marker(main))]
    if job.kind == WriteBackKind.PAYMENT and plan.fee_type_pms_id:
        marker = f"{job.marker_text}-fee"
        fee = PaymentRequest(
            patient_pms_id=job.patient_pms_id,
            amount=Decimal(job.payload["fee"]),
            payment_type_pms_id=plan.fee_type_pms_id,
            paid_on=date.fromisoformat(job.payload["paid_on"]),
            provider_pms_id=plan.provider_pms_id,
            marker=marker,
            note=job.payload.get("note", ""),
            is_fee=True,
        )
        parts.append(Part("fee_pms_id", WriteKind.PAYMENT, fee, patient, marker))
    return parts


def main_marker(request: Request) -> str:
    return getattr(request, "marker", "")


def send(connector: Connector, part: Part) -> str:
    """Perform the write and return the new PMS id."""
    r = part.request
    if isinstance(r, NoteRequest):
        return connector.write_note(r).pms_id
    if isinstance(r, ConfirmationRequest):
        return connector.set_confirmation(r).pms_id or r.appointment_pms_id
    if isinstance(r, DocumentRequest):
        return connector.upload_document(r).pms_id
    if isinstance(r, PatientRequest):
        return connector.create_patient(r).pms_id
    if isinstance(r, AppointmentRequest):
        return connector.create_appointment(r).pms_id
    return connector.post_payment(r).pms_id


def find(connector: Connector, part: Part) -> str | None:
    """Return the PMS id if the write is already in the PMS, else None."""
    r = part.request
    if isinstance(r, ConfirmationRequest):
        # A status change carries no marker: the appointment's status tells.
        appointment = connector.fetch_appointment(r.appointment_pms_id)
        found = appointment.confirmation_pms_id == r.status_pms_id
        return appointment.pms_id if found else None
    return connector.find_written_for(part.write, r)


def differences(connector: Connector, part: Part, pms_id: str) -> list[str]:
    """Read the write back and return the fields that differ from what was sent."""
    r = part.request
    if isinstance(r, PatientRequest):
        patient = connector.fetch_patient(pms_id)
        wanted = {"first name": r.first_name, "last name": r.last_name}
        found = {"first name": patient.first_name, "last name": patient.last_name}
        if r.birthdate:
            wanted["birthdate"], found["birthdate"] = r.birthdate, patient.birthdate
        # Contact details as a PMS may store them: any case, any punctuation.
        if r.email:
            wanted["email"], found["email"] = (
                r.email.casefold(),
                patient.email.casefold(),
            )
        if phone_digits(r.phone):
            wanted["phone"] = phone_digits(r.phone)
            found["phone"] = phone_digits(patient.phone)
        return _compare(wanted, found)
    if isinstance(r, AppointmentRequest):
        appointment = connector.fetch_appointment(pms_id)
        wanted = {
            "patient": r.patient_pms_id,
            # Aware datetimes compare as instants, whatever zone each is in.
            "start": r.start_at,
            "duration": r.duration_minutes,
        }
        found = {
            "patient": appointment.patient_pms_id,
            "start": appointment.start_at,
            "duration": appointment.duration_minutes,
        }
        if r.provider_pms_id:
            wanted["provider"] = r.provider_pms_id
            found["provider"] = appointment.provider_pms_id
        return _compare(wanted, found)
    found_id = find(connector, part)
    return [] if found_id == pms_id else [f"found {found_id!r} instead of {pms_id!r}"]


def _compare(wanted: dict, found: dict) -> list[str]:
    return [
        f"{name} {found[name]} instead of {value}"
        for name, value in wanted.items()
        if found[name] != value
    ]
