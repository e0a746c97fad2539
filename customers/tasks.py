"""Celery entry points for imports: they take an id, load, and call a service."""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import DatabaseError

from .imports import import_analyse, import_commit, import_fail, imports_unheld
from .models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)

RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=RETRIES, default_retry_delay=15)
def customer_import_analyse(self, job_id: int) -> None:
    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.ANALYSING).first()
    if job is None:
        return
    _run(self, job, import_analyse, "The check stopped on an error.")


@shared_task(bind=True, acks_late=True, max_retries=RETRIES, default_retry_delay=15)
def customer_import_commit(self, job_id: int) -> None:
    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.IMPORTING).first()
    if job is None:
        return
    _run(self, job, import_commit, "The import stopped on an error; nothing was imported.")


@shared_task(acks_late=True)
def imports_resume() -> None:
    """Send again the checks and imports under way that no worker holds (periodically, and when a worker starts).

    A worker killed mid-import leaves its message unacknowledged in Redis for the visibility timeout (an hour)
    and its import rolled back; this starts it again at once. A task sent twice does the work once.
    """
    unheld = imports_unheld()
    for job_id, status in unheld:
        task = customer_import_analyse if status == ImportStatus.ANALYSING else customer_import_commit
        task.delay(job_id)
    if unheld:
        logger.info("imports sent again: %s", unheld)


@worker_ready.connect
def _resume_after_a_restart(sender=None, **kwargs) -> None:
    imports_resume.delay()


def _run(task, job, service, failure: str) -> None:
    """Retry on database trouble (the import is one transaction, so a retry starts clean); give up clearly."""
    try:
        service(job=job)
    except DatabaseError as error:
        if task.request.retries < RETRIES:
            raise task.retry(exc=error) from error
        logger.exception("import %s failed after %s retries", job.pk, RETRIES)
        import_fail(job=job, message=f"{failure} Try again later.")
    except Exception:
        logger.exception("import %s failed", job.pk)
        import_fail(job=job, message=f"{failure} The administrators can find the details in the logs.")
        raise
