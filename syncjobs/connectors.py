"""The one place the engine gets a connector for a stream."""

from __future__ import annotations

from pms.base import Connector
from practices.models import PmsConnection

from .models import SyncStream


def connector_for_stream(stream: SyncStream) -> Connector:
    """Return the practice's connector, serving requests on the stream's lane."""
    from pms.config import connector_for_connection  # engineer P's module

    connection = PmsConnection.objects.get(practice_id=stream.practice_id)
    connection.practice = stream.practice  # the run's copy: no second query
    return connector_for_connection(connection, stream.lane)
