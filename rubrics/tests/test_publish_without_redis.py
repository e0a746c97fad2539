"""Redis stops while an admin publishes: a clear message, the publish whole, and the re-score starts by itself
once Redis is back, sent again by beat's periodic resend to a worker that stayed up through the outage."""

import time

import pytest
from django.db import connection
from django.db.models import Count
from django.urls import reverse

from customers.demo import DEMO_COLUMNS, demo_customer_rows
from customers.models import Customer
from customers.services.seeding import customer_bulk_insert
from rubrics.models import JobStatus, QualificationChange, RescoreJob, Score, VersionStatus
from rubrics.tests.factories import rubric_with_draft
from teams.models import Role
from tests.support import celery_start, group_kill, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.serial]  # "gives up quickly" is timed: not beside other test processes

CUSTOMERS = 3_000
FAST = {
    "STUCK_JOB_SECONDS": "1",
    "STUCK_JOB_CHECK_SECONDS": "1",
    "RESCORE_CHUNK_SIZE": "500",
    "RESCORE_FILL_CHUNK_SIZE": "500",
}


def _ready(log_path) -> bool:
    """The worker is up and has done its own resend at start; beat runs."""
    lines = log_path.read_text().splitlines()
    resumed = any("work_resume_all" in line and "succeeded" in line for line in lines)
    return resumed and any("beat: Starting" in line for line in lines)


def _jobs(rubric):
    return list(RescoreJob.objects.filter(rubric=rubric).values_list("status", flat=True))


def test_a_publish_while_redis_is_down_is_whole_and_rescores_once_redis_is_back(
    transactional_db, settings, private_redis, client_as, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("a worker in another process needs a database it can open: run with DATABASE_URL (PostgreSQL)")
    customer_bulk_insert(rows=demo_customer_rows(CUSTOMERS, 7, []), columns=DEMO_COLUMNS)
    version = rubric_with_draft(industries=("Software", "Fintech", "Healthcare"))
    client = client_as(Role.ADMIN)
    log_path = tmp_path / "celery.log"
    processes = []
    with log_path.open("w") as log:
        try:
            processes.append(celery_start("worker", settings, private_redis.url, log, **FAST))
            processes.append(celery_start("beat", settings, private_redis.url, log, **FAST))
            wait_for(lambda: _ready(log_path), timeout=30, what="the worker and beat")
            private_redis.stop()

            started = time.monotonic()
            response = client.post(reverse("rubrics:version_publish", args=[version.pk]), follow=True)
            took = time.monotonic() - started

            assert response.redirect_chain[0][1] == 302
            assert response.status_code == 200
            assert [str(message) for message in response.context["messages"]] == [
                f"Version {version.number} is published. Its re-score waits for the job queue, which cannot be "
                "reached just now; it starts by itself when the queue is back."
            ]
            assert took < 5, "the send gives up quickly"
            version.refresh_from_db()
            assert version.status == VersionStatus.PUBLISHED
            assert _jobs(version.rubric) == [JobStatus.QUEUED]
            time.sleep(3)  # beat and the worker are up, but nothing can reach them
            assert _jobs(version.rubric) == [JobStatus.QUEUED]
            assert not Score.objects.exists()

            private_redis.start()
            back = time.monotonic()
            wait_for(lambda: _jobs(version.rubric) != [JobStatus.QUEUED], timeout=30, what="the job to start")
            wait_for(lambda: _jobs(version.rubric) == [JobStatus.DONE], timeout=30, what="the job to finish")
            recovered_in = time.monotonic() - back
        finally:
            for process in processes:
                group_kill(process)
    job = RescoreJob.objects.get(rubric=version.rubric)
    assert (job.chunks_done, job.chunks_total) == (CUSTOMERS // 500, CUSTOMERS // 500), log_path.read_text()[-3000:]
    assert recovered_in < 30

    assert Score.objects.filter(rubric=version.rubric, version=version).count() == Customer.objects.count()
    assert not Score.objects.values("customer_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    changes = QualificationChange.objects.filter(rubric=version.rubric)
    assert not changes.values("customer_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert changes.count() == Score.objects.filter(rubric=version.rubric, qualified=True).count() > 0
