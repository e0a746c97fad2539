"""Long polling: a live region's poll whose ETag is still current waits, in the server, for the workshop to change.

A page's live regions (the proposals, the board) ask with ``X-Live-Wait: 1``. When their ETag is still current
and the server runs requests in threads (gunicorn's ``gthread`` workers, ``runserver``: ``wsgi.multithread``),
``LivePollMiddleware`` does not answer ``304`` at once but waits here, up to ``LIVE_WAIT_SECONDS``, until the
workshop's version moves; then it answers ``200`` with the news (drawn without the session, live.py). So a
change reaches the other screens as soon as it is committed (plus ``WATCH_SECONDS`` and one render), where a
poll every 0.3 s made it wait for the next poll and then for the queue of fifty polls the change set off.

One thread per web process (``VersionWatch``) reads the versions of the workshops someone waits on, in one
query every ``WATCH_SECONDS``, and wakes their waiters. It needs nothing but the database: ``make run`` on
SQLite without Redis long-polls too. It stops (and closes its connection) when nobody waits. A waiting request
keeps the database connection it checked its ETag with (closing it cost fifty new connections at once when a
change woke everyone), so a process holds at most ``LIVE_WAIT_SLOTS`` connections for waiting requests.

Everyone's wait ends at the same change: ``LivePollMiddleware`` then draws the news two at a time per process
(``_WOKEN_RENDERS``), each at full speed, rather than fifty at once, each slowed by the others for the
interpreter's lock (in the propagation benchmark: p95 600 ms against 809 ms).

A server that runs one request at a time per process (gunicorn's sync workers) never waits: its polls answer
``304`` at once, and the page asks again after ``POLL_MS``, as plain polling did. So does a server with
``LIVE_WAIT_SECONDS = 0``.
"""

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

from django.db import connection

logger = logging.getLogger(__name__)

WATCH_SECONDS = 0.05
RETRY_SECONDS = 0.5  # after a failed read: the waiters meanwhile time out into their 304


class VersionWatch:
    """Wakes the requests waiting on workshops whose version moved (see the module's docstring).

    At most ``slots`` requests wait at once in a process: the others answer at once, so that waiting requests
    never take every thread of a process (gunicorn hands a process connections unevenly; a request queued
    behind forty waiting ones would wait for their timeout).
    """

    def __init__(self, read: Callable[[list[int]], dict[int, tuple[int, int]]], slots: int):
        self._read = read
        self._slots = threading.BoundedSemaphore(slots) if slots > 0 else None
        self._changed = threading.Condition()
        self._waiting: Counter[int] = Counter()
        self._seen: dict[int, tuple[int, int]] = {}
        self._thread: threading.Thread | None = None

    def wait(self, workshop_id: int, current: Callable[[tuple[int, int]], bool], timeout: float, *, wake_by=None):
        """Wait until ``current(versions)`` is false for the workshop's (version, bar_version), at most ``timeout``
        seconds or until the wall-clock time ``wake_by``. True when it changed; None when every slot is taken
        (the request did not wait)."""
        if self._slots is None or not self._slots.acquire(blocking=False):
            return None
        try:
            return self._wait(workshop_id, current, timeout, wake_by)
        finally:
            self._slots.release()

    def _wait(self, workshop_id: int, current, timeout: float, wake_by) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            self._waiting[workshop_id] += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="live-version-watch", daemon=True)
                self._thread.start()
            try:
                while True:
                    seen = self._seen.get(workshop_id)
                    if seen is not None and not current(seen):
                        return True
                    remaining = deadline - time.monotonic()
                    if wake_by is not None:
                        remaining = min(remaining, wake_by - time.time())
                    if remaining <= 0:
                        return False
                    self._changed.wait(remaining)
            finally:
                self._waiting[workshop_id] -= 1
                if not self._waiting[workshop_id]:
                    del self._waiting[workshop_id]
                    self._seen.pop(workshop_id, None)

    def _watch(self) -> None:
        try:
            while True:
                with self._changed:
                    wanted = list(self._waiting)
                    if not wanted:
                        self._thread = None
                        return
                try:
                    versions = self._read(wanted)
                except Exception:  # the database away: never let the watch die with waiters counting on it
                    logger.warning("Could not read the workshops' versions; polls answer 304 meanwhile", exc_info=True)
                    connection.close()
                    time.sleep(RETRY_SECONDS)
                    continue
                with self._changed:
                    moved = False
                    for workshop_id, row in versions.items():
                        if workshop_id in self._waiting and self._seen.get(workshop_id) != row:
                            self._seen[workshop_id] = row
                            moved = True
                    if moved:  # the waiters of a quiet room sleep on
                        self._changed.notify_all()
                time.sleep(WATCH_SECONDS)
        finally:
            connection.close()  # this thread's own connection
