"""The lease that lets one worker at a time run a stream, across cluster nodes.

Every step is a single conditional UPDATE that proceeds only if exactly one row
changed, so it holds on SQLite and PostgreSQL alike without row locks. Writes made
under a lease (checkpoints, release) are fenced by the owner token: a worker that
lost its lease cannot commit a checkpoint.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from practices.models import ConnectionStatus

from . import conf
from .errors import ConnectionStoppedError, LeaseError
from .models import SyncStream, unclaimed

DISPATCH = "dispatch"


def new_owner(role: str = "worker") -> str:
    """Return a token naming this process and claim, unique across nodes."""
    host = socket.gethostname()[:24]
    return f"{role}:{host}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@dataclass
class Lease:
    """A held claim on one stream."""

    stream_id: int
    owner: str
    ttl: timedelta

    @classmethod
    def claim(
        cls,
        stream: SyncStream,
        owner: str | None = None,
        now: datetime | None = None,
    ) -> Lease | None:
        """Claim `stream` if its lease is free or expired; None if someone holds it."""
        now = now or timezone.now()
        owner = owner or new_owner()
        ttl = conf.lease_ttl(stream.kind)
        changed = (
            SyncStream.objects.filter(pk=stream.pk)
            .filter(unclaimed(now))
            .update(lease_owner=owner, lease_expires_at=now + ttl)
        )
        return cls(stream.pk, owner, ttl) if changed == 1 else None

    @classmethod
    def adopt_dispatched(cls, stream: SyncStream) -> Lease | None:
        """Take over the dispatcher's claim on `stream`; None if there is none.

        Whichever copy of a (redelivered) task gets here first runs the stream; the
        others find the lease already taken and do nothing.
        """
        owner, ttl = new_owner(), conf.lease_ttl(stream.kind)
        changed = SyncStream.objects.filter(
            pk=stream.pk, lease_owner__startswith=f"{DISPATCH}:"
        ).update(lease_owner=owner, lease_expires_at=timezone.now() + ttl)
        return cls(stream.pk, owner, ttl) if changed == 1 else None

    def adopt(self, owner: str | None = None) -> Lease | None:
        """Take this lease over under a fresh token; None if it is gone.

        The token changes, so anyone still holding the old one is fenced out.
        """
        owner = owner or new_owner()
        changed = SyncStream.objects.filter(
            pk=self.stream_id, lease_owner=self.owner
        ).update(lease_owner=owner, lease_expires_at=timezone.now() + self.ttl)
        return Lease(self.stream_id, owner, self.ttl) if changed == 1 else None

    def renew(self) -> None:
        """Extend the lease; raise if it was lost or the connection stopped."""
        self.checkpoint()

    def checkpoint(self, **fields: Any) -> None:
        """Save `fields` on the stream and extend the lease, only while we hold it."""
        changed = SyncStream.objects.filter(
            pk=self.stream_id,
            lease_owner=self.owner,
            practice__connection__status=ConnectionStatus.ACTIVE,
        ).update(lease_expires_at=timezone.now() + self.ttl, **fields)
        if changed != 1:
            self._raise_why()

    def release(self, **fields: Any) -> bool:
        """Free the lease, saving `fields`; False if it was no longer ours."""
        changed = SyncStream.objects.filter(
            pk=self.stream_id, lease_owner=self.owner
        ).update(lease_owner="", lease_expires_at=None, **fields)
        return changed == 1

    def held(self) -> bool:
        """Return whether this lease is still ours and unexpired."""
        return SyncStream.objects.filter(
            pk=self.stream_id,
            lease_owner=self.owner,
            lease_expires_at__gt=timezone.now(),
        ).exists()

    def _raise_why(self) -> None:
        if SyncStream.objects.filter(
            pk=self.stream_id, lease_owner=self.owner
        ).exists():
            raise ConnectionStoppedError("the practice's PMS connection is not active")
        raise LeaseError(f"lease on stream {self.stream_id} lost by {self.owner}")
