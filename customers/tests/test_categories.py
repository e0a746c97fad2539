"""One spelling per category value (industry, country, region) on every way in, and an admin's merge of two."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from customers.models import CategorySpelling, ChangeSource, Customer, CustomerChange
from customers.services import categories
from customers.services.categories import category_merge
from customers.services.records import customer_create, customer_update
from customers.services.seeding import customer_demo_seed
from customers.services.upserts import customers_upsert
from customers.signals import customers_changed
from customers.tests.factories import CustomerFactory
from customers.tests.support import check, run
from customers.tests.test_views_edit import _form_data
from imports.models import ImportStatus
from imports.services import import_upload
from rubrics.services import publishing
from rubrics.tests.factories import rubric_with_draft, scores_by_customer
from teams.models import Role

pytestmark = pytest.mark.django_db

MESSY = (
    "Record ID,Company name,Industry,Country\n"
    "C-1,Alpha,COMPUTER SOFTWARE,germany\n"
    "C-2,Beta,Computer Software,Germany\n"
    "C-3,Gamma,retail,GERMANY\n"
    "C-4,Delta,Retail, Germany \n"
    "C-5,Epsilon,computer  software,France\n"
)


def _import(text: str):
    job = import_upload(kind="customers", file=ContentFile(text.encode()), name="crm.csv", user=None)
    job = run(check(job), skip_invalid=False)
    assert job.status == ImportStatus.DONE, job.error
    return job


def _industries():
    return sorted(set(Customer.objects.values_list("industry", flat=True)))


def test_four_spellings_of_two_industries_are_stored_as_two_the_first_spelling_kept():
    _import(MESSY)

    assert _industries() == ["COMPUTER SOFTWARE", "retail"]
    assert sorted(set(Customer.objects.values_list("country", flat=True))) == ["France", "germany"]
    assert set(CategorySpelling.objects.filter(field="industry").values_list("key", "spelling")) == {
        ("computersoftware", "COMPUTER SOFTWARE"),
        ("retail", "retail"),
    }


def test_a_file_respelling_known_values_changes_nothing():
    _import(MESSY)
    respelled = MESSY.replace("COMPUTER SOFTWARE", "Computer software").replace("retail", "RETAIL")

    job = check(import_upload(kind="customers", file=ContentFile(respelled.encode()), name="b.csv", user=None))

    assert job.analysis == {"created": 0, "updated": 0, "unchanged": 5, "rejected": 0}


def test_a_spelling_stored_before_the_registry_stays_the_one(make_person):
    CustomerFactory(industry="Health Care")  # demo data and older rows are stored without the services

    created = customer_create(values={"external_id": "N-1", "name": "New", "industry": "HEALTH CARE"}, user=None)

    assert created.industry == "Health Care"


def test_of_two_spellings_stored_before_the_registry_the_first_stored_stays_the_one():
    CustomerFactory(industry="health care")  # stored first (a lower id), and after the other in text order
    CustomerFactory(industry="Health Care")

    created = customer_create(values={"external_id": "N-1", "name": "New", "industry": "HEALTH CARE"}, user=None)

    assert created.industry == "health care"


@pytest.fixture
def looked_up(monkeypatch) -> list[str]:
    """The fields whose spellings are looked up in the customers' values, one entry a look."""
    fields = []
    in_use = categories._spellings_in_use
    monkeypatch.setattr(
        categories, "_spellings_in_use", lambda field, keys: fields.append(field) or in_use(field, keys)
    )
    return fields


def test_a_dry_run_looks_each_spelling_up_in_the_customers_once_across_its_batches(looked_up):
    """A check registers no spelling, so each batch would look the same unregistered keys up in every customer's
    values again: they are carried from batch to batch, with the same answer as a write would give."""
    CustomerFactory(industry="Health Care", country="Germany")  # stored wholesale: in no registry
    rows = [
        {"external_id": f"N-{number}", "name": f"New {number}", "industry": "HEALTH CARE", "country": "germany"}
        for number in range(5)
    ]

    counted = customers_upsert(rows=rows, user=None, source=ChangeSource.IMPORT, batch_size=2, dry_run=True)

    assert counted.created == 5
    assert sorted(looked_up) == ["country", "industry"], "once each, not once a batch (three batches)"
    assert not CategorySpelling.objects.exists(), "a dry run registers nothing"
    resolved = {}
    for batch in (rows[:2], rows[2:4], rows[4:]):
        unified = categories.spellings_unify(batch, register=False, resolved=resolved)
        assert {(row["industry"], row["country"]) for row in unified} == {("Health Care", "Germany")}


def test_an_import_check_looks_each_spelling_up_once_across_its_batches(looked_up, monkeypatch):
    """The check writes batch by batch (a call of customers_upsert each): what one batch found is not looked up
    in every customer's values again by the next."""
    CustomerFactory(industry="Health Care")  # stored wholesale: in no registry
    monkeypatch.setattr("imports.services.BATCH", 2)
    text = "Record ID,Company name,Industry,Country\n" + "".join(
        f"C-{number},New {number},HEALTH CARE,Germany\n" for number in range(5)
    )

    job = check(import_upload(kind="customers", file=ContentFile(text.encode()), name="crm.csv", user=None))

    assert job.analysis == {"created": 5, "updated": 0, "unchanged": 0, "rejected": 0}
    # (The region is the country's, filled in by the cleaning: the file has none.)
    assert sorted(looked_up) == ["country", "industry", "region"], "once each, not once a batch (three batches)"
    assert not CategorySpelling.objects.exists(), "a check registers nothing"


def test_the_form_and_the_api_store_the_known_spelling(client_as, api_as):
    customer_create(values={"external_id": "K-1", "name": "Known", "industry": "Computer Software"}, user=None)
    customer = CustomerFactory(industry="Retail", country="France")
    admin = client_as(Role.ADMIN)

    edited = admin.post(
        reverse("customers:edit", args=[customer.pk]), _form_data(customer, industry="computer SOFTWARE ")
    )
    created = api_as(Role.ADMIN).post(
        reverse("api:customer-list"),
        {"external_id": "API-1", "name": "Via API", "industry": "COMPUTERSOFTWARE", "country": "FRANCE"},
        format="json",
    )

    assert edited.status_code == 302
    assert created.status_code == 201, created.json()
    assert _industries() == ["Computer Software"]
    assert Customer.objects.get(external_id="API-1").country == "France"


def test_an_update_with_another_spelling_of_the_same_value_changes_nothing():
    customer = customer_create(values={"external_id": "K-1", "name": "Known", "industry": "Retail"}, user=None)

    customer_update(customer=customer, values={"industry": "RETAIL"}, user=None)

    assert CustomerChange.objects.filter(customer=customer).count() == 1, "the creation only"


# --- The merge page --------------------------------------------------------------------------------------------


def _announced():
    seen = []

    def receive(sender=None, customer_ids=(), **kwargs):
        seen.extend(customer_ids)

    customers_changed.connect(receive, weak=False, dispatch_uid="test-categories")
    return seen, lambda: customers_changed.disconnect(dispatch_uid="test-categories")


def test_the_merge_rewrites_and_rescores_exactly_the_customers_that_had_the_other_spelling(
    client_as, django_capture_on_commit_callbacks
):
    admin = client_as(Role.ADMIN)
    software = CustomerFactory.create_batch(2, industry="Software")
    computer = CustomerFactory.create_batch(3, industry="Computer Software")
    retail = CustomerFactory(industry="Retail")
    version = rubric_with_draft(industries=("Software",))
    with django_capture_on_commit_callbacks(execute=True):
        publishing.rubric_publish(version=version, user=admin.person)
    assert {pk for pk, (_, total, _) in scores_by_customer(version.rubric).items() if total} == {
        customer.pk for customer in software
    }
    seen, stop = _announced()

    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post(
                reverse("customers:categories"),
                {"field": "industry", "spelling": "Computer Software", "into": "Software"},
            )
    finally:
        stop()

    assert response.status_code == 302
    assert sorted(seen) == sorted(customer.pk for customer in computer)
    assert _industries() == ["Retail", "Software"]
    scored = scores_by_customer(version.rubric)
    assert {pk for pk, (_, total, _) in scored.items() if total} == {c.pk for c in [*software, *computer]}
    assert scored[retail.pk][1] == 0
    changes = CustomerChange.objects.filter(source=ChangeSource.WEB, changed_by=admin.person)
    assert sorted(changes.values_list("customer_id", flat=True)) == sorted(c.pk for c in computer)
    assert changes.first().changes == {"industry": ["Computer Software", "Software"]}
    later = customer_create(values={"external_id": "L-1", "name": "Later", "industry": "computer software"}, user=None)
    assert later.industry == "Software", "later writes of the merged spelling take the kept one"


def test_a_merge_sent_twice_or_from_a_stale_page_changes_nothing_the_second_time(client_as):
    admin = client_as(Role.ADMIN)
    CustomerFactory.create_batch(2, industry="Computer Software")
    CustomerFactory(industry="Software")
    merge = {"field": "industry", "spelling": "Computer Software", "into": "Software"}

    first = admin.post(reverse("customers:categories"), merge)
    second = admin.post(reverse("customers:categories"), merge, follow=True)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "nothing changed" in second.content.decode()
    assert CustomerChange.objects.count() == 2
    assert _industries() == ["Software"]


def test_the_page_lists_each_spelling_with_its_customers(client_as):
    CustomerFactory.create_batch(2, industry="Software")
    category_merge(field="industry", spelling="Computer Software", into="Software", user=None)

    response = client_as(Role.ADMIN).get(reverse("customers:categories"))

    assert response.status_code == 200
    software = next(entry for entry in response.context["fields"][0][2] if entry.spelling == "Software")
    assert (software.customers, software.also) == (2, ["computersoftware"])


def test_a_merge_can_respell_a_value():
    CustomerFactory(industry="RETAIL")

    assert category_merge(field="industry", spelling="RETAIL", into="Retail", user=None) == 1

    assert _industries() == ["Retail"]
    assert customer_create(values={"external_id": "R-1", "name": "R", "industry": "retail"}, user=None).industry == (
        "Retail"
    )


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MEMBER, Role.SALES_REP])
def test_only_an_admin_may_merge(client_as, role):
    CustomerFactory(industry="Computer Software")

    response = client_as(role).post(
        reverse("customers:categories"), {"field": "industry", "spelling": "Computer Software", "into": "Software"}
    )

    assert response.status_code == 403
    assert _industries() == ["Computer Software"]


def test_a_demo_base_loaded_again_brings_its_own_spellings():
    customer_create(values={"external_id": "OLD-1", "name": "Old", "industry": "SOFTWARE"}, user=None)

    customer_demo_seed(count=40, seed=7, owner_ids=[])

    assert "Software" in _industries()
    new = customer_create(values={"external_id": "NEW-1", "name": "New", "industry": "software"}, user=None)
    assert new.industry == "Software"


def test_a_refused_merge_answers_400_and_says_why(client_as):
    CustomerFactory(industry="Software")

    response = client_as(Role.ADMIN).post(
        reverse("customers:categories"), {"field": "industry", "spelling": "Software", "into": "   "}
    )

    assert response.status_code == 400
    assert response.context["form"].errors
    assert _industries() == ["Software"]
