"""Write-back cast: a fully configured practice, a fake PMS, a matching patient."""

from __future__ import annotations

from datetime import date

import pytest

from pms import registry
from practices.models import Practice
from records.models import Patient

from .fakes import FakeConnector
from .helpers import configure


@pytest.fixture
def practice(practice_a) -> Practice:
    return configure(practice_a)


@pytest.fixture
def other_practice(practice_b) -> Practice:
    return configure(practice_b)


@pytest.fixture
def fake(monkeypatch) -> FakeConnector:
    """Register the fake as the Open Dental connector and return one instance."""
    monkeypatch.setitem(registry.CONNECTORS, "open_dental", FakeConnector)
    return FakeConnector()


@pytest.fixture
def grace(practice) -> Patient:
    return Patient.objects.create(
        practice=practice,
        pms_id="101",
        first_name="Grace",
        last_name="Hopper",
        birthdate=date(1980, 1, 2),
    )


@pytest.fixture
def wired(practice_a, sim_practice, settings):
    """Practice A connected to a fresh simulated Open Dental practice."""
    from .sim import wire

    settings.PMS_REQUEST_INTERVAL_MS = 0
    return wire(practice_a, sim_practice)
