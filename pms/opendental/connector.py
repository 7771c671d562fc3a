"""The Open Dental connector: reads (writes live in writes.py).

Faithful to shared/pms/opendental-api.md; each quirk names its section there.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from ..base import (
    Appointment,
    Capability,
    ConnectionConfig,
    Connector,
    Deletion,
    Entity,
    IdWindow,
    Lane,
    Page,
    Patient,
    PmsError,
    RecordError,
    ReferenceValue,
)
from ..budget import budget_for
from ..http import HttpPolicy, PmsHttp, Wording
from .feeds import FEEDS, REMOTE_CAP, Walk, next_since, read_page
from .photos import OpenDentalPhotos
from .records import map_appointment, map_patient
from .schedules import OpenDentalSchedules
from .wire import (
    DATE,
    DATETIME,
    WireError,
    format_date,
    parse_bool,
    parse_datetime,
    parse_id,
    parse_text,
)
from .writes import OpenDentalWrites

log = logging.getLogger(__name__)

LOCAL_PORTS = (30222, 30223)  # §1.1: local API and API Service
# How far ahead the nightly walk checks the schedule for deleted visits.
RECONCILED_DAYS_AHEAD = 120

# §5.3: DefCat numbers of the reference lists a write-back setup uses.
DEFINITION_KINDS = (
    (27, "note_type"),  # CommLogTypes: commlog.CommType
    (18, "document_category"),  # ImageCats: document.DocCategory
    (2, "appointment_status"),  # ApptConfirmed: appointment.Confirmed
    (10, "payment_type"),  # PaymentTypes: payment.PayType
)

WORDING = Wording(
    unauthorized=(
        "Open Dental rejected the customer key (401) for {what}: check that the "
        "key is assigned to this office, enabled in Setup > Advanced Setup > API, "
        "and has the API permission this needs"
    ),
    not_found="Open Dental could not find {what} (404)",
    rejected="Open Dental refused {what} ({status}): {explanation}",
    rate_limited="Open Dental is limiting our request rate (429)",
    server_error="Open Dental had a server error ({status}) on {what}",
    timeout="Open Dental did not answer within {seconds:g} s ({what})",
    unreachable="Could not connect to Open Dental at {host} ({error})",
)


def is_transient_400(status: int, explanation: str) -> bool:
    """§4.1: a 400 also means the office's eConnector is down or timed out."""
    text = explanation.lower()
    return status == 400 and any(
        word in text for word in ("econnector", "timed out", "timeout", "not running")
    )


def is_local(base_url: str) -> bool:
    """§1.1: the local API and API Service listen on ports 30222/30223."""
    return urlsplit(base_url).port in LOCAL_PORTS


class OpenDentalConnector(
    OpenDentalWrites, OpenDentalSchedules, OpenDentalPhotos, Connector
):
    pms_type = "open_dental"
    label = "Open Dental"
    notes_land_as = "a Communication Log (commlog) entry on the patient"  # §5.7
    capabilities = frozenset(
        {
            Capability.READ_PATIENTS,
            Capability.READ_APPOINTMENTS,
            Capability.READ_PROVIDERS,
            Capability.READ_PROCEDURES,
            Capability.READ_PAYMENTS,
            Capability.READ_DELETIONS,  # appointments, via histappointments
            Capability.WRITE_NOTE,
            Capability.WRITE_CONFIRMATION,
            Capability.WRITE_DOCUMENT,
            Capability.WRITE_PATIENT,
            Capability.WRITE_APPOINTMENT,
            # No WRITE_APPOINTMENT_UNPLACED: §5.2 POST /appointments requires Op.
            Capability.WRITE_PAYMENT,
            Capability.RECONCILE_IDS,  # commlogs, payments, documents, patients
            Capability.READ_SCHEDULES,  # §5.15 GET /schedules (schedules.py)
            Capability.READ_PHOTOS,  # §5.9 picture metadata (photos.py)
            # No WRITE_FEE: the doc describes no fee/charge transaction we could
            # post on its own (Adjustments are only named, §6).
        }
    )
    # §3.4, §9: payments vanish untracked; whether patients/Simple lists
    # soft-deleted (PatStatus Deleted) patients is unconfirmed, so patients are
    # walked nightly too and a missing one is read to confirm it.
    # §3.6: whether histappointments' dates match HistDateTStamp or AptDateTime is
    # unconfirmed too; if the latter, deleting a visit weeks ahead never shows in
    # the deletions feed, so the schedule ahead is walked nightly as well.
    untracked_deletions = frozenset(
        {Entity.PAYMENT, Entity.PATIENT, Entity.APPOINTMENT}
    )
    # §3.1, §3.8: payments filter by DateEntry alone, so an edited payment never
    # comes back through the change feed (SecDateTEdit is returned, not filtered).
    reread_nightly = frozenset({Entity.PAYMENT})
    # §4.3: remote keys get 1 call/s (read-only keys 5 s, Enterprise 500 ms);
    # the local API and API Service are not throttled.
    default_request_interval_ms = 1000
    default_page_size = REMOTE_CAP

    def __init__(self, config: ConnectionConfig, lane: Lane = Lane.INCREMENTAL) -> None:
        super().__init__(config, lane)
        self.local = is_local(config.base_url)
        # §2: the page size the server really uses: 100 remote, 1000 local.
        self.page_size = config.page_size or (1000 if self.local else REMOTE_CAP)
        developer = config.credentials.get("developer_key", "")
        customer = config.credentials.get("customer_key", "")
        if not developer or not customer:
            raise PmsError(
                "The Open Dental connection needs both a developer key and a "
                "customer key",
                permanent=True,
            )
        policy = HttpPolicy.from_settings(
            connect_timeout=config.connect_timeout or 10.0,
            # §1.4: the server gives up after 60 s with a 504; wait a bit longer.
            read_timeout=config.read_timeout or 65.0,
        )
        self.http = PmsHttp(
            label=self.label,
            base_url=config.base_url,
            lane=lane,
            budget=budget_for(
                f"{self.pms_type}:{config.connection_id}",
                self.request_interval_ms,
                lease_s=policy.connect_timeout + policy.read_timeout + 5,
                label=self.label,
            ),
            policy=policy,
            headers={
                # §1.3: the literal scheme word ODFHIR, then developer/customer key.
                "Authorization": f"ODFHIR {developer}/{customer}",
                # §1.4: every request, GETs included, says application/json.
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
            wording=WORDING,
            is_transient_4xx=is_transient_400,
        )

    @property
    def request_interval_ms(self) -> int:
        if self.config.request_interval_ms is not None:
            return self.config.request_interval_ms
        return 0 if is_local(self.config.base_url) else self.default_request_interval_ms

    def close(self) -> None:
        self.http.close()

    @property
    def tz(self):
        return self.config.time_zone

    # --- plumbing ----------------------------------------------------------------

    def get_list(self, path: str, params: dict[str, Any], what: str) -> list[Any]:
        """GET one page of a list endpoint; §2: a bare JSON array, no envelope."""
        body = self.http.get_json(path, params, what=what)
        if body is None:
            return []
        if not isinstance(body, list):
            raise PmsError(
                f"Open Dental sent something other than a list for {what}",
                permanent=False,
            )
        return body

    def walk_all(
        self, path: str, params: dict[str, Any], what: str
    ) -> list[dict[str, Any]]:
        """Return every row of a list endpoint, page by page."""
        rows: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = self.get_list(path, self.paged(params, offset), what)
            rows.extend(row for row in page if isinstance(row, dict))
            offset += len(page)
            if self.is_last(page):
                return rows

    def paged(self, params: dict[str, Any], offset: int) -> dict[str, Any]:
        # §2: Limit/Offset on every list endpoint.
        return {**params, "Limit": self.page_size, "Offset": offset}

    def is_last(self, page: list[Any]) -> bool:
        # §2: end of data is a short page; 100 rows may be the remote cap.
        return len(page) < self.page_size and not (
            len(page) == REMOTE_CAP < self.page_size
        )

    # --- reads -------------------------------------------------------------------

    def fetch_reference(self) -> list[ReferenceValue]:
        values: list[ReferenceValue] = []
        for row in self.walk_all("providers", {}, "the provider list"):
            values.extend(self._reference(row, "provider", self._provider_value))
        for category, kind in DEFINITION_KINDS:
            # §5.3: Category is the integer DefCat; hidden defs may still be in use.
            rows = self.walk_all(
                "definitions",
                {"Category": category, "includeHidden": "true"},
                f"the definitions of category {category}",
            )
            for row in rows:
                values.extend(self._reference(row, kind, self._definition_value))
        for row in self.walk_all("operatories", {}, "the operatory list"):
            values.extend(self._reference(row, "operatory", self._operatory_value))
        return values

    def _reference(self, row: dict, kind: str, build) -> list[ReferenceValue]:
        try:
            return [build(row, kind)]
        except WireError as exc:
            log.warning("Skipping an unreadable Open Dental %s: %s", kind, exc)
            return []

    @staticmethod
    def _provider_value(row: dict, kind: str) -> ReferenceValue:
        abbr = parse_text(row.get("Abbr"), "Abbr")
        name = " ".join(
            part
            for part in (
                parse_text(row.get("FName"), "FName"),
                parse_text(row.get("LName"), "LName"),
            )
            if part
        )
        hidden = parse_bool(row.get("IsHidden", "false"), "IsHidden")
        return ReferenceValue(
            kind,
            parse_id(row.get("ProvNum"), "ProvNum"),
            f"{abbr} ({name})" if name and abbr else abbr or name,
            # §5.4: IsHidden is the "inactive" flag; ProvStatus may say Deleted.
            active=not hidden and row.get("ProvStatus", "Active") != "Deleted",
        )

    @staticmethod
    def _definition_value(row: dict, kind: str) -> ReferenceValue:
        return ReferenceValue(
            kind,
            parse_id(row.get("DefNum"), "DefNum"),
            parse_text(row.get("ItemName"), "ItemName"),
            # §5.3: the hide flag is spelled isHidden, lowercase i.
            active=not parse_bool(row.get("isHidden", "false"), "isHidden"),
        )

    @staticmethod
    def _operatory_value(row: dict, kind: str) -> ReferenceValue:
        name = parse_text(row.get("OpName"), "OpName")
        abbrev = parse_text(row.get("Abbrev"), "Abbrev")
        return ReferenceValue(
            kind,
            parse_id(row.get("OperatoryNum"), "OperatoryNum"),
            name or abbrev,
            active=not parse_bool(row.get("IsHidden", "false"), "IsHidden"),
        )

    def estimate_total(self, entity: Entity) -> int | None:
        """Count what a full walk of `entity`'s feed returns, with one-row probes.

        §2: lists carry no total (a COUNT(*) would need ShortQuery and the Queries
        permission), but a smaller `Limit` is allowed. So ask the walk's own
        request with Limit=1 at doubling offsets until a page comes back empty,
        then halve the gap between the last row found and the first empty
        offset: about 2·log2(N) calls, each one row, in this connector's lane.
        """
        feed = FEEDS.get(entity)
        if feed is None:
            return None

        def has_row(offset: int) -> bool:
            # A full walk (cursor None) sends no change filter: same path, same
            # parameters, only Limit and Offset differ.
            rows = self.get_list(
                feed.path, {"Limit": 1, "Offset": offset}, f"the {entity} count"
            )
            return bool(rows)

        if not has_row(0):
            return 0
        found, empty = 0, 1  # a row at `found`; `empty` is probed next
        while has_row(empty):
            found, empty = empty, empty * 2
        while empty - found > 1:
            middle = (found + empty) // 2
            if has_row(middle):
                found = middle
            else:
                empty = middle
        return found + 1

    def watermark(self, entity: Entity, since: datetime) -> str | None:
        """Start a walk at `since` on the office's clock (DateTStamp is local, §1.6)."""
        feed = FEEDS.get(entity)
        if feed is None:
            return None
        mark = since.astimezone(self.tz).strftime(DATETIME)
        return Walk(since=next_since(feed, mark, self.tz)).dump()

    def fetch_changed(self, entity: Entity, cursor: str | None) -> Page:
        feed = FEEDS.get(entity)
        if feed is None:
            raise PmsError(f"Open Dental has no {entity} feed", permanent=True)
        walk = Walk.load(cursor)
        params: dict[str, Any] = {}
        if walk.since:
            params[feed.since_param] = walk.since
        rows = self.get_list(
            feed.path,
            self.paged(params, walk.offset),
            f"the changed {entity}s",
        )
        return read_page(feed, walk, rows, self.page_size, self.tz)

    def fetch_deletions(self, cursor: str | None) -> Page[Deletion]:
        """Return deleted appointments from /histappointments (§3.4, §3.6).

        Patients and procedures are soft-deleted and arrive through
        fetch_changed with is_deleted set; commlogs, payments and documents are
        untracked: use fetch_present_ids.
        """
        state = self._deletion_state(cursor)
        # §3.6: dateStart/dateEnd are inclusive days; we read them as the days
        # of HistDateTStamp (the doc leaves which date open).
        rows = self.get_list(
            "histappointments",
            self.paged(
                {
                    "HistApptAction": "Deleted",
                    "dateStart": state["start"],
                    "dateEnd": state["end"],
                },
                state["offset"],
            ),
            "the deleted appointments",
        )
        prior = set(state.get("prior", []))
        seen = set(state.get("seen", []))
        deletions: list[Deletion] = []
        errors: list[RecordError] = []
        for row in rows:
            try:
                if not isinstance(row, dict):
                    raise WireError("row", row, "is not an object")
                hist = parse_id(row.get("HistApptNum"), "HistApptNum")
                apt = parse_id(row.get("AptNum"), "AptNum")
                when = parse_datetime(
                    row.get("HistDateTStamp"), "HistDateTStamp", self.tz
                )
            except WireError as exc:
                errors.append(
                    RecordError(
                        Entity.APPOINTMENT, None, str(exc), repr(exc.value)[:200]
                    )
                )
                continue
            if hist in seen:
                continue  # drifted across a page boundary
            seen.add(hist)
            if hist in prior:
                continue  # delivered by the previous walk; the overlap re-read it
            deletions.append(Deletion(Entity.APPOINTMENT, apt, when))
        offset = state["offset"] + len(rows)
        if not self.is_last(rows):
            state.update(offset=offset, seen=sorted(seen))
            return Page(deletions, json.dumps(state), True, errors)
        # The next walk re-reads from the day before this one began.
        start = (
            datetime.strptime(state["began"], DATE).date() - timedelta(days=1)
        ).isoformat()
        following = self._new_deletion_state(start)
        following["prior"] = sorted(seen)
        return Page(deletions, json.dumps(following), False, errors)

    def _deletion_state(self, cursor: str | None) -> dict[str, Any]:
        if cursor:
            try:
                state = json.loads(cursor)
                if {"start", "end", "offset", "began"} <= set(state):
                    return state
            except ValueError:
                pass
            raise PmsError(
                "The saved Open Dental deletion position is unreadable; resync "
                "deletions",
                permanent=True,
            )
        return self._new_deletion_state((self._today() - timedelta(days=1)).isoformat())

    def _new_deletion_state(self, start: str) -> dict[str, Any]:
        today = self._today()
        return {
            "start": start,
            "end": format_date(today + timedelta(days=1)),
            "began": format_date(today),
            "offset": 0,
        }

    def _today(self):
        return datetime.now(self.tz).date()

    def fetch_patient(self, pms_id: str) -> Patient:
        row = self.http.get_json(
            f"patients/{self.num(pms_id, 'patient')}", what=f"patient {pms_id}"
        )
        return self._one(row, map_patient, f"patient {pms_id}")

    def fetch_appointment(self, pms_id: str) -> Appointment:
        row = self.http.get_json(
            f"appointments/{self.num(pms_id, 'appointment')}",
            what=f"appointment {pms_id}",
        )
        return self._one(row, map_appointment, f"appointment {pms_id}")

    def _one(self, row: Any, mapper, what: str):
        if not isinstance(row, dict):
            raise PmsError(f"Open Dental sent no object for {what}", permanent=False)
        try:
            return mapper(row, self.tz)
        except WireError as exc:
            raise PmsError(
                f"Open Dental sent an unreadable {what}: {exc}", permanent=True
            ) from exc

    def reconcile_window(self, entity: Entity, today: date) -> IdWindow:
        """Return the window the nightly walk lists: appointments from yesterday
        to the schedule's horizon, everything of the other entities."""
        if entity == Entity.APPOINTMENT:
            return IdWindow(
                entity,
                since=today - timedelta(days=1),
                until=today + timedelta(days=RECONCILED_DAYS_AHEAD),
            )
        return IdWindow(entity)

    def fetch_present_ids(self, window: IdWindow, cursor: str | None) -> Page[str]:
        """List ids for an id-set reconciliation of untracked deletions (§3.8)."""
        offset = int(cursor or 0)
        params: dict[str, Any] = {}
        if window.patient_pms_id:
            params["PatNum"] = self.num(window.patient_pms_id, "patient")
        if window.entity == Entity.PAYMENT:
            path, id_field = "payments", "PayNum"
            if window.since:
                params["DateEntry"] = format_date(window.since)  # §3.1: on or after
        elif window.entity == Entity.PATIENT:
            path, id_field = "patients/Simple", "PatNum"
        elif window.entity == Entity.APPOINTMENT:
            path, id_field = "appointments", "AptNum"
            if window.since and window.until:
                # §5.2: dateStart and dateEnd are inclusive days of AptDateTime.
                params["dateStart"] = format_date(window.since)
                params["dateEnd"] = format_date(window.until)
        elif window.entity in (Entity.NOTE, Entity.DOCUMENT):
            # §5.7, §5.9: commlogs and documents are listed per patient.
            if not window.patient_pms_id:
                raise PmsError(
                    f"Open Dental lists {window.entity}s only per patient",
                    permanent=True,
                )
            path, id_field = (
                ("commlogs", "CommlogNum")
                if window.entity == Entity.NOTE
                else ("documents", "DocNum")
            )
        else:
            return super().fetch_present_ids(window, cursor)
        rows = self.get_list(
            path, self.paged(params, offset), f"the {window.entity} ids"
        )
        ids, errors = [], []
        for row in rows:
            try:
                # §5.9: mount rows in the document list have DocNum 0; skip them.
                if (
                    isinstance(row, dict)
                    and id_field == "DocNum"
                    and str(row.get("DocNum")) in ("0", "")
                ):
                    continue
                # §3.4: a soft-deleted patient, if listed at all, is not present.
                if isinstance(row, dict) and row.get("PatStatus") == "Deleted":
                    continue
                ids.append(parse_id((row or {}).get(id_field), id_field))
            except (WireError, AttributeError) as exc:
                errors.append(RecordError(window.entity, None, str(exc)))
        offset += len(rows)
        return Page(ids, str(offset), not self.is_last(rows), errors)
