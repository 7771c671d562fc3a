"""Helpers for end-to-end tests: a practice connected to the simulator over HTTP,
an inline stand-in for dispatcher + workers, and a full mirror-vs-store comparison."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.utils import timezone

from pms.simulator import records as r
from practices.models import PmsConnection, PmsType, Practice
from records.models import Appointment, Patient, Payment, Procedure, Provider
from syncjobs.models import SyncRun, SyncStream
from syncjobs.runner import run_stream
from syncjobs.schedule import ensure_streams

MIRROR = {
    r.PATIENT: Patient,
    r.APPOINTMENT: Appointment,
    r.PROCEDURE: Procedure,
    r.PAYMENT: Payment,
    r.PROVIDER: Provider,
}


def connect_open_dental(practice: Practice, sim) -> PmsConnection:
    """Point `practice` at the simulated practice's Open Dental face."""
    practice.time_zone = str(sim.store.clock.tz)
    practice.save(update_fields=["time_zone"])
    creds = sim.credentials
    connection = PmsConnection.objects.create(
        practice=practice,
        pms_type=PmsType.OPEN_DENTAL,
        base_url=sim.od_url,
        developer_key=creds["od_developer_key"],
        customer_key=creds["od_customer_key"],
    )
    ensure_streams(practice)
    return connection


def drain(practice: Practice, kinds=None, timeout: float = 60.0) -> list[SyncRun]:
    """Run the practice's due streams inline until none is due or retrying."""
    runs: list[SyncRun] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        streams = SyncStream.objects.filter(practice=practice).select_related(
            "practice"
        )
        if kinds is not None:
            streams = streams.filter(kind__in=kinds)
        due = list(streams.due(timezone.now()))
        if due:
            runs += [run_stream(stream) for stream in due]
            continue
        waiting = streams.filter(state="retrying").order_by("next_due_at").first()
        if waiting is None:
            return runs
        time.sleep(max(0.0, (waiting.next_due_at - timezone.now()).total_seconds()))
    raise AssertionError(f"streams still busy after {timeout}s: {runs[-5:]}")


def expected_live(kind: str, record) -> bool:
    if kind == r.PATIENT:
        return record.status != "deleted"
    if kind == r.PROCEDURE:
        return record.status != "deleted"
    return True


def local(practice: Practice, naive: datetime) -> datetime:
    """Return office-local `naive` in UTC (DST-gap times compare unequal otherwise)."""
    return naive.replace(tzinfo=practice.tzinfo).astimezone(UTC)


def mirror_differences(practice: Practice, store, kinds=tuple(MIRROR)) -> list[str]:
    """Return every difference between the mirror's live rows and the store."""
    problems: list[str] = []
    for kind in kinds:
        model = MIRROR[kind]
        with store.lock:
            records = {
                str(x.id): x for x in store.query(kind) if expected_live(kind, x)
            }
        rows = {
            row.pms_id: row for row in model.objects.of(practice).order_by("pms_id")
        }
        for missing in sorted(set(records) - set(rows), key=int)[:10]:
            problems.append(f"{kind} {missing} missing from the mirror")
        for extra in sorted(set(rows) - set(records), key=int)[:10]:
            problems.append(f"{kind} {extra} in the mirror but not live in the PMS")
        for pms_id in set(records) & set(rows):
            record, row = records[pms_id], rows[pms_id]
            want = local(practice, record.modified_at)
            if kind != r.PAYMENT and row.pms_modified_at != want:
                problems.append(
                    f"{kind} {pms_id}: modified {row.pms_modified_at} != {want}"
                )
            problems += _fields(kind, pms_id, record, row)
    return problems


def _fields(kind: str, pms_id: str, record, row) -> list[str]:
    pairs = []
    if kind == r.PATIENT:
        pairs = [(row.last_name, record.last_name), (row.first_name, record.first_name)]
    elif kind == r.APPOINTMENT:
        pairs = [
            (row.patient_pms_id, str(record.patient_id)),
            (row.confirmation_pms_id, str(record.confirmation_id or "")),
            (row.duration_minutes, record.length_min),
        ]
    elif kind == r.PROCEDURE:
        pairs = [(row.code, record.code), (int(row.fee * 100), record.fee_cents)]
    elif kind == r.PAYMENT:
        pairs = [(int(row.amount * 100), record.amount_cents)]
    return [
        f"{kind} {pms_id}: {got!r} != {want!r}" for got, want in pairs if got != want
    ]


def make_due(practice: Practice, kinds) -> None:
    """Bring the next cycle of these streams forward to now (skip the interval)."""
    SyncStream.objects.filter(
        practice=practice, kind__in=kinds, state="scheduled"
    ).update(next_due_at=timezone.now())
