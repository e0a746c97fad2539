"""Signing webhook requests, and checking a signature as a receiver does. Pure Python: no Django.

A request carries ``X-ICP-Signature: t=<unix time>,v1=<hex>`` where the hex is
HMAC-SHA256, keyed with the webhook's secret, of ``"<unix time>." + raw body``.
Right after a secret is rotated the header carries one ``v1`` per valid secret.
"""

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable

SIGNATURE_HEADER = "X-ICP-Signature"
EVENT_HEADER = "X-ICP-Event"
DELIVERY_HEADER = "X-ICP-Delivery"
SCHEME = "v1"
TOLERANCE_SECONDS = 300  # a receiver refuses a signature older (or newer) than this: no replays


def secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(*, secrets: Iterable[str], timestamp: int, body: bytes) -> str:
    parts = [f"t={timestamp}"]
    parts += [f"{SCHEME}={signature(secret=secret, timestamp=timestamp, body=body)}" for secret in secrets]
    return ",".join(parts)


def verify(
    *, header: str, body: bytes, secret: str, tolerance: int = TOLERANCE_SECONDS, now: float | None = None
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds of ``now``.

    What a receiver does:
    1. split the header on commas into ``key=value`` pairs; take ``t`` and every ``v1``;
    2. refuse a ``t`` further than the tolerance from its own clock (a replayed request);
    3. compute HMAC-SHA256(secret, ``t`` + "." + the raw body bytes, exactly as received) in hex;
    4. accept if it equals one of the ``v1`` values, compared in constant time.
    """
    timestamp, candidates = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == SCHEME and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
