"""Load and save one practice's PMS Sync & Write-Back Settings page."""

from dataclasses import dataclass, field
from functools import cached_property

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import QueryDict

from pms.base import Capability, Connector
from pms.registry import connector_class

from .audit import audited
from .defaults import ensure_settings
from .models import (
    PmsConnection,
    Practice,
    SettingChange,
    SyncSettings,
    WriteBackSettings,
)
from .settings_forms import SyncSettingsForm, WriteBackRulesForm, WriteBackSettingsForm
from .signals import announce_settings_saved
from .sizing import IntervalRecommendation, recommend_interval


@dataclass
class SettingsPage:
    """The three forms of the page, validated and saved as one."""

    practice: Practice
    sync_form: SyncSettingsForm
    writeback_form: WriteBackSettingsForm
    rules_form: WriteBackRulesForm
    saved: bool = False
    changes: list[SettingChange] = field(default_factory=list)

    @property
    def forms(self) -> tuple[forms.BaseForm, ...]:
        return (self.sync_form, self.writeback_form, self.rules_form)

    def is_valid(self) -> bool:
        """Validate every form (never stopping at the first invalid one)."""
        return all([form.is_valid() for form in self.forms])

    @property
    def error_count(self) -> int:
        return sum(len(form.errors) for form in self.forms if form.is_bound)

    @property
    def saved_writeback(self) -> WriteBackSettings:
        """Return the write-back settings as stored, not as just submitted."""
        return WriteBackSettings.objects.select_related("provider").get(
            practice=self.practice
        )

    @property
    def recommendation(self) -> IntervalRecommendation:
        return recommend_interval(self.practice)

    @cached_property
    def connector(self) -> type[Connector] | None:
        """Return the connector class of the practice's PMS, if connected."""
        connection = PmsConnection.objects.filter(practice=self.practice).first()
        return connector_class(connection.pms_type) if connection else None

    @property
    def notes_land_as(self) -> str:
        """Return where a written note lands in the connected PMS, in words."""
        connector = self.connector
        if connector is None:
            return ""
        return f"In {connector.label} each note lands as {connector.notes_land_as}."

    @property
    def photos_unavailable_from(self) -> str:
        """Return the connected PMS's name if it offers no patient photos, else ""."""
        connector = self.connector
        if connector is None or Capability.READ_PHOTOS in connector.capabilities:
            return ""
        return connector.label


def load_settings_page(
    practice: Practice, data: QueryDict | None = None
) -> SettingsPage:
    """Build the page's forms for `practice`, bound to `data` when given."""
    ensure_settings(practice)
    return SettingsPage(
        practice=practice,
        sync_form=SyncSettingsForm(
            data, instance=SyncSettings.objects.get(practice=practice)
        ),
        writeback_form=WriteBackSettingsForm(
            data,
            instance=WriteBackSettings.objects.get(practice=practice),
            practice=practice,
        ),
        rules_form=WriteBackRulesForm(data, practice=practice),
    )


def save_settings(
    practice: Practice, user: AbstractBaseUser, data: QueryDict
) -> SettingsPage:
    """Validate every section, then save them all and audit the changes, or nothing."""
    page = load_settings_page(practice, data)
    if not page.is_valid():
        return page
    with transaction.atomic():
        # Serialise concurrent saves so each audit diff starts from the last save.
        list(SyncSettings.objects.select_for_update().filter(practice=practice))
        with audited(practice, user) as changes:
            for form in page.forms:
                form.save()
        announce_settings_saved(practice)
    page.saved = True
    page.changes = changes
    return page
