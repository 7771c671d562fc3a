"""Without Dentrix Ascend's Stream API, the nightly run finds deletions by id set.

Facts: other-pms-facts §1.9 (lists omit deleted rows; the Stream API is not always
on). Over real HTTP against the simulator's Ascend face.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from pms.base import Entity, PmsError
from pms.dentrix_ascend import DentrixAscendConnector
from pms.dentrix_ascend.auth import TOKENS
from pms.simulator import records as r
from pms.simulator.faces.dentrix_ascend import configure
from practices.models import ConnectionStatus, PmsConnection
from records.models import Appointment, Patient
from records.upsert import upsert_records
from syncjobs.deletions import run_deletion_sync
from syncjobs.models import RunStatus, StreamKind, StreamState, SyncStream, Trigger
from syncjobs.nightly import run_nightly
from tests.pms.faces import FACES

from .fakes import ListConnector


@pytest.fixture
def ascend(sim_practice, streams_a, practice_a, settings):
    settings.PMS_HTTP_BACKOFF_BASE = 0.01
    TOKENS.clear()
    practice_a.time_zone = str(sim_practice.store.clock.tz)
    practice_a.save(update_fields=["time_zone"])
    config = FACES["dentrix_ascend"].config(sim_practice, page_size=500)
    connector = DentrixAscendConnector(config)
    mirror(connector, practice_a, Entity.PATIENT, Entity.APPOINTMENT)
    yield connector
    connector.close()


def mirror(connector, practice, *entities: Entity) -> None:
    """Mirror `entities` as first seen yesterday (quicker than an initial sync)."""
    yesterday = timezone.now() - timedelta(days=1)
    for entity in entities:
        cursor = None
        while True:
            page = connector.fetch_changed(entity, cursor)
            upsert_records(practice, entity, page.records, yesterday)
            cursor = page.cursor
            if not page.has_more:
                break


def stream(practice, kind) -> SyncStream:
    return SyncStream.objects.select_related("practice").get(
        practice=practice, kind=kind
    )


def nightly(practice, connector):
    nightly_stream = stream(practice, StreamKind.NIGHTLY)
    return run_nightly(nightly_stream, connector=connector, trigger=Trigger.COMMAND)


def live_ids(model, practice) -> set[str]:
    return set(model.objects.of(practice).values_list("pms_id", flat=True))


def test_it_skips_the_deletions_run_and_keeps_the_connection_up(
    ascend, sim_practice, practice_a
):
    configure(sim_practice.practice, stream_api=False)

    run = run_deletion_sync(stream(practice_a, StreamKind.DELETIONS), connector=ascend)

    assert run.status == RunStatus.SKIPPED
    assert "Stream API is not enabled" in run.error
    deletions = stream(practice_a, StreamKind.DELETIONS)
    assert deletions.state == StreamState.SCHEDULED and deletions.next_due_at
    connection = PmsConnection.objects.get(practice=practice_a)
    assert connection.status == ConnectionStatus.ACTIVE


def test_the_nightly_run_hides_deleted_patients_and_appointments(
    ascend, sim_practice, practice_a
):
    configure(sim_practice.practice, stream_api=False)
    run_deletion_sync(stream(practice_a, StreamKind.DELETIONS), connector=ascend)
    store = sim_practice.store
    patients_before = live_ids(Patient, practice_a)
    appointments_before = live_ids(Appointment, practice_a)
    gone_appointment = store.query(r.APPOINTMENT)[5]
    store.delete(r.APPOINTMENT, gone_appointment.id)
    gone_patient = next(p for p in store.query(r.PATIENT) if p.status != "deleted")
    store.update(r.PATIENT, gone_patient.id, status="deleted")
    ascend_id = FACES["dentrix_ascend"].pms_id

    run = nightly(practice_a, ascend)

    assert run.status == RunStatus.SUCCEEDED
    assert patients_before - live_ids(Patient, practice_a) == {
        ascend_id(gone_patient.id)
    }
    assert appointments_before - live_ids(Appointment, practice_a) == {
        ascend_id(gone_appointment.id)
    }


def test_with_the_stream_api_on_the_nightly_leaves_patients_to_the_feed(
    ascend, sim_practice, practice_a
):
    run_deletion_sync(stream(practice_a, StreamKind.DELETIONS), connector=ascend)
    calls_before = len(sim_practice.requests())
    nightly(practice_a, ascend)
    paths = [q["path"] for q in sim_practice.requests()[calls_before:]]
    assert not any(p.endswith("v1/patients") for p in paths)


def test_a_404_from_a_feed_without_a_fallback_still_stops_the_stream(
    streams_a, practice_a
):
    connector = ListConnector()
    connector.fail_next(PmsError("gone", permanent=True, status=404))

    run = run_deletion_sync(streams_a[StreamKind.DELETIONS], connector=connector)

    assert run.status == RunStatus.FAILED
    assert stream(practice_a, StreamKind.DELETIONS).state == StreamState.STOPPED
