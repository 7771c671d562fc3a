"""The agent's schedule window (docs/agent-protocol.md, "The schedule, by window").

The store keeps one schedule for every face (Open Dental's shape); an agent names
each entry's source after its vendor's table or stored procedure. Staff hours and
Open Dental's ASAP list have no counterpart here.
"""

from __future__ import annotations

from datetime import date, timedelta

from ... import records as r
from ...face import ApiError, Ctx
from ...store import Store
from .wire import Row, utc_text

MAX_DAYS = 366
SOURCES = {
    "eaglesoft": {
        "provider": "provider_hours",
        "blockout": "appointment",  # classification 2: an operatory block
        "practice": "holidays",
    },
    "dentrix": {
        "provider": "sp_getproviderschedule",
        "blockout": "v_appt_book_events",
        "practice": "sp_getpracticeschedexceptions",
    },
}


def window(ctx: Ctx) -> tuple[date, date]:
    """Return the `from` and `to` days asked for, or refuse them (400)."""
    first, last = _day(ctx, "from"), _day(ctx, "to")
    if last < first:
        raise ApiError(400, "to is before from")
    if (last - first).days >= MAX_DAYS:
        raise ApiError(400, f"the window is longer than {MAX_DAYS} days")
    return first, last


def entries(store: Store, vendor: str, first: date, last: date) -> list[r.Schedule]:
    """Return the window's entries the agent reports, in the protocol's order."""
    sources = SOURCES[vendor]
    found = store.query(
        r.SCHEDULE,
        start=first,
        end=last + timedelta(days=1),
        where=lambda x: x.type in sources,
    )
    found.sort(key=lambda x: (x.date, x.start, entry_id(vendor, x)))
    return found


def entry_id(vendor: str, x: r.Schedule) -> str:
    return f"{SOURCES[vendor][x.type]}:{x.id}"


def item(store: Store, vendor: str, x: r.Schedule) -> Row:
    provider = store.get(r.PROVIDER, x.provider_id) if x.type == "provider" else None
    block_type = (
        store.get(r.DEFINITION, x.blockout_type_id) if x.type == "blockout" else None
    )
    return {
        "entry_id": entry_id(vendor, x),
        "kind": x.type,
        "source": SOURCES[vendor][x.type],
        "date": x.date.isoformat(),
        "start": x.start.strftime("%H:%M:%S"),
        "stop": x.stop.strftime("%H:%M:%S"),
        "provider_id": provider.abbr if provider else "",
        "operatory_ids": [str(o) for o in x.operatory_ids],
        "block_type_id": str(block_type.id) if block_type else "",
        "block_type": block_type.name if block_type else "",
        "note": x.note,
        "changed_at": utc_text(store, x.modified_at),
    }


def _day(ctx: Ctx, name: str) -> date:
    raw = ctx.request.args.get(name, "")
    try:
        if len(raw) != 10:  # fromisoformat also takes week dates ("2026W011")
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a date (YYYY-MM-DD)") from None
