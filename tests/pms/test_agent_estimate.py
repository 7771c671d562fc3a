"""Eaglesoft and Dentrix record counts for the initial sync's progress: the agent's
`GET status` tells each feed's size (docs/agent-protocol.md §5 "Feed sizes")."""

import pytest

from pms.base import Entity, Lane
from pms.registry import connector_for
from pms.simulator import records as r

from .faces import FACES

KINDS = {
    Entity.PATIENT: r.PATIENT,
    Entity.APPOINTMENT: r.APPOINTMENT,
    Entity.PROVIDER: r.PROVIDER,
    Entity.PROCEDURE: r.PROCEDURE,
    Entity.PAYMENT: r.PAYMENT,
}


@pytest.fixture(params=["eaglesoft", "dentrix"])
def agent(request, sim_practice):
    connector = connector_for(FACES[request.param].config(sim_practice), Lane.INITIAL)
    yield connector
    connector.close()


def walked(connector, entity) -> int:
    """Return how many items a full walk of the feed yields (records + errors)."""
    count, cursor = 0, None
    while True:
        page = connector.fetch_changed(entity, cursor)
        count += len(page.records) + len(page.errors)
        cursor = page.cursor
        if not page.has_more:
            return count


@pytest.mark.parametrize("entity", list(KINDS))
def test_it_counts_what_a_full_walk_returns(agent, sim_practice, entity):
    estimate = agent.estimate_total(entity)
    assert estimate == sim_practice.store.count(KINDS[entity]) > 0
    assert estimate == walked(agent, entity)


def test_the_count_includes_tombstones_as_the_feed_does(agent, sim_practice):
    store = sim_practice.store
    before = agent.estimate_total(Entity.APPOINTMENT)
    victims = store.query(r.APPOINTMENT, limit=3)
    for appointment in victims:
        store.delete(r.APPOINTMENT, appointment.id)
    patient = store.query(r.PATIENT, where=lambda p: p.status != "deleted", limit=1)
    store.update(r.PATIENT, patient[0].id, status="deleted")  # soft: still one row
    assert agent.estimate_total(Entity.APPOINTMENT) == before
    assert agent.estimate_total(Entity.PATIENT) == store.count(r.PATIENT)
    # tombstones carry the last state, so a walk still yields every one of them
    assert walked(agent, Entity.APPOINTMENT) == before


def test_a_count_is_one_call(agent, sim_practice):
    sim_practice.practice.requests.clear()
    agent.estimate_total(Entity.PROCEDURE)
    [call] = sim_practice.requests()
    assert (call["method"], call["path"], call["status"]) == ("GET", "/status", 200)
