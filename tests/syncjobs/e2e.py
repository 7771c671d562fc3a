"""Helpers for end-to-end tests: a practice connected to the simulator over HTTP,
an inline stand-in for dispatcher + workers, and a mirror-vs-store comparison of
every stored column of every live record."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from pms.simulator import records as r
from pms.simulator.faces.opendental import wire as od
from practices.models import PmsConnection, PmsType, Practice
from records.models import (
    Appointment,
    Operatory,
    Patient,
    Payment,
    Procedure,
    Provider,
)
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
# Operatories come from the reference list, not a change feed.
COMPARED = {**MIRROR, r.OPERATORY: Operatory}


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


def mirror_differences(practice: Practice, store, kinds=tuple(COMPARED)) -> list[str]:
    """Return every difference between the mirror's live rows and the store.

    Every column a mirror model stores from the PMS (`DATA_FIELDS`) and its modified
    time are compared with what Open Dental shows for the store's record.
    """
    problems: list[str] = []
    for kind in kinds:
        model = COMPARED[kind]
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
        differ: list[str] = []
        for pms_id in sorted(set(records) & set(rows), key=int):
            want = expected_row(practice, store, kind, records[pms_id])
            got = {name: getattr(rows[pms_id], name) for name in want}
            differ += [
                f"{kind} {pms_id}: {name} {got[name]!r} != {want[name]!r}"
                for name in want
                if got[name] != want[name]
            ]
        problems += differ[:10]
        if len(differ) > 10:
            problems.append(f"... and {len(differ) - 10} more {kind} differences")
    return problems


def expected_row(practice: Practice, store, kind: str, record) -> dict[str, Any]:
    """Return the mirror columns Open Dental's view of `record` should produce."""
    model = COMPARED[kind]
    values = _OPEN_DENTAL[kind](practice, store, record)
    assert set(values) == set(model.DATA_FIELDS), f"compare every {kind} column"
    if kind == r.OPERATORY:  # a reference value: no change stamp
        return {**values, "pms_modified_at": None}
    return {**values, "pms_modified_at": local(practice, record.modified_at)}


def _id(value: int) -> str:
    return str(value) if value else ""  # §1.6: a foreign key of 0 means none


def _patient(practice: Practice, store, p) -> dict[str, Any]:
    return {
        "first_name": p.first_name,
        "last_name": p.last_name,
        "birthdate": p.birthdate,
        "email": p.email,
        "phone": p.mobile_phone or p.home_phone or p.work_phone,
        "status": od.PAT_STATUS[p.status],
        "guarantor_pms_id": _id(p.guarantor_id),
    }


def _appointment(practice: Practice, store, a) -> dict[str, Any]:
    return {
        "patient_pms_id": _id(a.patient_id),
        "provider_pms_id": _id(a.provider_id),
        "operatory_pms_id": _id(a.operatory_id),
        "start_at": local(practice, a.start),
        "duration_minutes": len(od.pattern(a.length_min)) * 5,
        "status": od.APT_STATUS[a.status],
        "confirmation_pms_id": _id(a.confirmation_id),
        "note": od.text(a.note),
        # opendental-api.md §7: off the calendar.
        "on_schedule": a.status
        not in ("planned", "unscheduled", "pt_note", "pt_note_completed"),
    }


def _provider(practice: Practice, store, p) -> dict[str, Any]:
    return {
        "abbreviation": p.abbr,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "active": not p.is_hidden and not p.is_deleted,
    }


def _operatory(practice: Practice, store, o) -> dict[str, Any]:
    return {"label": o.name or o.abbrev, "active": not o.is_hidden}


def _procedure(practice: Practice, store, p) -> dict[str, Any]:
    return {
        "patient_pms_id": _id(p.patient_id),
        "code": p.code,
        "fee": Decimal(p.fee_cents) / 100,
        "status": od.PROC_STATUS[p.status],
        "performed_on": p.date,
        "appointment_pms_id": _id(p.appointment_id),
        "provider_pms_id": _id(p.provider_id),
    }


def _payment(practice: Practice, store, p) -> dict[str, Any]:
    return {
        "patient_pms_id": _id(p.patient_id),
        "amount": Decimal(p.amount_cents) / 100,
        "paid_on": p.date,
        "payment_type_pms_id": _id(p.type_id),
        "note": od.text(p.note),
    }


_OPEN_DENTAL = {
    r.PATIENT: _patient,
    r.APPOINTMENT: _appointment,
    r.PROVIDER: _provider,
    r.OPERATORY: _operatory,
    r.PROCEDURE: _procedure,
    r.PAYMENT: _payment,
}


def make_due(practice: Practice, kinds) -> None:
    """Bring the next cycle of these streams forward to now (skip the interval)."""
    SyncStream.objects.filter(
        practice=practice, kind__in=kinds, state="scheduled"
    ).update(next_due_at=timezone.now())
