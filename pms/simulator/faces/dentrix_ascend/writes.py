"""Write routes: new patient, new or rescheduled appointment, status, notes, documents.

Facts §1.7: POST /v1/patients, POST/PUT/DELETE /v1/appointments (PUT replaces the
record, inferred from C3b sending a fresh GET back), C4 creates patient notes.
Document uploads are assumed (§1.6: how bytes are uploaded does not appear).
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, timedelta
from pathlib import PurePath
from typing import Any

from ... import records as r
from ...face import ApiError, Ctx, JsonResult
from . import shapes, wire
from .app import face

API = wire.API
_LIFECYCLE_WORDS = {word: status for status, word in wire.LIFECYCLE.items()}
_SEX = {"M": "male", "F": "female", "O": "other"}
_PATIENT_STATUS = {word: status for status, word in wire.PATIENT_STATUS.items()}


def body(ctx: Ctx) -> dict[str, Any]:
    """Return the JSON object body, else 400."""
    data = ctx.request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "Request body must be a JSON object")
    return data


def required(data: dict[str, Any], name: str) -> Any:
    value = data.get(name)
    if value in (None, ""):
        raise ApiError(400, f"{name} is required")
    return value


def existing(
    ctx: Ctx,
    data: dict[str, Any],
    name: str,
    kind: str,
    definition: str | None = None,
    *,
    needed: bool = False,
) -> int:
    """Return the store id a reference names, checking it exists (0: none)."""
    value = data.get(name)
    if value in (None, ""):
        if needed:
            raise ApiError(400, f"{name} is required")
        return 0
    number = wire.store_id(value, name)
    found = ctx.store.get(kind, number)
    if found is None or (definition and found.kind != definition):
        raise ApiError(400, f"{name} {value!r} does not exist")
    if kind == r.PATIENT and found.status == "deleted":
        raise ApiError(400, f"{name} {value!r} does not exist")
    return number


def status_fields(ctx: Ctx, word: Any) -> dict[str, Any]:
    """Return the neutral fields for an appointment `status` word (400 if unknown)."""
    text = str(word or "").strip().upper()
    if text in _LIFECYCLE_WORDS:
        return {"status": _LIFECYCLE_WORDS[text]}
    for d in ctx.store.definitions(r.CONFIRMATION_STATUS):
        if wire.status_id(d) == text:
            return {"status": "scheduled", "confirmation_id": d.id}
    raise ApiError(400, f"Unknown appointment status: {word!r}")


def created(data: dict[str, Any]) -> JsonResult:
    return JsonResult({"statusCode": 201, "data": data}, status=201)


@face.route(f"{API}/v1/patients", methods=("POST",))
def create_patient(ctx: Ctx) -> JsonResult:
    data = body(ctx)
    phones = data.get("phones") or []
    if not isinstance(phones, list):
        raise ApiError(400, "phones must be a list")
    numbers = {
        str(p.get("phoneType", "")).upper(): str(p.get("number", ""))
        for p in phones
        if isinstance(p, dict)
    }
    birth = data.get("dateOfBirth")
    try:
        birthdate = date.fromisoformat(str(birth)) if birth else None
    except ValueError:
        raise ApiError(400, "dateOfBirth must be yyyy-MM-dd") from None
    store = ctx.store
    with store.lock:
        patient = store.insert(
            r.PATIENT,
            r.Patient(
                first_name=str(required(data, "firstName")),
                last_name=str(required(data, "lastName")),
                birthdate=birthdate,
                email=str(data.get("emailAddress") or ""),
                mobile_phone=numbers.get("MOBILE", ""),
                home_phone=numbers.get("HOME", ""),
                work_phone=numbers.get("WORK", ""),
                chart_number=str(data.get("chartNumber") or ""),
                gender=_SEX.get(str(data.get("gender", "")).upper(), "unknown"),
                status=_PATIENT_STATUS.get(
                    str(data.get("patientStatus", "")).upper(), "patient"
                ),
                primary_provider_id=existing(ctx, data, "primaryProvider", r.PROVIDER),
                created_at=store.now(),
            ),
        )
        patient = store.update(r.PATIENT, patient.id, guarantor_id=patient.id)
    return created(shapes.patient(ctx, patient))


def _appointment_fields(ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
    start = wire.local_time(ctx.store, required(data, "start"), "start")
    length = data.get("duration")
    if length is None and data.get("end"):
        end = wire.local_time(ctx.store, data["end"], "end")
        length = (end - start) // timedelta(minutes=1)
    try:
        length = int(length if length is not None else 30)
    except (TypeError, ValueError):
        raise ApiError(400, "duration must be a number of minutes") from None
    if length <= 0:
        raise ApiError(400, "duration must be positive")
    return {
        "patient_id": existing(ctx, data, "patient", r.PATIENT, needed=True),
        "start": start,
        "length_min": length,
        "provider_id": existing(ctx, data, "provider", r.PROVIDER),
        "operatory_id": existing(ctx, data, "operatory", r.OPERATORY),
        "note": str(data.get("note") or ""),
        **status_fields(ctx, data.get("status") or "UNCONFIRMED"),
    }


@face.route(f"{API}/v1/appointments", methods=("POST",))
def create_appointment(ctx: Ctx) -> JsonResult:
    fields = _appointment_fields(ctx, body(ctx))
    if "confirmation_id" not in fields:
        first = ctx.store.definitions(r.CONFIRMATION_STATUS, include_hidden=False)
        fields["confirmation_id"] = first[0].id if first else 0
    appt = ctx.store.insert(
        r.APPOINTMENT, r.Appointment(created_at=ctx.store.now(), **fields)
    )
    return created(shapes.appointment(ctx, appt))


@face.route(f"{API}/v1/appointments/<record_id>", methods=("PUT",))
def replace_appointment(ctx: Ctx, record_id: str) -> JsonResult:
    """Replace an appointment's writable fields (status confirms/unconfirms)."""
    number = wire.store_id(record_id)
    data = body(ctx)
    required(data, "status")
    with ctx.store.lock:
        current = ctx.store.get(r.APPOINTMENT, number)
        if current is None:
            raise ApiError(404, f"No appointment with id {record_id}")
        appt = ctx.store.update(r.APPOINTMENT, number, **_appointment_fields(ctx, data))
    return JsonResult({"statusCode": 200, "data": shapes.appointment(ctx, appt)})


@face.route(f"{API}/v1/appointments/<record_id>", methods=("DELETE",))
def delete_appointment(ctx: Ctx, record_id: str) -> JsonResult:
    ctx.store.delete(r.APPOINTMENT, wire.store_id(record_id))  # unknown id: 404
    return JsonResult({"statusCode": 200, "data": None})


@face.route(f"{API}/v1/patientnotes", methods=("POST",))
def create_note(ctx: Ctx) -> JsonResult:
    data = body(ctx)
    store = ctx.store
    at = data.get("noteDate")
    note = store.insert(
        r.COMMLOG,
        r.Commlog(
            patient_id=existing(ctx, data, "patient", r.PATIENT, needed=True),
            at=wire.local_time(store, at, "noteDate") if at else store.now(),
            type_id=existing(ctx, data, "noteType", r.DEFINITION, r.NOTE_TYPE),
            provider_id=existing(ctx, data, "provider", r.PROVIDER),
            note=str(required(data, "text")),
            mode="none",
            direction="neither",
            source="api",
            entered_at=store.now(),
        ),
    )
    return created(shapes.note(ctx, note))


@face.route(f"{API}/v0/documents", methods=("POST",))
def create_document(ctx: Ctx) -> JsonResult:
    data = body(ctx)
    try:
        content = base64.b64decode(str(required(data, "content")), validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "content must be base64") from None
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ApiError(400, "tags must be a list of strings")
    file_name = str(data.get("fileName") or data.get("name") or "")
    store = ctx.store
    doc = store.insert(
        r.DOCUMENT,
        r.Document(
            patient_id=existing(ctx, data, "ownerPatient", r.PATIENT, needed=True),
            created_at=store.now(),
            category_id=existing(
                ctx, data, "category", r.DEFINITION, r.DOCUMENT_CATEGORY
            ),
            provider_id=existing(ctx, data, "provider", r.PROVIDER),
            description=str(required(data, "name")),
            file_name=file_name,
            extension=PurePath(file_name).suffix,
            content=content,
            note="\n".join(tags),
        ),
    )
    return created(shapes.document(ctx, doc))
