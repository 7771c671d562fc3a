"""Reach a practice's PMS on the write-back lane."""

from __future__ import annotations

from pms.base import Connector, Lane
from pms.config import connector_for_connection
from practices.models import Practice


def connector_for_practice(practice: Practice) -> Connector:
    """Return a connector for the practice's PMS connection, on the write-back lane."""
    return connector_for_connection(practice.connection, Lane.WRITE_BACK)
