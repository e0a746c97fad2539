"""A publish written like a new table (score_tables.py): the job fills a table of its own, the last chunk indexes
it and switches it in as the rubric's partition, taking over what changed meanwhile; PostgreSQL only (SQLite keeps
the upsert, tested in test_rescoring.py)."""

import pytest
from django.core.management.color import no_style
from django.db import NotSupportedError, OperationalError, connection, transaction
from django.urls import reverse

from customers.models import Customer
from customers.services.records import customer_create, customer_delete, customer_update
from customers.tests.factories import CustomerFactory
from rubrics.models import JobStatus, QualificationChange, RescoreJob, Rubric, Score
from rubrics.score_tables import PARENT, rubric_partition, score_table_drop, score_tables_unattached
from rubrics.services import publishing, rescoring
from rubrics.signals import qualifications_changed
from rubrics.tasks import rescore_chunk, rescore_job_start
from rubrics.tests.factories import next_draft, rubric_with_draft, scores_by_customer
from tests.support import reading_held

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("scores are partitioned on PostgreSQL only: run with DATABASE_URL (PostgreSQL)")


def table_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        return cursor.fetchone()[0]


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass", [table])
        return {row[0] for row in cursor.fetchall()}


def _run(job: RescoreJob, chunk_size: int = 2, between=None) -> RescoreJob:
    """Run a job's chunks here, one after another; ``between(number)`` after each chunk."""
    for number, chunk_id in enumerate(rescoring.rescore_job_plan(job_id=job.pk, chunk_size=chunk_size)):
        rescoring.rescore_chunk_run(chunk_id=chunk_id)
        if between:
            between(number)
    job.refresh_from_db()
    return job


def _publish(version, admin, capture):
    with capture():  # the job's start is not sent: the test runs its chunks
        return publishing.rubric_publish(version=version, user=admin)


def test_a_rubric_has_its_partition_from_its_creation_to_its_deletion():
    version = rubric_with_draft()
    name = rubric_partition(version.rubric_id)

    assert name == f"{PARENT}_r{version.rubric_id}"
    assert len(_indexes(name)) == len(_indexes(PARENT)) == 7, "the key, the unique pair and five lead-list indexes"

    Rubric.objects.filter(pk=version.rubric_id).delete()
    assert not table_exists(name)


def test_a_publish_fills_its_own_table_and_switches_it_in(make_person, django_capture_on_commit_callbacks):
    admin = make_person("admin")
    industries = ["Software", "Retail", "Software", "Fintech"]
    customers = [CustomerFactory(industry=industry) for industry in industries]
    first = rubric_with_draft(industries=("Software",))
    job = _run(_publish(first, admin, django_capture_on_commit_callbacks))
    first_partition = rubric_partition(first.rubric_id)
    assert (job.status, job.table, first_partition) == (JobStatus.DONE, f"{PARENT}_j{job.pk}", job.table)

    second = next_draft(first.rubric, industries=("Retail", "Fintech"))
    seen_half_way = []

    def half_way(number):
        seen_half_way.append({version for version, _, _ in scores_by_customer(first.rubric).values()})

    job = _run(_publish(second, admin, django_capture_on_commit_callbacks), between=half_way)

    # After the first chunk the lead list still reads the first version's scores, all of them; then the second's.
    assert seen_half_way == [{first.pk}, {second.pk}]

    assert job.status == JobStatus.DONE
    assert rubric_partition(first.rubric_id) == job.table
    assert not table_exists(first_partition), "the old partition is dropped"
    assert len(_indexes(job.table)) == 7
    assert scores_by_customer(first.rubric) == {
        customers[0].pk: (second.pk, 0, False),
        customers[1].pk: (second.pk, 3, True),
        customers[2].pk: (second.pk, 0, False),
        customers[3].pk: (second.pk, 3, True),
    }
    # Worked out by hand: every customer moves (3 → 0 or 0 → 3), two leave and two enter.
    assert (job.rows_changed, job.scores_moved) == (4, 4)
    changes = QualificationChange.objects.filter(version=second).order_by("customer_id")
    assert [(c.customer_id, c.was_qualified, c.qualified, c.total) for c in changes] == [
        (customers[0].pk, True, False, 0),
        (customers[1].pk, False, True, 3),
        (customers[2].pk, True, False, 0),
        (customers[3].pk, False, True, 3),
    ]
    assert Score.objects.filter(qualified=True).order_by("-total", "customer_id").count() == 2


def test_the_switch_takes_over_what_changed_while_the_table_filled(make_person, django_capture_on_commit_callbacks):
    """A planted base, chunks of two: c1, c2 | c3, c4 | c5, c6. The first version gives Software 3 points, the second
    Retail and Fintech; the threshold is 3. While the second fills its table:
    - before the first chunk, c1 moves to Retail (its score by the second version is written in place at once);
      after it, c1 gets an owner: only the copy of its owner changes, its score is not written again;
    - after the first chunk, c2 is deleted and c7 (Fintech) created and scored in place.
    """
    admin, rep = make_person("admin"), make_person("sales_rep")
    c1, c2, c3, c4, c5, c6 = (
        CustomerFactory(industry=industry)
        for industry in ("Software", "Retail", "Software", "Fintech", "Retail", "Software")
    )
    first = rubric_with_draft(industries=("Software",))
    _run(_publish(first, admin, django_capture_on_commit_callbacks))
    second = next_draft(first.rubric, industries=("Retail", "Fintech"))
    job = _publish(second, admin, django_capture_on_commit_callbacks)
    created = []

    with django_capture_on_commit_callbacks():  # the re-scores these changes send are run here, by hand
        customer_update(customer=c1, values={"industry": "Retail"}, user=admin)
    rescoring.customers_rescore(customer_ids=[c1.pk])

    def meanwhile(number):
        if number != 0:
            return
        with django_capture_on_commit_callbacks():
            customer_update(customer=Customer.objects.get(pk=c1.pk), values={"owner_id": rep.pk}, user=admin)
            customer_delete(customer=Customer.objects.get(pk=c2.pk), user=admin)
            created.append(
                customer_create(values={"external_id": "N-7", "name": "New", "industry": "Fintech"}, user=admin)
            )
        for customer in (c1, created[0]):  # one by one: together, the ids between would be re-scored too
            rescoring.customers_rescore(customer_ids=[customer.pk])

    job = _run(job, between=meanwhile)
    (c7,) = created

    assert job.status == JobStatus.DONE
    assert scores_by_customer(first.rubric) == {
        c1.pk: (second.pk, 3, True),
        c3.pk: (second.pk, 0, False),
        c4.pk: (second.pk, 3, True),
        c5.pk: (second.pk, 3, True),
        c6.pk: (second.pk, 0, False),
        c7.pk: (second.pk, 3, True),
    }
    assert Score.objects.get(customer=c1, rubric=first.rubric).owner_id == rep.pk, "the owner's copy followed"
    # c1 and c7 were scored by the second version in place already: the switch records and moves the other four.
    assert (job.rows_changed, job.scores_moved) == (6, 4)
    history = QualificationChange.objects.filter(version=second).order_by("customer_id", "id")
    assert [(c.customer_id, c.was_qualified, c.qualified) for c in history] == [
        (c3.pk, True, False),
        (c4.pk, False, True),
        (c5.pk, False, True),
        (c6.pk, True, False),
        (c7.pk, None, True),  # its first score, recorded once, when it was scored in place
    ]


@pytest.mark.parametrize("tried_again_by", ["the chunk's task retried", "the job resumed"])
def test_a_switch_that_waits_too_long_for_a_reader_changes_nothing_and_is_tried_again(
    transactional_db, make_person, monkeypatch, tried_again_by
):
    admin = make_person("admin")
    customers = [CustomerFactory(industry=industry) for industry in ("Software", "Retail")]
    first = rubric_with_draft(industries=("Software",))
    _run(publishing.rubric_publish(version=first, user=admin))  # run by the test's in-process tasks
    second = next_draft(first.rubric, industries=("Retail",))
    with transaction.atomic():  # planned here: the start sent once this commits finds nothing left to plan
        job = publishing.rubric_publish(version=second, user=admin)
        chunks = rescoring.rescore_job_plan(job_id=job.pk, chunk_size=1)
    before = scores_by_customer(first.rubric)
    monkeypatch.setattr("rubrics.score_tables.SWITCH_LOCK_TIMEOUT", "200ms")
    monkeypatch.setattr("rubrics.services.rescoring.SWITCH_ATTEMPTS", 2)
    monkeypatch.setattr("rubrics.services.rescoring.time.sleep", lambda seconds: None)

    # A lead list's query, its transaction still open: the switch cannot detach the partition it reads.
    for chunk_id in chunks[:-1]:
        rescoring.rescore_chunk_run(chunk_id=chunk_id)
    with (
        reading_held(Score.objects.filter(rubric=first.rubric)),
        pytest.raises(OperationalError, match="lock timeout"),
    ):
        rescoring.rescore_chunk_run(chunk_id=chunks[-1])  # the last chunk, then the switch

    job.refresh_from_db()
    assert (job.status, job.chunks_done) == (JobStatus.RUNNING, job.chunks_total)
    assert scores_by_customer(first.rubric) == before, "nothing switched, nothing half-written"
    assert not QualificationChange.objects.filter(version=second).exists()
    assert table_exists(job.table), "the filled table waits for the next try"

    if tried_again_by == "the job resumed":
        rescore_job_start.run(job.pk, resume=True)  # what the periodic resend does with a job that stalled
    else:
        # The chunk is not written again; the switch is, and its two scores are put in place (and announced).
        assert rescoring.rescore_chunk_run(chunk_id=chunks[-1]) == 2

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert scores_by_customer(first.rubric) == {
        customers[0].pk: (second.pk, 0, False),
        customers[1].pk: (second.pk, 3, True),
    }
    assert QualificationChange.objects.filter(version=second).count() == 2


def test_a_publish_announces_its_scores_once_they_are_switched_in(make_person, django_capture_on_commit_callbacks):
    """The chunks filling the job's table put no score in place: the worker announces nothing for them (the
    routing and the webhooks would read the old scores); the last chunk's switch announces them all, once."""
    admin = make_person("admin")
    CustomerFactory.create_batch(5, industry="Software")
    version = rubric_with_draft(industries=("Software",))
    job = _publish(version, admin, django_capture_on_commit_callbacks)
    chunks = rescoring.rescore_job_plan(job_id=job.pk, chunk_size=2)
    announced = []

    def heard(sender, **kwargs):
        announced.append(sender)

    qualifications_changed.connect(heard)
    try:
        put_in_place = []
        for chunk_id in chunks:
            with django_capture_on_commit_callbacks(execute=True):
                rescore_chunk.run(chunk_id)
            put_in_place.append(len(announced))
    finally:
        qualifications_changed.disconnect(heard)

    assert len(chunks) == 3
    assert put_in_place == [0, 0, 1], "announced once, by the last chunk"
    assert Score.objects.filter(rubric=version.rubric, version=version).count() == 5


def test_the_sweep_drops_only_tables_nothing_uses(make_person, django_capture_on_commit_callbacks):
    admin = make_person("admin")
    CustomerFactory(industry="Software")
    first = rubric_with_draft()
    running = _publish(first, admin, django_capture_on_commit_callbacks)
    rescoring.rescore_job_plan(job_id=running.pk)
    running.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {PARENT}_j999999 (LIKE {PARENT})")  # a dead worker's detached partition

    assert score_tables_unattached() == sorted([running.table, f"{PARENT}_j999999"])
    assert rescoring.score_tables_sweep() == [f"{PARENT}_j999999"]
    assert table_exists(running.table), "a running job's table stays"
    assert not score_table_drop(rubric_partition(first.rubric_id)), "an attached partition is never dropped"
    with pytest.raises(ValueError, match="not a score table"):
        score_table_drop("customers_customer")


def test_the_progress_says_the_new_scores_come_at_once(client_as, django_capture_on_commit_callbacks):
    client = client_as("admin")
    CustomerFactory.create_batch(4, industry="Software")
    first = rubric_with_draft()
    job = _publish(first, client.person, django_capture_on_commit_callbacks)
    chunks = rescoring.rescore_job_plan(job_id=job.pk, chunk_size=2)
    progress = reverse("rubrics:job_progress", args=[job.pk])

    rescoring.rescore_chunk_run(chunk_id=chunks[0])
    during = client.get(progress).content.decode()
    # All chunks done, the switch not yet: what a worker dying in it leaves (for a while).
    RescoreJob.objects.filter(pk=job.pk).update(chunks_done=2)
    switching = client.get(progress).content.decode()

    assert "1 of 2 chunks. The new scores replace the old ones all at once at the end." in during
    assert "scores changed" not in during, "none has changed yet: they all change at the switch"
    assert "Indexing the new scores and putting them in place" in switching


@pytest.mark.django_db(transaction=True)
def test_the_new_partition_comes_vacuumed_and_analyzed(make_person, django_capture_on_commit_callbacks):
    """Outside a transaction (as in the worker), the job's table is vacuumed before it is switched in: its pages
    are all-visible (the lead list's index-only scans read no row) and it has statistics, from the first
    request on rather than once autovacuum has been by."""
    admin = make_person("admin")
    CustomerFactory.create_batch(300, industry="Software")
    version = rubric_with_draft(industries=("Software",))
    try:
        job = _run(_publish(version, admin, django_capture_on_commit_callbacks), chunk_size=100)
        assert rubric_partition(version.rubric_id) == job.table
        with connection.cursor() as cursor:
            cursor.execute("SELECT relpages, relallvisible, reltuples FROM pg_class WHERE relname = %s", [job.table])
            pages, visible, tuples = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [job.table])
            (columns_with_statistics,) = cursor.fetchone()
        assert pages > 0
        assert visible == pages, "every page all-visible"
        assert tuples == 300
        assert columns_with_statistics > 0
    finally:  # the flush after a transactional test empties the tables but leaves this one attached
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {rubric_partition(version.rubric_id)}")


@pytest.mark.django_db(transaction=True)
def test_a_detached_partition_left_by_a_stopped_worker_is_dropped_before_the_flush():
    """A worker stopped after its switch committed and before it dropped the old partition leaves that table
    detached, still referencing the customers: the flush ending a transactional test (a TRUNCATE of every
    table Django knows) would then fail. The root conftest runs the sweep first."""
    CustomerFactory(industry="Software")
    version = rubric_with_draft()
    old = rubric_partition(version.rubric_id)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {old}")  # the switch's step; the drop never came
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    (flush,) = connection.ops.sql_flush(no_style(), tables)  # one TRUNCATE of them all
    with pytest.raises(NotSupportedError, match=old), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(flush)

    assert rescoring.score_tables_sweep() == [old]

    assert not table_exists(old)
    assert score_tables_unattached() == []
    with connection.cursor() as cursor:
        cursor.execute(flush)  # the flush no longer fails
    assert not Customer.objects.exists()
