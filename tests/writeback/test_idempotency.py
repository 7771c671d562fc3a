"""A repeated idempotency key returns the first result and never a second row."""

import pytest
from django.urls import reverse

from practices.models import WriteBackKind as K
from writeback.intake import IntakeError, submit_activity
from writeback.models import OutboxJob

from .helpers import PAYLOADS, body, issue, post, push, submit

pytestmark = pytest.mark.django_db


def test_a_replay_returns_the_first_job(practice, fake):
    first = submit(practice, K.OUTGOING_SMS, key="k1")
    again = submit_activity(
        practice=practice,
        kind=K.OUTGOING_SMS,
        payload={**PAYLOADS[K.OUTGOING_SMS], "text": "changed"},
        service="messaging",
        idempotency_key="k1",
    )
    assert (again.job.pk, again.created) == (first.pk, False)
    assert OutboxJob.objects.count() == 1


def test_a_replay_after_delivery_does_not_write_again(practice, fake):
    job = push(submit(practice, K.OUTGOING_SMS, key="k1"), fake)
    again = submit(practice, K.OUTGOING_SMS, key="k1")
    assert again.pk == job.pk and again.status == "verified"
    assert len(fake.records) == 1


def test_the_same_key_from_another_service_is_another_activity(practice, fake):
    submit(practice, K.OUTGOING_SMS, key="k1")
    submit_activity(
        practice=practice,
        kind=K.OUTGOING_SMS,
        payload=PAYLOADS[K.OUTGOING_SMS],
        service="phone",
        idempotency_key="k1",
    )
    assert OutboxJob.objects.count() == 2


def test_a_key_reused_for_a_different_activity_is_a_conflict(practice, fake):
    submit(practice, K.OUTGOING_SMS, key="k1")
    with pytest.raises(IntakeError) as caught:
        submit(practice, K.PATIENT_NOTE, key="k1")
    assert caught.value.status == 409
    assert "idempotency_key" in caught.value.errors


def test_the_api_replay_returns_200_with_the_first_result(client, practice, fake):
    token = issue("messaging", practice)
    first = post(client, token, body(practice))
    again = post(client, token, body(practice, text="different"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert OutboxJob.objects.count() == 1
    assert reverse("writeback:submit") == "/api/v1/activities"
