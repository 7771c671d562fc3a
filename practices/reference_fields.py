"""Form fields whose choices are one practice's PMS reference data."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from .models import Practice, ReferenceItem, ReferenceKind

NOT_IN_PMS = (
    "That value is not in this practice's PMS reference data; choose one from the list."
)

EMPTY_LABEL = "— not set —"


def describe(item: ReferenceItem | None) -> str:
    """Return how a person recognises `item`: its PMS label and PMS id."""
    if item is None:
        return "(not set)"
    return f"{item.label} [{item.pms_id}]"


def _option_label(item: ReferenceItem) -> str:
    return describe(item) if item.active else f"{describe(item)} (inactive)"


def inactive_error(item: ReferenceItem) -> ValidationError:
    """Return the error for a newly chosen value the PMS has switched off."""
    noun = "provider" if item.kind == ReferenceKind.PROVIDER else "value"
    return ValidationError(
        f"{item.label} is inactive in your PMS; choose an active {noun}.",
        code="inactive",
    )


class ReferenceChoiceField(forms.ModelChoiceField):
    """A dropdown of reference items; inactive ones stay visible, marked inactive."""

    default_error_messages = {"invalid_choice": NOT_IN_PMS}

    def label_from_instance(self, obj: ReferenceItem) -> str:
        return _option_label(obj)


class ReferenceMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multi-select of reference items, inactive ones marked inactive."""

    default_error_messages = {
        "invalid_choice": NOT_IN_PMS,
        "invalid_pk_value": NOT_IN_PMS,
    }

    def label_from_instance(self, obj: ReferenceItem) -> str:
        return _option_label(obj)


def reference_kind(field: models.Field) -> str | None:
    """Return the ReferenceKind a relation to ReferenceItem is limited to."""
    if getattr(field, "related_model", None) is not ReferenceItem:
        return None
    return (field.remote_field.limit_choices_to or {}).get("kind")


def reference_formfield(field: models.Field, **kwargs) -> forms.Field | None:
    """Build a reference form field for a model relation (formfield_callback)."""
    if reference_kind(field) is None:
        return field.formfield(**kwargs)
    if isinstance(field, models.ManyToManyField):
        return field.formfield(form_class=ReferenceMultipleChoiceField, **kwargs)
    kwargs.setdefault("empty_label", EMPTY_LABEL)
    return field.formfield(form_class=ReferenceChoiceField, **kwargs)


def reference_fields(form: forms.BaseModelForm) -> list[str]:
    """Return the names of `form`'s fields that point at ReferenceItems."""
    model_fields = {f.name: f for f in form._meta.model._meta.get_fields()}
    return [
        name
        for name in form.fields
        if name in model_fields and reference_kind(model_fields[name]) is not None
    ]


def limit_to_practice(form: forms.BaseModelForm, practice: Practice) -> None:
    """Offer in each reference field only `practice`'s items of the field's kind."""
    for name in reference_fields(form):
        kind = reference_kind(form._meta.model._meta.get_field(name))
        form.fields[name].queryset = ReferenceItem.objects.of_kind(practice, kind)
        form.fields[name].error_messages.update(
            invalid_choice=NOT_IN_PMS, invalid_pk_value=NOT_IN_PMS
        )


def reject_newly_inactive(
    form: forms.BaseForm, name: str, always: bool = False
) -> None:
    """Add an error when `name` newly points at an inactive item (`always`: any)."""
    value = form.cleaned_data.get(name)
    initial = form.initial.get(name)
    if value is None:
        return
    if isinstance(value, ReferenceItem):
        keep = {initial} if not always else set()
        if not value.active and value.pk not in keep:
            form.add_error(name, inactive_error(value))
        return
    before = {getattr(i, "pk", i) for i in initial or []}
    for item in value:
        if not item.active and (always or item.pk not in before):
            form.add_error(name, inactive_error(item))
