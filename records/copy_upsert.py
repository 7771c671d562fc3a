"""The mirror's bulk upsert on PostgreSQL: COPY into a temporary table, then one
INSERT … ON CONFLICT DO UPDATE from it.

Django's `bulk_create(update_conflicts=True)` on PostgreSQL sends each column as an
array literal that psycopg quotes in Python (client-side binding): at 1,000 rows a
page that quoting, not the database, was most of an initial sync's time. COPY hands
the rows to psycopg's C row formatter instead. Same statement semantics: the
`(practice, pms_id)` constraint decides insert or update, and `update_fields` are the
columns an update overwrites.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import connection, models, transaction
from psycopg.types.json import Jsonb


def copy_upsert(
    model: type[models.Model],
    objs: Sequence[models.Model],
    unique_fields: list[str],
    update_fields: list[str],
) -> None:
    """Insert `objs`, or update `update_fields` of the rows they collide with."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    unique = ", ".join(_quote(model._meta.get_field(n).column) for n in unique_fields)
    columns = ", ".join(_quote(f.column) for f in fields)
    updates = ", ".join(
        f"{_quote(c)} = EXCLUDED.{_quote(c)}"
        for c in (model._meta.get_field(name).column for name in update_fields)
    )
    table = _quote(model._meta.db_table)
    staging = _quote(f"staging_{uuid.uuid4().hex[:12]}")
    # ON COMMIT DROP: the staging table lives only as long as this transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([_value(f, obj) for f in fields])
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} "
            f"ON CONFLICT ({unique}) DO UPDATE SET {updates}"
        )
        cursor.execute(f"DROP TABLE {staging}")


def _value(field: models.Field, obj: models.Model) -> Any:
    value = getattr(obj, field.attname)
    if isinstance(field, models.JSONField) and value is not None:
        return Jsonb(value)
    return value


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)
