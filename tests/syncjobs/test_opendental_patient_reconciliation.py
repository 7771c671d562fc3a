"""Open Dental patients deleted in its UI disappear even if patients/Simple omits them.

Facts: opendental-api.md §3.4 (a UI delete is soft: PatStatus becomes Deleted) and
§9 (whether Simple lists such rows is unconfirmed). Over real HTTP to the simulator.
"""

from __future__ import annotations

import pytest

from pms.base import Entity
from pms.simulator import records as r
from records.models import Patient
from syncjobs.models import RunStatus

from .od_nightly import mirrored_od, nightly
from .test_deletion_fallback import live_ids


@pytest.fixture
def od(sim_practice, streams_a, practice_a, settings):
    settings.PMS_HTTP_BACKOFF_BASE = 0.01
    with mirrored_od(sim_practice, practice_a, Entity.PATIENT) as connector:
        yield connector


def soft_delete(sim_practice, count: int) -> set[str]:
    """Delete `count` patients the way Open Dental's UI does (§3.4)."""
    chosen = sim_practice.store.query(r.PATIENT, where=lambda p: p.status == "patient")
    for patient in chosen[:count]:
        sim_practice.store.update(r.PATIENT, patient.id, status="deleted")
    return {str(p.id) for p in chosen[:count]}


@pytest.mark.parametrize("listed", [False, True], ids=["omitted", "listed"])
def test_a_patient_deleted_in_the_pms_is_hidden_by_the_nightly_run(
    od, sim_practice, practice_a, listed
):
    sim_practice.settings(od_simple_includes_deleted=listed)
    before = live_ids(Patient, practice_a)
    gone = soft_delete(sim_practice, 3)

    run = nightly(practice_a, od)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert live_ids(Patient, practice_a) == before - gone
    assert run.deleted >= 3


def test_the_nightly_walk_keeps_every_patient_still_in_the_pms(
    od, sim_practice, practice_a
):
    sim_practice.settings(od_simple_includes_deleted=False)
    before = live_ids(Patient, practice_a)

    run = nightly(practice_a, od)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert live_ids(Patient, practice_a) == before
    patient_reads = [
        q
        for q in sim_practice.requests()
        if "/patients/" in q["path"] and q["path"].rsplit("/", 1)[-1].isdigit()
    ]
    assert patient_reads == []  # no suspect to confirm
