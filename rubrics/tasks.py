"""Celery entry points for re-scoring: they take ids and call the services in rescoring.py."""

import datetime
import logging

from celery import group, shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import DatabaseError

from webhooks.dispatch import webhooks_dispatch_later

from . import rescoring, value_profile
from .models import RescoreChunk

logger = logging.getLogger(__name__)

RETRIES = 3
RETRY_DELAY = 5


@shared_task(bind=True, acks_late=True, max_retries=RETRIES, default_retry_delay=RETRY_DELAY)
def rescore_job_start(self, job_id: int, resume: bool = False) -> None:
    """Plan a queued job's chunks and send one task per chunk.

    A start sent twice (the periodic resend) finds the job running and sends nothing; ``resume`` (a worker
    that starts, a job that stalled) sends the pending chunks of a running job again: chunks run once.
    """
    try:
        chunk_ids = rescoring.rescore_job_plan(job_id=job_id, resume=resume)
    except DatabaseError as error:
        if self.request.retries < RETRIES:
            raise self.retry(exc=error) from error
        logger.exception("re-score %s could not start", job_id)
        rescoring.rescore_job_fail(job_id=job_id, message="The re-score could not start: the database failed.")
        return
    if chunk_ids:
        group(rescore_chunk.si(chunk_id) for chunk_id in chunk_ids).apply_async()


@shared_task(bind=True, acks_late=True, max_retries=RETRIES, default_retry_delay=RETRY_DELAY)
def rescore_chunk(self, chunk_id: int) -> None:
    try:
        rows = rescoring.rescore_chunk_run(chunk_id=chunk_id)
    except DatabaseError as error:
        if self.request.retries < RETRIES:
            raise self.retry(exc=error) from error
        logger.exception("re-score chunk %s failed after %s retries", chunk_id, RETRIES)
        _fail(chunk_id, f"Chunk {chunk_id} failed {RETRIES + 1} times on a database error: {error}")
    except Exception as error:
        logger.exception("re-score chunk %s failed", chunk_id)
        _fail(chunk_id, f"Chunk {chunk_id} failed: {error.__class__.__name__}. The details are in the logs.")
        raise
    else:
        if rows:
            webhooks_dispatch_later()  # new qualifications go out to the rubric's webhook


def _fail(chunk_id: int, message: str) -> None:
    job_id = RescoreChunk.objects.filter(pk=chunk_id).values_list("job_id", flat=True).first()
    if job_id is not None:
        rescoring.rescore_job_fail(job_id=job_id, message=message)


@shared_task(acks_late=True)
def rescore_nightly() -> None:
    rescoring.rescore_nightly()


@shared_task(acks_late=True)
def rescore_jobs_resume(after_a_restart: bool = False) -> None:
    """Send again the jobs whose task was never sent (Redis was down) or lost: queued ones, and the pending
    chunks of running ones (a chunk already done skips itself).

    Periodically (CELERY_BEAT_SCHEDULE): jobs queued for STUCK_JOB_SECONDS, running ones without progress for
    longer than a task may run. After a restart: all of them, since the worker that held them may be gone.
    """
    if after_a_restart:
        queued_for = stalled_for = datetime.timedelta(0)
    else:
        queued_for = datetime.timedelta(seconds=settings.STUCK_JOB_SECONDS)
        stalled_for = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    queued, running = rescoring.rescore_jobs_stuck(queued_for=queued_for, stalled_for=stalled_for)
    for job_id in queued:
        rescore_job_start.delay(job_id)
    for job_id in running:
        rescore_job_start.delay(job_id, resume=True)
    if queued or running:
        logger.info("re-score jobs sent again: queued %s, running %s", queued, running)


@worker_ready.connect
def _resume_after_a_restart(sender=None, **kwargs) -> None:
    """A worker killed mid-chunk leaves its message unacknowledged until Redis's visibility timeout
    (an hour); a worker that starts picks the job up again at once instead."""
    rescore_jobs_resume.delay(after_a_restart=True)


@shared_task(bind=True, acks_late=True, max_retries=RETRIES, default_retry_delay=RETRY_DELAY)
def customers_rescore(self, customer_ids: list[int]) -> None:
    try:
        written = rescoring.customers_rescore(customer_ids=customer_ids)
    except DatabaseError as error:
        if self.request.retries < RETRIES:
            raise self.retry(exc=error) from error
        logger.exception("re-scoring %s customers failed; the nightly re-score will catch up", len(customer_ids))
    else:
        if written:
            webhooks_dispatch_later()


@shared_task(acks_late=True)
def value_profile_build() -> None:
    """Rebuild the value profile the criterion evidence reads (one scan of the base); run twice, it builds twice."""
    generation = value_profile.profile_build()
    logger.info("value profile built for generation %s", generation)
