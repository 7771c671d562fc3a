"""What write-back asks a PMS to write, and what it answers."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


class NoteDirection(enum.StrEnum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"
    NONE = "none"


class NoteChannel(enum.StrEnum):
    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"
    OTHER = "other"


class WriteKind(enum.StrEnum):
    NOTE = "note"
    CONFIRMATION = "confirmation"
    DOCUMENT = "document"
    PATIENT = "patient"
    APPOINTMENT = "appointment"
    PAYMENT = "payment"


@dataclass(frozen=True)
class NoteRequest:
    patient_pms_id: str
    text: str
    note_type_pms_id: str
    provider_pms_id: str
    direction: NoteDirection
    channel: NoteChannel
    occurred_at: datetime
    marker: str  # our idempotency marker, stored in the PMS record to find it again


@dataclass(frozen=True)
class ConfirmationRequest:
    appointment_pms_id: str
    status_pms_id: str


@dataclass(frozen=True)
class DocumentRequest:
    patient_pms_id: str
    category_pms_id: str
    filename: str
    content: bytes
    description: str
    provider_pms_id: str
    marker: str


@dataclass(frozen=True)
class PatientRequest:
    first_name: str
    last_name: str
    birthdate: date | None
    provider_pms_id: str
    marker: str
    email: str = ""
    phone: str = ""
    # When the activity reached us: the patient cannot have been created before.
    requested_at: datetime | None = None


@dataclass(frozen=True)
class AppointmentRequest:
    patient_pms_id: str
    start_at: datetime
    duration_minutes: int
    provider_pms_id: str
    operatory_pms_id: str
    marker: str
    note: str = ""


@dataclass(frozen=True)
class PaymentRequest:
    patient_pms_id: str
    amount: Decimal
    payment_type_pms_id: str
    paid_on: date
    provider_pms_id: str
    marker: str
    note: str = ""
    is_fee: bool = False  # post as a fee (charge) rather than a payment


@dataclass(frozen=True)
class WriteResult:
    pms_id: str
