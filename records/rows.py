"""Turn pms/base records into checked column values for the mirror tables."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import orjson
from django.db import models

from pms.base import Entity

from .models import (
    Appointment,
    MirroredRecord,
    Operatory,
    Patient,
    Payment,
    Procedure,
    Provider,
    ScheduleBlock,
)

OPERATORY = "operatory"  # operatories arrive as reference values, not an Entity

MIRROR_MODELS: dict[str, type[MirroredRecord]] = {
    Entity.PATIENT: Patient,
    Entity.APPOINTMENT: Appointment,
    Entity.PROVIDER: Provider,
    Entity.PROCEDURE: Procedure,
    Entity.PAYMENT: Payment,
    OPERATORY: Operatory,
    Entity.SCHEDULE: ScheduleBlock,
}


class RowError(ValueError):
    """A record cannot be stored as it is; the message says why."""


@dataclass(frozen=True)
class Row:
    """One record's values, ready for the bulk upsert."""

    pms_id: str
    values: dict[str, Any]
    modified_at: datetime | None
    is_deleted: bool
    raw: dict
    raw_text: str  # `raw` as JSON with sorted keys: hashed, and what COPY writes
    content_hash: str


def model_for(kind: str) -> type[MirroredRecord]:
    """Return the mirror model that stores `kind` records."""
    return MIRROR_MODELS[str(kind)]


def build_row(model: type[MirroredRecord], record: Any) -> Row:
    """Return the checked row for `record`, or raise RowError with the reason."""
    pms_id = _check_pms_id(getattr(record, "pms_id", None))
    values = {
        name: check(getattr(record, name, None)) for name, check in _checks(model)
    }
    modified_at = getattr(record, "modified_at", None)
    if modified_at is not None and not _aware(modified_at):
        raise RowError("modified time is not a timezone-aware datetime")
    raw = getattr(record, "raw", None) or {}
    is_deleted = bool(getattr(record, "is_deleted", False))
    raw_text = _raw_text(raw)
    return Row(
        pms_id,
        values,
        modified_at,
        is_deleted,
        raw,
        raw_text,
        _hash(values, is_deleted, raw_text),
    )


def _check_pms_id(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RowError("missing PMS id")
    if len(value) > 64:
        raise RowError("PMS id longer than 64 characters")
    return value


def _aware(value: Any) -> bool:
    return isinstance(value, datetime) and value.utcoffset() is not None


Check = Callable[[Any], Any]


@cache
def _checks(model: type[MirroredRecord]) -> tuple[tuple[str, Check], ...]:
    """Return (field name, checker) for each of `model`'s data fields, chosen once
    per model rather than by walking the field types for every value."""
    return tuple(
        (name, _checker(model._meta.get_field(name))) for name in model.DATA_FIELDS
    )


def _checker(field: models.Field) -> Check:
    """Return a function that gives a value fit for `field` or raises RowError."""
    kind = _kind_check(field)
    is_text = isinstance(field, (models.CharField, models.TextField))
    if not field.null and not is_text:

        def required(value: Any) -> Any:
            if value is None:
                raise RowError(f"{field.name} is missing")
            return kind(value)

        return required
    missing = None if field.null else ""
    return lambda value: missing if value is None else kind(value)


def _kind_check(field: models.Field) -> Check:  # noqa: C901 - one branch per type
    name = field.name
    if isinstance(field, (models.CharField, models.TextField)):
        limit = field.max_length

        def text(value: Any) -> str:
            if not isinstance(value, str):
                raise RowError(f"{name} is not text")
            if limit and len(value) > limit:
                raise RowError(f"{name} longer than {limit} characters")
            if "\x00" in value:
                raise RowError(f"{name} contains a NUL character")
            return value

        return text
    if isinstance(field, models.DateTimeField):

        def moment(value: Any) -> datetime:
            if not _aware(value):
                raise RowError(f"{name} is not a timezone-aware datetime")
            return value

        return moment
    if isinstance(field, models.DateField):

        def day(value: Any) -> date:
            if isinstance(value, datetime) or not isinstance(value, date):
                raise RowError(f"{name} is not a date")
            return value

        return day
    if isinstance(field, models.TimeField):

        def time_of_day(value: Any) -> time:
            if not isinstance(value, time):
                raise RowError(f"{name} is not a time of day")
            return value

        return time_of_day
    if isinstance(field, models.JSONField):

        def texts(value: Any) -> list[str]:
            if not isinstance(value, (list, tuple)) or not all(
                isinstance(item, str) for item in value
            ):
                raise RowError(f"{name} is not a list of texts")
            return list(value)

        return texts
    if isinstance(field, models.DecimalField):
        return lambda value: _check_decimal(field, value)
    if isinstance(field, models.BooleanField):

        def flag(value: Any) -> bool:
            if not isinstance(value, bool):
                raise RowError(f"{name} is not true/false")
            return value

        return flag
    if isinstance(field, models.IntegerField):

        def whole(value: Any) -> int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise RowError(f"{name} is not a whole number")
            if not 0 <= value < 2**31:
                raise RowError(f"{name} out of range: {value}")
            return value

        return whole
    return lambda value: value


def _check_decimal(field: models.DecimalField, value: Any) -> Decimal:
    try:
        number = Decimal(value) if isinstance(value, (int, str)) else value
        if not isinstance(number, Decimal) or not number.is_finite():
            raise InvalidOperation
        number = number.quantize(Decimal(1).scaleb(-field.decimal_places))
    except (InvalidOperation, TypeError, ValueError):
        raise RowError(f"{field.name} is not an amount") from None
    if len(number.as_tuple().digits) > field.max_digits:
        raise RowError(f"{field.name} out of range: {value}")
    return number


def _raw_text(raw: dict) -> str:
    """Return `raw` as JSON text with sorted keys (orjson: a fifth of the cost of
    the standard library's encoder; that one still takes what orjson refuses,
    such as integers beyond 64 bits)."""
    try:
        text = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        try:
            text = json.dumps(raw, sort_keys=True)
        except (TypeError, ValueError):
            raise RowError("raw payload is not JSON") from None
    if "\\u0000" in text:  # PostgreSQL's jsonb refuses NUL characters
        raise RowError("raw payload contains a NUL character")
    return text


def _hash(values: dict[str, Any], is_deleted: bool, raw_text: str) -> str:
    # repr of checked values (str, int, bool, Decimal, date/time, list of str) is
    # stable and costs a fraction of a JSON encoding.
    text = f"{list(values.values())!r}{is_deleted}{raw_text}"
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
