"""Single-patient refresh (patient card, Sync Patient), bulk sync, Sync Availability."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django_q.models import OrmQ

from pms.base import PmsError
from practices.models import ReferenceItem
from records.models import Patient
from syncjobs.availability import run_availability
from syncjobs.lease import Lease
from syncjobs.models import StreamKind, SyncStream, Trigger
from syncjobs.ondemand import refresh_patient, sync_availability, sync_patients
from syncjobs.refresh import refresh_patient as refresh_with

from .e2e import connect_open_dental, drain
from .fakes import patient


def test_it_stores_the_patient_and_records_when_it_was_checked(streams_a, fake):
    practice = streams_a["initial"].practice
    fake.add(patient(3, phone="555-0199"))
    outcome = refresh_with(practice, "3", connector=fake)
    row = Patient.objects.get(pms_id="3")
    assert outcome.accepted
    assert (row.phone, row.checked_at is not None) == ("555-0199", True)


def test_it_skips_a_patient_checked_recently(streams_a, fake):
    practice = streams_a["initial"].practice
    fake.add(patient(3))
    refresh_with(practice, "3", connector=fake)
    fake.calls.clear()
    outcome = refresh_with(
        practice, "3", older_than=timedelta(minutes=10), connector=fake
    )
    assert (outcome.accepted, outcome.message, fake.calls) == (True, "", [])


def test_an_unreachable_pms_gives_a_message_not_an_error(streams_a, fake):
    practice = streams_a["initial"].practice
    fake.add(patient(3))
    refresh_with(practice, "3", connector=fake)
    fake.fail_next(PmsError("timed out", permanent=False))
    outcome = refresh_with(practice, "3", connector=fake)
    assert not outcome.accepted
    assert outcome.message.startswith("Could not reach the PMS; showing data as of ")


def test_a_patient_gone_from_the_pms_is_hidden(streams_a, fake):
    practice = streams_a["initial"].practice
    fake.add(patient(3))
    refresh_with(practice, "3", connector=fake)
    fake.logs["patient"].clear()
    outcome = refresh_with(practice, "3", connector=fake)
    assert outcome.message == "The PMS no longer has this patient."
    assert not Patient.objects.of(practice).exists()


@override_settings(PMS_REQUEST_INTERVAL_MS=0)
def test_the_patient_card_refresh_reads_the_real_pms(practice_a, sim_practice):
    connect_open_dental(practice_a, sim_practice)
    with sim_practice.store.lock:
        record = sim_practice.store.query("patient", limit=1)[0]
    sim_practice.store.update("patient", record.id, last_name="Refreshed")
    outcome = refresh_patient(practice_a, str(record.id))
    assert outcome.accepted, outcome.message
    assert Patient.objects.get(pms_id=str(record.id)).last_name == "Refreshed"


def test_bulk_sync_queues_one_task_for_the_chosen_patients(practice_a):
    outcome = sync_patients(practice_a, ["1", "2", "2"])
    assert (outcome.accepted, outcome.message) == (
        True,
        "Syncing 2 patients from the PMS.",
    )
    assert OrmQ.objects.count() == 1


def test_sync_availability_runs_once_and_refuses_a_second_meanwhile(streams_a, fake):
    practice = streams_a["initial"].practice
    assert sync_availability(practice).accepted
    assert not sync_availability(practice).accepted
    stream = SyncStream.objects.select_related("practice").get(
        practice=practice, kind=StreamKind.AVAILABILITY
    )
    run = run_availability(stream, connector=fake)
    assert run.trigger == Trigger.FORCE
    assert ReferenceItem.objects.filter(practice=practice, kind="operatory").exists()
    stream.refresh_from_db()
    assert stream.next_due_at is None  # on demand only
    assert sync_availability(practice).accepted


def test_sync_availability_refuses_while_it_runs(streams_a):
    practice = streams_a["initial"].practice
    Lease.claim(streams_a[StreamKind.AVAILABILITY])
    assert not sync_availability(practice).accepted


@pytest.mark.usefixtures("transactional_db")
@override_settings(PMS_REQUEST_INTERVAL_MS=0)
def test_availability_goes_through_the_dispatcher_path(practice_a, sim_practice):
    connect_open_dental(practice_a, sim_practice)
    sync_availability(practice_a)
    runs = drain(practice_a, kinds=[StreamKind.AVAILABILITY])
    assert [r.status for r in runs] == ["succeeded"]
    assert ReferenceItem.objects.filter(practice=practice_a, kind="provider").exists()
