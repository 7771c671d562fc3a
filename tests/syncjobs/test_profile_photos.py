"""Patient profile photos: read only when switched on, for patients synced since
their last photo check and when a patient card is opened; over real HTTP against
the simulator's Open Dental face (and its Dentrix Ascend face, which has none)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from pms.base import Entity
from pms.dentrix_ascend import DentrixAscendConnector
from pms.dentrix_ascend.auth import TOKENS
from pms.registry import connector_for
from pms.simulator import records as r
from practices.models import PmsConnection, PmsType, SyncSettings
from records.models import Patient
from records.upsert import upsert_records
from syncjobs.models import RunStatus, StreamKind, SyncStream
from syncjobs.photos import run_photo_sync
from syncjobs.schedule import on_settings_saved
from tests.browser import cast
from tests.pms.faces import FACES

from .e2e import connect_open_dental


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PMS_REQUEST_INTERVAL_MS = 0


def switch_photos(practice, on: bool) -> None:
    SyncSettings.objects.filter(practice=practice).update(profile_photos_enabled=on)
    on_settings_saved(practice)


def photos_stream(practice) -> SyncStream:
    return SyncStream.objects.select_related("practice").get(
        practice=practice, kind=StreamKind.PROFILE_PHOTOS
    )


def newest_picture(store, patient_id: int):
    pictures = {
        d.id
        for d in store.query(r.DEFINITION)
        if d.kind == r.DOCUMENT_CATEGORY and "P" in d.value
    }
    docs = [
        d
        for d in store.query(r.DOCUMENT, patient_id=patient_id)
        if d.category_id in pictures
    ]
    return max(docs, key=lambda d: (d.created_at, d.id), default=None)


@pytest.fixture
def mirrored(practice_a, sim_practice):
    """Practice A on the simulator, with 12 patients mirrored, 4 of them with a
    picture on file."""
    connect_open_dental(practice_a, sim_practice)
    store = sim_practice.store
    with_pictures = [
        p
        for p in store.query(r.PATIENT)
        if p.status != "deleted" and newest_picture(store, p.id)
    ][:4]
    others = [p for p in store.query(r.PATIENT, limit=40) if p not in with_pictures]
    chosen = with_pictures + [p for p in others if p.status != "deleted"][:8]
    connector = connector_for(FACES["open_dental"].config(sim_practice))
    try:
        records = [connector.fetch_patient(str(p.id)) for p in chosen]
    finally:
        connector.close()
    upsert_records(practice_a, Entity.PATIENT, records, timezone.now())
    sim_practice.practice.requests.clear()
    return chosen


def documents_asked(sim) -> list[str]:
    return [
        parse_qs(q["query"])["PatNum"][0]
        for q in sim.requests()
        if q["path"].endswith("/documents")
    ]


def test_the_photo_stream_is_off_until_the_practice_switches_photos_on(
    practice_a, sim_practice
):
    connect_open_dental(practice_a, sim_practice)
    assert not photos_stream(practice_a).enabled

    switch_photos(practice_a, True)

    assert photos_stream(practice_a).enabled


def test_it_reads_the_photos_of_patients_synced_since_their_last_check(
    practice_a, sim_practice, mirrored
):
    switch_photos(practice_a, True)
    store = sim_practice.store

    run = run_photo_sync(photos_stream(practice_a))

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.fetched == len(mirrored) and run.pages == 2
    assert sorted(documents_asked(sim_practice)) == sorted(str(p.id) for p in mirrored)
    for p in mirrored:
        row = Patient.objects.get(practice=practice_a, pms_id=str(p.id))
        doc = newest_picture(store, p.id)
        assert row.photo_pms_id == (str(doc.id) if doc else "")
        assert row.photo_checked_at is not None
        if doc:
            local = row.photo_taken_at.astimezone(practice_a.tzinfo)
            assert local.replace(tzinfo=None) == doc.created_at
    assert Patient.objects.exclude(photo_pms_id="").count() == 4

    # Nothing synced since: nothing asked. A patient synced again: only them.
    sim_practice.practice.requests.clear()
    run_photo_sync(photos_stream(practice_a))
    assert documents_asked(sim_practice) == []
    again = mirrored[5]
    Patient.objects.filter(pms_id=str(again.id)).update(
        last_synced_at=timezone.now() + timedelta(seconds=1)
    )
    run_photo_sync(photos_stream(practice_a))
    assert documents_asked(sim_practice) == [str(again.id)]


def test_with_photos_off_the_run_reads_nothing(practice_a, sim_practice, mirrored):
    run = run_photo_sync(photos_stream(practice_a))

    assert run.status == RunStatus.SKIPPED
    assert "switched off" in run.error
    assert documents_asked(sim_practice) == []
    assert not Patient.objects.filter(photo_checked_at__isnull=False).exists()


def test_opening_a_card_reads_the_photo_and_shows_it_instead_of_initials(
    client, admin_a, practice_a, sim_practice, mirrored
):
    switch_photos(practice_a, True)
    patient = mirrored[0]
    doc = newest_picture(sim_practice.store, patient.id)
    Patient.objects.filter(pms_id=str(patient.id)).update(
        checked_at=timezone.now() - timedelta(hours=1),
        last_synced_at=timezone.now() - timedelta(hours=1),
    )

    page = cast.login(client, admin_a).get(
        f"/practices/{practice_a.pk}/patients/{patient.id}/"
    )

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode()))
    assert documents_asked(sim_practice) == [str(patient.id)]
    assert f"Photo on file in Open Dental, taken {doc.created_at:%b} " in text
    assert 'id="initials"' not in page.content.decode()


def test_with_photos_off_the_card_shows_initials_and_asks_for_no_photo(
    client, admin_a, practice_a, sim_practice, mirrored
):
    patient = mirrored[0]
    Patient.objects.filter(pms_id=str(patient.id)).update(
        checked_at=timezone.now() - timedelta(hours=1),
        last_synced_at=timezone.now() - timedelta(hours=1),
    )

    page = cast.login(client, admin_a).get(
        f"/practices/{practice_a.pk}/patients/{patient.id}/"
    )

    html = page.content.decode()
    initials = (patient.first_name[:1] + patient.last_name[:1]).upper()
    assert f'id="initials">{initials}<' in html
    assert "Photo on file" not in html
    assert documents_asked(sim_practice) == []
    assert any(
        q["path"].endswith(f"/patients/{patient.id}") for q in sim_practice.requests()
    )


def test_a_pms_without_photos_skips_with_the_reason_and_the_status_page_says_so(
    client, admin_a, streams_a, practice_a, sim_practice
):
    PmsConnection.objects.filter(practice=practice_a).update(
        pms_type=PmsType.DENTRIX_ASCEND
    )
    switch_photos(practice_a, True)
    assert not photos_stream(practice_a).enabled  # never due: nothing to read
    TOKENS.clear()
    connector = DentrixAscendConnector(FACES["dentrix_ascend"].config(sim_practice))
    try:
        run = run_photo_sync(photos_stream(practice_a), connector=connector)
    finally:
        connector.close()

    assert run.status == RunStatus.SKIPPED
    assert run.error == "Patient profile photos are not offered by Dentrix Ascend"
    assert sim_practice.requests() == []
    cast.finish_initial_sync(practice_a)
    status = cast.login(client, admin_a).get(f"/practices/{practice_a.pk}/sync/")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", status.content.decode()))
    assert "Patient profile photos Photos are not offered by Dentrix Ascend" in text
