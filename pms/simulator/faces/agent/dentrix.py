"""The Dentrix G-series agent: `admin.v_*` view names for reads, base-table column
names for writes (other-pms-facts.md §3)."""

from __future__ import annotations

import uuid
from typing import Any

from ... import records as r
from ...face import MalformHints
from ...store import Store
from . import wire as w

COMPLETE = -106  # §3.3: v_appt_status_codes defid -106 is <COMPLETE>
# §3.5: contacttype 3 calls, 5 texts; the others inferred. Mapped to the log's mode.
CONTACT_TYPES = {
    3: ("phone", "Phone Call"),
    5: ("text", "Text Message"),
    4: ("email", "E-mail"),
    1: ("mail", "Letter"),
    2: ("in_person", "In Person"),
    0: ("none", "Other"),
}
_CONTACT_TYPE_OF = {mode: n for n, (mode, _) in CONTACT_TYPES.items()} | {
    "email_and_text": 5,
    "phone_and_text": 3,
}
# §3.3 (C8): status 1 active, 2 non-patient, 3/4 inactive; gender 1 male, 2 female.
_STATUS = {"patient": 1, "nonpatient": 2, "prospective": 2, "inactive": 3}
_GENDER = {"male": 1, "female": 2}
# Chart status codes are inferred (§3.5 only names 90, a payment).
_CHART_STATUS = {
    "complete": 102,
    "planned": 105,
    "existing_current": 103,
    "existing_other": 103,
    "referred": 104,
    "condition": 106,
    "planned_inactive": 105,
}


def _stamp(rec: Any) -> str | None:
    return w.sql_time(rec.modified_at)


def _patient(store: Store, p: r.Patient) -> w.Row:
    return {
        "patient_id": p.id,
        "patient_guid": str(uuid.uuid5(uuid.NAMESPACE_OID, f"dtx-patient-{p.id}")),
        "first_name": p.first_name,
        "last_name": p.last_name,
        "mi": p.middle_initial,
        "preferred_name": p.preferred_name,
        "status": _STATUS.get(p.status, 4),
        "birth_date": w.day(p.birthdate),
        "email": p.email,
        "mobile_phone": p.mobile_phone,
        "home_phone": p.home_phone,
        "work_phone": p.work_phone,
        "address_line1": p.address,
        "address_line2": p.address2,
        "city": p.city,
        "state": p.state,
        "zipcode": p.zip,
        "gender": _GENDER.get(p.gender, 0),
        "guar_id": p.guarantor_id,
        "pri_provider_id": w.abbr(store, p.primary_provider_id),
        "sec_provider_id": w.abbr(store, p.secondary_provider_id),
        "first_visit_date": w.day(p.first_visit),
        "privacy_flags": 2 if p.txt_ok == "no" else 0,  # §3.3: 2 = no SMS
        "modified_time_stamp": _stamp(p),
    }


def _appointment(store: Store, a: r.Appointment) -> w.Row:
    patient = store.get(r.PATIENT, a.patient_id)
    return {
        "appointment_id": a.id,
        "patient_id": a.patient_id,
        "patient_name": f"{patient.last_name}, {patient.first_name}" if patient else "",
        "appointment_date": w.day(a.start.date()),
        "start_hour": a.start.hour,
        "start_minute": a.start.minute,
        "length": a.length_min,
        "status_id": COMPLETE if a.status == "complete" else a.confirmation_id,
        "operatory_id": a.operatory_id,
        "provider_id": w.abbr(store, a.provider_id),
        "addtnl_provider_id": w.abbr(store, a.hygienist_id),
        "reason": a.procedure_summary,
        "note": a.note,
        "amount": "0.00",
        "broken": 1 if a.status == "broken" else 0,
        "modified_time_stamp": _stamp(a),
    }


def _provider(store: Store, p: r.Provider) -> w.Row:
    return {
        "provider_id": p.abbr,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "npi": p.npi,
        "inactive": 1 if p.is_hidden or p.is_deleted else 0,
        "modified_time_stamp": _stamp(p),
    }


def _procedure(store: Store, p: r.Procedure) -> w.Row:
    return {
        "proclog_id": p.id,
        "patient_id": p.patient_id,
        "appointment_id": p.appointment_id,
        "proc_code": p.code,
        "description": p.description,
        "amount": w.money(p.fee_cents),
        "proc_date": w.day(p.date),
        "provider_id": w.abbr(store, p.provider_id),
        "chart_status": _CHART_STATUS.get(p.status, 102),
        "modified_time_stamp": _stamp(p),
    }


def _payment(store: Store, p: r.Payment) -> w.Row:
    return {
        "payment_id": p.id,
        "patient_id": p.patient_id,
        "payment_date": w.day(p.date),
        "amount": w.money(p.amount_cents),
        "proccodeid": p.type_id,
        "check_number": p.check_number,
        "provider_id": w.abbr(store, p.provider_id),
        "note": p.note,
        "modified_time_stamp": _stamp(p),
    }


def _contact(store: Store, c: r.Commlog) -> w.Row:
    return {
        "contact_id": c.id,
        "patient_id": c.patient_id,
        "contactdate": w.day(c.at.date()),
        "contacttime": c.at.strftime("%H:%M"),
        "contacttype": _CONTACT_TYPE_OF.get(c.mode, 0),
        "provider_id": w.abbr(store, c.provider_id),
        "title": c.note[:40],
        "notetext": c.note,
        "modified_time_stamp": _stamp(c),
    }


def _document(store: Store, d: r.Document) -> w.Row:
    return {
        "document_id": d.id,
        "patient_id": d.patient_id,
        "docname": d.file_name,
        "doctype": d.category_id,
        "description": d.description,
        "created_date": w.sql_time(d.created_at),
        "modified_time_stamp": _stamp(d),
    }


def reference(store: Store) -> dict[str, list[w.Row]]:
    statuses = [
        {"defid": d.id, "descript": d.name}
        for d in w.visible(store, r.CONFIRMATION_STATUS)
    ]
    return {
        "providers": [_provider(store, p) for p in store.query(r.PROVIDER)],
        "note_types": [
            {"contacttype": n, "descript": label}
            for n, (_, label) in CONTACT_TYPES.items()
        ],
        "document_categories": [
            {"def_id": d.id, "descript": d.name}
            for d in w.visible(store, r.DOCUMENT_CATEGORY)
        ],
        "appointment_statuses": [
            *statuses,
            {"defid": COMPLETE, "descript": "<COMPLETE>"},
        ],
        "payment_types": [
            {"proccodeid": d.id, "descript": d.name}
            for d in w.visible(store, r.PAYMENT_TYPE)
        ],
        "operatories": [
            {"op_id": o.id, "op_title": o.abbrev}
            for o in store.query(r.OPERATORY)
            if not o.is_hidden
        ],
    }


TABLES = (
    w.Table(
        "v_patient",
        r.PATIENT,
        "patient_id",
        _patient,
        MalformHints("patient_id", "birth_date", "status", "guar_id"),
        deleted=lambda p: p.status == "deleted",
    ),
    w.Table(
        "v_appt",
        r.APPOINTMENT,
        "appointment_id",
        _appointment,
        MalformHints("appointment_id", "appointment_date", "status_id", "start_hour"),
    ),
    w.Table(
        "v_provider",
        r.PROVIDER,
        "provider_id",
        _provider,
        MalformHints("provider_id", "modified_time_stamp", "inactive", "inactive"),
        key_value=lambda store, p: p.abbr,
        lookup=lambda store, code: w.provider_by_code(store, code),
    ),
    w.Table(
        "v_proclog",
        r.PROCEDURE,
        "proclog_id",
        _procedure,
        MalformHints("proclog_id", "proc_date", "chart_status", "patient_id"),
        deleted=lambda p: p.status == "deleted",
    ),
    w.Table(
        "payment_view",
        r.PAYMENT,
        "payment_id",
        _payment,
        MalformHints("payment_id", "payment_date", None, "patient_id"),
    ),
    w.Table(
        "v_contact",
        r.COMMLOG,
        "contact_id",
        _contact,
        MalformHints("contact_id", "contactdate", "contacttype", "patient_id"),
    ),
    w.Table(
        "v_document",
        r.DOCUMENT,
        "document_id",
        _document,
        MalformHints("document_id", "created_date", None, "patient_id"),
    ),
)
