"""Which connector class serves which PMS type."""

from .base import Capability, ConnectionConfig, Connector, Lane

# Filled by each vendor module's registration below: PmsType value -> class.
CONNECTORS: dict[str, type[Connector]] = {}


def capabilities_for(pms_type: str) -> frozenset[Capability]:
    """Return what the connector for `pms_type` can read and write."""
    connector = CONNECTORS.get(pms_type)
    return connector.capabilities if connector else frozenset()


def connector_for(config: ConnectionConfig, lane: Lane = Lane.INCREMENTAL) -> Connector:
    """Return a connector for `config` serving requests on `lane`."""
    return CONNECTORS[config.pms_type](config, lane)
