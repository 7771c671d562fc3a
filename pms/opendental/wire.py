"""Open Dental's wire formats, read leniently and written exactly as documented."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

DATE = "%Y-%m-%d"
DATETIME = "%Y-%m-%d %H:%M:%S"
NO_DATE = "0001-01-01"  # opendental-api.md §1.6: "0001-01-01" means none
# DATE with an optional " " TIME, as strptime reads them (one- or two-digit parts).
# Matched by hand: strptime costs ~20 us a value, and an initial sync reads millions.
_DATETIME_RE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?: (\d{1,2}):(\d{1,2}):(\d{1,2}))?", re.ASCII
)
_TIME_RE = re.compile(r"(\d{1,2}):(\d{1,2}):(\d{1,2})", re.ASCII)


class WireError(ValueError):
    """A field the connector cannot read; becomes a RecordError."""

    def __init__(self, field: str, value: Any, problem: str) -> None:
        super().__init__(f"{field} {problem}: {value!r}"[:200])
        self.field = field
        self.value = value


def require(row: dict, field: str) -> Any:
    if field not in row or row[field] is None:
        raise WireError(field, None, "is missing")
    return row[field]


def parse_id(value: Any, field: str, *, required: bool = True) -> str:
    """Return an id as text; §1.6: ids come as numbers or numeric strings."""
    if value is None or value == "":
        if required:
            raise WireError(field, value, "is missing")
        return ""
    if isinstance(value, bool):
        raise WireError(field, value, "is not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        raise WireError(field, value, "is not a number")
    if number < 0:
        raise WireError(field, value, "is negative")
    if number == 0:
        # §1.6: a foreign key of 0 means none.
        if required:
            raise WireError(field, value, "is 0")
        return ""
    return str(number)


def parse_amount(value: Any, field: str) -> Decimal:
    """Return money; §1.6: amounts are numbers in some places, strings in others."""
    if isinstance(value, bool) or value is None:
        raise WireError(field, value, "is not an amount")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise WireError(field, value, "is not an amount") from exc
    if not amount.is_finite():
        raise WireError(field, value, "is not an amount")
    return amount


def parse_bool(value: Any, field: str) -> bool:
    """§1.6: booleans are the strings "true"/"false" (some examples capitalise)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise WireError(field, value, "is not true/false")


def parse_text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise WireError(field, value, "is not text")
    return value


def parse_date(value: Any, field: str) -> date | None:
    """Read "yyyy-MM-dd" (or a datetime's date); "0001-01-01" and "" are None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise WireError(field, value, "is not a date")
    text = value.strip()[:10]
    if text == NO_DATE:
        return None
    moment = _read(text, date_only=True)
    if moment is None:
        raise WireError(field, value, "is not a valid date")
    return moment.date()


def parse_datetime(value: Any, field: str, tz: ZoneInfo) -> datetime | None:
    """Read "yyyy-MM-dd HH:mm:ss", office-local (§3.3), as an aware datetime."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise WireError(field, value, "is not a date and time")
    text = value.strip()
    if text.startswith(NO_DATE):
        return None
    naive = _read(text)
    if naive is None:
        raise WireError(field, value, "is not a valid date and time")
    return naive.replace(tzinfo=tz)


def parse_time(value: Any, field: str) -> time:
    """Read a time of day "HH:mm:ss" (§1.6 time-only values)."""
    if not isinstance(value, str):
        raise WireError(field, value, "is not a time of day")
    match = _TIME_RE.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError
        return time(*map(int, match.groups()))
    except ValueError as exc:
        raise WireError(field, value, "is not a valid time of day") from exc


def parse_stamp(value: Any, field: str) -> str:
    """Return a server timestamp as its canonical naive text (for watermarks)."""
    if not isinstance(value, str):
        raise WireError(field, value, "is not a date and time")
    text = value.strip()
    moment = _read(text, time_required=True)
    if moment is None:
        raise WireError(field, value, "is not a valid date and time")
    if len(text) == 19:  # the pattern's longest form: every field zero-padded
        return text
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )


def _read(
    text: str, *, date_only: bool = False, time_required: bool = False
) -> datetime | None:
    """Return "yyyy-MM-dd[ HH:mm:ss]" as a naive datetime, or None if it is not."""
    if _canonical(text, date_only, time_required):
        # Zero-padded, as Open Dental writes them: the C parser, a fifth of the
        # pattern's cost. Its other ISO forms (week dates, a "T", offsets) cannot
        # take these shapes; what it refuses the pattern reads, as leniently.
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    match = _DATETIME_RE.fullmatch(text)
    if match is None or (date_only and match[4]) or (time_required and not match[4]):
        return None
    try:
        return datetime(*(int(part) for part in match.groups() if part is not None))
    except ValueError:  # a month 13, a 30 February
        return None


def _canonical(text: str, date_only: bool, time_required: bool) -> bool:
    """Return whether `text` has the zero-padded shape of a date (10 characters)
    or a date and time (19), ASCII, with its separators where they belong."""
    if len(text) == 19:
        shaped = not date_only and text[10] == " " and text[13] == text[16] == ":"
    elif len(text) == 10:
        shaped = not time_required
    else:
        return False
    return shaped and text[4] == text[7] == "-" and text.isascii()


def parse_enum(value: Any, field: str, allowed: frozenset[str]) -> str:
    """§1.6: enums travel as their text names."""
    if not isinstance(value, str) or value not in allowed:
        raise WireError(field, value, "has an unknown value")
    return value


def format_datetime(value: datetime, tz: ZoneInfo) -> str:
    """Write an aware datetime as office-local "yyyy-MM-dd HH:mm:ss" (§1.6, §3.3)."""
    if value.tzinfo is not None:
        value = value.astimezone(tz)
    return value.strftime(DATETIME)


def format_date(value: date) -> str:
    return value.strftime(DATE)


def format_bool(value: bool) -> str:
    return "true" if value else "false"  # §1.6: booleans are strings


def as_int(value: str, what: str) -> int:
    """Return one of our PMS id strings as the integer Open Dental expects."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {value!r} is not an Open Dental id") from None


def payload(row: dict[str, Any]) -> dict[str, Any]:
    """Return a row without `serverDateTime`: the clock of the answer, not the record
    (§3.2), so the same record read by two queries has one payload."""
    kept = dict(row)
    kept.pop("serverDateTime", None)
    return kept
