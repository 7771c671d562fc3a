"""Map Dentrix Ascend wire records to the typed records of pms.base."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..base import (
    Appointment,
    Entity,
    Patient,
    Payment,
    Procedure,
    Provider,
    RecordError,
)
from .query import parse_instant

MIN_YEAR = 1850  # earlier dates are placeholders or corruption, not data


class MappingError(ValueError):
    """A wire record lacks a field we need, or carries one we cannot read."""


def ref_id(record: dict[str, Any], name: str) -> str:
    """Return the id of reference `name`: refs are `{id, type, url}` (§1.5)."""
    ref = record.get(name)
    if ref is None:
        return ""
    if not isinstance(ref, dict) or not ref.get("id"):
        raise MappingError(f"{name} is not a reference object")
    return str(ref["id"])


def to_patient(row: dict[str, Any]) -> Patient:
    """Return the Patient of a PatientV1 record (fields: §1.5)."""
    return Patient(
        pms_id=_id(row),
        first_name=_text(row, "firstName"),
        last_name=_required(row, "lastName"),
        birthdate=_date(row.get("dateOfBirth"), "dateOfBirth"),
        email=_text(row, "emailAddress"),
        phone=_phone(row.get("phones") or []),
        status=_text(row, "patientStatus"),
        guarantor_pms_id=ref_id(row, "primaryGuarantor"),
        modified_at=_modified(row),
        raw=row,
    )


def to_appointment(row: dict[str, Any]) -> Appointment:
    """Return the Appointment of an AppointmentV1 record (fields: §1.5)."""
    start = checked_instant(_required(row, "start"), "start")
    duration = row.get("duration")
    if duration is None and row.get("end"):
        duration = (checked_instant(row["end"], "end") - start).total_seconds() // 60
    status = _text(row, "status")
    return Appointment(
        pms_id=_id(row),
        patient_pms_id=ref_id(row, "patient") or _missing("patient"),
        start_at=start,
        duration_minutes=_int(duration or 0, "duration"),
        provider_pms_id=ref_id(row, "provider"),
        operatory_pms_id=ref_id(row, "operatory"),
        status=status,
        # Confirmation is a status value in Ascend (§1.5), so the status is its id.
        confirmation_pms_id=status,
        note=_text(row, "note"),
        modified_at=_modified(row),
        raw=row,
    )


def to_provider(row: dict[str, Any]) -> Provider:
    """Return the Provider of a ProviderV1 record (fields assumed, not in §1.5)."""
    first, last = _text(row, "firstName"), _text(row, "lastName")
    initials = f"{first[:1]}{last[:1]}".upper()
    return Provider(
        pms_id=_id(row),
        abbreviation=_text(row, "shortName") or initials or _id(row),
        first_name=first,
        last_name=last,
        active=bool(row.get("active", True)),
        modified_at=_modified(row),
        raw=row,
    )


def to_procedure(row: dict[str, Any]) -> Procedure:
    """Return the Procedure of a PatientProcedureV1 record (fields partly assumed)."""
    return Procedure(
        pms_id=_id(row),
        patient_pms_id=ref_id(row, "patient") or _missing("patient"),
        code=_required(row, "procedureCode"),
        fee=_decimal(row.get("fee", "0"), "fee"),
        status=_text(row, "status"),  # TREATMENT_PLAN seen (§1.5)
        performed_on=_date(row.get("procedureDate"), "procedureDate"),
        appointment_pms_id=ref_id(row, "appointment"),
        provider_pms_id=ref_id(row, "provider"),
        modified_at=_modified(row),
        raw=row,
    )


def to_payment(row: dict[str, Any]) -> Payment:
    """Return the Payment of a payment record (the whole shape is assumed, §1.6)."""
    return Payment(
        pms_id=_id(row),
        patient_pms_id=ref_id(row, "patient") or _missing("patient"),
        amount=_decimal(_required(row, "amount"), "amount"),
        paid_on=_date(row.get("paymentDate"), "paymentDate"),
        payment_type_pms_id=ref_id(row, "paymentType"),
        note=_text(row, "note"),
        modified_at=_modified(row),
        raw=row,
    )


MAPPERS: dict[Entity, Callable[[dict[str, Any]], Any]] = {
    Entity.PATIENT: to_patient,
    Entity.APPOINTMENT: to_appointment,
    Entity.PROVIDER: to_provider,
    Entity.PROCEDURE: to_procedure,
    Entity.PAYMENT: to_payment,
}


def map_row(entity: Entity, row: Any) -> Any:
    """Return the typed record of `row`, or a RecordError saying what is wrong."""
    try:
        if not isinstance(row, dict):
            raise MappingError("record is not an object")
        return MAPPERS[entity](row)
    except (MappingError, ValueError, TypeError, InvalidOperation) as error:
        return RecordError(
            entity=entity,
            pms_id=row_id(row),
            reason=str(error) or type(error).__name__,
            raw_excerpt=json.dumps(row, default=str)[:200],
        )


def row_id(row: Any) -> str | None:
    """Return the row's id if it is a well-formed Ascend id (§1.3), else None."""
    value = row.get("id") if isinstance(row, dict) else None
    return value if isinstance(value, str) and value.isdigit() else None


def _id(row: dict[str, Any]) -> str:
    value = row_id(row)
    if value is None:
        raise MappingError(f"id must be a digit string, got {row.get('id')!r}")
    return value


def _text(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    if value is not None and not isinstance(value, str):
        raise MappingError(f"{name} must be text")
    return value or ""


def _required(row: dict[str, Any], name: str) -> Any:
    value = row.get(name)
    if value in (None, ""):
        _missing(name)
    return value


def _missing(name: str) -> Any:
    raise MappingError(f"{name} is missing")


def _modified(row: dict[str, Any]) -> datetime:
    return checked_instant(_required(row, "lastModified"), "lastModified")


def checked_instant(value: Any, name: str) -> datetime:
    try:
        moment = parse_instant(str(value))
    except ValueError as error:
        raise MappingError(f"{name} is not a timestamp: {value!r}") from error
    if moment.year < MIN_YEAR:
        raise MappingError(f"{name} is an impossible time: {value!r}")
    return moment


def _date(value: Any, name: str) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError as error:
        raise MappingError(f"{name} is not a date: {value!r}") from error
    if day.year < MIN_YEAR:
        raise MappingError(f"{name} is an impossible date: {value!r}")
    return day


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise MappingError(f"{name} is not a number: {value!r}") from error


def _decimal(value: Any, name: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise MappingError(f"{name} is not an amount: {value!r}") from error


def _phone(phones: list[dict[str, Any]]) -> str:
    """Return the mobile number, else the first by `sequence` (phones[]: §1.5)."""
    if not isinstance(phones, list):
        raise MappingError("phones must be a list")
    ordered = sorted(phones, key=lambda phone: phone.get("sequence") or 0)
    mobile = [p for p in ordered if p.get("phoneType") == "MOBILE"]  # MOBILE assumed
    chosen = (mobile or ordered or [{}])[0]
    return str(chosen.get("number") or "")
