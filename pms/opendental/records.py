"""Map Open Dental rows to the boundary's records (opendental-api.md §5, §7)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from ..base import Appointment, Patient, Payment, Procedure, Provider
from .wire import (
    WireError,
    parse_amount,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_enum,
    parse_id,
    parse_text,
    payload,
    require,
)

# §7 enum names as they travel on the wire.
PAT_STATUSES = frozenset(
    {
        "Patient",
        "NonPatient",
        "Inactive",
        "Archived",
        "Deleted",
        "Deceased",
        "Prospective",
    }
)
APT_STATUSES = frozenset(
    {
        "Scheduled",
        "Complete",
        "UnschedList",
        "ASAP",
        "Broken",
        "Planned",
        "PtNote",
        "PtNoteCompleted",
    }
)
# §5.1: a patient's phones, the mobile first (the one a practice texts).
PHONE_FIELDS = ("WirelessPhone", "HmPhone", "WkPhone")
# §7: planned visits, sticky notes and the unscheduled list are off the calendar.
OFF_SCHEDULE = frozenset({"Planned", "PtNote", "PtNoteCompleted", "UnschedList"})
# §7: an unscheduled appointment may keep a placeholder date before 1880.
PLACEHOLDER_BEFORE = 1880
PROC_STATUSES = frozenset({"TP", "C", "EC", "EO", "R", "D", "Cn", "TPi"})
PROV_STATUSES = frozenset({"Active", "Deleted"})
PROCESS_STATUSES = frozenset({"OfficeProcessed", "OnlinePending", "OnlineProcessed"})


def stamp(row: dict[str, Any], field: str, tz: ZoneInfo):
    """Return a row's change stamp; it is never empty on a real row (§3.2)."""
    value = parse_datetime(require(row, field), field, tz)
    if value is None:
        raise WireError(field, row.get(field), "is empty")
    return value


def map_patient(row: dict[str, Any], tz: ZoneInfo) -> Patient:
    status = parse_enum(require(row, "PatStatus"), "PatStatus", PAT_STATUSES)
    phones = [parse_text(row.get(name), name) for name in PHONE_FIELDS]
    return Patient(
        pms_id=parse_id(require(row, "PatNum"), "PatNum"),
        first_name=parse_text(row.get("FName"), "FName"),
        last_name=parse_text(row.get("LName"), "LName"),
        birthdate=parse_date(row.get("Birthdate"), "Birthdate"),
        email=parse_text(row.get("Email"), "Email"),
        phone=next((p for p in phones if p), ""),
        status=status,
        # §3.4: a UI delete is soft, PatStatus becomes "Deleted".
        is_deleted=status == "Deleted",
        guarantor_pms_id=parse_id(row.get("Guarantor"), "Guarantor", required=False),
        modified_at=stamp(row, "DateTStamp", tz),
        raw=payload(row),
    )


def map_appointment(row: dict[str, Any], tz: ZoneInfo) -> Appointment:
    # §1.6: "0001-01-01 00:00:00" is no date (a planned visit has none).
    start = parse_datetime(require(row, "AptDateTime"), "AptDateTime", tz)
    if start is not None and start.year < PLACEHOLDER_BEFORE:
        start = None
    status = parse_enum(require(row, "AptStatus"), "AptStatus", APT_STATUSES)
    pattern = parse_text(row.get("Pattern"), "Pattern")
    return Appointment(
        pms_id=parse_id(require(row, "AptNum"), "AptNum"),
        patient_pms_id=parse_id(require(row, "PatNum"), "PatNum"),
        start_at=start,
        # §5.2: one Pattern character per 5 minutes.
        duration_minutes=len(pattern) * 5,
        provider_pms_id=parse_id(row.get("ProvNum"), "ProvNum", required=False),
        operatory_pms_id=parse_id(row.get("Op"), "Op", required=False),
        status=status,
        # §5.2: Confirmed is a DefNum of category 2, not an enum.
        confirmation_pms_id=parse_id(row.get("Confirmed"), "Confirmed", required=False),
        note=parse_text(row.get("Note"), "Note"),
        on_schedule=start is not None and status not in OFF_SCHEDULE,
        modified_at=stamp(row, "DateTStamp", tz),
        raw=payload(row),
    )


def map_provider(row: dict[str, Any], tz: ZoneInfo) -> Provider:
    hidden = parse_bool(row.get("IsHidden", "false"), "IsHidden")
    status = parse_enum(row.get("ProvStatus", "Active"), "ProvStatus", PROV_STATUSES)
    return Provider(
        pms_id=parse_id(require(row, "ProvNum"), "ProvNum"),
        abbreviation=parse_text(row.get("Abbr"), "Abbr"),
        first_name=parse_text(row.get("FName"), "FName"),
        last_name=parse_text(row.get("LName"), "LName"),
        # §5.4: IsHidden is the main "inactive" flag; providers are never deleted.
        active=not hidden and status == "Active",
        modified_at=stamp(row, "DateTStamp", tz),
        raw=payload(row),
    )


def map_procedure(row: dict[str, Any], tz: ZoneInfo) -> Procedure:
    status = parse_enum(require(row, "ProcStatus"), "ProcStatus", PROC_STATUSES)
    return Procedure(
        pms_id=parse_id(require(row, "ProcNum"), "ProcNum"),
        patient_pms_id=parse_id(require(row, "PatNum"), "PatNum"),
        code=parse_text(row.get("procCode"), "procCode"),
        fee=parse_amount(row.get("ProcFee", "0"), "ProcFee"),
        status=status,
        performed_on=parse_date(row.get("ProcDate"), "ProcDate"),
        appointment_pms_id=parse_id(row.get("AptNum"), "AptNum", required=False),
        provider_pms_id=parse_id(row.get("ProvNum"), "ProvNum", required=False),
        # §3.4: a deleted procedure is an UPDATE to ProcStatus "D".
        is_deleted=status == "D",
        modified_at=stamp(row, "DateTStamp", tz),
        raw=payload(row),
    )


def map_payment(row: dict[str, Any], tz: ZoneInfo) -> Payment:
    paid_on = parse_date(require(row, "PayDate"), "PayDate")
    if paid_on is None:
        raise WireError("PayDate", row.get("PayDate"), "is empty")
    if "ProcessStatus" in row:
        parse_enum(row["ProcessStatus"], "ProcessStatus", PROCESS_STATUSES)
    return Payment(
        pms_id=parse_id(require(row, "PayNum"), "PayNum"),
        patient_pms_id=parse_id(require(row, "PatNum"), "PatNum"),
        amount=parse_amount(require(row, "PayAmt"), "PayAmt"),
        paid_on=paid_on,
        payment_type_pms_id=parse_id(row.get("PayType"), "PayType", required=False),
        note=parse_text(row.get("PayNote"), "PayNote"),
        modified_at=parse_datetime(row.get("SecDateTEdit"), "SecDateTEdit", tz),
        raw=payload(row),
    )
