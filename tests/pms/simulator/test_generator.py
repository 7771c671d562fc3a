"""The deterministic practice generator: sizes, mixes, determinism."""

from collections import Counter
from dataclasses import astuple
from datetime import date, datetime, timedelta

import pytest

from pms.simulator import records as r
from pms.simulator.generator import SIZES, generate
from pms.simulator.store import Store

TODAY = date(2025, 6, 2)


def build(size: str = "small", seed: int = 3, years: float = 0.5) -> Store:
    store = Store()
    generate(store, size, seed, years=years, today=TODAY)
    return store


def digest(store: Store) -> list[tuple]:
    return [astuple(x) for kind in r.KINDS for x in store.query(kind)]


def per_working_day(store: Store) -> float:
    end = datetime.combine(TODAY, datetime.min.time())
    recent = store.query(r.APPOINTMENT, start=end - timedelta(days=28), end=end)
    return len(recent) / len({a.start.date() for a in recent})


def test_the_same_seed_makes_the_same_practice():
    assert digest(build(seed=5)) == digest(build(seed=5))


def test_another_seed_makes_another_practice():
    assert digest(build(seed=5)) != digest(build(seed=6))


@pytest.mark.parametrize(
    ("size", "low", "high"), [("small", 0, 50), ("medium", 50, 150)]
)
def test_tiers_follow_the_help_center_sizes(size, low, high):
    store = build(size, years=0.2)
    assert low <= per_working_day(store) < high
    assert store.count(r.PATIENT) == SIZES[size].patients


def test_the_large_tier_is_defined_above_150_a_day_and_25k_patients():
    tier = SIZES["large"]
    assert tier.per_day[0] > 150 and tier.patients >= 25_000
    working_days = tier.years * 365.25 * 5 / 7
    assert working_days * sum(tier.per_day) / 2 >= 250_000


def test_patients_come_in_families_with_guarantors():
    store = build()
    patients = store.query(r.PATIENT)
    guarantors = {p.guarantor_id for p in patients}
    assert all(store.get(r.PATIENT, g).guarantor_id == g for g in guarantors)
    assert len(guarantors) < len(patients) * 0.8
    statuses = Counter(p.status for p in patients)
    assert statuses["patient"] > statuses["inactive"] > 0


def test_it_has_inactive_and_hidden_providers_and_operatories():
    store = build()
    providers = store.query(r.PROVIDER)
    assert any(p.is_hidden for p in providers) and any(p.is_deleted for p in providers)
    assert any(p.is_hygienist for p in providers)
    assert any(o.is_hidden for o in store.query(r.OPERATORY))


def test_appointments_mix_statuses_and_confirmations():
    store = build()
    appts = store.query(r.APPOINTMENT)
    statuses = Counter(a.status for a in appts)
    for status in ("complete", "scheduled", "broken", "unscheduled", "planned"):
        assert statuses[status] > 0, status
    assert statuses["complete"] > statuses["broken"]
    now = datetime.combine(TODAY, datetime.min.time())
    assert all(
        a.status not in ("complete", "broken")
        for a in appts
        if a.start > now + timedelta(days=1)
    )
    confirmations = {a.confirmation_id for a in appts}
    assert len(confirmations) >= 4
    assert all(
        store.get(r.DEFINITION, c).kind == r.CONFIRMATION_STATUS for c in confirmations
    )


def test_it_makes_procedures_payments_notes_and_documents():
    store = build()
    for kind in (r.PROCEDURE, r.PAYMENT, r.COMMLOG, r.DOCUMENT):
        assert store.count(kind) > 0, kind
    payment = store.query(r.PAYMENT, limit=1)[0]
    assert payment.amount_cents > 0 and payment.entered >= payment.date


def test_every_stamp_is_in_the_past_and_sequenced_in_time_order():
    store = build()
    ordered = sorted(
        (x for kind in r.KINDS for x in store.query(kind)), key=lambda x: x.seq
    )
    stamps = [x.modified_at for x in ordered]
    assert stamps == sorted(stamps)
    assert stamps[-1] <= datetime.combine(TODAY, datetime.min.time()) + timedelta(
        hours=7
    )


def test_reference_lists_carry_codes_and_hidden_entries():
    store = build()
    for kind in (
        r.CONFIRMATION_STATUS,
        r.NOTE_TYPE,
        r.DOCUMENT_CATEGORY,
        r.PAYMENT_TYPE,
    ):
        entries = store.definitions(kind)
        assert any(x.is_hidden for x in entries), kind
    assert store.definition_by_code(r.NOTE_TYPE, "misc").value == "MISC"
    assert (
        store.prefs["confirm_accepted"]
        == store.definition_by_code(r.CONFIRMATION_STATUS, "confirmed").id
    )
