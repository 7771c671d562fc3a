"""Fixtures shared by the PMS-boundary suites."""

import uuid

import pytest

REDIS_TEST_URL = "redis://127.0.0.1:6379/{db}"  # dbs 15 and below are the tests'


@pytest.fixture
def redis_url(worker_id):
    """Return this test worker's own Redis db; remove every budget key the test made.

    Each pytest-xdist worker gets its own db, so one worker's clean-up never
    deletes another's live keys.
    """
    import redis

    index = 0 if worker_id == "master" else int(worker_id.removeprefix("gw"))
    url = REDIS_TEST_URL.format(db=15 - index)
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    yield url
    for key in client.scan_iter("pbnsync:budget:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def budget_key():
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=["eaglesoft", "dentrix"])
def vendor(request):
    """Each bridge-agent PMS in turn."""
    return request.param
