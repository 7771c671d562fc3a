"""Open Dental change feeds: Limit/Offset walks over a fixed "changed since" value.

The rules (opendental-api.md §2, §3.1, §3.2):

* a walk keeps the same filter value on every page and moves only `Offset`, so
  any number of rows changed in the same second, across any page boundary, all
  come back; rows are never assumed to be sorted;
* the next watermark is the `serverDateTime` of the FIRST page of the walk (the
  office server's clock), so rows changed during the walk come back next time;
* the next walk starts `OVERLAP` before that watermark (filters are "after" on
  some endpoints, "on or after" on others, and stamps are whole seconds), and
  drops rows whose payload it already delivered (`prior`), so overlap never
  turns into duplicates and a second edit within the same second is not lost.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..base import Entity, Page, PmsError, RecordError
from .records import (
    map_appointment,
    map_patient,
    map_payment,
    map_procedure,
    map_provider,
)
from .wire import DATE, DATETIME, WireError, parse_stamp, payload

OVERLAP = timedelta(seconds=30)
MINUTE = timedelta(minutes=1)
DATE_OVERLAP = timedelta(days=1)
MAX_REMEMBERED = 2000  # beyond this a walk may re-deliver rows (upserts absorb it)
REMOTE_CAP = 100  # §2: the remote API's hard maximum page size


@dataclass(frozen=True)
class Feed:
    entity: Entity
    path: str
    id_field: str
    since_param: str  # the documented "changed since" query parameter
    since_is_date: bool  # True: "yyyy-MM-dd" (payments' DateEntry)
    window_field: str  # the row field the since value is compared with
    mapper: Callable[[dict[str, Any], ZoneInfo], Any]


FEEDS = {
    # §3.1: GET /patients has no DateTStamp; /patients/Simple does.
    Entity.PATIENT: Feed(
        Entity.PATIENT,
        "patients/Simple",
        "PatNum",
        "DateTStamp",
        False,
        "DateTStamp",
        map_patient,
    ),
    Entity.APPOINTMENT: Feed(
        Entity.APPOINTMENT,
        "appointments",
        "AptNum",
        "DateTStamp",
        False,
        "DateTStamp",
        map_appointment,
    ),
    # §5.4: DateTStamp without ClinicNum (with it, no serverDateTime comes back).
    Entity.PROVIDER: Feed(
        Entity.PROVIDER,
        "providers",
        "ProvNum",
        "DateTStamp",
        False,
        "DateTStamp",
        map_provider,
    ),
    Entity.PROCEDURE: Feed(
        Entity.PROCEDURE,
        "procedurelogs",
        "ProcNum",
        "DateTStamp",
        False,
        "DateTStamp",
        map_procedure,
    ),
    # §3.1: payments only filter by DateEntry, a date, "entered on or after".
    Entity.PAYMENT: Feed(
        Entity.PAYMENT,
        "payments",
        "PayNum",
        "DateEntry",
        True,
        "DateEntry",
        map_payment,
    ),
}


@dataclass
class Walk:
    """The state of one walk, serialised into `Page.cursor`."""

    since: str | None = None
    offset: int = 0
    mark: str | None = None  # serverDateTime of the first page
    newest: str | None = None  # fallback mark when serverDateTime is blank
    seen: dict[str, str] = field(default_factory=dict)
    prior: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, cursor: str | None) -> Walk:
        if not cursor:
            return cls()
        try:
            data = json.loads(cursor)
            return cls(
                since=data.get("since"),
                offset=int(data.get("offset", 0)),
                mark=data.get("mark"),
                newest=data.get("newest"),
                seen=dict(data.get("seen", {})),
                prior=dict(data.get("prior", {})),
            )
        except (ValueError, TypeError, AttributeError) as exc:
            raise PmsError(
                "The saved Open Dental sync position is unreadable; resync this stream",
                permanent=True,
            ) from exc

    def dump(self) -> str:
        data = {"since": self.since, "offset": self.offset}
        if self.mark:
            data["mark"] = self.mark
        if self.newest:
            data["newest"] = self.newest
        if self.seen:
            data["seen"] = self.seen
        if self.prior:
            data["prior"] = self.prior
        return json.dumps(data, separators=(",", ":"), sort_keys=True)


def fingerprint(row: dict[str, Any]) -> str:
    """Return a short hash of a row's payload, without the per-query clock."""
    text = json.dumps(payload(row), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def next_since(feed: Feed, mark: str, tz: ZoneInfo) -> str:
    """Return where the next walk starts: the watermark minus the overlap.

    Stamps are office wall times (§3.3). When daylight saving time ends the clock
    repeats an hour, and a row changed after it went back carries a stamp earlier
    than a watermark taken before: near such an hour, start before it.
    """
    when = datetime.strptime(mark, DATETIME)
    if feed.since_is_date:
        return (when - DATE_OVERLAP).strftime(DATE)
    since = when - OVERLAP
    repeated = repeated_from(since, tz) or repeated_from(when, tz)
    if repeated is not None:
        since = min(since, repeated - OVERLAP)
    return since.strftime(DATETIME)


def repeated_from(wall: datetime, tz: ZoneInfo) -> datetime | None:
    """Return where the repeated hour holding wall time `wall` starts, or None if
    `wall` happens once (as nearly every wall time does)."""

    def repeated(at: datetime) -> bool:
        # Its first occurrence is further ahead of UTC than its second. (In the
        # hour skipped in spring it is the other way round.)
        first, second = at.replace(tzinfo=tz), at.replace(tzinfo=tz, fold=1)
        return first.utcoffset() > second.utcoffset()

    if not repeated(wall):
        return None
    start = wall.replace(second=0)
    while repeated(start - MINUTE):  # transitions fall on whole minutes
        start -= MINUTE
    return start


def read_page(
    feed: Feed,
    walk: Walk,
    rows: list[Any],
    limit: int,
    tz: ZoneInfo,
) -> Page:
    """Turn one fetched page of `walk` into a Page and the cursor that follows it."""
    records: list[Any] = []
    errors: list[RecordError] = []
    first_page = walk.offset == 0 and walk.mark is None
    # Only a row the next walk's overlap reads again is worth remembering; until
    # the watermark is known, every row may be.
    floor = _remember_from(feed, walk, tz)
    for row in rows:
        if not isinstance(row, dict):
            errors.append(
                RecordError(feed.entity, None, "not an object", repr(row)[:200])
            )
            continue
        if first_page and walk.mark is None:
            # §3.2: keep serverDateTime from the first page as the next watermark.
            walk.mark = _stamp_or_none(row.get("serverDateTime"))
            floor = _remember_from(feed, walk, tz)
        pms_id = _id_or_none(row.get(feed.id_field))
        stamp = _stamp_or_none(row.get(feed.window_field), feed.since_is_date)
        remember = (
            stamp is not None
            and (floor is None or stamp >= floor)
            and len(walk.seen) < MAX_REMEMBERED
        )
        print_ = fingerprint(row) if remember or walk.prior else ""
        # A row the previous walk delivered with this very payload mapped then;
        # the overlap brings such rows back on every walk, so skip mapping them.
        delivered = bool(print_) and walk.prior.get(pms_id or "") == print_
        if not delivered:
            try:
                record = feed.mapper(row, tz)
            except WireError as exc:
                errors.append(
                    RecordError(feed.entity, pms_id, str(exc), repr(exc.value)[:200])
                )
                continue
            pms_id = record.pms_id
        if stamp and (walk.newest is None or stamp > walk.newest):
            walk.newest = stamp
        if remember:
            walk.seen[pms_id] = f"{stamp}|{print_}"
        if not delivered and (not print_ or walk.prior.get(pms_id) != print_):
            records.append(record)
    walk.offset += len(rows)
    # §2: end of data is a page shorter than the page size. A remote server caps
    # Limit at 100, so exactly 100 rows after asking for more is not the end.
    short = len(rows) < limit and not (len(rows) == REMOTE_CAP < limit)
    if not short:
        return Page(records, walk.dump(), True, errors)
    return Page(records, _finish(feed, walk, tz).dump(), False, errors)


def _finish(feed: Feed, walk: Walk, tz: ZoneInfo) -> Walk:
    """Return the first state of the next walk."""
    mark = walk.mark or walk.newest
    if mark is None:
        # Nothing came back and no clock either: ask the same question next time.
        return Walk(since=walk.since, prior=walk.prior)
    since = _next_since_of(feed, mark, tz)
    prior = {}
    for pms_id, value in walk.seen.items():
        stamp, _, print_ = value.partition("|")
        if stamp >= since:
            prior[pms_id] = print_
    plain = _next_since_of(feed, mark, UTC)  # as if no hour were ever repeated
    if walk.since is not None and since == plain and since < walk.since:
        since = walk.since  # never move the watermark backwards (but see next_since)
    return Walk(since=since, prior=prior)


def _next_since_of(feed: Feed, mark: str, tz: ZoneInfo) -> str:
    if feed.since_is_date and len(mark) == 10:
        mark = f"{mark} 00:00:00"
    return next_since(feed, mark, tz)


def _remember_from(feed: Feed, walk: Walk, tz: ZoneInfo) -> str | None:
    """Return the oldest stamp the next walk reads again, once the mark is known."""
    return _next_since_of(feed, walk.mark, tz) if walk.mark else None


def _stamp_or_none(value: Any, is_date: bool = False) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if is_date:
        return text[:10] if len(text) >= 10 else None
    try:
        return parse_stamp(text, "serverDateTime")
    except WireError:
        return None


def _id_or_none(value: Any) -> str | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    text = str(value).strip()
    return text if text.isdigit() and text != "0" else None
