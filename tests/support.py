"""Helpers for tests that talk to real services."""

import os
import time

import pytest
import redis

TEST_REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def redis_or_fail(url: str = TEST_REDIS_URL) -> str:
    """Return ``url`` if a Redis answers there; otherwise fail the test loudly."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"These tests need a real Redis at {url} ({error}); start it or set REDIS_URL.")
    return url


def wait_for(condition, timeout: float = 15.0, interval: float = 0.05, what: str = "the condition"):
    """Poll until ``condition()`` is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    pytest.fail(f"gave up after {timeout} s waiting for {what}")
