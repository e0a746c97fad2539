import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The survey page's counters live in the cache (per process here): each test starts with none."""
    cache.clear()
    yield
    cache.clear()
