"""Publishing from the editor, the job page, its progress fragment and the jobs history."""

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from rubrics.models import Criterion, JobStatus, RescoreJob, RubricVersion, VersionStatus
from rubrics.services.rescoring import rescore_job_create, rescore_job_plan
from rubrics.tests.factories import next_draft, rubric_with_draft

pytestmark = pytest.mark.django_db


def test_it_publishes_and_shows_the_job(client_as, django_capture_on_commit_callbacks):
    client = client_as("admin")
    CustomerFactory.create_batch(3, industry="Software")
    version = rubric_with_draft()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rubrics:version_publish", kwargs={"version_id": version.pk}))

    job = RescoreJob.objects.get()
    assert response.url == reverse("rubrics:job_detail", kwargs={"job_id": job.pk})
    assert job.status == JobStatus.DONE
    page = client.get(response.url).content.decode()
    assert "Done" in page
    assert "3 customers scored by v1" in page
    assert client.person.display_name in page


def _weighted(version: RubricVersion, *, employee_points: int) -> RubricVersion:
    """Software gives 3 points, 100 employees or more ``employee_points``; 3 points qualify."""
    Criterion.objects.filter(version=version).delete()
    Criterion.objects.create(
        version=version, position=0, field="industry", operator="in", values=["Software"], points=3
    )
    Criterion.objects.create(
        version=version, position=1, field="employees", operator="gte", values=[100], points=employee_points
    )
    return version


def test_a_publish_counts_the_scores_that_moved_apart_from_those_that_only_took_the_version(
    client_as, django_capture_on_commit_callbacks
):
    client = client_as("admin")
    # total under v1 (100 employees or more: +1) -> under v2 (+3)
    CustomerFactory(industry="Software", employees=250)  # 4 -> 6: moves
    CustomerFactory(industry="Software", employees=50)  # 3 -> 3
    CustomerFactory(industry="Retail", employees=250)  # 1 -> 3: moves, and now qualifies
    CustomerFactory(industry="Retail", employees=50)  # 0 -> 0
    CustomerFactory(industry="Software", employees=500)  # 4 -> 6: moves
    first = _weighted(rubric_with_draft(), employee_points=1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rubrics:version_publish", kwargs={"version_id": first.pk}))
    second = _weighted(next_draft(first.rubric), employee_points=3)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rubrics:version_publish", kwargs={"version_id": second.pk}))

    job = RescoreJob.objects.get(version=second)
    assert (job.status, job.rows_total, job.rows_changed, job.scores_moved) == (JobStatus.DONE, 5, 5, 3)
    page = " ".join(client.get(response.url).content.decode().split())
    assert "5 customers scored by v2. 3 scores changed (total or qualification)." in page
    assert "2 more were rewritten with the same total." in page
    history = " ".join(
        client.get(reverse("rubrics:job_list", kwargs={"rubric_id": first.rubric_id})).content.decode().split()
    )
    assert "3 of 5" in history


def test_it_refuses_a_second_publish_with_409(client_as):
    client = client_as("admin")
    version = rubric_with_draft()
    url = reverse("rubrics:version_publish", kwargs={"version_id": version.pk})
    client.post(url)

    response = client.post(url)

    assert response.status_code == 409
    assert "already published" in response.content.decode()
    assert RescoreJob.objects.count() == 1


def test_it_refuses_an_invalid_draft_with_400(client_as):
    client = client_as("admin")
    version = rubric_with_draft(threshold=10)

    response = client.post(reverse("rubrics:version_publish", kwargs={"version_id": version.pk}))

    assert response.status_code == 400
    assert "cannot be published yet" in response.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_it_refuses_a_publish_by_get(client_as):
    version = rubric_with_draft()

    response = client_as("admin").get(reverse("rubrics:version_publish", kwargs={"version_id": version.pk}))

    assert response.status_code == 405


@pytest.mark.parametrize("role", ["member", "facilitator", "sales_rep"])
def test_it_lets_only_admins_publish(client_as, role):
    version = rubric_with_draft()

    response = client_as(role).post(reverse("rubrics:version_publish", kwargs={"version_id": version.pk}))

    assert response.status_code == 403
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def _running_job():
    CustomerFactory.create_batch(3)
    job = rescore_job_create(version=rubric_with_draft(), reason="manual", start=False)
    rescore_job_plan(job_id=job.pk, chunk_size=1)
    RescoreJob.objects.filter(pk=job.pk).update(chunks_done=1)
    job.refresh_from_db()
    return job


def test_the_fragment_polls_with_a_progress_bar_while_the_job_runs(client_as):
    job = _running_job()

    response = client_as("admin").get(
        reverse("rubrics:job_progress", kwargs={"job_id": job.pk}), HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert '<progress id="job-progress-bar"' in page
    assert 'value="33"' in page
    assert "1 of 3 chunks" in page
    assert "HX-Refresh" not in response


def test_the_fragment_stops_polling_and_reloads_the_page_when_the_job_ends(client_as):
    job = _running_job()
    RescoreJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="Chunk 2 failed.")

    response = client_as("admin").get(
        reverse("rubrics:job_progress", kwargs={"job_id": job.pk}), HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert "hx-trigger" not in page
    assert "The re-score failed: Chunk 2 failed." in page
    assert response["HX-Refresh"] == "true"


def test_the_history_lists_the_rubric_jobs_with_their_outcome(client_as):
    client = client_as("admin")
    job = _running_job()
    other = rescore_job_create(version=job.version, reason="nightly", start=False)

    response = client.get(reverse("rubrics:job_list", kwargs={"rubric_id": job.rubric_id}))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Superseded" in page
    assert "nightly" in page
    assert reverse("rubrics:job_detail", kwargs={"job_id": other.pk}) in page
    assert reverse("rubrics:job_detail", kwargs={"job_id": job.pk}) in page
