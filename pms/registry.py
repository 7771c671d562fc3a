"""Which connector class serves which PMS type."""

from .base import Capability, ConnectionConfig, Connector, Lane

# PmsType value -> connector class; filled by _register() below. Defined before the
# vendor imports, so a vendor package that imports this module still finds it.
CONNECTORS: dict[str, type[Connector]] = {}


def _register() -> None:
    from .dentrix import DentrixConnector
    from .dentrix_ascend import DentrixAscendConnector
    from .eaglesoft import EaglesoftConnector
    from .opendental import OpenDentalConnector

    for connector in (
        OpenDentalConnector,
        DentrixAscendConnector,
        EaglesoftConnector,
        DentrixConnector,
    ):
        CONNECTORS[connector.pms_type] = connector


def connector_class(pms_type: str) -> type[Connector] | None:
    """Return the connector class for `pms_type`, or None if there is none."""
    return CONNECTORS.get(pms_type)


def capabilities_for(pms_type: str) -> frozenset[Capability]:
    """Return what the connector for `pms_type` can read and write."""
    connector = connector_class(pms_type)
    return connector.capabilities if connector else frozenset()


def connector_for(config: ConnectionConfig, lane: Lane = Lane.INCREMENTAL) -> Connector:
    """Return a connector for `config` serving requests on `lane`."""
    return CONNECTORS[config.pms_type](config, lane)


_register()
