"""The Celery settings that make a dying worker, a lost message or a Redis outage harmless (icpsite/settings.py),
held for every task of the project: a new task without them fails here."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from icpsite.celery import app as celery_app
from ops.jobs import JobTask, work_resumers


def _project_tasks() -> dict:
    celery_app.loader.import_default_modules()
    ours = {config.name for config in apps.get_app_configs() if Path(config.path).parent == Path(settings.BASE_DIR)}
    return {
        name: task
        for name, task in celery_app.tasks.items()
        if name.split(".")[0] in ours and ".tests." not in name  # not the tests' own probes
    }


TASKS = _project_tasks()


def _seconds_of_retries(policy: dict) -> float:
    waits = [min(policy["interval_start"] + n * policy["interval_step"], policy["interval_max"]) for n in range(10)]
    return sum(waits[: policy["max_retries"]])


def test_it_checks_the_tasks_of_every_app():
    apps_with_tasks = {"rubrics", "imports", "feedback", "webhooks", "teams", "leads", "ops"}
    assert {name.split(".")[0] for name in TASKS} >= apps_with_tasks


def test_a_message_is_redelivered_only_after_the_longest_task_could_have_ended():
    visibility_timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility_timeout > settings.CELERY_TASK_TIME_LIMIT > settings.CELERY_TASK_SOFT_TIME_LIMIT
    for name, task in TASKS.items():
        assert (task.time_limit or settings.CELERY_TASK_TIME_LIMIT) < visibility_timeout, name


@pytest.mark.parametrize("name", sorted(TASKS))
def test_a_task_is_acknowledged_late_given_back_when_its_worker_dies_and_retried_a_bounded_number_of_times(name):
    task = TASKS[name]
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.max_retries is not None
    assert task.max_retries <= 10


def test_a_worker_process_reserves_one_message_at_a_time():
    assert celery_app.conf.worker_prefetch_multiplier == 1


def test_sending_a_task_gives_up_within_seconds_when_redis_is_down():
    for policy in (
        celery_app.conf.task_publish_retry_policy,
        settings.CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS["retry_policy"],
    ):
        assert policy["max_retries"] <= 5
        assert _seconds_of_retries(policy) < 3
    assert celery_app.conf.broker_connection_timeout <= 5


def test_every_periodic_job_is_a_task_of_the_project_and_stuck_work_is_sent_again():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in TASKS
    resends = {entry["task"] for key, entry in settings.CELERY_BEAT_SCHEDULE.items() if key.startswith("resend-")}
    assert resends == {"ops.tasks.work_resume_all"}, "one resume path for every kind of stuck work"
    assert work_resumers() == ["feedback work", "imports", "re-score jobs", "similarity models"]


def test_every_task_of_the_project_is_a_job_task():
    assert [name for name, task in TASKS.items() if not isinstance(task, JobTask)] == []


# A fresh web process: Django set up as the WSGI module does, a system check of our own that says when it runs,
# then the first task sent (ops.jobs.job_task imports the tasks modules if the process has not yet).
FIRST_SEND = """
import django
from django.core import checks
django.setup()
ran = []
checks.register(lambda app_configs, **kwargs: ran.append("checks") or [])
from ops.jobs import job_task
job_task("rubrics.tasks.rescore_job_start")
print(len(ran))
"""


def test_a_process_sending_its_first_task_does_not_run_the_system_checks():
    """Celery's Django fixup would run Django's system checks there (1.2 s of the first request that sent one);
    they run with manage.py check (home/tests/test_errors.py), not in every web and worker process."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "icpsite.settings", "DEBUG": "true", "ENV_FILE": os.devnull}
    env.pop("CELERY_SKIP_CHECKS", None)

    result = subprocess.run(
        [sys.executable, "-c", FIRST_SEND],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


@pytest.mark.parametrize("module", ["icpsite.wsgi", "icpsite.asgi"])
def test_a_web_process_has_the_tasks_from_its_start(module):
    """The WSGI and ASGI modules import the apps' tasks modules, so no request pays for it (0.3 s) when it sends
    a task."""
    code = (
        f"import {module}\nfrom celery import current_app\n"
        "print('rubrics.tasks.rescore_job_start' in current_app.tasks)"
    )
    env = {**os.environ, "DEBUG": "true", "ENV_FILE": os.devnull}

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"
