"""Fixed-window request counters in the cache (Redis in the stack, per process in development)."""

import hashlib
import time

from django.core.cache import cache


def over_limit(*, key: str, limit: int, window_seconds: int) -> bool:
    """Count one request under ``key``; True once more than ``limit`` came in the current window."""
    window = int(time.time() // window_seconds)
    cache_key = f"feedback:rate:{hashlib.sha256(key.encode()).hexdigest()[:32]}:{window}"
    cache.add(cache_key, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 5)
        count = 1
    return count > limit
