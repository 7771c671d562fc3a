from .attempts import AttemptOutcome, WriteAttempt
from .jobs import (
    DONE_STATUSES,
    OPEN_STATUSES,
    WORKING_STATUSES,
    JobStatus,
    OutboxJob,
)
from .tokens import ServiceToken

__all__ = [
    "DONE_STATUSES",
    "OPEN_STATUSES",
    "WORKING_STATUSES",
    "AttemptOutcome",
    "JobStatus",
    "OutboxJob",
    "ServiceToken",
    "WriteAttempt",
]
