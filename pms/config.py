"""Build a connector's ConnectionConfig from a practice's PmsConnection."""

from __future__ import annotations

from django.conf import settings

from practices.models import PmsConnection
from practices.models.connection import CREDENTIAL_FIELDS

from .base import ConnectionConfig, Connector, Lane, PmsError
from .registry import CONNECTORS, connector_for


def config_for(connection: PmsConnection) -> ConnectionConfig:
    """Return what a connector needs to reach `connection`'s PMS."""
    credentials = {
        name: value
        for name in CREDENTIAL_FIELDS
        if (value := getattr(connection, name, ""))
    }
    # A per-connection column wins once it exists; PMS_REQUEST_INTERVAL_MS lets
    # the demo and tests drop the pacing; otherwise the connector's default.
    interval = getattr(connection, "request_interval_ms", None)
    if interval is None:
        interval = getattr(settings, "PMS_REQUEST_INTERVAL_MS", None)
    return ConnectionConfig(
        connection_id=connection.pk,
        pms_type=connection.pms_type,
        base_url=connection.base_url,
        credentials=credentials,
        time_zone=connection.practice.tzinfo,
        request_interval_ms=interval,
        page_size=getattr(connection, "page_size", None),
    )


def connector_for_connection(
    connection: PmsConnection, lane: Lane = Lane.INCREMENTAL
) -> Connector:
    """Return a ready connector for `connection`, or a PmsError saying why not."""
    label = connection.get_pms_type_display()
    if connection.pms_type not in CONNECTORS:
        raise PmsError(f"pbnsync cannot connect to {label} yet", permanent=True)
    if not connection.is_usable:
        missing = connection.missing_credentials()
        reason = (
            f"missing {', '.join(missing)}"
            if missing
            else f"it is {connection.get_status_display().lower()}"
        )
        raise PmsError(
            f"The {label} connection of {connection.practice} cannot be used: {reason}",
            permanent=True,
        )
    return connector_for(config_for(connection), lane)
