"""An Open Dental payment edited after it was entered reaches the mirror overnight.

Facts: opendental-api.md §3.1 (payments filter by DateEntry only) and §3.8 (edits
are not caught, though SecDateTEdit is returned). Over real HTTP to the simulator.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from pms.base import Entity
from pms.simulator import records as r
from records.models import Payment
from syncjobs.models import RunStatus

from .od_nightly import mirrored_od, nightly
from .test_deletion_fallback import live_ids


@pytest.fixture
def od(sim_practice, streams_a, practice_a, settings):
    settings.PMS_HTTP_BACKOFF_BASE = 0.01
    with mirrored_od(
        sim_practice, practice_a, Entity.PATIENT, Entity.PAYMENT
    ) as connector:
        yield connector


def walk(connector, cursor=None):
    records = []
    while True:
        page = connector.fetch_changed(Entity.PAYMENT, cursor)
        records += page.records
        cursor = page.cursor
        if not page.has_more:
            return records, cursor


def old_payments(sim_practice, count: int) -> list:
    today = sim_practice.store.now().date()
    found = sim_practice.store.query(
        r.PAYMENT, where=lambda p: p.entered < today - timedelta(days=30)
    )
    assert len(found) >= count
    return found[:count]


def test_an_edited_amount_arrives_with_the_nightly_run_not_the_change_feed(
    od, sim_practice, practice_a
):
    _, cursor = walk(od)
    edited, deleted = old_payments(sim_practice, 2)
    sim_practice.store.update(
        r.PAYMENT, edited.id, amount_cents=edited.amount_cents + 1234
    )
    sim_practice.store.delete(r.PAYMENT, deleted.id)

    changed, _ = walk(od, cursor)
    assert str(edited.id) not in {p.pms_id for p in changed}  # §3.8: unseen

    run = nightly(practice_a, od)

    assert run.status == RunStatus.SUCCEEDED, run.error
    row = Payment.objects.get(practice=practice_a, pms_id=str(edited.id))
    assert row.amount == Decimal(edited.amount_cents + 1234) / 100
    assert str(deleted.id) not in live_ids(Payment, practice_a)
    assert run.upserted >= 1 and run.deleted >= 1


def test_the_nightly_run_reads_the_payments_once_not_twice(
    od, sim_practice, practice_a
):
    seen = len(sim_practice.requests())

    run = nightly(practice_a, od)

    assert run.status == RunStatus.SUCCEEDED, run.error
    walks = [
        q["query"]
        for q in sim_practice.requests()[seen:]
        if q["path"].endswith("/payments") and "PatNum" not in q["query"]
    ]
    offsets = [q for q in walks if "Offset=0" in q]
    assert len(offsets) == 1, walks
