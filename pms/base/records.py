"""The typed records read from a PMS: no vendor dict leaves `pms/`."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Generic, TypeVar

from .kinds import Entity


@dataclass(frozen=True)
class ReferenceValue:
    """A provider, note type, document category, status, payment type or operatory.

    `kind` uses the values of practices.models.ReferenceKind.
    """

    kind: str
    pms_id: str
    label: str
    active: bool = True


def phone_digits(phone: object) -> str:
    """Return a phone number's digits, to compare numbers however punctuated."""
    return "".join(ch for ch in str(phone or "") if ch.isdigit())


@dataclass(frozen=True)
class Patient:
    pms_id: str
    first_name: str
    last_name: str
    birthdate: date | None = None
    email: str = ""
    phone: str = ""
    status: str = ""  # vendor status text, e.g. "Patient", "Inactive", "Deleted"
    is_deleted: bool = False  # soft-deleted in the PMS
    guarantor_pms_id: str = ""
    modified_at: datetime | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Appointment:
    pms_id: str
    patient_pms_id: str
    start_at: datetime | None  # None: the PMS holds no date (e.g. a planned visit)
    duration_minutes: int = 0
    provider_pms_id: str = ""
    operatory_pms_id: str = ""
    status: str = ""  # vendor status text, e.g. "Scheduled", "Complete", "Broken"
    confirmation_pms_id: str = ""  # the PMS's confirmation status id
    note: str = ""
    # False for rows the PMS keeps off its calendar: planned visits, sticky
    # notes, the unscheduled list. The schedule, card and dashboard skip them.
    on_schedule: bool = True
    is_deleted: bool = False
    modified_at: datetime | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Provider:
    pms_id: str
    abbreviation: str
    first_name: str = ""
    last_name: str = ""
    active: bool = True
    modified_at: datetime | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Procedure:
    pms_id: str
    patient_pms_id: str
    code: str
    fee: Decimal
    status: str
    performed_on: date | None = None
    appointment_pms_id: str = ""
    provider_pms_id: str = ""
    is_deleted: bool = False
    modified_at: datetime | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Payment:
    pms_id: str
    patient_pms_id: str
    amount: Decimal
    paid_on: date | None
    payment_type_pms_id: str = ""
    note: str = ""
    modified_at: datetime | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


class ScheduleKind(enum.StrEnum):
    PROVIDER = "provider"  # a provider's working hours
    BLOCKOUT = "blockout"  # time held back for a purpose (meeting, emergencies)
    PRACTICE = "practice"  # a practice-wide note or closure (a holiday)


@dataclass(frozen=True)
class ScheduleBlock:
    """One entry of the practice's schedule on one practice-local day.

    `start_time == stop_time == 00:00` is an all-day entry (a closure note).
    """

    pms_id: str
    kind: ScheduleKind
    day: date
    start_time: time
    stop_time: time
    provider_pms_id: str = ""
    operatory_pms_ids: tuple[str, ...] = ()
    blockout_type_pms_id: str = ""
    blockout_type: str = ""  # the blockout type's name, e.g. "Staff Meeting"
    note: str = ""
    modified_at: datetime | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class PatientPhoto:
    """The PMS's record of a patient's picture (its metadata; bytes stay there)."""

    patient_pms_id: str
    pms_id: str  # the PMS's id of the picture (Open Dental: DocNum)
    taken_at: datetime | None = None
    description: str = ""
    file_name: str = ""


@dataclass(frozen=True)
class Deletion:
    entity: Entity
    pms_id: str
    deleted_at: datetime | None = None


@dataclass(frozen=True)
class IdWindow:
    """Which records to list for an id-set reconciliation.

    `since`/`until`: records dated (entered, created; an appointment: its day) on or
    after / on or before these days; `patient_pms_id`: only one patient's records.
    The caller diffs the ids the PMS returns against the ids it holds for the same
    window; the ones missing were deleted.
    """

    entity: Entity
    since: date | None = None
    patient_pms_id: str = ""
    until: date | None = None


@dataclass(frozen=True)
class RecordError:
    """A record the PMS sent that could not be mapped; the rest of the page is fine."""

    entity: Entity
    pms_id: str | None
    reason: str
    raw_excerpt: str = ""


T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of a resumable read.

    Pass `cursor` to the next call. While `has_more`, it resumes the walk; once
    `has_more` is false it is the watermark for the next "changed since" cycle.
    """

    records: list[T]
    cursor: str
    has_more: bool
    errors: list[RecordError] = field(default_factory=list)
