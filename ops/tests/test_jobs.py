"""The job kernel: bounded retries then a recorded failure, sending by name from a process that never imported
the tasks, and the one resume path."""

import subprocess
import sys

import pytest
from celery import shared_task
from celery.exceptions import Retry
from django.conf import settings
from django.db import DatabaseError

from ops.jobs import JobTask, job_task, work_resume, work_resumer

given_up, failed = [], []


def _give_up(task, error, number, kind="database"):
    given_up.append((number, str(error)))
    return "given up"


def _fail(task, error, number, kind="database"):
    failed.append((number, type(error).__name__))


@shared_task(bind=True, base=JobTask, give_up=_give_up, fail=_fail, name="ops.tests.flaky")
def flaky(self, number: int, kind: str = "database"):
    if kind == "database":
        raise DatabaseError(f"lost the database on {number}")
    raise ValueError("broken")


@pytest.fixture(autouse=True)
def _empty():
    given_up.clear()
    failed.clear()


def test_a_database_error_is_retried_then_given_up_with_the_failure_recorded():
    with pytest.raises(Retry):
        flaky.apply(args=[1], retries=JobTask.max_retries - 1, throw=True)
    assert given_up == []

    result = flaky.apply(args=[2], retries=JobTask.max_retries)

    assert result.get() == "given up"
    assert given_up == [(2, "lost the database on 2")]


def test_another_error_is_recorded_and_raised():
    with pytest.raises(ValueError, match="broken"):
        flaky.apply(args=[3, "other"], throw=True)

    assert failed == [(3, "ValueError")]
    assert given_up == []


def test_a_resumer_failing_does_not_stop_the_others(monkeypatch):
    monkeypatch.setattr("ops.jobs._resumers", {})  # the project's own stay registered, untouched
    ran = []

    @work_resumer("zz broken")
    def broken(after_a_restart):
        raise RuntimeError("no")

    @work_resumer("zz working")
    def working(after_a_restart):
        ran.append(after_a_restart)

    names = work_resume(after_a_restart=True)

    assert names == ["zz working"]
    assert ran == [True]


def test_a_process_that_never_imported_the_tasks_sends_them_by_name():
    script = (
        "import django; django.setup()\n"
        "import sys\n"
        "from ops.jobs import job_task\n"
        "assert 'rubrics.tasks' not in sys.modules\n"
        "print(job_task('rubrics.tasks.customers_rescore').name)\n"
    )
    env = {"DJANGO_SETTINGS_MODULE": "icpsite.settings", "DEBUG": "true", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=False
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "rubrics.tasks.customers_rescore"


def test_a_task_is_found_by_its_name():
    assert job_task("ops.tests.flaky").name == flaky.name == "ops.tests.flaky"
