"""Celery entry points for scoring: they take ids and call services/rescoring.py and value_profile.py.

Every task is a ``ops.jobs.JobTask``: a database error is retried a few times, then the job is marked failed.
Scores that changed some qualifications are announced (``signals.qualifications_changed``) once committed.
"""

import datetime
import logging

from celery import group, shared_task
from django.conf import settings
from django.db import connection, transaction

from ops.jobs import JobTask, job_send_now, work_resumer
from ops.priority import database_backend_nice

from . import value_profile
from .models import RescoreChunk
from .services import rescoring
from .signals import qualifications_changed

logger = logging.getLogger(__name__)

RETRY_DELAY = 5


def _start_given_up(task, error, job_id: int, resume: bool = False) -> None:
    rescoring.rescore_job_fail(job_id=job_id, message="The re-score could not start: the database failed.")


@shared_task(bind=True, base=JobTask, default_retry_delay=RETRY_DELAY, give_up=_start_given_up)
def rescore_job_start(self, job_id: int, resume: bool = False) -> None:
    """Plan a queued job's chunks and send one task per chunk.

    A start sent twice (the periodic resend) finds the job running and sends nothing; ``resume`` (a worker
    that starts, a job that stalled) sends the pending chunks of a running job again: chunks run once.
    """
    chunk_ids = rescoring.rescore_job_plan(job_id=job_id, resume=resume)
    if chunk_ids:
        group(rescore_chunk.si(chunk_id) for chunk_id in chunk_ids).apply_async()
    elif resume and rescoring.rescore_job_switch(job_id=job_id):
        _announce()  # every chunk was done, its table not yet switched in (the worker died then)


def _chunk_failed(job_message):
    def record(task, error, chunk_id: int) -> None:
        job_id = RescoreChunk.objects.filter(pk=chunk_id).values_list("job_id", flat=True).first()
        if job_id is not None:
            rescoring.rescore_job_fail(job_id=job_id, message=job_message(chunk_id, error))

    return record


@shared_task(
    bind=True,
    base=JobTask,
    default_retry_delay=RETRY_DELAY,
    give_up=_chunk_failed(
        lambda chunk, error: f"Chunk {chunk} failed {JobTask.max_retries + 1} times on a database error: {error}"
    ),
    fail=_chunk_failed(
        lambda chunk, error: f"Chunk {chunk} failed: {error.__class__.__name__}. The details are in the logs."
    ),
)
def rescore_chunk(self, chunk_id: int) -> None:
    if (self.request.delivery_info or {}).get("routing_key") == "bulk":
        # The bulk worker runs at a lower priority; so does the database's side of its work (ops/priority.py).
        database_backend_nice(connection, settings.BULK_DATABASE_NICE)
    if rescoring.rescore_chunk_run(chunk_id=chunk_id):
        _announce()


def _announce() -> None:
    """Tell the apps above that qualifications may have changed, once the scores are committed."""
    transaction.on_commit(lambda: qualifications_changed.send(sender=rescore_chunk))


@shared_task(base=JobTask)
def rescore_nightly() -> None:
    rescoring.rescore_nightly()


@work_resumer("re-score jobs")
def rescore_jobs_resend(after_a_restart: bool) -> None:
    """Send again the jobs whose task was never sent (Redis was down) or lost: queued ones, and the pending
    chunks of running ones (a chunk already done skips itself).

    Periodically: jobs queued for STUCK_JOB_SECONDS, running ones without progress for longer than a task may
    run. After a restart: all of them, since the worker that held them may be gone.
    """
    if after_a_restart:
        queued_for = stalled_for = datetime.timedelta(0)
    else:
        queued_for = datetime.timedelta(seconds=settings.STUCK_JOB_SECONDS)
        stalled_for = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    rescoring.score_tables_sweep()
    queued, running = rescoring.rescore_jobs_stuck(queued_for=queued_for, stalled_for=stalled_for)
    for job_id in queued:
        job_send_now("rubrics.tasks.rescore_job_start", job_id)
    for job_id in running:
        job_send_now("rubrics.tasks.rescore_job_start", job_id, True)
    if queued or running:
        logger.info("re-score jobs sent again: queued %s, running %s", queued, running)


def _customers_given_up(task, error, customer_ids: list[int]) -> None:
    logger.warning("re-scoring %s customers gave up; the nightly re-score will catch up", len(customer_ids))


@shared_task(bind=True, base=JobTask, default_retry_delay=RETRY_DELAY, give_up=_customers_given_up)
def customers_rescore(self, customer_ids: list[int]) -> None:
    if rescoring.customers_rescore(customer_ids=customer_ids):
        _announce()


@shared_task(base=JobTask)
def value_profile_build() -> None:
    """Rebuild the value profile the criterion evidence reads (one scan of the base); run twice, it builds twice."""
    generation = value_profile.profile_build()
    logger.info("value profile built for generation %s", generation)
