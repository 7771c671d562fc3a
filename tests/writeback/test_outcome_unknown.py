"""A write whose outcome was unknown is looked for before it is sent again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pms.base import WriteKind
from practices.models import WriteBackKind as K
from practices.models import WriteBackSettings
from writeback.dispatch import recover_stalled
from writeback.models import JobStatus, OutboxJob
from writeback.push import claim

from .helpers import push, submit

pytestmark = pytest.mark.django_db


def test_a_timeout_after_the_write_applied_is_found_not_resent(practice, fake):
    fake.faults = ["unknown_after"]
    job = push(submit(practice, K.OUTGOING_SMS), fake)
    assert job.status == JobStatus.ACCEPTED and job.in_doubt
    first = job.history.get()
    assert first.outcome == "unknown" and first.outcome_unknown
    job = push(job, fake, job.next_attempt_at)
    assert job.status == JobStatus.VERIFIED
    assert len(fake.of_kind(WriteKind.NOTE)) == 1
    assert fake.calls.count("write_note") == 1
    second = job.history.order_by("number").last()
    assert (second.outcome, second.checked_first) == ("found", True)


def test_a_timeout_before_the_write_applied_is_sent_after_checking(practice, fake):
    fake.faults = ["unknown_before"]
    job = push(submit(practice, K.NEW_PATIENT), fake)
    job = push(job, fake, job.next_attempt_at)
    assert job.status == JobStatus.VERIFIED
    assert len(fake.of_kind(WriteKind.PATIENT)) == 1
    assert fake.calls[:3] == ["create_patient", "find_written", "create_patient"]


def test_a_confirmation_in_doubt_is_checked_by_the_appointments_status(practice, fake):
    fake.faults = ["unknown_after"]
    job = push(submit(practice, K.APPOINTMENT_CONFIRMED), fake)
    job = push(job, fake, job.next_attempt_at)
    assert job.status == JobStatus.VERIFIED
    assert fake.calls.count("set_confirmation") == 1


def test_a_fee_in_doubt_does_not_repost_the_payment(practice, fake, grace):
    WriteBackSettings.objects.filter(practice=practice).update(
        separate_payments_and_fees=True
    )
    fake.faults = ["", "unknown_after"]  # the payment goes, the fee times out
    job = push(submit(practice, K.PAYMENT, fee="2.00"), fake)
    assert job.pms_id and not job.fee_pms_id
    job = push(job, fake, job.next_attempt_at)
    assert job.status == JobStatus.VERIFIED
    assert len(fake.of_kind(WriteKind.PAYMENT)) == 2
    assert fake.calls.count("post_payment") == 2


def test_a_worker_lost_mid_send_leaves_the_job_in_doubt(practice, fake):
    job = submit(practice, K.OUTGOING_SMS)
    now = timezone.now()
    assert claim(job.pk, now)
    # The worker wrote to the PMS, then died before recording anything.
    fake.write_note(job_note(job))
    later = now + timedelta(minutes=10)
    assert recover_stalled(later) == 1
    job.refresh_from_db()
    assert (job.status, job.in_doubt) == (JobStatus.ACCEPTED, True)
    job = push(job, fake, later)
    assert job.status == JobStatus.VERIFIED
    assert len(fake.records) == 1


def job_note(job: OutboxJob):
    from writeback.policy import decide
    from writeback.writes import parts_for

    return parts_for(job, decide(job))[0].request
