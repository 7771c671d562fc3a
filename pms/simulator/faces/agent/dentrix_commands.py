"""Dentrix agent commands: base-table column names (other-pms-facts.md §3.5)."""

from __future__ import annotations

import base64
from typing import Any

from ... import records as r
from ...store import Store
from . import wire as w
from .dentrix import COMPLETE, CONTACT_TYPES


def _write_note(store: Store, p: dict[str, Any]) -> int:
    patient = w.patient(store, p["patid"])
    kind = p["contacttype"]
    if not isinstance(kind, int) or kind not in CONTACT_TYPES:
        raise w.CommandFailed(f"contacttype {kind!r} does not exist")
    at = w.at_time(w.parse_day(p["contactdate"]), *str(p["contacttime"]).split(":")[:2])
    return store.insert(
        r.COMMLOG,
        r.Commlog(
            patient_id=patient.id,
            at=at,
            note=str(p["notetext"]),
            type_id=w.definition_for_code(store, r.NOTE_TYPE, "misc", "Misc"),
            mode=CONTACT_TYPES[kind][0],
            direction="neither",
            source="agent",
            provider_id=w.provider(store, p.get("provid"), required=False),
            entered_at=store.now(),
        ),
    ).id


def _confirm(store: Store, p: dict[str, Any]) -> int:
    appt = w.appointment(store, p["apptid"])
    if str(p["status"]) == str(COMPLETE):
        store.update(r.APPOINTMENT, appt.id, status="complete")
        return appt.id
    chosen = w.definition(store, r.CONFIRMATION_STATUS, p["status"], "status")
    # One status column: a new status replaces <COMPLETE> too.
    status = "scheduled" if appt.status == "complete" else appt.status
    store.update(r.APPOINTMENT, appt.id, confirmation_id=chosen.id, status=status)
    return appt.id


def _upload(store: Store, p: dict[str, Any]) -> int:
    patient = w.patient(store, p["patid"])
    doctype = w.definition(store, r.DOCUMENT_CATEGORY, p["doctype"], "document type")
    name = str(p["docname"])
    return store.insert(
        r.DOCUMENT,
        r.Document(
            patient_id=patient.id,
            created_at=store.now(),
            category_id=doctype.id,
            description=str(p.get("description", "")),
            file_name=name,
            extension="." + name.rsplit(".", 1)[-1] if "." in name else "",
            provider_id=w.provider(store, p.get("provid"), required=False),
            content=base64.b64decode(p["content_base64"]),
        ),
    ).id


def _new_patient(store: Store, p: dict[str, Any]) -> int:
    with store.lock:
        new = store.insert(
            r.PATIENT,
            r.Patient(
                first_name=str(p["firstname"]),
                last_name=str(p["lastname"]),
                birthdate=w.parse_day(p["birthdate"]) if p.get("birthdate") else None,
                email=str(p.get("emailaddr") or ""),
                mobile_phone=str(p.get("phone") or ""),
                primary_provider_id=w.provider(store, p.get("provid1"), required=False),
                created_at=store.now(),
            ),
        )
        return store.update(r.PATIENT, new.id, guarantor_id=new.id).id  # §3.5


def _new_appointment(store: Store, p: dict[str, Any]) -> int:
    patient = w.patient(store, p["patid"])
    start = w.at_time(w.parse_day(p["apptdate"]), p["timehr"], p["timemin"])
    length = int(p["apptlen"])
    if length <= 0:
        raise w.CommandFailed("apptlen must be positive")
    return store.insert(
        r.APPOINTMENT,
        r.Appointment(
            patient_id=patient.id,
            start=start,
            length_min=length,
            operatory_id=w.operatory(store, p.get("opid")),
            provider_id=w.provider(store, p.get("provid")),
            note=str(p.get("apptreason", "")),
            created_at=store.now(),
            confirmation_id=store.prefs.get("confirm_none", 0),
        ),
    ).id


def _payment_command(store: Store, p: dict[str, Any]) -> int:
    patient = w.patient(store, p["patid"])
    code = w.definition(store, r.PAYMENT_TYPE, p["proccodeid"], "payment type")
    amount = w.cents(p["amt"])
    if amount <= 0:
        raise w.CommandFailed("amt must be positive")
    return store.insert(
        r.PAYMENT,
        r.Payment(
            patient_id=patient.id,
            amount_cents=amount,
            date=w.parse_day(p["procdate"]),
            entered=store.now().date(),
            type_id=code.id,
            note=str(p.get("notetext", "")),
            source="agent",
            provider_id=w.provider(store, p.get("provid"), required=False),
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
    "note": ("patid", "contacttype", "contactdate", "contacttime", "notetext"),
    "confirmation": ("apptid", "status"),
    "document": ("patid", "doctype", "docname", "content_base64"),
    "patient": ("firstname", "lastname"),
    "appointment": ("patid", "apptdate", "timehr", "timemin", "apptlen", "provid"),
    "payment": ("patid", "amt", "proccodeid", "procdate"),
}
