"""Patient profile photos: when the practice switches them on, ask the PMS for the
picture of every patient synced since their last photo check.

One call per patient, so the stream reads on the incremental lane (fast syncs go
first) and checkpoints every BATCH patients; a backlog (all patients, the first
time) is worked off over several runs. The patient card checks its patient's
photo too when it refreshes (syncjobs/refresh.py).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from pms.base import Capability, Connector, PatientPhoto, PmsError
from practices.models import Practice
from records.models import Patient

from .engine import execute
from .lease import Lease
from .models import RunStatus, SyncRun, SyncStream
from .pages import RunContext
from .schedule import settings_for

BATCH = 10  # patients per checkpoint


def run_photo_sync(
    stream: SyncStream, *, lease: Lease | None = None, **options
) -> SyncRun:
    """Read the photos of the patients synced since their last photo check."""
    return execute(stream, _photos, lease=lease, **options)


def not_offered(label: str) -> str:
    """Return the reason shown when a PMS offers no patient photos."""
    return f"Patient profile photos are not offered by {label}"


def patients_to_check(practice: Practice) -> QuerySet[Patient]:
    """Return live patients never photo-checked or synced since, oldest first."""
    return (
        Patient.objects.of(practice)
        .filter(
            Q(photo_checked_at__isnull=True)
            | Q(last_synced_at__gt=F("photo_checked_at"))
        )
        .order_by("last_synced_at", "pk")
    )


def read_photo(connector: Connector, pms_id: str) -> PatientPhoto | None:
    """Return the patient's photo; None also when the PMS no longer has them."""
    try:
        return connector.fetch_patient_photo(pms_id)
    except PmsError as exc:
        if exc.status == 404:
            return None  # the deletion feeds hide the patient
        raise


def store_photo(
    practice: Practice, pms_id: str, photo: PatientPhoto | None, now: datetime
) -> bool:
    """Save what the PMS said about the patient's photo; True if it changed."""
    values = {
        "photo_pms_id": photo.pms_id if photo else "",
        "photo_taken_at": photo.taken_at if photo else None,
    }
    rows = Patient.objects.filter(practice=practice, pms_id=pms_id)
    changed = rows.exclude(**values).exists()
    # Never before the patient's own sync time, so a patient is asked about once
    # per sync even when that time is ahead of ours.
    rows.update(photo_checked_at=Greatest(Value(now), F("last_synced_at")), **values)
    return changed


def _photos(ctx: RunContext) -> bool:
    practice = ctx.stream.practice
    if not ctx.connector.supports(Capability.READ_PHOTOS):
        ctx.final_status = RunStatus.SKIPPED
        ctx.note = not_offered(ctx.connector.label)
        return True
    if not settings_for(practice).profile_photos_enabled:
        ctx.final_status = RunStatus.SKIPPED
        ctx.note = "Patient profile photos are switched off in PMS Sync Settings"
        return True
    while not ctx.out_of_time():
        batch = list(
            patients_to_check(practice).values_list("pms_id", flat=True)[:BATCH]
        )
        if not batch:
            return True
        photos = {}
        for pms_id in batch:
            ctx.lease.renew()
            photos[pms_id] = read_photo(ctx.connector, pms_id)
        now = timezone.now()
        with transaction.atomic():
            ctx.lease.renew()
            changed = sum(store_photo(practice, i, p, now) for i, p in photos.items())
            ctx.tally(
                pages=1,
                fetched=len(batch),
                upserted=changed,
                unchanged=len(batch) - changed,
            )
    return False
