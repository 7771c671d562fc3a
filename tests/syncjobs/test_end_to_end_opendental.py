"""End to end over real HTTP: the Open Dental connector against the simulator."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from django.test import override_settings

from practices.models import ConnectionStatus, PmsConnection
from records.models import Appointment, Patient
from syncjobs.models import (
    RecordFailure,
    RunStatus,
    StreamKind,
    StreamState,
    SyncStream,
    Trigger,
)
from syncjobs.nightly import run_nightly

from .e2e import connect_open_dental, drain, make_due, mirror_differences

PAGE = 100  # the Open Dental remote page size the connector uses
SAME_SECOND = 250  # patients changed in one second: more than two pages

CYCLE = [
    StreamKind.INCREMENTAL,
    StreamKind.FAST_APPOINTMENT_STATUS,
    StreamKind.FAST_APPOINTMENT_CHANGES,
    StreamKind.FAST_NEW_PATIENTS,
    StreamKind.DELETIONS,
]


pytestmark = pytest.mark.usefixtures("fast_backoff")


@pytest.fixture
def fast_backoff():
    with override_settings(
        SYNC_BACKOFF_BASE_SECONDS=0.05,
        SYNC_BACKOFF_CAP_SECONDS=0.2,
        PMS_REQUEST_INTERVAL_MS=0,  # the simulator is unthrottled here
    ):
        yield


@pytest.fixture
def od(practice_a, sim_practice):
    connect_open_dental(practice_a, sim_practice)
    return practice_a


def test_the_initial_sync_makes_the_mirror_equal_the_store(od, sim_practice):
    runs = drain(od, kinds=[StreamKind.INITIAL])
    assert [run.status for run in runs] == [RunStatus.SUCCEEDED]
    assert runs[0].fetched > 100
    assert mirror_differences(od, sim_practice.store) == []
    initial = SyncStream.objects.get(practice=od, kind=StreamKind.INITIAL)
    assert initial.state == StreamState.DONE


def test_incremental_and_fast_syncs_pick_up_the_change_generators_changes(
    od, sim_practice
):
    drain(od, kinds=[StreamKind.INITIAL])
    sim_practice.apply_changes(40)
    # Random changes all stamped in one second, until the patient feed holds more
    # than 250 of them: its walk must cross two 100-row page boundaries while its
    # DateTStamp filter stays on that second.
    store, same = sim_practice.store, []
    with store.same_second() as second:
        while len({c.id for c in same if c.kind == "patient"}) <= SAME_SECOND:
            same += sim_practice.apply_changes(50, same_second=True)
    assert {c.at for c in same} == {second}
    sim_practice.practice.requests.clear()
    drain(od, kinds=[StreamKind.INCREMENTAL, StreamKind.DELETIONS])
    walk = [
        parse_qs(q["query"])
        for q in sim_practice.requests()
        if q["path"].endswith("/patients/Simple") and q["status"] == 200
    ]
    assert len({w["DateTStamp"][0] for w in walk}) == 1  # one filter, moving offsets
    assert [w["Offset"][0] for w in walk][:3] == ["0", str(PAGE), str(2 * PAGE)]
    assert (
        mirror_differences(
            od,
            sim_practice.store,
            kinds=("patient", "appointment", "procedure", "provider", "operatory"),
        )
        == []
    )


def test_fast_syncs_alone_keep_appointments_and_patients_current(od, sim_practice):
    drain(od, kinds=[StreamKind.INITIAL])
    sim_practice.apply_changes(30)
    drain(
        od,
        kinds=[
            StreamKind.FAST_APPOINTMENT_STATUS,
            StreamKind.FAST_NEW_PATIENTS,
            StreamKind.DELETIONS,
        ],
    )
    assert (
        mirror_differences(od, sim_practice.store, kinds=("patient", "appointment"))
        == []
    )


def test_a_deleted_appointment_disappears_within_one_deletions_cycle(od, sim_practice):
    drain(od, kinds=[StreamKind.INITIAL])
    victim = Appointment.objects.of(od).order_by("pms_id").first()
    sim_practice.store.delete("appointment", int(victim.pms_id))
    drain(od, kinds=[StreamKind.DELETIONS])
    assert not Appointment.objects.of(od).filter(pms_id=victim.pms_id).exists()


def test_a_wrong_key_stops_the_sync_and_flags_the_connection(od, sim_practice):
    PmsConnection.objects.filter(practice=od).update(customer_key="not-the-key")
    runs = drain(od, kinds=[StreamKind.INITIAL])
    assert [run.status for run in runs] == [RunStatus.FAILED]
    assert runs[0].attempts == 1
    connection = PmsConnection.objects.get(practice=od)
    assert connection.status == ConnectionStatus.NEEDS_ATTENTION
    assert Patient.objects.count() == 0


def test_server_errors_and_429s_are_retried_until_the_mirror_is_complete(
    od, sim_practice
):
    sim_practice.set_faults(seed=3, rates={"5xx": 0.08, "429": 0.05})
    runs = drain(od, kinds=[StreamKind.INITIAL], timeout=120)
    sim_practice.reset_faults()
    assert runs[-1].status == RunStatus.SUCCEEDED
    assert mirror_differences(od, sim_practice.store) == []


def test_with_changes_running_and_faults_injected_the_mirror_ends_equal_to_the_store(
    od, sim_practice
):
    drain(od, kinds=[StreamKind.INITIAL])
    sim_practice.set_faults(
        seed=11, rates={"5xx": 0.05, "429": 0.03, "drop": 0.02, "truncate": 0.02}
    )
    sim_practice.settings(change_rate=40)  # changes per second, in the background
    for _ in range(4):
        make_due(od, CYCLE)
        drain(od, kinds=CYCLE, timeout=120)
    sim_practice.settings(change_rate=0)
    sim_practice.reset_faults()
    make_due(od, CYCLE)
    drain(od, kinds=CYCLE)
    nightly = SyncStream.objects.select_related("practice").get(
        practice=od, kind=StreamKind.NIGHTLY
    )
    run_nightly(nightly, trigger=Trigger.COMMAND)  # untracked payment deletions
    assert mirror_differences(od, sim_practice.store) == []


def test_malformed_records_are_recorded_and_the_rest_lands(od, sim_practice):
    sim_practice.set_faults(seed=2, rates={"malformed": 0.02})
    runs = drain(od, kinds=[StreamKind.INITIAL])
    sim_practice.reset_faults()
    assert runs[-1].status == RunStatus.SUCCEEDED
    failures = RecordFailure.objects.filter(practice=od)
    assert failures.count() == runs[-1].failed > 0
    assert Patient.objects.of(od).count() > 0
    broken = set(failures.values_list("entity", "pms_id"))
    stored = {("patient", p) for p in Patient.objects.values_list("pms_id", flat=True)}
    assert not broken & stored
