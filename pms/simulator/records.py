"""The vendor-neutral records one simulated practice holds.

Records are slotted dataclasses. The store never mutates a stored record: an update
stores a modified copy (copy-on-write), so a face may serialise records it got from
a query without holding the lock. Treat every record as read-only; write through
`Store.insert/update/delete`.

Conventions: ids are positive ints per kind (faces render them however their vendor
does); times are naive office-local datetimes at second resolution; money is integer
cents; enums are the lowercase vendor-neutral words listed in the `*_STATUSES` tuples
below (faces translate them). `0`/`None`/`""` mean "none".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

EPOCH = datetime(2000, 1, 1)

# Record kinds (the store's table names).
PATIENT = "patient"
PROVIDER = "provider"
OPERATORY = "operatory"
APPOINTMENT = "appointment"
PROCEDURE = "procedure"
PAYMENT = "payment"
COMMLOG = "commlog"
DOCUMENT = "document"
DEFINITION = "definition"
SCHEDULE = "schedule"
KINDS = (
    DEFINITION,
    PROVIDER,
    OPERATORY,
    PATIENT,
    APPOINTMENT,
    PROCEDURE,
    PAYMENT,
    COMMLOG,
    DOCUMENT,
    SCHEDULE,
)

PATIENT_STATUSES = (
    "patient",
    "nonpatient",
    "inactive",
    "archived",
    "deleted",  # a soft delete: the row stays
    "deceased",
    "prospective",
)
APPOINTMENT_STATUSES = (
    "scheduled",
    "complete",
    "unscheduled",  # on the unscheduled list
    "broken",
    "planned",  # treatment-plan appointment, outside the schedule (operatory 0)
    "pt_note",  # a sticky note on the schedule, not a visit
    "pt_note_completed",
)
PROCEDURE_STATUSES = (
    "planned",  # treatment planned
    "complete",
    "existing_current",
    "existing_other",
    "referred",
    "deleted",  # a soft delete: the row stays
    "condition",
    "planned_inactive",
)
GENDERS = ("male", "female", "unknown", "other")
POSITIONS = ("single", "married", "child", "widowed", "divorced")
CONTACT_METHODS = (
    "none",
    "do_not_call",
    "home_phone",
    "work_phone",
    "mobile_phone",
    "email",
    "see_notes",
    "mail",
    "text",
)
COMM_MODES = (
    "none",
    "email",
    "mail",
    "phone",
    "in_person",
    "text",
    "email_and_text",
    "phone_and_text",
)
COMM_DIRECTIONS = ("neither", "sent", "received")
IMAGE_TYPES = ("document", "radiograph", "photo", "file", "attachment")
# practice: a note or closure for the day; employee: staff hours (not providers).
SCHEDULE_TYPES = ("practice", "provider", "blockout", "employee")

# Definition kinds (reference lists) and the semantic codes some entries carry.
CONFIRMATION_STATUS = "confirmation_status"  # codes below
NOTE_TYPE = "note_type"  # codes: appt, fin, recall, misc, text
DOCUMENT_CATEGORY = "document_category"
PAYMENT_TYPE = "payment_type"
BILLING_TYPE = "billing_type"
UNSCHED_STATUS = "unsched_status"
PROVIDER_SPECIALTY = "provider_specialty"
BLOCKOUT_TYPE = "blockout_type"
DEFINITION_KINDS = (
    CONFIRMATION_STATUS,
    NOTE_TYPE,
    DOCUMENT_CATEGORY,
    PAYMENT_TYPE,
    BILLING_TYPE,
    UNSCHED_STATUS,
    PROVIDER_SPECIALTY,
    BLOCKOUT_TYPE,
)
CONFIRMATION_CODES = (
    "unconfirmed",  # what new appointments start with (the first entry)
    "not_called",
    "left_message",
    "no_answer",
    "sent",  # reminder sent electronically
    "confirmed",
    "declined",
    "send_failed",
    "arrived",
)


@dataclass(slots=True, kw_only=True)
class Record:
    """Fields every record carries; the store sets them on each write."""

    id: int = 0
    seq: int = 0  # the practice's change sequence at the last write
    created_seq: int = 0  # the change sequence at creation
    modified_at: datetime = EPOCH  # office-local, second resolution (DateTStamp)


@dataclass(slots=True, kw_only=True)
class Definition(Record):
    """A reference-list entry: note type, document category, payment type..."""

    kind: str  # one of DEFINITION_KINDS
    name: str
    value: str = ""  # vendor flag text (OD ItemValue), e.g. "MISC"
    code: str = ""  # semantic code, e.g. "confirmed", "misc"
    order: int = 0
    is_hidden: bool = False


@dataclass(slots=True, kw_only=True)
class Provider(Record):
    abbr: str
    last_name: str = ""
    first_name: str = ""
    middle_initial: str = ""
    suffix: str = ""
    preferred_name: str = ""
    is_hygienist: bool = False
    is_hidden: bool = False  # off pick lists: the usual "inactive"
    is_deleted: bool = False  # OD ProvStatus Deleted; providers are never removed
    hide_on_reports: bool = False
    is_not_person: bool = False
    specialty_id: int = 0  # Definition of kind provider_specialty
    color: tuple[int, int, int] = (128, 128, 128)
    state_license: str = ""
    npi: str = ""
    birthdate: date | None = None


@dataclass(slots=True, kw_only=True)
class Operatory(Record):
    name: str
    abbrev: str
    order: int = 0
    is_hidden: bool = False
    provider_id: int = 0
    hygienist_id: int = 0
    is_hygiene: bool = False
    clinic_id: int = 0
    is_web_sched: bool = False


@dataclass(slots=True, kw_only=True)
class Patient(Record):
    guarantor_id: int = 0  # head of family; equals id for the guarantor
    last_name: str
    first_name: str
    middle_initial: str = ""
    preferred_name: str = ""
    status: str = "patient"
    gender: str = "unknown"
    position: str = "single"
    birthdate: date | None = None
    ssn: str = ""
    address: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    home_phone: str = ""
    work_phone: str = ""
    mobile_phone: str = ""
    email: str = ""
    primary_provider_id: int = 0
    secondary_provider_id: int = 0
    clinic_id: int = 0
    billing_type_id: int = 0
    first_visit: date | None = None
    chart_number: str = ""
    language: str = ""  # ISO 639-2, "" = none
    preferred_contact: str = "none"
    preferred_confirm: str = "none"
    preferred_recall: str = "none"
    txt_ok: str = "unknown"  # unknown | yes | no
    balance_cents: int = 0
    super_family_id: int = 0
    created_at: datetime = EPOCH


@dataclass(slots=True, kw_only=True)
class Appointment(Record):
    patient_id: int
    status: str = "scheduled"
    start: datetime
    length_min: int = 30  # a multiple of 5
    operatory_id: int = 0
    provider_id: int = 0
    hygienist_id: int = 0
    confirmation_id: int = 0  # Definition of kind confirmation_status
    note: str = ""
    procedure_summary: str = ""  # e.g. "PerEx, Pro, 4BW"
    is_new_patient: bool = False
    is_hygiene: bool = False
    priority: str = "normal"  # normal | asap
    clinic_id: int = 0
    unsched_status_id: int = 0
    next_appointment_id: int = 0
    appointment_type_id: int = 0
    arrived_at: datetime | None = None
    seated_at: datetime | None = None
    dismissed_at: datetime | None = None
    created_at: datetime = EPOCH


@dataclass(slots=True, kw_only=True)
class Procedure(Record):
    patient_id: int
    appointment_id: int = 0
    date: date
    code: str  # CDT code, e.g. "D0120"
    description: str = ""
    fee_cents: int = 0
    status: str = "complete"
    provider_id: int = 0
    tooth: str = ""
    surface: str = ""
    clinic_id: int = 0
    created_at: datetime = EPOCH


@dataclass(slots=True, kw_only=True)
class Payment(Record):
    patient_id: int
    amount_cents: int
    date: date  # the pay date
    entered: date  # the entry date (OD DateEntry)
    type_id: int = 0  # Definition of kind payment_type
    check_number: str = ""
    bank_branch: str = ""
    note: str = ""
    clinic_id: int = 0
    provider_id: int = 0
    source: str = "none"  # none | api | ...
    process_status: str = "office_processed"
    is_recurring: bool = False


@dataclass(slots=True, kw_only=True)
class Commlog(Record):
    """A communication-log entry or patient note."""

    patient_id: int
    at: datetime
    type_id: int = 0  # Definition of kind note_type
    note: str = ""
    mode: str = "phone"
    direction: str = "sent"
    user_id: int = 0
    provider_id: int = 0
    source: str = "user"
    entered_at: datetime = EPOCH


@dataclass(slots=True, kw_only=True)
class Document(Record):
    patient_id: int
    created_at: datetime
    category_id: int = 0  # Definition of kind document_category
    description: str = ""
    file_name: str = ""
    extension: str = ""  # with the dot, e.g. ".pdf"
    img_type: str = "document"
    tooth_numbers: str = ""
    provider_id: int = 0
    content: bytes = b""
    note: str = ""


@dataclass(slots=True, kw_only=True)
class Schedule(Record):
    """One schedule entry on one day: provider hours, a blockout, a practice note."""

    date: date
    start: time
    stop: time  # start == stop == 00:00: the whole day (a practice note)
    type: str = "provider"  # one of SCHEDULE_TYPES
    provider_id: int = 0  # provider entries only
    employee_id: int = 0  # employee entries only
    blockout_type_id: int = 0  # Definition of kind blockout_type; blockouts only
    operatory_ids: tuple[int, ...] = ()
    note: str = ""


RECORD_TYPES: dict[str, type[Record]] = {
    DEFINITION: Definition,
    PROVIDER: Provider,
    OPERATORY: Operatory,
    PATIENT: Patient,
    APPOINTMENT: Appointment,
    PROCEDURE: Procedure,
    PAYMENT: Payment,
    COMMLOG: Commlog,
    DOCUMENT: Document,
    SCHEDULE: Schedule,
}
# The field a kind's date-range index covers (Store.query(start=, end=)).
RANGE_FIELDS: dict[str, str] = {
    APPOINTMENT: "start",
    PROCEDURE: "date",
    PAYMENT: "entered",
    COMMLOG: "at",
    DOCUMENT: "created_at",
    SCHEDULE: "date",
}
# Kinds indexed by patient (Store.query(patient_id=)).
PATIENT_KINDS = (APPOINTMENT, PROCEDURE, PAYMENT, COMMLOG, DOCUMENT)


@dataclass(slots=True)
class Tombstone:
    """A hard-deleted record: what it was, when and at which sequence it went."""

    kind: str
    id: int
    seq: int
    deleted_at: datetime
    record: Record  # the last state before deletion


@dataclass(slots=True)
class Change:
    """One runtime write, kept in the store's journal (audit trail / event feed)."""

    seq: int
    at: datetime
    kind: str
    id: int
    action: str  # create | update | delete
    fields: tuple[str, ...]  # the fields an update changed; () for create/delete
    record: Record  # the state after the write (before it, for a delete)
