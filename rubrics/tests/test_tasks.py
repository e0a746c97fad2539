"""The re-score tasks: thin, retried a bounded number of times on database errors, failures recorded."""

import datetime

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from icpsite.celery import app
from ops.jobs import RETRIES, job_task
from rubrics import tasks
from rubrics.models import JobStatus, RescoreJob, Score
from rubrics.services import publishing, rescoring
from rubrics.tests.factories import rubric_with_draft

pytestmark = pytest.mark.django_db


def _planned_job(customers: int = 2):
    CustomerFactory.create_batch(customers, industry="Software")
    job = rescoring.rescore_job_create(version=rubric_with_draft(), reason="manual", start=False)
    return job, rescoring.rescore_job_plan(job_id=job.pk)


def test_the_start_task_plans_the_job_and_runs_its_chunks():
    CustomerFactory.create_batch(3, industry="Software")
    job = rescoring.rescore_job_create(version=rubric_with_draft(), reason="manual", start=False)

    tasks.rescore_job_start.apply(args=[job.pk])

    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.rows_changed) == (JobStatus.DONE, 1, 3)
    assert Score.objects.count() == 3


def _broken_database(monkeypatch):
    def broken(*, chunk_id):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(rescoring, "rescore_chunk_run", broken)


def test_a_chunk_is_retried_on_a_database_error(monkeypatch):
    job, (chunk_id,) = _planned_job()
    _broken_database(monkeypatch)

    with pytest.raises(Retry):
        tasks.rescore_chunk.apply(args=[chunk_id], retries=RETRIES - 1, throw=True)

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def test_a_chunk_fails_the_job_after_its_last_retry(monkeypatch):
    job, (chunk_id,) = _planned_job()
    _broken_database(monkeypatch)

    tasks.rescore_chunk.apply(args=[chunk_id], retries=RETRIES)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "failed 4 times on a database error" in job.error
    assert not Score.objects.exists()


def test_a_chunk_that_breaks_otherwise_fails_the_job_at_once(monkeypatch):
    job, (chunk_id,) = _planned_job()

    def broken(*, chunk_id):
        raise ZeroDivisionError

    monkeypatch.setattr(rescoring, "rescore_chunk_run", broken)

    with pytest.raises(ZeroDivisionError):
        tasks.rescore_chunk.apply(args=[chunk_id], throw=True)

    job.refresh_from_db()
    assert (job.status, job.error) == (
        JobStatus.FAILED,
        f"Chunk {chunk_id} failed: ZeroDivisionError. The details are in the logs.",
    )


def test_a_chunk_task_run_twice_counts_once():
    job, (chunk_id,) = _planned_job(customers=3)

    tasks.rescore_chunk.apply(args=[chunk_id])
    tasks.rescore_chunk.apply(args=[chunk_id])

    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.rows_changed) == (JobStatus.DONE, 1, 3)


def test_the_nightly_task_is_scheduled_and_starts_jobs(make_person):
    publishing.rubric_publish(version=rubric_with_draft(), user=make_person("admin"))
    RescoreJob.objects.update(status=JobStatus.DONE)
    entry = settings.CELERY_BEAT_SCHEDULE["rescore-published-rubrics"]
    assert entry["task"] in app.tasks

    app.tasks[entry["task"]].apply()

    assert RescoreJob.objects.filter(reason="nightly").count() == 1


def test_the_customer_task_rescores_the_given_customers(make_person):
    version = rubric_with_draft()
    publishing.rubric_publish(version=version, user=make_person("admin"))
    customer = CustomerFactory(industry="Software")

    tasks.customers_rescore.apply(args=[[customer.pk]])

    assert Score.objects.get(customer=customer).total == 3


def _queued_job(seconds_ago: int) -> RescoreJob:
    job = rescoring.rescore_job_create(version=rubric_with_draft(), reason="manual", start=False)
    RescoreJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(seconds=seconds_ago))
    return job


def test_the_periodic_resend_starts_a_job_queued_too_long_and_leaves_a_fresh_one_waiting(settings):
    settings.STUCK_JOB_SECONDS = 60
    CustomerFactory.create_batch(2, industry="Software")
    stuck, fresh = _queued_job(seconds_ago=61), _queued_job(seconds_ago=5)
    entry = settings.CELERY_BEAT_SCHEDULE["resend-stuck-work"]
    assert entry["schedule"] == settings.STUCK_JOB_CHECK_SECONDS

    job_task(entry["task"]).apply()  # every kind of stuck work, re-score jobs among them

    assert RescoreJob.objects.get(pk=stuck.pk).status == JobStatus.DONE
    assert RescoreJob.objects.get(pk=fresh.pk).status == JobStatus.QUEUED


def test_the_periodic_resend_resumes_a_running_job_that_stalled(settings):
    job, chunk_ids = _planned_job(customers=3)
    RescoreJob.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    )

    tasks.rescore_jobs_resend(False)

    job.refresh_from_db()
    assert (job.status, job.chunks_done) == (JobStatus.DONE, len(chunk_ids))


def test_the_periodic_resend_leaves_a_running_job_that_progresses_alone():
    CustomerFactory.create_batch(3, industry="Software")
    job = rescoring.rescore_job_create(version=rubric_with_draft(), reason="manual", start=False)
    first, *rest = rescoring.rescore_job_plan(job_id=job.pk, chunk_size=2)
    rescoring.rescore_chunk_run(chunk_id=first)

    tasks.rescore_jobs_resend(False)

    job.refresh_from_db()
    assert (job.status, job.chunks_done) == (JobStatus.RUNNING, 1)


def test_a_start_sent_twice_sends_no_chunk_again_but_a_resume_does(monkeypatch):
    job, chunk_ids = _planned_job(customers=3)
    sent = []
    monkeypatch.setattr(tasks.rescore_chunk, "si", lambda chunk_id: sent.append(chunk_id) or tasks.rescore_chunk.s(0))

    tasks.rescore_job_start.apply(args=[job.pk])
    assert sent == []
    tasks.rescore_job_start.apply(args=[job.pk], kwargs={"resume": True})
    assert sent == chunk_ids
