"""The mirror's bulk upsert on PostgreSQL: COPY into a staging table, then one
INSERT … ON CONFLICT DO UPDATE from it.

Django's `bulk_create(update_conflicts=True)` on PostgreSQL sends each column as an
array literal that psycopg quotes in Python (client-side binding): at 1,000 rows a
page that quoting, not the database, was most of an initial sync's time. COPY hands
the rows to psycopg's C row formatter instead. Same statement semantics: the
`(practice, pms_id)` constraint decides insert or update, and `update_fields` are the
columns an update overwrites.

The staging table is a temporary table kept for the database session, one per
mirror table, emptied after each use and at every commit. Creating and dropping one
per page wrote and deleted ~50 catalog rows a page: after a few large initial syncs
`pg_attribute` held two million dead rows (autovacuum is off on this machine kind,
and slow to catch up where it is on), and every page paid for it.
"""

from __future__ import annotations

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
    staging = _quote(f"staging_{model._meta.db_table}")
    with transaction.atomic(), connection.cursor() as cursor:
        # A no-op once the session has it (a rolled-back transaction takes a table
        # it created with it, so ask every time).
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS "
            f"AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([_value(f, obj) for f in fields])
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} "
            f"ON CONFLICT ({unique}) DO UPDATE SET {updates}"
        )
        # Another upsert of this table may follow in the same transaction.
        cursor.execute(f"DELETE FROM {staging}")


def _value(field: models.Field, obj: models.Model) -> Any:
    value = getattr(obj, field.attname)
    if isinstance(field, models.JSONField) and value is not None:
        return Jsonb(value)
    return value


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)
