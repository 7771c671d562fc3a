"""Disable, remove or re-activate PMS connections, keeping all their data."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .audit import record_status_change
from .models import PmsConnection
from .signals import announce_connection_changed


def change_connection_status(
    connections: Iterable[PmsConnection],
    status: str,
    reason: str,
    user: AbstractBaseUser | None,
) -> list[PmsConnection]:
    """Move each connection to `status` with `reason`; return the ones that moved."""
    moved = []
    with transaction.atomic():
        for connection in connections:
            if connection.status == status and connection.status_reason == reason:
                continue
            old = connection.get_status_display()
            connection.set_status(status, reason)
            record_status_change(connection, user, old)
            announce_connection_changed(connection)
            moved.append(connection)
    return moved
