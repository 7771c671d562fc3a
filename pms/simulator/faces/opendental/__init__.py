"""The Open Dental REST API face, under /opendental/api/v1 (opendental-api.md)."""

from . import (  # noqa: F401 (routes)
    appointments,
    money,
    notes,
    patients,
    reference,
    schedules,
)
from .app import face

__all__ = ["face"]
