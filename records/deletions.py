"""Hide records deleted in the PMS at once; purge them in the nightly window."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction

from pms.base import Deletion
from practices.models import Practice

from .rows import MIRROR_MODELS, model_for
from .upsert import chunked

# A deletion of a record we never saw leaves a hidden tombstone row, so a page read
# just before the deletion cannot bring the record back; only recent deletions need
# one (older ones cannot race a page in flight).
TOMBSTONE_WINDOW = timedelta(days=1)


def mark_deleted(
    practice: Practice, deletions: Iterable[Deletion], now: datetime
) -> dict[str, int]:
    """Set `deleted_at` on the deleted records; return rows newly hidden per entity."""
    by_kind: dict[str, dict[str, Deletion]] = {}
    for deletion in deletions:
        by_kind.setdefault(str(deletion.entity), {})[deletion.pms_id] = deletion
    hidden: dict[str, int] = {}
    with transaction.atomic():
        for kind, wanted in by_kind.items():
            hidden[kind] = _mark(practice, kind, wanted, now)
    return hidden


def _mark(
    practice: Practice, kind: str, wanted: dict[str, Deletion], now: datetime
) -> int:
    model = model_for(kind)
    hidden = 0
    present: set[str] = set()
    for chunk in chunked(list(wanted)):
        rows = model.objects.filter(practice=practice, pms_id__in=chunk)
        hidden += rows.filter(deleted_at__isnull=True).update(deleted_at=now)
        present.update(rows.values_list("pms_id", flat=True))
    tombstones = [
        model(
            practice=practice,
            pms_id=pms_id,
            first_seen_at=now,
            last_synced_at=now,
            deleted_at=now,
        )
        for pms_id, deletion in wanted.items()
        if pms_id not in present
        and pms_id
        and len(pms_id) <= 64
        and (
            deletion.deleted_at is None or deletion.deleted_at >= now - TOMBSTONE_WINDOW
        )
    ]
    model.objects.bulk_create(tombstones, ignore_conflicts=True)
    return hidden


def purge_deleted(practice: Practice, marked_before: datetime) -> dict[str, int]:
    """Delete the practice's rows marked deleted before `marked_before`."""
    purged: dict[str, int] = {}
    with transaction.atomic():
        for kind, model in MIRROR_MODELS.items():
            count, _ = model.objects.filter(
                practice=practice, deleted_at__lt=marked_before
            ).delete()
            purged[kind] = count
    return purged
