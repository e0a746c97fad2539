"""Publishing a rubric version and re-scoring the customer base with it.

A re-score job splits the base into primary-key ranges (chunks). Each chunk is
written by ``compile.scores_write`` in one transaction that also marks the
chunk done and counts it on the job, so a chunk run twice (a retry, a task
delivered again after its worker died) writes its scores once. A newer job of
the same rubric supersedes the older ones; their chunks then write nothing.
"""

import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Min
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import Customer
from ops.jobs import job_send
from teams.models import User

from ..compile import id_ranges
from ..locks import rubric_lock, rubric_scoring_lock
from ..models import ChunkStatus, JobStatus, RescoreChunk, RescoreJob, Rubric, RubricVersion, VersionStatus
from ..selectors import version_spec
from .scores import customers_lock_for_scoring, score_statistics_refresh, scores_write, scores_write_counted

CUSTOMER_TASK_SIZE = 1_000  # changed customers per re-score task
SCATTERED_RANGES = 2  # more ranges than this: the customers are re-scored by id, in one statement
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
    chunk_size = chunk_size or settings.RESCORE_CHUNK_SIZE
    with transaction.atomic():
        claimed = RescoreJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now()
        )
        if claimed:
            bounds = Customer.objects.aggregate(low=Min("id"), high=Max("id"), count=Count("id"))
            chunks = []
            if bounds["count"]:
                for number, low in enumerate(range(bounds["low"], bounds["high"] + 1, chunk_size)):
                    chunks.append(RescoreChunk(job_id=job_id, number=number, low_id=low, high_id=low + chunk_size - 1))
            RescoreChunk.objects.bulk_create(chunks)
            RescoreJob.objects.filter(pk=job_id).update(chunks_total=len(chunks), rows_total=bounds["count"])
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
    """Score one chunk's customers with its job's version, once; return the rows written (None: nothing to do).
    The job counts them, and apart the scores whose total or qualification moved.

    1. hold off any publish of the rubric until this transaction ends, so a job
       superseded meanwhile cannot write after the newer one started;
    2. claim the chunk with a conditional UPDATE (pending → done): a second run
       stops here; a run killed midway was rolled back and left it pending;
    3. write nothing if the job no longer runs (superseded or failed);
    4. write the scores and count the chunk on the job; the last chunk finishes the job.
    """

    chunk = RescoreChunk.objects.filter(pk=chunk_id).select_related("job").first()
    if chunk is None or chunk.status != ChunkStatus.PENDING:
        return None
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
        counts = scores_write_counted(
            version=job.version, spec=version_spec(job.version), low_id=chunk.low_id, high_id=chunk.high_id
        )
        RescoreChunk.objects.filter(pk=chunk_id).update(rows_changed=counts.written, scores_moved=counts.moved)
        RescoreJob.objects.filter(pk=job.pk).update(
            chunks_done=F("chunks_done") + 1,
            rows_changed=F("rows_changed") + counts.written,
            scores_moved=Coalesce(F("scores_moved"), 0) + counts.moved,
        )
        finished = RescoreJob.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, chunks_done__gte=F("chunks_total")
        ).update(status=JobStatus.DONE, finished_at=now)
    if finished:
        score_statistics_refresh()  # the last chunk: the planner learns the new scores
    return counts.written


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
