"""The schedule window of an agent connector (docs/agent-protocol.md, "The
schedule, by window"): provider hours, blockouts and closures of a range of
practice-local days, read whole each time, as Open Dental's are."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from ..base import Entity, Page, ScheduleBlock, ScheduleKind
from . import values as v

KINDS = {
    "provider": ScheduleKind.PROVIDER,
    "blockout": ScheduleKind.BLOCKOUT,
    "practice": ScheduleKind.PRACTICE,
}


def map_schedule_item(item: v.Row, tz: ZoneInfo) -> ScheduleBlock:
    """Return the entry of one schedule item, or raise RowError naming the field."""
    kind = ScheduleKind(v.choice(item, "kind", KINDS))
    return ScheduleBlock(
        pms_id=v.text(item, "entry_id", required=True),
        kind=kind,
        day=v.day(item, "date", required=True),
        start_time=_time_of_day(item, "start"),
        stop_time=_time_of_day(item, "stop"),
        provider_pms_id=v.ident(
            item, "provider_id", required=kind == ScheduleKind.PROVIDER
        ),
        operatory_pms_ids=_ids(item, "operatory_ids"),
        blockout_type_pms_id=v.ident(item, "block_type_id", required=False),
        blockout_type=v.text(item, "block_type"),
        note=v.text(item, "note"),
        modified_at=v.changed_at(item),
        raw=item,
    )


def _time_of_day(item: v.Row, column: str) -> time:
    value = item.get(column)
    if not isinstance(value, str) or len(value) != 8:
        raise v.RowError(column, value, "is not a time of day (HH:MM:SS)")
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise v.RowError(column, value, "is not a time of day (HH:MM:SS)") from None


def _ids(item: v.Row, column: str) -> tuple[str, ...]:
    value = item.get(column, [])
    if not isinstance(value, list):
        raise v.RowError(column, value, "is not a list of ids")
    return tuple(v.ident({column: one}, column) for one in value)


class AgentSchedules:
    """The schedule read of AgentConnector (uses its client and cursor checks)."""

    def fetch_schedules(
        self, first_day: date, last_day: date, cursor: str | None
    ) -> Page[ScheduleBlock]:
        body = self.client.window_page(  # type: ignore[attr-defined]
            "schedules",
            {"from": first_day.isoformat(), "to": last_day.isoformat()},
            self._cursor(cursor, "schedule"),  # type: ignore[attr-defined]
            self.page_size,  # type: ignore[attr-defined]
            "the schedules",
        )
        blocks, errors = [], []
        for item in body["items"]:
            try:
                if not isinstance(item, dict):
                    raise v.RowError("item", item, "is not an object")
                blocks.append(map_schedule_item(item, self.tz))  # type: ignore[attr-defined]
            except v.RowError as exc:
                pms_id = v.peek_id(item, "entry_id")
                errors.append(v.record_error(Entity.SCHEDULE, pms_id, exc, item))
        return Page(
            blocks, str(body["next_offset"]), body.get("has_more") is True, errors
        )
