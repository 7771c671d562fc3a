"""End to end over HTTP: every kind lands in the simulated Open Dental, verified."""

import pytest

from practices.models import WriteBackKind as K
from practices.models import WriteBackRule
from writeback.intake import submit_activity
from writeback.models import JobStatus, OutboxJob

from .helpers import PAYLOADS
from .sim import deliver_inline

pytestmark = pytest.mark.django_db


def payload_for(wired, kind: str) -> dict:
    payload = dict(PAYLOADS[kind])
    if "patient_pms_id" in payload:
        payload["patient_pms_id"] = wired.patient_ids[0]
    if "appointment_pms_id" in payload:
        payload["appointment_pms_id"] = wired.appointment_ids[0]
    if kind == K.PAYMENT:
        from records.models import Patient

        patient = Patient.objects.filter(practice=wired.practice).first()
        payload.update(
            first_name=patient.first_name,
            last_name=patient.last_name,
            birthdate=patient.birthdate.isoformat(),
        )
    return payload


def submit_to(wired, kind: str, key: str, **changes) -> OutboxJob:
    return submit_activity(
        practice=wired.practice,
        kind=kind,
        payload={**payload_for(wired, kind), **changes},
        service="e2e",
        idempotency_key=key,
    ).job


@pytest.mark.parametrize("kind", K.values)
def test_every_enabled_kind_is_written_and_verified(wired, kind):
    job = submit_to(wired, kind, f"e2e-{kind}")
    deliver_inline()
    job.refresh_from_db()
    assert job.status == JobStatus.VERIFIED, job.display_status
    assert job.pms_id


@pytest.mark.parametrize("kind", [k.value for k in K.switched()])
def test_every_disabled_kind_sends_nothing(wired, sim_practice, kind):
    WriteBackRule.objects.filter(kind=kind).update(enabled=False)
    before = len(sim_practice.requests())
    job = submit_to(wired, kind, f"e2e-off-{kind}")
    deliver_inline()
    job.refresh_from_db()
    assert job.display_status == "skipped: disabled"
    assert len(sim_practice.requests()) == before
