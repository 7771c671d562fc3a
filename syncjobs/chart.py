"""Draw the last 7 days of sync runs as an inline SVG bar chart, server-side."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from .status import HourBucket

CHART_HOURS = 7 * 24
WIDTH, HEIGHT = 880, 232
LEFT, RIGHT = 56, 12
RECORDS_TOP, RECORDS_HEIGHT = 18, 118
FAILURES_TOP, FAILURES_HEIGHT = 160, 40
AXIS_Y = 222
SLOT = (WIDTH - LEFT - RIGHT) / CHART_HOURS
RECORDS_FILL, FAILURES_FILL, GRID, INK = "#1f6feb", "#b00020", "#dfe4ea", "#5b6775"


def _x(index: float) -> float:
    return LEFT + index * SLOT


def _text(x: float, y: float, label: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
        f'fill="{INK}" font-size="11">{escape(label)}</text>'
    )


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{GRID}" stroke-width="1"/>'
    )


def _bar(
    kind: str, index: int, top: float, height: float, fill: str, b: HourBucket, tz
) -> str:
    local = b.hour.astimezone(tz)
    tip = (
        f"{local:%a %b} {local.day}, {local:%H}:00: "
        f"{b.runs} run{'s' if b.runs != 1 else ''}, "
        f"{b.records:,} records fetched, {b.failures} failed"
        + (f", {b.records_failed} records failed" if b.records_failed else "")
    )
    return (
        f'<rect class="bar {kind}" data-hour="{local:%Y-%m-%dT%H:00}" '
        f'x="{_x(index) + SLOT * 0.1:.2f}" y="{top:.2f}" width="{SLOT * 0.8:.2f}" '
        f'height="{height:.2f}" fill="{fill}"><title>{escape(tip)}</title></rect>'
    )


def _bars(buckets: Sequence[HourBucket], start: datetime, tz: tzinfo) -> list[str]:
    top_records = max((b.records for b in buckets), default=0) or 1
    top_failures = max((b.failures for b in buckets), default=0) or 1
    parts = []
    for b in buckets:
        index = int((b.hour.astimezone(UTC) - start) / timedelta(hours=1))
        if not 0 <= index < CHART_HOURS:
            continue
        # An hour with runs but nothing fetched still gets a sliver: it ran.
        height = max(1.0, RECORDS_HEIGHT * b.records / top_records)
        bottom = RECORDS_TOP + RECORDS_HEIGHT
        parts.append(
            _bar("records", index, bottom - height, height, RECORDS_FILL, b, tz)
        )
        if b.failures:
            height = max(2.0, FAILURES_HEIGHT * b.failures / top_failures)
            bottom = FAILURES_TOP + FAILURES_HEIGHT
            parts.append(
                _bar("failures", index, bottom - height, height, FAILURES_FILL, b, tz)
            )
    return parts


def _axes(buckets: Sequence[HourBucket], start: datetime, tz: tzinfo) -> list[str]:
    top_records = max((b.records for b in buckets), default=0)
    top_failures = max((b.failures for b in buckets), default=0)
    right = WIDTH - RIGHT
    parts = [
        _line(LEFT, RECORDS_TOP, right, RECORDS_TOP),
        _line(LEFT, RECORDS_TOP + RECORDS_HEIGHT, right, RECORDS_TOP + RECORDS_HEIGHT),
        _line(
            LEFT, FAILURES_TOP + FAILURES_HEIGHT, right, FAILURES_TOP + FAILURES_HEIGHT
        ),
        _text(LEFT - 6, RECORDS_TOP + 4, f"{top_records:,}", "end"),
        _text(LEFT - 6, RECORDS_TOP + RECORDS_HEIGHT + 4, "0", "end"),
        _text(LEFT, RECORDS_TOP - 6, "Records fetched per hour"),
        _text(LEFT, FAILURES_TOP - 6, "Failed runs per hour"),
        _text(LEFT - 6, FAILURES_TOP + FAILURES_HEIGHT + 4, "0", "end"),
    ]
    if top_failures:
        parts.append(_text(LEFT - 6, FAILURES_TOP + 4, f"{top_failures:,}", "end"))
    elif buckets:  # a scale from 0 to 0 says nothing; say it in words
        middle = FAILURES_TOP + FAILURES_HEIGHT / 2 + 4
        parts.append(_text(WIDTH / 2, middle, "No failed runs", "middle"))
    for index in range(CHART_HOURS):
        local = (start + timedelta(hours=index)).astimezone(tz)
        if local.hour == 0:
            x = _x(index)
            parts.append(_line(x, RECORDS_TOP, x, FAILURES_TOP + FAILURES_HEIGHT))
            parts.append(_text(x + 3, AXIS_Y, f"{local:%a %b} {local.day}"))
    if not buckets:
        middle = RECORDS_TOP + RECORDS_HEIGHT / 2
        parts.append(
            _text(WIDTH / 2, middle, "No sync runs in the last 7 days", "middle")
        )
    return parts


def runs_chart(
    buckets: Sequence[HourBucket], start: datetime, tz: tzinfo
) -> SafeString:
    """Return an SVG of records fetched and failed runs per hour since `start`."""
    runs = sum(b.runs for b in buckets)
    failures = sum(b.failures for b in buckets)
    summary = f"{runs:,} sync runs in the last 7 days, {failures:,} failed."
    body = "".join([*_axes(buckets, start, tz), *_bars(buckets, start, tz)])
    # Every label above went through escape().
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" id="runs-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'aria-label="{escape(summary)}" font-family="system-ui, sans-serif">'
        f"<title>{escape(summary)}</title>{body}</svg>"
    )
