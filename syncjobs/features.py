"""The status page's data sync schedule: each feature, when it syncs and how
current its data is (the Dental Intelligence schedule of the seeds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pms.base import Capability
from pms.registry import CONNECTORS
from practices.models import (
    PmsConnection,
    Practice,
    SyncSettings,
    WriteBackKind,
    WriteBackRule,
    WriteBackSettings,
)
from records.models import ScheduleWindow

from .models import StreamKind, SyncStream
from .schedule import interval_for, is_enabled

# The fast streams whose records the dashboard counts (provider availability and
# photos are not among its figures).
DASHBOARD_FEEDS = (
    StreamKind.FAST_APPOINTMENT_STATUS,
    StreamKind.FAST_APPOINTMENT_CHANGES,
    StreamKind.FAST_NEW_PATIENTS,
    StreamKind.DELETIONS,
)


@dataclass(frozen=True)
class Feature:
    """One data feature's sync schedule and how current its data is."""

    name: str
    schedule: str
    as_of: datetime | None
    live: bool = False
    action: str = ""
    undated: str = "not yet"  # what "data as of" says without a date


@dataclass(frozen=True)
class PmsOffer:
    """What the practice's PMS can give beyond the core records, for the table."""

    label: str  # "" when no PMS is connected
    capabilities: frozenset[Capability]
    schedules_as_of: datetime | None  # when the schedule window was last read

    def lacks(self, capability: Capability) -> str:
        """Return "not offered by <PMS>" if the connected PMS lacks it, else ""."""
        if self.label and capability not in self.capabilities:
            return f"not offered by {self.label}"
        return ""


def pms_offer(practice: Practice, connection: PmsConnection | None) -> PmsOffer:
    """Return the connected PMS's label, capabilities and schedule "as of"."""
    connector = CONNECTORS.get(connection.pms_type) if connection else None
    window = ScheduleWindow.objects.filter(practice=practice).first()
    return PmsOffer(
        connector.label if connector else "",
        connector.capabilities if connector else frozenset(),
        window.synced_at if window else None,
    )


def latest_success(*streams: SyncStream | None) -> datetime | None:
    times = [s.last_success_at for s in streams if s and s.last_success_at]
    return max(times) if times else None


def every(kind: str, settings: SyncSettings) -> str:
    """Return how often a stream of `kind` runs, as "every N s" or "every N min"."""
    interval = interval_for(kind, settings)
    if interval is None or not is_enabled(kind, settings):
        return "with each incremental sync"
    seconds = int(interval.total_seconds())
    return f"every {seconds} s" if seconds < 120 else f"every {seconds // 60} min"


def features(
    streams: dict[str, SyncStream],
    settings: SyncSettings,
    offer: PmsOffer | None = None,
) -> list[Feature]:
    """Return the per-feature sync schedule with each feature's "data as of"."""
    s, k = streams.get, StreamKind
    offer = offer or PmsOffer("", frozenset(), None)
    schedules = offer.lacks(Capability.READ_SCHEDULES)
    incremental = s(k.INCREMENTAL)
    minutes = settings.incremental_interval_minutes
    changes = every(k.FAST_APPOINTMENT_CHANGES, settings)
    statuses = every(k.FAST_APPOINTMENT_STATUS, settings)
    return [
        Feature(
            "Dashboard",
            "Counted from the mirror at each view: as fresh as the last sync",
            latest_success(incremental, *(s(kind) for kind in DASHBOARD_FEEDS)),
        ),
        Feature("Reports & analytics", "Nightly", latest_success(s(k.NIGHTLY))),
        Feature(
            "Schedule (appointments)",
            f"Real time: changes {changes}",
            latest_success(incremental, s(k.FAST_APPOINTMENT_CHANGES)),
        ),
        Feature(
            "Appointment confirmations",
            f"Real time: statuses {statuses}",
            latest_success(incremental, s(k.FAST_APPOINTMENT_STATUS)),
        ),
        Feature("Forms & consents", "Real time", None, live=True),
        Feature("Patient chat", "Real time", None, live=True),
        Feature(
            "Patient card",
            "Synced with the PMS every time the card is opened",
            None,
            undated="shown on each card",
        ),
        Feature(
            "Patient finder",
            f"Nightly, changes every {minutes} min; Sync Patient on a card or "
            "in Bulk Actions",
            latest_success(incremental, s(k.FAST_NEW_PATIENTS)),
            action="sync_patients",
        ),
        Feature(
            "Provider availability & schedule blocks",
            "Nightly; Sync Availability to refresh now"
            + (f" (schedules and blockouts are {schedules})" if schedules else ""),
            offer.schedules_as_of
            or latest_success(s(k.NIGHTLY), s(k.AVAILABILITY), s(k.INITIAL)),
            action="sync_availability",
        ),
        Feature(
            "Patient profile photos",
            _photos_schedule(settings, offer),
            latest_success(s(k.PROFILE_PHOTOS)),
            undated="not yet" if settings.profile_photos_enabled else "—",
        ),
    ]


def _photos_schedule(settings: SyncSettings, offer: PmsOffer) -> str:
    """Return when photos sync, or why they do not."""
    if not settings.profile_photos_enabled:
        return "Off: switch on Patient Profile Photos in PMS Sync Settings"
    if lacking := offer.lacks(Capability.READ_PHOTOS):
        return f"Photos are {lacking}"
    often = every(StreamKind.PROFILE_PHOTOS, settings)
    return f"Newly synced patients {often}; a patient's card when opened"


# Each write-back feature's kind and the connector capability that writes it.
WRITTEN = {
    WriteBackKind.PAYMENT: Capability.WRITE_PAYMENT,
    WriteBackKind.NEW_APPOINTMENT: Capability.WRITE_APPOINTMENT,
}


def writeback_features(practice: Practice, offer: PmsOffer) -> list[Feature]:
    """Return the seeds' real-time features that are write-backs (payments, online
    scheduling appointments), as the practice's PMS and write-back settings allow."""
    # A kind without an Allow switch (payments: Automatically Sync Payments
    # decides how) is always allowed.
    allowed = {kind for kind in WRITTEN if kind not in WriteBackKind.switched()} | set(
        WriteBackRule.objects.filter(
            practice=practice, enabled=True, kind__in=list(WRITTEN)
        ).values_list("kind", flat=True)
    )
    settings = (
        WriteBackSettings.objects.filter(practice=practice)
        .select_related("provider")
        .first()
    )
    paused = settings is None or not settings.has_valid_provider
    auto = settings is not None and settings.auto_sync_payments
    return [
        _written(
            "Payments",
            WriteBackKind.PAYMENT,
            allowed,
            offer,
            paused,
            "Real time: each payment is posted to the PMS as it is taken"
            if auto
            else "Manual: Automatically Sync Payments is off, so payments wait "
            "in the transfer queue on the Write-backs page",
            live=auto,
        ),
        _written(
            "Online scheduling appointments",
            WriteBackKind.NEW_APPOINTMENT,
            allowed,
            offer,
            paused,
            "Real time: each booking is added to the PMS schedule as it is made",
            live=True,
        ),
    ]


def _written(
    name: str,
    kind: WriteBackKind,
    allowed: set[str],
    offer: PmsOffer,
    paused: bool,
    schedule: str,
    live: bool,
) -> Feature:
    """Return a write-back feature's row: off, paused, or how it is written."""
    if lacking := offer.lacks(WRITTEN[kind]):
        return Feature(name, f"{kind.label} write-back is {lacking}", None, undated="—")
    if kind not in allowed:
        off = f"Off: switch on {kind.label} in PMS Sync & Write-Back Settings"
        return Feature(name, off, None, undated="—")
    if paused:
        return Feature(
            name,
            "Paused until an active Writeback provider ID is set",
            None,
            undated="—",
        )
    return Feature(name, schedule, None, live=live, undated="—", action="writebacks")
