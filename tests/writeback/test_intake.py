"""submit_activity: validation, normalisation, ordering keys."""

import pytest

from practices.models import WriteBackKind as K
from writeback.intake import IntakeError, submit_activity
from writeback.models import JobStatus, OutboxJob

from .helpers import PAYLOADS, submit

pytestmark = pytest.mark.django_db


def test_it_accepts_a_valid_activity_as_one_outbox_row(practice, fake):
    job = submit(practice, K.OUTGOING_SMS)
    assert job.status == JobStatus.ACCEPTED
    assert job.payload["text"] == "Hello"
    assert job.patient_pms_id == "101"
    assert OutboxJob.objects.count() == 1


def test_it_reads_times_without_an_offset_in_the_practice_time_zone(practice, fake):
    job = submit(practice, K.OUTGOING_SMS, occurred_at="2026-01-05T10:00")
    assert job.payload["occurred_at"] == "2026-01-05T10:00:00-07:00"  # Denver


def test_it_keeps_an_explicit_offset(practice, fake):
    job = submit(practice, K.OUTGOING_SMS, occurred_at="2026-01-05T10:00:00+00:00")
    assert job.payload["occurred_at"].endswith("+00:00")


def test_it_names_the_missing_field(practice):
    payload = {**PAYLOADS[K.OUTGOING_SMS]}
    del payload["text"]
    with pytest.raises(IntakeError) as caught:
        submit_activity(
            practice=practice,
            kind=K.OUTGOING_SMS,
            payload=payload,
            service="messaging",
            idempotency_key="k1",
        )
    assert list(caught.value.errors) == ["payload.text"]
    assert not OutboxJob.objects.exists()


@pytest.mark.parametrize(
    "kind, change, field",
    [
        (K.PAYMENT, {"amount": "-5"}, "payload.amount"),
        (K.PAYMENT, {"source": "bitcoin"}, "payload.source"),
        (K.PAYMENT, {"birthdate": "not a date"}, "payload.birthdate"),
        (K.DOCUMENT, {"content_base64": "%%%"}, "payload.content_base64"),
        (K.DOCUMENT, {"document_type": "x-ray"}, "payload.document_type"),
        (K.ONLINE_FORM, {"form_type": "nope"}, "payload.form_type"),
        (K.NEW_APPOINTMENT, {"duration_minutes": 0}, "payload.duration_minutes"),
        (K.NEW_PATIENT, {"email": "not-an-email"}, "payload.email"),
        (K.OUTGOING_CALL, {"surprise": 1}, "payload.surprise"),
        (K.OUTGOING_CALL, {"text": ["a", "b"]}, "payload.text"),
    ],
)
def test_it_refuses_a_bad_payload_naming_the_field(practice, kind, change, field):
    with pytest.raises(IntakeError) as caught:
        submit(practice, kind, **change)
    assert field in caught.value.errors


def test_it_refuses_an_unknown_kind(practice):
    with pytest.raises(IntakeError) as caught:
        submit_activity(
            practice=practice,
            kind="fax",
            payload={},
            service="messaging",
            idempotency_key="k",
        )
    assert "kind" in caught.value.errors


def test_it_requires_an_idempotency_key(practice):
    with pytest.raises(IntakeError) as caught:
        submit_activity(
            practice=practice,
            kind=K.PATIENT_NOTE,
            payload=PAYLOADS[K.PATIENT_NOTE],
            service="messaging",
            idempotency_key="",
        )
    assert "idempotency_key" in caught.value.errors


def test_it_orders_status_changes_by_appointment(practice, fake):
    job = submit(practice, K.APPOINTMENT_CONFIRMED)
    assert job.ordering_key == "appointment:501"
    assert submit(practice, K.PATIENT_NOTE).ordering_key == ""
