"""Open Dental schedules: provider hours, blockouts and practice notes.

`GET /schedules` (opendental-api.md §5.15; apischedules.html, v22.1) takes
`dateStart`/`dateEnd`, both inclusive, and has no change filter (§3.1), so the
whole window is read each time and the caller replaces what it holds for it.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from ..base import Entity, Page, PmsError, RecordError, ScheduleBlock, ScheduleKind
from .wire import (
    WireError,
    format_date,
    parse_date,
    parse_datetime,
    parse_enum,
    parse_id,
    parse_text,
    parse_time,
    payload,
    require,
)

KINDS = {
    "Provider": ScheduleKind.PROVIDER,
    "Blockout": ScheduleKind.BLOCKOUT,
    "Practice": ScheduleKind.PRACTICE,
}
# Staff hours and the Web Sched ASAP list say nothing about provider availability.
SKIPPED = frozenset({"Employee", "WebSchedASAP"})
SCHED_TYPES = frozenset(KINDS) | SKIPPED


def map_schedule(row: dict[str, Any], tz: ZoneInfo) -> ScheduleBlock | None:
    """Return the entry of a schedule row, or None for one we do not mirror."""
    sched_type = parse_enum(require(row, "SchedType"), "SchedType", SCHED_TYPES)
    if sched_type in SKIPPED:
        return None
    kind = KINDS[sched_type]
    day = parse_date(require(row, "SchedDate"), "SchedDate")
    if day is None:
        raise WireError("SchedDate", row.get("SchedDate"), "is empty")
    # apischedules.html: every value is a string; ProvNum is 0 unless the entry
    # is a provider's, BlockoutType 0 unless a blockout.
    return ScheduleBlock(
        pms_id=parse_id(require(row, "ScheduleNum"), "ScheduleNum"),
        kind=kind,
        day=day,
        start_time=parse_time(require(row, "StartTime"), "StartTime"),
        stop_time=parse_time(require(row, "StopTime"), "StopTime"),
        provider_pms_id=parse_id(row.get("ProvNum"), "ProvNum", required=False),
        operatory_pms_ids=_operatories(row.get("operatories")),
        blockout_type_pms_id=parse_id(
            row.get("BlockoutType"), "BlockoutType", required=False
        ),
        blockout_type=parse_text(row.get("blockoutType"), "blockoutType"),
        note=parse_text(row.get("Note"), "Note"),
        modified_at=parse_datetime(row.get("DateTStamp"), "DateTStamp", tz),
        raw=payload(row),
    )


def _operatories(value: Any) -> tuple[str, ...]:
    """apischedules.html: `operatories` is a comma list of OperatoryNums, or ""."""
    text = parse_text(value, "operatories")
    parts = (part.strip() for part in text.split(","))
    return tuple(parse_id(part, "operatories") for part in parts if part)


class OpenDentalSchedules:
    """The schedule read of OpenDentalConnector (uses its HTTP plumbing)."""

    def fetch_schedules(
        self, first_day: date, last_day: date, cursor: str | None
    ) -> Page[ScheduleBlock]:
        offset = _offset(cursor)
        rows = self.get_list(  # type: ignore[attr-defined]
            "schedules",
            self.paged(  # type: ignore[attr-defined]
                {"dateStart": format_date(first_day), "dateEnd": format_date(last_day)},
                offset,
            ),
            "the schedules",
        )
        blocks: list[ScheduleBlock] = []
        errors: list[RecordError] = []
        for row in rows:
            try:
                if not isinstance(row, dict):
                    raise WireError("row", row, "is not an object")
                block = map_schedule(row, self.tz)  # type: ignore[attr-defined]
            except WireError as exc:
                pms_id = row.get("ScheduleNum") if isinstance(row, dict) else None
                errors.append(
                    RecordError(
                        Entity.SCHEDULE,
                        str(pms_id) if pms_id not in (None, "") else None,
                        str(exc),
                        repr(row)[:200],
                    )
                )
                continue
            if block is not None:
                blocks.append(block)
        offset += len(rows)
        more = not self.is_last(rows)  # type: ignore[attr-defined]
        return Page(blocks, str(offset), more, errors)


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    if not cursor.isdigit():
        raise PmsError(
            "The saved Open Dental schedule position is unreadable", permanent=True
        )
    return int(cursor)
