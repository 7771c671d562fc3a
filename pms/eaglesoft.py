"""Eaglesoft (Patterson, on-premises) through the bridge agent.

Column names and codes are Eaglesoft's own (shared/pms/other-pms-facts.md §2); the
protocol is docs/agent-protocol.md.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .agent import AgentConnector, Feed
from .agent import values as v
from .agent.reference import RefList
from .base import (
    Appointment,
    AppointmentRequest,
    Capability,
    ConfirmationRequest,
    DocumentRequest,
    Entity,
    NoteRequest,
    Patient,
    PatientRequest,
    Payment,
    PaymentRequest,
    Procedure,
    Provider,
)

CONFIRMATION_CODES = range(8)  # §2.3: confirmation_status 0-7
PROCEDURE_STATUS = {
    "C": "Complete",
    "P": "Planned",
    "E": "Existing",
    "R": "Referred",
    "X": "Condition",
    "I": "Planned (inactive)",
}
WALKED_OUT = 4  # §2.4: arrival_status 4 means walked out (complete)
BLOCK, BROKEN = 2, 16  # §2.3: classification 2 is an operatory block
_CENT = Decimal("0.01")
# The agent protocol (docs/agent-protocol.md) has no photo feed; its journal
# reports deletions, so no id reconciliation.
CAPABILITIES = frozenset(Capability) - {
    Capability.RECONCILE_IDS,
    Capability.READ_PHOTOS,
}


def map_patient(row: v.Row, tz: ZoneInfo) -> Patient:
    status = v.choice(row, "status", {"A": "A", "I": "I"})
    patient = v.choice(
        row, "patient_status", {"Y": "Patient", "N": "Non-patient", None: "Patient"}
    )
    return Patient(
        pms_id=v.ident(row, "patient_id"),
        first_name=v.text(row, "first_name"),
        last_name=v.text(row, "last_name", required=True),
        birthdate=v.day(row, "birth_date"),
        email=v.text(row, "email_address"),
        phone=v.text(row, "cell_phone")
        or v.text(row, "home_phone")
        or v.text(row, "work_phone"),
        status="Inactive" if status == "I" else patient,
        guarantor_pms_id=v.ident(row, "responsible_party", required=False),
        modified_at=v.changed_at(row),
        raw=row,
    )


def map_appointment(row: v.Row, tz: ZoneInfo) -> Appointment:
    classification = v.integer(row, "classification", default=1)
    start = v.local(row, "start_time", tz)
    confirmation = v.integer(row, "confirmation_status", default=0)
    if confirmation not in CONFIRMATION_CODES:
        raise v.RowError("confirmation_status", confirmation, "is not 0-7")
    arrival = v.integer(row, "arrival_status", default=0)
    status = (
        "Complete"
        if arrival == WALKED_OUT
        else "Broken"
        if classification == BROKEN
        else "Block"
        if classification == BLOCK
        else "Scheduled"
    )
    return Appointment(
        pms_id=v.ident(row, "appointment_id"),
        patient_pms_id=v.ident(row, "patient_id"),
        start_at=start,
        duration_minutes=v.minutes_between(start, v.local_or_none(row, "end_time", tz)),
        provider_pms_id=v.ident(row, "provider_id", required=False),
        operatory_pms_id=v.ident(row, "location_id", required=False),
        status=status,
        confirmation_pms_id=str(confirmation),
        note=v.text(row, "appointment_notes"),
        modified_at=v.changed_at(row),
        raw=row,
    )


def map_provider(row: v.Row, tz: ZoneInfo) -> Provider:
    code = v.ident(row, "provider_id")
    return Provider(
        pms_id=code,
        abbreviation=code,
        first_name=v.text(row, "first_name"),
        last_name=v.text(row, "last_name"),
        active=v.choice(row, "status", {"A": True, "I": False}),
        modified_at=v.changed_at(row),
        raw=row,
    )


def map_procedure(row: v.Row, tz: ZoneInfo) -> Procedure:
    return Procedure(
        pms_id=v.ident(row, "detail_id"),
        patient_pms_id=v.ident(row, "patient_id"),
        code=v.text(row, "service_code", required=True),
        fee=v.amount(row, "fee"),
        status=v.choice(row, "status", PROCEDURE_STATUS),
        performed_on=v.day(row, "tran_date"),
        appointment_pms_id=v.ident(row, "appointment_id", required=False),
        provider_pms_id=v.ident(row, "provider_id", required=False),
        modified_at=v.changed_at(row),
        raw=row,
    )


def map_payment(row: v.Row, tz: ZoneInfo) -> Payment:
    return Payment(
        pms_id=v.ident(row, "tran_num"),
        patient_pms_id=v.ident(row, "patient_id"),
        amount=-v.amount(row, "amount"),  # §2.4: a payment is a negative amount
        paid_on=v.day(row, "tran_date", required=True),
        payment_type_pms_id=v.ident(row, "paytype_id", required=False),
        note=v.text(row, "description"),
        modified_at=v.changed_at(row),
        raw=row,
    )


REFERENCE = (
    RefList(
        "providers",
        "provider",
        "provider_id",
        "last_name",
        lambda row: row.get("status") == "A",
    ),
    RefList("note_types", "note_type", "note_type_id", "description"),
    RefList("document_categories", "document_category", "group_id", "description"),
    RefList(
        "appointment_statuses",
        "appointment_status",
        "confirmation_status",
        "description",
    ),
    RefList("payment_types", "payment_type", "paytype_id", "description"),
    RefList("operatories", "operatory", "chair_num", "chair_name"),
)


class EaglesoftConnector(AgentConnector):
    pms_type = "eaglesoft"
    label = "Eaglesoft"
    capabilities = CAPABILITIES
    feeds = {
        Entity.PATIENT: Feed("patient", "patient_id", map_patient),
        Entity.APPOINTMENT: Feed("appointment", "appointment_id", map_appointment),
        Entity.PROVIDER: Feed("provider", "provider_id", map_provider),
        Entity.PROCEDURE: Feed("procedure", "detail_id", map_procedure),
        Entity.PAYMENT: Feed("transactions", "tran_num", map_payment),
    }
    reference_lists = REFERENCE

    def note_payload(self, request: NoteRequest) -> dict[str, Any]:
        # §2.4: notes start with what happened, e.g. "SMS sent - ...".
        summary = self.note_summary(request)
        return {
            "patient_id": self.number(request.patient_pms_id, "patient"),
            "note_type_id": self.number(request.note_type_pms_id, "note type"),
            "user_id": request.provider_pms_id,
            "date_entered": _sql(v.wall(request.occurred_at, self.tz)),
            "description": summary,
            "note": f"{summary} - {request.text}",
        }

    def confirmation_payload(self, request: ConfirmationRequest) -> dict[str, Any]:
        status = self.number(request.status_pms_id, "confirmation status")
        return {
            "appointment_id": self.number(request.appointment_pms_id, "appointment"),
            "confirmation_status": status,
        }

    def document_payload(self, request: DocumentRequest) -> dict[str, Any]:
        return {
            "patient_id": self.number(request.patient_pms_id, "patient"),
            "group_id": self.number(request.category_pms_id, "document group"),
            "document_name": request.filename,
            "description": request.description,
            "user_id": request.provider_pms_id,
            "content_base64": base64.b64encode(request.content).decode(),
        }

    def patient_payload(self, request: PatientRequest) -> dict[str, Any]:
        return {
            "first_name": request.first_name,
            "last_name": request.last_name,
            "birth_date": request.birthdate.isoformat() if request.birthdate else None,
            "email_address": request.email,
            "cell_phone": request.phone,
            "preferred_dentist": request.provider_pms_id,
        }

    def appointment_payload(self, request: AppointmentRequest) -> dict[str, Any]:
        start = v.wall(request.start_at, self.tz)
        return {
            "patient_id": self.number(request.patient_pms_id, "patient"),
            "start_time": _sql(start),
            "end_time": _sql(start + timedelta(minutes=request.duration_minutes)),
            "location_id": self.number(request.operatory_pms_id, "chair")
            if request.operatory_pms_id
            else None,
            "provider_id": request.provider_pms_id,
            "appointment_notes": request.note,
        }

    def payment_payload(self, request: PaymentRequest) -> dict[str, Any]:
        return {
            "patient_id": self.number(request.patient_pms_id, "patient"),
            "amount": str(request.amount.quantize(_CENT)),
            "paytype_id": self.number(request.payment_type_pms_id, "pay type"),
            "tran_date": request.paid_on.isoformat(),
            "provider_id": request.provider_pms_id,
            "description": ("Fee - " if request.is_fee else "") + request.note,
        }


def _sql(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")
