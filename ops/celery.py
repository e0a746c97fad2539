"""The request id travels with the tasks a request (or a task) starts, and workers log it.

- Publishing a task adds a ``request_id`` message header with the current id.
- In the worker, the task runs with that id (and its own id and name) on every log line.
- Workers and beat log through Django's LOGGING (the JSON lines in production), at the ``--loglevel`` given.

A task run in-process (no broker: ``task_always_eager``) runs inside the request, which keeps its id.
"""

import logging
import logging.config

from celery import signals

from .context import current_request_id, request_id_var, task_var

HEADER = "request_id"


@signals.before_task_publish.connect
def request_id_to_headers(headers=None, **kwargs):
    request_id = current_request_id()
    if request_id and headers is not None:
        headers.setdefault(HEADER, request_id)


@signals.task_prerun.connect
def task_context_enter(task_id=None, task=None, **kwargs):
    request = task.request
    request_id = getattr(request, HEADER, None) or (request.headers or {}).get(HEADER) or current_request_id()
    request._ops_tokens = (request_id_var.set(request_id), task_var.set((task_id, task.name)))


@signals.task_postrun.connect
def task_context_leave(task=None, **kwargs):
    tokens = getattr(task.request, "_ops_tokens", None)
    if tokens:
        request_id_var.reset(tokens[0])
        task_var.reset(tokens[1])


@signals.setup_logging.connect
def logging_from_django(loglevel=None, **kwargs):
    """Connected, this replaces Celery's own logging set-up (which would drop our handler and format)."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)
