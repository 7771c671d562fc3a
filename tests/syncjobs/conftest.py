"""Fixtures for the engine: an active connection for practice A, its streams, a fake."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from practices.models import PmsConnection, PmsType
from syncjobs.models import StreamKind, SyncStream
from syncjobs.schedule import ensure_streams

from .fakes import ListConnector
from .procs import shared_db  # noqa: F401  (a fixture)


def unreachable_connection(practice) -> PmsConnection:
    """Return an active Open Dental connection for `practice` that nothing answers."""
    return PmsConnection.objects.create(
        practice=practice,
        pms_type=PmsType.OPEN_DENTAL,
        base_url="http://127.0.0.1:9/opendental/api/v1",
        developer_key="dev",
        customer_key="cust",
    )


@pytest.fixture
def connection_a(practice_a) -> PmsConnection:
    return unreachable_connection(practice_a)


@pytest.fixture
def streams_a(connection_a) -> dict[str, SyncStream]:
    ensure_streams(connection_a.practice)
    return {
        s.kind: s
        for s in SyncStream.objects.filter(
            practice=connection_a.practice
        ).select_related("practice")
    }


@pytest.fixture
def streams_by_day(streams_a) -> dict[str, SyncStream]:
    """streams_a with the nightly run not due: its practice-local window may be open
    at whatever hour the suite runs, and the nightly stream would then be due too."""
    nightly = streams_a[StreamKind.NIGHTLY]
    nightly.next_due_at = timezone.now() + timedelta(days=1)
    nightly.save(update_fields=["next_due_at"])
    return streams_a


@pytest.fixture
def initial_a(streams_a) -> SyncStream:
    return streams_a[StreamKind.INITIAL]


@pytest.fixture
def fake() -> ListConnector:
    return ListConnector(page_size=3)
