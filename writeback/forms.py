"""The activity envelope, as the API and the staff submit form take it."""

from __future__ import annotations

import uuid

from django import forms

from practices.models import Practice, WriteBackKind


def require_object(payload: object) -> dict:
    """Return `payload` if it is a JSON object, else raise a validation error."""
    if not isinstance(payload, dict):
        raise forms.ValidationError("Must be a JSON object.")
    return payload


class ActivityForm(forms.Form):
    """What every activity carries besides its kind-specific payload."""

    practice_id = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField(choices=WriteBackKind.choices)
    idempotency_key = forms.CharField(max_length=200)
    payload = forms.JSONField()

    def clean_payload(self) -> dict:
        """Require a JSON object."""
        return require_object(self.cleaned_data["payload"])


class StaffActivityForm(forms.Form):
    """Submit one activity by hand from the admin."""

    practice = forms.ModelChoiceField(queryset=Practice.objects.all())
    kind = forms.ChoiceField(choices=WriteBackKind.choices)
    idempotency_key = forms.CharField(
        max_length=200,
        initial=lambda: f"staff-{uuid.uuid4()}",
        help_text="Submitting the same key twice returns the first write-back.",
    )
    payload = forms.JSONField(
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
        help_text='The kind\'s fields as JSON, e.g. {"patient_pms_id": "12", '
        '"text": "Called about the recall", "occurred_at": "2026-01-05T10:00"}.',
    )

    def clean_payload(self) -> dict:
        """Require a JSON object."""
        return require_object(self.cleaned_data["payload"])


class ManualPaymentForm(forms.Form):
    """Choose the patient a queued payment belongs to."""

    patient_pms_id = forms.CharField(label="Patient PMS id", max_length=64)
