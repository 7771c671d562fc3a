"""The status page's SVG chart has one bar per hour with runs in the last 7 days."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from syncjobs.chart import runs_chart
from syncjobs.models import RunStatus, StreamKind
from syncjobs.status import HourBucket, chart_window, hourly_runs
from tests.browser import cast


def external_references(html: str) -> list[str]:
    """Return the src/href values of `html` that point at another host."""
    named = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html, re.I)
    return [url for url in named if re.match(r"(?:[a-z][a-z0-9+.-]*:)?//", url, re.I)]


def bars(svg: str, kind: str) -> list[str]:
    return re.findall(rf'<rect class="bar {kind}" data-hour="([^"]+)"', svg)


def test_it_draws_bars_for_runs_in_the_window_and_none_outside(
    client, admin_a, practice_a
):
    cast.connect(practice_a)
    now = timezone.now()
    cast.runs(
        practice_a,
        StreamKind.INCREMENTAL,
        {"started_at": now - timedelta(minutes=5), "fetched": 10},
        {"started_at": now - timedelta(hours=30), "fetched": 250},
        {"started_at": now - timedelta(days=6, hours=20), "fetched": 3},
        {"started_at": now - timedelta(days=8), "fetched": 999},
        {"started_at": now - timedelta(days=7, hours=2), "fetched": 999},
    )
    cast.runs(
        practice_a,
        StreamKind.FAST_APPOINTMENT_STATUS,
        {"started_at": now - timedelta(hours=30), "status": RunStatus.FAILED},
        {"started_at": now - timedelta(days=9), "status": RunStatus.FAILED},
    )
    page = cast.login(client, admin_a).get(f"/practices/{practice_a.pk}/sync/")
    svg = str(page.context["page"].chart)
    tz = ZoneInfo("America/Denver")

    def hour(delta: timedelta) -> str:
        return f"{(now - delta).astimezone(tz):%Y-%m-%dT%H:00}"

    expected = [
        hour(timedelta(days=6, hours=20)),
        hour(timedelta(hours=30)),
        hour(timedelta(minutes=5)),
    ]
    assert bars(svg, "records") == expected
    assert bars(svg, "failures") == [hour(timedelta(hours=30))]
    assert "999" not in svg
    assert svg.startswith("<svg") and 'id="runs-chart"' in page.content.decode()
    # Nothing is loaded from elsewhere (no CDN): every script, style, image and
    # link the page names is on this site. (A bare "cdn" search once matched a
    # random CSRF token.)
    assert not external_references(page.content.decode())


def test_it_sums_records_and_counts_failures_per_hour(practice_a):
    cast.connect(practice_a)
    now = timezone.now()
    start, end = chart_window(now, practice_a.tzinfo)
    at = start + timedelta(hours=3, minutes=10)
    cast.runs(
        practice_a,
        StreamKind.INCREMENTAL,
        {"started_at": at, "fetched": 40, "failed": 1},
        {"started_at": at + timedelta(minutes=20), "fetched": 2},
        {"started_at": at + timedelta(minutes=40), "status": RunStatus.RETRYING},
    )
    [bucket] = hourly_runs(practice_a, start, end)
    assert (bucket.runs, bucket.records, bucket.failures) == (3, 42, 1)
    assert bucket.records_failed == 1
    assert bucket.hour == (start + timedelta(hours=3)).astimezone(practice_a.tzinfo)


def test_the_window_is_the_last_168_practice_local_hours():
    now = datetime(2026, 3, 10, 15, 42, tzinfo=UTC)
    start, end = chart_window(now, ZoneInfo("America/New_York"))
    assert end == datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=168)


def test_an_empty_week_says_so():
    start = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
    svg = runs_chart([], start, ZoneInfo("America/New_York"))
    assert "No sync runs in the last 7 days" in svg
    assert bars(svg, "records") == []
    assert svg.count("Mar") >= 6  # one label per practice-local midnight


def test_a_week_without_failures_says_so_instead_of_a_scale_from_0_to_0():
    start = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
    tz = ZoneInfo("America/New_York")
    hour = start + timedelta(hours=5)
    calm = runs_chart([HourBucket(hour, 4, 120, 0, 0)], start, tz)
    assert "No failed runs" in calm
    assert bars(calm, "failures") == []

    stormy = runs_chart([HourBucket(hour, 4, 120, 3, 0)], start, tz)
    assert "No failed runs" not in stormy
    assert len(bars(stormy, "failures")) == 1
    assert ">3</text>" in stormy  # the band's scale runs to the worst hour
