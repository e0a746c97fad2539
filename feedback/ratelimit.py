"""Fixed-window request counters in the cache (Redis in the stack, per process in development)."""

import hashlib
import logging
import time

from django.core.cache import cache

from ops.outages import REDIS_ERRORS

logger = logging.getLogger(__name__)


def over_limit(*, key: str, limit: int, window_seconds: int) -> bool:
    """Count one request under ``key``; True once more than ``limit`` came in the current window.

    With the cache unreachable (Redis down) nothing is counted and nobody is refused: a customer answering a
    survey then is not turned away for an outage of ours.
    """
    window = int(time.time() // window_seconds)
    cache_key = f"feedback:rate:{hashlib.sha256(key.encode()).hexdigest()[:32]}:{window}"
    try:
        cache.add(cache_key, 0, timeout=window_seconds + 5)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=window_seconds + 5)
            count = 1
    except REDIS_ERRORS:
        logger.warning("survey rate limit not counted: the cache is unreachable", exc_info=True)
        return False
    return count > limit
