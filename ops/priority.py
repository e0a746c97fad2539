"""The CPU priority of the database's side of bulk work.

The Procfile runs the bulk worker at ``nice 10``, but a whole-base re-score spends most of its CPU in its
PostgreSQL backend, which runs at the server's priority and competes with the web's queries as an equal.
``database_backend_nice`` gives this connection's backend process the same lower priority, where it can: the
server on this machine (its backend's process is visible) and the right to renice it (the same user, or root).
Elsewhere (a managed database on another host) it does nothing and says so once: lowering the work's cost is
then the only lever (smaller chunks, see RESCORE_CHUNK_SIZE).
"""

import logging
import os

from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}
_told = False  # whether this process said, once, that it may not renice


def database_backend_nice(connection: BaseDatabaseWrapper, niceness: int) -> int | None:
    """Lower the CPU priority of ``connection``'s PostgreSQL backend to ``niceness``; its pid when done (or
    already done), None when it cannot be (another host, another engine, not permitted). Once per chunk of
    seconds of work: a query and a system call, no memory of pids (the server reuses them)."""
    global _told
    if niceness <= 0 or connection.vendor != "postgresql":
        return None
    if str(connection.settings_dict.get("HOST") or "") not in LOCAL_HOSTS:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        if os.getpriority(os.PRIO_PROCESS, pid) < niceness:
            os.setpriority(os.PRIO_PROCESS, pid, niceness)
    except (PermissionError, ProcessLookupError) as error:
        if not _told:
            _told = True
            logger.info("The bulk work's database backend keeps its priority: %s", error)
        return None
    return pid
