"""Record every changed practice setting as a SettingChange, in readable words."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from .models import (
    Membership,
    PmsConnection,
    Practice,
    SettingChange,
    SyncSettings,
    WriteBackKind,
    WriteBackRule,
    WriteBackSettings,
)
from .models.connection import CREDENTIAL_FIELDS
from .reference_fields import describe
from .settings_layout import SECTIONS, fields_of

# (section, human setting name) -> the value as a person reads it
Snapshot = dict[tuple[str, str], str]
CONNECTION_SECTION = "PMS connection"
PRACTICE_SECTION = "Practice"
ACCESS_SECTION = "Access"
NO_ACCESS = "(no access)"
# The columns staff edit in admin, by the name the audit trail gives them.
CONNECTION_SETTINGS = {
    "pms_type": "PMS type",
    "base_url": "Base URL",
    "request_interval_ms": "Request interval (ms)",
    "page_size": "Page size",
}
PRACTICE_SETTINGS = {
    "time_zone": "Time zone",
    "nightly_window_start_hour": "Nightly window opens",
}


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
            for kind in map(WriteBackKind, section.fields):
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


def connection_snapshot(
    connection: PmsConnection, stored: PmsConnection | None = None
) -> Snapshot:
    """Read a connection's admin-edited columns; credentials only in words.

    A credential reads "Set" or "Not set"; against the `stored` copy, a new value
    reads "Changed" and an emptied one "Cleared". Its value never leaves here.
    """
    snapshot: Snapshot = {
        (CONNECTION_SECTION, label): _optional(connection, name)
        for name, label in CONNECTION_SETTINGS.items()
    }
    for name in CREDENTIAL_FIELDS:
        label = str(PmsConnection._meta.get_field(name).verbose_name)
        old = getattr(stored, name) if stored is not None else None
        snapshot[(CONNECTION_SECTION, label)] = _credential(
            old, getattr(connection, name)
        )
    return snapshot


def _optional(instance: models.Model, name: str) -> str:
    if getattr(instance, name) in (None, ""):
        return "(PMS default)" if instance._meta.get_field(name).null else "(not set)"
    return display_value(instance, name)


def _credential(old: str | None, new: str) -> str:
    if old is None or old == new:
        return "Set" if new else "Not set"
    if not old:
        return "Set"
    return "Changed" if new else "Cleared"


def record_connection_edit(
    connection: PmsConnection,
    stored: PmsConnection | None,
    user: AbstractBaseUser | None,
) -> list[SettingChange]:
    """Record what an edit changed in `connection`; `stored` is None when new."""
    stored = stored or PmsConnection(practice=connection.practice)
    before = connection_snapshot(stored)
    after = connection_snapshot(connection, stored)
    return record_changes(connection.practice, user, before, after)


def practice_snapshot(practice: Practice) -> Snapshot:
    """Read a practice's time zone and nightly window as a person reads them."""
    return {
        (PRACTICE_SECTION, PRACTICE_SETTINGS["time_zone"]): practice.time_zone,
        (PRACTICE_SECTION, PRACTICE_SETTINGS["nightly_window_start_hour"]): (
            f"{practice.nightly_window_start_hour:02d}:00 practice time"
        ),
    }


def record_practice_edit(
    practice: Practice, stored: Practice, user: AbstractBaseUser | None
) -> list[SettingChange]:
    """Record what an edit changed in `practice` against its `stored` copy."""
    return record_changes(
        practice, user, practice_snapshot(stored), practice_snapshot(practice)
    )


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


def access_snapshot(practice: Practice) -> Snapshot:
    """Read each member's Practice Settings permission, by username."""
    members = Membership.objects.filter(practice=practice).select_related("user")
    return {
        (ACCESS_SECTION, permission_setting(m.user.get_username())): on_off(
            m.can_manage_settings
        )
        for m in members
    }


def permission_setting(username: str) -> str:
    return f"Practice Settings permission for {username}"


def record_access_changes(
    practice: Practice, user: AbstractBaseUser | None, before: Snapshot, after: Snapshot
) -> list[SettingChange]:
    """Record access gained, lost or changed; a missing entry reads "(no access)"."""
    keys = before.keys() | after.keys()
    return record_changes(
        practice,
        user,
        {key: before.get(key, NO_ACCESS) for key in keys},
        {key: after.get(key, NO_ACCESS) for key in sorted(keys)},
    )


@contextmanager
def audited_access(
    practices: Iterable[Practice], user: AbstractBaseUser | None
) -> Iterator[list[SettingChange]]:
    """Record what the block changes in who has access to each of `practices`."""
    before = {p.pk: (p, access_snapshot(p)) for p in practices}
    changes: list[SettingChange] = []
    yield changes
    for practice, snapshot in before.values():
        changes.extend(
            record_access_changes(practice, user, snapshot, access_snapshot(practice))
        )
