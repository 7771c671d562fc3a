"""The connector interface and the typed records that cross the PMS boundary.

No vendor dict leaves `pms/`: each vendor module maps its wire shapes to these
dataclasses. Times are timezone-aware (vendor-local times are interpreted in the
practice's time zone by the connector). Ids are strings whatever the vendor uses.
"""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo


class PmsError(Exception):
    """A PMS call failed; `permanent` says whether retrying can help."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after


class PmsOutcomeUnknown(PmsError):
    """A write was sent but no answer came back: it may or may not have applied.

    Never retried blindly: check with `Connector.find_written` (or
    `find_written_for`) first.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message, permanent=False, status=status)


class Lane(enum.IntEnum):
    """Request-budget priority; a lower value is served first."""

    WRITE_BACK = 0
    FAST = 1
    INCREMENTAL = 2
    INITIAL = 3


class Entity(enum.StrEnum):
    PATIENT = "patient"
    APPOINTMENT = "appointment"
    PROVIDER = "provider"
    PROCEDURE = "procedure"
    PAYMENT = "payment"
    # Write-back targets we do not mirror; used only for id-set reconciliation.
    NOTE = "note"
    DOCUMENT = "document"
    # Read as a whole window (fetch_schedules), never as a change feed.
    SCHEDULE = "schedule"


class Capability(enum.StrEnum):
    READ_PATIENTS = "read_patients"
    READ_APPOINTMENTS = "read_appointments"
    READ_PROVIDERS = "read_providers"
    READ_PROCEDURES = "read_procedures"
    READ_PAYMENTS = "read_payments"
    READ_DELETIONS = "read_deletions"  # a native deletion feed
    WRITE_NOTE = "write_note"
    WRITE_CONFIRMATION = "write_confirmation"
    WRITE_DOCUMENT = "write_document"
    WRITE_PATIENT = "write_patient"
    WRITE_APPOINTMENT = "write_appointment"
    # A new appointment without an operatory: the PMS places it itself.
    WRITE_APPOINTMENT_UNPLACED = "write_appointment_unplaced"
    WRITE_PAYMENT = "write_payment"
    WRITE_FEE = "write_fee"  # a fee as its own transaction
    RECONCILE_IDS = "reconcile_ids"  # fetch_present_ids, for untracked deletions
    READ_SCHEDULES = "read_schedules"  # fetch_schedules: provider hours, blockouts
    READ_PHOTOS = "read_photos"  # fetch_patient_photo: the patient's picture, if any


# --- records read from the PMS -------------------------------------------------


@dataclass(frozen=True)
class ReferenceValue:
    """A provider, note type, document category, status, payment type or operatory.

    `kind` uses the values of practices.models.ReferenceKind.
    """

    kind: str
    pms_id: str
    label: str
    active: bool = True


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
    start_at: datetime
    duration_minutes: int = 0
    provider_pms_id: str = ""
    operatory_pms_id: str = ""
    status: str = ""  # vendor status text, e.g. "Scheduled", "Complete", "Broken"
    confirmation_pms_id: str = ""  # the PMS's confirmation status id
    note: str = ""
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

    `since`: records dated (entered/created) on or after this day; `patient_pms_id`:
    only one patient's records. The caller diffs the ids the PMS returns against
    the ids it holds for the same window; the ones missing were deleted.
    """

    entity: Entity
    since: date | None = None
    patient_pms_id: str = ""


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


# --- write requests -------------------------------------------------------------


class NoteDirection(enum.StrEnum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"
    NONE = "none"


class NoteChannel(enum.StrEnum):
    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"
    OTHER = "other"


class WriteKind(enum.StrEnum):
    NOTE = "note"
    CONFIRMATION = "confirmation"
    DOCUMENT = "document"
    PATIENT = "patient"
    APPOINTMENT = "appointment"
    PAYMENT = "payment"


@dataclass(frozen=True)
class NoteRequest:
    patient_pms_id: str
    text: str
    note_type_pms_id: str
    provider_pms_id: str
    direction: NoteDirection
    channel: NoteChannel
    occurred_at: datetime
    marker: str  # our idempotency marker, stored in the PMS record to find it again


@dataclass(frozen=True)
class ConfirmationRequest:
    appointment_pms_id: str
    status_pms_id: str


@dataclass(frozen=True)
class DocumentRequest:
    patient_pms_id: str
    category_pms_id: str
    filename: str
    content: bytes
    description: str
    provider_pms_id: str
    marker: str


@dataclass(frozen=True)
class PatientRequest:
    first_name: str
    last_name: str
    birthdate: date | None
    provider_pms_id: str
    marker: str
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class AppointmentRequest:
    patient_pms_id: str
    start_at: datetime
    duration_minutes: int
    provider_pms_id: str
    operatory_pms_id: str
    marker: str
    note: str = ""


@dataclass(frozen=True)
class PaymentRequest:
    patient_pms_id: str
    amount: Decimal
    payment_type_pms_id: str
    paid_on: date
    provider_pms_id: str
    marker: str
    note: str = ""
    is_fee: bool = False  # post as a fee (charge) rather than a payment


@dataclass(frozen=True)
class WriteResult:
    pms_id: str


# --- the connector --------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionConfig:
    """What a connector needs to reach one practice's PMS; built from PmsConnection."""

    connection_id: int
    pms_type: str
    base_url: str
    credentials: dict[str, str] = field(repr=False)
    time_zone: ZoneInfo = ZoneInfo("UTC")
    # None: the connector's default for its PMS / API mode.
    request_interval_ms: int | None = None  # min time between calls; 0 = none
    page_size: int | None = None  # rows per page the PMS really returns
    connect_timeout: float | None = None  # seconds
    read_timeout: float | None = None  # seconds


class Connector(abc.ABC):
    """One practice's PMS. Every method may raise PmsError (or PmsOutcomeUnknown)."""

    pms_type: str
    label: str  # "Open Dental", used in messages people read
    capabilities: frozenset[Capability]
    # Defaults used when ConnectionConfig leaves them None.
    default_request_interval_ms: int = 0
    default_page_size: int = 100
    # Entities reconciled by id set (RECONCILE_IDS) when fetch_deletions answers a
    # permanent 404, i.e. the native deletion feed is switched off.
    deletion_fallback: frozenset[Entity] = frozenset()

    def __init__(self, config: ConnectionConfig, lane: Lane = Lane.INCREMENTAL) -> None:
        self.config = config
        self.lane = lane

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    @property
    def request_interval_ms(self) -> int:
        """Return the minimum time between two calls on this connection."""
        configured = self.config.request_interval_ms
        return self.default_request_interval_ms if configured is None else configured

    def close(self) -> None:
        """Release network resources (sessions); the connector is unusable after."""
        return None

    # reads
    @abc.abstractmethod
    def fetch_reference(self) -> list[ReferenceValue]:
        """Return every reference value (providers, note types, categories, ...)."""

    @abc.abstractmethod
    def fetch_changed(self, entity: Entity, cursor: str | None) -> Page:
        """Return one page of `entity` changed since `cursor` (None: everything)."""

    def estimate_total(self, entity: Entity) -> int | None:
        """Return about how many `entity` records a full read yields, if cheap.

        Only for the initial sync's progress and ETA, asked once per entity when
        it starts; cheap means a few calls (at most logarithmic in the count), made
        in the connector's lane. None means "unknown" (the default), never zero.
        """
        return None

    def watermark(self, entity: Entity, since: datetime) -> str | None:
        """Return a cursor from which `fetch_changed` yields what changed since `since`.

        Lets the fast streams follow changes while the initial walk is still
        running. None (the default): they wait for the initial sync's watermarks.
        """
        return None

    @abc.abstractmethod
    def fetch_deletions(self, cursor: str | None) -> Page[Deletion]:
        """Return deletions since `cursor`, natively or by reconciliation."""

    @abc.abstractmethod
    def fetch_patient(self, pms_id: str) -> Patient:
        """Return one patient now (on-demand refresh)."""

    @abc.abstractmethod
    def fetch_appointment(self, pms_id: str) -> Appointment:
        """Return one appointment now (read-back after a confirmation)."""

    # writes
    @abc.abstractmethod
    def write_note(self, request: NoteRequest) -> WriteResult: ...

    @abc.abstractmethod
    def set_confirmation(self, request: ConfirmationRequest) -> WriteResult: ...

    @abc.abstractmethod
    def upload_document(self, request: DocumentRequest) -> WriteResult: ...

    @abc.abstractmethod
    def create_patient(self, request: PatientRequest) -> WriteResult: ...

    @abc.abstractmethod
    def create_appointment(self, request: AppointmentRequest) -> WriteResult: ...

    @abc.abstractmethod
    def post_payment(self, request: PaymentRequest) -> WriteResult: ...

    @abc.abstractmethod
    def find_written(
        self, kind: WriteKind, patient_pms_id: str, marker: str
    ) -> str | None:
        """Return the PMS id of a record we wrote carrying `marker`, if it exists.

        Used before retrying a write whose outcome was unknown, so the PMS never
        gets a duplicate.
        """

    def find_written_for(
        self,
        kind: WriteKind,
        request: NoteRequest
        | ConfirmationRequest
        | DocumentRequest
        | PatientRequest
        | AppointmentRequest
        | PaymentRequest,
    ) -> str | None:
        """Return the PMS id of the record `request` created, if it exists.

        Prefer this over `find_written`: a new patient has no patient id yet, so a
        connector may need the request itself (names, birthdate) to find it, and
        a confirmation carries no marker: it is found by reading it back.
        """
        if isinstance(request, ConfirmationRequest):
            appointment = self.fetch_appointment(request.appointment_pms_id)
            if appointment.confirmation_pms_id == request.status_pms_id:
                return request.appointment_pms_id
            return None
        patient = getattr(request, "patient_pms_id", "")
        return self.find_written(kind, patient, request.marker)

    def fetch_schedules(
        self, first_day: date, last_day: date, cursor: str | None
    ) -> Page[ScheduleBlock]:
        """Return one page of the schedule entries of `first_day`..`last_day`.

        The whole window is read every time (Capability.READ_SCHEDULES): the
        caller replaces what it holds for the window with what the walk returns.
        """
        raise PmsError(
            f"Provider schedules and blockouts are not offered by {self.label}",
            permanent=True,
        )

    def fetch_patient_photo(self, patient_pms_id: str) -> PatientPhoto | None:
        """Return the patient's current picture, or None when they have none.

        Capability.READ_PHOTOS; the default raises a permanent "not offered".
        """
        raise PmsError(
            f"Patient profile photos are not offered by {self.label}", permanent=True
        )

    def fetch_present_ids(self, window: IdWindow, cursor: str | None) -> Page[str]:
        """Return one page of the ids present in the PMS for `window`.

        For deletions the PMS does not track (see Capability.RECONCILE_IDS).
        """
        raise PmsError(
            f"{self.label} cannot list {window.entity} ids for reconciliation",
            permanent=True,
        )
