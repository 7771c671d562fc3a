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
    LATE_AFTER,
    NOT_RECURRING,
    WAITING_TO_RUN,
    StreamKind,
    StreamState,
    SyncStream,
    Trigger,
    lane_for,
)

__all__ = [
    "FAST_KINDS",
    "LATE_AFTER",
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
    "WAITING_TO_RUN",
    "lane_for",
]
