"""Deterministic generation of a simulated practice's history.

Same (size, seed, years, today) -> the same records. Tiers follow the help center's
practice sizes: small < 50 appointments per working day, medium 50-150, large > 150
(a large practice: >= 25,000 patients, >= 250,000 appointments).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from . import records as r
from .generator_people import make_patients, make_providers_and_operatories
from .generator_schedules import make_schedules
from .generator_visits import make_visits
from .store import Store


@dataclass(frozen=True)
class Tier:
    per_day: tuple[int, int]  # appointments per working day (low, high)
    years: float  # history length
    patients: int
    dentists: int
    hygienists: int
    inactive_providers: int
    operatories: int


SIZES: dict[str, Tier] = {
    "small": Tier((22, 44), 2.0, 2_500, 2, 2, 1, 5),
    "medium": Tier((70, 130), 3.0, 9_000, 4, 4, 2, 10),
    "large": Tier((180, 230), 5.0, 28_000, 8, 8, 3, 18),
}

# (kind, name, value, code, hidden); order is the list order per kind.
DEFINITIONS = [
    (r.CONFIRMATION_STATUS, "Unconfirmed", "", "unconfirmed", False),
    (r.CONFIRMATION_STATUS, "Not Called", "", "not_called", False),
    (r.CONFIRMATION_STATUS, "Left Msg", "", "left_message", False),
    (r.CONFIRMATION_STATUS, "No Answer", "", "no_answer", False),
    (r.CONFIRMATION_STATUS, "eConfirm Sent", "", "sent", False),
    (r.CONFIRMATION_STATUS, "Appointment Confirmed", "", "confirmed", False),
    (r.CONFIRMATION_STATUS, "eConfirm Declined", "", "declined", False),
    (r.CONFIRMATION_STATUS, "eConfirm Failed", "", "send_failed", False),
    (r.CONFIRMATION_STATUS, "Arrived", "", "arrived", False),
    (r.CONFIRMATION_STATUS, "Called (old)", "", "", True),
    (r.NOTE_TYPE, "Appointment Related", "APPT", "appt", False),
    (r.NOTE_TYPE, "Financial", "FIN", "fin", False),
    (r.NOTE_TYPE, "Recall", "RECALL", "recall", False),
    (r.NOTE_TYPE, "Misc", "MISC", "misc", False),
    (r.NOTE_TYPE, "Text Message", "TEXT", "text", False),
    (r.NOTE_TYPE, "Insurance", "", "insurance", False),
    (r.NOTE_TYPE, "Old Notes", "", "", True),
    (r.DOCUMENT_CATEGORY, "Patient Information", "", "info", False),
    (r.DOCUMENT_CATEGORY, "X-Rays", "X", "xray", False),
    (r.DOCUMENT_CATEGORY, "Patient Pictures", "P", "picture", False),
    (r.DOCUMENT_CATEGORY, "Statements", "S", "statement", False),
    (r.DOCUMENT_CATEGORY, "Treatment Plans", "R", "treatment_plan", False),
    (r.DOCUMENT_CATEGORY, "Patient Forms", "F", "forms", False),
    (r.DOCUMENT_CATEGORY, "Insurance Cards", "", "insurance", False),
    (r.DOCUMENT_CATEGORY, "Old Scans", "", "", True),
    (r.PAYMENT_TYPE, "Cash", "", "cash", False),
    (r.PAYMENT_TYPE, "Check", "", "check", False),
    (r.PAYMENT_TYPE, "Credit Card", "", "card", False),
    (r.PAYMENT_TYPE, "Care Credit", "", "financing", False),
    (r.PAYMENT_TYPE, "Online Payment", "", "online", False),
    (r.PAYMENT_TYPE, "Old Card Terminal", "", "", True),
    (r.BILLING_TYPE, "Standard Account", "", "standard", False),
    (r.BILLING_TYPE, "Insurance Only", "", "insurance", False),
    (r.BILLING_TYPE, "Collections", "", "collections", False),
    (r.UNSCHED_STATUS, "Called - Left Msg", "", "left_message", False),
    (r.UNSCHED_STATUS, "Will Call Back", "", "call_back", False),
    (r.UNSCHED_STATUS, "Do Not Call", "", "do_not_call", False),
    (r.PROVIDER_SPECIALTY, "General", "", "general", False),
    (r.PROVIDER_SPECIALTY, "Hygienist", "", "hygienist", False),
    (r.PROVIDER_SPECIALTY, "Endodontics", "", "endodontics", False),
    (r.PROVIDER_SPECIALTY, "Orthodontics", "", "orthodontics", False),
    (r.PROVIDER_SPECIALTY, "Periodontics", "", "periodontics", False),
    (r.BLOCKOUT_TYPE, "Staff Meeting", "", "meeting", False),
    (r.BLOCKOUT_TYPE, "Emergency Only", "", "emergency", False),
    (r.BLOCKOUT_TYPE, "New Patients", "", "new_patients", False),
    (r.BLOCKOUT_TYPE, "Old Block", "", "", True),
]


def generate(
    store: Store,
    size: str,
    seed: int,
    *,
    years: float | None = None,
    today: date | None = None,
) -> None:
    """Fill an empty store with a practice of `size` (small | medium | large)."""
    tier = SIZES[size]
    rng = random.Random(f"pbnsync-sim/{seed}")
    if today is None:
        now = store.now()
    else:  # a fixed "now" keeps every stamp, and so the whole practice, deterministic
        now = datetime.combine(today, time(7, 0))
    start = now.date() - timedelta(
        days=round(365.25 * (tier.years if years is None else years))
    )
    history_start = datetime.combine(start, time(8, 0))
    defs = _definitions(history_start)
    by_code = {(d.kind, d.code): d.id for d in defs}
    providers, operatories = make_providers_and_operatories(
        rng, tier, history_start, by_code
    )
    patients = make_patients(rng, tier, providers, start, now, by_code)
    visits = make_visits(
        rng, tier, start, now, patients, providers, operatories, by_code
    )
    schedules = make_schedules(
        providers, operatories, now, history_start, by_code, seed
    )
    store.prefs.update(
        confirm_none=by_code[(r.CONFIRMATION_STATUS, "unconfirmed")],
        confirm_sent=by_code[(r.CONFIRMATION_STATUS, "sent")],
        confirm_accepted=by_code[(r.CONFIRMATION_STATUS, "confirmed")],
        confirm_declined=by_code[(r.CONFIRMATION_STATUS, "declined")],
        confirm_failed=by_code[(r.CONFIRMATION_STATUS, "send_failed")],
        payment_type_api=by_code[(r.PAYMENT_TYPE, "online")],
        default_provider_id=providers[0].id,
        practice_title=f"Simulated {size} practice",
        generated_now=now,
    )
    store.bulk_load(
        {
            r.DEFINITION: defs,
            r.PROVIDER: providers,
            r.OPERATORY: operatories,
            r.PATIENT: patients,
            **visits,
            r.SCHEDULE: schedules,
        }
    )


def _definitions(at: datetime) -> list[r.Definition]:
    orders: dict[str, int] = {}
    made = []
    for i, (kind, name, value, code, hidden) in enumerate(DEFINITIONS, start=1):
        order = orders[kind] = orders.get(kind, -1) + 1
        made.append(
            r.Definition(
                id=i,
                modified_at=at,
                kind=kind,
                name=name,
                value=value,
                code=code,
                order=order,
                is_hidden=hidden,
            )
        )
    return made
