"""The dispatcher claims due jobs once, enqueues them, and recovers lost ones."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from practices.models import WriteBackKind as K
from writeback import dispatch
from writeback.dispatch import QUEUE_LEASE, QUEUED_PER_PRACTICE, tick
from writeback.models import JobStatus, OutboxJob
from writeback.tasks import deliver

from .helpers import submit

pytestmark = pytest.mark.django_db


def test_it_enqueues_each_due_job_once(practice, fake):
    jobs = [submit(practice, K.OUTGOING_SMS) for _ in range(3)]
    enqueued: list[int] = []
    now = timezone.now()
    assert tick(now, enqueued.append) == 3
    assert tick(now, enqueued.append) == 0
    assert enqueued == [j.pk for j in jobs]
    assert set(OutboxJob.objects.values_list("status", flat=True)) == {"queued"}


def test_one_practice_s_flood_waits_in_the_table_and_others_still_go(
    practice, other_practice, fake
):
    flood = [submit(practice, K.OUTGOING_SMS) for _ in range(3 * QUEUED_PER_PRACTICE)]
    other = [submit(other_practice, K.OUTGOING_SMS) for _ in range(2)]
    enqueued: list[int] = []
    now = timezone.now()

    assert tick(now, enqueued.append) == QUEUED_PER_PRACTICE + 2
    assert enqueued == [j.pk for j in flood[:QUEUED_PER_PRACTICE] + other]
    assert tick(now, enqueued.append) == 0  # the flood's queued jobs not taken yet

    # Workers take two of them: two more of the flood may wait in the queue.
    OutboxJob.objects.filter(pk__in=enqueued[:2]).update(status=JobStatus.SENDING)
    assert tick(now, enqueued.append) == 2
    assert enqueued[-2:] == [j.pk for j in flood[QUEUED_PER_PRACTICE:][:2]]
    waiting = OutboxJob.objects.filter(practice=practice, status=JobStatus.ACCEPTED)
    assert waiting.count() == 3 * QUEUED_PER_PRACTICE - QUEUED_PER_PRACTICE - 2


def test_a_full_queue_takes_no_more_write_backs(practice, fake, monkeypatch):
    monkeypatch.setattr(dispatch, "QUEUED_MAX", 3)
    [submit(practice, K.OUTGOING_SMS) for _ in range(5)]
    now = timezone.now()
    assert tick(now, lambda pk: None) == 3
    assert tick(now, lambda pk: None) == 0
    assert OutboxJob.objects.filter(status=JobStatus.ACCEPTED).count() == 2


def test_it_leaves_parked_and_future_jobs_alone(practice, fake):
    from practices.models import WriteBackRule

    WriteBackRule.objects.filter(kind=K.TASK_NOTE).update(enabled=False)
    submit(practice, K.TASK_NOTE)
    later = submit(practice, K.OUTGOING_SMS)
    OutboxJob.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=1)
    )
    assert tick(timezone.now(), lambda pk: None) == 0


def test_it_enqueues_only_the_first_change_of_an_appointment(practice, fake):
    first = submit(practice, K.APPOINTMENT_CONFIRMED)
    submit(practice, K.APPOINTMENT_UNCONFIRMED)
    enqueued: list[int] = []
    assert tick(timezone.now(), enqueued.append) == 1
    assert enqueued == [first.pk]


def test_a_queued_job_whose_task_was_lost_is_enqueued_again(practice, fake):
    job = submit(practice, K.OUTGOING_SMS)
    now = timezone.now()
    tick(now, lambda pk: None)
    enqueued: list[int] = []
    assert tick(now + QUEUE_LEASE + timedelta(seconds=1), enqueued.append) == 1
    assert enqueued == [job.pk]


def test_the_task_delivers_the_job(practice, fake, monkeypatch):
    monkeypatch.setattr("writeback.push.connector_for_practice", lambda p: fake)
    job = submit(practice, K.OUTGOING_SMS)
    tick(timezone.now(), lambda pk: None)
    assert deliver(job.pk) == JobStatus.VERIFIED


def test_a_redelivered_task_does_nothing(practice, fake, monkeypatch):
    monkeypatch.setattr("writeback.push.connector_for_practice", lambda p: fake)
    job = submit(practice, K.OUTGOING_SMS)
    deliver(job.pk)
    assert deliver(job.pk) == JobStatus.VERIFIED
    assert fake.calls.count("write_note") == 1
    assert deliver(999_999) == "missing"


def test_the_dispatcher_command_runs_one_tick(practice, fake, monkeypatch, capsys):
    enqueued: list[int] = []
    monkeypatch.setattr("writeback.dispatch._enqueue", enqueued.append)
    job = submit(practice, K.OUTGOING_SMS)
    call_command("run_writeback_dispatcher", "--once")
    assert enqueued == [job.pk]
    assert "enqueued 1" in capsys.readouterr().out
