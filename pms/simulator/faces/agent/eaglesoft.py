"""The Eaglesoft agent: SQL Anywhere table and column names (other-pms-facts.md §2)."""

from __future__ import annotations

from datetime import timedelta

from ... import records as r
from ...face import MalformHints
from ...store import Store
from . import wire as w

# §2.3: confirmation_status 0-7, mapped to the store's confirmation codes.
CONFIRMATIONS = {
    0: ("unconfirmed", "Unconfirmed"),
    1: ("confirmed", "Confirmed"),
    2: ("sent", "Sent Email"),
    3: ("left_message", "Left Message"),
    4: ("no_answer", "No Answer"),
    5: ("phone_busy", "Phone Busy"),
    6: ("waiting_callback", "Waiting For Callback"),
    7: ("other", "Other"),
}
_CONFIRMATION_OF = {code: n for n, (code, _) in CONFIRMATIONS.items()} | {
    "not_called": 0
}
# §2.4: comm logs are note_type 'G' / id 7, payment logs 'A' / 4; the rest inferred.
NOTE_TYPES = {
    7: ("G", "misc", "General"),
    4: ("A", "fin", "Account"),
    2: ("P", "appt", "Appointment"),
    3: ("R", "recall", "Recall"),
    8: ("T", "text", "Text Message"),
    9: ("I", "insurance", "Insurance"),
}
_NOTE_TYPE_OF = {code: n for n, (_, code, _) in NOTE_TYPES.items()}
_PATIENT_STATUS = {
    "patient": ("A", "Y"),
    "nonpatient": ("A", "N"),
    "prospective": ("A", "N"),
}
_PROCEDURE_STATUS = {
    "complete": "C",
    "planned": "P",
    "existing_current": "E",
    "existing_other": "E",
    "referred": "R",
    "condition": "X",
    "planned_inactive": "I",
}
_SEX = {"male": "M", "female": "F"}


def _patient(store: Store, p: r.Patient) -> w.Row:
    status, patient_status = _PATIENT_STATUS.get(p.status, ("I", "Y"))
    return {
        "patient_id": p.id,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "middle_initial": p.middle_initial,
        "preferred_name": p.preferred_name,
        "sex": _SEX.get(p.gender, ""),
        "birth_date": w.day(p.birthdate),
        "email_address": p.email,
        "cell_phone": p.mobile_phone,
        "home_phone": p.home_phone,
        "work_phone": p.work_phone,
        "address_1": p.address,
        "address_2": p.address2,
        "city": p.city,
        "state": p.state,
        "zipcode": p.zip,
        "status": status,
        "patient_status": patient_status,
        "responsible_party": p.guarantor_id,
        "preferred_dentist": w.abbr(store, p.primary_provider_id),
        "first_visit_date": w.day(p.first_visit),
        "receives_sms": {"yes": "Y", "no": "N"}.get(p.txt_ok, ""),
        "current_bal": w.money(p.balance_cents),
    }


def _confirmation(store: Store, definition_id: int) -> int:
    found = store.get(r.DEFINITION, definition_id) if definition_id else None
    return _CONFIRMATION_OF.get(found.code, 7) if found else 0


def _appointment(store: Store, a: r.Appointment) -> w.Row:
    # §2.3: classification 2 is an operatory block; 16 an old "deleted/broken" query.
    classification = (
        2 if a.status.startswith("pt_note") else (16 if a.status == "broken" else 1)
    )
    return {
        "appointment_id": a.id,
        "patient_id": a.patient_id,
        "start_time": w.sql_time(a.start),
        "end_time": w.sql_time(a.start + timedelta(minutes=a.length_min)),
        "location_id": a.operatory_id,
        "classification": classification,
        "appointment_type_id": a.appointment_type_id,
        "description": a.procedure_summary,
        "appointment_notes": a.note,
        "confirmation_status": _confirmation(store, a.confirmation_id),
        "arrival_status": 4 if a.status == "complete" else 0,  # 4: walked out
        "provider_id": w.abbr(store, a.provider_id or a.hygienist_id),
        "date_appointed": w.sql_time(a.created_at),
    }


def _provider(store: Store, p: r.Provider) -> w.Row:
    return {
        "provider_id": p.abbr,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "status": "I" if p.is_hidden or p.is_deleted else "A",
        "position_id": 2 if p.is_hygienist else 1,
    }


def _procedure(store: Store, p: r.Procedure) -> w.Row:
    return {
        "detail_id": p.id,
        "patient_id": p.patient_id,
        "appointment_id": p.appointment_id,
        "service_code": p.code,
        "description": p.description,
        "fee": w.money(p.fee_cents),
        "tran_date": w.day(p.date),
        "provider_id": w.abbr(store, p.provider_id),
        "status": _PROCEDURE_STATUS.get(p.status, "C"),
    }


def _payment(store: Store, p: r.Payment) -> w.Row:
    return {
        "tran_num": p.id,
        "type": "A",
        "patient_id": p.patient_id,
        "tran_date": w.day(p.date),
        "amount": w.money(-p.amount_cents),  # a credit
        "paytype_id": p.type_id,
        "description": p.note,
        "provider_id": w.abbr(store, p.provider_id),
    }


def _note_type(store: Store, definition_id: int) -> int:
    found = store.get(r.DEFINITION, definition_id) if definition_id else None
    return _NOTE_TYPE_OF.get(found.code, 7) if found else 7


def _note(store: Store, c: r.Commlog) -> w.Row:
    type_id = _note_type(store, c.type_id)
    return {
        "note_id": c.id,
        "patient_id": c.patient_id,
        "date_entered": w.sql_time(c.at),
        "note_type_id": type_id,
        "note_type": NOTE_TYPES[type_id][0],
        "note_class": "T",
        "description": c.note[:60],
        "note": c.note,
        "user_id": w.abbr(store, c.provider_id),
        "freshness": w.sql_time(c.modified_at),
    }


def _document(store: Store, d: r.Document) -> w.Row:
    return {
        "document_id": d.id,
        "ref_id": d.patient_id,
        "ref_table": "patient",
        "document_name": d.file_name,
        "document_type": d.extension.lstrip("."),
        "group_id": d.category_id,
        "description": d.description,
        "creation_date": w.sql_time(d.created_at),
        "user_id": w.abbr(store, d.provider_id),
    }


def reference(store: Store) -> dict[str, list[w.Row]]:
    return {
        "providers": [_provider(store, p) for p in store.query(r.PROVIDER)],
        "note_types": [
            {"note_type_id": n, "note_type": t, "note_class": "T", "description": label}
            for n, (t, _, label) in NOTE_TYPES.items()
        ],
        "document_categories": [
            {"group_id": d.id, "description": d.name, "type": "I"}
            for d in w.visible(store, r.DOCUMENT_CATEGORY)
        ],
        "appointment_statuses": [
            {"confirmation_status": n, "description": label}
            for n, (_, label) in CONFIRMATIONS.items()
        ],
        "payment_types": [
            {"paytype_id": d.id, "description": d.name}
            for d in w.visible(store, r.PAYMENT_TYPE)
        ],
        "operatories": [
            {"chair_num": o.id, "chair_name": o.name}
            for o in store.query(r.OPERATORY)
            if not o.is_hidden
        ],
    }


TABLES = (
    w.Table(
        "patient",
        r.PATIENT,
        "patient_id",
        _patient,
        MalformHints("patient_id", "birth_date", "status", "responsible_party"),
        deleted=lambda p: p.status == "deleted",
    ),
    w.Table(
        "appointment",
        r.APPOINTMENT,
        "appointment_id",
        _appointment,
        MalformHints(
            "appointment_id", "start_time", "confirmation_status", "patient_id"
        ),
    ),
    w.Table(
        "provider",
        r.PROVIDER,
        "provider_id",
        _provider,
        MalformHints("provider_id", None, "status", "position_id"),
        key_value=lambda store, p: p.abbr,
        lookup=lambda store, code: w.provider_by_code(store, code),
    ),
    w.Table(
        "procedure",
        r.PROCEDURE,
        "detail_id",
        _procedure,
        MalformHints("detail_id", "tran_date", "status", "patient_id"),
        deleted=lambda p: p.status == "deleted",
    ),
    w.Table(
        "transactions",
        r.PAYMENT,
        "tran_num",
        _payment,
        MalformHints("tran_num", "tran_date", None, "patient_id"),
    ),
    w.Table(
        "operatory_notes",
        r.COMMLOG,
        "note_id",
        _note,
        MalformHints("note_id", "date_entered", None, "patient_id"),
    ),
    w.Table(
        "document",
        r.DOCUMENT,
        "document_id",
        _document,
        MalformHints("document_id", "creation_date", None, "ref_id"),
    ),
)
