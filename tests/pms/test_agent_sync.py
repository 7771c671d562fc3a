"""End to end: the sync engine mirrors an Eaglesoft / Dentrix practice through the
agent over real HTTP, and a silent agent fails the run visibly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from pms import registry
from pms.dentrix import DentrixConnector
from pms.eaglesoft import EaglesoftConnector
from pms.simulator import records as r
from pms.simulator.faces.agent.journal import agent_state
from practices.models import PmsConnection
from records.models import Appointment, Patient, Provider, ScheduleBlock, ScheduleWindow
from syncjobs.models import RunStatus, StreamKind
from syncjobs.ondemand import sync_availability
from syncjobs.schedule import ensure_streams
from tests.syncjobs.e2e import drain

CONNECTORS = {"eaglesoft": EaglesoftConnector, "dentrix": DentrixConnector}


@pytest.fixture(params=["eaglesoft", "dentrix"])
def agent_practice(request, practice_a, sim_practice):
    """Return practice A connected to the simulated practice's agent."""
    vendor = request.param
    assert registry.CONNECTORS[vendor] is CONNECTORS[vendor]
    connect_agent(practice_a, sim_practice, vendor)
    with override_settings(
        SYNC_BACKOFF_BASE_SECONDS=0.05,
        SYNC_BACKOFF_CAP_SECONDS=0.2,
        PMS_REQUEST_INTERVAL_MS=0,
    ):
        yield practice_a, vendor


def connect_agent(practice, sim, vendor: str) -> None:
    """Point `practice` at the simulated practice's agent of `vendor`."""
    practice.time_zone = str(sim.store.clock.tz)
    practice.save(update_fields=["time_zone"])
    PmsConnection.objects.create(
        practice=practice,
        pms_type=vendor,
        base_url=sim.base_urls[vendor],
        agent_token=sim.credentials[f"{vendor}_agent_token"],
    )
    ensure_streams(practice)


def differences(practice, store) -> list[str]:
    """Return how the mirror's live rows differ from the simulated PMS."""
    problems = []
    patients = {str(p.id): p for p in store.query(r.PATIENT) if p.status != "deleted"}
    rows = {row.pms_id: row for row in Patient.objects.of(practice)}
    if set(rows) != set(patients):
        problems.append(f"patients differ: {sorted(set(rows) ^ set(patients))[:5]}")
    appointments = {str(a.id): a for a in store.query(r.APPOINTMENT)}
    rows = {row.pms_id: row for row in Appointment.objects.of(practice)}
    if set(rows) != set(appointments):
        problems.append(
            f"appointments differ: {sorted(set(rows) ^ set(appointments))[:5]}"
        )
    for pms_id in set(rows) & set(appointments):
        want = appointments[pms_id]
        start = want.start.replace(tzinfo=practice.tzinfo)
        if (rows[pms_id].start_at, rows[pms_id].duration_minutes) != (
            start,
            want.length_min,
        ):
            problems.append(f"appointment {pms_id} differs")
    codes = {p.abbr for p in store.query(r.PROVIDER)}
    if set(Provider.objects.of(practice).values_list("pms_id", flat=True)) != codes:
        problems.append("providers differ")
    return problems


def test_initial_then_incremental_and_deletions_keep_the_mirror_equal(
    agent_practice, sim_practice
):
    practice, _ = agent_practice
    runs = drain(practice, kinds=[StreamKind.INITIAL])
    assert [run.status for run in runs] == [RunStatus.SUCCEEDED]
    assert differences(practice, sim_practice.store) == []
    sim_practice.apply_changes(60)
    sim_practice.apply_changes(20, same_second=True)
    drain(practice, kinds=[StreamKind.INCREMENTAL, StreamKind.DELETIONS])
    assert differences(practice, sim_practice.store) == []


def test_a_silent_agent_fails_the_run_with_a_reason_instead_of_syncing_nothing(
    agent_practice, sim_practice
):
    practice, vendor = agent_practice
    drain(practice, kinds=[StreamKind.INITIAL])
    state = agent_state(sim_practice.practice.state(vendor))
    state.control(
        {"silent_since": (datetime.now(UTC) - timedelta(hours=5)).isoformat()}
    )
    sim_practice.apply_changes(5)
    with override_settings(SYNC_MAX_ATTEMPTS=1):
        runs = drain(practice, kinds=[StreamKind.INCREMENTAL], timeout=20)
    assert runs and runs[-1].status != RunStatus.SUCCEEDED
    label = {"eaglesoft": "Eaglesoft", "dentrix": "Dentrix"}[vendor]
    assert f"{label} agent silent since" in runs[-1].error


@pytest.mark.parametrize("vendor", ["eaglesoft", "dentrix"])
def test_sync_availability_mirrors_the_agents_schedule_window(
    practice_a, make_sim_practice, vendor, settings
):
    settings.PMS_REQUEST_INTERVAL_MS = 0
    settings.SYNC_AVAILABILITY_DAYS = 6
    sim = make_sim_practice(today=None)  # around the real today: a current schedule
    connect_agent(practice_a, sim, vendor)

    assert sync_availability(practice_a).accepted
    [run] = drain(practice_a, kinds=[StreamKind.AVAILABILITY])

    assert run.status == RunStatus.SUCCEEDED and not run.error
    first = timezone.localdate(timezone=practice_a.tzinfo)
    stored = sim.store.query(
        r.SCHEDULE,
        start=first,
        end=first + timedelta(days=7),
        where=lambda x: x.type != "employee",
    )
    mirrored = {
        b.pms_id.split(":")[1]: (b.kind, b.day, b.start_time, b.stop_time)
        for b in ScheduleBlock.objects.of(practice_a)
    }
    assert stored and mirrored == {
        str(x.id): (x.type, x.date, x.start, x.stop) for x in stored
    }
    window = ScheduleWindow.objects.get(practice=practice_a)
    assert (window.first_day, window.last_day) == (first, first + timedelta(days=6))
