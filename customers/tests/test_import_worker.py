"""The check and the import run in a real Celery worker, through Redis."""

import threading

import pytest
from celery.signals import task_prerun

from customers.models import Customer
from customers.tests.support import DATA, reps, upload
from imports.models import ImportJob, ImportStatus
from imports.services import import_map, import_start
from tests.support import wait_for

pytestmark = [pytest.mark.worker]


def _status(job):
    return ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)


def test_the_worker_checks_and_imports_a_file_sent_through_the_broker(real_worker, make_person):
    admin = make_person("admin")
    reps(make_person)
    ran = []

    def record(sender=None, **kwargs):
        if sender.name.startswith("imports.tasks."):
            ran.append((sender.name, threading.current_thread() is threading.main_thread()))

    task_prerun.connect(record, weak=False)
    try:
        job = upload(DATA / "salesforce_accounts.csv", user=admin)
        import_map(job=job, mapping=job.mapping, user=admin)
        wait_for(lambda: _status(job) == ImportStatus.ANALYSED, what="the check")
        job.refresh_from_db()
        assert job.analysis == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 3}

        import_start(job=job, skip_invalid=True, user=admin)
        wait_for(lambda: _status(job) in (ImportStatus.DONE, ImportStatus.FAILED), what="the import")
    finally:
        task_prerun.disconnect(record)

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.error
    assert ran == [
        ("imports.tasks.import_check_run", False),
        ("imports.tasks.import_commit_run", False),
    ]
    assert Customer.objects.filter(external_id__startswith="001A").count() == 4
