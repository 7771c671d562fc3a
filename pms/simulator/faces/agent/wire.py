"""What both agent flavors share: table and flavor shapes, value rendering, lookups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from ... import records as r
from ...face import MalformHints
from ...store import Store

Row = dict[str, Any]
Render = Callable[[Store, Any], Row]
Executor = Callable[[Store, dict[str, Any]], int | str]


class CommandFailed(Exception):
    """The PMS refused a command; `retryable` says whether the same key may rerun."""

    def __init__(self, reason: str, *, retryable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True)
class Table:
    """One change feed: a vendor table backed by a store kind."""

    name: str
    kind: str
    key: str  # the key column
    render: Render  # the full vendor row, key included
    hints: MalformHints
    key_value: Callable[[Store, Any], Any] = lambda store, rec: rec.id
    lookup: Callable[[Store, str], Any] | None = None  # id text -> record
    deleted: Callable[[Any], bool] | None = None  # soft delete -> tombstone


@dataclass(frozen=True)
class Flavor:
    """One vendor's naming of the shared agent protocol."""

    vendor: str  # URL segment and face name: "eaglesoft" | "dentrix"
    label: str
    token_field: str  # practice.Credentials field holding this agent's token
    pms_version: str
    tables: dict[str, Table]
    reference: Callable[[Store], dict[str, list[Row]]]
    commands: dict[str, Executor]
    required: dict[str, tuple[str, ...]] = field(default_factory=dict)


# --- rendering ----------------------------------------------------------------------


def utc_text(store: Store, local: datetime) -> str:
    """Return an office-local naive time as ISO-8601 UTC with Z."""
    aware = local.replace(tzinfo=store.clock.tz).astimezone(UTC)
    return aware.strftime("%Y-%m-%dT%H:%M:%SZ")


def sql_time(value: datetime | None) -> str | None:
    """Return a naive time the way SQL Anywhere / c-tree print it."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def money(cents: int) -> str:
    """Return cents as a decimal string of dollars ("-45.00")."""
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


def abbr(store: Store, provider_id: int) -> str:
    """Return a provider's code (what both vendors call provider_id), or ""."""
    provider = store.get(r.PROVIDER, provider_id) if provider_id else None
    return provider.abbr if provider else ""


# --- parsing command payloads ---------------------------------------------------


def cents(value: Any) -> int:
    """Return a decimal dollar string or number as int cents."""
    try:
        return int((Decimal(str(value)) * 100).to_integral_value())
    except InvalidOperation:
        raise CommandFailed(f"amount {value!r} is not a number") from None


def parse_day(value: Any) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise CommandFailed(f"{value!r} is not a date") from None


def parse_local(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None, microsecond=0)
    except ValueError:
        raise CommandFailed(f"{value!r} is not a date and time") from None


def at_time(day_value: date, hour: Any, minute: Any) -> datetime:
    try:
        return datetime.combine(day_value, time(int(hour), int(minute)))
    except (TypeError, ValueError):
        raise CommandFailed(f"{hour}:{minute} is not a time of day") from None


def patient(store: Store, value: Any) -> r.Patient:
    """Return the live patient `value`, or fail the command."""
    found = store.get(r.PATIENT, _int(value, "patient"))
    if found is None or found.status == "deleted":
        raise CommandFailed(f"patient {value} does not exist")
    return found


def appointment(store: Store, value: Any) -> r.Appointment:
    found = store.get(r.APPOINTMENT, _int(value, "appointment"))
    if found is None:
        raise CommandFailed(f"appointment {value} does not exist")
    return found


def provider(store: Store, code: Any, *, required: bool = True) -> int:
    """Return the store id of the active provider with code `code` (0 if blank)."""
    if not code and not required:
        return 0
    found = provider_by_code(store, str(code or ""))
    if found is None:
        raise CommandFailed(f"provider {code!r} does not exist")
    if found.is_hidden or found.is_deleted:
        raise CommandFailed(f"provider {code!r} is inactive")
    return found.id


def provider_by_code(store: Store, code: str) -> r.Provider | None:
    found = store.query(r.PROVIDER, where=lambda p: p.abbr == code, limit=1)
    return found[0] if found else None


def definition(store: Store, kind: str, value: Any, what: str) -> r.Definition:
    """Return the visible definition `value` of `kind`, or fail the command."""
    found = store.get(r.DEFINITION, _int(value, what))
    if found is None or found.kind != kind or found.is_hidden:
        raise CommandFailed(f"{what} {value} does not exist")
    return found


def definition_for_code(store: Store, kind: str, code: str, name: str) -> int:
    """Return the id of the definition carrying `code`, adding it when missing."""
    with store.lock:
        found = store.definition_by_code(kind, code)
        if found is None:
            order = len(store.definitions(kind))
            found = store.insert(
                r.DEFINITION, r.Definition(kind=kind, name=name, code=code, order=order)
            )
        return found.id


def operatory(store: Store, value: Any) -> int:
    if not value:
        return 0
    found = store.get(r.OPERATORY, _int(value, "operatory"))
    if found is None or found.is_hidden:
        raise CommandFailed(f"operatory {value} does not exist")
    return found.id


def visible(store: Store, kind: str) -> list[r.Definition]:
    return store.definitions(kind, include_hidden=False)


def _int(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CommandFailed(f"{what} id {value!r} is not a number") from None
