"""Open Dental rows that are not visits on the calendar (§7) are kept, marked off it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pms.opendental.records import map_appointment

TZ = ZoneInfo("America/New_York")


def row(**fields) -> dict:
    return {
        "AptNum": 31,
        "PatNum": 7,
        "AptStatus": "Scheduled",
        "Pattern": "//XX//",
        "Op": 2,
        "AptDateTime": "2026-06-02 09:30:00",
        "DateTStamp": "2026-06-01 12:00:00",
        **fields,
    }


def test_a_scheduled_visit_is_on_the_schedule():
    appointment = map_appointment(row(), TZ)
    assert appointment.on_schedule
    assert appointment.start_at == datetime(2026, 6, 2, 9, 30, tzinfo=TZ)


@pytest.mark.parametrize(
    "status", ["Planned", "PtNote", "PtNoteCompleted", "UnschedList"]
)
def test_planned_notes_and_the_unscheduled_list_are_off_the_schedule(status):
    appointment = map_appointment(row(AptStatus=status), TZ)
    assert not appointment.on_schedule
    assert appointment.status == status


def test_a_planned_visit_without_a_date_is_kept_not_refused():
    appointment = map_appointment(
        row(AptStatus="Planned", Op=0, AptDateTime="0001-01-01 00:00:00"), TZ
    )
    assert (appointment.start_at, appointment.on_schedule) == (None, False)
    assert appointment.operatory_pms_id == ""


def test_a_placeholder_date_before_1880_is_no_date():
    appointment = map_appointment(
        row(AptStatus="UnschedList", AptDateTime="1850-01-01 00:00:00"), TZ
    )
    assert (appointment.start_at, appointment.on_schedule) == (None, False)


def test_a_broken_or_complete_visit_stays_on_the_schedule():
    for status in ("Broken", "Complete"):
        assert map_appointment(row(AptStatus=status), TZ).on_schedule
