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

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from django.db import connection, models, transaction
from psycopg.types.json import Jsonb


def copy_upsert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
    json_text: Collection[str] = (),
) -> None:
    """Insert `rows` (values of `fields`, in that order), or update `update_fields`
    of the rows they collide with. Columns not in `fields` take their field's
    default, as `bulk_create` gives them. A JSON field named in `json_text` takes
    JSON text as it is; other JSON fields take values to encode."""
    meta = model._meta
    rest = [
        f for f in meta.concrete_fields if not f.primary_key and f.name not in fields
    ]
    defaults = tuple(f.get_default() for f in rest)
    fields = [*fields, *(f.name for f in rest)]
    columns = ", ".join(_quote(meta.get_field(n).column) for n in fields)
    unique = ", ".join(_quote(meta.get_field(n).column) for n in unique_fields)
    updates = ", ".join(
        f"{_quote(c)} = EXCLUDED.{_quote(c)}"
        for c in (meta.get_field(name).column for name in update_fields)
    )
    encode = [
        i
        for i, name in enumerate(fields)
        if isinstance(meta.get_field(name), models.JSONField) and name not in json_text
    ]
    table = _quote(meta.db_table)
    staging = _quote(f"staging_{meta.db_table}")
    # Inside the caller's transaction, if any: no savepoint of its own.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # A no-op once the session has it (a rolled-back transaction takes a table
        # it created with it, so ask every time).
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS "
            f"AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for given in rows:
                row = [*given, *defaults] if defaults or encode else given
                for i in encode:
                    if row[i] is not None:
                        row[i] = Jsonb(row[i])
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} "
            f"ON CONFLICT ({unique}) DO UPDATE SET {updates}"
        )
        # Another upsert of this table may follow in the same transaction.
        cursor.execute(f"DELETE FROM {staging}")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)
