"""Open Dental's record counts for the initial sync's progress, against the simulator.

The lists carry no total (opendental-api.md §2), so the connector probes the feed
with one-row pages: doubling offsets, then a binary search.
"""

import math
from urllib.parse import parse_qs

import pytest

from pms.base import Entity, Lane
from pms.simulator import records as r

from .faces import FACES

HOOKS = FACES["open_dental"]
FEED_PATHS = {
    Entity.PATIENT: ("/patients/Simple", r.PATIENT),
    Entity.APPOINTMENT: ("/appointments", r.APPOINTMENT),
    Entity.PROVIDER: ("/providers", r.PROVIDER),
    Entity.PROCEDURE: ("/procedurelogs", r.PROCEDURE),
    Entity.PAYMENT: ("/payments", r.PAYMENT),
}


@pytest.fixture
def od(sim_practice):
    from pms.registry import connector_for

    made = []

    def make(**overrides):
        connector = connector_for(HOOKS.config(sim_practice, **overrides), Lane.INITIAL)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


def probes(sim, path):
    return [q for q in sim.requests() if q["path"] == path]


def walked(connector, entity):
    count, cursor = 0, None
    while True:
        page = connector.fetch_changed(entity, cursor)
        count += len(page.records) + len(page.errors)
        cursor = page.cursor
        if not page.has_more:
            return count


@pytest.mark.parametrize("entity", list(FEED_PATHS))
def test_it_counts_exactly_what_a_full_walk_returns(sim_practice, od, entity):
    connector = od()
    _, kind = FEED_PATHS[entity]
    estimate = connector.estimate_total(entity)
    assert estimate == sim_practice.store.count(kind) > 0
    assert estimate == walked(connector, entity)


def test_it_asks_only_the_walks_own_request_one_row_at_a_time(sim_practice, od):
    sim_practice.practice.requests.clear()
    total = od().estimate_total(Entity.APPOINTMENT)
    calls = probes(sim_practice, "/appointments")
    assert calls and len(calls) == len(sim_practice.requests())
    for call in calls:
        assert call["method"] == "GET" and call["status"] == 200
        # §2: Limit/Offset and nothing else, as a full walk asks (no change filter)
        query = parse_qs(call["query"])
        assert set(query) == {"Limit", "Offset"} and query["Limit"] == ["1"]
        assert call["headers"]["Content-Type"] == "application/json"  # §1.4
        assert call["headers"]["Authorization"].startswith("ODFHIR ")  # §1.3
    offsets = [int(parse_qs(c["query"])["Offset"][0]) for c in calls]
    assert total in offsets and total - 1 in offsets  # the boundary was seen


@pytest.mark.parametrize("years", [0.05, 0.25, 1.0])
def test_the_number_of_probe_calls_is_logarithmic(make_sim_practice, years):
    from pms.registry import connector_for

    sim = make_sim_practice(years=years)
    connector = connector_for(HOOKS.config(sim), Lane.INITIAL)
    try:
        sim.practice.requests.clear()
        total = connector.estimate_total(Entity.APPOINTMENT)
    finally:
        connector.close()
    assert total == sim.store.count(r.APPOINTMENT)
    # one probe at 0, doubling up to the first empty offset, then halving the gap
    assert len(sim.requests()) <= 2 * math.ceil(math.log2(total)) + 1


def test_an_empty_feed_is_counted_as_zero_with_one_call(sim_practice, od):
    store = sim_practice.store
    for payment in store.query(r.PAYMENT):
        store.delete(r.PAYMENT, payment.id)
    sim_practice.practice.requests.clear()
    assert od().estimate_total(Entity.PAYMENT) == 0
    assert len(sim_practice.requests()) == 1


def test_the_probes_are_paced_by_the_connections_budget(
    sim_practice, od, transactional_db
):
    # §4.3: an over-limit call is refused here; the budget must keep every probe
    # under the office's throttle, like any other call of the connection.
    sim_practice.settings(rate_interval_ms=40, rate_mode="reject")
    assert od(request_interval_ms=40).estimate_total(Entity.PROVIDER) == (
        sim_practice.store.count(r.PROVIDER)
    )
    assert sim_practice.violations("opendental") == 0
