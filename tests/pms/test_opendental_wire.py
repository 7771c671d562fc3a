"""Open Dental wire formats (opendental-api.md §1.6) read leniently, never wrongly."""

from datetime import date, datetime
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


def test_datetimes_are_office_local_time():
    parsed = parse_datetime("2020-07-31 08:30:00", "AptDateTime", DENVER)

    assert parsed == datetime(2020, 7, 31, 8, 30, tzinfo=DENVER)
    assert parse_date("1976-05-24", "Birthdate") == date(1976, 5, 24)


def test_datetimes_are_written_in_office_local_time():
    utc = datetime(2024, 1, 5, 17, 0, tzinfo=ZoneInfo("UTC"))

    assert format_datetime(utc, DENVER) == "2024-01-05 10:00:00"
