"""End to end over HTTP: 5xx/429 retries, refusals, and ambiguous timeouts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pms.simulator import records as r
from practices.models import WriteBackKind as K
from practices.models import WriteBackSettings
from writeback.models import JobStatus
from writeback.push import push_job

from .sim import deliver_inline
from .test_e2e_kinds import submit_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_http_retries(settings):
    """Let every PMS failure reach the outbox: retries here are ours to test."""
    settings.PMS_HTTP_MAX_ATTEMPTS = 1
    settings.PMS_HTTP_BACKOFF_BASE = 0


def test_a_5xx_is_retried_by_the_outbox_and_then_written(wired, sim_practice):
    sim_practice.set_faults(script=["5xx"], paths=["commlogs"], methods=["POST"])
    job = submit_to(wired, K.OUTGOING_SMS, "f-5xx")
    push_job(job)
    job.refresh_from_db()
    assert job.status == JobStatus.ACCEPTED
    assert job.status_reason.startswith("retrying:") and "500" in job.status_reason
    deliver_inline()
    job.refresh_from_db()
    assert job.status == JobStatus.VERIFIED
    outcomes = list(job.history.order_by("number").values_list("outcome", flat=True))
    # A 5xx on a write may have applied: the retry looks first, then sends.
    assert outcomes == ["unknown", "written"]
    assert len(sim_practice.store.journal) >= 1


def test_a_429_waits_for_retry_after_then_writes(wired, sim_practice):
    sim_practice.set_faults(script=["429"], retry_after=7, methods=["POST"])
    job = submit_to(wired, K.PATIENT_NOTE, "f-429")
    before = timezone.now()
    push_job(job)
    job.refresh_from_db()
    assert job.status == JobStatus.ACCEPTED
    assert job.next_attempt_at >= before + timedelta(seconds=7)
    deliver_inline()
    job.refresh_from_db()
    assert job.status == JobStatus.VERIFIED


def test_a_refusal_by_the_pms_fails_without_retrying(wired, sim_practice):
    job = submit_to(wired, K.OUTGOING_SMS, "f-404")
    job.payload["patient_pms_id"] = "999999"
    job.save()
    deliver_inline()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.attempts == 1
    assert job.status_reason


@pytest.mark.parametrize(
    "kind, table",
    [
        (K.OUTGOING_SMS, r.COMMLOG),
        (K.DOCUMENT, r.DOCUMENT),
        (K.NEW_PATIENT, r.PATIENT),
        (K.NEW_APPOINTMENT, r.APPOINTMENT),
        (K.PAYMENT, r.PAYMENT),
    ],
)
def test_a_timeout_after_the_write_never_makes_a_duplicate(
    wired, sim_practice, kind, table
):
    store = sim_practice.store
    before = store.count(table)
    sim_practice.set_faults(script=["timeout_after_write"], hang_seconds=0.05)
    job = submit_to(wired, kind, f"f-unknown-{kind}")
    push_job(job)
    job.refresh_from_db()
    assert job.in_doubt and job.status == JobStatus.ACCEPTED
    assert store.count(table) == before + 1  # it did land
    deliver_inline()
    job.refresh_from_db()
    assert job.status == JobStatus.VERIFIED
    assert store.count(table) == before + 1
    last = job.history.order_by("number").last()
    assert (last.outcome, last.checked_first) == ("found", True)


def test_a_confirmation_whose_answer_was_lost_ends_set_and_verified(
    wired, sim_practice
):
    # PUT .../Confirm is idempotent, so the connector may simply send it again.
    sim_practice.set_faults(script=["timeout_after_write"], hang_seconds=0.05)
    job = submit_to(wired, K.APPOINTMENT_CONFIRMED, "f-confirm")
    deliver_inline()
    job.refresh_from_db()
    assert job.status == JobStatus.VERIFIED
    settings = WriteBackSettings.objects.get(practice=wired.practice)
    status = settings.confirmed_status.pms_id
    connector = wired.connector()
    appointment = connector.fetch_appointment(job.payload["appointment_pms_id"])
    connector.close()
    assert appointment.confirmation_pms_id == status
