"""A worker killed in the middle of an import: the file is imported again, whole, and once.

Killed whole (SIGKILL to the worker and its pool, as when its machine dies), the worker that starts next sends
the import again (``ops.tasks.work_resume_all`` runs ``customers.tasks.imports_resend``). Its pool process
killed alone (the OOM killer), the worker puts the message back in the queue at once
(``task_reject_on_worker_lost``) and runs it again.
"""

import os
import signal
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from bench.import_file import write as write_export
from customers.models import ChangeAction, Customer, CustomerChange
from customers.tests.support import check, run, upload
from imports.models import ImportJob, ImportStatus
from imports.progress import progress_get
from imports.services import import_start
from tests.support import RESENT_WITHIN_SECONDS, celery_start, group_kill, wait_for

pytestmark = [pytest.mark.worker]

ROWS = 30_000
KNOWN = 5_000  # the first rows of the file are customers the base has already, with other values


def _job(job_id):
    return ImportJob.objects.values("status", "result", "error").get(pk=job_id)


def _resumed(log_path) -> bool:
    return any("work_resume_all" in line and "succeeded" in line for line in log_path.read_text().splitlines())


def _kill_the_worker(workers, start_worker) -> None:
    group_kill(workers[-1])  # no warm shutdown, no acknowledgement
    workers.append(start_worker())


def _kill_its_pool_process(workers, start_worker) -> None:
    worker = workers[-1].pid
    (pool_process,) = Path(f"/proc/{worker}/task/{worker}/children").read_text().split()
    os.kill(int(pool_process), signal.SIGKILL)


@pytest.mark.parametrize("kill", [_kill_the_worker, _kill_its_pool_process], ids=["worker", "pool-process"])
def test_an_import_survives_its_worker_being_killed(transactional_db, settings, broker, make_person, tmp_path, kill):
    if connection.vendor != "postgresql":
        pytest.skip("a worker in another process needs a database it can open: run with DATABASE_URL (PostgreSQL)")
    admin = make_person("admin")
    earlier = tmp_path / "earlier.csv"
    write_export(str(earlier), KNOWN, seed=8)
    run(check(upload(earlier, user=admin)), skip_invalid=True)
    export = tmp_path / "export.csv"
    write_export(str(export), ROWS)
    job = check(upload(export, user=admin))
    expected = job.analysis
    assert expected["created"] == ROWS - KNOWN
    assert expected["updated"] > 0

    log_path = tmp_path / "worker.log"
    workers = []
    with log_path.open("w") as log:
        try:
            workers.append(celery_start("worker", settings, broker, log))
            # The worker's own resend at start is done: the import's only message is the one import_start sends.
            wait_for(lambda: _resumed(log_path), timeout=20, what="the worker to start")
            import_start(job=job, skip_invalid=True, user=admin)  # the task goes through Redis once this commits
            wait_for(lambda: progress_get(job)[0] >= 5_000, timeout=60, what="the import to be well under way")
            started = time.monotonic()
            kill(workers, lambda: celery_start("worker", settings, broker, log))
            rows_done_at_kill = progress_get(job)[0]
            assert _job(job.pk)["status"] == ImportStatus.IMPORTING, "the import ended before the kill: make it bigger"
            assert Customer.objects.count() == KNOWN, "a killed import leaves nothing behind"
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
    assert rows_done_at_kill < ROWS
    assert time.monotonic() - started < RESENT_WITHIN_SECONDS, (
        "the import is sent again at once, not by Redis an hour later"
    )

    assert finished["result"] == expected, "the import did what its check announced, once"
    assert Customer.objects.count() == ROWS
    assert Customer.objects.values("external_id").distinct().count() == ROWS
    changes = CustomerChange.objects.filter(source_ref=f"import {job.pk}")
    assert not changes.values("customer_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert changes.filter(action=ChangeAction.CREATED).count() == expected["created"]
    assert changes.filter(action=ChangeAction.UPDATED).count() == expected["updated"]
