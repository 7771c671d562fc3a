"""Dentrix Ascend wire shapes of the simulator's neutral records (facts §1.5, §1.6).

Fields the facts do not show are marked "assumed" (see docs/dentrix-ascend.md).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ... import records as r
from ...face import Ctx
from .wire import (
    PATIENT_STATUS,
    SEX,
    appointment_status,
    day,
    instant,
    ref,
    wire_id,
)


def patient(ctx: Ctx, p: r.Patient) -> dict[str, Any]:
    phones = [
        {
            "id": wire_id(p.id * 10 + i),
            "phoneType": kind,
            "number": number,
            "sequence": i,
            "extension": None,
        }
        for i, (kind, number) in enumerate(
            (
                ("MOBILE", p.mobile_phone),
                ("HOME", p.home_phone),
                ("WORK", p.work_phone),
            ),
            start=1,
        )
        if number
    ]
    return {
        "id": wire_id(p.id),
        "type": "PatientV1",
        "title": None,
        "firstName": p.first_name,
        "middleInitial": p.middle_initial or None,
        "lastName": p.last_name,
        "preferredName": p.preferred_name or None,
        "gender": SEX.get(p.gender, ""),
        "dateOfBirth": day(p.birthdate),
        "patientStatus": PATIENT_STATUS.get(p.status, p.status.upper()),
        "emailAddress": p.email or None,
        "chartNumber": p.chart_number or None,
        "address1": p.address,
        "address2": p.address2,
        "city": p.city,
        "state": p.state,
        "postalCode": p.zip,
        "phones": phones,
        "firstVisitDate": day(p.first_visit),
        "primaryProvider": ref(
            ctx, "ProviderV1", "v1/providers", p.primary_provider_id
        ),
        "primaryGuarantor": ref(ctx, "PatientV1", "v1/patients", p.guarantor_id),
        "preferredLocation": ref(ctx, "LocationV1", "v1/locations", 1),
        "lastModified": instant(ctx.store, p.modified_at),
    }


def appointment(ctx: Ctx, a: r.Appointment) -> dict[str, Any]:
    status = appointment_status(ctx.store, a)
    end = a.start + timedelta(minutes=a.length_min)
    return {
        "id": wire_id(a.id),
        "type": "AppointmentV1",
        "start": instant(ctx.store, a.start),
        "end": instant(ctx.store, end),
        "duration": a.length_min,
        "status": status,
        # Assumed: `confirmed` is the time of the last change to CONFIRMED.
        "confirmed": instant(ctx.store, a.modified_at)
        if status == "CONFIRMED"
        else None,
        "note": a.note or None,
        "other": a.procedure_summary or None,
        "needsFollowUp": False,
        "bookedOnline": False,
        "created": instant(ctx.store, a.created_at),
        "patient": ref(ctx, "PatientV1", "v1/patients", a.patient_id),
        "provider": ref(ctx, "ProviderV1", "v1/providers", a.provider_id),
        "otherProvider": ref(ctx, "ProviderV1", "v1/providers", a.hygienist_id),
        "operatory": ref(ctx, "OperatoryV1", "v1/operatories", a.operatory_id),
        "location": ref(ctx, "LocationV1", "v1/locations", 1),
        "lastModified": instant(ctx.store, a.modified_at),
    }


def provider(ctx: Ctx, p: r.Provider) -> dict[str, Any]:
    # Assumed shape: the facts name /v1/providers but show none of its fields.
    return {
        "id": wire_id(p.id),
        "type": "ProviderV1",
        "firstName": p.first_name,
        "lastName": p.last_name,
        "shortName": p.abbr,
        "npi": p.npi or None,
        "active": not (p.is_hidden or p.is_deleted),
        "lastModified": instant(ctx.store, p.modified_at),
    }


def operatory(ctx: Ctx, o: r.Operatory) -> dict[str, Any]:
    return {  # assumed shape
        "id": wire_id(o.id),
        "type": "OperatoryV1",
        "name": o.name,
        "shortName": o.abbrev,
        "active": not o.is_hidden,
        "location": ref(ctx, "LocationV1", "v1/locations", 1),
        "lastModified": instant(ctx.store, o.modified_at),
    }


def note(ctx: Ctx, c: r.Commlog) -> dict[str, Any]:
    # text, noteDate, patient, lastModified: §1.6; noteType and provider assumed.
    return {
        "id": wire_id(c.id),
        "type": "PatientNoteV1",
        "text": c.note,
        "noteDate": instant(ctx.store, c.at),
        "patient": ref(ctx, "PatientV1", "v1/patients", c.patient_id),
        "noteType": ref(ctx, "NoteTypeV1", "v1/notetypes", c.type_id),
        "provider": ref(ctx, "ProviderV1", "v1/providers", c.provider_id),
        "lastModified": instant(ctx.store, c.modified_at),
    }


def document(ctx: Ctx, d: r.Document) -> dict[str, Any]:
    # name, tags, mimeType, ownerPatient...: §1.6; category and content assumed.
    return {
        "id": wire_id(d.id),
        "type": "Document",
        "name": d.description or d.file_name,
        "fileName": d.file_name,
        "tags": [t for t in d.note.split("\n") if t],
        "mimeType": _mime(d.extension),
        "ownerType": "PATIENT",
        "ownerPatient": ref(ctx, "PatientV1", "v1/patients", d.patient_id),
        "category": ref(
            ctx, "DocumentCategory", "v0/documentcategories", d.category_id
        ),
        "provider": ref(ctx, "ProviderV1", "v1/providers", d.provider_id),
        "created": instant(ctx.store, d.created_at),
        "size": len(d.content),
        "lastModified": instant(ctx.store, d.modified_at),
    }


def procedure(ctx: Ctx, p: r.Procedure) -> dict[str, Any]:
    # status TREATMENT_PLAN and state ACTIVE seen (§1.5); the rest assumed.
    status = {
        "planned": "TREATMENT_PLAN",
        "complete": "COMPLETED",
        "existing_current": "EXISTING",
        "existing_other": "EXISTING_OTHER",
        "referred": "REFERRED",
        "condition": "CONDITION",
        "planned_inactive": "TREATMENT_PLAN",
    }.get(p.status, p.status.upper())
    return {
        "id": wire_id(p.id),
        "type": "PatientProcedureV1",
        "procedureCode": p.code,
        "description": p.description,
        "fee": f"{p.fee_cents / 100:.2f}",
        "status": status,
        "state": "INACTIVE" if p.status == "planned_inactive" else "ACTIVE",
        "procedureDate": day(p.date),
        "patient": ref(ctx, "PatientV1", "v1/patients", p.patient_id),
        "appointment": ref(ctx, "AppointmentV1", "v1/appointments", p.appointment_id),
        "provider": ref(ctx, "ProviderV1", "v1/providers", p.provider_id),
        "lastModified": instant(ctx.store, p.modified_at),
    }


def payment(ctx: Ctx, p: r.Payment) -> dict[str, Any]:
    # Assumed throughout: no public code reads Ascend payments (§1.6).
    return {
        "id": wire_id(p.id),
        "type": "PaymentV1",
        "amount": f"{p.amount_cents / 100:.2f}",
        "paymentDate": day(p.date),
        "enteredDate": day(p.entered),
        "note": p.note or None,
        "patient": ref(ctx, "PatientV1", "v1/patients", p.patient_id),
        "paymentType": ref(ctx, "PaymentTypeV1", "v1/paymenttypes", p.type_id),
        "provider": ref(ctx, "ProviderV1", "v1/providers", p.provider_id),
        "lastModified": instant(ctx.store, p.modified_at),
    }


def definition(ctx: Ctx, d: r.Definition, type_: str) -> dict[str, Any]:
    return {  # assumed reference-list shape
        "id": wire_id(d.id),
        "type": type_,
        "name": d.name,
        "active": not d.is_hidden,
        "lastModified": instant(ctx.store, d.modified_at),
    }


def _mime(extension: str) -> str:
    return {
        ".pdf": "application/pdf",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".png": "image/png",
        ".txt": "text/plain",
    }.get(extension.lower(), "application/octet-stream")
