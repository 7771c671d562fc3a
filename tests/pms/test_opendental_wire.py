"""Open Dental wire formats (opendental-api.md §1.6) read leniently, never wrongly."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from pms.opendental.wire import (
    WireError,
    format_datetime,
    parse_amount,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_id,
    parse_stamp,
    parse_time,
)

DENVER = ZoneInfo("America/Denver")


@pytest.mark.parametrize("value", [48, "48", " 48 ", 48.0])
def test_ids_come_as_numbers_or_numeric_strings(value):
    assert parse_id(value, "PatNum") == "48"


@pytest.mark.parametrize("value", ["abc", True, -1, {"x": 1}, 4.5, None, 0])
def test_a_required_id_that_is_not_one_is_refused(value):
    with pytest.raises(WireError):
        parse_id(value, "PatNum")


def test_a_foreign_key_of_zero_means_none():
    assert parse_id(0, "ProvHyg", required=False) == ""


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("339", Decimal("339")),
        (0.0, Decimal("0.0")),
        ("130.00", Decimal("130.00")),
        (111.9, Decimal("111.9")),
    ],
)
def test_amounts_come_as_numbers_or_strings(value, amount):
    assert parse_amount(value, "PayAmt") == amount


@pytest.mark.parametrize(
    ("value", "flag"),
    [("true", True), ("False", False), ("TRUE", True), (False, False)],
)
def test_booleans_are_strings_read_in_any_case(value, flag):
    assert parse_bool(value, "IsHidden") is flag


def test_an_unknown_boolean_is_refused():
    with pytest.raises(WireError):
        parse_bool("yes", "IsHidden")


def test_the_zero_date_means_none():
    assert parse_date("0001-01-01", "Birthdate") is None
    assert parse_datetime("0001-01-01 00:00:00", "DateTimeArrived", DENVER) is None


def test_an_impossible_date_is_refused():
    with pytest.raises(WireError, match="not a valid date"):
        parse_date("2021-02-30", "Birthdate")


@pytest.mark.parametrize(
    "value",
    [
        "2021-13-01 08:00:00",
        "2021-04-31",
        "2021-01-01 24:00:00",
        "2021-01-01T08:00:00",
        "08:00:00",
        "2021-01-01 08:00",
        "21-01-01",
        "2021-01-01 08:00:00.5",
        "today",
        # Other ISO forms the standard library's parser takes: not Open Dental's.
        "2021-W01-1 08:00:00",
        "2021-01-01+08:00:00",
        "2021-01-01 08:00:00+02:00",
        "\uff12\uff10\uff12\uff11-01-01 08:00:00",  # full-width digits
    ],
)
def test_a_malformed_date_or_time_is_refused(value):
    with pytest.raises(WireError, match="not a valid date and time"):
        parse_datetime(value, "AptDateTime", DENVER)


def test_dates_and_times_are_read_as_leniently_as_strptime_reads_them():
    assert parse_datetime(" 2021-3-4 8:05:09 ", "x", DENVER) == datetime(
        2021, 3, 4, 8, 5, 9, tzinfo=DENVER
    )
    assert parse_datetime("2021-03-04", "x", DENVER) == datetime(
        2021, 3, 4, tzinfo=DENVER
    )
    assert parse_date("2021-03-04 08:00:00", "x") == date(2021, 3, 4)
    assert parse_time("8:05:09", "x") == time(8, 5, 9)
    with pytest.raises(WireError, match="not a valid time of day"):
        parse_time("25:00:00", "x")


@pytest.mark.parametrize("value", ["2021-W01-1", "2021-001", "2021-01-0x"])
def test_a_date_in_another_form_is_refused(value):
    with pytest.raises(WireError, match="not a valid date"):
        parse_date(value, "Birthdate")


def test_a_server_stamp_is_kept_as_canonical_text_and_needs_its_time():
    assert parse_stamp("2021-3-4 8:05:09", "x") == "2021-03-04 08:05:09"
    assert parse_stamp(" 2021-03-04 08:05:09 ", "x") == "2021-03-04 08:05:09"
    with pytest.raises(WireError, match="not a valid date and time"):
        parse_stamp("2021-03-04", "x")


def test_datetimes_are_office_local_time():
    parsed = parse_datetime("2020-07-31 08:30:00", "AptDateTime", DENVER)

    assert parsed == datetime(2020, 7, 31, 8, 30, tzinfo=DENVER)
    assert parse_date("1976-05-24", "Birthdate") == date(1976, 5, 24)


def test_datetimes_are_written_in_office_local_time():
    utc = datetime(2024, 1, 5, 17, 0, tzinfo=ZoneInfo("UTC"))

    assert format_datetime(utc, DENVER) == "2024-01-05 10:00:00"
