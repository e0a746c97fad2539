"""Fixtures shared by every app's tests: people by role, a real Celery worker, a real browser."""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from celery._state import _set_task_join_will_block
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from icpsite.celery import app as celery_app
from teams.models import Role, Team
from teams.tests.factories import TeamFactory, UserFactory
from tests.support import PrivateRedis, redis_or_fail, runs_transactional

# Playwright's sync API runs an event loop in the test thread; Django would
# otherwise refuse ORM calls made from that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ROLE_TEAMS = {
    Role.ADMIN: Team.SALES,
    Role.FACILITATOR: Team.MARKETING,
    Role.MEMBER: Team.CUSTOMER_SUCCESS,
    Role.SALES_REP: Team.SALES,
}


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_person(db):
    """Make a person with a role (and a fitting team unless one is given)."""

    def make(role=Role.MEMBER, team=None, **fields):
        team = team or TeamFactory(slug=ROLE_TEAMS[role])
        return UserFactory(role=role, team=team, **fields)

    return make


@pytest.fixture
def client_as(client, make_person):
    """A test client signed in as a new person with the given role."""

    def sign_in(role, **fields):
        person = make_person(role, **fields)
        client.force_login(person)
        client.person = person
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Tasks run in-process, except in tests that start a real worker."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    # Celery keeps, per process, whether the code runs inside a task (where result.get() is refused). An eager
    # apply() sets it while the task runs and then puts back what it found, so two threads running tasks at once
    # (customers/tests/test_import_concurrency.py) can leave it set for the tests after. The app never waits on a
    # result, so only tests meet it; each starts outside any task.
    _set_task_join_will_block(False)
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _score_tables_left_dropped(request):
    """Before a transactional test's flush, the product's sweep drops the score tables the test left unattached.

    A worker stopped right after its publish's switch committed leaves the old partition detached, for the
    sweep to drop later (rubrics.services.rescoring.score_tables_sweep). That table still references the
    customers, so the flush's TRUNCATE of them would fail, and then every transactional test after it in the
    process."""
    if not runs_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so flushed after this fixture's teardown
    yield
    from rubrics.services.rescoring import score_tables_sweep

    score_tables_sweep()


@pytest.fixture
def real_worker(transactional_db, settings):
    """A real Celery worker (in a thread of this process) consuming from Redis.

    Tasks sent by the code under test go through the broker, not in-process.
    """
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the readiness check)
    from celery.contrib.testing.worker import start_worker

    url = redis_or_fail()
    saved = {key: celery_app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    celery_app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _forget_celery_connections()
    redis.Redis.from_url(url).delete("celery")  # no leftovers from an earlier run
    # At INFO, as a deployed worker: Celery decides once per process whether its tracer logs each task.
    with start_worker(
        celery_app, pool="solo", concurrency=1, perform_ping_check=True, shutdown_timeout=20, loglevel="INFO"
    ) as worker:
        yield worker
    celery_app.conf.update(saved)
    _forget_celery_connections()


@pytest.fixture
def broker(settings):
    """This process sends its tasks to Redis (and keeps its cache there), for worker subprocesses to take."""
    url = redis_or_fail()
    with _app_on_redis(settings, url):
        client = redis.Redis.from_url(url)
        leftovers = ("celery", "unacked", "unacked_index")
        client.delete(*leftovers)
        yield url
        client.delete(*leftovers)  # a killed worker's unacknowledged messages


@pytest.fixture
def private_redis(settings):
    """A redis-server of the test's own (``.stop()``, ``.start()``); this process's broker and cache point at it."""
    server = PrivateRedis()
    try:
        server.start()
        with _app_on_redis(settings, server.url):
            yield server
    finally:
        server.close()


@contextmanager
def _app_on_redis(settings, url: str):
    saved = {key: celery_app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    celery_app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _forget_celery_connections()
    settings.CACHES = {"default": _redis_cache(url)}
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        _forget_celery_connections()


def _redis_cache(url: str) -> dict:
    options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "OPTIONS": options}


def _forget_celery_connections():
    """Make the app connect anew from its current configuration."""
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None
    celery_app._local.__dict__.pop("backend", None)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright. Missing, it fails: it never skips."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"The browser tests need Debian's chromium at {CHROMIUM}: run scripts/ensure-test-services.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def connection_kept_open():
    """Keep the test's database connection (and its transaction) across WSGI requests, as Django's test client does
    (for schemathesis, which calls the WSGI application itself)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
