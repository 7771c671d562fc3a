"""Refresh a practice's reference items (providers, note types, ...) from its PMS."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from pms.base import Lane, ReferenceValue
from pms.config import connector_for_connection

from .models import Practice, ReferenceItem, ReferenceKind


@dataclass(frozen=True)
class ReferenceSummary:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} new, {self.updated} changed, "
            f"{self.deactivated} no longer in the PMS"
        )


def refresh_reference_items(
    practice: Practice, lane: Lane = Lane.FAST
) -> ReferenceSummary:
    """Fetch the PMS's reference lists and upsert them; raises PmsError on failure."""
    connector = connector_for_connection(practice.connection, lane)
    try:
        values = connector.fetch_reference()
    finally:
        connector.close()
    return apply_reference_values(practice, values)


@transaction.atomic
def apply_reference_values(
    practice: Practice, values: list[ReferenceValue]
) -> ReferenceSummary:
    """Upsert `values` by (kind, pms_id); mark the vanished ones inactive.

    Rows are never deleted, so a saved mapping keeps pointing at something a
    person can recognise (shown as inactive).
    """
    kinds = set(ReferenceKind.values)
    incoming: dict[tuple[str, str], ReferenceValue] = {
        (value.kind, value.pms_id): value
        for value in values
        if value.kind in kinds and value.pms_id
    }
    existing = {
        (item.kind, item.pms_id): item
        for item in ReferenceItem.objects.select_for_update().filter(practice=practice)
    }
    now = timezone.now()
    to_create, to_update = [], []
    created = updated = deactivated = unchanged = 0
    for key, value in incoming.items():
        label = value.label[:255] or value.pms_id
        item = existing.get(key)
        if item is None:
            to_create.append(
                ReferenceItem(
                    practice=practice,
                    kind=value.kind,
                    pms_id=value.pms_id[:100],
                    label=label,
                    active=value.active,
                )
            )
            created += 1
        elif (item.label, item.active) != (label, value.active):
            item.label, item.active, item.updated_at = label, value.active, now
            to_update.append(item)
            updated += 1
        else:
            unchanged += 1
    for key, item in existing.items():
        if key not in incoming and item.active:
            item.active, item.updated_at = False, now
            to_update.append(item)
            deactivated += 1
    ReferenceItem.objects.bulk_create(to_create)
    ReferenceItem.objects.bulk_update(to_update, ["label", "active", "updated_at"])
    return ReferenceSummary(created, updated, deactivated, unchanged)
