"""Helpers for write-back tests: a configured practice, default payloads, pushes."""

from __future__ import annotations

import base64

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practices.models import (
    PmsConnection,
    Practice,
    ReferenceItem,
    ReferenceKind,
    WriteBackKind,
    WriteBackRule,
    WriteBackSettings,
)
from writeback.intake import submit_activity
from writeback.models import OutboxJob, ServiceToken
from writeback.push import push_job

from .fakes import FakeConnector

K = WriteBackKind
PDF = base64.b64encode(b"%PDF-1.4 fake").decode()

NOTE = {"patient_pms_id": "101", "text": "Hello", "occurred_at": "2026-01-05T10:00"}
PAYLOADS: dict[str, dict] = {
    **{kind: NOTE for kind in K.note_kinds()},
    K.APPOINTMENT_CONFIRMED: {"appointment_pms_id": "501", "patient_pms_id": "101"},
    K.APPOINTMENT_UNCONFIRMED: {"appointment_pms_id": "501", "patient_pms_id": "101"},
    K.DOCUMENT: {
        "patient_pms_id": "101",
        "document_type": "insurance_verification",
        "filename": "iv.pdf",
        "content_base64": PDF,
        "description": "Eligibility",
    },
    K.ONLINE_FORM: {
        "patient_pms_id": "101",
        "form_type": "informed_consent",
        "filename": "consent.pdf",
        "content_base64": PDF,
    },
    K.NEW_PATIENT: {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "birthdate": "1990-12-10",
    },
    K.NEW_APPOINTMENT: {
        "patient_pms_id": "101",
        "start_at": "2026-02-01T09:00",
        "duration_minutes": 30,
        "operatory_pms_id": "3",
    },
    K.PAYMENT: {
        "first_name": "Grace",
        "last_name": "Hopper",
        "birthdate": "1980-01-02",
        "amount": "120.00",
        "source": "online",
        "paid_on": "2026-01-05",
    },
}

REFERENCES = {
    "provider": (ReferenceKind.PROVIDER, "7", "DOC1"),
    "default_note_type": (ReferenceKind.NOTE_TYPE, "239", "Misc"),
    "sms_note_type": (ReferenceKind.NOTE_TYPE, "240", "Text message"),
    "insurance_verification_category": (ReferenceKind.DOCUMENT_CATEGORY, "81", "Ins"),
    "account_statement_category": (ReferenceKind.DOCUMENT_CATEGORY, "82", "Stmts"),
    "form_patient_identification_category": (
        ReferenceKind.DOCUMENT_CATEGORY,
        "91",
        "ID",
    ),
    "form_informed_consent_category": (
        ReferenceKind.DOCUMENT_CATEGORY,
        "92",
        "Consent",
    ),
    "form_treatment_plan_category": (ReferenceKind.DOCUMENT_CATEGORY, "93", "TP"),
    "form_scanned_documents_category": (ReferenceKind.DOCUMENT_CATEGORY, "94", "Scan"),
    "confirmed_status": (ReferenceKind.APPOINTMENT_STATUS, "21", "Confirmed"),
    "unconfirmed_status": (ReferenceKind.APPOINTMENT_STATUS, "19", "Not Called"),
    "provider_payment_type": (ReferenceKind.PAYMENT_TYPE, "69", "Addl. Payment (AA)"),
    "online_payment_type": (ReferenceKind.PAYMENT_TYPE, "70", "PbN Payment"),
    "pos_payment_type": (ReferenceKind.PAYMENT_TYPE, "71", "PbN POS"),
    "surcharge_payment_type": (ReferenceKind.PAYMENT_TYPE, "72", "Surcharge"),
}


def configure(practice: Practice) -> Practice:
    """Connect `practice` to Open Dental, map every setting and enable every kind."""
    PmsConnection.objects.create(
        practice=practice,
        pms_type="open_dental",
        base_url="http://127.0.0.1:1/opendental/api/v1",
        developer_key="dev",
        customer_key="cust",
    )
    settings = WriteBackSettings.objects.get(practice=practice)
    for field, (kind, pms_id, label) in REFERENCES.items():
        item = ReferenceItem.objects.create(
            practice=practice, kind=kind, pms_id=pms_id, label=label
        )
        if hasattr(settings, field):
            setattr(settings, field, item)
    settings.auto_sync_payments = True
    settings.save()
    WriteBackRule.objects.filter(practice=practice).update(enabled=True)
    return practice


def submit(practice: Practice, kind: str, key: str | None = None, **changes):
    """Submit the default payload of `kind`, with `changes`; return the job."""
    payload = {**PAYLOADS[kind], **changes}
    key = key or f"{kind}-{OutboxJob.objects.count()}-{timezone.now().timestamp()}"
    result = submit_activity(
        practice=practice,
        kind=kind,
        payload=payload,
        service="messaging",
        idempotency_key=key,
    )
    return result.job


def push(job: OutboxJob, fake: FakeConnector, now=None) -> OutboxJob:
    """Push `job` through the fake and return it reloaded."""
    push_job(job, connector=fake, now=now)
    job.refresh_from_db()
    return job


def deliver_all(fake: FakeConnector, now=None, rounds: int = 50) -> None:
    """Push every due job until none is due (an inline dispatcher)."""
    for _ in range(rounds):
        due = list(OutboxJob.objects.due(now or timezone.now()))
        if not due:
            return
        for job in due:
            push_job(job, connector=fake, now=now)


def rule(practice: Practice, kind: str) -> WriteBackRule:
    return WriteBackRule.objects.get(practice=practice, kind=kind)


def issue(service: str, *practices, kinds: list[str] = K.values) -> str:
    """Create a token for `practices`, by default for every kind; return it."""
    token = ServiceToken(service=service, kinds=list(kinds))
    secret = token.set_new_token()
    token.save()
    token.practices.set(practices)
    return secret


def body(practice, kind=K.OUTGOING_SMS, key="msg-1", **payload) -> dict:
    return {
        "practice_id": practice.pk,
        "kind": kind,
        "idempotency_key": key,
        "payload": {**PAYLOADS[kind], **payload},
    }


def post(client: Client, token: str | None, data):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        reverse("writeback:submit"),
        data,
        content_type="application/json",
        headers=headers,
    )
