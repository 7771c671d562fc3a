"""Build Ascend `filter=` expressions and the "changed since" cursor.

Why not "resume from the largest `lastModified` seen": Ascend pages by `lastId`
in id order (other-pms-facts §1.4), not by time. Resuming with
`lastModified>T` drops the rest of a busy second that straddled a page boundary;
`>=T` plus `lastId` drops its lower ids; and a long walk misses low ids edited
while it ran. So, overlap + dedupe:

* a walk keeps one filter, `lastModified>=since-OVERLAP`, on every page and moves
  only `lastId`, so every row in the window comes back once, however many share
  a second;
* the next `since` is the server's clock when the walk began (the `Date` header
  of its first answer): a row edited during the walk is stamped at or after it,
  so the next walk reads it. Never past the newest stamp seen, so a server whose
  stamps lag its `Date` header (the simulator's frozen office clock) loses nothing;
* OVERLAP re-reads the last seconds before `since` (stamps committed late, clock
  skew); rows whose payload the previous walk already delivered are dropped
  (`prior`), so the overlap adds no duplicates yet a second edit in the same
  second, with a new payload, still comes through.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from ..base import PmsError

OVERLAP = timedelta(seconds=30)
MAX_REMEMBERED = 2000  # beyond this a walk may re-deliver rows (upserts absorb it)


def clause(path: str, op: str, value: object) -> str:
    """Return one `path op value` clause; values are not quoted (§1.4)."""
    if isinstance(value, datetime):
        value = format_instant(value)
    text = str(value)
    if "," in text:
        raise PmsError(
            f"Dentrix Ascend filter values cannot contain commas: {text!r}",
            permanent=True,
        )
    return f"{path}{op}{text}"


def join(*clauses: str) -> str:
    """AND the clauses together: Ascend joins them with commas (§1.4)."""
    return ",".join(c for c in clauses if c)


def format_instant(moment: datetime) -> str:
    """Return `moment` as Ascend writes timestamps: UTC, milliseconds, `Z` (§1.4)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_instant(text: str) -> datetime:
    """Return the aware UTC datetime of an Ascend timestamp."""
    parsed = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def fingerprint(row: dict[str, Any]) -> str:
    """Return a short hash of a row's payload."""
    text = json.dumps(row, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


@dataclass
class Walk:
    """Where a "changed since" walk stands; serialised into Page.cursor."""

    since: datetime | None = None  # None: everything
    last_id: str | None = None
    mark: datetime | None = None  # the server clock at the first answer
    newest: datetime | None = None  # the newest lastModified seen
    seen: dict[str, str] = field(default_factory=dict)  # id -> "stamp|print"
    prior: dict[str, str] = field(default_factory=dict)  # id -> print

    @classmethod
    def load(cls, cursor: str | None) -> Walk:
        """Return the walk a cursor string stands for (None: from the beginning)."""
        if not cursor:
            return cls()
        try:
            data = json.loads(cursor)
            return cls(
                since=_instant(data.get("since")),
                last_id=data.get("lastId"),
                mark=_instant(data.get("mark")),
                newest=_instant(data.get("newest")),
                seen=dict(data.get("seen", {})),
                prior=dict(data.get("prior", {})),
            )
        except (ValueError, TypeError, AttributeError) as exc:
            raise PmsError(
                "The saved Dentrix Ascend sync position is unreadable; resync "
                "this stream",
                permanent=True,
            ) from exc

    def dump(self) -> str:
        """Return the cursor string for this walk."""
        data: dict[str, Any] = {
            "since": self.since and format_instant(self.since),
            "lastId": self.last_id,
            "mark": self.mark and format_instant(self.mark),
            "newest": self.newest and format_instant(self.newest),
            "seen": self.seen,
            "prior": self.prior,
        }
        return json.dumps(
            {k: v for k, v in data.items() if v}, separators=(",", ":"), sort_keys=True
        )

    def filter(self) -> str:
        """Return the clause bounding this walk (empty: every row)."""
        if self.since is None:
            return ""
        return clause("lastModified", ">=", self.since - OVERLAP)

    def note(self, pms_id: str, modified: datetime, row: dict[str, Any]) -> bool:
        """Remember a delivered row; return False if the last walk delivered it."""
        print_ = fingerprint(row)
        if self.newest is None or modified > self.newest:
            self.newest = modified
        # The next walk re-reads from min(mark, newest) - OVERLAP at the earliest
        # (see finished), so older rows need not be remembered.
        floor = min(m for m in (self.mark, self.newest) if m is not None) - OVERLAP
        if modified >= floor:
            self.seen[pms_id] = f"{format_instant(modified)}|{print_}"
            if len(self.seen) > MAX_REMEMBERED:
                self._forget_before(floor)
        return self.prior.get(pms_id) != print_

    def _forget_before(self, floor: datetime) -> None:
        """Drop remembered rows older than `floor`; past the limit, the oldest."""
        kept = sorted(
            (value, pms_id)
            for pms_id, value in self.seen.items()
            if parse_instant(value.partition("|")[0]) >= floor
        )
        self.seen = {pms_id: value for value, pms_id in kept[-MAX_REMEMBERED:]}

    def finished(self) -> Walk:
        """Return the first state of the next walk."""
        candidates = [m for m in (self.mark, self.newest) if m is not None]
        if not self.newest:
            # Nothing in the window: ask the same question next time.
            return Walk(since=self.since, prior=self.prior)
        since = min(candidates)
        if self.since is not None and since < self.since:
            since = self.since  # never move the watermark backwards
        edge = since - OVERLAP
        prior = {}
        for pms_id, value in self.seen.items():
            stamp, _, print_ = value.partition("|")
            if parse_instant(stamp) >= edge:
                prior[pms_id] = print_
        return Walk(since=since, prior=prior)


def _instant(text: str | None) -> datetime | None:
    return parse_instant(text) if text else None


def server_time(response: requests.Response) -> datetime:
    """Return the server's clock from the `Date` header (ours if it is missing)."""
    try:
        moment = email.utils.parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError):
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
