"""Background jobs: one way to send, retry, give up on and resume every kind of work a worker does.

- ``JobTask`` is the base class of every task of the project (``@shared_task(base=JobTask, ...)``). It is
  acknowledged late and given back when its worker is lost (the settings), and a task that meets one of its
  ``retry_on`` errors (a database error, unless it says otherwise) is retried ``max_retries`` times,
  ``default_retry_delay`` seconds apart. Then its ``give_up`` (an option of the task: ``give_up(task, error,
  *args)``) records the failure where people see it (on the job's row: "The import stopped on an error")
  and the task ends; without one, the error is raised. Any other error calls the task's ``fail`` (same
  signature), if it has one, and is raised.
- ``job_send(name, *args, waiting=...)`` sends a task by its name once the transaction commits (through
  ops.outages, so a Redis that is down leaves the job's row waiting and says so), and a service never has
  to import its app's tasks module.
- Stuck work is resumed by one path: each app registers what it sends again (``work_resumer``), and one task,
  ``ops.tasks.work_resume``, runs them all when a worker starts and every ``STUCK_JOB_CHECK_SECONDS`` (one
  beat entry). Work sent twice is done once: every task claims its row.
"""

import logging
from collections.abc import Callable

from celery import Task, current_app
from celery.exceptions import Retry
from django.db import DatabaseError

from .outages import task_send, task_send_on_commit

logger = logging.getLogger(__name__)

RETRIES = 3


class JobTask(Task):
    """A task retried on ``retry_on`` errors a bounded number of times, then given up cleanly (see the module)."""

    acks_late = True
    max_retries = RETRIES
    default_retry_delay = 15
    retry_on: tuple[type[BaseException], ...] = (DatabaseError,)
    give_up: Callable | None = None
    fail: Callable | None = None

    def __call__(self, *args, **kwargs):
        # A hook given as a task option is a function on the task's class: ``self.give_up`` binds it, so it
        # gets the task first.
        try:
            return super().__call__(*args, **kwargs)
        except Retry:
            raise
        except self.retry_on as error:
            if self.request.retries < self.max_retries:
                raise self.retry(exc=error) from error
            logger.exception("%s gave up after %s retries", self.name, self.max_retries)
            if self.give_up is None:
                raise
            return self.give_up(error, *args, **kwargs)
        except Exception as error:
            if self.fail is not None:
                logger.exception("%s failed", self.name)
                self.fail(error, *args, **kwargs)
            raise


def job_task(name: str) -> Task:
    """The task called ``name``. A web process imports the apps' tasks modules the first time it sends one (a
    worker imports them when it starts): nothing in the apps has to import them for their tasks to exist."""
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def job_send(name: str, *args, waiting: str) -> None:
    """Send the task ``name`` (e.g. "rubrics.tasks.rescore_job_start") with ``args`` once the transaction
    commits; ``waiting`` says what catches up if the job queue cannot be reached then."""
    task_send_on_commit(job_task(name), *args, waiting=waiting)


def job_send_now(name: str, *args, waiting: str = "") -> bool:
    """Send the task ``name`` now, outside any transaction (a task sending its follow-ups)."""
    return task_send(job_task(name), *args, waiting=waiting)


_resumers: dict[str, Callable[[bool], None]] = {}


def work_resumer(name: str) -> Callable:
    """Register ``function(after_a_restart: bool)``: it sends again the work of its kind that waits for a
    worker (queued and never sent, or held by a worker that died). Periodically it leaves alone what may
    still be moving; after a restart (``after_a_restart``) it sends all of it."""

    def register(function: Callable[[bool], None]) -> Callable[[bool], None]:
        _resumers[name] = function
        return function

    return register


def work_resume(*, after_a_restart: bool) -> list[str]:
    """Run every registered resumer; one failing does not stop the others. Returns the names run."""
    ran = []
    for name, resumer in sorted(_resumers.items()):
        try:
            resumer(after_a_restart)
        except Exception:
            logger.exception("resuming %s failed; the next round tries again", name)
        else:
            ran.append(name)
    return ran


def work_resumers() -> list[str]:
    return sorted(_resumers)
