"""Per-kind payload validation with Django forms; errors name the field."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone

from pms.base import WriteKind
from practices.models import WriteBackKind

from .kinds import spec_for

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

DOCUMENT_TYPES = [
    ("insurance_verification", "Insurance Verification"),
    ("account_statement", "Account Statement"),
    ("uploaded", "Scanned or uploaded document"),
]
FORM_TYPES = [
    ("patient_identification", "Patient Identification"),
    ("informed_consent", "Informed Consent"),
    ("treatment_plan", "Treatment Plan"),
    ("scanned_documents", "Scanned Documents"),
]
PAYMENT_SOURCES = [
    ("provider", "Post Payments to Provider"),
    ("online", "Customer Online Payment"),
    ("pos", "In-Office POS Payment"),
    ("practice", "Charged by Practice"),
]


def pms_id_field(required: bool = True) -> forms.CharField:
    return forms.CharField(max_length=64, required=required)


class NotePayload(forms.Form):
    patient_pms_id = pms_id_field()
    text = forms.CharField(max_length=60_000, strip=False)
    occurred_at = forms.DateTimeField()


class ConfirmationPayload(forms.Form):
    appointment_pms_id = pms_id_field()
    patient_pms_id = pms_id_field(required=False)


class FilePayload(forms.Form):
    patient_pms_id = pms_id_field()
    filename = forms.CharField(max_length=255)
    content_base64 = forms.CharField(strip=True)
    description = forms.CharField(max_length=255, required=False)

    def clean_content_base64(self) -> str:
        """Refuse content that is not base64 or too large."""
        value = self.cleaned_data["content_base64"]
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise forms.ValidationError("Not valid base64.") from exc
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError("Larger than 10 MB.")
        if not raw:
            raise forms.ValidationError("The document is empty.")
        return value


class DocumentPayload(FilePayload):
    document_type = forms.ChoiceField(choices=DOCUMENT_TYPES)


class OnlineFormPayload(FilePayload):
    form_type = forms.ChoiceField(choices=FORM_TYPES)


class NewPatientPayload(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    birthdate = forms.DateField(required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)


class NewAppointmentPayload(forms.Form):
    patient_pms_id = pms_id_field()
    start_at = forms.DateTimeField()
    duration_minutes = forms.IntegerField(min_value=5, max_value=600)
    operatory_pms_id = pms_id_field(required=False)
    note = forms.CharField(max_length=2000, required=False)


class PaymentPayload(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    birthdate = forms.DateField()
    amount = forms.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    fee = forms.DecimalField(
        max_digits=10, decimal_places=2, required=False, min_value=Decimal("0")
    )
    source = forms.ChoiceField(choices=PAYMENT_SOURCES)
    paid_on = forms.DateField()
    note = forms.CharField(max_length=255, required=False)


FORMS: dict[WriteKind, type[forms.Form]] = {
    WriteKind.NOTE: NotePayload,
    WriteKind.CONFIRMATION: ConfirmationPayload,
    WriteKind.PATIENT: NewPatientPayload,
    WriteKind.APPOINTMENT: NewAppointmentPayload,
    WriteKind.PAYMENT: PaymentPayload,
}


def form_class_for(kind: str) -> type[forms.Form]:
    """Return the payload form of `kind`."""
    if kind == WriteBackKind.DOCUMENT:
        return DocumentPayload
    if kind == WriteBackKind.ONLINE_FORM:
        return OnlineFormPayload
    return FORMS[spec_for(kind).write]


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def validate_payload(
    kind: str, data: Any, tz: ZoneInfo
) -> tuple[dict | None, dict[str, list[str]]]:
    """Return (clean JSON payload, {}) or (None, errors by field name).

    Times without an offset are read in the practice's time zone.
    """
    if not isinstance(data, dict):
        return None, {"payload": ["Must be a JSON object."]}
    form_class = form_class_for(kind)
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        if name not in form_class.base_fields:
            errors[name] = ["Unknown field for this kind."]
        elif isinstance(value, dict | list):
            errors[name] = ["Must be a single value."]
    if errors:
        return None, errors
    with timezone.override(tz):
        form = form_class(data={k: v for k, v in data.items() if v is not None})
        if not form.is_valid():
            return None, {k: list(v) for k, v in form.errors.items()}
    return {k: _jsonable(v) for k, v in form.cleaned_data.items()}, {}
