"""An appointment's confirm then unconfirm land in the PMS in that order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practices.models import WriteBackKind as K
from writeback.models import JobStatus, OutboxJob
from writeback.requeue import retry_job

from .helpers import deliver_all, push, submit

pytestmark = pytest.mark.django_db


def test_confirm_then_unconfirm_leaves_the_appointment_unconfirmed(practice, fake):
    submit(practice, K.APPOINTMENT_CONFIRMED)
    submit(practice, K.APPOINTMENT_UNCONFIRMED)
    deliver_all(fake)
    assert fake.statuses["501"] == "19"
    assert [c for c in fake.calls if c == "set_confirmation"] == [
        "set_confirmation"
    ] * 2


def test_the_later_change_waits_while_the_earlier_one_retries(practice, fake):
    fake.faults = ["5xx"]
    confirm = submit(practice, K.APPOINTMENT_CONFIRMED)
    now = timezone.now()
    confirm = push(confirm, fake, now)
    unconfirm = submit(practice, K.APPOINTMENT_UNCONFIRMED)
    assert list(OutboxJob.objects.due(now + timedelta(seconds=1))) == []
    unconfirm = push(unconfirm, fake, now + timedelta(seconds=1))
    assert unconfirm.status == JobStatus.ACCEPTED and unconfirm.attempts == 0
    deliver_all(fake, now=confirm.next_attempt_at)
    assert fake.statuses["501"] == "19"


def test_other_appointments_are_not_held_up(practice, fake):
    fake.faults = ["5xx"]
    first = submit(practice, K.APPOINTMENT_CONFIRMED)
    now = timezone.now()
    push(first, fake, now)
    other = submit(practice, K.APPOINTMENT_CONFIRMED, appointment_pms_id="777")
    other = push(other, fake, timezone.now())
    assert other.status == JobStatus.VERIFIED


def test_a_failed_change_superseded_by_a_later_one_is_not_retried(practice, fake):
    fake.faults = ["4xx"]
    confirm = push(submit(practice, K.APPOINTMENT_CONFIRMED), fake)
    assert confirm.status == JobStatus.FAILED
    submit(practice, K.APPOINTMENT_UNCONFIRMED)
    deliver_all(fake)
    assert not retry_job(confirm)
    assert fake.statuses["501"] == "19"
