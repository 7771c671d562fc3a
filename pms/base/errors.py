"""What a PMS call raises when it fails."""

from __future__ import annotations


class PmsError(Exception):
    """A PMS call failed; `permanent` says whether retrying can help."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after


class PmsOutcomeUnknown(PmsError):
    """A write was sent but no answer came back: it may or may not have applied.

    Never retried blindly: check with `Connector.find_written` (or
    `find_written_for`) first.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message, permanent=False, status=status)
