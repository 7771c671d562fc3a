"""Migration 0010 marks mirrored Open Dental rows that are off the calendar."""

from datetime import UTC, datetime

import pytest

from tests.fixtures.migrations import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("records", "0009_appointment_on_schedule")]
AFTER = [("records", "0010_mark_off_schedule_rows")]


def test_it_takes_planned_notes_and_the_unscheduled_list_off_the_schedule():
    apps = migrate(BEFORE)
    practice = apps.get_model("practices", "Practice").objects.create(name="Old")
    apps.get_model("practices", "PmsConnection").objects.create(
        practice=practice, pms_type="open_dental", base_url="https://od.example.com"
    )
    other = apps.get_model("practices", "Practice").objects.create(name="Ascend")
    apps.get_model("practices", "PmsConnection").objects.create(
        practice=other, pms_type="dentrix_ascend", base_url="https://as.example.com"
    )
    appointments = apps.get_model("records", "Appointment").objects
    now = datetime(2026, 6, 2, 15, tzinfo=UTC)
    for pms_id, status in [
        ("1", "Scheduled"),
        ("2", "Planned"),
        ("3", "PtNote"),
        ("4", "PtNoteCompleted"),
        ("5", "UnschedList"),
        ("6", "Broken"),
    ]:
        appointments.create(
            practice=practice,
            pms_id=pms_id,
            status=status,
            start_at=now,
            first_seen_at=now,
            last_synced_at=now,
        )
    # Another PMS's free-text status that happens to read "Planned" is left alone.
    appointments.create(
        practice=other,
        pms_id="1",
        status="Planned",
        start_at=now,
        first_seen_at=now,
        last_synced_at=now,
    )
    try:
        apps = migrate(AFTER)
        ascend = apps.get_model("records", "Appointment").objects.get(
            practice_id=other.pk
        )
        assert ascend.on_schedule
        rows = apps.get_model("records", "Appointment").objects.filter(
            practice_id=practice.pk
        )
        on = dict(rows.values_list("pms_id", "on_schedule"))
        assert on == {
            "1": True,
            "2": False,
            "3": False,
            "4": False,
            "5": False,
            "6": True,
        }
    finally:
        migrate()  # back to the latest for the tests that follow
