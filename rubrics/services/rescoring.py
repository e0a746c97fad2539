"""Publishing a rubric version and re-scoring the customer base with it.

A re-score job splits the base into primary-key ranges (chunks). Each chunk is
written in one transaction that also marks the chunk done and counts it on the
job, so a chunk run twice (a retry, a task delivered again after its worker
died) writes its scores once. A newer job of the same rubric supersedes the
older ones; their chunks then write nothing.

How a chunk writes: a publish on PostgreSQL fills a table of the job's own
(``scores.scores_fill``), which the last chunk indexes and switches in as the
rubric's partition (``rescore_job_switch``, score_tables.py): the scores are
written like a new table, once. Any other job (the nightly re-score by the
same version, SQLite) upserts in place (``scores.scores_write_counted``),
writing only the rows that differ.
"""

import datetime
import logging
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Count, F, Max, Min
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import Customer
from ops.jobs import job_send
from ops.locks import lock_for_transaction, lock_wait_limit, lock_waited_too_long
from teams.models import User

from ..compile import id_ranges
from ..locks import rubric_lock, rubric_scoring_held_off, rubric_scoring_lock
from ..models import ChunkStatus, JobStatus, RescoreChunk, RescoreJob, Rubric, RubricVersion, VersionStatus
from ..score_tables import (
    partitioned,
    score_table_create,
    score_table_drop,
    score_table_index,
    score_table_switch,
    score_table_vacuum,
    score_tables_unattached,
)
from ..selectors import version_spec
from .scores import (
    customers_lock_for_scoring,
    score_statistics_refresh,
    scores_fill,
    scores_write,
    scores_write_counted,
)

logger = logging.getLogger(__name__)

CUSTOMER_TASK_SIZE = 1_000  # changed customers per re-score task
SCATTERED_RANGES = 2  # more ranges than this: the customers are re-scored by id, in one statement
SWITCH_ATTEMPTS = 5  # a switch that waited SWITCH_LOCK_TIMEOUT for the lead list's readers is tried again
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
# What waits, and what catches up, when a task cannot be sent (Redis down): see ops.outages.
JOB_WAITING = "The re-score starts by itself when it is back."
CUSTOMERS_WAITING = "The changed customers get their new scores with tonight's re-score."


def rescore_job_create(
    *, version: RubricVersion, reason: str, user: User | None = None, start: bool = True
) -> RescoreJob:
    """Create a job re-scoring the base with ``version``; older queued or running jobs of the rubric stop.

    With ``start``, the job's first task is sent once the transaction commits. If Redis is down then, the job
    stays queued and the periodic resend (``tasks.rescore_jobs_resend``) starts it once Redis is back.
    """
    with transaction.atomic():
        rubric_lock(version.rubric_id)
        RescoreJob.objects.filter(rubric_id=version.rubric_id, status__in=ACTIVE).update(
            status=JobStatus.SUPERSEDED, finished_at=timezone.now()
        )
        job = RescoreJob.objects.create(rubric_id=version.rubric_id, version=version, reason=reason, requested_by=user)
        if start:
            job_send("rubrics.tasks.rescore_job_start", job.pk, waiting=JOB_WAITING)
    return job


def rescore_job_plan(*, job_id: int, chunk_size: int | None = None, resume: bool = True) -> list[int]:
    """Start a queued job by splitting the base into chunks; return the ids of its chunks still to do.

    Safe to run again: a running job is not planned twice, and with ``resume``
    its pending chunks are returned again (a chunk sent twice is done once);
    without, a job this call did not start returns none.
    """
    with transaction.atomic():
        claimed = RescoreJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now()
        )
        if claimed:
            job = RescoreJob.objects.get(pk=job_id)
            fills = partitioned() and job.reason == "publish"
            chunk_size = chunk_size or (settings.RESCORE_FILL_CHUNK_SIZE if fills else settings.RESCORE_CHUNK_SIZE)
            bounds = Customer.objects.aggregate(low=Min("id"), high=Max("id"), count=Count("id"))
            chunks = []
            if bounds["count"]:
                for number, low in enumerate(range(bounds["low"], bounds["high"] + 1, chunk_size)):
                    chunks.append(RescoreChunk(job_id=job_id, number=number, low_id=low, high_id=low + chunk_size - 1))
            RescoreChunk.objects.bulk_create(chunks)
            table = score_table_create(job_id=job_id, rubric_id=job.rubric_id) if chunks and fills else ""
            RescoreJob.objects.filter(pk=job_id).update(
                chunks_total=len(chunks), rows_total=bounds["count"], table=table
            )
            if not chunks:
                RescoreJob.objects.filter(pk=job_id).update(status=JobStatus.DONE, finished_at=timezone.now())
    if not claimed and not resume:
        return []
    return list(
        RescoreChunk.objects.filter(job_id=job_id, job__status=JobStatus.RUNNING, status=ChunkStatus.PENDING)
        .order_by("number")
        .values_list("pk", flat=True)
    )


def rescore_chunk_run(*, chunk_id: int) -> int | None:
    """Score one chunk's customers with its job's version, once; return how many scores it put in place, which
    the worker then announces (None: nothing to do). The job counts the rows written, and apart the scores whose
    total or qualification moved.

    A chunk of a job filling its own table puts none in place (0): the table is not read until it is switched
    in, which the last chunk does (returning every row then).

    1. hold off any publish of the rubric until this transaction ends, so a job
       superseded meanwhile cannot write after the newer one started;
    2. claim the chunk with a conditional UPDATE (pending → done): a second run
       stops here; a run killed midway was rolled back and left it pending;
    3. write nothing if the job no longer runs (superseded or failed);
    4. write the scores and count the chunk on the job; the last chunk finishes the job (a job filling its own
       table: switches it in, once committed).
    """

    chunk = RescoreChunk.objects.filter(pk=chunk_id).select_related("job").first()
    if chunk is None:
        return None
    if chunk.status != ChunkStatus.PENDING:
        # Done already: delivered again, or retried because the switch that followed it failed (try it again).
        return rescore_job_switch(job_id=chunk.job_id)
    RescoreChunk.objects.filter(pk=chunk_id).update(attempts=F("attempts") + 1)
    with transaction.atomic():
        rubric_scoring_lock(chunk.job.rubric_id)
        now = timezone.now()
        if not RescoreChunk.objects.filter(pk=chunk_id, status=ChunkStatus.PENDING).update(
            status=ChunkStatus.DONE, finished_at=now
        ):
            return None
        job = RescoreJob.objects.select_related("version").get(pk=chunk.job_id)
        if job.status != JobStatus.RUNNING:
            RescoreChunk.objects.filter(pk=chunk_id).update(status=ChunkStatus.SKIPPED)
            return None
        spec = version_spec(job.version)
        if job.table:
            written = scores_fill(
                version=job.version, spec=spec, low_id=chunk.low_id, high_id=chunk.high_id, table=job.table
            )
            moved = 0  # counted at the switch, against the scores then attached
        else:
            written, moved = scores_write_counted(
                version=job.version, spec=spec, low_id=chunk.low_id, high_id=chunk.high_id
            )
        RescoreChunk.objects.filter(pk=chunk_id).update(rows_changed=written, scores_moved=moved)
        RescoreJob.objects.filter(pk=job.pk).update(
            chunks_done=F("chunks_done") + 1,
            rows_changed=F("rows_changed") + written,
            scores_moved=Coalesce(F("scores_moved"), 0) + moved,
        )
        last = RescoreJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, chunks_done__gte=F("chunks_total"))
        finished = 0 if job.table else last.update(status=JobStatus.DONE, finished_at=now)
        to_switch = bool(job.table) and last.exists()
    if finished:
        score_statistics_refresh()  # the last chunk: the planner learns the new scores
    if job.table:
        return rescore_job_switch(job_id=job.pk) if to_switch else 0
    return written


def rescore_job_switch(*, job_id: int) -> int | None:
    """Switch a job's filled table in as its rubric's partition and finish the job; return the rows switched in,
    or None if there is nothing to switch (not a table job, chunks still to do, already switched, superseded or
    failed). Run by the last chunk, and again by the job's start when it is resumed (a worker died midway): each
    step runs once.

    1. vacuum the table (its pages all-visible, its statistics) and build its indexes (a named lock: two last
       chunks finishing at once build them once);
    2. in one transaction holding the rubric's scoring off, so no changed customer's score is written meanwhile:
       the switch (score_tables.score_table_switch: what was written meanwhile, the history, the counts), and the
       job done. Waiting too long for the lead list's readers rolls it back; it is tried again;
    3. drop the old partition and refresh the planner's statistics of the history.
    """
    job = RescoreJob.objects.select_related("version").filter(pk=job_id).first()
    if job is None or not job.table or job.status != JobStatus.RUNNING or job.chunks_done < job.chunks_total:
        return None
    started = time.monotonic()
    score_table_vacuum(job.table)
    with transaction.atomic():
        lock_for_transaction(f"rescore-switch:{job_id}")
        if not RescoreJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).exists():
            return None
        score_table_index(job.table)
    indexed = time.monotonic()
    for attempt in range(1, SWITCH_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                rubric_scoring_held_off(job.rubric_id)
                if not RescoreJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).exists():
                    return None
                switched = score_table_switch(name=job.table, version=job.version)
                RescoreJob.objects.filter(pk=job_id).update(
                    status=JobStatus.DONE,
                    finished_at=timezone.now(),
                    rows_changed=switched.written,
                    scores_moved=switched.moved,
                )
            break
        except OperationalError as error:
            if not lock_waited_too_long(error) or attempt == SWITCH_ATTEMPTS:
                raise
            time.sleep(attempt)
    switched_at = time.monotonic()
    if switched.detached:
        score_table_drop(switched.detached)
    # The new partition has its statistics already (score_table_vacuum); the history has new rows.
    score_statistics_refresh(scores=False)
    logger.info(
        "re-score job %s switched in: vacuum and indexes %.1f s, switch %.1f s (%s attempt(s)), drop and"
        " statistics %.1f s",
        job_id, indexed - started, switched_at - indexed, attempt, time.monotonic() - switched_at,
    )  # fmt: skip
    return switched.written


def score_tables_sweep() -> list[str]:
    """Drop the score tables no running job fills (a superseded or failed job's, an old partition a dead worker
    left detached); return their names. The tables are listed before the jobs are read: a job's table and its
    running status are committed together, so a table listed is never a running job's read as not running."""
    if not partitioned():
        return []
    names = score_tables_unattached()
    running = set(RescoreJob.objects.filter(status=JobStatus.RUNNING).exclude(table="").values_list("table", flat=True))
    dropped = []
    for name in names:
        if name in running:
            continue
        try:
            with transaction.atomic():
                lock_wait_limit("1s")  # a superseded job's chunk still writing to it: next time
                if score_table_drop(name):
                    dropped.append(name)
        except OperationalError as error:
            if not lock_waited_too_long(error):
                raise
    return dropped


def rescore_job_fail(*, job_id: int, message: str) -> None:
    """Stop a job that cannot go on; its remaining chunks then write nothing."""
    RescoreJob.objects.filter(pk=job_id, status__in=ACTIVE).update(
        status=JobStatus.FAILED, error=message, finished_at=timezone.now()
    )


def rescore_jobs_stuck(
    *, queued_for: datetime.timedelta, stalled_for: datetime.timedelta
) -> tuple[list[int], list[int]]:
    """Jobs whose task may never have been sent, or was lost: (queued ones, running ones), oldest first.

    Queued for longer than ``queued_for``; running without a chunk done for longer than ``stalled_for``
    (with both zero, every queued and running job: what a worker that starts sends again).
    """
    now = timezone.now()
    queued = RescoreJob.objects.filter(status=JobStatus.QUEUED, created_at__lte=now - queued_for)
    running = RescoreJob.objects.filter(status=JobStatus.RUNNING, started_at__lte=now - stalled_for).exclude(
        chunks__finished_at__gt=now - stalled_for
    )
    return (
        list(queued.order_by("pk").values_list("pk", flat=True)),
        list(running.order_by("pk").values_list("pk", flat=True)),
    )


def rescore_job_run(*, job: RescoreJob, on_chunk: Callable[[RescoreJob], None] | None = None) -> RescoreJob:
    """Run a whole job here and now, chunk after chunk (the rescore command; no broker)."""
    for chunk_id in rescore_job_plan(job_id=job.pk):
        rescore_chunk_run(chunk_id=chunk_id)
        job.refresh_from_db()
        if on_chunk:
            on_chunk(job)
    job.refresh_from_db()
    return job


def rescore_nightly() -> list[RescoreJob]:
    """A job per rubric with a published version, except where one is already queued or running."""
    jobs = []
    for version in RubricVersion.objects.filter(status=VersionStatus.PUBLISHED).order_by("rubric_id"):
        with transaction.atomic():
            rubric_lock(version.rubric_id)
            if RescoreJob.objects.filter(rubric_id=version.rubric_id, status__in=ACTIVE).exists():
                continue
            if not RubricVersion.objects.filter(pk=version.pk, status=VersionStatus.PUBLISHED).exists():
                continue
            jobs.append(rescore_job_create(version=version, reason="nightly"))
    return jobs


def customers_rescore_later(*, customer_ids: Iterable[int]) -> None:
    """Once the transaction commits, re-score these customers by every published rubric (in the worker)."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), CUSTOMER_TASK_SIZE):
        job_send("rubrics.tasks.customers_rescore", ids[start : start + CUSTOMER_TASK_SIZE], waiting=CUSTOMERS_WAITING)


def customers_rescore(*, customer_ids: Iterable[int]) -> int:
    """Re-score these customers by each rubric's published version now; return the rows written."""
    ids = sorted(set(customer_ids))
    ranges = id_ranges(ids)
    written = 0
    if not ranges:
        return written
    rubric_ids = RubricVersion.objects.filter(status=VersionStatus.PUBLISHED).values_list("rubric_id", flat=True)
    for rubric_id in list(rubric_ids):
        with transaction.atomic():
            rubric_scoring_lock(rubric_id)
            version = RubricVersion.objects.filter(rubric_id=rubric_id, status=VersionStatus.PUBLISHED).first()
            if version is None:
                continue
            spec = version_spec(version)
            if len(ranges) > SCATTERED_RANGES:
                # Scattered customers (accounts with new events, say): one statement for them all, where a
                # statement per range would plan the rubric's SQL again for each one.
                low, high = ids[0], ids[-1]
                customers_lock_for_scoring(low_id=low, high_id=high, customer_ids=ids)
                written += scores_write(version=version, spec=spec, low_id=low, high_id=high, customer_ids=ids)
                continue
            for low, high in ranges:
                customers_lock_for_scoring(low_id=low, high_id=high)  # a customer deleted meanwhile is skipped
                written += scores_write(version=version, spec=spec, low_id=low, high_id=high)
    return written


def rescore_jobs_for(rubric: Rubric) -> list[RescoreJob]:
    """The rubric's jobs, newest first, for the history table."""
    return list(rubric.rescore_jobs.select_related("version", "requested_by")[:100])
