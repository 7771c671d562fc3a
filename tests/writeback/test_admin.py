"""Staff admin: outbox list with counts, retry, submit by hand, manual payments."""

import re

import pytest
from django.urls import reverse

from practices.models import WriteBackKind as K
from practices.models import WriteBackSettings
from writeback.models import JobStatus, OutboxJob, ServiceToken

from .helpers import PAYLOADS, issue, push, submit

pytestmark = pytest.mark.django_db


def test_the_outbox_lists_jobs_with_reasons_and_practice_counts(
    staff_client, practice, fake
):
    fake.faults = ["4xx"]
    push(submit(practice, K.OUTGOING_SMS), fake)
    response = staff_client.get(reverse("admin:writeback_outboxjob_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "400 Bad Request: PatNum invalid" in html
    (row,) = response.context["practice_counts"]
    assert (row["practice__name"], row["failed"], row["total"]) == (
        "Alpha Dental",
        1,
        1,
    )


def test_the_outbox_filters_by_status(staff_client, practice, fake):
    submit(practice, K.OUTGOING_SMS)
    url = reverse("admin:writeback_outboxjob_changelist") + "?status__exact=failed"
    response = staff_client.get(url)
    assert response.context["cl"].result_count == 0


def test_the_outbox_filters_by_the_services_that_may_submit(staff_client, practice):
    issue("phone", practice)
    submit(practice, K.OUTGOING_SMS)  # from "messaging", a service without a token
    url = reverse("admin:writeback_outboxjob_changelist")

    offered = staff_client.get(url).content.decode()
    only_phone = staff_client.get(url, {"service": "phone"}).context["cl"]

    assert re.findall(r'href="\?service=(\w+)"', offered) == ["phone", "staff"]
    assert only_phone.result_count == 0
    assert staff_client.get(url).context["cl"].result_count == 1


def test_bulk_retry_requeues_failed_jobs(staff_client, practice, fake):
    fake.faults = ["4xx", "4xx"]
    jobs = [push(submit(practice, K.OUTGOING_SMS), fake) for _ in range(2)]
    response = staff_client.post(
        reverse("admin:writeback_outboxjob_changelist"),
        {"action": "retry_selected", "_selected_action": [j.pk for j in jobs]},
        follow=True,
    )
    assert "2 write-backs queued again." in response.content.decode()
    assert set(OutboxJob.objects.values_list("status", flat=True)) == {"accepted"}


def test_a_job_page_shows_its_attempts(staff_client, practice, fake):
    job = push(submit(practice, K.OUTGOING_SMS), fake)
    response = staff_client.get(
        reverse("admin:writeback_outboxjob_change", args=[job.pk])
    )
    assert response.status_code == 200
    assert "Written" in response.content.decode()


def test_staff_can_submit_an_activity_by_hand(staff_client, practice, fake):
    import json

    response = staff_client.post(
        reverse("admin:writeback_outboxjob_submit"),
        {
            "practice": practice.pk,
            "kind": K.PATIENT_NOTE,
            "idempotency_key": "staff-1",
            "payload": json.dumps(PAYLOADS[K.PATIENT_NOTE]),
        },
    )
    job = OutboxJob.objects.get()
    assert response.status_code == 302
    assert (job.service, job.status) == ("staff", JobStatus.ACCEPTED)


def test_the_submit_form_shows_payload_errors(staff_client, practice):
    response = staff_client.post(
        reverse("admin:writeback_outboxjob_submit"),
        {
            "practice": practice.pk,
            "kind": K.PATIENT_NOTE,
            "idempotency_key": "staff-1",
            "payload": '{"patient_pms_id": "1"}',
        },
    )
    assert response.status_code == 200
    assert "payload.text" in response.content.decode()
    assert not OutboxJob.objects.exists()


def test_staff_can_post_a_manual_payment(staff_client, practice, fake, grace):
    WriteBackSettings.objects.filter(practice=practice).update(auto_sync_payments=False)
    job = submit(practice, K.PAYMENT)
    url = reverse("admin:writeback_outboxjob_post_payment", args=[job.pk])
    assert "Grace" in staff_client.get(url).content.decode()
    staff_client.post(url, {"patient_pms_id": "101", "post": "1"})
    job.refresh_from_db()
    assert (job.status, job.patient_pms_id) == (JobStatus.ACCEPTED, "101")


def test_staff_can_dismiss_a_manual_payment(staff_client, practice, fake):
    job = submit(practice, K.PAYMENT)
    url = reverse("admin:writeback_outboxjob_post_payment", args=[job.pk])
    staff_client.post(url, {"dismiss": "1"})
    job.refresh_from_db()
    assert job.status == JobStatus.DISMISSED


def test_a_new_token_is_shown_once_and_stored_hashed(staff_client, practice):
    response = staff_client.post(
        reverse("admin:writeback_servicetoken_add"),
        {
            "service": "messaging",
            "practices": [practice.pk],
            "kinds": [K.OUTGOING_SMS],
            "is_active": "on",
        },
        follow=True,
    )
    token = ServiceToken.objects.get()
    (message,) = [
        m for m in map(str, response.context["messages"]) if "copy it now" in m
    ]
    secret = re.search(r"pbnwb_\S+", message).group()
    assert ServiceToken.objects.authenticate(secret) == token
    assert secret not in token.digest


def test_attempts_are_read_only(staff_client, practice, fake):
    job = push(submit(practice, K.OUTGOING_SMS), fake)
    attempt = job.history.get()
    url = reverse("admin:writeback_writeattempt_change", args=[attempt.pk])
    response = staff_client.post(url, {"error": "edited"})
    attempt.refresh_from_db()
    assert attempt.error == ""
    assert response.status_code in (302, 403)
    assert (
        staff_client.get(reverse("admin:writeback_writeattempt_changelist")).status_code
        == 200
    )
