"""Which entities a connector can read, and the page walk for one of them."""

from __future__ import annotations

from pms.base import Capability, Connector, Entity

from .pages import RunContext, pull, upsert_writer

# Initial and incremental read in this order: who and where before what and when.
READ_ORDER: tuple[tuple[Entity, Capability], ...] = (
    (Entity.PROVIDER, Capability.READ_PROVIDERS),
    (Entity.PATIENT, Capability.READ_PATIENTS),
    (Entity.APPOINTMENT, Capability.READ_APPOINTMENTS),
    (Entity.PROCEDURE, Capability.READ_PROCEDURES),
    (Entity.PAYMENT, Capability.READ_PAYMENTS),
)


def readable_entities(connector: Connector) -> list[Entity]:
    """Return the entities `connector` can read, in reading order."""
    return [entity for entity, cap in READ_ORDER if connector.supports(cap)]


def pull_entity(ctx: RunContext, entity: Entity, count_progress: bool = False) -> bool:
    """Walk `entity`'s changes from the stream's cursor; False if the slice ran out."""
    return pull(
        ctx,
        str(entity),
        lambda cursor: ctx.connector.fetch_changed(entity, cursor),
        upsert_writer(entity),
        count_progress=count_progress,
    )
