"""Read again, one by one, records that arrived malformed in an earlier page.

The page walk has moved past them, so without this a record broken in transit
would stay stale until it next changes. Bounded per run; a record the PMS keeps
sending broken stays an open failure for staff.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from pms.base import Entity, PmsError
from records.upsert import upsert_records

from .models import RecordFailure
from .pages import RunContext

PER_RUN = 25
RECENT = timedelta(days=7)


def refetch_failed(ctx: RunContext) -> None:
    """Fetch open recent failures of patients and appointments and store them."""
    if not ctx.has_open_failures:
        return
    fetchers = {
        Entity.PATIENT: ctx.connector.fetch_patient,
        Entity.APPOINTMENT: ctx.connector.fetch_appointment,
    }
    failures = (
        RecordFailure.objects.filter(
            practice_id=ctx.stream.practice_id,
            entity__in=list(fetchers),
            resolved_at__isnull=True,
            created_at__gte=timezone.now() - RECENT,
        )
        .exclude(pms_id="")
        .values_list("entity", "pms_id")
        .distinct()[:PER_RUN]
    )
    for entity, pms_id in list(failures):
        ctx.lease.renew()
        try:
            record = fetchers[entity](pms_id)
        except PmsError as exc:
            if exc.status == 404:  # gone from the PMS: nothing left to store
                _resolve(ctx, entity, pms_id)
            continue
        now = timezone.now()
        with transaction.atomic():
            result = upsert_records(ctx.stream.practice, entity, [record], now)
            if result.landed:
                _resolve(ctx, entity, pms_id)
            ctx.tally(fetched=1, upserted=result.upserted)


def _resolve(ctx: RunContext, entity: str, pms_id: str) -> None:
    RecordFailure.objects.filter(
        practice_id=ctx.stream.practice_id,
        entity=entity,
        pms_id=pms_id,
        resolved_at__isnull=True,
    ).update(resolved_at=timezone.now())
