"""Fixtures shared by the PMS-boundary suites."""

import uuid

import pytest

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"  # db 15 is the tests' own


@pytest.fixture
def redis_url():
    """Return the tests' Redis URL; remove every budget key the test made."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    yield REDIS_TEST_URL
    for key in client.scan_iter("pbnsync:budget:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def budget_key():
    return f"test-{uuid.uuid4().hex[:12]}"
