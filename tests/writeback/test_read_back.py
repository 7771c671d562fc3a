"""After writing, a new patient or appointment is read back field by field."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from pms.simulator import records as r
from practices.models import WriteBackKind as K
from writeback.models import JobStatus
from writeback.policy import decide
from writeback.writes import differences, parts_for

from .helpers import push, submit
from .sim import deliver_inline
from .test_e2e_kinds import submit_to

pytestmark = pytest.mark.django_db

NOT_VERIFIED = "not verified: the read-back did not match"
DENVER = ZoneInfo("America/Denver")  # practice A's zone; PAYLOADS start at 09:00


def read_back_differences(job, fake) -> list[str]:
    return differences(fake, parts_for(job, decide(job))[0], job.pms_id)


def test_an_appointment_read_back_as_sent_is_verified(practice, fake):
    job = push(submit(practice, K.NEW_APPOINTMENT), fake)
    assert job.status == JobStatus.VERIFIED
    assert read_back_differences(job, fake) == []


@pytest.mark.parametrize(
    "changes, named",
    [
        ({"start_at": datetime(2026, 2, 1, 10, tzinfo=DENVER)}, "start"),
        ({"duration_minutes": 45}, "duration"),
        ({"provider_pms_id": "8"}, "provider"),
        ({"patient_pms_id": "102"}, "patient"),
    ],
    ids=["start", "duration", "provider", "patient"],
)
def test_an_appointment_that_reads_back_differently_is_not_verified(
    practice, fake, changes, named
):
    fake.read_back_changes = changes
    job = push(submit(practice, K.NEW_APPOINTMENT), fake)
    assert job.status == JobStatus.WRITTEN
    assert job.status_reason.startswith(NOT_VERIFIED + ": " + named + " ")
    assert job.verified_at is None and job.pms_id
    assert [d.split(" ")[0] for d in read_back_differences(job, fake)] == [named]


def test_a_start_read_back_in_another_zone_is_the_same_instant(practice, fake):
    # 09:00 in Denver (MST, UTC-7) is 16:00 UTC.
    fake.read_back_changes = {"start_at": datetime(2026, 2, 1, 16, tzinfo=UTC)}
    assert push(submit(practice, K.NEW_APPOINTMENT), fake).status == JobStatus.VERIFIED


def test_a_patient_whose_birthdate_reads_back_differently_is_not_verified(
    practice, fake
):
    fake.read_back_changes = {"birthdate": date(1990, 10, 12)}
    job = push(submit(practice, K.NEW_PATIENT), fake)
    assert job.status == JobStatus.WRITTEN
    reason = "birthdate 1990-10-12 instead of 1990-12-10"
    assert job.status_reason == f"{NOT_VERIFIED}: {reason}"
    assert read_back_differences(job, fake) == [reason]


def test_a_patient_sent_without_a_birthdate_is_verified_by_names(practice, fake):
    fake.read_back_changes = {"birthdate": date(1990, 10, 12)}
    job = push(submit(practice, K.NEW_PATIENT, birthdate=None), fake)
    assert job.status == JobStatus.VERIFIED


def test_an_unverified_write_is_not_sent_again(practice, fake):
    fake.read_back_changes = {"duration_minutes": 45}
    job = push(submit(practice, K.NEW_APPOINTMENT), fake)
    push(job, fake)
    assert fake.calls.count("create_appointment") == 1
    assert job.attempts == 1


def test_open_dental_rounding_a_duration_to_its_slots_is_caught(wired, sim_practice):
    # Open Dental keeps an appointment's length as 5-minute Pattern slots (§5.2):
    # 32 minutes are stored as 30, and the read-back says so.
    job = submit_to(
        wired, K.NEW_APPOINTMENT, "rb-32", duration_minutes=32, operatory_pms_id="2"
    )
    deliver_inline()
    job.refresh_from_db()
    assert (job.status, job.status_reason) == (
        JobStatus.WRITTEN,
        f"{NOT_VERIFIED}: duration 30 instead of 32",
    )
    stored = sim_practice.store.get(r.APPOINTMENT, int(job.pms_id))
    assert stored.length_min == 30


def test_a_patients_contact_details_read_back_in_another_form_are_verified(
    practice, fake
):
    fake.read_back_changes = {"email": "ADA@Example.org", "phone": "555.010.2000"}
    job = push(
        submit(
            practice, K.NEW_PATIENT, email="ada@example.org", phone="(555) 010-2000"
        ),
        fake,
    )
    assert job.status == JobStatus.VERIFIED, job.status_reason


def test_a_patient_whose_email_reads_back_differently_is_not_verified(practice, fake):
    fake.read_back_changes = {"email": "someone@else.org"}
    job = push(submit(practice, K.NEW_PATIENT, email="ada@example.org"), fake)
    assert job.status == JobStatus.WRITTEN
    assert job.status_reason == (
        f"{NOT_VERIFIED}: email someone@else.org instead of ada@example.org"
    )
