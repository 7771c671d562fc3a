"""Turn pms/base records into checked column values for the mirror tables."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

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
    content_hash: str


def model_for(kind: str) -> type[MirroredRecord]:
    """Return the mirror model that stores `kind` records."""
    return MIRROR_MODELS[str(kind)]


def build_row(model: type[MirroredRecord], record: Any) -> Row:
    """Return the checked row for `record`, or raise RowError with the reason."""
    pms_id = _check_pms_id(getattr(record, "pms_id", None))
    values = {
        name: _check(model._meta.get_field(name), getattr(record, name, None))
        for name in model.DATA_FIELDS
    }
    modified_at = getattr(record, "modified_at", None)
    if modified_at is not None and not _aware(modified_at):
        raise RowError("modified time is not a timezone-aware datetime")
    raw = getattr(record, "raw", None) or {}
    is_deleted = bool(getattr(record, "is_deleted", False))
    return Row(
        pms_id, values, modified_at, is_deleted, raw, _hash(values, is_deleted, raw)
    )


def _check_pms_id(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RowError("missing PMS id")
    if len(value) > 64:
        raise RowError("PMS id longer than 64 characters")
    return value


def _aware(value: Any) -> bool:
    return isinstance(value, datetime) and value.utcoffset() is not None


def _check(field: models.Field, value: Any) -> Any:
    """Return `value` fit for `field`, or raise RowError naming the field."""
    name = field.name
    if value is None:
        if field.null:
            return None
        if isinstance(field, (models.CharField, models.TextField)):
            return ""
        raise RowError(f"{name} is missing")
    if isinstance(field, (models.CharField, models.TextField)):
        if not isinstance(value, str):
            raise RowError(f"{name} is not text")
        if field.max_length and len(value) > field.max_length:
            raise RowError(f"{name} longer than {field.max_length} characters")
        if "\x00" in value:
            raise RowError(f"{name} contains a NUL character")
        return value
    if isinstance(field, models.DateTimeField):
        if not _aware(value):
            raise RowError(f"{name} is not a timezone-aware datetime")
        return value
    if isinstance(field, models.DateField):
        if isinstance(value, datetime) or not isinstance(value, date):
            raise RowError(f"{name} is not a date")
        return value
    if isinstance(field, models.TimeField):
        if not isinstance(value, time):
            raise RowError(f"{name} is not a time of day")
        return value
    if isinstance(field, models.JSONField):
        if not isinstance(value, (list, tuple)) or not all(
            isinstance(item, str) for item in value
        ):
            raise RowError(f"{name} is not a list of texts")
        return list(value)
    if isinstance(field, models.DecimalField):
        return _check_decimal(field, value)
    if isinstance(field, models.BooleanField):
        if not isinstance(value, bool):
            raise RowError(f"{name} is not true/false")
        return value
    if isinstance(field, models.IntegerField):
        if isinstance(value, bool) or not isinstance(value, int):
            raise RowError(f"{name} is not a whole number")
        if not 0 <= value < 2**31:
            raise RowError(f"{name} out of range: {value}")
        return value
    return value


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


def _hash(values: dict[str, Any], is_deleted: bool, raw: dict) -> str:
    try:
        raw_text = json.dumps(raw, sort_keys=True)
    except (TypeError, ValueError):
        raise RowError("raw payload is not JSON") from None
    if "\\u0000" in raw_text:  # PostgreSQL's jsonb refuses NUL characters
        raise RowError("raw payload contains a NUL character")
    text = json.dumps([values, is_deleted], sort_keys=True, default=str) + raw_text
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
