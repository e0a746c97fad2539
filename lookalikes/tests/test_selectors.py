"""The search's filters and seeds over this process's matrix, kept in step with the database."""

import pytest

from customers.models import Customer
from customers.services.records import customer_update
from customers.tests.factories import CustomerFactory
from lookalikes.selectors import LookalikeFilters, SeedAccounts, lookalikes_find
from lookalikes.services import similarity_build_now
from lookalikes.tests.conftest import module_base
from rubrics.services.publishing import rubric_publish
from rubrics.tests.factories import rubric_with_draft
from teams.models import Role


def _base():
    return {
        customer.external_id: customer.pk
        for customer in [
            CustomerFactory(external_id="SEED", lifecycle_stage="customer", deal_outcome="won"),
            *(CustomerFactory(external_id=f"SOFT-{n}", lifecycle_stage="prospect") for n in range(3)),
            CustomerFactory(external_id="RETAIL", industry="Retail", lifecycle_stage="prospect"),
        ]
    } | {"model": similarity_build_now().pk}


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    yield from module_base(django_db_blocker, _base)


@pytest.fixture
def base(shared, db):
    return shared


def _found(seed: SeedAccounts, **filters) -> list[str]:
    page = lookalikes_find(seed=seed, filters=LookalikeFilters(**filters), per_page=10)
    return [result.customer.external_id for result in page.results]


def _seed(base) -> SeedAccounts:
    return SeedAccounts(label="seed", customer_ids=(base["SEED"],))


def test_not_qualified_follows_qualifications_that_change_after_the_first_search(
    base, make_person, django_capture_on_commit_callbacks
):
    admin = make_person(Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        rubric_publish(version=rubric_with_draft(industries=("Software",)), user=admin)
    assert _found(_seed(base), unqualified=True) == ["RETAIL"], "Software qualifies"

    with django_capture_on_commit_callbacks(execute=True):
        customer_update(customer=Customer.objects.get(pk=base["SOFT-1"]), values={"industry": "Media"}, user=admin)
        customer_update(customer=Customer.objects.get(pk=base["RETAIL"]), values={"industry": "Software"}, user=admin)

    assert _found(_seed(base), unqualified=True) == ["SOFT-1"]
    assert set(_found(_seed(base))) == {"SOFT-0", "SOFT-1", "SOFT-2", "RETAIL"}


def test_a_customer_deleted_after_the_first_search_never_comes_back(base):
    assert _found(_seed(base), prospects=True)[:3] == ["SOFT-0", "SOFT-1", "SOFT-2"]

    Customer.objects.filter(pk=base["SOFT-0"]).delete()

    assert _found(_seed(base), prospects=True) == ["SOFT-1", "SOFT-2", "RETAIL"]


def test_every_won_deal_as_the_seed_follows_a_deal_won_after_the_first_search(
    base, make_person, django_capture_on_commit_callbacks
):
    won = SeedAccounts(label="won", won=True)
    assert "SOFT-2" in _found(won)

    with django_capture_on_commit_callbacks(execute=True):
        customer_update(
            customer=Customer.objects.get(pk=base["SOFT-2"]),
            values={"deal_outcome": "won", "lifecycle_stage": "customer"},
            user=make_person(Role.ADMIN),
        )
    page = lookalikes_find(seed=won, filters=LookalikeFilters(), per_page=10)

    assert "SOFT-2" not in [result.customer.external_id for result in page.results], "a seed's own never come"
    assert page.seed_accounts == 2


def test_the_filters_the_matrix_knows_agree_with_the_database(base):
    assert _found(_seed(base), industry="retail") == ["RETAIL"]
    assert _found(_seed(base), region="emea", prospects=True) == ["SOFT-0", "SOFT-1", "SOFT-2", "RETAIL"]
    assert _found(_seed(base), region="Nowhere") == []
    assert _found(_seed(base), unowned=True, prospects=True, industry="Software") == ["SOFT-0", "SOFT-1", "SOFT-2"]
