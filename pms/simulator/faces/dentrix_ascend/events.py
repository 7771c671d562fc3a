"""The deletion-event feed: Ascend's Stream API delete messages, over HTTP.

Ascend publishes create/update/delete events to RabbitMQ with routing keys
`orgId.locationId.domainType.operationType`, v0 domains unversioned, payloads
holding only the changed fields (other-pms-facts §1.9, C1). The simulator serves
the DELETE messages as a cursor feed instead of an AMQP queue (§5):

    GET /ascend-streaming-api/events?after=<sequence>&pageSize=<n>
        &routingKeys=*.*.AppointmentV1.DELETE,*.*.PatientV1.DELETE

answers `{"statusCode": 200, "data": [{"sequence", "routingKey", "timestamp",
"payload": {"id"}}], "lastSequence": n}`; pass `lastSequence` as the next
`after`. The path, `after`, `lastSequence` and the word DELETE are assumed.
"""

from __future__ import annotations

import re

from ... import records as r
from ...face import ApiError, Ctx, JsonResult, MalformHints
from . import wire
from .app import face, stream_api_enabled
from .listing import MAX_PAGE_SIZE

DOMAINS = {
    r.PATIENT: "PatientV1",
    r.APPOINTMENT: "AppointmentV1",
    r.PROVIDER: "ProviderV1",
    r.OPERATORY: "OperatoryV1",
    r.COMMLOG: "PatientNoteV1",
    r.DOCUMENT: "Document",  # v0: no version suffix (§1.9)
    r.PROCEDURE: "PatientProcedureV1",
    r.PAYMENT: "PaymentV1",
}
SOFT_DELETED = (r.PATIENT, r.PROCEDURE)  # status "deleted": gone from Ascend lists


def _is_delete(change: r.Change) -> bool:
    if change.action == "delete":
        return True
    return (
        change.kind in SOFT_DELETED
        and "status" in change.fields
        and getattr(change.record, "status", "") == "deleted"
    )


def _matcher(patterns: str) -> re.Pattern[str]:
    """Return a regex for RabbitMQ topic patterns (`*` is one word)."""
    parts = [p.strip() for p in patterns.split(",") if p.strip()] or ["*.*.*.DELETE"]
    alternatives = [
        r"\.".join("[^.]+" if word == "*" else re.escape(word) for word in p.split("."))
        for p in parts
    ]
    return re.compile("^(?:" + "|".join(alternatives) + ")$")


@face.route("/ascend-streaming-api/events")
def events(ctx: Ctx) -> JsonResult:
    if not stream_api_enabled(ctx.practice):
        raise ApiError(404, "The Stream API is not enabled for this client")
    args = ctx.request.args
    try:
        after = int(args.get("after") or 0)
        size = min(int(args.get("pageSize") or MAX_PAGE_SIZE), MAX_PAGE_SIZE)
    except ValueError:
        raise ApiError(400, "after and pageSize must be numbers") from None
    wanted = _matcher(args.get("routingKeys", ""))
    org = ctx.practice.credentials.ascend_organization_id
    prefix = f"{org}.{wire.wire_id(1)}"
    store = ctx.store
    rows = []
    with store.lock:
        last = store.max_seq
        for change in store.changes(since_seq=after):
            domain = DOMAINS.get(change.kind)
            if domain is None or not _is_delete(change):
                continue
            key = f"{prefix}.{domain}.DELETE"
            if not wanted.match(key):
                continue
            rows.append(
                {
                    "sequence": change.seq,
                    "routingKey": key,
                    "timestamp": wire.instant(store, change.at),
                    "payload": {"id": wire.wire_id(change.id)},
                }
            )
            if len(rows) == size:
                last = change.seq
                break
    return JsonResult(
        {"statusCode": 200, "data": rows, "lastSequence": max(last, after)},
        records_key="data",
        hints=MalformHints(id_key="payload", date_key="timestamp", int_key="payload"),
    )
