"""A worker killed in the middle of a re-score: a new worker finishes the job, and no score is written twice."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection, transaction
from django.db.models import Count

from conftest import _forget_celery_connections
from customers.demo import DEMO_COLUMNS, demo_customer_rows
from customers.models import Customer
from customers.services import customer_bulk_insert
from icpsite.celery import app as celery_app
from rubrics import rescoring
from rubrics.models import JobStatus, QualificationChange, RescoreJob, Score
from rubrics.tests.factories import rubric_with_draft
from tests.support import redis_or_fail, wait_for

pytestmark = [pytest.mark.worker]

ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = 100_000
CHUNK_SIZE = 1_000


@pytest.fixture
def broker():
    """This process sends its tasks to Redis, where the worker subprocesses take them."""
    url = redis_or_fail()
    saved = {key: celery_app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    celery_app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _forget_celery_connections()
    client = redis.Redis.from_url(url)
    leftovers = ("celery", "unacked", "unacked_index")
    client.delete(*leftovers)
    yield url
    client.delete(*leftovers)  # the killed worker's unacknowledged messages
    celery_app.conf.update(saved)
    _forget_celery_connections()


def _database_url(settings) -> str:
    database = settings.DATABASES["default"]
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host, port = database.get("HOST") or "127.0.0.1", database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"


def _start_worker(settings, redis_url: str, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(settings),
        "REDIS_URL": redis_url,
        "DEBUG": "true",
        "ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "icpsite.settings",
    }
    command = [str(Path(sys.executable).parent / "celery"), "-A", "icpsite", "worker", "--pool", "prefork"]
    command += ["--concurrency", "1", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _kill(worker: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool process: no warm shutdown, no acknowledgement."""
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def _job(job_id):
    return RescoreJob.objects.values("status", "chunks_done", "chunks_total", "error").get(pk=job_id)


def test_a_job_survives_its_worker_being_killed(transactional_db, settings, broker, make_person, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a worker in another process needs a database it can open: run with DATABASE_URL (PostgreSQL)")
    customer_bulk_insert(rows=demo_customer_rows(CUSTOMERS, 7, []), columns=DEMO_COLUMNS)
    version = rubric_with_draft(industries=("Software", "Fintech", "Healthcare"))
    with transaction.atomic():
        job = rescoring.rubric_publish(version=version, user=make_person("admin"))
        # Small chunks, planned here, so the job lasts a few seconds; the worker sends them.
        rescoring.rescore_job_plan(job_id=job.pk, chunk_size=CHUNK_SIZE)
    log_path = tmp_path / "worker.log"
    workers = []
    with log_path.open("w") as log:
        try:
            workers.append(_start_worker(settings, broker, log))
            wait_for(lambda: _job(job.pk)["chunks_done"] >= 10, timeout=30, what="the first chunks")
            _kill(workers[-1])
            killed_at = _job(job.pk)
            assert killed_at["status"] == JobStatus.RUNNING, "the job ended before the kill: make the base bigger"

            started = time.monotonic()
            workers.append(_start_worker(settings, broker, log))
            wait_for(lambda: _job(job.pk)["status"] != JobStatus.RUNNING, timeout=40, what="the job to finish")
        finally:
            for worker in workers:
                if worker.poll() is None:
                    _kill(worker)
    finished = _job(job.pk)
    assert finished["status"] == JobStatus.DONE, (finished, log_path.read_text()[-3000:])
    assert finished["chunks_done"] == finished["chunks_total"] == CUSTOMERS // CHUNK_SIZE
    assert killed_at["chunks_done"] < finished["chunks_total"]
    assert time.monotonic() - started < 40

    assert Score.objects.filter(rubric=version.rubric, version=version).count() == Customer.objects.count()
    twice = Score.objects.values("customer_id").annotate(n=Count("id")).filter(n__gt=1)
    assert not twice.exists()
    changes = QualificationChange.objects.filter(rubric=version.rubric)
    assert not changes.values("customer_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert changes.count() == Score.objects.filter(rubric=version.rubric, qualified=True).count() > 0
