"""Dentrix Ascend wire conventions: ids, references, times, statuses (§1.3-§1.5).

Ids are 13-digit strings starting 7000000 (§1.3); references are `{id, type, url}`
objects (§1.5); timestamps are UTC with milliseconds and `Z` (§1.4). Fields the
facts do not show are marked "assumed" (see docs/dentrix-ascend.md).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ... import records as r
from ...face import ApiError, Ctx
from ...store import Store

ID_BASE = 7_000_000_000_000  # §1.3: entity ids are 13 digits beginning 7000000
API = "/ascend-gateway/api"

# Lifecycle statuses; a scheduled visit shows its confirmation status instead.
# BROKEN and UNCONFIRMED are seen in public code (§1.5); the rest are assumed.
LIFECYCLE = {
    "broken": "BROKEN",
    "complete": "COMPLETE",
    "unscheduled": "UNSCHEDULED",
    "planned": "PLANNED",
    "pt_note": "NOTE",
    "pt_note_completed": "NOTE_COMPLETED",
}
SEX = {"male": "M", "female": "F", "other": "O", "unknown": ""}  # "M" seen (§1.5)
PATIENT_STATUS = {  # NEW and ACTIVE seen (§1.5); the others assumed
    "patient": "ACTIVE",
    "prospective": "NEW",
    "nonpatient": "NONPATIENT",
    "inactive": "INACTIVE",
    "archived": "ARCHIVED",
    "deceased": "DECEASED",
}


def wire_id(number: int) -> str:
    """Return the Ascend id of store id `number`."""
    return str(ID_BASE + number)


def store_id(text: Any, what: str = "id") -> int:
    """Return the store id of an Ascend id (ints are accepted too, §1.3 C3b)."""
    raw = str(text.get("id") if isinstance(text, dict) else text).strip()
    if not raw.isdigit() or int(raw) <= ID_BASE:
        raise ApiError(400, f"{what} is not a valid id: {raw!r}")
    return int(raw) - ID_BASE


def ref(ctx: Ctx, type_: str, path: str, number: int) -> dict[str, str] | None:
    """Return a reference object, or None for "none" (id 0)."""
    if not number:
        return None
    return {
        "id": wire_id(number),
        "type": type_,
        "url": ctx.url(f"{API}/{path}/{wire_id(number)}"),
    }


def instant(store: Store, local: datetime | None) -> str | None:
    """Return an office-local naive time as an Ascend UTC timestamp."""
    if local is None:
        return None
    utc = local.replace(tzinfo=store.clock.tz).astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def local_time(store: Store, text: Any, what: str) -> datetime:
    """Return the office-local naive time of an Ascend timestamp (400 if bad)."""
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"{what} is not an ISO-8601 timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    tz: ZoneInfo = store.clock.tz
    return moment.astimezone(tz).replace(tzinfo=None, microsecond=0)


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def status_id(definition: r.Definition) -> str:
    """Return the Ascend status word of a confirmation definition."""
    word = definition.code or definition.name
    return "".join(c if c.isalnum() else "_" for c in word).upper().strip("_")


def appointment_status(store: Store, appt: r.Appointment) -> str:
    """Return the one Ascend `status` for a visit's lifecycle and confirmation."""
    if appt.status in LIFECYCLE:
        return LIFECYCLE[appt.status]
    found = store.get(r.DEFINITION, appt.confirmation_id)
    return status_id(found) if found else "UNCONFIRMED"
