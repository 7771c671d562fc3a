"""Deleted records are hidden at once, never revived by a stale page, purged later."""

from __future__ import annotations

from datetime import timedelta

from pms.base import Deletion, Entity
from records.deletions import mark_deleted, purge_deleted
from records.models import Appointment
from records.upsert import upsert_records
from tests.syncjobs.fakes import T0, appointment

NOW = T0 + timedelta(hours=1)


def live_ids(practice) -> list[str]:
    return sorted(Appointment.objects.of(practice).values_list("pms_id", flat=True))


def test_a_deletion_hides_the_record_from_live_lists_at_once(practice_a):
    upsert_records(
        practice_a, Entity.APPOINTMENT, [appointment(1), appointment(2)], NOW
    )
    hidden = mark_deleted(practice_a, [Deletion(Entity.APPOINTMENT, "2", NOW)], NOW)
    assert hidden == {"appointment": 1}
    assert live_ids(practice_a) == ["1"]
    assert Appointment.objects.filter(practice=practice_a).count() == 2


def test_a_page_read_before_the_deletion_does_not_bring_it_back(practice_a):
    upsert_records(practice_a, Entity.APPOINTMENT, [appointment(1, minutes=0)], NOW)
    mark_deleted(practice_a, [Deletion(Entity.APPOINTMENT, "1", NOW)], NOW)
    stale = appointment(1, minutes=1, status="Broken")  # changed before the deletion
    upsert_records(practice_a, Entity.APPOINTMENT, [stale], NOW + timedelta(seconds=1))
    assert live_ids(practice_a) == []


def test_a_deletion_of_an_unseen_record_leaves_a_tombstone(practice_a):
    mark_deleted(practice_a, [Deletion(Entity.APPOINTMENT, "9", NOW)], NOW)
    upsert_records(practice_a, Entity.APPOINTMENT, [appointment(9, minutes=1)], NOW)
    assert live_ids(practice_a) == []


def test_the_purge_removes_marked_rows_only(practice_a, practice_b):
    upsert_records(
        practice_a, Entity.APPOINTMENT, [appointment(1), appointment(2)], NOW
    )
    upsert_records(practice_b, Entity.APPOINTMENT, [appointment(2)], NOW)
    mark_deleted(practice_a, [Deletion(Entity.APPOINTMENT, "2", NOW)], NOW)
    mark_deleted(practice_b, [Deletion(Entity.APPOINTMENT, "2", NOW)], NOW)
    purged = purge_deleted(practice_a, marked_before=NOW + timedelta(minutes=1))
    assert purged["appointment"] == 1
    assert Appointment.objects.filter(practice=practice_a).count() == 1
    assert Appointment.objects.filter(practice=practice_b).count() == 1
