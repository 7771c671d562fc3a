"""Find deletions the PMS does not track (Open Dental payments vanish untracked,
and its patient list may leave soft-deleted patients out).

A nightly walk lists every id the PMS still has and stamps those rows; rows seen
before the walk but not stamped by it are suspects. Because an offset walk can
skip a row when another is deleted meanwhile, each suspect is confirmed against
its patient's own list before it is hidden.

When a connector's native deletion feed is off (the last deletions run was skipped,
see syncjobs.deletions), its `deletion_fallback` entities are reconciled the same
way; a suspect patient is confirmed gone by reading it (a 404).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from pms.base import Capability, Deletion, Entity, IdWindow, PmsError, RecordError
from records.deletions import mark_deleted
from records.queries import day_bounds
from records.rows import model_for
from records.upsert import chunked

from .models import OPEN_RUN_STATUSES, RunStatus, StreamKind, SyncRun, SyncStream
from .pages import PageCounts, RunContext, pull, record_failures, upsert_writer

MAX_PATIENTS_CHECKED = 200  # per entity and night; the rest wait a night


def reconcile_all(ctx: RunContext) -> bool:
    """Reconcile every untracked entity; False if the time slice ran out."""
    if not ctx.connector.supports(Capability.RECONCILE_IDS):
        return True
    untracked = ctx.connector.untracked_deletions
    entities = sorted(untracked)
    if ctx.connector.deletion_fallback and native_deletions_off(ctx.stream.practice_id):
        entities += sorted(ctx.connector.deletion_fallback - untracked)
    return all(reconcile(ctx, entity) for entity in entities)


def native_deletions_off(practice_id: int) -> bool:
    """Return whether the practice's last finished deletions run was skipped."""
    last = (
        SyncRun.objects.filter(practice_id=practice_id, kind=StreamKind.DELETIONS)
        .exclude(status__in=OPEN_RUN_STATUSES)
        .values_list("status", flat=True)
        .first()
    )
    return last == RunStatus.SKIPPED


def reconcile(ctx: RunContext, entity: Entity) -> bool:
    """Walk the PMS's ids of `entity`, then hide the confirmed missing ones."""
    key, started_key = f"reconcile:{entity}", f"reconcile:{entity}:started"
    stream = ctx.stream
    if key in stream.completed:
        return True
    if started_key not in stream.cursors:
        _checkpoint(ctx, {**stream.cursors, started_key: timezone.now().isoformat()})
    started = datetime.fromisoformat(stream.cursors[started_key])
    window = ctx.connector.reconcile_window(
        entity, started.astimezone(stream.practice.tzinfo).date()
    )
    reread_key = f"{key}:records"
    if entity in ctx.connector.reread_nightly:
        walked = _reread(ctx, entity, reread_key, started)
    else:
        walked = _walk_ids(ctx, window, key, started)
    if not walked:
        return False
    gone = _confirmed_missing(ctx, window, started)
    with transaction.atomic():
        hidden = mark_deleted(
            stream.practice,
            [Deletion(entity, pms_id) for pms_id in gone],
            timezone.now(),
        )
        done = (key, started_key, reread_key)
        cursors = {k: v for k, v in stream.cursors.items() if k not in done}
        ctx.lease.checkpoint(cursors=cursors, completed=[*stream.completed, key])
        stream.cursors, stream.completed = cursors, [*stream.completed, key]
        ctx.tally(deleted=sum(hidden.values()))
    return True


def _walk_ids(ctx: RunContext, window: IdWindow, key: str, started: datetime) -> bool:
    """Stamp every id the PMS lists in `window`; False if the slice ran out."""
    stream, model = ctx.stream, model_for(window.entity)
    while stream.cursors.get(key) != "done":
        if ctx.out_of_time():
            return False
        ctx.lease.renew()
        page = ctx.connector.fetch_present_ids(window, stream.cursors.get(key))
        with transaction.atomic():
            _stamp(stream, model, page.records, started)
            cursor = page.cursor if page.has_more else "done"
            _checkpoint(ctx, {**stream.cursors, key: cursor})
            ctx.tally(pages=1, fetched=len(page.records))
    return True


def _reread(ctx: RunContext, entity: Entity, key: str, started: datetime) -> bool:
    """Read every record of `entity` again, upserting and stamping it; False if the
    slice ran out. For a PMS whose change filter cannot see edits (Open Dental's
    payments filter by entry date), this walk is also the night's id walk."""
    if ctx.stream.cursors.get(key) == "done":
        return True
    upsert = upsert_writer(entity)
    model = model_for(entity)

    def write(stream: SyncStream, records: list, now: datetime) -> PageCounts:
        counts = upsert(stream, records, now)
        _stamp(stream, model, [record.pms_id for record in records], started)
        return counts

    if not pull(
        ctx,
        key,
        lambda cursor: ctx.connector.fetch_changed(entity, cursor),
        write,
        entity=entity,
    ):
        return False
    # The walk's last cursor is a watermark: keep none, so a run resumed (or tried
    # again tomorrow) never takes it for a full read.
    _checkpoint(ctx, {**ctx.stream.cursors, key: "done"})
    return True


def _stamp(stream: SyncStream, model, pms_ids: list[str], started: datetime) -> None:
    """Mark the rows the PMS still lists as seen by the walk begun at `started`."""
    for chunk in chunked(pms_ids):
        model.objects.filter(practice_id=stream.practice_id, pms_id__in=chunk).update(
            reconciled_at=started
        )


def _checkpoint(ctx: RunContext, cursors: dict) -> None:
    ctx.lease.checkpoint(cursors=cursors)
    ctx.stream.cursors = cursors


def _confirmed_missing(
    ctx: RunContext, window: IdWindow, started: datetime
) -> list[str]:
    """Return the suspects confirmed gone (patients read, others by patient list)."""
    entity = window.entity
    unstamped = (
        model_for(entity)
        .objects.of(ctx.stream.practice)
        .filter(first_seen_at__lt=started)
        .filter(Q(reconciled_at__isnull=True) | Q(reconciled_at__lt=started))
    )
    if entity == Entity.APPOINTMENT and window.since and window.until:
        # Only the days the walk listed can hold suspects.
        practice = ctx.stream.practice
        unstamped = unstamped.filter(
            start_at__gte=day_bounds(practice, window.since)[0],
            start_at__lt=day_bounds(practice, window.until)[1],
        )
    # Longest unconfirmed first, so a night's cap rotates through the suspects.
    unstamped = unstamped.order_by(F("reconciled_at").asc(nulls_first=True), "pms_id")
    model = model_for(entity)
    if entity == Entity.PATIENT:
        checked = list(
            unstamped.values_list("pms_id", flat=True)[:MAX_PATIENTS_CHECKED]
        )
        gone = [p for p in checked if _patient_gone(ctx, p)]
    else:
        by_patient: dict[str, list[str]] = {}
        for pms_id, patient in unstamped.exclude(patient_pms_id="").values_list(
            "pms_id", "patient_pms_id"
        ):
            by_patient.setdefault(patient, []).append(pms_id)
        checked, gone = [], []
        for patient in list(by_patient)[:MAX_PATIENTS_CHECKED]:
            present = _all_ids(ctx, IdWindow(entity, patient_pms_id=patient))
            checked += by_patient[patient]
            gone += [pms_id for pms_id in by_patient[patient] if pms_id not in present]
    # Confirmed present: stamped, so tomorrow's cap reaches the others first.
    _stamp(ctx.stream, model, sorted(set(checked) - set(gone)), started)
    return gone


def _patient_gone(ctx: RunContext, pms_id: str) -> bool:
    """Return whether the PMS no longer has the patient, or has it soft-deleted.

    A patient the PMS answers about but that cannot be read is kept and recorded
    as a failure staff can see, and the night goes on.
    """
    ctx.lease.renew()
    try:
        return ctx.connector.fetch_patient(pms_id).is_deleted
    except PmsError as exc:
        if exc.permanent and exc.status == 404:
            return True
        if not exc.permanent:
            raise
        error = RecordError(Entity.PATIENT, pms_id, f"not confirmed deleted: {exc}")
        record_failures(ctx, Entity.PATIENT, [error], [], timezone.now())
        return False


def _all_ids(ctx: RunContext, window: IdWindow) -> set[str]:
    ids: set[str] = set()
    cursor = None
    while True:
        ctx.lease.renew()
        page = ctx.connector.fetch_present_ids(window, cursor)
        ids.update(page.records)
        if not page.has_more:
            return ids
        cursor = page.cursor
