"""A spreadsheet made by hand, without CRM ids: rows matched by domain, else by name and country, else new with an
id of our own that the same row always gets."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from customers.import_kind import mapping_check
from customers.models import Customer
from customers.tests.factories import CustomerFactory
from customers.tests.support import check, run
from imports.models import ImportStatus
from imports.services import import_upload
from teams.models import Role

pytestmark = pytest.mark.django_db

BY_HAND = (
    "Company,Website,Country,Employees\n"
    "Acme,https://www.acme.example/about,Germany,10\n"
    "Beta GmbH,,Germany,20\n"
    "Gamma,,,30\n"
)


def _checked(text: str, user=None):
    job = import_upload(kind="customers", file=ContentFile(text.encode()), name="by-hand.csv", user=user)
    assert "external_id" not in job.mapping.values()
    return check(job)


def _imported(text: str, skip_invalid: bool = False):
    job = run(_checked(text), skip_invalid=skip_invalid)
    assert job.status == ImportStatus.DONE, job.error
    return job


def test_a_file_without_ids_imported_twice_creates_each_customer_once():
    first = _imported(BY_HAND)
    ids = set(Customer.objects.values_list("external_id", flat=True))

    again = _imported(BY_HAND.replace(",10\n", ",11\n"))

    assert first.result == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0, "matched": [["new", 3]]}
    assert again.result == {
        "created": 0,
        "updated": 1,
        "unchanged": 2,
        "rejected": 0,
        "matched": [["by domain", 1], ["by name and country", 1], ["by the id an earlier import gave it", 1]],
    }
    assert set(Customer.objects.values_list("external_id", flat=True)) == ids
    assert all(external_id.startswith("ICP-") for external_id in ids)
    assert Customer.objects.get(domain="acme.example").employees == 11


def test_a_domain_match_updates_that_customer_and_no_other():
    crm = CustomerFactory(external_id="HS-1", name="Acme Corporation", domain="acme.example", employees=500)
    other = CustomerFactory(external_id="HS-2", name="Acme", domain="acme-other.example", country="Germany")

    job = _imported("Company,Website,Country,Employees\nAcme,WWW.ACME.EXAMPLE,Germany,12\n")

    assert job.result["matched"] == [["by domain", 1]]
    crm.refresh_from_db()
    other.refresh_from_db()
    assert (crm.employees, crm.name) == (12, "Acme")
    assert other.employees == 250
    assert Customer.objects.count() == 2


def test_a_row_without_domain_matches_on_name_and_country_ignoring_case_and_spacing():
    beta = CustomerFactory(external_id="SF-7", name="Beta GmbH", country="Germany", domain="beta.example")
    CustomerFactory(external_id="SF-8", name="Beta GmbH", country="Austria")

    job = _imported("Company,Country,Employees\n  beta   gmbh ,GERMANY,77\n")

    assert job.result["matched"] == [["by name and country", 1]]
    beta.refresh_from_db()
    assert (beta.employees, beta.country) == (77, "Germany")
    assert Customer.objects.count() == 2


def test_two_customers_with_the_same_name_and_country_make_the_row_refused_not_guessed():
    CustomerFactory(external_id="SF-1", name="Gamma", country="France", employees=1)
    CustomerFactory(external_id="SF-2", name="Gamma", country="France", employees=2)

    job = _checked("Company,Country,Employees\nGamma,France,99\nDelta,France,5\n")

    assert job.analysis["created"] == 1
    assert job.rejections == [[2, "2 customers match “Gamma” in France (“SF-1”, “SF-2”): add their CRM id to the file"]]
    job = run(job, skip_invalid=True)
    assert sorted(Customer.objects.filter(name="Gamma").values_list("employees", flat=True)) == [1, 2]


def test_a_row_twice_in_the_file_is_refused_the_second_time():
    job = _checked("Company,Website\nAcme,acme.example\nAcme Again,ACME.example\n")

    assert job.rejections == [[3, "the same customer as line 2 (new)"]]


def test_the_check_page_says_how_the_rows_were_matched(client_as):
    CustomerFactory(external_id="HS-1", name="Acme", domain="acme.example")
    CustomerFactory(external_id="SF-7", name="Beta GmbH", country="Germany")
    client = client_as(Role.ADMIN)
    job = _checked(BY_HAND, user=client.person)

    page = client.get(reverse("customers:import_detail", args=[job.pk]))

    assert page.status_code == 200
    text = " ".join(page.content.decode().split())
    assert "Rows matched to customers: 1 by domain, 1 by name and country, 1 new." in text


def test_a_file_without_an_id_needs_a_name_or_a_domain_column():
    with pytest.raises(ValidationError, match="for a file without one, the company name or domain column"):
        mapping_check({"Country": "country", "Employees": "employees"}, ["Country", "Employees"])

    assert mapping_check({"Company": "name"}, ["Company"]) == {"Company": "name"}
