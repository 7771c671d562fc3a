"""The Dentrix Ascend connector: reads (writes live in writes.py).

Built on shared/pms/other-pms-facts.md §1 (and §5); each quirk names its section.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import requests

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
from .auth import TOKEN_PATH, TOKENS, BearerAuth, parse_token
from .feed import read_deletions
from .lists import ID_LISTS, read_present_ids, read_reference
from .mapping import MappingError, map_row, row_id, to_appointment, to_patient
from .query import Walk, server_time
from .writes import AscendWrites

API = "ascend-gateway/api"  # §1.1: {host}/ascend-gateway/api/{v0|v1}/{resource}
# §1.6: the v1 resources behind each entity (payments: assumed path).
FEEDS = {
    Entity.PATIENT: "v1/patients",
    Entity.APPOINTMENT: "v1/appointments",
    Entity.PROVIDER: "v1/providers",
    Entity.PROCEDURE: "v1/patientprocedures",
    Entity.PAYMENT: "v1/payments",
}
MAX_PAGE_SIZE = 500  # C4 pages by 500 (§1.4); nothing larger is known to work

WORDING = Wording(
    unauthorized=(
        "Dentrix Ascend rejected our access token (401) for {what}: check the "
        "Client ID and Client Secret"
    ),
    forbidden=(
        "Dentrix Ascend refused {what} (403): check that the Organization ID "
        "belongs to this Client ID"
    ),
    not_found="Dentrix Ascend has no {what} (404)",
    rejected="Dentrix Ascend refused {what} ({status}): {explanation}",
    rate_limited="Dentrix Ascend is limiting our request rate (429)",
    server_error="Dentrix Ascend had a server error ({status}) on {what}",
    timeout="Dentrix Ascend did not answer within {seconds:.0f} s ({what})",
    unreachable="Could not connect to Dentrix Ascend at {host} ({error})",
)
TOKEN_WORDING = Wording(
    unauthorized=(
        "Dentrix Ascend rejected the Client ID or Client Secret (401) when we "
        "asked for an access token"
    ),
    rejected="Dentrix Ascend refused the token request ({status}): {explanation}",
)


class DentrixAscendConnector(AscendWrites, Connector):
    pms_type = "dentrix_ascend"
    label = "Dentrix Ascend"
    # §1.7: the communication-history endpoint for calls and emails is not public.
    notes_land_as = (
        "a patient note, calls and emails too (its API offers no call log or "
        "communication history)"
    )
    capabilities = frozenset(
        {
            Capability.READ_PATIENTS,
            Capability.READ_APPOINTMENTS,
            Capability.READ_PROVIDERS,
            Capability.READ_PROCEDURES,
            Capability.READ_PAYMENTS,
            Capability.READ_DELETIONS,  # the Stream API's delete events (§1.9)
            Capability.RECONCILE_IDS,  # fallback when the Stream API is off
            Capability.WRITE_NOTE,
            Capability.WRITE_CONFIRMATION,
            Capability.WRITE_DOCUMENT,
            Capability.WRITE_PATIENT,
            Capability.WRITE_APPOINTMENT,
            # §1.7 names operatory among the references C3b sends, not as required.
            Capability.WRITE_APPOINTMENT_UNPLACED,
            # No WRITE_PAYMENT / WRITE_FEE: payment paths are unknown and S3 does
            # not list payments among Ascend write-backs (§1.6).
        }
    )
    # §1.9: without the Stream API, deletes are found only by listing ids.
    deletion_fallback = frozenset({Entity.PATIENT, Entity.APPOINTMENT})
    # §1.8: no fixed rate is documented; Ascend answers 429 with Retry-After.
    default_request_interval_ms = 0
    default_page_size = 100  # §1.4: C5 pages by 100, C4 by 500

    def __init__(self, config: ConnectionConfig, lane: Lane = Lane.INCREMENTAL) -> None:
        super().__init__(config, lane)
        creds = config.credentials
        missing = [
            name
            for name in ("client_id", "client_secret", "organization_id")
            if not creds.get(name)
        ]
        if missing:
            raise PmsError(
                "The Dentrix Ascend connection needs a Client ID, a Client Secret "
                f"and an Organization ID (missing: {', '.join(missing)})",
                permanent=True,
            )
        self.page_size = min(config.page_size or self.default_page_size, MAX_PAGE_SIZE)
        policy = HttpPolicy.from_settings(
            connect_timeout=config.connect_timeout or 10.0,
            read_timeout=config.read_timeout or 30.0,
        )
        budget = budget_for(
            f"{self.pms_type}:{config.connection_id}",
            self.request_interval_ms,
            lease_s=policy.connect_timeout + policy.read_timeout + 5,
            label=self.label,
        )
        common = {
            "label": self.label,
            "base_url": config.base_url,
            "lane": lane,
            "budget": budget,
            "policy": policy,
        }
        # The token call is form-encoded and carries no Organization-ID (§1.2).
        self.token_http = PmsHttp(
            **common, headers={"Accept": "application/json"}, wording=TOKEN_WORDING
        )
        key = TOKENS.key(
            self.token_http.url(TOKEN_PATH), creds["client_id"], creds["client_secret"]
        )
        self.http = PmsHttp(
            **common,
            headers={
                "Organization-ID": creds["organization_id"],  # §1.3: every call
                "Accept": "application/json",
            },
            auth=BearerAuth(TOKENS, key, self._fetch_token),
            wording=WORDING,
        )

    def close(self) -> None:
        self.http.close()
        self.token_http.close()

    def _fetch_token(self) -> tuple[str, float]:
        """POST the client credentials, form-encoded (§1.2); return the token."""
        creds = self.config.credentials
        response = self.token_http.request(
            "POST",
            TOKEN_PATH,
            params={"grant_type": "client_credentials"},  # §1.2: in the query
            form={
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
            },
            idempotent=True,  # asking twice only yields a token twice
            what="an access token",
        )
        return parse_token(self.token_http.decode(response, "the access token"))

    # --- plumbing ----------------------------------------------------------------

    def get_data(
        self, path: str, params: dict[str, Any] | None, what: str
    ) -> tuple[Any, requests.Response]:
        """GET `{API}/{path}` and return its `data` (§1.5 envelope) and response.

        Like PmsHttp.get_json, a 200 cut short is read again; we also need the
        response itself (its Date header marks a walk, see query.py).
        """
        policy = self.http.policy
        for attempt in range(1, policy.max_attempts + 1):
            response = self.http.request(
                "GET", f"{API}/{path}", params=params, what=what
            )
            try:
                body = self.http.decode(response, what)
                break
            except PmsError:
                if attempt == policy.max_attempts:
                    raise
                time.sleep(min(policy.backoff_cap, policy.backoff_base * attempt))
        if not isinstance(body, dict) or "data" not in body:
            raise PmsError(
                f"Dentrix Ascend answered {what} without its data envelope",
                permanent=False,
            )
        return body["data"], response

    def get_page(
        self, path: str, params: dict[str, Any], what: str
    ) -> tuple[list[Any], requests.Response]:
        """GET one keyset page of a list resource."""
        data, response = self.get_data(
            path, {**params, "pageSize": self.page_size}, what
        )
        if not isinstance(data, list):
            raise PmsError(f"Dentrix Ascend sent no list for {what}", permanent=False)
        return data, response

    def walk(self, path: str, params: dict[str, Any], what: str) -> list[Any]:
        """Return every row of a list resource, page by page (§1.4)."""
        rows: list[Any] = []
        last_id = None
        while True:
            extra = {"lastId": last_id} if last_id else {}
            page, _ = self.get_page(path, {**params, **extra}, what)
            rows.extend(page)
            if len(page) < self.page_size:  # §1.4: a short page is the end
                return rows
            last_id = self.last_id(page, what)

    @staticmethod
    def last_id(page: list[Any], what: str) -> str:
        """Return the keyset position after `page`: its largest readable id."""
        ids = [int(i) for i in map(row_id, page) if i]
        if not ids:
            raise PmsError(
                f"Dentrix Ascend sent a page of {what} without any readable id",
                permanent=False,
            )
        return str(max(ids))

    def one(self, path: str, pms_id: str, mapper: Any, what: str) -> Any:
        """GET one record by id and map it (an unreadable one is permanent)."""
        if not str(pms_id).isdigit():
            raise PmsError(f"{pms_id!r} is not a Dentrix Ascend id", permanent=True)
        data, _ = self.get_data(f"{path}/{pms_id}", None, what)
        try:
            if not isinstance(data, dict):
                raise MappingError("not an object")
            return mapper(data)
        except (MappingError, ValueError, TypeError) as exc:
            raise PmsError(
                f"Dentrix Ascend sent an unreadable {what}: {exc}", permanent=True
            ) from exc

    # --- reads -------------------------------------------------------------------

    def fetch_reference(self) -> list[ReferenceValue]:
        return read_reference(self)

    def estimate_total(self, entity: Entity) -> int | None:
        """Return None: the {statusCode, data} envelope has no total (§1.4, §1.5)."""
        return None

    def watermark(self, entity: Entity, since: datetime) -> str | None:
        """Start a `lastModified>=` walk at `since` (§1.4 filter grammar)."""
        return Walk(since=since).dump() if entity in FEEDS else None

    def fetch_changed(self, entity: Entity, cursor: str | None) -> Page:
        path = FEEDS.get(entity)
        if path is None:
            raise PmsError(f"Dentrix Ascend has no {entity} feed", permanent=True)
        walk = Walk.load(cursor)
        params: dict[str, Any] = {}
        if walk.filter():
            params["filter"] = walk.filter()
        if walk.last_id:
            params["lastId"] = walk.last_id
        rows, response = self.get_page(path, params, f"the changed {entity}s")
        if walk.last_id is None and walk.mark is None:
            walk.mark = server_time(response)
        records, errors = [], []
        for row in rows:
            record = map_row(entity, row)
            if isinstance(record, RecordError):
                errors.append(record)
            elif walk.note(record.pms_id, record.modified_at, row):
                records.append(record)
        if len(rows) < self.page_size:
            return Page(records, walk.finished().dump(), False, errors)
        walk.last_id = self.last_id(rows, f"the changed {entity}s")
        return Page(records, walk.dump(), True, errors)

    def fetch_deletions(self, cursor: str | None) -> Page[Deletion]:
        """Return deletions from the Stream API's delete events (§1.9)."""
        return read_deletions(self, cursor)

    def fetch_patient(self, pms_id: str) -> Patient:
        return self.one("v1/patients", pms_id, to_patient, f"patient {pms_id}")

    def fetch_appointment(self, pms_id: str) -> Appointment:
        return self.one(
            "v1/appointments", pms_id, to_appointment, f"appointment {pms_id}"
        )

    def fetch_present_ids(self, window: IdWindow, cursor: str | None) -> Page[str]:
        """List ids for an id-set reconciliation (the Stream API may be off, §1.9)."""
        if window.entity not in ID_LISTS:
            return super().fetch_present_ids(window, cursor)
        return read_present_ids(self, window, cursor)
