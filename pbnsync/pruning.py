"""Delete old rows a batch at a time."""

from __future__ import annotations

from django.db.models import QuerySet

BATCH = 5000


def delete_in_batches(rows: QuerySet, batch: int | None = None) -> int:
    """Delete `rows` (and what cascades from them) BATCH at a time, each batch its
    own transaction, so a first prune of months of rows never holds one long lock
    or loads every id at once. Return how many of `rows` went."""
    size = batch or BATCH
    model = rows.model
    deleted = 0
    while ids := list(rows.values_list("pk", flat=True)[:size]):
        _, per_model = model.objects.filter(pk__in=ids).delete()
        deleted += per_model.get(model._meta.label, 0)
    return deleted
