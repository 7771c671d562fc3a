"""Live changes: edits, moves, confirmations, new patients and deletions.

`apply_random_changes(store, n)` makes n changes at once (optionally all in the same
second, to test clients' cursor handling); `ChangeDriver` keeps making them at a
rate per practice while the simulator runs.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from . import records as r
from .store import Store

Action = Callable[[Store, random.Random, datetime], bool]


def apply_random_changes(
    store: Store, n: int, *, same_second: bool = False
) -> list[r.Change]:
    """Make `n` random realistic changes; return the journal entries they wrote."""
    rng = store.rng
    with store.lock:
        before = store.max_seq
        if same_second:
            with store.same_second() as now:
                _run(store, rng, n, now)
        else:
            _run(store, rng, n, None)
        return store.changes(since_seq=before)


def _run(store: Store, rng: random.Random, n: int, now: datetime | None) -> None:
    goal, attempts = store.max_seq + n, 0
    while store.max_seq < goal and attempts < n * 20:  # a no-op edit writes nothing
        attempts += 1
        action = rng.choices(ACTIONS, WEIGHTS)[0]
        action(store, rng, now or store.now())


def _pick(store: Store, rng: random.Random, kind: str, where: Any = None) -> Any:
    top = store.max_id(kind)
    if not top:
        return None
    found = store.query(kind, after_id=rng.randrange(top), where=where, limit=1)
    return found[0] if found else None


def _upcoming(store: Store, rng: random.Random, now: datetime, days: int = 30) -> Any:
    for _ in range(3):  # look at one random day of the window (cheap on large books)
        start = max(now, now + timedelta(days=rng.randrange(days)))
        window = store.query(
            r.APPOINTMENT,
            start=start,
            end=start + timedelta(days=1),
            where=lambda a: a.status == "scheduled",
        )
        if window:
            return rng.choice(window)
    return None


def _live_patient(record: r.Patient) -> bool:
    return record.status != "deleted"


def edit_patient(store: Store, rng: random.Random, now: datetime) -> bool:
    patient = _pick(store, rng, r.PATIENT, _live_patient)
    if patient is None:
        return False
    field, value = rng.choice(
        [
            (
                "mobile_phone",
                f"(555){rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}",
            ),
            (
                "email",
                f"{patient.first_name}.{rng.randrange(1000)}@example.org".lower(),
            ),
            ("address", f"{rng.randrange(10, 9999)} Changed Way"),
            ("preferred_name", patient.first_name[:4]),
            ("txt_ok", rng.choice(("yes", "no"))),
        ]
    )
    store.update(r.PATIENT, patient.id, **{field: value})
    return True


def _weekday(start: datetime) -> datetime:
    """Return `start`, or the Monday after it if it falls on a weekend (the
    generated office is closed then)."""
    while start.weekday() >= 5:
        start += timedelta(days=1)
    return start


def move_appointment(store: Store, rng: random.Random, now: datetime) -> bool:
    appt = _upcoming(store, rng, now)
    if appt is None:
        return False
    shift = timedelta(days=rng.randrange(-3, 8), minutes=rng.choice((-60, 0, 30, 90)))
    start = (appt.start + shift).replace(second=0)
    # Not into the past: a later day at the same office hour, never "in an hour"
    # (that put visits at 2:31 AM).
    while start < now + timedelta(hours=1):
        start += timedelta(days=1)
    store.update(r.APPOINTMENT, appt.id, start=_weekday(start))
    return True


def confirm_appointment(store: Store, rng: random.Random, now: datetime) -> bool:
    appt = _upcoming(store, rng, now, days=7)
    if appt is None:
        return False
    code = rng.choice(("confirmed", "confirmed", "sent", "left_message"))
    status = store.definition_by_code(r.CONFIRMATION_STATUS, code)
    store.update(r.APPOINTMENT, appt.id, confirmation_id=status.id if status else 0)
    return True


def new_patient(store: Store, rng: random.Random, now: datetime) -> bool:
    from .generator_people import FIRST_F, FIRST_M, LAST

    store.insert(
        r.PATIENT,
        r.Patient(
            guarantor_id=store.next_id(r.PATIENT),
            last_name=rng.choice(LAST),
            first_name=rng.choice(FIRST_F + FIRST_M),
            status="patient",
            birthdate=(now - timedelta(days=rng.randrange(2000, 30000))).date(),
            mobile_phone=f"(555){rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}",
            primary_provider_id=store.prefs.get("default_provider_id", 0),
            created_at=now,
            first_visit=None,
        ),
    )
    return True


def new_appointment(store: Store, rng: random.Random, now: datetime) -> bool:
    patient = _pick(store, rng, r.PATIENT, lambda p: p.status == "patient")
    operatory = _pick(store, rng, r.OPERATORY, lambda o: not o.is_hidden)
    if patient is None or operatory is None:
        return False
    start = _weekday(
        (now + timedelta(days=rng.randrange(1, 60))).replace(
            hour=rng.randrange(8, 17), minute=rng.choice((0, 20, 40)), second=0
        )
    )
    first = store.definitions(r.CONFIRMATION_STATUS)
    store.insert(
        r.APPOINTMENT,
        r.Appointment(
            patient_id=patient.id,
            start=start,
            length_min=rng.choice((30, 60)),
            operatory_id=operatory.id,
            provider_id=patient.primary_provider_id,
            confirmation_id=first[0].id if first else 0,
            created_at=now,
        ),
    )
    return True


def _set_status(status: str, days: int) -> Action:
    def action(store: Store, rng: random.Random, now: datetime) -> bool:
        appt = _upcoming(store, rng, now - timedelta(days=1), days=days)
        if appt is None:
            return False
        store.update(r.APPOINTMENT, appt.id, status=status)
        return True

    return action


def complete_appointment(store: Store, rng: random.Random, now: datetime) -> bool:
    """Set a visit of the last day that has already begun to complete."""
    begun = store.query(
        r.APPOINTMENT,
        start=now - timedelta(days=1),
        end=now,
        where=lambda a: a.status == "scheduled",
    )
    if not begun:
        return False
    store.update(r.APPOINTMENT, rng.choice(begun).id, status="complete")
    return True


def delete_appointment(store: Store, rng: random.Random, now: datetime) -> bool:
    appt = _upcoming(store, rng, now, days=60)
    if appt is None:
        return False
    store.delete(r.APPOINTMENT, appt.id)  # a UI delete: hard, with a tombstone
    return True


def soft_delete_patient(store: Store, rng: random.Random, now: datetime) -> bool:
    patient = _pick(store, rng, r.PATIENT, _live_patient)
    if patient is None:
        return False
    store.update(r.PATIENT, patient.id, status="deleted")
    return True


def add_commlog(store: Store, rng: random.Random, now: datetime) -> bool:
    patient = _pick(store, rng, r.PATIENT, _live_patient)
    kind = store.definition_by_code(r.NOTE_TYPE, rng.choice(("appt", "misc", "text")))
    if patient is None:
        return False
    store.insert(
        r.COMMLOG,
        r.Commlog(
            patient_id=patient.id,
            at=now,
            type_id=kind.id if kind else 0,
            note=rng.choice(
                (
                    "Left voicemail",
                    "Patient called about billing",
                    "Texted appointment reminder",
                )
            ),
            entered_at=now,
        ),
    )
    return True


def add_payment(store: Store, rng: random.Random, now: datetime) -> bool:
    patient = _pick(store, rng, r.PATIENT, _live_patient)
    if patient is None:
        return False
    kind = store.definition_by_code(r.PAYMENT_TYPE, "card")
    store.insert(
        r.PAYMENT,
        r.Payment(
            patient_id=patient.guarantor_id or patient.id,
            date=now.date(),
            entered=now.date(),
            amount_cents=rng.randrange(20, 500) * 100,
            type_id=kind.id if kind else 0,
        ),
    )
    return True


def _hard_delete(kind: str) -> Action:
    def action(store: Store, rng: random.Random, now: datetime) -> bool:
        record = _pick(store, rng, kind)
        if record is None:
            return False
        store.delete(kind, record.id)  # untracked in Open Dental (§3.4)
        return True

    return action


def soft_delete_procedure(store: Store, rng: random.Random, now: datetime) -> bool:
    proc = _pick(store, rng, r.PROCEDURE, lambda p: p.status == "planned")
    if proc is None:
        return False
    store.update(r.PROCEDURE, proc.id, status="deleted")
    return True


_PLAN: list[tuple[Action, int]] = [
    (edit_patient, 20),
    (move_appointment, 15),
    (confirm_appointment, 20),
    (new_patient, 8),
    (new_appointment, 10),
    (complete_appointment, 5),
    (_set_status("broken", 14), 4),
    (delete_appointment, 4),
    (soft_delete_patient, 2),
    (add_commlog, 6),
    (add_payment, 3),
    (_hard_delete(r.COMMLOG), 1),
    (_hard_delete(r.PAYMENT), 1),
    (_hard_delete(r.DOCUMENT), 1),
    (soft_delete_procedure, 1),
]
ACTIONS = [action for action, _ in _PLAN]
WEIGHTS = [weight for _, weight in _PLAN]


class ChangeDriver(threading.Thread):
    """Apply random changes to one store at `rate` per second until stopped."""

    def __init__(self, store: Store, rate: float) -> None:
        super().__init__(name="pms-simulator-changes", daemon=True)
        self.store = store
        self.rate = rate
        self._stop_event = threading.Event()

    def run(self) -> None:
        owed = 0.0
        last = time.monotonic()
        while not self._stop_event.wait(max(0.05, min(1.0, 1 / self.rate))):
            now = time.monotonic()
            owed += (now - last) * self.rate
            last = now
            if owed >= 1:
                apply_random_changes(self.store, int(owed))
                owed -= int(owed)

    def stop(self) -> None:
        """Stop after the current batch."""
        self._stop_event.set()
        self.join(timeout=5)
