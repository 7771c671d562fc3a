"""Record every changed practice setting as a SettingChange, in readable words."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from .models import (
    PmsConnection,
    Practice,
    SettingChange,
    SyncSettings,
    WriteBackKind,
    WriteBackRule,
    WriteBackSettings,
)
from .reference_fields import describe
from .settings_layout import SECTIONS, fields_of

# (section, human setting name) -> the value as a person reads it
Snapshot = dict[tuple[str, str], str]
CONNECTION_SECTION = "PMS connection"


def on_off(value: bool) -> str:
    return "On" if value else "Off"


def display_value(instance: models.Model, name: str) -> str:
    """Return the value of `instance.name` as the page shows it, never an id."""
    field = instance._meta.get_field(name)
    if field.many_to_many:
        labels = sorted(describe(item) for item in getattr(instance, name).all())
        return ", ".join(labels) or "(none)"
    if field.is_relation:
        return describe(getattr(instance, name))
    if isinstance(field, models.BooleanField):
        return on_off(getattr(instance, name))
    if field.choices:
        return str(instance._get_FIELD_display(field))
    return str(getattr(instance, name))


def rule_settings(kind: WriteBackKind, rule: WriteBackRule) -> dict[str, str]:
    """Return the human names and values of one write-back rule."""
    values = {f"{kind.label}: Allow": on_off(rule.enabled)}
    if kind.is_note:
        values[f"{kind.label}: Note type"] = (
            describe(rule.note_type) if rule.note_type else "Default note type"
        )
    return values


def settings_snapshot(practice: Practice) -> Snapshot:
    """Read every setting of `practice` from the database as readable labels."""
    sync = SyncSettings.objects.get(practice=practice)
    related = [n for n in fields_of("writeback") if n != "confirmed_statuses"]
    writeback = (
        WriteBackSettings.objects.select_related(*_relations(related))
        .prefetch_related("confirmed_statuses")
        .get(practice=practice)
    )
    rules = {
        rule.kind: rule
        for rule in WriteBackRule.objects.filter(practice=practice).select_related(
            "note_type"
        )
    }
    snapshot: Snapshot = {}
    for section in SECTIONS:
        if section.source == "rules":
            for kind in WriteBackKind:
                if kind.value in rules:
                    for name, value in rule_settings(kind, rules[kind.value]).items():
                        snapshot[(section.title, name)] = value
            continue
        instance = sync if section.source == "sync" else writeback
        for name in section.fields:
            label = str(instance._meta.get_field(name).verbose_name)
            snapshot[(section.title, label)] = display_value(instance, name)
    return snapshot


def _relations(names: list[str]) -> list[str]:
    fields = [WriteBackSettings._meta.get_field(n) for n in names]
    return [f.name for f in fields if f.is_relation]


def record_changes(
    practice: Practice, user: AbstractBaseUser | None, before: Snapshot, after: Snapshot
) -> list[SettingChange]:
    """Write one SettingChange per setting whose value differs; none otherwise."""
    rows = [
        SettingChange(
            practice=practice,
            user=user,
            section=section,
            setting=setting,
            old_value=before.get((section, setting), ""),
            new_value=value,
        )
        for (section, setting), value in after.items()
        if before.get((section, setting)) != value
    ]
    return SettingChange.objects.bulk_create(rows)


@contextmanager
def audited(
    practice: Practice, user: AbstractBaseUser | None
) -> Iterator[list[SettingChange]]:
    """Record what the block changes in `practice`'s settings, attributed to `user`."""
    before = settings_snapshot(practice)
    changes: list[SettingChange] = []
    yield changes
    changes.extend(record_changes(practice, user, before, settings_snapshot(practice)))


def record_status_change(
    connection: PmsConnection, user: AbstractBaseUser | None, old_status: str
) -> SettingChange:
    """Record a connection's move between statuses, with its reason."""
    new = connection.get_status_display()
    if connection.status_reason:
        new = f"{new} — {connection.status_reason}"
    return SettingChange.objects.create(
        practice=connection.practice,
        user=user,
        section=CONNECTION_SECTION,
        setting="Connection status",
        old_value=old_status,
        new_value=new,
    )
