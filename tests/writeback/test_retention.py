"""The outbox stays bounded: finished write-backs go after 90 days, waiting ones
stay, and the admin's per-practice table reads only waiting and recent work."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practices.models import WriteBackKind as K
from writeback.models import JobStatus, OutboxJob, WriteAttempt
from writeback.retention import KEEP_FINISHED, prune_outbox

from .helpers import push, submit

pytestmark = pytest.mark.django_db


def aged(job: OutboxJob, status: str, age: timedelta) -> OutboxJob:
    at = timezone.now() - age
    OutboxJob.objects.filter(pk=job.pk).update(
        status=status, created_at=at, updated_at=at
    )
    return job


def test_finished_jobs_older_than_90_days_go_with_their_attempts(practice, fake):
    old = push(submit(practice, K.OUTGOING_SMS, key="old"), fake)
    aged(old, JobStatus.VERIFIED, KEEP_FINISHED + timedelta(days=1))
    for key, status in [
        ("skipped", JobStatus.SKIPPED),
        ("dismissed", JobStatus.DISMISSED),
    ]:
        aged(submit(practice, K.OUTGOING_SMS, key=key), status, KEEP_FINISHED * 2)
    recent = aged(
        submit(practice, K.OUTGOING_SMS, key="recent"),
        JobStatus.VERIFIED,
        KEEP_FINISHED - timedelta(days=1),
    )
    waiting = {
        status: aged(
            submit(practice, K.OUTGOING_SMS, key=status), status, KEEP_FINISHED * 2
        )
        for status in (JobStatus.FAILED, JobStatus.HELD, JobStatus.MANUAL)
    }

    assert prune_outbox() == {"finished_jobs": 3}

    kept = set(OutboxJob.objects.values_list("pk", flat=True))
    assert kept == {recent.pk, *(job.pk for job in waiting.values())}
    assert not WriteAttempt.objects.filter(job_id=old.pk).exists()


def test_a_key_resent_after_its_job_was_pruned_is_a_new_activity(practice):
    first = aged(
        submit(practice, K.OUTGOING_SMS, key="k"), JobStatus.VERIFIED, KEEP_FINISHED * 2
    )
    prune_outbox()
    again = submit(practice, K.OUTGOING_SMS, key="k")
    assert again.pk != first.pk and again.status == JobStatus.ACCEPTED


def test_the_practice_table_counts_waiting_jobs_of_any_age_and_done_ones_of_7_days(
    staff_client, practice
):
    aged(submit(practice, K.OUTGOING_SMS), JobStatus.FAILED, timedelta(days=60))
    aged(submit(practice, K.OUTGOING_SMS), JobStatus.VERIFIED, timedelta(days=60))
    aged(submit(practice, K.OUTGOING_SMS), JobStatus.VERIFIED, timedelta(days=2))
    aged(submit(practice, K.OUTGOING_SMS), JobStatus.HELD, timedelta(days=1))

    page = staff_client.get(reverse("admin:writeback_outboxjob_changelist"))

    (row,) = page.context["practice_counts"]
    assert row["practice__name"] == practice.name
    assert (row["failed"], row["held"], row["pending"], row["manual"]) == (1, 1, 0, 0)
    assert (row["done"], row["skipped"], row["total"]) == (1, 0, 2)
    assert "Written, 7 days" in page.content.decode()
