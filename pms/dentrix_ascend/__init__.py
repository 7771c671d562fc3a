"""The Dentrix Ascend connector, built on shared/pms/other-pms-facts.md §1."""

from .connector import DentrixAscendConnector

__all__ = ["DentrixAscendConnector"]
