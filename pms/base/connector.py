"""The connector interface: one practice's PMS."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .errors import PmsError
from .kinds import Capability, Entity, Lane
from .records import (
    Appointment,
    Deletion,
    IdWindow,
    Page,
    Patient,
    PatientPhoto,
    ReferenceValue,
    ScheduleBlock,
)
from .writes import (
    AppointmentRequest,
    ConfirmationRequest,
    DocumentRequest,
    NoteRequest,
    PatientRequest,
    PaymentRequest,
    WriteKind,
    WriteResult,
)


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
    # What a written note (call, SMS, email, task...) becomes, for the settings page.
    notes_land_as: str = "a note on the patient's record"
    capabilities: frozenset[Capability]
    # Defaults used when ConnectionConfig leaves them None.
    default_request_interval_ms: int = 0
    default_page_size: int = 100
    # Entities whose deletions the PMS may not report at all: with RECONCILE_IDS
    # their ids are walked every night and the missing ones hidden.
    untracked_deletions: frozenset[Entity] = frozenset({Entity.PAYMENT})
    # Of those, the ones read again in full each night instead of by id: their
    # change filter cannot see edits, and the full walk lists their ids anyway.
    reread_nightly: frozenset[Entity] = frozenset()
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

    def reconcile_window(self, entity: Entity, today: date) -> IdWindow:
        """Return the window of `entity` the nightly id walk lists (default: all)."""
        return IdWindow(entity)

    def fetch_present_ids(self, window: IdWindow, cursor: str | None) -> Page[str]:
        """Return one page of the ids present in the PMS for `window`.

        For deletions the PMS does not track (see Capability.RECONCILE_IDS).
        """
        raise PmsError(
            f"{self.label} cannot list {window.entity} ids for reconciliation",
            permanent=True,
        )
