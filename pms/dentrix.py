"""Dentrix G-series (Henry Schein One, on-premises) through the bridge agent.

Reads use the `admin.v_*` view columns, writes the base-table columns
(shared/pms/other-pms-facts.md §3); the protocol is docs/agent-protocol.md.
"""

from __future__ import annotations

import base64
from datetime import datetime
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

COMPLETE = -106  # §3.3: v_appt_status_codes defid -106 is <COMPLETE>
# §3.3 (C8): status 1 active, 2 non-patient, 3/4 inactive.
PATIENT_STATUS = {1: "Patient", 2: "Non-patient", 3: "Inactive", 4: "Inactive"}
# Chart status codes beyond 90 (a payment, §3.5) are inferred.
CHART_STATUS = {
    102: "Complete",
    105: "Planned",
    103: "Existing",
    104: "Referred",
    106: "Condition",
}
# The agent protocol (docs/agent-protocol.md) has no photo feed; its journal
# reports deletions, so no id reconciliation.
CAPABILITIES = frozenset(Capability) - {
    Capability.RECONCILE_IDS,
    Capability.READ_PHOTOS,
}
_CENT = Decimal("0.01")


def map_patient(row: v.Row, tz: ZoneInfo) -> Patient:
    return Patient(
        pms_id=v.ident(row, "patient_id"),
        first_name=v.text(row, "first_name"),
        last_name=v.text(row, "last_name", required=True),
        birthdate=v.day(row, "birth_date"),
        email=v.text(row, "email"),
        phone=v.text(row, "mobile_phone")
        or v.text(row, "home_phone")
        or v.text(row, "work_phone"),
        status=v.choice(row, "status", PATIENT_STATUS),
        guarantor_pms_id=v.ident(row, "guar_id", required=False),
        modified_at=_modified(row, tz),
        raw=row,
    )


def map_appointment(row: v.Row, tz: ZoneInfo) -> Appointment:
    status_id = v.integer(row, "status_id", default=0)
    broken = v.choice(row, "broken", {0: False, 1: True, None: False})
    start = v.at(
        v.day(row, "appointment_date", required=True),
        v.integer(row, "start_hour"),
        v.integer(row, "start_minute", default=0),
        tz,
    )
    length = v.integer(row, "length", default=0)
    if length < 0:
        raise v.RowError("length", length, "is negative")
    status = (
        "Broken" if broken else "Complete" if status_id == COMPLETE else "Scheduled"
    )
    return Appointment(
        pms_id=v.ident(row, "appointment_id"),
        patient_pms_id=v.ident(row, "patient_id"),
        start_at=start,
        duration_minutes=length,
        provider_pms_id=v.ident(row, "provider_id", required=False),
        operatory_pms_id=v.ident(row, "operatory_id", required=False),
        status=status,
        confirmation_pms_id=str(status_id) if status_id else "",
        note=v.text(row, "note") or v.text(row, "reason"),
        modified_at=_modified(row, tz),
        raw=row,
    )


def map_provider(row: v.Row, tz: ZoneInfo) -> Provider:
    code = v.ident(row, "provider_id")
    return Provider(
        pms_id=code,
        abbreviation=code,
        first_name=v.text(row, "first_name"),
        last_name=v.text(row, "last_name"),
        active=v.choice(row, "inactive", {0: True, 1: False, None: True}),
        modified_at=_modified(row, tz),
        raw=row,
    )


def map_procedure(row: v.Row, tz: ZoneInfo) -> Procedure:
    return Procedure(
        pms_id=v.ident(row, "proclog_id"),
        patient_pms_id=v.ident(row, "patient_id"),
        code=v.text(row, "proc_code", required=True),
        fee=v.amount(row, "amount"),
        status=v.choice(row, "chart_status", CHART_STATUS),
        performed_on=v.day(row, "proc_date"),
        appointment_pms_id=v.ident(row, "appointment_id", required=False),
        provider_pms_id=v.ident(row, "provider_id", required=False),
        modified_at=_modified(row, tz),
        raw=row,
    )


def map_payment(row: v.Row, tz: ZoneInfo) -> Payment:
    return Payment(
        pms_id=v.ident(row, "payment_id"),
        patient_pms_id=v.ident(row, "patient_id"),
        amount=v.amount(row, "amount"),
        paid_on=v.day(row, "payment_date", required=True),
        payment_type_pms_id=v.ident(row, "proccodeid", required=False),
        note=v.text(row, "note"),
        modified_at=_modified(row, tz),
        raw=row,
    )


def _modified(row: v.Row, tz: ZoneInfo) -> datetime | None:
    """Return the feed's change time, else the view's modified_time_stamp (§3.4)."""
    return v.changed_at(row) or v.local_or_none(row, "modified_time_stamp", tz)


REFERENCE = (
    RefList(
        "providers",
        "provider",
        "provider_id",
        "last_name",
        lambda r: not r.get("inactive"),
    ),
    RefList("note_types", "note_type", "contacttype", "descript"),
    RefList("document_categories", "document_category", "def_id", "descript"),
    RefList("appointment_statuses", "appointment_status", "defid", "descript"),
    RefList("payment_types", "payment_type", "proccodeid", "descript"),
    RefList("operatories", "operatory", "op_id", "op_title"),
)


class DentrixConnector(AgentConnector):
    pms_type = "dentrix"
    label = "Dentrix"
    capabilities = CAPABILITIES
    feeds = {
        Entity.PATIENT: Feed("v_patient", "patient_id", map_patient),
        Entity.APPOINTMENT: Feed("v_appt", "appointment_id", map_appointment),
        Entity.PROVIDER: Feed("v_provider", "provider_id", map_provider),
        Entity.PROCEDURE: Feed("v_proclog", "proclog_id", map_procedure),
        Entity.PAYMENT: Feed("payment_view", "payment_id", map_payment),
    }
    reference_lists = REFERENCE

    def note_payload(self, request: NoteRequest) -> dict[str, Any]:
        # §3.5: a communication log is a `contact` row plus its `fullnotes` text.
        when = v.wall(request.occurred_at, self.tz)
        return {
            "patid": self.number(request.patient_pms_id, "patient"),
            "provid": request.provider_pms_id,
            "contacttype": self.number(request.note_type_pms_id, "contact type"),
            "contactdate": when.date().isoformat(),
            "contacttime": when.strftime("%H:%M"),
            "title": self.note_summary(request),
            "notetext": request.text,
        }

    def confirmation_payload(self, request: ConfirmationRequest) -> dict[str, Any]:
        status = request.status_pms_id
        if not status.lstrip("-").isdigit():
            self.number(status, "appointment status")  # raises the clear error
        return {
            "apptid": self.number(request.appointment_pms_id, "appointment"),
            "status": int(status),
        }

    def document_payload(self, request: DocumentRequest) -> dict[str, Any]:
        return {
            "patid": self.number(request.patient_pms_id, "patient"),
            "doctype": self.number(request.category_pms_id, "document type"),
            "docname": request.filename,
            "description": request.description,
            "provid": request.provider_pms_id,
            "content_base64": base64.b64encode(request.content).decode(),
        }

    def patient_payload(self, request: PatientRequest) -> dict[str, Any]:
        return {
            "firstname": request.first_name,
            "lastname": request.last_name,
            "birthdate": request.birthdate.isoformat() if request.birthdate else None,
            "emailaddr": request.email,
            "phone": request.phone,
            "provid1": request.provider_pms_id,
        }

    def appointment_payload(self, request: AppointmentRequest) -> dict[str, Any]:
        start = v.wall(request.start_at, self.tz)
        return {
            "patid": self.number(request.patient_pms_id, "patient"),
            "apptdate": start.date().isoformat(),
            "timehr": start.hour,
            "timemin": start.minute,
            "apptlen": request.duration_minutes,
            "opid": self.number(request.operatory_pms_id, "operatory")
            if request.operatory_pms_id
            else None,
            "provid": request.provider_pms_id,
            "apptreason": request.note,
        }

    def payment_payload(self, request: PaymentRequest) -> dict[str, Any]:
        return {
            "patid": self.number(request.patient_pms_id, "patient"),
            "amt": str(request.amount.quantize(_CENT)),
            "proccodeid": self.number(request.payment_type_pms_id, "payment type"),
            "procdate": request.paid_on.isoformat(),
            "provid": request.provider_pms_id,
            "notetext": ("Fee - " if request.is_fee else "") + request.note,
        }
