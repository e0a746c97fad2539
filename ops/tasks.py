"""The one resume path of every kind of background work (ops.jobs): when a worker starts, and from beat."""

import logging

from celery import shared_task
from celery.signals import worker_ready

from .jobs import JobTask, work_resume

logger = logging.getLogger(__name__)


@shared_task(base=JobTask)
def work_resume_all(after_a_restart: bool = False) -> list[str]:
    """Send again the work that waits for a worker, of every kind an app registered (ops.jobs.work_resumer).

    Periodically (CELERY_BEAT_SCHEDULE) each kind leaves alone what may still be moving; after a restart it
    sends all of it, since the worker that held it may be gone.
    """
    return work_resume(after_a_restart=after_a_restart)


@worker_ready.connect
def _resume_after_a_restart(sender=None, **kwargs) -> None:
    """A worker killed mid-task leaves its message unacknowledged until Redis's visibility timeout (an hour); a
    worker that starts picks the work up again at once instead."""
    work_resume_all.delay(after_a_restart=True)
