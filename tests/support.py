"""Helpers for tests that talk to real services, and start or stop them."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import redis

from icpsite.settings_test import redis_of_this_worker

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# The settings (icpsite/settings_test.py) have already given each pytest-xdist worker a Redis database of its own.
TEST_REDIS_URL = os.environ.get("REDIS_URL") or redis_of_this_worker(
    "redis://127.0.0.1:6379/15", os.environ.get("PYTEST_XDIST_WORKER", "")
)


def redis_or_fail(url: str = TEST_REDIS_URL) -> str:
    """Return ``url`` if a Redis answers there; otherwise fail the test loudly."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"These tests need a real Redis at {url} ({error}); start it or set REDIS_URL.")
    return url


# How soon work a killed worker left is done again: the worker that starts next sends it at once, where Redis
# would deliver it again only after the broker's visibility timeout (an hour, CELERY_BROKER_TRANSPORT_OPTIONS).
# Generous, as these tests run beside the other test processes (make test, docs/testing.md), yet far from an hour.
RESENT_WITHIN_SECONDS = 120


def runs_transactional(request) -> bool:
    """Whether the test runs on a transactional database, whose flush empties every table when it ends: it asks
    for ``transactional_db`` or a live server (which pytest-django sets up on one), or its ``django_db`` mark says
    ``transaction=True``."""
    marker = request.node.get_closest_marker("django_db")
    asked = {"transactional_db", "live_server"} & set(request.fixturenames)
    return bool(asked) or bool(marker and marker.kwargs.get("transaction"))


def wait_for(condition, timeout: float = 15.0, interval: float = 0.05, what: str = "the condition"):
    """Poll until ``condition()`` is true; fail the test after ``timeout`` seconds."""
    from django.db import OperationalError

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OperationalError as error:
            # SQLite's in-memory test database is shared by table locks: a worker thread writing holds the
            # table until it commits, and a read meanwhile fails at once instead of waiting. Ask again.
            if "is locked" not in str(error):
                raise
        time.sleep(interval)
    pytest.fail(f"gave up after {timeout} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings) -> str:
    """The URL of the test database, for processes started by a test (PostgreSQL only)."""
    database = settings.DATABASES["default"]
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host, port = database.get("HOST") or "127.0.0.1", database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"


def celery_start(role: str, settings, redis_url: str, log, **env) -> subprocess.Popen:
    """A real Celery ``worker`` (prefork, one process) or ``beat``, on the test database and ``redis_url``.

    In a process group of its own (``group_kill``); ``env`` adds settings (STUCK_JOB_SECONDS, say).
    """
    env = {
        **os.environ,
        "DATABASE_URL": database_url(settings),
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DEBUG": "true",
        "ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "icpsite.settings",
        "BULK_DATABASE_NICE": "0",  # as icpsite/settings_test.py: the test's re-score beside the other tests
        **env,
    }
    command = [str(BIN / "celery"), "-A", "icpsite", role, "-l", "info"]
    if role == "worker":
        command += ["--pool", "prefork", "--concurrency", "1", "--without-gossip", "--without-mingle"]
        command += ["--without-heartbeat"]
    else:
        command += ["--schedule", str(Path(log.name).parent / "beat-schedule")]  # beside the log
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def group_kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal ``process`` and every process of its group (a worker and its pool), and wait for it (SIGKILL after
    20 s if it ignores a gentler signal)."""
    for signal_sent in (sig, signal.SIGKILL):
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # ended meanwhile
                os.killpg(process.pid, signal_sent)
        try:
            process.wait(timeout=20)
            return
        except subprocess.TimeoutExpired:
            continue


class PrivateRedis:
    """A redis-server of this test's own, on a free port, keeping nothing on disk; stopped and started at will.

    Never the shared Redis on 6379: other tests and people use it.
    """

    def __init__(self):
        executable = shutil.which("redis-server")
        if executable is None:
            pytest.fail(
                "This test needs redis-server: run scripts/ensure-test-services (apt-get install redis-server)."
            )
        self.executable = executable
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="icp-redis-")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
        command += ["no", "--daemonize", "no", "--dir", self.folder]
        with open(Path(self.folder) / "redis.log", "a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        wait_for(lambda: self._answers(client), timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            group_kill(self.process, signal.SIGTERM)
            self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    @staticmethod
    def _answers(client) -> bool:
        try:
            return client.ping()
        except redis.RedisError:
            return False


@contextlib.contextmanager
def _held_elsewhere(take, what: str):
    """Run ``take()`` in a transaction of another connection (a thread), held open until the block ends."""
    from django.db import connection, transaction

    held, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                take()
                held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(timeout=10), f"the other connection could not take {what}"
        yield
    finally:
        release.set()
        holder.join(timeout=10)


def row_held(model, pk: int):
    """Hold a row locked (SELECT ... FOR UPDATE) from another connection, as a worker busy with it does."""
    return _held_elsewhere(lambda: model.objects.select_for_update().get(pk=pk), "the row")


def reading_held(queryset):
    """Read ``queryset`` in a transaction of another connection held open until the block ends, as a query in
    flight does: the tables it read stay locked against changes to their structure meanwhile."""
    return _held_elsewhere(lambda: list(queryset), "a reader")


def lock_held(name: str):
    """Hold a named lock (ops.locks) from another connection's transaction, as an import under way does."""
    from ops.locks import lock_for_transaction

    return _held_elsewhere(lambda: lock_for_transaction(name), f"the lock {name!r}")


def migrate_to(targets):
    """Migrate the test database to ``targets`` ([(app, migration name, or None for none of its migrations)]) and
    return the models as they are there (``apps.get_model``), for a test of a data migration on rows written
    before it."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([(app, name) for app, name in targets if name is not None]).apps


def migrate_to_latest():
    """Every app back at its latest migration, as the other tests expect; the models as they are there."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    return migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())


def browser_sign_in(page, person) -> None:
    """Sign ``person`` (made by the factories, whose password every test shares) in through the sign-in page."""
    import re

    from django.urls import reverse

    page.goto(reverse("login"))
    page.fill("input[name=username]", person.username)
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
