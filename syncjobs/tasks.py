"""django-q2 entry points: load by id, call one function."""

from __future__ import annotations

from practices.models import Practice

from . import conf
from .history import prune_history as _prune_history
from .lease import Lease
from .models import SyncStream
from .refresh import refresh_patient
from .runner import run_stream as _run_stream
from .streams import reconcile_streams as _reconcile_streams


def run_stream(stream_id: int) -> int | None:
    """Run the stream the dispatcher claimed; a redelivered copy does nothing."""
    stream = SyncStream.objects.select_related("practice").filter(pk=stream_id).first()
    if stream is None:
        return None
    lease = Lease.adopt_dispatched(stream)
    if lease is None:
        return None
    run = _run_stream(stream, lease=lease, slice_seconds=conf.get("SYNC_SLICE_SECONDS"))
    return run.pk


def refresh_patients(practice_id: int, pms_ids: list[str]) -> int:
    """Refresh each patient of a bulk sync; return how many were stored."""
    practice = Practice.objects.get(pk=practice_id)
    return sum(refresh_patient(practice, pms_id).accepted for pms_id in pms_ids)


def prune_history() -> dict[str, int]:
    """Delete old sync history (scheduled daily)."""
    return _prune_history()


def reconcile_streams() -> int:
    """Create and resume streams the hooks missed (scheduled hourly)."""
    return _reconcile_streams()
