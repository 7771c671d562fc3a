"""What each write-back kind needs from the PMS and how it is written."""

from __future__ import annotations

from dataclasses import dataclass

from pms.base import Capability, NoteChannel, NoteDirection, WriteKind
from practices.models import WriteBackKind

K = WriteBackKind


@dataclass(frozen=True)
class KindSpec:
    """How one kind travels: the write it becomes and what it requires."""

    write: WriteKind
    capability: Capability
    needs_provider: bool = True
    direction: NoteDirection = NoteDirection.NONE
    channel: NoteChannel = NoteChannel.OTHER


def _note(direction: NoteDirection, channel: NoteChannel) -> KindSpec:
    return KindSpec(WriteKind.NOTE, Capability.WRITE_NOTE, True, direction, channel)


OUT, IN, NONE = NoteDirection.OUTGOING, NoteDirection.INCOMING, NoteDirection.NONE
PHONE, SMS, EMAIL, OTHER = (
    NoteChannel.PHONE,
    NoteChannel.SMS,
    NoteChannel.EMAIL,
    NoteChannel.OTHER,
)

SPECS: dict[str, KindSpec] = {
    K.OUTGOING_CALL: _note(OUT, PHONE),
    K.INCOMING_CALL: _note(IN, PHONE),
    K.MISSED_CALL: _note(IN, PHONE),
    K.INCOMING_CALL_TRANSCRIPT: _note(IN, PHONE),
    K.OUTGOING_CALL_TRANSCRIPT: _note(OUT, PHONE),
    K.INCOMING_CALL_SUMMARY: _note(IN, PHONE),
    K.OUTGOING_CALL_SUMMARY: _note(OUT, PHONE),
    K.PATIENT_NOTE: _note(NONE, OTHER),
    K.TASK_NOTE: _note(NONE, OTHER),
    K.OUTGOING_SMS: _note(OUT, SMS),
    K.INCOMING_SMS: _note(IN, SMS),
    K.OUTGOING_EMAIL: _note(OUT, EMAIL),
    K.INCOMING_EMAIL: _note(IN, EMAIL),
    K.INSURANCE_VERIFICATION_NOTE: _note(NONE, OTHER),
    # A confirmation changes a status; it is attributed to no one.
    K.APPOINTMENT_CONFIRMED: KindSpec(
        WriteKind.CONFIRMATION, Capability.WRITE_CONFIRMATION, needs_provider=False
    ),
    K.APPOINTMENT_UNCONFIRMED: KindSpec(
        WriteKind.CONFIRMATION, Capability.WRITE_CONFIRMATION, needs_provider=False
    ),
    K.DOCUMENT: KindSpec(WriteKind.DOCUMENT, Capability.WRITE_DOCUMENT),
    K.ONLINE_FORM: KindSpec(WriteKind.DOCUMENT, Capability.WRITE_DOCUMENT),
    K.NEW_PATIENT: KindSpec(WriteKind.PATIENT, Capability.WRITE_PATIENT),
    K.NEW_APPOINTMENT: KindSpec(WriteKind.APPOINTMENT, Capability.WRITE_APPOINTMENT),
    K.PAYMENT: KindSpec(WriteKind.PAYMENT, Capability.WRITE_PAYMENT),
}

CAPABILITY_WORDS = {
    Capability.WRITE_NOTE: "notes",
    Capability.WRITE_CONFIRMATION: "appointment confirmations",
    Capability.WRITE_DOCUMENT: "documents",
    Capability.WRITE_PATIENT: "new patients",
    Capability.WRITE_APPOINTMENT: "new appointments",
    Capability.WRITE_APPOINTMENT_UNPLACED: (
        "new appointments without an operatory (send operatory_pms_id)"
    ),
    Capability.WRITE_PAYMENT: "payments",
    Capability.WRITE_FEE: "fees as separate transactions",
}


def spec_for(kind: str) -> KindSpec:
    """Return the spec of `kind`; every WriteBackKind has one."""
    return SPECS[kind]


def ordering_key_for(kind: str, payload: dict) -> str:
    """Return the key that keeps one appointment's status changes in order."""
    if spec_for(kind).write is WriteKind.CONFIRMATION:
        return f"appointment:{payload['appointment_pms_id']}"
    return ""
