"""Publishing a version and re-scoring the base with it: states, chunks, idempotency, supersession."""

import pytest
from django.core.exceptions import ValidationError

from customers.models import Customer
from customers.services.records import customer_create, customer_update
from customers.services.upserts import customers_upsert
from customers.tests.factories import CustomerFactory
from rubrics.compile import id_ranges
from rubrics.models import (
    ChunkStatus,
    JobStatus,
    QualificationChange,
    RescoreChunk,
    RescoreJob,
    Score,
    VersionStatus,
)
from rubrics.selectors import version_spec
from rubrics.services import publishing, rescoring
from rubrics.services.scores import scores_write
from rubrics.tests.factories import next_draft, rubric_with_draft, scores_by_customer

pytestmark = pytest.mark.django_db


def test_it_publishes_a_draft_and_retires_the_published_version(make_person, django_capture_on_commit_callbacks):
    admin = make_person("admin")
    first = rubric_with_draft()
    publishing.rubric_publish(version=first, user=admin)
    second = next_draft(first.rubric, industries=("Retail",))

    with django_capture_on_commit_callbacks() as callbacks:
        job = publishing.rubric_publish(version=second, user=admin)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == VersionStatus.RETIRED
    assert (second.status, second.published_by, second.published_at is not None) == (
        VersionStatus.PUBLISHED,
        admin,
        True,
    )
    assert (job.version, job.reason, job.requested_by, job.status) == (second, "publish", admin, JobStatus.QUEUED)
    assert len(callbacks) == 1, "the job starts once the publish commits"


def test_it_refuses_a_draft_no_customer_could_qualify_by(make_person):
    version = rubric_with_draft(threshold=10)

    with pytest.raises(ValidationError, match="No customer could ever reach the threshold of 10"):
        publishing.rubric_publish(version=version, user=make_person("admin"))

    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    assert not RescoreJob.objects.exists()


def test_it_refuses_to_publish_the_same_version_twice(make_person):
    admin = make_person("admin")
    version = rubric_with_draft()
    publishing.rubric_publish(version=version, user=admin)

    with pytest.raises(publishing.PublishConflict, match="already published"):
        publishing.rubric_publish(version=version, user=admin)

    assert RescoreJob.objects.count() == 1


def test_it_scores_every_customer_by_the_published_version(make_person, django_capture_on_commit_callbacks):
    software = CustomerFactory.create_batch(3, industry="Software")
    retail = CustomerFactory(industry="Retail")
    version = rubric_with_draft()

    with django_capture_on_commit_callbacks(execute=True):
        job = publishing.rubric_publish(version=version, user=make_person("admin"))

    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.chunks_total, job.rows_total, job.rows_changed) == (
        JobStatus.DONE,
        1,
        1,
        4,
        4,
    )
    assert job.duration is not None
    expected = {customer.pk: (version.pk, 3, True) for customer in software} | {retail.pk: (version.pk, 0, False)}
    assert scores_by_customer(version.rubric) == expected
    assert QualificationChange.objects.filter(rubric=version.rubric).count() == 3, "first scores that qualify"


def test_it_splits_the_base_into_ranges_of_ids():
    customers = CustomerFactory.create_batch(5)
    low = customers[0].pk
    version = rubric_with_draft()
    job = rescoring.rescore_job_create(version=version, reason="manual", start=False)

    chunk_ids = rescoring.rescore_job_plan(job_id=job.pk, chunk_size=2)

    ranges = list(RescoreChunk.objects.filter(pk__in=chunk_ids).values_list("low_id", "high_id"))
    assert ranges == [(low, low + 1), (low + 2, low + 3), (low + 4, low + 5)]
    job.refresh_from_db()
    assert (job.status, job.chunks_total, job.rows_total) == (JobStatus.RUNNING, 3, 5)


def test_it_counts_progress_chunk_by_chunk_and_finishes_with_the_last():
    CustomerFactory.create_batch(5, industry="Software")
    job = rescoring.rescore_job_create(version=rubric_with_draft(), reason="manual", start=False)
    chunk_ids = rescoring.rescore_job_plan(job_id=job.pk, chunk_size=2)

    rescoring.rescore_chunk_run(chunk_id=chunk_ids[0])
    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.rows_changed) == (JobStatus.RUNNING, 1, 2)

    for chunk_id in chunk_ids[1:]:
        rescoring.rescore_chunk_run(chunk_id=chunk_id)
    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.rows_changed) == (JobStatus.DONE, 3, 5)
    assert job.finished_at is not None


def test_it_plans_a_job_once_and_hands_back_its_pending_chunks_again():
    CustomerFactory.create_batch(3)
    job = rescoring.rescore_job_create(version=rubric_with_draft(), reason="manual", start=False)
    first = rescoring.rescore_job_plan(job_id=job.pk, chunk_size=2)
    rescoring.rescore_chunk_run(chunk_id=first[0])

    again = rescoring.rescore_job_plan(job_id=job.pk, chunk_size=2)

    assert again == first[1:]
    assert RescoreChunk.objects.filter(job=job).count() == 2


def test_it_finishes_a_job_over_an_empty_base_at_once():
    job = rescoring.rescore_job_create(version=rubric_with_draft(), reason="manual", start=False)

    assert rescoring.rescore_job_plan(job_id=job.pk) == []

    job.refresh_from_db()
    assert (job.status, job.chunks_total) == (JobStatus.DONE, 0)


def test_it_writes_a_chunk_once_when_its_task_runs_twice():
    CustomerFactory.create_batch(4, industry="Software")
    job = rescoring.rescore_job_create(version=rubric_with_draft(), reason="manual", start=False)
    (chunk_id,) = rescoring.rescore_job_plan(job_id=job.pk)
    assert rescoring.rescore_chunk_run(chunk_id=chunk_id) == 4
    before = scores_by_customer(job.rubric)

    assert rescoring.rescore_chunk_run(chunk_id=chunk_id) is None

    job.refresh_from_db()
    assert (job.chunks_done, job.rows_changed) == (1, 4)
    assert scores_by_customer(job.rubric) == before
    assert QualificationChange.objects.count() == 4
    assert RescoreChunk.objects.get(pk=chunk_id).attempts == 1


def test_it_writes_nothing_again_when_a_killed_chunk_is_delivered_again():
    """The worker died after the scores were written but before the chunk was marked done."""
    CustomerFactory.create_batch(4, industry="Software")
    version = rubric_with_draft()
    job = rescoring.rescore_job_create(version=version, reason="manual", start=False)
    (chunk_id,) = rescoring.rescore_job_plan(job_id=job.pk)
    chunk = RescoreChunk.objects.get(pk=chunk_id)
    scores_write(version=version, spec=version_spec(version), low_id=chunk.low_id, high_id=chunk.high_id)

    assert rescoring.rescore_chunk_run(chunk_id=chunk_id) == 0

    job.refresh_from_db()
    assert (job.status, job.chunks_done) == (JobStatus.DONE, 1)
    assert Score.objects.count() == 4
    assert QualificationChange.objects.count() == 4, "not doubled"


def test_a_newer_job_supersedes_the_older_and_its_chunks_write_nothing(make_person):
    CustomerFactory.create_batch(4, industry="Software")
    admin = make_person("admin")
    first = rubric_with_draft()
    old_job = publishing.rubric_publish(version=first, user=admin)
    old_chunks = rescoring.rescore_job_plan(job_id=old_job.pk, chunk_size=2)
    rescoring.rescore_chunk_run(chunk_id=old_chunks[0])

    second = next_draft(first.rubric, industries=("Retail",))
    new_job = publishing.rubric_publish(version=second, user=admin)
    assert rescoring.rescore_chunk_run(chunk_id=old_chunks[1]) is None

    old_job.refresh_from_db()
    assert (old_job.status, old_job.chunks_done) == (JobStatus.SUPERSEDED, 1)
    assert RescoreChunk.objects.get(pk=old_chunks[1]).status == ChunkStatus.SKIPPED
    # Its first chunk wrote into the job's own table on PostgreSQL (never switched in), in place on SQLite.
    first_chunk_seen = set() if old_job.table else {first.pk}
    assert set(Score.objects.values_list("version_id", flat=True)) == first_chunk_seen, "the old chunk wrote nothing"
    assert rescoring.rescore_job_plan(job_id=old_job.pk) == []
    assert not rescoring.rescore_job_switch(job_id=old_job.pk), "a superseded job's table is never switched in"

    for chunk_id in rescoring.rescore_job_plan(job_id=new_job.pk):
        rescoring.rescore_chunk_run(chunk_id=chunk_id)
    assert {version for version, _, _ in scores_by_customer(first.rubric).values()} == {second.pk}
    assert Score.objects.count() == 4
    assert rescoring.score_tables_sweep() == ([old_job.table] if old_job.table else []), "its table is dropped"


def test_a_failed_job_writes_no_more_chunks():
    CustomerFactory.create_batch(3)
    job = rescoring.rescore_job_create(version=rubric_with_draft(), reason="manual", start=False)
    chunk_ids = rescoring.rescore_job_plan(job_id=job.pk, chunk_size=2)

    rescoring.rescore_job_fail(job_id=job.pk, message="The database went away.")

    assert rescoring.rescore_chunk_run(chunk_id=chunk_ids[0]) is None
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "The database went away.")
    assert not Score.objects.exists()


def test_the_nightly_run_starts_a_job_per_published_rubric_unless_one_is_under_way(make_person):
    admin = make_person("admin")
    idle = rubric_with_draft()
    publishing.rubric_publish(version=idle, user=admin)
    RescoreJob.objects.filter(rubric=idle.rubric).update(status=JobStatus.DONE)
    busy = rubric_with_draft()
    publishing.rubric_publish(version=busy, user=admin)
    rubric_with_draft()  # a draft only: nothing to re-score

    jobs = rescoring.rescore_nightly()

    assert [(job.rubric_id, job.version_id, job.reason) for job in jobs] == [(idle.rubric_id, idle.pk, "nightly")]
    assert RescoreJob.objects.filter(rubric=busy.rubric).count() == 1


def _published(django_capture_on_commit_callbacks, admin, **draft):
    version = rubric_with_draft(**draft)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.rubric_publish(version=version, user=admin)
    return version


def test_it_rescores_a_customer_changed_through_the_services(make_person, django_capture_on_commit_callbacks):
    admin = make_person("admin")
    customer = CustomerFactory(industry="Retail")
    version = _published(django_capture_on_commit_callbacks, admin)
    assert scores_by_customer(version.rubric) == {customer.pk: (version.pk, 0, False)}

    with django_capture_on_commit_callbacks(execute=True):
        customer_update(customer=customer, values={"industry": "Software"}, user=admin)

    assert scores_by_customer(version.rubric) == {customer.pk: (version.pk, 3, True)}


def test_it_scores_a_new_customer_at_once(make_person, django_capture_on_commit_callbacks):
    admin = make_person("admin")
    version = _published(django_capture_on_commit_callbacks, admin)

    with django_capture_on_commit_callbacks(execute=True):
        customer = customer_create(values={"external_id": "N-1", "name": "New", "industry": "Software"}, user=admin)

    assert scores_by_customer(version.rubric) == {customer.pk: (version.pk, 3, True)}


def test_it_rescores_the_rows_of_an_upsert(make_person, django_capture_on_commit_callbacks):
    admin = make_person("admin")
    kept = CustomerFactory(external_id="A-1", industry="Retail")
    version = _published(django_capture_on_commit_callbacks, admin)
    rows = [
        {"external_id": "A-1", "industry": "Software"},
        {"external_id": "B-1", "name": "Beta", "industry": "Software"},
    ]

    with django_capture_on_commit_callbacks(execute=True):
        customers_upsert(rows=rows, user=admin, source="api")

    created = Customer.objects.get(external_id="B-1")
    assert scores_by_customer(version.rubric) == {kept.pk: (version.pk, 3, True), created.pk: (version.pk, 3, True)}


def test_an_unchanged_customer_sends_no_rescore(make_person, django_capture_on_commit_callbacks):
    customer = CustomerFactory(industry="Retail")

    with django_capture_on_commit_callbacks() as callbacks:
        customer_update(customer=customer, values={"industry": "Retail"}, user=make_person("admin"))

    assert callbacks == []


def test_it_sends_the_ids_of_a_big_change_in_batches(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("rubrics.tasks.customers_rescore.apply_async", lambda args, **options: sent.append(*args))

    with django_capture_on_commit_callbacks(execute=True):
        rescoring.customers_rescore_later(customer_ids=range(1, 2_501))

    assert [len(batch) for batch in sent] == [1_000, 1_000, 500]


@pytest.mark.parametrize(
    ("ids", "ranges"),
    [
        ([], []),
        ([7], [(7, 7)]),
        ([3, 1, 2, 2], [(1, 3)]),
        ([1, 51, 102], [(1, 51), (102, 102)]),
    ],
)
def test_it_groups_customer_ids_into_ranges(ids, ranges):
    assert id_ranges(ids) == ranges
