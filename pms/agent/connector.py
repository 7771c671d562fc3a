"""A Connector over the bridge-agent protocol; vendor modules supply the naming."""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings

from ..base import (
    Appointment,
    ConnectionConfig,
    Connector,
    Deletion,
    Entity,
    Lane,
    Page,
    Patient,
    PmsError,
    ReferenceValue,
)
from ..budget import budget_for
from ..http import HttpPolicy, PmsHttp, Wording
from .client import AgentClient
from .reference import RefList, reference_values
from .schedules import AgentSchedules
from .values import Row, RowError, changed_at, peek_id, record_error
from .writes import AgentWrites

TOMBSTONE_ONLY = frozenset({"seq", "op", "changed_at"})
MAX_PAGE = 500  # docs/agent-protocol.md §5: the agent's page size limit
SILENT_AFTER = 600.0  # seconds without a heartbeat before data counts as stale
COMMAND_WAIT = 30.0  # seconds to wait for a command before "outcome unknown"


@dataclass(frozen=True)
class Feed:
    """One change feed: the vendor table, its key column and its row mapper."""

    table: str
    key: str
    mapper: Callable[[Row, ZoneInfo], Any]


class AgentConnector(AgentWrites, AgentSchedules, Connector, abc.ABC):
    """Eaglesoft and Dentrix: reads from change feeds, writes as agent commands."""

    feeds: dict[Entity, Feed]
    reference_lists: tuple[RefList, ...]  # the vendor's reference lists
    default_page_size = MAX_PAGE

    def __init__(self, config: ConnectionConfig, lane: Lane = Lane.INCREMENTAL) -> None:
        super().__init__(config, lane)
        token = config.credentials.get("agent_token", "")
        if not token:
            raise PmsError(
                f"The {self.label} connection needs an agent token", permanent=True
            )
        self.page_size = min(config.page_size or self.default_page_size, MAX_PAGE)
        policy = HttpPolicy.from_settings(
            connect_timeout=config.connect_timeout or 5.0,
            read_timeout=config.read_timeout or 30.0,
        )
        http = PmsHttp(
            label=f"{self.label} agent",
            base_url=config.base_url,
            lane=lane,
            budget=budget_for(
                f"{self.pms_type}:{config.connection_id}",
                self.request_interval_ms,
                lease_s=policy.connect_timeout + policy.read_timeout + 5,
                label=self.label,
            ),
            policy=policy,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
            wording=Wording(
                unauthorized="{label} rejected our agent token (401): pair the "
                "agent again or update the token",
                forbidden="{label} refused {what} (403): the token belongs to "
                "another practice management system",
            ),
        )
        self.client = AgentClient(
            http,
            self.label,
            silent_after=getattr(settings, "PMS_AGENT_SILENT_AFTER", SILENT_AFTER),
            command_wait=getattr(settings, "PMS_AGENT_COMMAND_WAIT", COMMAND_WAIT),
        )

    def close(self) -> None:
        self.client.http.close()

    @property
    def tz(self) -> ZoneInfo:
        return self.config.time_zone

    # --- vendor naming -------------------------------------------------------------

    @property
    def deletion_tables(self) -> dict[str, Entity]:
        """Map each mirrored feed table to its entity.

        Notes and documents are not mirrored (pms.base.Entity), so their
        tombstones are not reported.
        """
        return {feed.table: entity for entity, feed in self.feeds.items()}

    def reference_values(self, lists: dict[str, Any]) -> list[ReferenceValue]:
        """Map the agent's reference lists (one row failing skips only that row)."""
        return reference_values(lists, self.reference_lists, self.label)

    # --- reads ---------------------------------------------------------------------

    def fetch_reference(self) -> list[ReferenceValue]:
        return self.reference_values(self.client.read("reference", None, "the lists"))

    def estimate_total(self, entity: Entity) -> int | None:
        """Return how many items a walk of `entity`'s feed from 0 delivers now.

        From `counts` in `GET status` (agent-protocol.md §5 "Feed sizes"); an
        agent that predates it sends none, and the total stays unknown (None):
        `head` is the agent-wide sequence, not a count of one table.
        """
        feed = self.feeds.get(entity)
        if feed is None:
            return None
        counts = self.client.read("status", None, "the agent status").get("counts")
        count = counts.get(feed.table) if isinstance(counts, dict) else None
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            return None
        return count

    def watermark(self, entity: Entity, since: datetime) -> str | None:
        """Return the agent's `head` now: its feeds carry sequences, not times.

        Everything changed after this call has a higher sequence; `since` (a little
        earlier) is covered by the initial walk, which reads current rows.
        """
        if entity not in self.feeds:
            return None
        head = self.client.read("status", None, "the agent status").get("head")
        if isinstance(head, bool) or not isinstance(head, int) or head < 0:
            return None
        return str(head)

    def fetch_changed(self, entity: Entity, cursor: str | None) -> Page:
        feed = self.feeds.get(entity)
        if feed is None:
            raise PmsError(f"{self.label} has no {entity} feed", permanent=True)
        after = self._cursor(cursor, entity)
        body = self.client.page(
            f"changes/{feed.table}", after, self.page_size, f"the changed {entity}s"
        )
        records, errors = [], []
        for item in body["items"]:
            try:
                record = self.map_item(feed, item)
            except RowError as exc:
                errors.append(record_error(entity, peek_id(item, feed.key), exc, item))
                continue
            if record is not None:
                records.append(record)
        return Page(
            records, str(body["next_after"]), body.get("has_more") is True, errors
        )

    def map_item(self, feed: Feed, item: Any) -> Any:
        """Map a feed item; a tombstone becomes a record marked deleted (§5)."""
        if not isinstance(item, dict):
            raise RowError("row", item, "is not an object")
        if item.get("op") != "D":
            return feed.mapper(item, self.tz)
        # A tombstone without the last state, or of a kind without a deleted flag,
        # is left to fetch_deletions.
        if not set(item) - TOMBSTONE_ONLY - {feed.key}:
            return None
        try:
            record = feed.mapper(item, self.tz)
        except RowError:
            return None  # the last state is unreadable; the deletion still counts
        if not any(f.name == "is_deleted" for f in fields(record)):
            return None
        return replace(record, is_deleted=True)

    def fetch_deletions(self, cursor: str | None) -> Page[Deletion]:
        """Return the tombstones of every table, from the agent's journal (§5)."""
        after = self._cursor(cursor, "deletion")
        body = self.client.page("deletions", after, self.page_size, "the deletions")
        found, errors = [], []
        for item in body["items"]:
            table = item.get("table") if isinstance(item, dict) else None
            entity = self.deletion_tables.get(table)
            if entity is None:
                continue  # a table pbnsync does not mirror
            pms_id = peek_id(item, "id")
            if pms_id is None:
                problem = RowError("id", item.get("id"), "is missing or not an id")
                errors.append(record_error(entity, None, problem, item))
                continue
            found.append(Deletion(entity, pms_id, changed_at(item)))
        return Page(
            found, str(body["next_after"]), body.get("has_more") is True, errors
        )

    def fetch_patient(self, pms_id: str) -> Patient:
        return self._row(Entity.PATIENT, pms_id)

    def fetch_appointment(self, pms_id: str) -> Appointment:
        return self._row(Entity.APPOINTMENT, pms_id)

    def _row(self, entity: Entity, pms_id: str) -> Any:
        feed = self.feeds[entity]
        what = f"{entity} {pms_id}"
        path = f"rows/{feed.table}/{quote(pms_id, safe='')}"
        body = self.client.read(path, None, what)
        row = body.get("row")
        try:
            if not isinstance(row, dict):
                raise RowError("row", row, "is not an object")
            return feed.mapper({**row, "changed_at": None}, self.tz)
        except RowError as exc:
            raise PmsError(
                f"{self.label} sent an unreadable {what}: {exc}", permanent=True
            ) from exc

    def _cursor(self, cursor: str | None, what: str) -> int:
        if not cursor:
            return 0
        if not cursor.isdigit():
            raise PmsError(
                f"The saved {self.label} {what} position {cursor!r} is unreadable; "
                "resync that stream",
                permanent=True,
            )
        return int(cursor)
