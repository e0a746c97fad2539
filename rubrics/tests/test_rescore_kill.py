"""A worker killed in the middle of a re-score: a new worker finishes the job, and no score is written twice."""

import time

import pytest
from django.db import connection, transaction
from django.db.models import Count

from customers.demo import DEMO_COLUMNS, demo_customer_rows
from customers.models import Customer
from customers.services.seeding import customer_bulk_insert
from rubrics.models import JobStatus, QualificationChange, RescoreJob, Score
from rubrics.services import publishing, rescoring
from rubrics.tests.factories import rubric_with_draft
from tests.support import RESENT_WITHIN_SECONDS, celery_start, group_kill, wait_for

pytestmark = [pytest.mark.worker]

CUSTOMERS = 100_000
CHUNK_SIZE = 1_000


def _job(job_id):
    return RescoreJob.objects.values("status", "chunks_done", "chunks_total", "error").get(pk=job_id)


def test_a_job_survives_its_worker_being_killed(transactional_db, settings, broker, make_person, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a worker in another process needs a database it can open: run with DATABASE_URL (PostgreSQL)")
    customer_bulk_insert(rows=demo_customer_rows(CUSTOMERS, 7, []), columns=DEMO_COLUMNS)
    version = rubric_with_draft(industries=("Software", "Fintech", "Healthcare"))
    with transaction.atomic():
        job = publishing.rubric_publish(version=version, user=make_person("admin"))
        # Small chunks, planned here, so the job lasts a few seconds; the worker sends them.
        rescoring.rescore_job_plan(job_id=job.pk, chunk_size=CHUNK_SIZE)
    log_path = tmp_path / "worker.log"
    workers = []
    with log_path.open("w") as log:
        try:
            workers.append(celery_start("worker", settings, broker, log))
            wait_for(lambda: _job(job.pk)["chunks_done"] >= 10, timeout=30, what="the first chunks")
            group_kill(workers[-1])  # SIGKILL to the worker and its pool: no warm shutdown, no acknowledgement
            killed_at = _job(job.pk)
            assert killed_at["status"] == JobStatus.RUNNING, "the job ended before the kill: make the base bigger"

            started = time.monotonic()
            workers.append(celery_start("worker", settings, broker, log))
            wait_for(
                lambda: _job(job.pk)["status"] != JobStatus.RUNNING,
                timeout=RESENT_WITHIN_SECONDS,
                what="the job to finish",
            )
        finally:
            for worker in workers:
                group_kill(worker)
    finished = _job(job.pk)
    assert finished["status"] == JobStatus.DONE, (finished, log_path.read_text()[-3000:])
    assert finished["chunks_done"] == finished["chunks_total"] == CUSTOMERS // CHUNK_SIZE
    assert killed_at["chunks_done"] < finished["chunks_total"]
    assert time.monotonic() - started < RESENT_WITHIN_SECONDS

    assert Score.objects.filter(rubric=version.rubric, version=version).count() == Customer.objects.count()
    twice = Score.objects.values("customer_id").annotate(n=Count("id")).filter(n__gt=1)
    assert not twice.exists()
    changes = QualificationChange.objects.filter(rubric=version.rubric)
    assert not changes.values("customer_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert changes.count() == Score.objects.filter(rubric=version.rubric, qualified=True).count() > 0
