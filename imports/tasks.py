"""Celery entry points for imports of every kind: they take an id, load, and call a service (ops.jobs.JobTask: a
database error is retried a few times, then the import is marked failed)."""

import logging

from celery import shared_task

from ops.jobs import JobTask, job_send_now, work_resumer

from .models import ImportJob, ImportStatus
from .services import CHECK_TASK, COMMIT_TASK, import_check, import_commit, import_fail, imports_unheld

logger = logging.getLogger(__name__)

CHECK_FAILED = "The check stopped on an error."
COMMIT_FAILED = "The import stopped on an error; nothing was imported."


def _failed(failure: str, then: str):
    """Record ``failure`` on the import (its transaction rolled back, so a retry or a new try starts clean)."""

    def record(task, error, job_id: int) -> None:
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is not None:
            import_fail(job=job, message=f"{failure} {then}")

    return record


@shared_task(
    bind=True,
    base=JobTask,
    give_up=_failed(CHECK_FAILED, "Try again later."),
    fail=_failed(CHECK_FAILED, "The administrators can find the details in the logs."),
)
def import_check_run(self, job_id: int) -> None:
    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.ANALYSING).first()
    if job is not None:
        import_check(job=job)


@shared_task(
    bind=True,
    base=JobTask,
    give_up=_failed(COMMIT_FAILED, "Try again later."),
    fail=_failed(COMMIT_FAILED, "The administrators can find the details in the logs."),
)
def import_commit_run(self, job_id: int) -> None:
    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.IMPORTING).first()
    if job is not None:
        import_commit(job=job)


@work_resumer("imports")
def imports_resend(after_a_restart: bool) -> None:
    """Send again the checks and imports under way that no worker holds.

    A worker killed mid-import leaves its message unacknowledged in Redis for the visibility timeout (an hour)
    and its import rolled back; this starts it again at once. A task sent twice does the work once.
    """
    unheld = imports_unheld()
    for job_id, status in unheld:
        job_send_now(CHECK_TASK if status == ImportStatus.ANALYSING else COMMIT_TASK, job_id)
    if unheld:
        logger.info("imports sent again: %s", unheld)
