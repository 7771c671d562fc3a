"""The forms behind the PMS Sync & Write-Back Settings page (and the admin)."""

from typing import NamedTuple

from django import forms
from django.forms import BoundField

from .models import (
    Practice,
    ReferenceItem,
    ReferenceKind,
    SyncSettings,
    WriteBackKind,
    WriteBackRule,
    WriteBackSettings,
)
from .models.sync_settings import INCREMENTAL_INTERVAL_CHOICES
from .reference_fields import (
    ReferenceChoiceField,
    limit_to_practice,
    reference_fields,
    reference_formfield,
    reject_newly_inactive,
)
from .settings_layout import (
    KIND_HELP,
    NOTE_WRITE_BACK,
    OTHER_WRITE_BACK,
    Section,
    fields_of,
    kind_groups,
)

_ALLOWED_MINUTES = ", ".join(str(m) for m, _ in INCREMENTAL_INTERVAL_CHOICES)
FAST_FIELDS = (
    ("appointment_status_enabled", "appointment_status_interval_seconds"),
    ("appointment_changes_enabled", "appointment_changes_interval_seconds"),
    ("new_patients_enabled", "new_patients_interval_seconds"),
)
_FAST_INTERVAL_ERROR = {"invalid_choice": "Choose one of the listed check intervals."}


class RuleRow(NamedTuple):
    kind: WriteBackKind
    help: str
    allow: BoundField
    note_type: BoundField | None


class SyncSettingsForm(forms.ModelForm):
    """How often the practice's PMS is read."""

    class Meta:
        model = SyncSettings
        fields = fields_of("sync")
        error_messages = {
            "incremental_interval_minutes": {
                "invalid_choice": f"Choose one of the allowed intervals: "
                f"{_ALLOWED_MINUTES} minutes."
            },
            **{pair[1]: _FAST_INTERVAL_ERROR for pair in FAST_FIELDS},
        }


class PracticeReferenceForm(forms.ModelForm):
    """A settings ModelForm whose reference choices are the practice's own."""

    always_active = frozenset({"provider"})

    def __init__(self, *args, practice: Practice | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        limit_to_practice(self, practice or self.instance.practice)

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in reference_fields(self):
            if name not in self.errors:
                reject_newly_inactive(self, name, always=name in self.always_active)
        return cleaned


class WriteBackSettingsForm(PracticeReferenceForm):
    """Where write-back lands in the PMS and whom it is attributed to."""

    class Meta:
        model = WriteBackSettings
        fields = fields_of("writeback")
        formfield_callback = reference_formfield
        widgets = {"confirmed_statuses": forms.CheckboxSelectMultiple}


class WriteBackRulesForm(forms.Form):
    """One Allow toggle per write-back kind, and a note type for note kinds."""

    def __init__(self, *args, practice: Practice, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rules = {
            rule.kind: rule
            for rule in practice.writeback_rules.select_related("note_type")
        }
        note_types = ReferenceItem.objects.of_kind(practice, ReferenceKind.NOTE_TYPE)
        for kind in WriteBackKind.switched():
            rule = self.rules[kind.value]
            self.fields[allow_name(kind)] = forms.BooleanField(
                label=f"Allow {kind.label}", required=False
            )
            self.initial[allow_name(kind)] = rule.enabled
            if kind.is_note:
                self.fields[note_type_name(kind)] = ReferenceChoiceField(
                    note_types,
                    required=False,
                    label=f"{kind.label} note type",
                    empty_label="Default note type",
                )
                self.initial[note_type_name(kind)] = rule.note_type_id

    def clean(self) -> dict:
        cleaned = super().clean()
        for kind in WriteBackKind.note_kinds():
            if note_type_name(kind) not in self.errors:
                reject_newly_inactive(self, note_type_name(kind))
        return cleaned

    @property
    def note_groups(self) -> list[tuple[str, list[RuleRow]]]:
        return self._groups(NOTE_WRITE_BACK)

    @property
    def other_groups(self) -> list[tuple[str, list[RuleRow]]]:
        return self._groups(OTHER_WRITE_BACK)

    def _groups(self, section: Section) -> list[tuple[str, list[RuleRow]]]:
        """Return the section's bound fields in the help center's groups."""
        return [
            (
                title,
                [
                    RuleRow(
                        kind,
                        KIND_HELP[kind],
                        self[allow_name(kind)],
                        self[note_type_name(kind)] if kind.is_note else None,
                    )
                    for kind in kinds
                ],
            )
            for title, kinds in kind_groups(section)
        ]

    def save(self) -> None:
        """Write the toggles and note types onto the practice's rules."""
        changed = []
        for kind in WriteBackKind.switched():
            rule = self.rules[kind.value]
            enabled = self.cleaned_data[allow_name(kind)]
            note_type = self.cleaned_data.get(note_type_name(kind))
            if rule.enabled != enabled or rule.note_type != note_type:
                rule.enabled, rule.note_type = enabled, note_type
                changed.append(rule)
        for rule in changed:
            rule.save(update_fields=["enabled", "note_type", "updated_at"])


def allow_name(kind: WriteBackKind) -> str:
    return f"allow_{kind.value}"


def note_type_name(kind: WriteBackKind) -> str:
    return f"note_type_{kind.value}"


class WriteBackRuleAdminForm(forms.ModelForm):
    """One rule in the admin, its note type limited to the rule's practice."""

    class Meta:
        model = WriteBackRule
        fields = ["enabled", "note_type"]
        formfield_callback = reference_formfield

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.practice_id and "note_type" in self.fields:
            limit_to_practice(self, self.instance.practice)

    def clean(self) -> dict:
        cleaned = super().clean()
        if "note_type" in self.fields and "note_type" not in self.errors:
            reject_newly_inactive(self, "note_type")
        return cleaned
