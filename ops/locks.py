"""Named locks for work that has no row of its own to lock (two imports of the same kind, say).

``lock_for_transaction(name)`` waits until no other transaction holds ``name`` and holds it until this one
ends: PostgreSQL's transaction-level advisory lock, on a 64-bit hash of the name, so it is released by the
commit or the rollback and never left behind by a worker that dies. SQLite commits one writer at a time
already: there it does nothing.
"""

import hashlib

from django.db import connection


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (Python's hash() changes from one process to the next)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def lock_for_transaction(name: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("lock_for_transaction needs a transaction: the lock ends with it")
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])
