"""The vocabulary of the boundary: lanes, entities, capabilities."""

from __future__ import annotations

import enum


class Lane(enum.IntEnum):
    """Request-budget priority; a lower value is served first."""

    WRITE_BACK = 0
    FAST = 1
    INCREMENTAL = 2
    INITIAL = 3


class Entity(enum.StrEnum):
    PATIENT = "patient"
    APPOINTMENT = "appointment"
    PROVIDER = "provider"
    PROCEDURE = "procedure"
    PAYMENT = "payment"
    # Write-back targets we do not mirror; used only for id-set reconciliation.
    NOTE = "note"
    DOCUMENT = "document"
    # Read as a whole window (fetch_schedules), never as a change feed.
    SCHEDULE = "schedule"


class Capability(enum.StrEnum):
    READ_PATIENTS = "read_patients"
    READ_APPOINTMENTS = "read_appointments"
    READ_PROVIDERS = "read_providers"
    READ_PROCEDURES = "read_procedures"
    READ_PAYMENTS = "read_payments"
    READ_DELETIONS = "read_deletions"  # a native deletion feed
    WRITE_NOTE = "write_note"
    WRITE_CONFIRMATION = "write_confirmation"
    WRITE_DOCUMENT = "write_document"
    WRITE_PATIENT = "write_patient"
    WRITE_APPOINTMENT = "write_appointment"
    # A new appointment without an operatory: the PMS places it itself.
    WRITE_APPOINTMENT_UNPLACED = "write_appointment_unplaced"
    WRITE_PAYMENT = "write_payment"
    WRITE_FEE = "write_fee"  # a fee as its own transaction
    RECONCILE_IDS = "reconcile_ids"  # fetch_present_ids, for untracked deletions
    READ_SCHEDULES = "read_schedules"  # fetch_schedules: provider hours, blockouts
    READ_PHOTOS = "read_photos"  # fetch_patient_photo: the patient's picture, if any
