"""Replace the mirrored schedule (provider hours, blockouts) with a fresh read.

Schedules have no change feed and no deletion trail in the PMS APIs, so each read
covers a whole window of days and the mirror keeps exactly what it returned: new
and changed entries are upserted, the rest are deleted, entries outside the window
included (the mirror never claims days it did not read).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction

from pms.base import Entity, ScheduleBlock
from practices.models import Practice

from .models import ScheduleBlock as StoredBlock
from .models import ScheduleWindow
from .upsert import UpsertResult, chunked, upsert_records


def replace_schedules(
    practice: Practice,
    blocks: list[ScheduleBlock],
    first_day: date,
    last_day: date,
    now: datetime,
    *,
    keep: Iterable[str] = (),
) -> UpsertResult:
    """Make the practice's schedule mirror equal to `blocks` for the window.

    `keep`: ids the PMS listed but sent unreadable; their stored rows stay.
    `UpsertResult.deleted` counts the entries removed.
    """
    with transaction.atomic():
        result = upsert_records(practice, Entity.SCHEDULE, blocks, now)
        listed = {b.pms_id for b in blocks} | set(keep)
        stored = StoredBlock.objects.filter(practice=practice).values_list(
            "pms_id", flat=True
        )
        gone = [pms_id for pms_id in stored if pms_id not in listed]
        for chunk in chunked(gone):
            StoredBlock.objects.filter(practice=practice, pms_id__in=chunk).delete()
        result.deleted = len(gone)
        ScheduleWindow.objects.update_or_create(
            practice=practice,
            defaults={"first_day": first_day, "last_day": last_day, "synced_at": now},
        )
    return result
