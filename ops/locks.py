"""Named locks for work that has no row of its own to lock (two imports of the same kind, say).

``lock_wait_limit`` bounds how long a transaction's statements wait for any lock.

``lock_for_transaction(name)`` waits until no other transaction holds ``name`` and holds it until this one
ends: PostgreSQL's transaction-level advisory lock, on a 64-bit hash of the name, so it is released by the
commit or the rollback and never left behind by a worker that dies. SQLite commits one writer at a time
already: there it does nothing.
"""

import hashlib

from django.db import OperationalError, connection, transaction

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's error when lock_timeout runs out


class LockBusy(Exception):
    """The named lock stayed held by another transaction for longer than the caller would wait."""


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (Python's hash() changes from one process to the next)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def lock_for_transaction(name: str, *, wait: float | None = None) -> None:
    """Hold ``name`` until the transaction ends, waiting for as long as its holder takes; with ``wait`` (seconds),
    raise LockBusy after that long instead (a request that must answer in time), the transaction left usable."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_for_transaction needs a transaction: the lock ends with it")
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if wait is None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])
            return
        try:
            # In a savepoint: a timeout rolls back to it (and its lock_timeout with it), the transaction goes on.
            with transaction.atomic():
                previous = lock_wait_limit(f"{max(1, round(wait * 1000))}ms")
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])
                lock_wait_limit(previous)
        except OperationalError as error:
            if not lock_waited_too_long(error):
                raise
            raise LockBusy(name) from error


def lock_waited_too_long(error: OperationalError) -> bool:
    """Whether ``error`` is PostgreSQL's lock_timeout running out (see ``lock_wait_limit``)."""
    return getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE


def lock_wait_limit(limit: str) -> str:
    """Let the transaction's next statements wait at most ``limit`` ("2s", "500ms"; "0": no limit) for a lock,
    then fail with LOCK_NOT_AVAILABLE (PostgreSQL's lock_timeout, until the transaction ends or this is called
    again); return the limit there was, to put back. PostgreSQL only."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [limit])
    return previous
