"""Transient failures retry with bounded backoff; permanent ones fail at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practices.models import WriteBackKind as K
from writeback.models import JobStatus
from writeback.push import MAX_ATTEMPTS, backoff
from writeback.requeue import retry_job

from .helpers import push, submit

pytestmark = pytest.mark.django_db


def test_a_5xx_is_retried_later_and_recorded(practice, fake):
    fake.faults = ["5xx"]
    job = submit(practice, K.OUTGOING_SMS)
    now = timezone.now()
    job = push(job, fake, now)
    assert job.status == JobStatus.ACCEPTED
    assert job.status_reason == "retrying: 503 Service Unavailable"
    assert job.next_attempt_at == now + backoff(1)
    (attempt,) = job.history.all()
    assert (attempt.outcome, attempt.error) == ("retry", "503 Service Unavailable")
    assert attempt.finished_at is not None


def test_a_retry_waits_for_its_time(practice, fake):
    fake.faults = ["5xx"]
    job = submit(practice, K.OUTGOING_SMS)
    now = timezone.now()
    job = push(job, fake, now)
    job = push(job, fake, now + timedelta(seconds=1))
    assert job.attempts == 1
    job = push(job, fake, job.next_attempt_at)
    assert job.status == JobStatus.VERIFIED
    assert job.attempts == 2
    assert len(fake.records) == 1


def test_a_429_waits_at_least_its_retry_after(practice, fake):
    fake.faults = ["429"]
    job = submit(practice, K.OUTGOING_SMS)
    now = timezone.now()
    job = push(job, fake, now)
    assert job.next_attempt_at == now + timedelta(seconds=30)


def test_backoff_grows_and_is_capped():
    delays = [backoff(n) for n in range(1, 10)]
    assert delays == sorted(delays)
    assert delays[0] == timedelta(seconds=5)
    assert delays[-1] == timedelta(minutes=15)


def test_it_gives_up_after_the_bounded_number_of_attempts(practice, fake):
    fake.faults = ["5xx"] * MAX_ATTEMPTS
    job = submit(practice, K.OUTGOING_SMS)
    for _ in range(MAX_ATTEMPTS):
        job = push(job, fake, job.next_attempt_at)
    assert job.status == JobStatus.FAILED
    assert job.status_reason == (
        f"gave up after {MAX_ATTEMPTS} attempts: 503 Service Unavailable"
    )
    assert job.history.count() == MAX_ATTEMPTS
    assert fake.records == {}


def test_a_permanent_error_fails_without_retrying(practice, fake):
    fake.faults = ["4xx"]
    job = push(submit(practice, K.OUTGOING_SMS), fake)
    assert job.display_status == "failed: 400 Bad Request: PatNum invalid"
    assert job.history.get().outcome == "failed"
    push(job, fake, timezone.now() + timedelta(days=1))
    assert fake.calls == ["write_note"]


def test_a_failed_job_can_be_retried_by_hand(practice, fake):
    fake.faults = ["4xx"]
    job = push(submit(practice, K.OUTGOING_SMS), fake)
    assert retry_job(job)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.ACCEPTED, 0)
    job = push(job, fake)
    assert job.status == JobStatus.VERIFIED
    assert job.history.count() == 2


def test_only_failed_or_held_jobs_can_be_retried(practice, fake):
    job = push(submit(practice, K.OUTGOING_SMS), fake)
    assert not retry_job(job)


def test_an_unexpected_error_is_recorded_and_retried(practice, fake):
    def boom(request):
        raise RuntimeError("connector bug")

    fake.write_note = boom
    job = push(submit(practice, K.OUTGOING_SMS), fake)
    assert job.status == JobStatus.ACCEPTED
    assert "connector bug" in job.status_reason
    assert job.in_doubt  # it died mid-send: the next attempt checks first
