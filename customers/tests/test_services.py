import datetime

import pytest
from django.core.exceptions import ValidationError

from customers.models import ChangeAction, ChangeSource, Customer, CustomerChange
from customers.services.records import customer_delete, customer_update
from customers.services.upserts import customers_upsert
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _upsert(rows, user=None, **options):
    return customers_upsert(rows=rows, user=user, source=ChangeSource.IMPORT, source_ref="import 1", **options)


def test_it_creates_updates_and_leaves_unchanged_rows_by_external_id(make_person):
    admin = make_person()
    CustomerFactory(external_id="A", name="Acme", employees=10)
    CustomerFactory(external_id="B", name="Beta", employees=20)

    result = _upsert(
        [
            {"external_id": "A", "name": "Acme", "employees": 10},
            {"external_id": "B", "name": "Beta", "employees": 25},
            {"external_id": "C", "name": "Gamma", "closed_on": datetime.date(2025, 3, 1)},
        ],
        user=admin,
    )

    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert Customer.objects.get(external_id="B").employees == 25
    assert Customer.objects.get(external_id="C").closed_on == datetime.date(2025, 3, 1)
    changes = {(c.external_id, c.action): c for c in CustomerChange.objects.all()}
    assert set(changes) == {("B", ChangeAction.UPDATED), ("C", ChangeAction.CREATED)}
    assert changes["B", ChangeAction.UPDATED].changes == {"employees": [20, 25]}
    assert changes["B", ChangeAction.UPDATED].changed_by == admin
    assert changes["B", ChangeAction.UPDATED].source_ref == "import 1"


def test_it_keeps_the_fields_a_row_leaves_out_and_merges_extra_attributes():
    CustomerFactory(external_id="A", industry="Retail", extra={"tier": "gold", "seats": 3})

    _upsert([{"external_id": "A", "name": "Acme", "extra": {"seats": 5}}])

    customer = Customer.objects.get(external_id="A")
    assert customer.industry == "Retail"
    assert customer.extra == {"tier": "gold", "seats": 5}


def test_a_second_identical_upsert_writes_nothing():
    rows = [{"external_id": f"X{n}", "name": f"Company {n}", "employees": n} for n in range(30)]
    _upsert(rows, batch_size=7)
    stamps = dict(Customer.objects.values_list("external_id", "updated_at"))

    result = _upsert(rows, batch_size=7)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 30)
    assert dict(Customer.objects.values_list("external_id", "updated_at")) == stamps
    assert CustomerChange.objects.count() == 30


def test_it_rejects_an_invalid_row_naming_its_external_id_and_writes_nothing_of_its_batch():
    with pytest.raises(ValidationError, match="BAD: .*nps"):
        _upsert([{"external_id": "OK", "name": "Fine"}, {"external_id": "BAD", "name": "Broken", "nps": 11}])

    assert not Customer.objects.exists()
    assert not CustomerChange.objects.exists()


def test_it_rejects_the_same_external_id_twice_in_a_batch():
    with pytest.raises(ValidationError, match="twice"):
        _upsert([{"external_id": "A", "name": "One"}, {"external_id": "A", "name": "Two"}])


def test_it_refuses_fields_that_are_not_the_customers():
    with pytest.raises(ValueError, match="created_at"):
        _upsert([{"external_id": "A", "name": "One", "created_at": None}])


def test_an_update_records_the_owner_by_username(make_person):
    rep = make_person(role="sales_rep", username="riley")
    customer = CustomerFactory(owner=None)

    customer_update(customer=customer, values={"owner_id": rep.pk}, user=None, source=ChangeSource.API)

    change = CustomerChange.objects.get()
    assert change.changes == {"owner": [None, "riley"]}
    assert change.source == ChangeSource.API


def test_a_deleted_customer_keeps_its_history():
    customer = CustomerFactory(external_id="GONE", name="Gone Ltd")
    customer_update(customer=customer, values={"employees": 999}, user=None)

    customer_delete(customer=customer, user=None)

    assert not Customer.objects.exists()
    history = list(CustomerChange.objects.order_by("id").values_list("external_id", "action", "customer_id"))
    assert history == [("GONE", ChangeAction.UPDATED, None), ("GONE", ChangeAction.DELETED, None)]


def test_deleting_a_customer_deleted_meanwhile_says_so_and_records_nothing():
    customer = CustomerFactory(external_id="TWICE")
    stale = Customer.objects.get(pk=customer.pk)
    customer_delete(customer=customer, user=None)

    with pytest.raises(Customer.DoesNotExist):
        customer_delete(customer=stale, user=None)

    assert CustomerChange.objects.filter(external_id="TWICE", action=ChangeAction.DELETED).count() == 1


def test_reseeding_the_demo_base_keeps_every_index_of_the_table():
    from django.db import connection

    from customers.services.seeding import customer_demo_seed

    def indexes():
        with connection.cursor() as cursor:
            return {
                name: sorted(info["columns"] or [])
                for name, info in connection.introspection.get_constraints(cursor, Customer._meta.db_table).items()
                if info["index"]
            }

    before = indexes()

    customer_demo_seed(count=50, seed=1, owner_ids=[])

    assert Customer.objects.count() == 50
    assert indexes() == before
    assert len(before) >= 9


def test_an_update_from_a_stale_form_is_refused_and_writes_nothing():
    from customers.services.records import CustomerChangedMeanwhile

    customer = CustomerFactory(employees=10)
    seen = customer.updated_at
    customer_update(customer=customer, values={"employees": 11}, user=None)

    with pytest.raises(CustomerChangedMeanwhile):
        customer_update(customer=customer, values={"employees": 99}, user=None, loaded_at=seen)

    customer.refresh_from_db()
    assert customer.employees == 11
    assert CustomerChange.objects.count() == 1
