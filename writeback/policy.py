"""Decide whether a job may be written now, and with which PMS mappings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pms.base import Capability, WriteKind
from pms.registry import capabilities_for
from practices.models import (
    PmsConnection,
    ReferenceItem,
    WriteBackKind,
    WriteBackRule,
    WriteBackSettings,
)

from .kinds import CAPABILITY_WORDS, spec_for
from .models import JobStatus, OutboxJob

DOCUMENT_CATEGORY_FIELDS = {
    "insurance_verification": "insurance_verification_category",
    "account_statement": "account_statement_category",
    # The help center: Scanned Documents is "for scanned or uploaded documents".
    "uploaded": "form_scanned_documents_category",
}
FORM_CATEGORY_FIELDS = {
    "patient_identification": "form_patient_identification_category",
    "informed_consent": "form_informed_consent_category",
    "treatment_plan": "form_treatment_plan_category",
    "scanned_documents": "form_scanned_documents_category",
}
PAYMENT_TYPE_FIELDS = {
    "provider": "provider_payment_type",
    "online": "online_payment_type",
    "pos": "pos_payment_type",
    "practice": "surcharge_payment_type",
}


@dataclass(frozen=True)
class Verdict:
    """The job cannot be written now: the status to move to, and why."""

    status: str
    reason: str


@dataclass(frozen=True)
class Plan:
    """The job may be written, with these PMS ids."""

    provider_pms_id: str = ""
    note_type_pms_id: str = ""
    category_pms_id: str = ""
    status_pms_id: str = ""
    payment_type_pms_id: str = ""
    fee_type_pms_id: str = ""  # set: post the fee as its own transaction


def _label(field: str) -> str:
    return str(WriteBackSettings._meta.get_field(field).verbose_name)


def _mapped(settings: WriteBackSettings, field: str) -> tuple[str, Verdict | None]:
    item: ReferenceItem | None = getattr(settings, field)
    if item is None:
        return "", Verdict(JobStatus.HELD, f"{_label(field)} is not set")
    if not item.active:
        return "", Verdict(
            JobStatus.HELD, f"{_label(field)} ({item.label}) is inactive"
        )
    return item.pms_id, None


def _connection_verdict(job: OutboxJob, settings: WriteBackSettings) -> Verdict | None:
    connection = PmsConnection.objects.filter(practice_id=job.practice_id).first()
    if connection is None:
        return Verdict(JobStatus.HELD, "the practice has no PMS connection")
    if not connection.is_usable:
        why = connection.status_reason or connection.get_status_display()
        return Verdict(JobStatus.HELD, f"the PMS connection is not usable ({why})")
    capabilities = capabilities_for(connection.pms_type)
    label = connection.get_pms_type_display()
    if not capabilities:
        return Verdict(JobStatus.HELD, f"no connector for {label} is available yet")
    needed = [spec_for(job.kind).capability]
    if job.kind == WriteBackKind.PAYMENT and _separate_fee(job, settings):
        needed.append(Capability.WRITE_FEE)
    if job.kind == WriteBackKind.NEW_APPOINTMENT and not job.payload.get(
        "operatory_pms_id"
    ):
        needed.append(Capability.WRITE_APPOINTMENT_UNPLACED)
    for capability in needed:
        if capability not in capabilities:
            words = CAPABILITY_WORDS[capability]
            return Verdict(JobStatus.FAILED, f"{label} cannot take {words}")
    return None


def _separate_fee(job: OutboxJob, settings: WriteBackSettings) -> bool:
    fee = Decimal(job.payload.get("fee") or "0")
    return fee > 0 and settings.separate_payments_and_fees


def _mappings(job: OutboxJob, settings: WriteBackSettings) -> Plan | Verdict:
    spec = spec_for(job.kind)
    provider_pms_id = ""
    if spec.needs_provider:
        if not settings.has_valid_provider:
            return Verdict(
                JobStatus.HELD,
                "no valid write-back provider: choose an active provider in "
                "PMS Sync & Write-Back Settings",
            )
        provider_pms_id = settings.provider.pms_id
    if spec.write is WriteKind.NOTE:
        rule = WriteBackRule.objects.filter(
            practice_id=job.practice_id, kind=job.kind
        ).first()
        field = "default_note_type"
        item = rule.note_type if rule and rule.note_type_id else None
        if item is not None:
            if not item.active:
                return Verdict(JobStatus.HELD, f"note type {item.label} is inactive")
            return Plan(provider_pms_id, note_type_pms_id=item.pms_id)
        pms_id, verdict = _mapped(settings, field)
        return verdict or Plan(provider_pms_id, note_type_pms_id=pms_id)
    if spec.write is WriteKind.CONFIRMATION:
        field = (
            "confirmed_status"
            if job.kind == WriteBackKind.APPOINTMENT_CONFIRMED
            else "unconfirmed_status"
        )
        pms_id, verdict = _mapped(settings, field)
        return verdict or Plan(provider_pms_id, status_pms_id=pms_id)
    if spec.write is WriteKind.DOCUMENT:
        if job.kind == WriteBackKind.ONLINE_FORM:
            field = FORM_CATEGORY_FIELDS[job.payload["form_type"]]
        else:
            field = DOCUMENT_CATEGORY_FIELDS[job.payload["document_type"]]
        pms_id, verdict = _mapped(settings, field)
        return verdict or Plan(provider_pms_id, category_pms_id=pms_id)
    if spec.write is WriteKind.PAYMENT:
        field = PAYMENT_TYPE_FIELDS[job.payload["source"]]
        pms_id, verdict = _mapped(settings, field)
        if verdict:
            return verdict
        fee_type = ""
        if _separate_fee(job, settings):
            fee_type, verdict = _mapped(settings, "surcharge_payment_type")
            if verdict:
                return verdict
        return Plan(
            provider_pms_id, payment_type_pms_id=pms_id, fee_type_pms_id=fee_type
        )
    return Plan(provider_pms_id)


def decide(job: OutboxJob) -> Plan | Verdict:
    """Return how to write `job` now, or why it cannot be written."""
    if not _allowed(job):
        return Verdict(JobStatus.SKIPPED, "disabled")
    settings = WriteBackSettings.objects.filter(practice_id=job.practice_id).first()
    if settings is None:
        return Verdict(JobStatus.HELD, "write-back settings are not set up")
    return _connection_verdict(job, settings) or _mappings(job, settings)


def _allowed(job: OutboxJob) -> bool:
    """Return whether the kind's Allow switch is on; a kind without one (payments:
    Automatically Sync Payments governs them) always is."""
    if job.kind not in WriteBackKind.switched():
        return True
    rules = WriteBackRule.objects.filter(practice_id=job.practice_id, kind=job.kind)
    return rules.filter(enabled=True).exists()
