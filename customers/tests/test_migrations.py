"""Customers stored before one spelling per category value take it when the database is migrated."""

import pytest

from tests.support import migrate_to, migrate_to_latest

BEFORE = [("customers", "0008_category_spellings")]


@pytest.mark.django_db(transaction=True)
def test_existing_spellings_are_unified_to_the_first_stored_and_recorded():
    old = migrate_to(BEFORE)
    Customer = old.get_model("customers", "Customer")
    for number, industry in enumerate(["Computer Software", "COMPUTER SOFTWARE", "retail", "Retail", "Retail "]):
        Customer.objects.create(external_id=f"C-{number}", name=f"Customer {number}", industry=industry)

    new = migrate_to_latest()

    customers = new.get_model("customers", "Customer").objects.order_by("external_id")
    assert list(customers.values_list("industry", flat=True)) == [
        "Computer Software",
        "Computer Software",
        "retail",
        "retail",
        "retail",
    ]
    changes = new.get_model("customers", "CustomerChange").objects.order_by("external_id")
    assert [(change.external_id, change.source, change.changes) for change in changes] == [
        ("C-1", "system", {"industry": ["COMPUTER SOFTWARE", "Computer Software"]}),
        ("C-3", "system", {"industry": ["Retail", "retail"]}),
        ("C-4", "system", {"industry": ["Retail ", "retail"]}),
    ]
    spellings = new.get_model("customers", "CategorySpelling").objects.filter(field="industry")
    assert set(spellings.values_list("key", "spelling")) == {
        ("computersoftware", "Computer Software"),
        ("retail", "retail"),
    }
