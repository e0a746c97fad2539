"""Two imports of the same new customers at once: the second waits for the first and updates what it created."""

import threading

import pytest
from django.db import connection, transaction

from customers.models import Customer, CustomerChange
from customers.tests.support import check, upload
from imports.models import ImportJob, ImportStatus
from imports.services import import_commit
from tests.support import wait_for

HEADER = "Record ID,Company name,Industry,Country,Number of Employees\n"
NEW_ROWS = ["N-1,Nova Labs,Software,Germany,{}", "N-2,Orbit Foods,Retail,France,{}", "N-3,Pico Steel,Retail,Spain,{}"]


def _importing(tmp_path, name: str, employees: int) -> ImportJob:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(row.format(employees) for row in NEW_ROWS) + "\n")
    job = check(upload(path))
    assert job.analysis == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    job.refresh_from_db()
    return job


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # within a transaction, the view is read once otherwise
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def run_overlapping(threads: list[threading.Thread], what: str) -> None:
    """Run two writers of customers so that both are inside their transactions at the same time: the table of
    change records is held while they start, so the one ahead stops before its commit and the other wherever it
    meets the first; then both go on to their end."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {CustomerChange._meta.db_table} IN SHARE MODE")
        for thread in threads:
            thread.start()
        wait_for(lambda: _waiting_on_locks() == len(threads), what=f"both {what} under way")
    for thread in threads:
        thread.join(30)


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_new_customers_at_once_both_finish_and_the_later_one_wins(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite commits one writer at a time: two imports cannot overlap there")
    first, second = _importing(tmp_path, "first.csv", 10), _importing(tmp_path, "second.csv", 20)
    errors = []

    def commit(job):
        try:
            import_commit(job=job)
        except Exception as error:  # noqa: BLE001  (the test reports it)
            errors.append(error)
        finally:
            connection.close()

    run_overlapping([threading.Thread(target=commit, args=(job,)) for job in (first, second)], what="imports")

    assert errors == []
    jobs = {job.pk: job for job in ImportJob.objects.filter(pk__in=[first.pk, second.pk])}
    assert [job.status for job in jobs.values()] == [ImportStatus.DONE, ImportStatus.DONE]
    results = sorted((job.result["created"], job.result["updated"]) for job in jobs.values())
    assert results == [(0, 3), (3, 0)], "the later import updates what the earlier one created"
    later = next(job for job in jobs.values() if job.result["updated"] == 3)
    assert sorted(Customer.objects.values_list("external_id", "employees")) == [
        ("N-1", 20 if later.pk == second.pk else 10),
        ("N-2", 20 if later.pk == second.pk else 10),
        ("N-3", 20 if later.pk == second.pk else 10),
    ]
