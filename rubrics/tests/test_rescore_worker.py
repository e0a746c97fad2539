"""Re-scoring through the broker and a real Celery worker."""

import pytest

from customers.services.records import customer_update
from customers.tests.factories import CustomerFactory
from rubrics.models import JobStatus, RescoreJob, Score
from rubrics.services import publishing
from rubrics.tests.factories import rubric_with_draft, scores_by_customer
from tests.support import wait_for

pytestmark = [pytest.mark.worker]


def _job_status(job):
    return RescoreJob.objects.values_list("status", flat=True).get(pk=job.pk)


def test_a_publish_rescores_the_base_through_the_worker(real_worker, make_person, settings):
    settings.RESCORE_CHUNK_SIZE = settings.RESCORE_FILL_CHUNK_SIZE = 3  # in place (SQLite) or its own table
    software = CustomerFactory.create_batch(5, industry="Software")
    retail = CustomerFactory.create_batch(3, industry="Retail")
    version = rubric_with_draft()

    job = publishing.rubric_publish(version=version, user=make_person("admin"))
    wait_for(lambda: _job_status(job) not in (JobStatus.QUEUED, JobStatus.RUNNING), what="the re-score job")

    job.refresh_from_db()
    assert (job.status, job.chunks_total, job.chunks_done, job.rows_changed) == (JobStatus.DONE, 3, 3, 8), job.error
    expected = {c.pk: (version.pk, 3, True) for c in software} | {c.pk: (version.pk, 0, False) for c in retail}
    assert scores_by_customer(version.rubric) == expected


def test_a_customer_change_rescores_it_through_the_worker(real_worker, make_person):
    admin = make_person("admin")
    customer = CustomerFactory(industry="Retail")
    version = rubric_with_draft()
    job = publishing.rubric_publish(version=version, user=admin)
    wait_for(lambda: _job_status(job) == JobStatus.DONE, what="the re-score job")

    customer_update(customer=customer, values={"industry": "Software"}, user=admin)

    wait_for(lambda: Score.objects.filter(customer=customer, total=3).exists(), what="the customer's new score")
    assert scores_by_customer(version.rubric) == {customer.pk: (version.pk, 3, True)}
