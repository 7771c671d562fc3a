"""The mirror's bulk writes on PostgreSQL: COPY into a staging table, then one
INSERT … ON CONFLICT DO UPDATE from it (`copy_upsert`); or, for rows the caller
knows are new, COPY straight into the table (`copy_insert`).

Django's `bulk_create(update_conflicts=True)` on PostgreSQL sends each column as an
array literal that psycopg quotes in Python (client-side binding): at 1,000 rows a
page that quoting, not the database, was most of an initial sync's time. COPY hands
the rows to psycopg's C row formatter instead. Same statement semantics: the
`(practice, pms_id)` constraint decides insert or update, and `update_fields` are the
columns an update overwrites.

COPY runs in binary format, each column typed as the table has it: PostgreSQL then
reads timestamps, amounts and dates without parsing text (half its CPU for a bare
COPY of mirror rows; ~9 % of its CPU in a large initial sync, where indexes and
lookups weigh in), and psycopg formats a row in ~70 % of the time. JSON columns go
as JSON text, which jsonb's binary input takes behind a version byte.

The staging table is a temporary table kept for the database session, one per
mirror table, emptied after each use and at every commit. Creating and dropping one
per page wrote and deleted ~50 catalog rows a page: after a few large initial syncs
`pg_attribute` held two million dead rows (autovacuum is off on this machine kind,
and slow to catch up where it is on), and every page paid for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from django.db import connection, models, transaction
from psycopg.adapt import Dumper
from psycopg.pq import Format


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
    shape = _Shape(model, fields, json_text)
    unique = ", ".join(_quote(meta.get_field(n).column) for n in unique_fields)
    updates = ", ".join(
        f"{_quote(c)} = EXCLUDED.{_quote(c)}"
        for c in (meta.get_field(name).column for name in update_fields)
    )
    table = _quote(meta.db_table)
    staging = _quote(f"staging_{meta.db_table}")
    # Inside the caller's transaction, if any: no savepoint of its own.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # A no-op once the session has it (a rolled-back transaction takes a table
        # it created with it, so ask every time).
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS "
            f"AS SELECT {shape.columns} FROM {table} WITH NO DATA"
        )
        shape.copy(cursor, staging, rows)
        cursor.execute(
            f"INSERT INTO {table} ({shape.columns}) SELECT {shape.columns} "
            f"FROM {staging} ON CONFLICT ({unique}) DO UPDATE SET {updates}"
        )
        # Another upsert of this table may follow in the same transaction.
        cursor.execute(f"DELETE FROM {staging}")


def copy_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    json_text: Collection[str] = (),
) -> None:
    """Insert `rows` as `copy_upsert` does, for rows the caller knows are new:
    COPY straight into the table, without the staging table and the INSERT from
    it (15–30 % of the database's CPU in a bulk load). A row that exists after all
    raises IntegrityError, and the caller upserts instead."""
    shape = _Shape(model, fields, json_text)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        shape.copy(cursor, _quote(model._meta.db_table), rows)


class _Shape:
    """The columns a COPY writes: `fields`, then every other column at its default."""

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        json_text: Collection[str],
    ) -> None:
        meta = model._meta
        rest = [
            f
            for f in meta.concrete_fields
            if not f.primary_key and f.name not in fields
        ]
        self.defaults = tuple(f.get_default() for f in rest)
        names = [*fields, *(f.name for f in rest)]
        self.table = meta.db_table
        self.columns = ", ".join(_quote(meta.get_field(n).column) for n in names)
        self.encode: list[tuple[int, Callable[[Any], str]]] = [
            (i, _json_encoder(field))
            for i, field in enumerate(meta.get_field(name) for name in names)
            if isinstance(field, models.JSONField) and field.name not in json_text
        ]

    def copy(self, cursor: Any, table: str, rows: Iterable[Sequence[Any]]) -> None:
        defaults, encode = self.defaults, self.encode
        pg_cursor = cursor.cursor
        types = _column_types(pg_cursor, self.table, self.columns)
        pg_cursor.adapters.register_dumper(None, _JsonTextDumper)
        # psycopg's own cursor, so Django's error classes by hand: a refused row
        # (a duplicate key, a NULL) raises IntegrityError, as from `execute`.
        with (
            connection.wrap_database_errors,
            pg_cursor.copy(
                f"COPY {table} ({self.columns}) FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            copy.set_types(types)
            for given in rows:
                row = [*given, *defaults] if defaults or encode else given
                for i, dumps in encode:
                    if row[i] is not None:
                        row[i] = dumps(row[i])
                copy.write_row(row)


class _JsonTextDumper(Dumper):
    """JSON text, as it is, for a jsonb column in binary COPY."""

    format = Format.BINARY
    oid = psycopg.adapters.types["jsonb"].oid

    def dump(self, obj: str) -> bytes:
        return b"\x01" + obj.encode()  # jsonb's binary format, version 1


def _json_encoder(field: models.JSONField) -> Callable[[Any], str]:
    return lambda value: json.dumps(value, cls=field.encoder)


# Per database connection: the type oids of a table's COPY columns (one query per
# table and shape for the connection's life; a new connection asks again).
_TYPES: WeakKeyDictionary[Any, dict[tuple[str, str], list[int]]] = WeakKeyDictionary()


def _column_types(pg_cursor: Any, table: str, columns: str) -> list[int]:
    known = _TYPES.setdefault(pg_cursor.connection, {})
    if (table, columns) not in known:
        pg_cursor.execute(f"SELECT {columns} FROM {_quote(table)} LIMIT 0")
        known[table, columns] = [column.type_code for column in pg_cursor.description]
    return known[table, columns]


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)
