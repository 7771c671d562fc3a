"""The Open Dental REST API face, under /opendental/api/v1 (opendental-api.md)."""

from . import appointments, money, notes, patients, reference  # noqa: F401 (routes)
from .app import face

__all__ = ["face"]
