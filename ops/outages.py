"""When Redis or PostgreSQL is down: requests still answer clearly, and work waiting for the job queue is not lost.

Sending tasks. A request never sends a task inside its transaction: it commits the
work's row in a state that says what is left to do (a re-score job queued, an import
importing: the row is the outbox) and sends the task once that commits
(``task_send_on_commit``). With Redis unreachable, the send is given up after the
short retry of ``CELERY_TASK_PUBLISH_RETRY_POLICY``; the request still succeeds, the
failure is logged, and a sentence saying what waits and what catches up with it is
kept for the request. A view can word it itself (``sends_watched``); otherwise
``ops.middleware.DeferredSendsMiddleware`` shows it to the signed-in person.

Answering. A view that meets an unreachable database or Redis answers 503 with a
page (or JSON under ``/api/``) saying which service is unavailable, instead of 500
(``ops.middleware.ServiceUnavailableMiddleware``, and ``server_error`` for what
fails outside a view).
"""

import logging
import reprlib
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import kombu.exceptions
import redis
from django.db import InterfaceError, OperationalError, transaction
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

# Redis down or unreachable, whether through Celery (kombu) or a Redis client (the cache, the result store).
REDIS_ERRORS = (kombu.exceptions.OperationalError, redis.ConnectionError, redis.TimeoutError)
# The database down, restarting, or the connection to it lost.
DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
# After a send failed, sends to that broker within this time are given up at once: a transaction that changed
# a thousand customers one by one would otherwise wait a second for each of their re-score tasks.
BROKER_DOWN_SECONDS = 5

_deferred: ContextVar[list[str] | None] = ContextVar("deferred_sends", default=None)
_broker_down_until: dict[str, float] = {}


def task_send(task, *args, waiting: str) -> bool:
    """Send ``task`` now; False when Redis cannot be reached (logged, and ``waiting`` kept for the person).

    Nobody waits for these tasks' results: they are not stored, so a send needs the broker only.
    """
    broker, what = task.app.conf.broker_url, f"{task.name}{reprlib.repr(args)}"
    if time.monotonic() < _broker_down_until.get(broker, 0):
        logger.warning("did not send %s: the job queue was unreachable a moment ago. %s", what, waiting)
    else:
        try:
            task.apply_async(args, ignore_result=True)
        except REDIS_ERRORS:
            logger.warning("could not send %s: the job queue is unreachable. %s", what, waiting, exc_info=True)
            _broker_down_until[broker] = time.monotonic() + BROKER_DOWN_SECONDS
        else:
            return True
    deferred = _deferred.get()
    if deferred is not None and waiting and waiting not in deferred:
        deferred.append(waiting)
    return False


def task_send_on_commit(task, *args, waiting: str) -> None:
    """Send ``task`` once the transaction commits; ``waiting`` tells the person what catches up if Redis is down."""
    transaction.on_commit(lambda: task_send(task, *args, waiting=waiting))


@contextmanager
def sends_watched() -> Iterator[list[str]]:
    """Collect what waits for the job queue because a send within the block failed (nested blocks keep their own)."""
    deferred: list[str] = []
    token = _deferred.set(deferred)
    try:
        yield deferred
    finally:
        _deferred.reset(token)


def unavailable_service(error: BaseException) -> str | None:
    """ "the database" or "the job queue" when ``error`` says that service is unreachable; None otherwise."""
    if isinstance(error, DATABASE_ERRORS):
        return "the database"
    if isinstance(error, REDIS_ERRORS):
        return "the job queue and cache (Redis)"
    return None


def service_unavailable(request, service: str) -> HttpResponse:
    """503, with a page (or JSON for the API) saying which service is unavailable and to try again in a minute."""
    if request.path.startswith("/api/"):
        detail = f"This request needs {service}, which cannot be reached just now. Try again in a minute."
        response = JsonResponse({"detail": detail}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"service": service}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request, *args, **kwargs) -> HttpResponse:
    """handler500: an outage that escaped the views (a middleware, an error page) is still a 503."""
    error = sys.exc_info()[1]
    service = unavailable_service(error) if error else None
    if service:
        return service_unavailable(request, service)
    return django_server_error(request, *args, **kwargs)
