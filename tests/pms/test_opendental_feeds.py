"""The page reader of an Open Dental change walk: overlap rows are recognised, not
re-delivered, and not mapped a second time."""

from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from pms.base import Entity
from pms.opendental.feeds import FEEDS, Walk, next_since, read_page

DENVER = ZoneInfo("America/Denver")
NEW_YORK = ZoneInfo("America/New_York")


def row(num, note="", stamp="2026-12-01 09:00:00"):
    return {
        "AptNum": num,
        "PatNum": 7,
        "AptDateTime": "2026-12-02 10:00:00",
        "Pattern": "XXXX",
        "AptStatus": "Scheduled",
        "Note": note,
        "DateTStamp": stamp,
        "serverDateTime": "2026-12-01 09:00:05",
    }


def counting_feed():
    feed = FEEDS[Entity.APPOINTMENT]
    mapped = []

    def mapper(data, tz):
        mapped.append(data["AptNum"])
        return feed.mapper(data, tz)

    return replace(feed, mapper=mapper), mapped


def walk_once(feed, rows, cursor=None):
    return read_page(feed, Walk.load(cursor), rows, 100, DENVER)


def test_an_overlap_row_with_the_same_payload_is_neither_delivered_nor_remapped():
    feed, mapped = counting_feed()
    first = walk_once(feed, [row(1), row(2)])
    assert [a.pms_id for a in first.records] == ["1", "2"]
    mapped.clear()

    # The next walk starts 30 s before the watermark: both rows come back, one
    # of them edited since.
    second = walk_once(feed, [row(1), row(2, note="moved")], first.cursor)

    assert [(a.pms_id, a.note) for a in second.records] == [("2", "moved")]
    assert mapped == [2]
    # Both stay remembered, so a third overlapping walk delivers nothing again.
    third = walk_once(feed, [row(1), row(2, note="moved")], second.cursor)
    assert third.records == [] and third.errors == []


def test_an_id_written_differently_is_still_recognised_after_mapping():
    feed, _ = counting_feed()
    first = walk_once(feed, [row(5)])
    same_row_as_text = {**row(5), "AptNum": " 5 "}

    second = walk_once(feed, [same_row_as_text], first.cursor)

    # The payload differs (the id is now text), so it is mapped and delivered
    # once under the same id; nothing is lost either way.
    assert [a.pms_id for a in second.records] == ["5"]


def test_a_malformed_row_in_the_overlap_is_still_reported():
    feed, _ = counting_feed()
    first = walk_once(feed, [row(1)])
    broken = {**row(3), "AptStatus": "Teleported"}

    second = walk_once(feed, [row(1), broken], first.cursor)

    assert second.records == []
    assert [(e.pms_id, "AptStatus" in e.reason) for e in second.errors] == [("3", True)]


def test_a_walk_remembers_only_rows_the_next_overlap_reads_again():
    feed, mapped = counting_feed()
    # The office's clock says 09:00:05; the next walk starts 30 s before that.
    old = [row(n, stamp="2024-03-01 08:00:00") for n in range(1, 99)]
    recent = [row(201, stamp="2026-12-01 08:59:40"), row(202)]
    first = read_page(feed, Walk(), [*old, *recent], 100, DENVER)
    assert first.has_more and len(first.records) == 100

    walk = Walk.load(first.cursor)
    # A full walk of years of history checkpoints a few entries, not thousands.
    assert set(walk.seen) == {"201", "202"}
    last = read_page(feed, walk, [row(300, stamp="2025-01-01 00:00:00")], 100, DENVER)
    following = Walk.load(last.cursor)
    assert following.since == "2026-12-01 08:59:35"
    assert set(following.prior) == {"201", "202"}

    # The overlap re-reads exactly those two; neither is delivered or mapped again.
    mapped.clear()
    again = read_page(feed, following, recent, 100, DENVER)
    assert again.records == [] and mapped == []


@pytest.mark.parametrize(
    ("zone", "mark", "since"),
    [
        # New York, 2025-11-02: 02:00 EDT becomes 01:00 EST; 01:00-02:00 twice.
        ("America/New_York", "2025-11-02 00:59:50", "2025-11-02 00:59:20"),
        ("America/New_York", "2025-11-02 01:30:00", "2025-11-02 00:59:30"),
        ("America/New_York", "2025-11-02 02:00:20", "2025-11-02 00:59:30"),
        ("America/New_York", "2025-11-02 02:00:40", "2025-11-02 02:00:10"),
        # The hour skipped in spring is not repeated: nothing to go back for.
        ("America/New_York", "2025-03-09 03:00:10", "2025-03-09 02:59:40"),
        # Lord Howe goes back half an hour; Phoenix never changes.
        ("Australia/Lord_Howe", "2025-04-06 01:45:00", "2025-04-06 01:29:30"),
        ("America/Phoenix", "2025-11-02 01:30:00", "2025-11-02 01:29:30"),
    ],
)
def test_near_an_hour_the_clock_repeats_the_next_walk_starts_before_it(
    zone, mark, since
):
    assert next_since(FEEDS[Entity.APPOINTMENT], mark, ZoneInfo(zone)) == since


def test_a_walk_goes_back_before_the_repeated_hour_even_from_a_later_watermark():
    # A cursor written before this rule, at 01:59:20 of the first pass; the
    # office's clock now says 01:00:10 of the second.
    old = Walk(since="2025-11-02 01:59:20")
    stamped = {**row(9, stamp="2025-11-02 01:00:05")}
    stamped["serverDateTime"] = "2025-11-02 01:00:10"  # behind the cursor

    page = read_page(FEEDS[Entity.APPOINTMENT], old, [stamped], 100, NEW_YORK)

    assert Walk.load(page.cursor).since == "2025-11-02 00:59:30"
