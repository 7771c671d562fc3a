"""The vendor-neutral, indexed, thread-safe in-memory store of one simulated practice.

The store is the simulator's PMS database; it knows nothing of any vendor's wire
format (faces translate). It is separate from pbnsync's own database.

* Records (see `records.py`) live per kind, keyed by an int id assigned by the store.
* Every write takes the next value of the practice's global change sequence
  (`record.seq`, strictly increasing) and stamps `record.modified_at` with the office
  clock: naive local time, second resolution, never moving backwards as an instant.
  So along the sequence the stamps never decrease, "changed since a time" and
  "changed since a sequence" are both one bisect into the same index; except when
  daylight saving time ends and the local clock repeats an hour (Open Dental's
  stamps are local, opendental-api.md §3.3): from then on (`stepped_back`) a
  "since a time" filter reads every row instead of bisecting.
* Updates are copy-on-write: a stored record is never mutated, so readers may use
  what `query()` returned without the lock. A write that changes nothing is a no-op
  (like a MySQL TIMESTAMP column, the stamp moves only when the row changes).
* Hard deletes leave a `Tombstone` (time, sequence, last state); soft deletes are
  plain updates of a status field (e.g. patient status "deleted").
* Runtime writes are journalled as `Change` entries (bounded), which faces use as an
  audit trail (Open Dental histappointments) or event feed (Ascend stream).

Indexes: ids in order (offset and keyset pages), (seq, stamp, id) in sequence order
(changed-since), (value, id) on each kind's `RANGE_FIELDS` field (date windows), and
ids per patient for `PATIENT_KINDS`. One `threading.RLock` per practice: every public
method takes it; hold `store.lock` yourself to make several calls atomic.
"""

from __future__ import annotations

import random
import threading
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import islice
from operator import attrgetter, itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from .records import (
    DEFINITION,
    KINDS,
    PATIENT_KINDS,
    RANGE_FIELDS,
    Change,
    Definition,
    Record,
    Tombstone,
)

_STAMP = itemgetter(1)


class StoreError(Exception):
    """A store operation was refused (unknown kind, missing id, duplicate id)."""


class OfficeClock:
    """The office server's clock: naive local time, second resolution."""

    def __init__(self, tz: str = "America/New_York") -> None:
        self.tz = ZoneInfo(tz)
        self.offset = timedelta(0)
        self.frozen: datetime | None = None

    def now(self) -> datetime:
        """Return the office's current naive local time."""
        if self.frozen is not None:
            return self.frozen
        # Through UTC, so that the offset keeps `fold` (which of a repeated hour).
        now = datetime.now(UTC) + self.offset
        return now.astimezone(self.tz).replace(tzinfo=None, microsecond=0)


class Store:
    """One practice's records, indexes, tombstones and journal."""

    def __init__(self, tz: str = "America/New_York", seed: int = 0) -> None:
        self.lock = threading.RLock()
        self.clock = OfficeClock(tz)
        self.rng = random.Random(seed)  # the change generator's randomness
        self.prefs: dict[str, Any] = {}  # office preferences, e.g. confirm defaults
        self.tombstones: list[Tombstone] = []  # in sequence order
        self.journal: list[Change] = []  # runtime writes, in sequence order
        self.journal_limit = 200_000
        self._rows: dict[str, dict[int, Record]] = {k: {} for k in KINDS}
        self._ids: dict[str, list[int]] = {k: [] for k in KINDS}
        self._by_seq: dict[str, list[tuple[int, datetime, int]]] = {
            k: [] for k in KINDS
        }
        self._by_range: dict[str, list[tuple[Any, int]]] = {k: [] for k in RANGE_FIELDS}
        self._by_patient: dict[str, dict[int, list[int]]] = {
            k: {} for k in PATIENT_KINDS
        }
        self._next_id: dict[str, int] = dict.fromkeys(KINDS, 1)
        self._seq = 0
        self._last_stamp: datetime | None = None  # none handed out yet
        self._pinned: datetime | None = None
        self.stepped_back = False  # some stamp is earlier than one written before

    # --- clock and sequence --------------------------------------------------------

    def now(self) -> datetime:
        """Return the office time for a read or write. It never moves backwards as
        an instant; as a wall time it does when daylight saving time ends."""
        with self.lock:
            return self._pinned or self._advance(self.clock.now())

    def _advance(self, stamp: datetime) -> datetime:
        """Return the stamp to hand out at office time `stamp`: it, or the last
        one if that is not an earlier instant."""
        last = self._last_stamp
        if last is not None:
            if self._instant(stamp) <= self._instant(last):
                return last
            if stamp < last:
                self.stepped_back = True  # the local clock repeats an hour
        self._last_stamp = stamp
        return stamp

    def _instant(self, wall: datetime) -> datetime:
        """Return the instant of office wall time `wall` (its `fold` picks which
        of a repeated hour's two)."""
        return wall.replace(tzinfo=self.clock.tz).astimezone(UTC)

    @property
    def max_seq(self) -> int:
        """Return the sequence of the latest write (0 for an empty store)."""
        return self._seq

    @contextmanager
    def same_second(self, at: datetime | None = None) -> Iterator[datetime]:
        """Hold the lock and stamp every write inside with one time (default now)."""
        with self.lock:
            pinned = self._pinned
            self._pinned = self._advance(at) if at else self.now()
            try:
                yield self._pinned
            finally:
                self._pinned = pinned

    # --- reads ---------------------------------------------------------------------

    def get(self, kind: str, record_id: int) -> Record | None:
        """Return the record `record_id` of `kind`, or None."""
        return self._table(kind).get(record_id)

    def count(self, kind: str) -> int:
        """Return how many records of `kind` exist (tombstoned ones excluded)."""
        return len(self._table(kind))

    def max_id(self, kind: str) -> int:
        """Return the highest live id of `kind` (0 when empty)."""
        ids = self._ids[kind]
        return ids[-1] if ids else 0

    def next_id(self, kind: str) -> int:
        """Return the id the next insert of `kind` gets (hold the lock to rely on)."""
        return self._next_id[kind]

    def query(
        self,
        kind: str,
        *,
        since: datetime | None = None,
        inclusive: bool = False,
        since_seq: int | None = None,
        patient_id: int | None = None,
        start: Any = None,
        end: Any = None,
        after_id: int | None = None,
        where: Callable[[Any], bool] | None = None,
        order: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Any]:
        """Return records of `kind` matching every given filter, one page of them.

        since/inclusive: modified_at > since (>= when inclusive); since_seq: seq >
        since_seq; patient_id: records of that patient (PATIENT_KINDS); start/end:
        start <= RANGE_FIELDS value < end; after_id: id > after_id (keyset paging);
        where: any predicate. order: "seq" (default when a since filter is given),
        "range" (default when start/end are given) or "id" (otherwise).
        offset/limit slice the ordered matches.
        """
        if order is None:
            changed = since is not None or since_seq is not None
            order = (
                "seq" if changed else "range" if (start, end) != (None, None) else "id"
            )
        checks: list[Callable[[Any], bool]] = []
        driven = order == "seq" and patient_id is None
        by_stamp = driven and not self.stepped_back  # stamps sorted along seq
        if since is not None and not by_stamp:
            checks.append(
                (lambda r: r.modified_at >= since)
                if inclusive
                else (lambda r: r.modified_at > since)
            )
        if since_seq is not None and not driven:
            checks.append(lambda r: r.seq > since_seq)

        def after_check(r: Any) -> bool:
            return r.id > after_id

        if after_id is not None:
            checks.append(after_check)
        if start is not None or end is not None:
            field = RANGE_FIELDS[kind]
            lo, hi = start, end
            if lo is not None:
                checks.append(lambda r: getattr(r, field) >= lo)
            if hi is not None:
                checks.append(lambda r: getattr(r, field) < hi)
        if where is not None:
            checks.append(where)
        stop = None if limit is None else offset + limit
        with self.lock:
            rows = self._table(kind)
            if patient_id is not None:
                ids = self._by_patient[kind].get(patient_id, [])
                candidates: Iterable[Any] = sorted(
                    (rows[i] for i in ids), key=_ORDER_KEYS[order](kind)
                )
            elif order == "seq":
                index, first = (
                    self._by_seq[kind],
                    self._seq_start(
                        kind, since if by_stamp else None, inclusive, since_seq
                    ),
                )
                if not checks:  # a straight slice of the index
                    last = None if stop is None else first + stop
                    return [rows[e[2]] for e in index[first + offset : last]]
                candidates = (rows[e[2]] for e in islice(index, first, None))
            elif order == "range":
                candidates = self._walk_range(kind, start)
                if end is not None:
                    candidates = _takewhile_lt(candidates, RANGE_FIELDS[kind], end)
            else:
                ids = self._ids[kind]
                first = 0 if after_id is None else bisect_right(ids, after_id)
                if not checks or checks == [after_check]:
                    last = None if stop is None else first + stop
                    return [rows[i] for i in ids[first + offset : last]]
                candidates = (rows[i] for i in islice(ids, first, None))
            for check in checks:
                candidates = filter(check, candidates)
            return list(islice(candidates, offset, stop))

    def definitions(
        self, kind: str, *, include_hidden: bool = True
    ) -> list[Definition]:
        """Return the reference list `kind` (a DEFINITION_KINDS value) in order."""
        found = self.query(
            DEFINITION,
            where=lambda d: d.kind == kind and (include_hidden or not d.is_hidden),
        )
        return sorted(found, key=attrgetter("order", "id"))

    def definition_by_code(self, kind: str, code: str) -> Definition | None:
        """Return the first entry of reference list `kind` carrying `code`."""
        return next((d for d in self.definitions(kind) if d.code == code), None)

    def deletions(
        self,
        kind: str | None = None,
        *,
        since: datetime | None = None,
        inclusive: bool = False,
        since_seq: int | None = None,
    ) -> list[Tombstone]:
        """Return tombstones (of `kind`, or all) after a time or sequence."""
        with self.lock:
            found = self.tombstones
            if since_seq is not None:
                found = found[bisect_right(found, since_seq, key=attrgetter("seq")) :]
            if since is not None and self.stepped_back:
                found = [
                    t
                    for t in found
                    if t.deleted_at > since or (inclusive and t.deleted_at == since)
                ]
            elif since is not None:
                cut = bisect_left if inclusive else bisect_right
                found = found[cut(found, since, key=attrgetter("deleted_at")) :]
            return [t for t in found if kind is None or t.kind == kind]

    def changes(self, since_seq: int = 0, kind: str | None = None) -> list[Change]:
        """Return journalled runtime writes after `since_seq`."""
        with self.lock:
            first = bisect_right(self.journal, since_seq, key=attrgetter("seq"))
            return [c for c in self.journal[first:] if kind is None or c.kind == kind]

    # --- writes --------------------------------------------------------------------

    def insert(self, kind: str, record: Record) -> Record:
        """Store a new record (id assigned when 0) and return it."""
        with self.lock:
            rows = self._table(kind)
            if record.id == 0:
                record.id = self._next_id[kind]
            elif record.id in rows:
                raise StoreError(f"{kind} {record.id} exists")
            self._next_id[kind] = max(self._next_id[kind], record.id + 1)
            record.modified_at = self.now()
            record.seq = record.created_seq = self._next_seq()
            self._index_add(kind, record, new=True)
            self._log(
                Change(
                    record.seq,
                    record.modified_at,
                    kind,
                    record.id,
                    "create",
                    (),
                    record,
                )
            )
            return record

    def update(self, kind: str, record_id: int, **changes: Any) -> Record:
        """Store a changed copy of a record and return it (unchanged: no write)."""
        with self.lock:
            old = self._require(kind, record_id)
            fields = tuple(k for k, v in changes.items() if getattr(old, k) != v)
            if not fields:
                return old
            new = replace(old, **changes)
            new.modified_at = self.now()
            new.seq = self._next_seq()
            self._index_remove(kind, old, keep_id=True)
            self._index_add(kind, new, new=False)
            self._log(
                Change(new.seq, new.modified_at, kind, new.id, "update", fields, new)
            )
            return new

    def touch(self, kind: str, record_id: int) -> Record:
        """Give a record a new sequence and stamp without changing its fields."""
        with self.lock:
            old = self._require(kind, record_id)
            new = replace(old, modified_at=self.now(), seq=self._next_seq())
            self._index_remove(kind, old, keep_id=True)
            self._index_add(kind, new, new=False)
            self._log(Change(new.seq, new.modified_at, kind, new.id, "update", (), new))
            return new

    def delete(self, kind: str, record_id: int) -> Tombstone:
        """Hard-delete a record, leaving a tombstone, and return the tombstone."""
        with self.lock:
            old = self._require(kind, record_id)
            self._index_remove(kind, old, keep_id=False)
            del self._rows[kind][record_id]
            stone = Tombstone(kind, record_id, self._next_seq(), self.now(), old)
            self.tombstones.append(stone)
            self._log(
                Change(stone.seq, stone.deleted_at, kind, record_id, "delete", (), old)
            )
            return stone

    def bulk_load(self, records: dict[str, list[Record]]) -> None:
        """Load generated history into an empty store, sequencing by modified_at.

        Records must carry ids and modified_at; ties keep the KINDS order. History
        is not journalled.
        """
        with self.lock:
            if self._seq:
                raise StoreError("bulk_load needs an empty store")
            every = [(r.modified_at, k, r) for k in KINDS for r in records.get(k, [])]
            every.sort(key=itemgetter(0))  # stable: KINDS order, then given order
            for seq, (_, _, record) in enumerate(every, start=1):
                record.seq = record.created_seq = seq
            self._seq = len(every)
            if every:
                self._advance(every[-1][0])
            for kind in KINDS:
                self._bulk_index(kind, records.get(kind, []))

    def apply_random_changes(
        self, n: int, *, same_second: bool = False
    ) -> list[Change]:
        """Make `n` realistic random edits (see changes.py) and return them."""
        from .changes import apply_random_changes

        return apply_random_changes(self, n, same_second=same_second)

    # --- internals -----------------------------------------------------------------

    def _table(self, kind: str) -> dict[int, Record]:
        try:
            return self._rows[kind]
        except KeyError:
            raise StoreError(f"unknown kind {kind!r}") from None

    def _require(self, kind: str, record_id: int) -> Record:
        record = self._table(kind).get(record_id)
        if record is None:
            raise StoreError(f"{kind} {record_id} not found")
        return record

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _log(self, change: Change) -> None:
        self.journal.append(change)
        if len(self.journal) > self.journal_limit:
            del self.journal[: len(self.journal) // 10]

    def _seq_start(
        self, kind: str, since: datetime | None, inclusive: bool, since_seq: int | None
    ) -> int:
        index, first = self._by_seq[kind], 0
        if since is not None:
            cut = bisect_left if inclusive else bisect_right
            first = cut(index, since, key=_STAMP)
        if since_seq is not None:
            first = max(first, bisect_right(index, since_seq, key=itemgetter(0)))
        return first

    def _walk_range(self, kind: str, start: Any) -> Iterator[Record]:
        index, rows = self._by_range[kind], self._rows[kind]
        first = 0 if start is None else bisect_left(index, start, key=itemgetter(0))
        return (rows[entry[1]] for entry in islice(index, first, None))

    def _index_add(self, kind: str, record: Record, *, new: bool) -> None:
        self._rows[kind][record.id] = record
        if new:
            insort(self._ids[kind], record.id)
        self._by_seq[kind].append((record.seq, record.modified_at, record.id))
        if kind in RANGE_FIELDS:
            insort(
                self._by_range[kind], (getattr(record, RANGE_FIELDS[kind]), record.id)
            )
        if kind in PATIENT_KINDS:
            insort(self._by_patient[kind].setdefault(record.patient_id, []), record.id)

    def _index_remove(self, kind: str, record: Record, *, keep_id: bool) -> None:
        index = self._by_seq[kind]
        del index[bisect_left(index, (record.seq,))]
        if kind in RANGE_FIELDS:
            index = self._by_range[kind]
            del index[
                bisect_left(index, (getattr(record, RANGE_FIELDS[kind]), record.id))
            ]
        if not keep_id:
            ids = self._ids[kind]
            del ids[bisect_left(ids, record.id)]
        if kind in PATIENT_KINDS:
            self._by_patient[kind][record.patient_id].remove(record.id)

    def _bulk_index(self, kind: str, records: list[Record]) -> None:
        rows = self._rows[kind]
        rows.update((r.id, r) for r in records)
        self._ids[kind] = sorted(rows)
        self._next_id[kind] = (self._ids[kind][-1] + 1) if rows else 1
        self._by_seq[kind] = sorted((r.seq, r.modified_at, r.id) for r in rows.values())
        if kind in RANGE_FIELDS:
            field = RANGE_FIELDS[kind]
            self._by_range[kind] = sorted(
                (getattr(r, field), r.id) for r in rows.values()
            )
        if kind in PATIENT_KINDS:
            by_patient: dict[int, list[int]] = {}
            for record_id in self._ids[kind]:
                by_patient.setdefault(rows[record_id].patient_id, []).append(record_id)
            self._by_patient[kind] = by_patient


def _takewhile_lt(records: Iterable[Any], field: str, end: Any) -> Iterator[Any]:
    for record in records:
        if getattr(record, field) >= end:
            return
        yield record


_ORDER_KEYS: dict[str, Callable[[str], Callable[[Any], Any]]] = {
    "id": lambda kind: attrgetter("id"),
    "seq": lambda kind: attrgetter("seq"),
    "range": lambda kind: attrgetter(RANGE_FIELDS[kind], "id"),
}
