"""Read agent rows strictly: every problem becomes a RowError naming the column."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from ..base import Entity, RecordError

Row = dict[str, Any]
EARLIEST, LATEST = 1850, 2200  # a year outside this is a broken value, not a date


class RowError(ValueError):
    """A column the connector cannot read; becomes a RecordError."""

    def __init__(self, column: str, value: Any, problem: str) -> None:
        super().__init__(f"{column} {problem}: {value!r}"[:200])
        self.column = column


def record_error(
    entity: Entity, pms_id: str | None, exc: RowError, item: Any
) -> RecordError:
    """Return the per-record failure for an item that could not be read."""
    excerpt = json.dumps(item, default=str)[:200] if item is not None else ""
    return RecordError(entity, pms_id, str(exc), excerpt)


def peek_id(row: Any, column: str) -> str | None:
    """Return the row's key as text when it looks like one (for error reports)."""
    value = row.get(column) if isinstance(row, dict) else None
    if isinstance(value, int | str) and not isinstance(value, bool) and value != "":
        return str(value)
    return None


def ident(row: Row, column: str, *, required: bool = True) -> str:
    """Return an id (an int or a code like "DOC1") as text; 0/"" mean none."""
    value = row.get(column)
    if value is None or value == "" or value == 0:
        if required:
            raise RowError(column, value, "is missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RowError(column, value, "is not an id")
    if isinstance(value, int) and value < 0:
        raise RowError(column, value, "is negative")
    return str(value).strip()


def text(row: Row, column: str, *, required: bool = False) -> str:
    value = row.get(column)
    if value is None or value == "":
        if required:
            raise RowError(column, value, "is missing")
        return ""
    if not isinstance(value, str):
        raise RowError(column, value, "is not text")
    return value.strip()


def integer(row: Row, column: str, default: int | None = None) -> int:
    value = row.get(column)
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise RowError(column, value, "is not an integer")
    return value


def choice(row: Row, column: str, names: dict[Any, str]) -> str:
    """Return the name of a coded value, refusing codes we do not know."""
    value = row.get(column)
    if isinstance(value, bool | dict | list) or value not in names:
        raise RowError(column, value, "is not a known code")
    return names[value]


def amount(row: Row, column: str) -> Decimal:
    value = row.get(column)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RowError(column, value, "is not an amount")
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise RowError(column, value, "is not an amount") from None


def day(row: Row, column: str, *, required: bool = False) -> date | None:
    value = row.get(column)
    if value is None or value == "":
        if required:
            raise RowError(column, value, "is missing")
        return None
    if not isinstance(value, str):
        raise RowError(column, value, "is not a date")
    try:
        parsed = date.fromisoformat(value[:10])
    except ValueError:
        raise RowError(column, value, "is not a date") from None
    return _plausible(column, value, parsed)


def local(row: Row, column: str, tz: ZoneInfo) -> datetime:
    """Return a vendor wall-clock time ("2026-12-01 09:00:00") in the practice zone."""
    value = row.get(column)
    if not isinstance(value, str) or not value:
        problem = "is missing" if value in (None, "") else "is not a time"
        raise RowError(column, value, problem)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RowError(column, value, "is not a time") from None
    return _plausible(column, value, parsed.replace(tzinfo=tz))


def local_or_none(row: Row, column: str, tz: ZoneInfo) -> datetime | None:
    return None if row.get(column) in (None, "") else local(row, column, tz)


def at(day_value: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    """Return a day plus an hour and minute, in the practice zone."""
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise RowError("start_hour/start_minute", f"{hour}:{minute}", "is not a time")
    return datetime.combine(day_value, time(hour, minute), tzinfo=tz)


def changed_at(row: Row) -> datetime | None:
    """Return the envelope's change time (UTC), or None when absent or unreadable."""
    return utc(row.get("changed_at"))


def utc(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def wall(moment: datetime, tz: ZoneInfo) -> datetime:
    """Return an aware time as the practice's naive wall-clock time."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(tz).replace(tzinfo=None, microsecond=0)


def minutes_between(start: datetime, end: datetime | None) -> int:
    if end is None:
        return 0
    length = (end - start) // timedelta(minutes=1)
    if length < 0:
        raise RowError("end_time", end.isoformat(), "is before the start")
    return length


def _plausible(column: str, raw: Any, value: Any) -> Any:
    if not EARLIEST <= value.year <= LATEST:
        raise RowError(column, raw, "is an impossible date")
    return value
