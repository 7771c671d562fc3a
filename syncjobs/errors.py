"""Errors of the sync engine itself (PMS failures arrive as pms.base.PmsError)."""


class SyncError(Exception):
    """Base of the engine's own errors."""


class LeaseError(SyncError):
    """This worker no longer holds the stream's lease; stop without writing."""


class ConnectionStoppedError(SyncError):
    """The practice's connection was disabled, removed or flagged mid-run."""


class StreamBusyError(SyncError):
    """Another worker holds the stream's lease."""
