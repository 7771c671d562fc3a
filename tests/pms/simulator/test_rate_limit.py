"""Per-practice request budgets: delayed or answered 429, violations counted."""

import time

import pytest
import requests

from pms.simulator.ratelimit import RateLimiter


def call(practice, session):
    return session.get(f"{practice.od_url}/providers")


def test_delay_mode_holds_over_limit_calls_and_counts_them(sim_practice, od_session):
    sim_practice.settings(rate_interval_ms=150, rate_mode="delay")
    started = time.monotonic()
    statuses = [call(sim_practice, od_session).status_code for _ in range(3)]
    middle = time.time()
    statuses += [call(sim_practice, od_session).status_code for _ in range(2)]
    assert statuses == [200] * 5
    assert time.monotonic() - started >= 0.55
    assert sim_practice.violations() == 4
    assert sim_practice.violations("opendental") == 4
    assert sim_practice.practice.violations()["calls"] == 5
    # Calls are also counted by when they arrived: the last two.
    assert sim_practice.practice.violations(since=middle)["calls"] == 2


def test_reject_mode_answers_429_with_retry_after(sim_practice, od_session):
    sim_practice.settings(rate_interval_ms=1000, rate_mode="reject")
    assert call(sim_practice, od_session).status_code == 200
    response = call(sim_practice, od_session)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert sim_practice.violations() == 1


def test_a_paced_client_has_no_violations(sim_practice, od_session):
    sim_practice.settings(rate_interval_ms=100, rate_mode="reject")
    for _ in range(3):
        assert call(sim_practice, od_session).status_code == 200
        time.sleep(0.12)
    assert sim_practice.violations() == 0


def test_budgets_are_per_practice(make_sim_practice):
    first, second = make_sim_practice(), make_sim_practice()
    first.settings(rate_interval_ms=1000, rate_mode="reject")
    second.settings(rate_interval_ms=1000, rate_mode="reject")
    for practice in (first, second):
        response = requests.get(
            f"{practice.od_url}/providers", headers=practice.od_headers
        )
        assert response.status_code == 200
    assert first.violations() == second.violations() == 0


def test_refused_authentication_does_not_spend_the_budget(sim_practice):
    sim_practice.settings(rate_interval_ms=1000, rate_mode="reject")
    bad = {**sim_practice.od_headers, "Authorization": "ODFHIR x/y"}
    requests.get(f"{sim_practice.od_url}/providers", headers=bad)
    response = requests.get(
        f"{sim_practice.od_url}/providers", headers=sim_practice.od_headers
    )
    assert response.status_code == 200


def test_violations_reset_through_the_admin_api(sim_practice, od_session):
    sim_practice.settings(rate_interval_ms=1000, rate_mode="reject")
    call(sim_practice, od_session)
    call(sim_practice, od_session)
    url = f"{sim_practice.admin_url}/violations"
    assert requests.get(url).json() == {"opendental": 1, "total": 1, "calls": 2}
    assert requests.get(url, params={"since": time.time()}).json()["calls"] == 0
    assert requests.delete(url).json()["total"] == 0


def test_calls_are_counted_by_arrival_not_by_when_they_are_handled():
    limiter = RateLimiter(0.1, "reject")
    first = time.monotonic()
    assert limiter.admit(first) is None
    # A busy server gets to the next call late; it arrived a full interval after
    # the first, so it is within the budget.
    assert limiter.admit(first + 0.1) is None
    # This one arrived too soon, however late it is handled.
    assert limiter.admit(first + 0.15) == pytest.approx(0.05)
    assert limiter.violations == 1
