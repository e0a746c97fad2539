"""A worker killed in the middle of an import of answers: a worker that starts imports them again, whole, once."""

import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Count, F

from customers.demo import DEMO_COLUMNS, demo_customer_rows
from customers.models import Customer, CustomerChange
from customers.services.seeding import customer_bulk_insert
from feedback.models import Response
from imports.models import ImportJob, ImportStatus
from imports.services import import_start, import_upload
from tests.support import RESENT_WITHIN_SECONDS, celery_start, group_kill, wait_for

pytestmark = [pytest.mark.worker]

ANSWERS = 600  # about 10 ms each: every customer is refreshed, its change recorded


def _job(job_id):
    return ImportJob.objects.values("status", "result", "error").get(pk=job_id)


def _resumed(log_path) -> bool:
    return any("work_resume_all" in line and "succeeded" in line for line in log_path.read_text().splitlines())


def _writing_for_a_second() -> bool:
    """Another connection's transaction has written and been open for a second: the import is under way."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_xid IS NOT NULL AND now() - xact_start > interval '1 second'"
        )
        return cursor.fetchone()[0] > 0


def test_an_import_of_answers_survives_its_worker_being_killed(transactional_db, settings, broker, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a worker in another process needs a database it can open: run with DATABASE_URL (PostgreSQL)")
    customer_bulk_insert(rows=demo_customer_rows(ANSWERS, 7, []), columns=DEMO_COLUMNS)
    lines = [
        f"{external_id},{number % 11},Support answered in {number} minutes,2026-03-15"
        for number, external_id in enumerate(Customer.objects.order_by("pk").values_list("external_id", flat=True))
    ]
    text = "external_id,score,comment,date\n" + "\n".join(lines) + "\n"
    job = import_upload(kind="feedback-answers", file=ContentFile(text.encode()), name="answers.csv", user=None)
    assert job.analysis == {"created": ANSWERS, "updated": 0, "unchanged": 0, "rejected": 0}

    log_path = tmp_path / "worker.log"
    workers = []
    with log_path.open("w") as log:
        try:
            workers.append(celery_start("worker", settings, broker, log))
            wait_for(lambda: _resumed(log_path), timeout=20, what="the worker to start")
            import_start(job=job, skip_invalid=False, user=None)
            wait_for(_writing_for_a_second, timeout=30, what="the import to be under way")
            group_kill(workers[-1])
            assert _job(job.pk)["status"] == ImportStatus.IMPORTING, "the import ended before the kill: make it bigger"
            assert not Response.objects.exists(), "a killed import leaves nothing behind"

            started = time.monotonic()
            workers.append(celery_start("worker", settings, broker, log))
            wait_for(
                lambda: _job(job.pk)["status"] != ImportStatus.IMPORTING,
                timeout=RESENT_WITHIN_SECONDS,
                what="the import to end",
            )
        finally:
            for worker in workers:
                group_kill(worker)
    finished = _job(job.pk)
    assert finished["status"] == ImportStatus.DONE, (finished, log_path.read_text()[-3000:])
    assert time.monotonic() - started < RESENT_WITHIN_SECONDS

    assert finished["result"] == job.analysis
    assert Response.objects.count() == ANSWERS
    assert not Response.objects.values("customer_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert Customer.objects.filter(feedback_responses__score=F("nps")).count() == ANSWERS, "every customer refreshed"
    changes = CustomerChange.objects.filter(source_ref=f"feedback import {job.pk}")
    assert changes.exists()
    assert not changes.values("customer_id").annotate(n=Count("id")).filter(n__gt=1).exists()
