"""An Open Dental connector on the simulator with part of the practice mirrored,
and the nightly run over it: the cast of the nightly reconciliation tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pms.base import Connector, Entity, Lane
from pms.registry import connector_for
from practices.models import Practice
from syncjobs.models import StreamKind, SyncRun, SyncStream, Trigger
from syncjobs.nightly import run_nightly
from tests.pms.faces import FACES

from .test_deletion_fallback import mirror


@contextmanager
def mirrored_od(sim, practice: Practice, *entities: Entity) -> Iterator[Connector]:
    """Yield a connector to `sim`'s Open Dental face, `entities` mirrored already."""
    practice.time_zone = str(sim.store.clock.tz)
    practice.save(update_fields=["time_zone"])
    config = FACES["open_dental"].config(sim, page_size=1000)
    connector = connector_for(config, Lane.INCREMENTAL)
    try:
        mirror(connector, practice, *entities)
        yield connector
    finally:
        connector.close()


def stream(practice: Practice, kind: str) -> SyncStream:
    return SyncStream.objects.select_related("practice").get(
        practice=practice, kind=kind
    )


def nightly(practice: Practice, connector: Connector) -> SyncRun:
    """Run the nightly processing now, as a person asking for it would."""
    return run_nightly(
        stream(practice, StreamKind.NIGHTLY),
        connector=connector,
        trigger=Trigger.COMMAND,
    )
