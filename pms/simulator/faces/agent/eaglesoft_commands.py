"""Eaglesoft agent commands, executed against the store."""

from __future__ import annotations

import base64
from typing import Any

from ... import records as r
from ...store import Store
from . import wire as w
from .eaglesoft import CONFIRMATIONS, NOTE_TYPES


def _write_note(store: Store, p: dict[str, Any]) -> int:
    patient = w.patient(store, p["patient_id"])
    type_id = int(p["note_type_id"]) if str(p["note_type_id"]).isdigit() else -1
    if type_id not in NOTE_TYPES:
        raise w.CommandFailed(f"note type {p['note_type_id']} does not exist")
    _, code, label = NOTE_TYPES[type_id]
    note = r.Commlog(
        patient_id=patient.id,
        at=w.parse_local(p["date_entered"]),
        type_id=w.definition_for_code(store, r.NOTE_TYPE, code, label),
        note=str(p["note"]),
        mode="none",
        direction="neither",
        source="agent",
        provider_id=w.provider(store, p.get("user_id"), required=False),
        entered_at=store.now(),
    )
    return store.insert(r.COMMLOG, note).id


def _confirm(store: Store, p: dict[str, Any]) -> int:
    appt = w.appointment(store, p["appointment_id"])
    status = p["confirmation_status"]
    if not isinstance(status, int) or status not in CONFIRMATIONS:
        raise w.CommandFailed(f"confirmation_status {status!r} is not 0-7")
    code, label = CONFIRMATIONS[status]
    chosen = w.definition_for_code(store, r.CONFIRMATION_STATUS, code, label)
    store.update(r.APPOINTMENT, appt.id, confirmation_id=chosen)
    return appt.id


def _upload(store: Store, p: dict[str, Any]) -> int:
    patient = w.patient(store, p["patient_id"])
    group = w.definition(store, r.DOCUMENT_CATEGORY, p["group_id"], "document group")
    name = str(p["document_name"])
    return store.insert(
        r.DOCUMENT,
        r.Document(
            patient_id=patient.id,
            created_at=store.now(),
            category_id=group.id,
            description=str(p.get("description", "")),
            file_name=name,
            extension="." + name.rsplit(".", 1)[-1] if "." in name else "",
            provider_id=w.provider(store, p.get("user_id"), required=False),
            content=base64.b64decode(p["content_base64"]),
        ),
    ).id


def _new_patient(store: Store, p: dict[str, Any]) -> int:
    with store.lock:
        new = store.insert(
            r.PATIENT,
            r.Patient(
                first_name=str(p["first_name"]),
                last_name=str(p["last_name"]),
                birthdate=w.parse_day(p["birth_date"]) if p.get("birth_date") else None,
                email=str(p.get("email_address") or ""),
                mobile_phone=str(p.get("cell_phone") or ""),
                primary_provider_id=w.provider(
                    store, p.get("preferred_dentist"), required=False
                ),
                created_at=store.now(),
            ),
        )
        return store.update(r.PATIENT, new.id, guarantor_id=new.id).id  # §2.4


def _new_appointment(store: Store, p: dict[str, Any]) -> int:
    patient = w.patient(store, p["patient_id"])
    start, end = w.parse_local(p["start_time"]), w.parse_local(p["end_time"])
    if end <= start:
        raise w.CommandFailed("end_time must be after start_time")
    return store.insert(
        r.APPOINTMENT,
        r.Appointment(
            patient_id=patient.id,
            start=start,
            length_min=int((end - start).total_seconds() // 60),
            operatory_id=w.operatory(store, p.get("location_id")),
            provider_id=w.provider(store, p.get("provider_id")),
            note=str(p.get("appointment_notes", "")),
            created_at=store.now(),
            confirmation_id=store.prefs.get("confirm_none", 0),
        ),
    ).id


def _payment_command(store: Store, p: dict[str, Any]) -> int:
    patient = w.patient(store, p["patient_id"])
    paytype = w.definition(store, r.PAYMENT_TYPE, p["paytype_id"], "pay type")
    amount = w.cents(p["amount"])
    if amount <= 0:
        raise w.CommandFailed("amount must be positive")
    return store.insert(
        r.PAYMENT,
        r.Payment(
            patient_id=patient.id,
            amount_cents=amount,
            date=w.parse_day(p["tran_date"]),
            entered=store.now().date(),
            type_id=paytype.id,
            note=str(p.get("description", "")),
            source="agent",
            provider_id=w.provider(store, p.get("provider_id"), required=False),
        ),
    ).id


COMMANDS: dict[str, w.Executor] = {
    "note": _write_note,
    "confirmation": _confirm,
    "document": _upload,
    "patient": _new_patient,
    "appointment": _new_appointment,
    "payment": _payment_command,
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "note": ("patient_id", "note_type_id", "date_entered", "note"),
    "confirmation": ("appointment_id", "confirmation_status"),
    "document": ("patient_id", "group_id", "document_name", "content_base64"),
    "patient": ("first_name", "last_name"),
    "appointment": ("patient_id", "start_time", "end_time", "provider_id"),
    "payment": ("patient_id", "amount", "paytype_id", "tran_date"),
}
