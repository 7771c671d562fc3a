"""pms/config.py: a ConnectionConfig and a connector from a PmsConnection."""

from zoneinfo import ZoneInfo

import pytest

from pms.base import Lane, PmsError
from pms.config import config_for, connector_for_connection
from pms.opendental import OpenDentalConnector
from practices.models import ConnectionStatus, PmsConnection


@pytest.fixture
def connection(practice_a):
    return PmsConnection.objects.create(
        practice=practice_a,
        pms_type="open_dental",
        base_url="https://api.opendental.com/api/v1",
        developer_key="dev",
        customer_key="cust",
    )


def test_it_builds_the_config_from_the_connection(connection):
    config = config_for(connection)

    assert config.connection_id == connection.pk
    assert config.pms_type == "open_dental"
    assert config.base_url == "https://api.opendental.com/api/v1"
    assert config.credentials == {"developer_key": "dev", "customer_key": "cust"}
    assert config.time_zone == ZoneInfo("America/Denver")
    assert config.request_interval_ms is None  # the connector's default
    assert "cust" not in repr(config)


def test_a_setting_can_drop_the_pacing_for_the_demo(connection, settings):
    settings.PMS_REQUEST_INTERVAL_MS = 0

    assert config_for(connection).request_interval_ms == 0


def test_it_returns_a_connector_on_the_requested_lane(connection):
    connector = connector_for_connection(connection, Lane.FAST)

    assert isinstance(connector, OpenDentalConnector)
    assert connector.lane == Lane.FAST
    assert connector.request_interval_ms == 1000  # §4.3: remote, 1 call/s
    connector.close()


def test_a_disabled_connection_cannot_be_used(connection):
    connection.set_status(ConnectionStatus.DISABLED, "paused by staff")

    with pytest.raises(PmsError) as caught:
        connector_for_connection(connection)

    assert caught.value.permanent is True
    assert str(caught.value) == (
        "The Open Dental connection of Alpha Dental cannot be used: it is disabled"
    )


def test_missing_credentials_are_named(connection):
    connection.customer_key = ""
    connection.save()

    with pytest.raises(PmsError, match="missing Customer key"):
        connector_for_connection(connection)


def test_a_pms_without_a_connector_is_refused_clearly(connection, monkeypatch):
    from pms import config

    monkeypatch.setattr(config, "CONNECTORS", {})

    with pytest.raises(PmsError, match="cannot connect to Open Dental yet"):
        connector_for_connection(connection)
