"""Importing answers from another survey tool's CSV: checked first, then all valid rows or nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from customers.models import Customer, CustomerChange
from customers.tests.factories import CustomerFactory
from feedback.models import Response
from imports.models import ImportJob, ImportStatus
from imports.services import import_commit, import_start, import_upload
from teams.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers():
    return (
        CustomerFactory(external_id="CRM-1", domain="alpha.example", nps=None),
        CustomerFactory(external_id="CRM-2", domain="beta.example", nps=None),
    )


def _check(text: str, name="answers.csv", user=None) -> ImportJob:
    return import_upload(kind="feedback-answers", file=ContentFile(text.encode()), name=name, user=user)


def _import(job: ImportJob, *, skip_invalid=False) -> ImportJob:
    import_start(job=job, skip_invalid=skip_invalid, user=None)
    return import_commit(job=job)


GOOD = (
    "Customer ID,Website,NPS,Comment,Submitted at\n"
    "CRM-1,,9,Great support,2026-03-15\n"
    "CRM-2,,4,Too slow,03/16/2026\n"
    ",https://www.Alpha.example/,10,,2026-03-17\n"
)


def test_the_check_counts_what_the_import_would_do_and_writes_nothing(customers):
    job = _check(GOOD)

    assert job.analysis == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    assert job.mapping == {
        "Customer ID": "external_id",
        "Website": "domain",
        "NPS": "score",
        "Comment": "comment",
        "Submitted at": "date",
    }
    assert not Response.objects.exists()


def test_the_import_adds_the_answers_and_refreshes_the_customers(customers, make_person):
    admin = make_person(Role.ADMIN)
    alpha, beta = customers
    job = _check(
        "external_id,domain,score,comment,date\nCRM-1,,9,Great support,2026-03-15\n,beta.example,4,Slow,2026-03-16\n",
        user=admin,
    )

    job = _import(job)

    assert job.status == "done"
    assert job.result == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    rows = Response.objects.order_by("answered_at").values_list(
        "customer_id", "score", "comment", "source", "answered_at"
    )
    assert list(rows) == [
        (alpha.pk, 9, "Great support", "import", datetime.datetime(2026, 3, 15, tzinfo=datetime.UTC)),
        (beta.pk, 4, "Slow", "import", datetime.datetime(2026, 3, 16, tzinfo=datetime.UTC)),
    ]
    assert Customer.objects.get(pk=alpha.pk).nps == 9
    change = CustomerChange.objects.get(customer=beta)
    assert (change.source, change.source_ref, change.changed_by) == ("import", f"feedback import {job.pk}", admin)


def test_importing_the_same_file_again_changes_nothing(customers):
    _import(_check(GOOD))

    again = _check(GOOD)

    assert again.analysis == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert _import(again).result["unchanged"] == 3
    assert Response.objects.count() == 3


def test_a_corrected_file_updates_the_answers_it_imported(customers):
    _import(_check("external_id,score,date\nCRM-1,5,2026-03-15\n"))

    job = _import(_check("external_id,score,date\nCRM-1,8,2026-03-15\n"))

    assert job.result["updated"] == 1
    assert Response.objects.get().score == 8
    assert Customer.objects.get(external_id="CRM-1").nps == 8


BAD = (
    "external_id,score,comment,date\n"
    "CRM-1,9,Fine,2026-03-15\n"
    "CRM-404,7,,2026-03-15\n"
    "CRM-2,eleven,,2026-03-15\n"
    "CRM-2,11,,2026-03-15\n"
    "CRM-2,8,,someday\n"
    "CRM-1,3,,2026-03-15\n"
    ",6,,2026-03-15\n"
)


def test_bad_rows_are_listed_by_line_with_a_plain_reason(customers):
    job = _check(BAD)

    assert job.analysis == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 6}
    assert job.rejections == [
        [3, "no customer with external id “CRM-404”"],
        [4, "score: “eleven” is not a number"],
        [5, "score: 11 is not between 0 and 10"],
        [6, "date: “someday” is not a date (use 2024-03-15, 03/15/2024 or 15.03.2024)"],
        [7, "this customer's answer of 2026-03-15 is already on line 2"],
        [8, "no customer: the external id and the domain are both empty"],
    ]


def test_with_bad_rows_nothing_is_imported_unless_skipping_them_is_chosen(customers):
    job = _check(BAD)

    with pytest.raises(ValidationError, match="6 rows cannot be imported"):
        import_start(job=job, skip_invalid=False, user=None)

    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.ANALYSED
    assert not Response.objects.exists()
    assert Customer.objects.get(external_id="CRM-1").nps is None


def test_rows_turned_bad_after_the_check_roll_the_whole_import_back(customers):
    job = _check("external_id,score,date\nCRM-1,9,2026-03-15\nCRM-2,7,2026-03-15\n")
    import_start(job=job, skip_invalid=False, user=None)
    Customer.objects.filter(external_id="CRM-2").delete()

    job = import_commit(job=job)

    assert job.status == "failed"
    assert "nothing was imported" in job.error
    assert job.rejections == [[3, "no customer with external id “CRM-2”"]]
    assert not Response.objects.exists()
    assert Customer.objects.get(external_id="CRM-1").nps is None


def test_skipping_the_bad_rows_imports_the_others(customers):
    job = _import(_check(BAD), skip_invalid=True)

    assert job.result == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 6}
    assert list(Response.objects.values_list("score", flat=True)) == [9]


def test_a_domain_shared_by_two_customers_needs_the_external_id(customers):
    CustomerFactory(external_id="CRM-3", domain="alpha.example")

    job = _check("domain,score,date\nalpha.example,9,2026-03-15\n")

    assert job.rejections == [[2, "domain “alpha.example” belongs to several customers: give the external id"]]


def test_a_file_without_the_needed_columns_is_refused_at_once(customers):
    with pytest.raises(ValidationError, match="a column with the score"):
        _check("external_id,comment,date\nCRM-1,hi,2026-03-15\n")

    assert not ImportJob.objects.exists()


def test_an_answer_dated_in_the_future_is_rejected(customers):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)

    job = _check(f"external_id,score,date\nCRM-1,9,{tomorrow.isoformat()}\n")

    assert job.rejections == [[2, f"date: {tomorrow.isoformat()} is in the future"]]


def test_an_import_runs_once(customers):
    job = _check("external_id,score,date\nCRM-1,9,2026-03-15\n")
    job = _import(job)

    again = import_commit(job=job)

    assert again.status == "done"
    assert Response.objects.count() == 1


def test_the_pages_check_then_import(client_as, customers, django_capture_on_commit_callbacks):
    client = client_as(Role.ADMIN)
    upload = ContentFile(BAD.encode(), name="survey-tool.csv")

    checked = client.post("/feedback/import/", {"file": upload})
    detail = client.get(checked.url)
    refused = client.post(f"{checked.url}run/")
    with django_capture_on_commit_callbacks(execute=True):
        imported = client.post(f"{checked.url}run/", {"skip_invalid": "1"})

    assert "no customer with external id “CRM-404”" in detail.text
    assert "Import 1 rows, skip 6 rejected" in " ".join(detail.text.split())
    assert refused.status_code == 400
    assert "6 rows cannot be imported" in refused.text
    assert imported.status_code == 302
    assert "Imported" in client.get(imported.url).text
    assert Response.objects.count() == 1


def test_the_upload_page_says_what_is_wrong_with_a_file(client_as):
    client = client_as(Role.ADMIN)

    response = client.post("/feedback/import/", {"file": ContentFile(b"a,b\n1,2\n", name="x.csv")})

    assert response.status_code == 400
    assert "The file needs" in response.text
