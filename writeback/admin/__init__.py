from .jobs import OutboxJobAdmin
from .tokens import ServiceTokenAdmin, WriteAttemptAdmin

__all__ = ["OutboxJobAdmin", "ServiceTokenAdmin", "WriteAttemptAdmin"]
