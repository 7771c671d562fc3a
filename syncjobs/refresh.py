"""Read one patient from the PMS now (patient card, Sync Patient, bulk sync)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from django.utils import timezone

from pms.base import Capability, Connector, Deletion, Entity, Lane, PmsError
from practices.models import PmsConnection, Practice
from records.deletions import mark_deleted
from records.models import Patient
from records.upsert import upsert_records

from .photos import read_photo, store_photo
from .schedule import settings_for

# A person is waiting: fail fast rather than hold the page.
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 8.0
UNREAD = object()  # the photo was not read this time


@dataclasses.dataclass(frozen=True)
class Refresh:
    """The outcome of one patient refresh, with a message for the person."""

    accepted: bool
    message: str


def interactive_connector(connection: PmsConnection) -> Connector:
    """Return a connector on the fast lane with short timeouts."""
    from pms.config import config_for
    from pms.registry import connector_for

    config = dataclasses.replace(
        config_for(connection),
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
    )
    return connector_for(config, Lane.FAST)


def refresh_patient(
    practice: Practice,
    pms_id: str,
    *,
    older_than: timedelta | None = None,
    connector: Connector | None = None,
) -> Refresh:
    """Fetch one patient from the PMS and store it, unless checked recently."""
    now = timezone.now()
    row = Patient.objects.filter(practice=practice, pms_id=pms_id).first()
    checked = (row.checked_at or row.last_synced_at) if row else None
    if older_than is not None and checked and now - checked < older_than:
        return Refresh(True, "")
    connection = PmsConnection.objects.filter(practice=practice).first()
    if connector is None and (connection is None or not connection.is_usable):
        return Refresh(
            False, f"The PMS connection is not active; {_as_of(practice, checked)}."
        )
    own = connector is None
    connector = connector or interactive_connector(connection)
    try:
        record = connector.fetch_patient(pms_id)
        photo = _photo_if_shown(practice, connector, pms_id)
    except PmsError as exc:
        if exc.status == 404:
            mark_deleted(practice, [Deletion(Entity.PATIENT, pms_id)], now)
            return Refresh(False, "The PMS no longer has this patient.")
        return Refresh(False, f"Could not reach the PMS; {_as_of(practice, checked)}.")
    finally:
        if own:
            connector.close()
    result = upsert_records(practice, Entity.PATIENT, [record], now)
    if result.rejected:
        return Refresh(
            False, f"The PMS sent this patient malformed: {result.rejected[0][1]}."
        )
    Patient.objects.filter(practice=practice, pms_id=pms_id).update(checked_at=now)
    if photo is not UNREAD:
        store_photo(practice, pms_id, photo, now)
    return Refresh(True, "Patient synced from the PMS.")


def _photo_if_shown(practice: Practice, connector: Connector, pms_id: str):
    """Return the patient's photo (None: none) if the practice shows photos.

    UNREAD when photos are off or not offered, or the PMS did not answer: what we
    hold stays, and the photo stream asks again later.
    """
    if not connector.supports(Capability.READ_PHOTOS):
        return UNREAD
    if not settings_for(practice).profile_photos_enabled:
        return UNREAD
    try:
        return read_photo(connector, pms_id)
    except PmsError:
        return UNREAD


def _as_of(practice: Practice, when: datetime | None) -> str:
    if when is None:
        return "no data for this patient yet"
    local = when.astimezone(practice.tzinfo)
    return f"showing data as of {local:%b} {local.day}, {local:%H:%M}"
