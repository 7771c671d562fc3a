"""Per-practice request budgets: delayed or answered 429, violations counted."""

import time

import pytest
import requests

from pms.simulator.ratelimit import RateLimiter, lateness


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


def test_lateness_accounts_for_every_second_beyond_the_interval():
    interval = 0.020
    since = 1000.0
    # Calls 0.3 ms, 0.3 ms, 3 ms and 150 ms late, and one 1 ms early.
    gaps = [0.0203, 0.0203, 0.023, 0.170, 0.019]
    arrivals = [since + 0.5]
    for gap in gaps:
        arrivals.append(arrivals[-1] + gap)
    until = arrivals[-1] + 0.25

    report = lateness(arrivals, interval, since, until)

    assert report["before_first"] == pytest.approx(0.5)
    assert report["after_last"] == pytest.approx(0.25)
    late = report["late"]
    assert list(late) == ["< 0.5 ms", "< 5 ms", "< inf ms"]  # in bucket order
    assert late["< 0.5 ms"]["calls"] == 3  # two slightly late, one early
    assert late["< 0.5 ms"]["seconds"] == pytest.approx(0.0006 - 0.001)
    assert late["< 5 ms"] == {"calls": 1, "seconds": pytest.approx(0.003)}
    assert late["< inf ms"] == {"calls": 1, "seconds": pytest.approx(0.150)}
    # The parts add up to the time beyond one interval per call.
    beyond = (until - since) - len(arrivals) * interval
    lost = sum(bucket["seconds"] for bucket in late.values())
    assert beyond == pytest.approx(
        report["before_first"] + report["after_last"] - interval + lost
    )


def test_the_admin_api_reports_lateness_of_the_calls_in_a_window(
    sim_practice, od_session
):
    sim_practice.settings(rate_interval_ms=50, rate_mode="delay")
    since = time.time()
    for _ in range(3):
        assert call(sim_practice, od_session).status_code == 200
        time.sleep(0.08)  # ~30 ms late each
    until = time.time()
    admin = f"{sim_practice.admin_url}/lateness"

    report = requests.get(admin, params={"since": since, "until": until}).json()

    assert report["calls"] == 3
    assert report["interval"] == pytest.approx(0.05)
    late = report["late"]
    assert sum(bucket["calls"] for bucket in late.values()) == 2
    assert set(late) <= {"< 100 ms", "< inf ms"}  # each 20 ms late or more
    assert sum(bucket["seconds"] for bucket in late.values()) >= 2 * 0.028
    missing = requests.get(admin, params={"since": since})
    assert missing.status_code == 400
    assert "since and until" in missing.text
    window = {"since": since, "until": until}
    unknown = requests.get(admin, params={**window, "face": "opendentl"})
    assert unknown.status_code == 404
    assert "no face 'opendentl'" in unknown.json()["error"]
    # Asking about an unknown face gave it no rate limit of its own.
    violations = requests.get(f"{sim_practice.admin_url}/violations").json()
    assert "opendentl" not in violations
    assert requests.get(admin, params=window).json()["calls"] == 3
