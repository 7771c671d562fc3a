"""Set-based writes into the mirror: one bulk upsert per page, never a save per row.

An echo of an unchanged record (same content hash) writes nothing, so it bumps no
timestamp. A record older than the stored one (by PMS modified time) is skipped, so
two streams reading the same entity never roll a row back; nor does a stale page
bring back a row whose deletion was seen after the record last changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from django.db import DatabaseError, IntegrityError, connection, transaction

from practices.models import Practice

from .copy_upsert import copy_insert, copy_upsert
from .models import MirroredRecord
from .rows import MIRROR_MODELS, Row, RowError, build_row, model_for

CHUNK = 500  # ids per IN (...) query, well under SQLite's variable limit
UNIQUE = ["practice", "pms_id"]
# Overwritten by an update, besides the data fields.
META_FIELDS = ("pms_modified_at", "last_synced_at", "deleted_at", "content_hash", "raw")


@dataclass
class UpsertResult:
    """What one bulk upsert did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    deleted: int = 0  # rows newly hidden because the PMS marks them deleted
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (pms id, reason)
    landed: list[str] = field(default_factory=list)  # pms ids now current here

    @property
    def upserted(self) -> int:
        return self.created + self.updated


class Stored(NamedTuple):
    content_hash: str
    modified_at: datetime | None
    deleted_at: datetime | None


def chunked(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """Yield `items` in slices of `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def upsert_records(
    practice: Practice, kind: str, records: Iterable[Any], now: datetime
) -> UpsertResult:
    """Write `records` (pms/base dataclasses of one kind, or their rows from
    `prepare_rows`) into the mirror."""
    model = model_for(kind)
    result = UpsertResult()
    rows = _prepare(model, records, result)
    if not rows:
        return result
    with transaction.atomic():
        stored = _stored(model, practice, list(rows))
        writes = [
            write
            for row in rows.values()
            if (write := _decide(row, stored.get(row.pms_id), now, result))
        ]
        refused = _write(model, practice, writes, now)
    for pms_id, reason in refused:
        result.rejected.append((pms_id, reason))
        if stored.get(pms_id) is None:
            result.created -= 1
        else:
            result.updated -= 1
    refused_ids = {pms_id for pms_id, _ in refused}
    result.landed = [pms_id for pms_id in rows if pms_id not in refused_ids]
    return result


def prepare_rows(kind: str, records: Iterable[Any]) -> tuple[list[Row], list[tuple]]:
    """Check and encode `records` for the mirror ahead of the write; return the
    rows and (pms id, reason) for each record refused. No database work, so the
    thread that reads pages can do it while another waits for the database;
    `upsert_records` takes the rows as they are."""
    model, rejected = model_for(kind), []
    rows = [
        row for record in records if (row := _row(model, record, rejected)) is not None
    ]
    return rows, rejected


def _row(model: type[MirroredRecord], record: Any, rejected: list) -> Row | None:
    """Return `record`'s checked row (as it is if already one), or None after
    noting (pms id, reason) in `rejected`."""
    if isinstance(record, Row):
        return record
    try:
        return build_row(model, record)
    except RowError as exc:
        rejected.append((str(getattr(record, "pms_id", "") or ""), str(exc)))
        return None


def _prepare(
    model: type[MirroredRecord], records: Iterable[Any], result: UpsertResult
) -> dict[str, Row]:
    """Return checked rows by PMS id, the newest copy when one repeats in a page."""
    rows: dict[str, Row] = {}
    for record in records:
        row = _row(model, record, result.rejected)
        if row is None:
            continue
        previous = rows.get(row.pms_id)
        if previous is None or not _older(row.modified_at, previous.modified_at):
            rows[row.pms_id] = row
    return rows


def _older(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and b is not None and a < b


def _stored(
    model: type[MirroredRecord], practice: Practice, pms_ids: list[str]
) -> dict[str, Stored]:
    """Return what the mirror holds for `pms_ids`, locking those rows (PostgreSQL)."""
    if connection.vendor == "postgresql":
        # One array parameter: an IN list of a thousand placeholders cost ~3 ms of
        # Python a query to build and bind.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT pms_id, content_hash, pms_modified_at, deleted_at "
                f"FROM {connection.ops.quote_name(model._meta.db_table)} "
                f"WHERE practice_id = %s AND pms_id = ANY(%s) FOR UPDATE",
                [practice.pk, pms_ids],
            )
            found = cursor.fetchall()
    else:
        found = [
            row
            for chunk in chunked(pms_ids)
            for row in model.objects.select_for_update()
            .filter(practice=practice, pms_id__in=chunk)
            .values_list("pms_id", "content_hash", "pms_modified_at", "deleted_at")
        ]
    return {pms_id: Stored(*rest) for pms_id, *rest in found}


class Write(NamedTuple):
    """A row to write, the deletion time it carries, and whether the mirror held
    no row for it when the page's rows were read."""

    row: Row
    deleted_at: datetime | None
    new: bool = False


def _decide(
    row: Row, old: Stored | None, now: datetime, result: UpsertResult
) -> Write | None:
    """Return what to write for `row`, or None when nothing should change."""
    if old is None:
        result.created += 1
        return Write(row, now if row.is_deleted else None, new=True)
    if old.content_hash == row.content_hash:
        result.unchanged += 1
        return None
    if _older(row.modified_at, old.modified_at):
        result.stale += 1
        return None
    if old.deleted_at and not row.is_deleted:
        # Undelete only on a change made after we saw the deletion.
        if row.modified_at is None or row.modified_at <= old.deleted_at:
            result.stale += 1
            return None
    result.updated += 1
    if row.is_deleted and old.deleted_at is None:
        result.deleted += 1
    return Write(row, (old.deleted_at or now) if row.is_deleted else None)


def _write(
    model: type[MirroredRecord],
    practice: Practice,
    writes: list[Write],
    now: datetime,
    insert_new: bool = True,
) -> list[tuple[str, str]]:
    """Bulk upsert `writes`; return (pms id, reason) for rows the database refused.

    On a database error the batch is halved until the refusing rows are isolated,
    so one bad record never blocks the page.
    """
    if not writes:
        return []
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _copy(model, practice, writes, now, insert_new)
            else:
                model.objects.bulk_create(
                    [_obj(model, practice, write, now) for write in writes],
                    update_conflicts=True,
                    unique_fields=UNIQUE,
                    update_fields=[*model.DATA_FIELDS, *META_FIELDS],
                )
        return []
    except IntegrityError as exc:
        new = insert_new and any(write.new for write in writes)
        if new and connection.vendor == "postgresql":
            # Another stream inserted one of the "new" rows since the page's rows
            # were read (nothing locks a row that does not exist yet), or a row is
            # refused: upsert the batch, which halves it if a row is refused.
            return _write(model, practice, writes, now, insert_new=False)
        refused: DatabaseError = exc
    except DatabaseError as exc:
        refused = exc
    if len(writes) == 1:
        reason = f"database refused the record: {refused}"[:500]
        return [(writes[0].row.pms_id, reason)]
    middle = len(writes) // 2
    return _write(model, practice, writes[:middle], now, insert_new) + _write(
        model, practice, writes[middle:], now, insert_new
    )


# The columns `_copy` writes, in the order of `_copy_values`.
COPY_FIELDS = (
    "practice",
    "pms_id",
    "pms_modified_at",
    "first_seen_at",
    "last_synced_at",
    "deleted_at",
    "content_hash",
    "raw",
)


def _copy(
    model: type[MirroredRecord],
    practice: Practice,
    writes: list[Write],
    now: datetime,
    insert_new: bool,
) -> None:
    """Write through COPY, from plain tuples: no model instance per row, and the
    payload goes as the JSON text the content hash was taken of. Rows the mirror
    did not hold are COPYed straight into the table (`insert_new`), the others
    upserted through the staging table."""
    fields = [*COPY_FIELDS, *model.DATA_FIELDS]
    if insert_new:
        new = [_copy_values(practice, write, now) for write in writes if write.new]
        if new:
            copy_insert(model, fields, new, json_text=("raw",))
        writes = [write for write in writes if not write.new]
    if writes:
        copy_upsert(
            model,
            fields,
            [_copy_values(practice, write, now) for write in writes],
            UNIQUE,
            [*model.DATA_FIELDS, *META_FIELDS],
            json_text=("raw",),
        )


def _copy_values(practice: Practice, write: Write, now: datetime) -> tuple:
    row = write.row
    return (
        practice.pk,
        row.pms_id,
        row.modified_at,
        now,
        now,
        write.deleted_at,
        row.content_hash,
        row.raw_text,
        *row.values.values(),  # in DATA_FIELDS order (rows.build_row)
    )


def _obj(
    model: type[MirroredRecord], practice: Practice, write: Write, now: datetime
) -> MirroredRecord:
    row = write.row
    return model(
        practice=practice,
        pms_id=row.pms_id,
        pms_modified_at=row.modified_at,
        first_seen_at=now,
        last_synced_at=now,
        deleted_at=write.deleted_at,
        content_hash=row.content_hash,
        raw=row.raw,
        **row.values,
    )


def refresh_statistics(*kinds: str, keys_only: bool = False) -> list[str]:
    """Have PostgreSQL re-sample the mirror tables (`kinds`, default all) whose
    statistics are stale after bulk loads; return the tables it re-sampled.

    A plan made on the statistics of a table that was nearly empty a minute ago
    takes an index on `practice` alone and reads every row of the practice to find
    a page's ids (0.5 s a page at 350,000 rows instead of 3 ms). Autovacuum
    catches up only later, and may be off. Stale is autovacuum's own rule, rows
    changed since the last ANALYZE above 50 + 10 % of the rows it counted, so a
    small practice joining a large mirror does not re-sample the whole table at
    every step of its initial sync.

    `keys_only`: sample only `(practice, pms_id)`, what a page's lookup is planned
    on: a quarter of the time of a full sample, whose payload column is most of
    it (an initial sync samples fully once at its end). Such a sample updates the
    row estimate but not the change counter, so its rule is the hazard itself:
    the table holds more than twice the rows the planner counts (plus 50).
    """
    if connection.vendor != "postgresql":
        return []
    models = [model_for(k) for k in kinds] if kinds else MIRROR_MODELS.values()
    tables = [model._meta.db_table for model in models]
    if keys_only:
        rule = "s.n_live_tup > 50 + 2 * GREATEST(c.reltuples, 0)"
    else:
        rule = "s.n_mod_since_analyze > 50 + 0.1 * GREATEST(c.reltuples, 0)"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.relname FROM pg_stat_user_tables s "
            f"JOIN pg_class c ON c.oid = s.relid WHERE s.relname = ANY(%s) AND {rule}",
            [tables],
        )
        stale = [name for (name,) in cursor.fetchall()]
        columns = " (practice_id, pms_id)" if keys_only else ""
        for name in stale:
            cursor.execute(f'ANALYZE "{name}"{columns}')
    return stale
