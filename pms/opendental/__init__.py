"""The Open Dental connector, faithful to shared/pms/opendental-api.md."""

from .connector import OpenDentalConnector

__all__ = ["OpenDentalConnector"]
