"""The import tasks: a second delivery leaves an import a worker holds alone; the resend sends those none holds."""

import pytest
from django.db import connection

from customers.models import Customer
from customers.tests.support import DATA, check, reps, upload
from imports.models import ImportJob, ImportStatus
from imports.services import import_commit, imports_unheld
from imports.tasks import imports_resend
from tests.support import row_held

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL: run with DATABASE_URL (SQLite locks the whole database)")


def _job(status: str) -> ImportJob:
    job = check(upload(DATA / "salesforce_accounts.csv"))
    ImportJob.objects.filter(pk=job.pk).update(status=status, skip_invalid=True)
    job.refresh_from_db()
    return job


def test_a_second_delivery_leaves_an_import_a_worker_holds_alone(make_person):
    reps(make_person)
    job = _job(ImportStatus.IMPORTING)

    with row_held(ImportJob, job.pk):
        again = import_commit(job=job)

    assert again.status == ImportStatus.IMPORTING
    assert not Customer.objects.exists()


def test_the_resend_sends_the_checks_and_imports_no_worker_holds(make_person, settings):
    reps(make_person)
    held, importing, checking, done = (_job(status) for status in ("importing", "importing", "analysing", "done"))
    with row_held(ImportJob, held.pk):
        assert imports_unheld() == [(importing.pk, "importing"), (checking.pk, "analysing")]
        imports_resend(False)

    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses == {held.pk: "importing", importing.pk: "done", checking.pk: "analysed", done.pk: "done"}
    assert imports_unheld() == [(held.pk, "importing")]
