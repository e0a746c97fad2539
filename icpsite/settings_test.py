"""Settings for the test suite: the normal settings with development defaults."""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DEBUG", "true")


def redis_of_this_worker(url: str, worker: str) -> str:
    """Under pytest-xdist (``make test`` runs several workers), each worker ``gwN`` gets Redis database 10 + N of
    the same server, so one worker's broker queue, cache and flushes never meet another's. PostgreSQL needs no such
    care: pytest-django names each worker's test database ``test_<name>_gwN`` itself."""
    if not url or not worker.startswith("gw"):
        return url
    number = 10 + int(worker.removeprefix("gw"))
    if number > 15:
        raise RuntimeError(f"Redis has databases 0..15: run at most 6 test workers (this is {worker})")
    return urlunsplit(urlsplit(url)._replace(path=f"/{number}"))


# Before the settings read it, and before tests/support.py and the Celery workers that tests start inherit it.
if os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = redis_of_this_worker(os.environ["REDIS_URL"], os.environ.get("PYTEST_XDIST_WORKER", ""))

from .settings import *  # noqa: E402,F403

# A live region's poll waits this long at most for a change (workshops/live_wait.py): a browser test's page
# leaves its last poll waiting in the live server when the test ends.
LIVE_WAIT_SECONDS = 3

# The tests' own re-scores keep their database backend's priority: make test runs the worker tests beside the
# others, and a reniced backend would crawl (ops/tests/test_priority.py renices a connection of its own).
BULK_DATABASE_NICE = 0

# Hashing passwords the slow, safe way only makes tests slow.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
