from .history import (
    OPEN_RUN_STATUSES,
    AttemptStatus,
    RecordFailure,
    RunStatus,
    SyncAttempt,
    SyncRun,
)
from .stream import (
    FAST_KINDS,
    NOT_RECURRING,
    StreamKind,
    StreamState,
    SyncStream,
    Trigger,
    lane_for,
)

__all__ = [
    "FAST_KINDS",
    "NOT_RECURRING",
    "OPEN_RUN_STATUSES",
    "AttemptStatus",
    "RecordFailure",
    "RunStatus",
    "StreamKind",
    "StreamState",
    "SyncAttempt",
    "SyncRun",
    "SyncStream",
    "Trigger",
    "lane_for",
]
