"""Deletions from the Ascend Stream API's delete events (other-pms-facts §1.9).

Ascend publishes changes to RabbitMQ under routing keys
`orgId.locationId.domainType.operationType`; v0 domains carry no version suffix
and a payload holds only the changed fields (§1.9, C1). We read the delete
events through the cursor feed docs/dentrix-ascend.md describes (the simulator's
stand-in for a durable queue). When HS1 has not enabled the Stream API for the
client, the feed is absent (404) and deletions are found by id reconciliation
(`fetch_present_ids`), which the caller runs nightly anyway.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..base import Deletion, Entity, Page, PmsError, RecordError
from .mapping import MappingError, checked_instant

if TYPE_CHECKING:
    from .connector import DentrixAscendConnector

FEED_PATH = "ascend-streaming-api/events"
PAGE_SIZE = 500
# Domain types we mirror (§1.9: bind only the domains you need, never *.*.*.*).
DOMAINS = {
    "PatientV1": Entity.PATIENT,
    "AppointmentV1": Entity.APPOINTMENT,
    "ProviderV1": Entity.PROVIDER,
    "PatientProcedureV1": Entity.PROCEDURE,
    "PaymentV1": Entity.PAYMENT,
}
BINDINGS = ",".join(f"*.*.{domain}.DELETE" for domain in DOMAINS)


def read_deletions(conn: DentrixAscendConnector, cursor: str | None) -> Page[Deletion]:
    """Return one page of delete events after `cursor` (a feed sequence)."""
    after = (cursor or "0").strip()
    if not after.isdigit():
        raise PmsError(
            "The saved Dentrix Ascend deletion position is unreadable; resync "
            "deletions",
            permanent=True,
        )
    what = "the deletion events (Stream API)"
    params = {"after": after, "pageSize": PAGE_SIZE, "routingKeys": BINDINGS}
    try:
        response = conn.http.request("GET", FEED_PATH, params=params, what=what)
    except PmsError as exc:
        if exc.status != 404:
            raise
        raise PmsError(
            "Dentrix Ascend's Stream API is not enabled for this client (404), so "
            "deletions come only from the nightly id reconciliation; ask Henry "
            "Schein One to enable it",
            permanent=True,
            status=404,
        ) from exc
    body = conn.http.decode(response, what)
    rows = body.get("data") if isinstance(body, dict) else None
    last = body.get("lastSequence") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not str(last).isdigit():
        raise PmsError(f"Dentrix Ascend sent unreadable {what}", permanent=False)
    deletions, errors = [], []
    for row in rows:
        found = _deletion(row)
        (errors if isinstance(found, RecordError) else deletions).append(found)
    return Page(
        deletions, str(max(int(last), int(after))), len(rows) >= PAGE_SIZE, errors
    )


def _deletion(row: Any) -> Deletion | RecordError:
    """Map one delete event; an unreadable one becomes a RecordError."""
    entity, pms_id = Entity.APPOINTMENT, None
    try:
        if not isinstance(row, dict):
            raise MappingError("event is not an object")
        parts = str(row.get("routingKey", "")).split(".")
        if len(parts) != 4 or parts[3] != "DELETE" or parts[2] not in DOMAINS:
            raise MappingError(f"unexpected routing key {row.get('routingKey')!r}")
        entity = DOMAINS[parts[2]]
        payload = row.get("payload")
        value = payload.get("id") if isinstance(payload, dict) else None
        if not isinstance(value, str) or not value.isdigit():
            raise MappingError("payload has no id")
        pms_id = value
        when = (
            checked_instant(row["timestamp"], "timestamp")
            if row.get("timestamp")
            else None
        )
        return Deletion(entity, pms_id, when)
    except MappingError as exc:
        excerpt = json.dumps(row, default=str)[:200]
        return RecordError(entity, pms_id, str(exc), excerpt)
