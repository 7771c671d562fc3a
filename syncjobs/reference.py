"""Refresh the practice's reference values (providers, operatories, statuses, ...).

They land in practices.ReferenceItem (what settings map to; never deleted, only
marked inactive) and, for operatories and providers, in the mirror.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from pms.base import Capability, Entity, ReferenceValue
from practices.models import ReferenceItem, ReferenceKind
from records.rows import OPERATORY
from records.upsert import upsert_records

from .pages import RunContext, mark_step_done

STEP = "reference"


@dataclass(frozen=True)
class _ProviderFromReference:
    """A provider known only from the reference list (no provider feed)."""

    pms_id: str
    abbreviation: str
    active: bool


def refresh_reference(ctx: RunContext) -> None:
    """Fetch and store the reference values once per run (a checkpointed step)."""
    if STEP in ctx.stream.completed:
        return
    ctx.lease.renew()
    values = ctx.connector.fetch_reference()
    now = timezone.now()
    with transaction.atomic():
        store_reference(ctx.stream.practice, values, now)
        upserted = _mirror(ctx, values, now)
        mark_step_done(ctx, STEP)
        ctx.tally(fetched=len(values), upserted=upserted)


def store_reference(practice, values: list[ReferenceValue], now: datetime) -> None:
    """Upsert reference items; mark the ones the PMS no longer lists inactive."""
    known = [v for v in values if v.kind in ReferenceKind.values and v.pms_id]
    ReferenceItem.objects.bulk_create(
        [
            ReferenceItem(
                practice=practice,
                kind=v.kind,
                pms_id=v.pms_id[:100],
                label=v.label[:255],
                active=v.active,
                updated_at=now,
            )
            for v in {(v.kind, v.pms_id): v for v in known}.values()
        ],
        update_conflicts=True,
        unique_fields=["practice", "kind", "pms_id"],
        update_fields=["label", "active", "updated_at"],
    )
    for kind in {v.kind for v in known}:
        listed = [v.pms_id for v in known if v.kind == kind]
        ReferenceItem.objects.filter(practice=practice, kind=kind, active=True).exclude(
            pms_id__in=listed
        ).update(active=False, updated_at=now)


def _mirror(ctx: RunContext, values: list[ReferenceValue], now: datetime) -> int:
    practice = ctx.stream.practice
    operatories = [v for v in values if v.kind == ReferenceKind.OPERATORY]
    upserted = upsert_records(practice, OPERATORY, operatories, now).upserted
    if not ctx.connector.supports(Capability.READ_PROVIDERS):
        providers = [
            _ProviderFromReference(v.pms_id, v.label[:64], v.active)
            for v in values
            if v.kind == ReferenceKind.PROVIDER
        ]
        upserted += upsert_records(practice, Entity.PROVIDER, providers, now).upserted
    return upserted
