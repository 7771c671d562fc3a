"""Which entities a connector can read, and the page walk for one of them."""

from __future__ import annotations

from dataclasses import replace

from pms.base import Capability, Connector, Entity, Page, RecordError
from records.upsert import prepare_rows

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
        lambda cursor: prepared(entity, ctx.connector.fetch_changed(entity, cursor)),
        upsert_writer(entity),
        count_progress=count_progress,
    )


def prepared(entity: Entity, page: Page) -> Page:
    """Return `page` with its records checked and encoded for the mirror, those
    refused added to its errors. Runs on the reading thread, so this Python work
    overlaps the storing thread's wait for the database."""
    rows, refused = prepare_rows(entity, page.records)
    errors = [RecordError(entity, pms_id, reason) for pms_id, reason in refused]
    return replace(page, records=rows, errors=[*page.errors, *errors])
